package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// TestServeOnAWSAgainstMoto runs `labdash serve --cloud aws` with the SDK pointed at moto
// (AWS_ENDPOINT_URL, fake credentials) and provisions a class through the API.
func TestServeOnAWSAgainstMoto(t *testing.T) {
	awstest.Moto(t)
	awstest.Reset(t)
	dbPath := filepath.Join(t.TempDir(), "aws.db")
	base, out, stop := serveInProcess(t, dbPath, map[string]string{"LABDASH_CLOUD": "aws", "LABDASH_ADMIN_EMAIL": "ana@example.edu", "LABDASH_ADMIN_PASSWORD": "correct-horse-battery"})
	defer stop()
	if !strings.Contains(out.String(), "cloud: aws") {
		t.Fatalf("startup line: %s", out.String())
	}
	var tok e2eBuffer
	if err := run(t.Context(), []string{"token", "create", "--db", dbPath, "--email", "ana@example.edu"}, nil, &tok, io.Discard, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(tok.String())
	call := func(method, path, ctype, body string) (int, string) {
		return apiCall(t, method, base+path, token, ctype, body)
	}
	if status, body := call("GET", "/login", "", ""); status != http.StatusOK || !strings.Contains(body, "Real AWS") || strings.Contains(body, "Simulated AWS") {
		t.Fatalf("pages must label real AWS: %d", status)
	}
	status, body := call("POST", "/api/v1/classes", "application/json", `{"name":"On moto","regions":["us-east-1"],"labs":["fargate"]}`)
	var class struct{ ID string }
	if status != 201 || json.Unmarshal([]byte(body), &class) != nil {
		t.Fatalf("create class: %d %s", status, body)
	}
	if status, body := call("POST", "/api/v1/classes/"+class.ID+"/roster", "text/csv", "name,email\nA,a@example.edu\nB,b@example.edu\n"); status != 200 {
		t.Fatalf("roster: %d %s", status, body)
	}
	status, body = call("POST", "/api/v1/classes/"+class.ID+"/provision", "", "")
	var job struct {
		ID     int64
		State  string
		Error  string
		Counts map[string]int
	}
	if status != http.StatusAccepted || json.Unmarshal([]byte(body), &job) != nil {
		t.Fatalf("provision: %d %s", status, body)
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		_, body = call("GET", "/api/v1/jobs/"+jsonInt(job.ID), "", "")
		json.Unmarshal([]byte(body), &job)
		if job.State == "done" || job.State == "failed" {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if job.State != "done" || job.Counts["done"] != 2 || job.Error != "" {
		t.Fatalf("provisioning on moto: %s", body)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestProvisionCommandAgainstMoto: `labdash provision --cloud aws CLASS` provisions in
// process and prints each student's state; on the simulator it explains itself.
func TestProvisionCommandAgainstMoto(t *testing.T) {
	awstest.Moto(t)
	awstest.Reset(t)
	ctx := t.Context()
	dbPath := filepath.Join(t.TempDir(), "cli.db")
	store, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	store.CreateUser(ctx, u)
	class := &db.Class{Name: "cli", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
	store.CreateClass(ctx, class)
	store.AddStudents(ctx, class.ID, []db.NewStudent{{Name: "A", Email: "a@example.edu"}, {Name: "B", Email: "b@example.edu"}})
	store.Close()

	err = run(ctx, []string{"provision", "--db", dbPath, class.ID}, nil, io.Discard, io.Discard, envOf(nil))
	if err == nil || !strings.Contains(err.Error(), "needs --cloud aws") {
		t.Fatalf("sim mode: %v", err)
	}
	var out e2eBuffer
	if err := run(ctx, []string{"provision", "--db", dbPath, "--cloud", "aws", class.ID}, nil, &out, io.Discard, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "s01\tdone") || !strings.Contains(out.String(), "s02\tdone") {
		t.Fatalf("output:\n%s", out.String())
	}
}
