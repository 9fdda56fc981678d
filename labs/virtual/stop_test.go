package virtual

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestStopWaitsForTheStepUnderWay: Stop returns only once a step already running
// has ended, and no step of the class runs after it — even one RunDue had already
// picked — so a cleanup that plans right after Stop sees a class that holds still.
// Another class's students carry on.
func TestStopWaitsForTheStepUnderWay(t *testing.T) {
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333"})
	r := New(slog.New(slog.NewTextHandler(io.Discard, nil)), world, world, clock.Now)
	entered, release := make(chan struct{}), make(chan struct{})
	var after, other atomic.Int32
	lab := labs.Lab{ID: "t", Script: []labs.Step{
		{Name: "slow", Do: func(ctx context.Context, e *labs.Env) error {
			if e.T.ClassID == "c42" {
				close(entered)
				<-release
			}
			return nil
		}},
		{Name: "next", Do: func(ctx context.Context, e *labs.Env) error {
			if e.T.ClassID == "c42" {
				after.Add(1)
			} else {
				other.Add(1)
			}
			return nil
		}},
	}}
	never := labs.Persona{StuckAfter: -1}
	r.Start(Student{ClassID: "c42", Slug: "s01", Region: "us-east-1", Lab: lab, Persona: never},
		Student{ClassID: "c43", Slug: "s01", Region: "us-east-1", Lab: lab, Persona: never})
	ctx := context.Background()
	clock.Advance(time.Minute)
	r.RunDue(ctx) // provisioning (no template): the slow step is due next
	go r.RunDue(ctx)
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the slow step never started")
	}
	stopped := make(chan struct{})
	go func() { r.Stop("c42"); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Stop returned while the class's step was still running")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return after the step ended")
	}
	for i := 0; i < 3; i++ {
		clock.Advance(time.Minute)
		r.RunDue(ctx)
	}
	if n := after.Load(); n != 0 {
		t.Errorf("%d step(s) of the stopped class ran after Stop", n)
	}
	if other.Load() == 0 {
		t.Error("the other class's student stopped too")
	}
	if p := r.Progress("c42"); len(p) != 0 {
		t.Errorf("the stopped class still has students: %v", p)
	}
}
