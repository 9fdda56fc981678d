package main

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"encoding/json"

	"github.com/labdash/labdash/db"
)

// TestRehearsalClassWithLab8Provisions: on the simulator, a 12-student
// shared-account rehearsal class with Lab 8 (48 vCPUs of each of On-Demand and
// Spot Standard instances, against a new account's 5) passes the quota preflight
// and provisions, because the simulator's account is one prepared for a class
// (sim.PrepareClassAccount in startLive).
func TestRehearsalClassWithLab8Provisions(t *testing.T) {
	ctx := t.Context()
	dbPath := filepath.Join(t.TempDir(), "labdash.db")
	store, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	if err := store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	class := &db.Class{Name: "Rehearsal", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"asg"}}
	if err := store.CreateClass(ctx, class); err != nil {
		t.Fatal(err)
	}
	var rows []db.NewStudent
	for i := 1; i <= 12; i++ {
		rows = append(rows, db.NewStudent{Name: fmt.Sprintf("S%d", i), Email: fmt.Sprintf("s%d@example.edu", i)})
	}
	if _, _, err := store.AddStudents(ctx, class.ID, rows); err != nil {
		t.Fatal(err)
	}
	store.Close()

	base, _, stop := serveInProcess(t, dbPath, map[string]string{"LABDASH_DEMO": "false"})
	defer stop()
	var tok e2eBuffer
	if err := run(ctx, []string{"token", "create", "--db", dbPath, "--email", "ana@example.edu"}, nil, &tok, io.Discard, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(tok.String())
	status, body := apiCall(t, http.MethodPost, base+"/api/v1/classes/"+class.ID+"/provision", token, "", "")
	var job struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
		Error string `json:"error"`
	}
	if status != http.StatusAccepted || json.Unmarshal([]byte(body), &job) != nil {
		t.Fatalf("provision: %d %s", status, body)
	}
	for deadline := time.Now().Add(60 * time.Second); job.State != db.JobDone && job.State != db.JobFailed; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("provisioning job %d is still %s", job.ID, job.State)
		}
		_, body := apiGet(t, fmt.Sprintf("%s/api/v1/jobs/%d", base, job.ID), token)
		if err := json.Unmarshal([]byte(body), &job); err != nil {
			t.Fatalf("job: %v %s", err, body)
		}
	}
	if job.State != db.JobDone {
		t.Fatalf("a 12-student Lab 8 rehearsal class was refused on the simulator: %s", job.Error)
	}
}
