package pca

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/internal/testenv"
	"github.com/labdash/labdash/labs/monitor"
	"github.com/labdash/labdash/labs/sandbox"
)

// cycleEvery is the monitor's cadence in the calls-per-cycle figures: the ALB
// and listener tiles are read every cycle, CA certificates and certificate
// details every fourth (detailEvery, 60 s).
const cycleEvery = 15 * time.Second

// buildClass gives n students of class c42 the lab's finished state on a fresh
// simulator, straight through the simulated clients (no virtual-student pace):
// an ALB, target group and security group each, then the script's steps run
// for every student in turn — root and subordinate CA installed, the private
// certificate ISSUED, the HTTPS :443 listener presenting it.
func buildClass(t testing.TB, n int) (*sim.ManualClock, *cloud.Clients, *cloud.CallCounter, []labs.Target) {
	t.Helper()
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	counter := cloud.NewCallCounter(nil, "sim")
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 9, Counter: counter})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	vpc, subnets := w.ClassVPC("", "us-east-1")
	envs := make([]*labs.Env, n)
	targets := make([]labs.Target, n)
	for i := range envs {
		tg := labs.NewTarget("c42", fmt.Sprintf("s%04d", i+1), "111122223333", "us-east-1")
		sg, err := c.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(tg.Prefix + "alb-sg"), Description: aws.String("alb"), VpcId: aws.String(vpc)})
		if err != nil {
			t.Fatal(err)
		}
		tgOut, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(tgName(tg)), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
			TargetType: elbtypes.TargetTypeEnumInstance, VpcId: aws.String(vpc)})
		if err != nil {
			t.Fatal(err)
		}
		lb, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(lbName(tg)), Subnets: subnets, SecurityGroups: []string{aws.ToString(sg.GroupId)}})
		if err != nil {
			t.Fatal(err)
		}
		targets[i] = tg
		envs[i] = &labs.Env{C: c, T: tg, Persona: &labs.Persona{Mistakes: map[string]bool{}}, Memo: map[string]string{},
			Stack: map[string]string{"LoadBalancerArn": aws.ToString(lb.LoadBalancers[0].LoadBalancerArn), "TargetGroupArn": aws.ToString(tgOut.TargetGroups[0].TargetGroupArn)}}
	}
	for _, st := range Lab().Script {
		pending := envs
		for try := 0; len(pending) > 0; try++ {
			var again []*labs.Env
			for _, e := range pending {
				if err := st.Do(ctx, e); errors.Is(err, labs.ErrNotYet) {
					again = append(again, e)
				} else if err != nil {
					t.Fatalf("%s, step %q: %v", e.T.StudentID, st.Name, err)
				}
			}
			if try > 40 {
				t.Fatalf("step %q: %d students still waiting", st.Name, len(again))
			}
			pending = again
			clock.Advance(15 * time.Second)
		}
	}
	return clock, c, counter, targets
}

// cycleBound is the fewest calls K steady cycles can make for n built students,
// given what each API takes (AWS's limits) and the lab's cadences: one
// ListCertificateAuthorities and one ListCertificates page per 1,000, one
// DescribeLoadBalancers and DescribeTargetGroups per 20 names, one
// DescribeSecurityGroups per 200 ids, every cycle; DescribeListeners once per ALB
// every cycle (it takes one load balancer, and a new listener must be seen);
// GetCertificateAuthorityCertificate (one CA) and DescribeCertificate (one
// certificate) once per CA and certificate every detailEvery; tags never again
// (they are read once per resource, at creation).
func cycleBound(n, k int) map[string]int64 {
	ceil := func(a, b int) int64 { return int64((a + b - 1) / b) }
	details := int64(k) * int64(cycleEvery) / int64(detailEvery) // detail reads per resource in k cycles
	return map[string]int64{
		"acm-pca:ListCertificateAuthorities":         int64(k) * ceil(2*n, 1000),
		"acm:ListCertificates":                       int64(k) * ceil(n, 1000),
		"elbv2:DescribeLoadBalancers":                int64(k) * ceil(n, 20),
		"elbv2:DescribeTargetGroups":                 int64(k) * ceil(n, 20),
		"ec2:DescribeSecurityGroups":                 int64(k) * ceil(n, 200),
		"elbv2:DescribeListeners":                    int64(k) * int64(n),
		"acm-pca:GetCertificateAuthorityCertificate": details * int64(2*n),
		"acm:DescribeCertificate":                    details * int64(n),
	}
}

