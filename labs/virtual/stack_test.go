package virtual

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// throttledStacks is a provider whose DescribeStacks is throttled while on is set.
type throttledStacks struct {
	*sim.World
	on *bool
}

func (p throttledStacks) Clients(ctx context.Context, account, region string) (*cloud.Clients, error) {
	c, err := p.World.Clients(ctx, account, region)
	if err != nil {
		return nil, err
	}
	return cloud.Intercept(c, func(_ context.Context, call cloud.Call) error {
		if *p.on && call.Op == "DescribeStacks" {
			return &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
		}
		return nil
	}), nil
}

// TestThrottledStackReadIsNotAMissingStack: a virtual student whose DescribeStacks
// is throttled waits and asks again; it never takes the error for "no stack" and
// calls CreateStack (on AWS a second CreateStack of a live stack fails, and one of a
// stack mid-deletion would race it). Once the reads answer, the student goes on.
func TestThrottledStackReadIsNotAMissingStack(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	counter := cloud.NewCallCounter(nil, "sim")
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Counter: counter})
	on := false
	r := New(slog.New(slog.NewTextHandler(io.Discard, nil)), throttledStacks{world, &on}, world, clock.Now)
	r.Start(Student{ClassID: "c42", Slug: "s01", Region: "us-east-1", Lab: fargate.Lab(), Persona: labs.Persona{Pace: 1, StuckAfter: -1}})
	step := func(n int) {
		for range n {
			clock.Advance(5 * time.Second)
			r.RunDue(ctx)
		}
	}
	for i := 0; i < 100 && counter.Count("cloudformation", "CreateStack") == 0; i++ {
		step(1) // until the student creates the stack
	}
	if got := counter.Count("cloudformation", "CreateStack"); got != 1 {
		t.Fatalf("%d CreateStack calls before the throttling, want 1", got)
	}
	on = true
	step(20) // 100 s: three failed reads, under the five a student tolerates
	if got := counter.Count("cloudformation", "CreateStack"); got != 1 {
		t.Errorf("%d CreateStack calls after DescribeStacks was throttled, want still 1", got)
	}
	on = false
	step(120)
	if got := counter.Count("cloudformation", "CreateStack"); got != 1 {
		t.Errorf("%d CreateStack calls in all, want 1", got)
	}
	if p := r.Progress("c42")["s01"]; p == "provisioning" || p == "stuck" {
		t.Errorf("after the reads answer again the student is %q, want past provisioning", p)
	}
}
