package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers"
	"github.com/labdash/labdash/labs/catalog"
)

// TestDemoClassSeedAndReset: on an empty database the demo class waits for the first
// instructor, then appears with 12 virtual students; a reset replaces it whole.
func TestDemoClassSeedAndReset(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := prometheus.NewRegistry()
	registry := catalog.New()
	srv, err := handlers.New(ctx, log, store, registry, handlers.Config{Cloud: "sim"}, reg, reg)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Cloud: "sim", Demo: true, SimSpeed: 50, MonitorInterval: 200 * time.Millisecond}
	ls, err := startLive(ctx, log, store, registry, cfg, reg, srv)
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close(10 * time.Second) // before store.Close: nothing writes to a closed store
	if err := ls.sync(ctx); err != nil {
		t.Fatal(err)
	}
	if classes, _ := store.AllClasses(ctx); len(classes) != 0 {
		t.Fatalf("a demo class appeared before any instructor: %d", len(classes))
	}
	if err := store.CreateUser(ctx, &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := ls.sync(ctx); err != nil {
		t.Fatal(err)
	}
	classes, _ := store.AllClasses(ctx)
	if len(classes) != 1 || classes[0].Students != demoStudents {
		t.Fatalf("demo class = %+v", classes)
	}
	// Its labs are the registry's Demo labs, in Order.
	var want []string
	for _, l := range registry.All() {
		if l.Demo {
			want = append(want, l.ID)
		}
	}
	if len(want) == 0 || !slices.Equal(classes[0].Labs, want) {
		t.Fatalf("demo class labs = %v, want the Demo labs %v", classes[0].Labs, want)
	}
	demo := classes[0].ID
	if progress := ls.runner.Progress(demo); len(progress) != demoStudents {
		t.Fatalf("virtual students running: %d, want %d", len(progress), demoStudents)
	}
	// The monitor reports live state for the demo within a few cycles.
	eventually(t, 10*time.Second, func() bool { return len(ls.mon.ClassSnapshot(demo)) >= demoStudents }, "the monitor to report every student of the demo")
	if n := len(ls.mon.ClassSnapshot(demo)); n != demoStudents {
		t.Fatalf("monitor has %d students of the demo, want %d", n, demoStudents)
	}
	// A second sync neither duplicates the demo nor its virtual students.
	if err := ls.sync(ctx); err != nil {
		t.Fatal(err)
	}
	if classes, _ := store.AllClasses(ctx); len(classes) != 1 {
		t.Fatalf("classes after a second sync: %d", len(classes))
	}
	fresh, err := ls.ResetDemo(ctx, demo)
	if err != nil || fresh == demo {
		t.Fatalf("reset: %q, %v", fresh, err)
	}
	if _, err := store.Class(ctx, demo); err == nil {
		t.Fatal("the old demo class survived the reset")
	}
	if len(ls.runner.Progress(demo)) != 0 || len(ls.mon.ClassSnapshot(demo)) != 0 {
		t.Fatal("the old demo's virtual students or monitor state survived the reset")
	}
	if c, err := store.Class(ctx, fresh); err != nil || c.Students != demoStudents {
		t.Fatalf("fresh demo: %+v, %v", c, err)
	}
	if v, _ := store.Setting(ctx, "demo_class"); v != fresh {
		t.Fatalf("demo_class setting = %q, want %q", v, fresh)
	}
}

// TestSetupLandsOnTheDemo: the first instructor's set-up link on a new database
// ends on a class list that already has the demo class (it used to say "No
// classes yet" until the sync loop's next tick, a second or two later).
func TestSetupLandsOnTheDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := prometheus.NewRegistry()
	registry := catalog.New()
	srv, err := handlers.New(ctx, log, store, registry, handlers.Config{Cloud: "sim", BcryptCost: bcrypt.MinCost}, reg, reg)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := startLive(ctx, log, store, registry, Config{Cloud: "sim", Demo: true, SimSpeed: 50, MonitorInterval: 200 * time.Millisecond}, reg, srv)
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close(10 * time.Second)
	token, err := store.CreateInvite(ctx, db.Invite{Role: db.RoleInstructor}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	page, err := client.Get(ts.URL + "/setup/" + token)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on the set-up page (%d)", page.StatusCode)
	}
	res, err := client.PostForm(ts.URL+"/setup/"+token, url.Values{"csrf_token": {string(m[1])}, "email": {"ana@example.edu"}, "name": {"Ana"},
		"password": {"correct horse battery"}, "confirm": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), demoName) || strings.Contains(string(body), "No classes yet") {
		t.Fatalf("first page after set-up (%d, %s) does not list the demo class:\n%.800s", res.StatusCode, res.Request.URL.Path, body)
	}
}
