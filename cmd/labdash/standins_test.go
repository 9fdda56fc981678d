package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/sandbox"
)

// standInWorld is a database with one instructor and two rehearsal classes of three
// students each (Fargate, shared account), and a way to start a live stack on it as
// a fresh process would.
type standInWorld struct {
	t                *testing.T
	store            *db.Store
	cleaned, running *db.Class
}

func newStandInWorld(t *testing.T) *standInWorld {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "standins.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor, PasswordHash: "x"}
	if err := store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	w := &standInWorld{t: t, store: store}
	for _, c := range []**db.Class{&w.cleaned, &w.running} {
		*c = &db.Class{Name: "Rehearsal", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
		if err := store.CreateClass(ctx, *c); err != nil {
			t.Fatal(err)
		}
		if _, _, err := store.AddStudents(ctx, (*c).ID, []db.NewStudent{
			{Name: "Ada", Email: "ada@example.edu"}, {Name: "Bea", Email: "bea@example.edu"}, {Name: "Cal", Email: "cal@example.edu"}}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// job records a finished job of kind for class, as a previous process left it.
func (w *standInWorld) job(class *db.Class, kind, state string) {
	w.t.Helper()
	j, err := w.store.CreateScopedJob(context.Background(), class.ID, kind, "", nil)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.store.FinishJob(context.Background(), j.ID, state, "", ""); err != nil {
		w.t.Fatal(err)
	}
}

// boot starts the live stack as `labdash serve` does after a restart, and runs one
// sync (the loop would within 2 s).
func (w *standInWorld) boot() *liveStack {
	w.t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := prometheus.NewRegistry()
	registry := catalog.New()
	srv, err := handlers.New(ctx, log, w.store, registry, handlers.Config{Cloud: "sim"}, reg, reg)
	if err != nil {
		w.t.Fatal(err)
	}
	ls, err := startLive(ctx, log, w.store, registry, Config{Cloud: "sim", SimSpeed: 50, MonitorInterval: time.Second}, reg, srv)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { ls.Close(10 * time.Second) }) // before the store closes
	if err := ls.sync(ctx); err != nil {
		w.t.Fatal(err)
	}
	return ls
}

// TestCleanedUpClassStaysPausedAfterARestart: a class whose cleanup finished before
// a restart used to get its virtual students back at the first sync, and they
// rebuilt what the cleanup had deleted (103 → 130 resources in 10 s). They stay
// stopped until the class is provisioned again; other classes carry on.
func TestCleanedUpClassStaysPausedAfterARestart(t *testing.T) {
	w := newStandInWorld(t)
	w.job(w.cleaned, sandbox.JobKind, db.JobDone)
	w.job(w.cleaned, cleanup.JobKind, db.JobDone)
	w.job(w.running, sandbox.JobKind, db.JobDone)

	ls := w.boot()
	if got := ls.runner.Progress(w.cleaned.ID); len(got) != 0 {
		t.Fatalf("after a restart the cleaned-up class has %d virtual students running: %v", len(got), got)
	}
	if got := ls.runner.Progress(w.running.ID); len(got) != 3 {
		t.Fatalf("the class not cleaned up has %d virtual students, want 3", len(got))
	}
	// Later syncs keep it paused too.
	for i := 0; i < 3; i++ {
		if err := ls.sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := ls.runner.Progress(w.cleaned.ID); len(got) != 0 {
		t.Fatalf("a later sync restarted %d virtual students of the cleaned-up class", len(got))
	}
	// Provisioning the class again is starting rehearsal again.
	if _, err := ls.StartProvisioning(context.Background(), w.cleaned.ID); err != nil {
		t.Fatal(err)
	}
	if err := ls.sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := ls.runner.Progress(w.cleaned.ID); len(got) != 3 {
		t.Fatalf("after provisioning again: %d virtual students, want 3", len(got))
	}
}

// TestCleanupUnderWayStaysPausedAfterARestart: a cleanup the restart interrupted
// (resumed at boot) must not race its class's virtual students either.
func TestCleanupUnderWayStaysPausedAfterARestart(t *testing.T) {
	w := newStandInWorld(t)
	w.job(w.cleaned, sandbox.JobKind, db.JobDone)
	w.job(w.cleaned, cleanup.JobKind, db.JobFailed)
	ls := w.boot()
	if got := ls.runner.Progress(w.cleaned.ID); len(got) != 0 {
		t.Fatalf("a class whose cleanup was confirmed has %d virtual students after a restart", len(got))
	}
}

// TestRemovedStudentsStandInsStop: a removed student's virtual stand-in used to run
// until the next restart (4,504 removed students: 54 % CPU, 940 MB). StopStudent
// (the console's and the API's removal) stops it at once, and the sync stops any a
// removal elsewhere left (a deleted class, a student removed from the database).
func TestRemovedStudentsStandInsStop(t *testing.T) {
	w := newStandInWorld(t)
	ls := w.boot()
	ctx := context.Background()
	sts, err := w.store.Students(ctx, w.running.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := ls.runner.Progress(w.running.ID); len(got) != 3 {
		t.Fatalf("virtual students at start: %d, want 3", len(got))
	}
	// At once, without waiting for a sync.
	if err := w.store.RemoveStudent(ctx, w.running.ID, sts[0].Slug); err != nil {
		t.Fatal(err)
	}
	ls.StopStudent(w.running.ID, sts[0].Slug)
	got := ls.runner.Progress(w.running.ID)
	if _, still := got[sts[0].Slug]; still || len(got) != 2 {
		t.Fatalf("after StopStudent(%s): %v; want the two others only", sts[0].Slug, got)
	}
	// Removed some other way: the next sync stops it.
	if err := w.store.RemoveStudent(ctx, w.running.ID, sts[1].Slug); err != nil {
		t.Fatal(err)
	}
	if err := ls.sync(ctx); err != nil {
		t.Fatal(err)
	}
	got = ls.runner.Progress(w.running.ID)
	if _, still := got[sts[1].Slug]; still || len(got) != 1 {
		t.Fatalf("after a sync: %v; want only %s", got, sts[2].Slug)
	}
	// A deleted class's stand-ins stop too.
	before := ls.runner.Running()
	if err := w.store.DeleteClass(ctx, w.cleaned.ID); err != nil {
		t.Fatal(err)
	}
	if err := ls.sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ls.runner.Progress(w.cleaned.ID); len(got) != 0 || ls.runner.Running() != before-3 {
		t.Fatalf("a deleted class keeps %d virtual students (runner: %d, was %d)", len(got), ls.runner.Running(), before)
	}
}
