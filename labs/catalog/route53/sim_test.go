package route53

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// walk runs a student's script steps from..to (inclusive), advancing the clock
// while a step answers ErrNotYet; it returns the first other error.
func walk(ctx context.Context, t *testing.T, clock *sim.ManualClock, lab labs.Lab, e *labs.Env, from, to int) error {
	t.Helper()
	for i := from; i <= to; i++ {
		for try := 0; ; try++ {
			err := lab.Script[i].Do(ctx, e)
			if err == nil {
				break
			}
			if try == 200 || err != labs.ErrNotYet && !isNotYet(err) {
				return fmt.Errorf("step %q: %w", lab.Script[i].Name, err)
			}
			clock.Advance(5 * time.Second)
		}
	}
	return nil
}

func isNotYet(err error) bool {
	for ; err != nil; err = unwrap(err) {
		if err == labs.ErrNotYet {
			return true
		}
	}
	return false
}

func unwrap(err error) error {
	u, ok := err.(interface{ Unwrap() error })
	if !ok {
		return nil
	}
	return u.Unwrap()
}

// TestLabOnTheSimulator deploys three students' prerequisite stacks through
// labs.CreatePrereqStack (the class zone made once, by the first), runs their
// scripts — one makes the plain-A mistake, one names the record web.… — and
// judges each checkpoint from Observe after the alias step and after the CNAME.
func TestLabOnTheSimulator(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	counter := cloud.NewCallCounter(nil, "sim")
	w := sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 3})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	lab := Lab()
	students := map[string]map[string]bool{"s01": {}, "s02": {mistakeIPRecord: true}, "s03": {mistakeWrongName: true}}
	var targets []labs.Target
	envs := map[string]*labs.Env{}
	for _, s := range []string{"s01", "s02", "s03"} {
		tg := labs.NewTarget("c42", s, "111122223333", "us-east-1")
		targets = append(targets, tg)
		if _, err := labs.CreatePrereqStack(ctx, c, lab, tg); err != nil {
			t.Fatal(err)
		}
		envs[s] = &labs.Env{C: c, T: tg, Persona: &labs.Persona{Mistakes: students[s]}, Memo: map[string]string{}}
	}
	zones, _ := c.Route53.ListHostedZones(ctx, nil)
	if n := len(zones.HostedZones); n != 1 {
		t.Fatalf("%d hosted zones after three stacks, want the one class zone", n)
	}
	clock.Advance(5 * time.Minute)
	for s, e := range envs {
		out, err := labs.StackOutputs(ctx, c, lab.StackName(e.T.Prefix, "us-east-1"))
		if err != nil {
			t.Fatalf("%s stack: %v", s, err)
		}
		e.Stack = out
	}
	cache := labs.NewCache()
	observe := func() map[string]labs.Observation {
		t.Helper()
		clock.Advance(time.Minute)
		all, err := lab.Observe(ctx, c, cache, targets)
		if err != nil {
			t.Fatal(err)
		}
		return all
	}
	status := func(all map[string]labs.Observation, s, id string) labs.Result {
		for _, cp := range lab.Checkpoints {
			if cp.ID == id {
				return cp.Check(all[s])
			}
		}
		t.Fatalf("no checkpoint %s", id)
		return labs.Result{}
	}
	for s, e := range envs {
		if err := walk(ctx, t, clock, lab, e, 0, 3); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	all := observe()
	for _, want := range []struct {
		s, id string
		st    labs.Status
	}{
		{"s01", "target-healthy", labs.Pass}, {"s01", "alias-record", labs.Pass}, {"s01", "alias-answers", labs.Pass}, {"s01", "cname-record", labs.Pending},
		{"s02", "alias-record", labs.Fail}, {"s02", "alias-answers", labs.Pending},
		{"s03", "alias-record", labs.Pending}, {"s01", "apex-alias", labs.Pending},
	} {
		if r := status(all, want.s, want.id); r.Status != want.st {
			t.Errorf("after the alias: %s %s = %s (%s), want %s", want.s, want.id, r.Status, r.Evidence, want.st)
		}
	}
	if v := viewDNS(all["s01"], nil).DNS; v == nil || v.Kind != "alias" || len(v.Steps) != 1 || !v.Traced || v.Steps[0].TTL != 60 {
		t.Errorf("s01's panel after the alias: %+v", v)
	}
	for s, e := range envs {
		if err := walk(ctx, t, clock, lab, e, 4, 6); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	all = observe()
	for _, want := range []struct {
		s, id string
		st    labs.Status
	}{
		{"s01", "alias-record", labs.Pass}, {"s01", "alias-answers", labs.Pass}, {"s01", "cname-record", labs.Pass}, {"s01", "cname-answers", labs.Pass},
		{"s02", "alias-record", labs.Fail}, {"s02", "cname-record", labs.Pass}, {"s03", "cname-record", labs.Pending},
	} {
		if r := status(all, want.s, want.id); r.Status != want.st {
			t.Errorf("after the CNAME: %s %s = %s (%s), want %s", want.s, want.id, r.Status, r.Evidence, want.st)
		}
	}
	v := viewDNS(all["s01"], nil).DNS
	if v == nil || v.Kind != "CNAME" || len(v.Steps) != 2 || v.Steps[0].TTL != 300 || v.Steps[1].TTL != 60 {
		t.Errorf("s01's panel after the CNAME: %+v", v)
	}
	// A quiet cycle: records are listed again only after 30 s, and nothing is
	// asked of TestDNSAnswer for records that did not change.
	before := counter.Count("route53", "TestDNSAnswer")
	clock.Advance(10 * time.Second)
	if _, err := lab.Observe(ctx, c, cache, targets); err != nil {
		t.Fatal(err)
	}
	if n := counter.Count("route53", "TestDNSAnswer") - before; n != 0 {
		t.Errorf("%d TestDNSAnswer calls for unchanged records", n)
	}
}
