package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cloud"
)

// backgroundFrames name the functions of the goroutines that write to the
// database while labdash serves; none may be on any goroutine's stack when
// the database closes.
var backgroundFrames = []string{
	"labs/monitor.(*Monitor).Run",
	"labs/virtual.(*Runner).Run",
	"labs/cleanup.(*Executor).Run",
	"labs/cleanup.(*Executor).heartbeat",
	"labs/sandbox.(*Provisioner).Run",
	"handlers/live.(*Hub).Run",
	"main.(*liveStack).syncLoop",
	"main.(*liveStack).resumeLoop",
	"main.(*liveStack).runJob.func",
	"main.sweepSessions",
}

// liveBackground is every goroutine stack running one of backgroundFrames.
func liveBackground() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, f := range backgroundFrames {
			if strings.Contains(g, f) { // running it, or started by it
				if lines := strings.Split(g, "\n"); len(lines) > 24 {
					g = strings.Join(append(lines[:24], "\t…"), "\n")
				}
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// TestShutdownClosesTheDatabaseLast: a server under load (the demo class and a
// second class of virtual students at 60×, the monitor, a cleanup job whose cloud
// calls take a while to notice cancellation) is stopped; when the database
// closes, every goroutine that writes to it has returned, nothing uses it
// afterwards, and the interrupted cleanup job is left unfinished, to resume.
func TestShutdownClosesTheDatabaseLast(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a loaded server for a few seconds")
	}
	dbPath := filepath.Join(t.TempDir(), "shutdown.db")
	var (
		inflight  atomic.Int64 // cleanup calls held by the interceptor
		held      atomic.Int64 // cleanup calls the interceptor has seen
		closed    atomic.Bool  // the database is closed (or closing)
		lateCalls atomic.Int64 // cleanup calls that returned (to go on writing) after it closed
		atClose   []string     // background goroutines alive when it closed
		inAtClose int64
	)
	onLiveStarted = func(ls *liveStack) {
		// A cloud that answers no cleanup call until shutdown, then takes 300 ms
		// to notice: the job is mid-call when the server stops, and returns to
		// write its items' state well after the HTTP server has shut down.
		ls.cleaner.Intercept = func(ctx context.Context, call cloud.Call) error {
			inflight.Add(1)
			defer inflight.Add(-1)
			held.Add(1)
			<-ctx.Done()
			time.Sleep(300 * time.Millisecond) // the slow cloud is what is under test
			if closed.Load() {
				lateCalls.Add(1)
			}
			return ctx.Err()
		}
	}
	beforeStoreClose = func() {
		atClose, inAtClose = liveBackground(), inflight.Load()
		closed.Store(true)
	}
	t.Cleanup(func() { onLiveStarted, beforeStoreClose = nil, nil })

	env := map[string]string{"LABDASH_ADMIN_EMAIL": "ana@example.edu", "LABDASH_ADMIN_PASSWORD": "correct-horse-battery",
		"LABDASH_SIM_SPEED": "60", "LABDASH_MONITOR_INTERVAL": "100ms", "LABDASH_LOG_LEVEL": "debug"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, logs := &e2eBuffer{}, &e2eBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dbPath}, strings.NewReader(""), out, logs, envOf(env))
	}()
	var base string
	eventually(t, 20*time.Second, func() bool {
		if m := runningRE.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		return base != ""
	}, "the server to start")
	stopped := false
	stop := func() error { stopped = true; cancel(); return <-done }
	defer func() {
		if !stopped {
			stop()
		}
		if t.Failed() {
			t.Logf("labdash log (last 8 KB):\n%s", logs.Tail(8<<10))
		}
	}()

	var tok strings.Builder
	if err := run(ctx, []string{"token", "create", "--db", dbPath, "--email", "ana@example.edu"}, nil, &tok, io.Discard, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(tok.String())
	call := func(method, path, ctype, body string) (int, string) {
		return apiCall(t, method, base+"/api/v1"+path, token, ctype, body)
	}

	// More virtual students: a second class, which the sync loop gives them.
	status, body := call(http.MethodPost, "/classes", "application/json", `{"name":"Second","regions":["us-east-1"],"labs":["fargate"]}`)
	if status != http.StatusCreated {
		t.Fatalf("create class: %d %s", status, body)
	}
	var second struct{ ID string }
	json.Unmarshal([]byte(body), &second)
	roster := "name,email\n"
	for i := 1; i <= 6; i++ {
		roster += fmt.Sprintf("S%d,s%d@example.edu\n", i, i)
	}
	if status, body := call(http.MethodPost, "/classes/"+second.ID+"/roster", "text/csv", roster); status != http.StatusOK {
		t.Fatalf("roster: %d %s", status, body)
	}

	// The demo class appears, its virtual students build, and a cleanup of it starts.
	var demo struct{ ID, Name string }
	eventually(t, 30*time.Second, func() bool {
		_, body := call(http.MethodGet, "/classes", "", "")
		var list struct{ Classes []struct{ ID, Name string } }
		json.Unmarshal([]byte(body), &list)
		for _, c := range list.Classes {
			if c.Name == demoName {
				demo = c
			}
		}
		return demo.ID != ""
	}, "the demo class")
	var job struct{ ID int64 }
	eventually(t, 60*time.Second, func() bool {
		status, body := call(http.MethodPost, "/classes/"+demo.ID+"/cleanup/plan", "", "")
		var plan struct {
			Hash  string
			Items []json.RawMessage
		}
		if status != http.StatusOK || json.Unmarshal([]byte(body), &plan) != nil || len(plan.Items) == 0 {
			return false
		}
		status, body = call(http.MethodPost, "/classes/"+demo.ID+"/cleanup/run", "application/json",
			fmt.Sprintf(`{"hash":%q,"confirm":%q}`, plan.Hash, demo.Name))
		return status == http.StatusAccepted && json.Unmarshal([]byte(body), &job) == nil // else the students changed the plan: again
	}, "a cleanup job of the demo class to start")
	eventually(t, 20*time.Second, func() bool { return held.Load() > 0 }, "the cleanup job to make a cloud call")

	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	// serve has returned: the database is closed. Let any straggler finish its call.
	eventually(t, 5*time.Second, func() bool { return inflight.Load() == 0 }, "the held cleanup calls to return")

	if !closed.Load() {
		t.Fatal("serve returned without closing the database")
	}
	if len(atClose) > 0 {
		t.Errorf("%d background goroutine(s) still running when the database closed:\n%s", len(atClose), strings.Join(atClose, "\n\n"))
	}
	if inAtClose > 0 || lateCalls.Load() > 0 {
		t.Errorf("the cleanup job was still in a cloud call when the database closed (%d held then, %d returned after)", inAtClose, lateCalls.Load())
	}
	if m := regexp.MustCompile(`.*database is closed.*`).FindString(logs.String()); m != "" {
		t.Errorf("the log reports a use of the closed database: %s", m)
	}
	if strings.Contains(logs.String(), "did not stop in time") {
		t.Errorf("shutdown timed out waiting for background work")
	}

	// The interrupted job is unfinished, not failed: the next start resumes it.
	store, err := db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	j, err := store.Job(context.Background(), job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.State == db.JobFailed || j.State == db.JobDone {
		t.Fatalf("the interrupted cleanup job is %s (%q); want it unfinished", j.State, j.Error)
	}
	ids, _ := store.UnfinishedJobs(context.Background())
	found := false
	for _, id := range ids {
		found = found || id == job.ID
	}
	if !found {
		t.Fatalf("job %d is not among the unfinished jobs %v: it would not resume", job.ID, ids)
	}
}
