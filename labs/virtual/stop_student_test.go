package virtual

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// countingLab is a lab whose every step records which student ran it.
func countingLab(id string, ran *sync.Map) labs.Lab {
	step := func(ctx context.Context, e *labs.Env) error {
		n, _ := ran.LoadOrStore(e.T.ClassID+"/"+e.T.StudentID, new(int))
		*n.(*int)++
		return nil
	}
	var script []labs.Step
	for i := 0; i < 50; i++ {
		script = append(script, labs.Step{Name: "step", Do: step, Think: time.Second})
	}
	return labs.Lab{ID: id, Script: script}
}

func steps(ran *sync.Map, key string) int {
	if n, ok := ran.Load(key); ok {
		return *n.(*int)
	}
	return 0
}

// TestStopStudentStopsOnlyThatStudent: a removed student's stand-ins (in every lab)
// stop at once; their classmates and other classes carry on.
func TestStopStudentStopsOnlyThatStudent(t *testing.T) {
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333"})
	r := New(slog.New(slog.NewTextHandler(io.Discard, nil)), world, world, clock.Now)
	var ran sync.Map
	never := labs.Persona{StuckAfter: -1}
	a, b := countingLab("a", &ran), countingLab("b", &ran)
	r.Start(
		Student{ClassID: "c1", Slug: "s01", Region: "us-east-1", Lab: a, Persona: never},
		Student{ClassID: "c1", Slug: "s01", Region: "us-east-1", Lab: b, Persona: never},
		Student{ClassID: "c1", Slug: "s02", Region: "us-east-1", Lab: a, Persona: never},
		Student{ClassID: "c2", Slug: "s01", Region: "us-east-1", Lab: a, Persona: never},
	)
	ctx := context.Background()
	tick := func() {
		for i := 0; i < 5; i++ {
			clock.Advance(time.Minute)
			r.RunDue(ctx)
		}
	}
	tick()
	r.StopStudent("c1", "s01")
	if got := r.Progress("c1"); len(got) != 1 || got["s02"] == "" {
		t.Fatalf("progress after removing s01: %v; want only s02", got)
	}
	if err := r.Act(ctx, "c1", "s01", "a", "anything"); err != ErrNoSuchAction {
		t.Fatalf("an action on a removed student: %v", err)
	}
	before := map[string]int{"c1/s01": steps(&ran, "c1/s01"), "c1/s02": steps(&ran, "c1/s02"), "c2/s01": steps(&ran, "c2/s01")}
	tick()
	if n := steps(&ran, "c1/s01"); n != before["c1/s01"] {
		t.Errorf("the removed student ran %d more steps", n-before["c1/s01"])
	}
	for _, k := range []string{"c1/s02", "c2/s01"} {
		if steps(&ran, k) <= before[k] {
			t.Errorf("%s stopped too", k)
		}
	}
	if n := r.Running(); n != 2 {
		t.Errorf("runner holds %d stand-ins, want 2", n)
	}
}

// TestStopUnlessDropsStandInsNoRosterHolds: thousands of stand-ins of removed
// students are dropped in one call, the ones kept go on.
func TestStopUnlessDropsStandInsNoRosterHolds(t *testing.T) {
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333"})
	r := New(slog.New(slog.NewTextHandler(io.Discard, nil)), world, world, clock.Now)
	var ran sync.Map
	lab := countingLab("a", &ran)
	var all []Student
	for i := 0; i < 4504; i++ {
		all = append(all, Student{ClassID: "c1", Slug: fmt.Sprintf("s%04d", i), Region: "us-east-1", Lab: lab, Persona: labs.Persona{StuckAfter: -1}})
	}
	all = append(all, Student{ClassID: "c1", Slug: "kept", Region: "us-east-1", Lab: lab, Persona: labs.Persona{StuckAfter: -1}})
	r.Start(all...)
	if n := r.StopUnless(func(classID, slug string) bool { return slug == "kept" }); n != 4504 {
		t.Fatalf("StopUnless dropped %d, want 4504", n)
	}
	if got := r.Progress("c1"); len(got) != 1 || got["kept"] == "" {
		t.Fatalf("left running: %d stand-ins", len(got))
	}
}
