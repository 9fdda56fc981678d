package route53

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/internal/testenv"
)

// classOf builds n students on the simulator: an ALB and a target group each,
// and every student's alias in the class zone.
func classOf(t testing.TB, n int) (*cloud.Clients, *sim.ManualClock, *cloud.CallCounter, []labs.Target) {
	t.Helper()
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	counter := cloud.NewCallCounter(nil, "sim")
	w := sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 5})
	c, _ := w.Clients(ctx, "", "us-east-1")
	vpc, subnets := w.ClassVPC("", "us-east-1")
	w.SetQuota("111122223333", "us-east-1", "elasticloadbalancing", "L-53DA6B97", float64(n+10))
	zid, err := ensureZone(ctx, c, classZone("c42"), "c42", "shared")
	if err != nil {
		t.Fatal(err)
	}
	var targets []labs.Target
	var changes []r53types.Change
	for i := 1; i <= n; i++ {
		tg := labs.NewTarget("c42", fmt.Sprintf("s%04d", i), "111122223333", "us-east-1")
		targets = append(targets, tg)
		lb, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(lbName(tg)), Subnets: subnets})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(tgName(tg)), Protocol: "HTTP", Port: aws.Int32(80), VpcId: aws.String(vpc)}); err != nil {
			t.Fatal(err)
		}
		changes = append(changes, r53types.Change{Action: r53types.ChangeActionUpsert,
			ResourceRecordSet: newRecord(tg, aws.ToString(lb.LoadBalancers[0].DNSName), aws.ToString(lb.LoadBalancers[0].CanonicalHostedZoneId), false)})
	}
	// Route 53 takes 1,000 changes a batch; batches of 100 keep each one's
	// CloudTrail event under the simulator's 100 KiB requestParameters bound, so
	// the change feed attributes them (a 1,000-alias batch records null).
	for i := 0; i < len(changes); i += perBatch {
		clock.Advance(time.Second)
		if _, err := c.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zid),
			ChangeBatch: &r53types.ChangeBatch{Changes: changes[i:min(i+perBatch, len(changes))]}}); err != nil {
			t.Fatal(err)
		}
	}
	return c, clock, counter, targets
}

// perBatch is classOf's changes per ChangeResourceRecordSets call.
const perBatch = 100

// calls is the AWS API calls counted since before, by service:operation (the
// simulator's own resolver, which is not an AWS call, left out).
func calls(counter *cloud.CallCounter, before map[string]int64) (map[string]int64, int64) {
	out, total := map[string]int64{}, int64(0)
	for k, v := range counter.Snapshot() {
		if d := v - before[k]; d > 0 && !strings.HasPrefix(k, "dns:") {
			out[k] = d
			total += d
		}
	}
	return out, total
}

// TestCallsPerCycle counts one cold cycle (nothing cached) and one warm cycle
// (10 s later) at 500 and 2,000 students against the batching lower bound:
// DescribeLoadBalancers and DescribeTargetGroups 20 names a call,
// DescribeTargetHealth one per target group (no batch form), ListHostedZones
// once, ListResourceRecordSets 300 records a page, and TestDNSAnswer (no batch
// form) within its budget a cycle, and the change feed: LookupEvents 50 events a
// page (the class's change batches: one per 100 records here) when due every
// 30 s, and GetChange once per distinct change batch still PENDING, within
// changeChecks a cycle (no batch form). Warm, the ALB and target-group reads recur,
// the students not asked yet are asked, a budget's worth, and the batches still
// PENDING are asked again; CloudTrail is not due. The figures are in docs/benchmarks.md.
func TestCallsPerCycle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 2,000 students")
	}
	for _, n := range []int{500, 2000} {
		if n > 500 && testenv.Race { // the counts do not change under the race detector; its time does
			continue
		}
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			c, clock, counter, targets := classOf(t, n)
			cache := labs.NewCache()
			ctx := context.Background()
			records := n + 2 // theirs, and the zone's SOA and NS
			batches := (n + 19) / 20
			changeBatches := (n + perBatch - 1) / perBatch // classOf's ChangeResourceRecordSets calls, PENDING for 20–60 s
			feed := (changeBatches+49)/50 + min(changeBatches, changeChecks)
			bound := map[string]int64{"cold": int64(2*batches + n + 1 + (records+299)/300 + min(n, answerBudget) + feed),
				"warm": int64(2*batches + min(n-answerBudget, answerBudget) + min(changeBatches, changeChecks))}
			for _, phase := range []string{"cold", "warm"} {
				before := counter.Snapshot()
				if _, err := Observe(ctx, c, cache, targets); err != nil {
					t.Fatal(err)
				}
				by, total := calls(counter, before)
				ratio := float64(total) / float64(bound[phase])
				t.Logf("%d students, %s cycle: %d calls, lower bound %d (%.2f×): %v", n, phase, total, bound[phase], ratio, by)
				if ratio > 1.2 {
					t.Errorf("%d students, %s cycle: %d calls, more than 1.2× the lower bound %d", n, phase, total, bound[phase])
				}
				clock.Advance(10 * time.Second)
			}
		})
	}
}
