package ga

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// TestThrottledReadKeepsLastState: a read throttled for one cycle keeps the
// student's last state of that part, marked stale, instead of showing it gone;
// the next good read clears the mark.
func TestThrottledReadKeepsLastState(t *testing.T) {
	for _, op := range []string{"DescribeTargetHealth", "DescribeTargetGroups", "DescribeInstances"} {
		t.Run(op, func(t *testing.T) {
			ctx := context.Background()
			w, clock, tg := originWorld(t)
			throttled := false
			throttle := func(_ context.Context, call cloud.Call) error {
				if throttled && call.Op == op && call.Region == "us-east-1" {
					return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
				}
				return nil
			}
			cache := labs.NewCache()
			cycle := func() *Observation {
				t.Helper()
				clock.Advance(healthEvery) // every cycle reads target health afresh
				fresh, err := w.Clients(ctx, "", "us-east-1")
				if err != nil {
					t.Fatal(err)
				}
				all, err := Observe(ctx, cloud.Intercept(fresh, throttle), cache, []labs.Target{tg})
				if err != nil {
					t.Fatal(err)
				}
				return all[tg.StudentID].(*Observation)
			}
			origin := func(o *Observation) string { // what the grid and the widgets see of it
				or := o.Origins["us-east-1"]
				if or == nil {
					return "no origin"
				}
				return fmt.Sprintf("%s, instance %t, %s", or.targetSummary(), or.Instance != nil, or.TargetGroupArn)
			}
			good := cycle()
			if len(good.StaleParts()) > 0 || good.Origins["us-east-1"] == nil || len(good.Origins["us-east-1"].Targets) != 1 || good.Origins["us-east-1"].Instance == nil {
				t.Fatalf("first cycle: stale %v, origin %s", good.StaleParts(), origin(good))
			}
			throttled = true
			held := cycle()
			if len(held.StaleParts()) != 1 || origin(held) != origin(good) {
				t.Errorf("throttled: stale %v, origin %q, want one stale part and the last origin %q", held.StaleParts(), origin(held), origin(good))
			}
			throttled = false
			if back := cycle(); len(back.StaleParts()) > 0 || origin(back) != origin(good) {
				t.Errorf("recovered: stale %v, origin %q", back.StaleParts(), origin(back))
			}
		})
	}
}
