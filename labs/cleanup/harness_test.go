package cleanup

// The fixture the engine's tests share: one simulated account on a manual clock,
// a SQLite store, classes provisioned by the real provisioner and built by virtual
// students running the Fargate lab, watched by the real monitor (which fills the
// ledger as it does in production).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/monitor"
	"github.com/labdash/labdash/labs/sandbox"
	"github.com/labdash/labdash/labs/virtual"
)

type fixture struct {
	t        testing.TB
	ctx      context.Context
	clock    *sim.ManualClock
	world    *sim.World
	store    *db.Store
	log      *slog.Logger
	registry *labs.Registry
	user     *db.User
	c        *cloud.Clients // us-east-1, unguarded: the test's own view
	counter  *cloud.CallCounter
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	counter := cloud.NewCallCounter(nil, "sim")
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Counter: counter})
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "cleanup.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	if err := store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	c, err := world.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, clock: clock, world: world, store: store, registry: catalog.New(), user: u, c: c, counter: counter,
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// class creates a shared-account class of n students in the Fargate lab and provisions it.
func (f *fixture) class(name string, n int) *db.Class { return f.classWithLabs(name, n, fargate.ID) }

// classWithLabs creates a shared-account class of n students in us-east-1 with
// labs and provisions its sandboxes and the Fargate lab's prerequisites only: the
// other labs are there for what cleanup looks for.
func (f *fixture) classWithLabs(name string, n int, labIDs ...string) *db.Class {
	f.t.Helper()
	c := &db.Class{Name: name, OwnerID: f.user.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: labIDs}
	if err := f.store.CreateClass(f.ctx, c); err != nil {
		f.t.Fatal(err)
	}
	var rows []db.NewStudent
	for i := 1; i <= n; i++ {
		rows = append(rows, db.NewStudent{Name: fmt.Sprintf("%s %d", name, i), Email: fmt.Sprintf("%s%d@example.edu", strings.ToLower(name), i)})
	}
	if _, _, err := f.store.AddStudents(f.ctx, c.ID, rows); err != nil {
		f.t.Fatal(err)
	}
	provisioned := labs.NewRegistry()
	provisioned.Register(fargate.Lab())
	p := &sandbox.Provisioner{Log: f.log, Store: f.store, Registry: provisioned, Provider: f.world,
		Sleep: func(ctx context.Context, d time.Duration) error { f.clock.Advance(d); return nil }}
	job, err := p.Start(f.ctx, c.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := p.Run(f.ctx, job.ID); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// build runs every student of classes through the Fargate lab for 20 simulated
// minutes, with the monitor recording what they made, then stops them.
func (f *fixture) build(classes ...*db.Class) { f.buildFor(20*time.Minute, classes...) }

// buildFor runs every student of classes through each of their labs for d of
// simulated time, with the monitor recording what they made.
func (f *fixture) buildFor(d time.Duration, classes ...*db.Class) {
	f.t.Helper()
	runner := virtual.New(f.log, f.world, f.world, f.clock.Now)
	for _, class := range classes {
		sts, _ := f.store.Students(f.ctx, class.ID)
		for _, id := range class.Labs {
			lab, ok := f.registry.Lab(id)
			if !ok {
				f.t.Fatalf("no lab %s", id)
			}
			for _, st := range sts {
				v := virtual.Student{ClassID: class.ID, Slug: st.Slug, Region: class.Regions[0], Lab: lab, Persona: labs.Persona{Pace: 1, Mistakes: map[string]bool{}, StuckAfter: -1}}
				if id == fargate.ID && class.Isolation == db.IsolationShared {
					// Provisioned with the Fargate lab's policies: its students act as
					// their fenced roles, as on AWS (the other labs only add what cleanup
					// looks for, and their students act as labdash).
					v.Role = sandbox.RoleARN(f.c.Account, class.ID, st.Slug)
				}
				runner.Start(v)
			}
		}
	}
	mon := monitor.New(f.log, f.store, f.registry, f.world, monitor.Options{})
	for elapsed := time.Duration(0); elapsed < d; elapsed += 5 * time.Second {
		f.clock.Advance(5 * time.Second)
		runner.RunDue(f.ctx)
		if elapsed%(30*time.Second) == 0 {
			if err := mon.Cycle(f.ctx); err != nil {
				f.t.Fatal(err)
			}
		}
	}
}

func (f *fixture) planner() *Planner {
	return &Planner{Store: f.store, Provider: f.world, Registry: f.registry}
}

// executor returns an executor whose waits move the manual clock.
func (f *fixture) executor() *Executor {
	return &Executor{Log: f.log, Store: f.store, Provider: f.world, Planner: f.planner(), Sleep: f.sleep}
}

// sleep is the executor's wait on the manual clock: many workers wait at once, so
// each moves the clock to its own wake-up time rather than adding to it; a real
// millisecond lets the others make their attempts at this instant first.
func (f *fixture) sleep(ctx context.Context, d time.Duration) error {
	wake := f.clock.Now().Add(d)
	time.Sleep(time.Millisecond)
	if now := f.clock.Now(); now.Before(wake) {
		f.clock.Advance(wake.Sub(now))
	}
	return ctx.Err()
}

// confirmAndRun plans class, confirms and runs the cleanup to the end.
func (f *fixture) confirmAndRun(x *Executor, class *db.Class) (*Plan, *db.Job) {
	f.t.Helper()
	plan, err := x.Planner.Plan(f.ctx, class.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	job, err := x.Confirm(f.ctx, class.ID, plan.Hash, class.Name)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := x.Run(f.ctx, job.ID); err != nil {
		f.t.Fatal(err)
	}
	done, err := f.store.Job(f.ctx, job.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return plan, done
}

// snapshot is JSON of what read calls return: compared before and after cleanup,
// it proves the decoys untouched byte for byte.
func snapshot(t testing.TB, vs ...any) string {
	t.Helper()
	b, err := json.Marshal(vs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// auditCount counts audit entries of action whose detail contains s.
func (f *fixture) auditCount(classID, action, s string) int {
	f.t.Helper()
	entries, err := f.store.AuditLog(f.ctx, classID, 100000)
	if err != nil {
		f.t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == action && strings.Contains(e.Detail, s) {
			n++
		}
	}
	return n
}

// testRegistry is the catalog the planner reads the classes' labs from.
func testRegistry() *labs.Registry { return catalog.New() }
