package route53

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// TestThrottledReadsKeepTheLastState: Route 53 and Elastic Load Balancing
// answering Throttling keep the last records, load balancer and answer, and name
// the parts stale (labs.Staler), so the grid shows the cell stale, not the
// student's record gone; once the throttling stops, the parts are fresh again.
func TestThrottledReadsKeepTheLastState(t *testing.T) {
	c, clock, _, targets := classOf(t, 3)
	ctx := context.Background()
	cache := labs.NewCache()
	check := func(c *cloud.Clients, wantStale ...string) {
		t.Helper()
		all, err := Observe(ctx, c, cache, targets)
		if err != nil {
			t.Fatal(err)
		}
		o := all[targets[1].StudentID].(*Observation)
		for _, p := range wantStale {
			if !slices.Contains(o.StaleParts(), p) {
				t.Errorf("stale parts %v lack %q", o.StaleParts(), p)
			}
		}
		if len(wantStale) == 0 && len(o.StaleParts()) > 0 {
			t.Errorf("stale parts %v on a clean read", o.StaleParts())
		}
		if r := checkAlias(o); r.Status != labs.Pass {
			t.Errorf("alias with stale parts %v: %s %s", o.StaleParts(), r.Status, r.Evidence)
		}
	}
	check(c)
	throttled := cloud.Intercept(c, func(_ context.Context, call cloud.Call) error {
		switch call.Op {
		case "ListResourceRecordSets", "ListHostedZones", "DescribeLoadBalancers", "DescribeTargetGroups", "TestDNSAnswer":
			return &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
		}
		return nil
	})
	clock.Advance(6 * time.Minute) // every cadence due: zone, records, answers
	check(throttled, "records", "zone", "load balancer")
	clock.Advance(time.Minute)
	check(c)
}
