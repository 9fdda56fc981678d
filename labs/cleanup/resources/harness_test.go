package resources_test

// The harness every type's tests use: a simulated account on a manual clock, or
// moto; DeleteUntilGone runs a type's Delete through the guard (with only that
// resource in the plan) the way the engine does, until it is gone.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
	"github.com/labdash/labdash/labs/cloud/sim"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const classID = "c7k2q"

var start = time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)

// env is one account and region to test a type in.
type env struct {
	t     *testing.T
	ctx   context.Context
	c     *cloud.Clients
	clock *sim.ManualClock // nil on moto
	world *sim.World       // nil on moto
}

// simEnv is a fresh simulated account 111122223333 in us-east-1 on a manual clock.
func simEnv(t *testing.T) *env {
	t.Helper()
	clock := sim.NewManualClock(start)
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 7})
	c, err := w.Clients(context.Background(), "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: context.Background(), c: c, clock: clock, world: w}
}

// motoEnv is moto, wiped, in us-east-1 (skips, or fails under CI, without moto).
func motoEnv(t *testing.T) *env {
	t.Helper()
	awstest.Reset(t)
	p := awstest.NewProvider(t, awsprovider.Options{})
	c, err := p.Clients(context.Background(), "", awstest.Region)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: context.Background(), c: c}
}

// clients returns e's clients for another region of the same account.
func (e *env) region(name string) *cloud.Clients {
	e.t.Helper()
	if e.world == nil {
		p := awstest.NewProvider(e.t, awsprovider.Options{})
		c, err := p.Clients(e.ctx, "", name)
		if err != nil {
			e.t.Fatal(err)
		}
		return c
	}
	c, err := e.world.Clients(e.ctx, "", name)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// wait lets time pass: the manual clock moves on the simulator; moto is static.
func (e *env) wait(d time.Duration) {
	if e.clock != nil {
		e.clock.Advance(d)
	}
}

// DeleteUntilGone deletes r as the engine would, through the guard with only r in
// the plan: it calls Delete until it reports gone, letting 10 s pass after each
// Waiting or retryable answer, and fails the test on a refusal, a terminal error or
// after max attempts. It returns the number of attempts.
func (e *env) DeleteUntilGone(c *cloud.Clients, r resources.Ref, max int) int {
	e.t.Helper()
	t, ok := resources.Lookup(r.Type)
	if !ok {
		e.t.Fatalf("type %s is not registered", r.Type)
	}
	var refused []*resources.Refused
	g := cloud.Intercept(c, resources.Guard([]resources.Ref{r}, func(x *resources.Refused) { refused = append(refused, x) }))
	for i := 1; i <= max; i++ {
		err := t.Delete(e.ctx, g, r)
		if len(refused) > 0 {
			e.t.Fatalf("the guard refused %s's own deletion: %v", r.ARN, refused[0])
		}
		switch {
		case err == nil || errors.Is(err, resources.ErrGone):
			return i
		case errors.Is(err, resources.ErrWaiting), retryable(err):
			e.wait(10 * time.Second)
		default:
			e.t.Fatalf("delete %s (attempt %d): %v", r.ARN, i, err)
		}
	}
	e.t.Fatalf("%s not gone after %d attempts", r.ARN, max)
	return max
}

// judge runs t's lister through c and decides what it found as a plan does
// (cleanup.JudgeListed): the lister only enumerates, the one decision judges.
func judge(ctx context.Context, t resources.Type, c *cloud.Clients, s resources.Scope) ([]cleanup.Item, error) {
	found, err := t.List(ctx, c, s)
	if err != nil {
		return nil, err
	}
	return cleanup.JudgeListed(ctx, t, c, s, found), nil
}

// own adds what items the decision proved the class's to s.Owned, as a plan does
// before it lists their children.
func own(s resources.Scope, items []cleanup.Item) {
	for _, it := range items {
		if it.Proof != "" {
			s.Owned[it.ARN] = it.Ref
		}
	}
}

// retryable is the engine's retry-later class (cleanup.classify), for the harness.
func retryable(err error) bool {
	switch resources.ErrorCode(err) {
	case "DependencyViolation", "ResourceInUse", "ResourceInUseException", "InvalidStateException", "PriorRequestNotComplete",
		"AcceleratorNotDisabledException", "AssociatedListenerFoundException", "AssociatedEndpointGroupFoundException", "DeleteConflict":
		return true
	}
	return false
}

// Gone asserts that Delete of r now reports it gone without touching anything:
// running cleanup twice is harmless.
func (e *env) Gone(c *cloud.Clients, r resources.Ref) {
	e.t.Helper()
	t, _ := resources.Lookup(r.Type)
	if err := t.Delete(e.ctx, cloud.Intercept(c, resources.Guard([]resources.Ref{r}, nil)), r); err != nil && !errors.Is(err, resources.ErrGone) {
		e.t.Fatalf("second delete of %s: %v, want gone", r.ARN, err)
	}
}
