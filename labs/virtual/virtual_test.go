package virtual

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// outcome is a student's checkpoints as the monitor sees them: the latest result and
// whether it ever passed (transient checkpoints such as "alarm fires" pass and then clear).
type outcome struct {
	last   map[string]labs.Result
	ever   map[string]bool
	failed map[string]labs.Result // the latest failing result, if any
}

// runStudents plays personas through the Fargate lab on a manual clock for simulated
// duration d, judging every checkpoint each simulated half minute.
func runStudents(t *testing.T, personas map[string]labs.Persona, d time.Duration) map[string]outcome {
	t.Helper()
	ctx := context.Background()
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 3})
	r := New(slog.New(slog.NewTextHandler(io.Discard, nil)), world, world, clock.Now)
	lab := fargate.Lab()
	var targets []labs.Target
	out := map[string]outcome{}
	for slug, p := range personas {
		r.Start(Student{ClassID: "c42", Slug: slug, Region: "us-east-1", Lab: lab, Persona: p})
		targets = append(targets, labs.NewTarget("c42", slug, "", "us-east-1"))
		out[slug] = outcome{last: map[string]labs.Result{}, ever: map[string]bool{}, failed: map[string]labs.Result{}}
	}
	c, err := world.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	cache := labs.NewCache() // the monitor's memory of this group
	for elapsed := time.Duration(0); elapsed < d; elapsed += 5 * time.Second {
		clock.Advance(5 * time.Second)
		r.RunDue(ctx)
		if elapsed%(30*time.Second) != 0 {
			continue
		}
		obs, err := lab.Observe(ctx, c, cache, targets)
		if err != nil {
			t.Fatal(err)
		}
		for slug, o := range obs {
			for _, cp := range lab.Checkpoints {
				res := cp.Check(o)
				out[slug].last[cp.ID] = res
				switch res.Status {
				case labs.Pass:
					out[slug].ever[cp.ID] = true
				case labs.Fail:
					out[slug].failed[cp.ID] = res
				}
			}
		}
	}
	t.Logf("virtual students: %v", r.Progress("c42"))
	return out
}

// TestVirtualStudentsOnTheSimulator: a careful student passes every required checkpoint
// on the simulated AWS; the usual mistakes fail the checkpoint they break, with evidence.
func TestVirtualStudentsOnTheSimulator(t *testing.T) {
	none := func() labs.Persona { return labs.Persona{Pace: 1, Mistakes: map[string]bool{}, StuckAfter: -1} }
	wrongPort := none()
	wrongPort.Mistakes["wrong-port"] = true
	noMinMax := none()
	noMinMax.Mistakes["no-min-max"] = true
	noLoad := none()
	noLoad.Mistakes["no-load"] = true
	stuck := none()
	stuck.StuckAfter = 3
	res := runStudents(t, map[string]labs.Persona{"s01": none(), "s02": wrongPort, "s03": noMinMax, "s04": noLoad, "s05": stuck}, 40*time.Minute)

	for _, cp := range fargate.Lab().Checkpoints {
		if !cp.Optional && !res["s01"].ever[cp.ID] {
			r := res["s01"].last[cp.ID]
			t.Errorf("careful student never passed %s: last %s (%s)", cp.ID, r.Status, r.Evidence)
		}
	}
	expect := []struct {
		slug, checkpoint string
		status           labs.Status
		evidence         string
	}{
		{"s02", "healthy", labs.Fail, "Target."},
		{"s02", "taskdef", labs.Pass, ""},
		{"s03", "policy", labs.Fail, "min 2 and max 2"},
		{"s04", "alarm", labs.Pending, "AlarmHigh is"},
		{"s04", "policy", labs.Pass, ""},
		{"s05", "alb", labs.Pending, ""},
		{"s05", "cluster", labs.Pass, ""},
	}
	for _, e := range expect {
		r := res[e.slug].last[e.checkpoint]
		if e.status == labs.Fail {
			r = res[e.slug].failed[e.checkpoint] // a mistake shows as a failure at some point, with its cause
		}
		if r.Status != e.status || !strings.Contains(r.Evidence, e.evidence) {
			t.Errorf("%s %s: %s %q; want %s mentioning %q", e.slug, e.checkpoint, r.Status, r.Evidence, e.status, e.evidence)
		}
	}
}
