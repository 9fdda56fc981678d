package virtual

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestOverlappingPassesRunAStepOnce: a RunDue pass that picks a student whose step
// an earlier pass is still running waits for it and then finds nothing due, instead
// of running the step after the last one (it indexed past the script and panicked
// under -race in CI) or running the step twice.
func TestOverlappingPassesRunAStepOnce(t *testing.T) {
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333"})
	r := New(slog.New(slog.NewTextHandler(io.Discard, nil)), world, world, clock.Now)
	entered, release := make(chan struct{}), make(chan struct{})
	var runs atomic.Int32
	lab := labs.Lab{ID: "t", Script: []labs.Step{{Name: "only", Do: func(ctx context.Context, e *labs.Env) error {
		if runs.Add(1) == 1 {
			close(entered)
			<-release
		}
		return nil
	}}}}
	r.Start(Student{ClassID: "c42", Slug: "s01", Region: "us-east-1", Lab: lab, Persona: labs.Persona{StuckAfter: -1}})
	ctx := context.Background()
	clock.Advance(time.Minute)
	r.RunDue(ctx) // provisioning (no template): the only step is due next
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.RunDue(ctx) }()
	<-entered
	go func() { defer wg.Done(); r.RunDue(ctx) }() // picks the same student, waits for its work lock
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Errorf("the step ran %d times, want once", n)
	}
}