// callsPerCycle builds n students, runs one warm-up cycle (it reads every
// resource's tags once), then k cycles at cycleEvery, and returns the calls of
// those k cycles by operation.
func callsPerCycle(t testing.TB, n, k int) (map[string]int64, []labs.Target, map[string]labs.Observation, int) {
	clock, c, counter, targets := buildClass(t, n)
	ctx, cache := context.Background(), labs.NewCache()
	// Event mode on, as provisioning makes it: the monitor drains the class's
	// queue every cycle (monitor.DrainQueue), counted with the lab.
	reg := labs.NewRegistry()
	reg.Register(Lab())
	if err := sandbox.EnsureEvents(ctx, c, reg, &db.Class{ID: "c42", Labs: []string{ID}, Regions: []string{"us-east-1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Observe(ctx, c, cache, targets); err != nil {
		t.Fatal(err)
	}
	before := counter.Snapshot()
	var last map[string]labs.Observation
	events := 0
	for i := 0; i < k; i++ {
		clock.Advance(cycleEvery)
		got, err := Observe(ctx, c, cache, targets)
		if err != nil {
			t.Fatal(err)
		}
		last = got
		evs, err := monitor.DrainQueue(ctx, c, "c42")
		if err != nil {
			t.Fatal(err)
		}
		events += len(evs)
	}
	calls := map[string]int64{}
	for op, v := range counter.Snapshot() {
		if d := v - before[op]; d > 0 {
			calls[op] = d
		}
	}
	return calls, targets, last, events
}

func checkCalls(t *testing.T, n int) {
	const k = 8 // two minutes at 15 s
	calls, targets, last, events := callsPerCycle(t, n, k)
	bound := cycleBound(n, k)
	// The event drain's lower bound: one read a cycle to learn the queue is
	// empty, plus a read and a delete per 10 events.
	ev := int64(events)
	bound["sqs:ReceiveMessage"] = int64(k) + (ev+9)/10
	if ev > 0 {
		bound["sqs:DeleteMessageBatch"] = (ev + 9) / 10
	}
	t.Logf("event mode: %d events drained in %d cycles", ev, k)
	var total, boundTotal int64
	var rows []string
	for op, v := range calls {
		total += v
		rows = append(rows, fmt.Sprintf("%s %.1f/cycle (bound %.1f)", op, float64(v)/k, float64(bound[op])/k))
		if bound[op] == 0 {
			t.Errorf("%s: %d calls the bound does not allow", op, v)
		}
	}
	for op, b := range bound {
		boundTotal += b
		if calls[op] > b*12/10 {
			t.Errorf("%s: %d calls in %d cycles, more than 1.2× the bound %d", op, calls[op], k, b)
		}
	}
	sort.Strings(rows)
	t.Logf("%d students: %.1f calls per cycle against a bound of %.1f (%.3f×)\n  %s", n, float64(total)/k, float64(boundTotal)/k,
		float64(total)/float64(boundTotal), strings.Join(rows, "\n  "))
	if total > boundTotal*12/10 {
		t.Errorf("%d calls in %d cycles, more than 1.2× the bound %d", total, k, boundTotal)
	}
	// The figures count a class that is really built and judged: every student's
	// chain verified, nothing stale.
	for _, tg := range targets {
		o := last[tg.StudentID].(*Observation)
		if !o.Probe.Verified() || len(o.Stale) > 0 || o.Billed != 2 {
			t.Fatalf("%s: verified %v, stale %v, billed %d", tg.StudentID, o.Probe.Verified(), o.Stale, o.Billed)
		}
	}
}

// TestCallsPerCycle500 and TestCallsPerCycle2000: a built class's steady cycles
// cost at most 1.2× the batching lower bound, by operation and in all.
func TestCallsPerCycle500(t *testing.T) { checkCalls(t, 500) }

func TestCallsPerCycle2000(t *testing.T) {
	if testing.Short() || testenv.Race {
		t.Skip("2,000 students: skipped in -short mode and under the race detector (the counts do not change; the time does)")
	}
	checkCalls(t, 2000)
}
