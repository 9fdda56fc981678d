package asg

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/internal/testenv"
	"github.com/labdash/labdash/labs/monitor"
	"github.com/labdash/labdash/labs/sandbox"
)

// asgClass builds n students' finished Lab 8 in one account and region straight
// through the simulated clients (a template and a 4/4/4 group at 50 % each, no
// prerequisite stack, no virtual-student pace), plus decoys of another class,
// then lets the groups launch until every instance is InService.
//
// The region's default VPC has two /19 subnets (8,187 assignable addresses
// each): 2,000 students × 4 instances = 8,000 addresses, spread round-robin over
// both, so they fit without raising anything. Past that, RunInstances and the
// groups' launches answer InsufficientFreeAddressesInSubnet
// (TestFullSubnetFailsTheLaunch).
func asgClass(tb testing.TB, n int) (*sim.World, *sim.ManualClock, *cloud.Clients, []labs.Target) {
	return asgClassSettled(tb, n, 90*time.Second)
}

// asgClassSettled is asgClass with the time the groups get to launch.
func asgClassSettled(tb testing.TB, n int, settle time.Duration) (*sim.World, *sim.ManualClock, *cloud.Clients, []labs.Target) {
	tb.Helper()
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 8})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		tb.Fatal(err)
	}
	sn, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil {
		tb.Fatal(err)
	}
	var subnets []string
	for _, s := range sn.Subnets {
		subnets = append(subnets, aws.ToString(s.SubnetId))
	}
	st := map[string]string{"SubnetIds": strings.Join(subnets, ","), "ImageId": "ami-0abcdef1234567890"}
	build := func(tg labs.Target) {
		e := &labs.Env{C: c, T: tg, Persona: &labs.Persona{Pace: 1, Mistakes: map[string]bool{}}, Stack: st}
		if _, err := c.EC2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(ltName(tg)),
			LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(st["ImageId"]), InstanceType: ec2types.InstanceTypeT3Micro,
				TagSpecifications: []ec2types.LaunchTemplateTagSpecificationRequest{{ResourceType: ec2types.ResourceTypeInstance, Tags: ec2Tags(tg)}}}}); err != nil {
			tb.Fatal(err)
		}
		if _, err := c.ASG.CreateAutoScalingGroup(ctx, groupInput(e, st)); err != nil {
			tb.Fatal(err)
		}
	}
	var targets []labs.Target
	for i := range n {
		tg := labs.NewTarget("c42", fmt.Sprintf("s%04d", i), "111122223333", "us-east-1")
		targets = append(targets, tg)
		build(tg)
	}
	for i := range 3 { // another class in the same account: read by the region-wide reads, owned by no target
		build(labs.NewTarget("c9zz", fmt.Sprintf("s%04d", i), "111122223333", "us-east-1"))
	}
	for range int(settle / time.Second) {
		clock.Advance(time.Second)
		w.Now()
	}
	return w, clock, c, targets
}

// callBound is the batching lower bound of one steady-state cycle's calls by
// operation for n students who each have a template, a group and 4 instances (2
// Spot), with the observer's cadences: the batched reads every cycle at each
// API's limit (group names 100 a call, template versions 200 a page, EC2 filter
// values 200 a call, 1,000 results a page), the region-wide scaling activities
// one page per 15 s and the Spot price history one page per 5 minutes, spread
// over the cycles of the window.
func callBound(n, templates, cycles int, every time.Duration) map[string]float64 {
	window := time.Duration(cycles) * every
	ceil := func(a, b int) float64 { return math.Ceil(float64(a) / float64(b)) }
	return map[string]float64{
		"ASG:DescribeAutoScalingGroups":      ceil(n, groupBatch),
		"EC2:DescribeLaunchTemplateVersions": ceil(templates, 200),
		"EC2:DescribeInstances":              max(ceil(n, filterBatch), ceil(n*wantSize, 1000)),
		"EC2:DescribeSpotInstanceRequests":   max(ceil(n*wantSpot, filterBatch), ceil(n*wantSpot, 1000)),
		"ASG:DescribeScalingActivities":      math.Ceil(float64(window)/float64(activityEvery)) / float64(cycles),
		"EC2:DescribeSpotPriceHistory":       math.Ceil(float64(window)/float64(priceEvery)) / float64(cycles),
	}
}

// TestCallsPerCycle: the observation of 500 (and, without -short, 2,000) finished
// students costs at most 1.2× the batching lower bound per cycle, over a minute
// of cycles 2 s apart (the monitor's default interval), after a first cycle; and
// every student is judged from it (2 + 2, Spot requests fulfilled).
func TestCallsPerCycle(t *testing.T) {
	sizes := []int{500, 2000}
	if testing.Short() || testenv.Race { // counts do not change under the race detector; its time does
		sizes = sizes[:1]
	}
	for _, n := range sizes {
		t.Run(fmt.Sprintf("students=%d", n), func(t *testing.T) {
			ctx := context.Background()
			w, clock, c, targets := asgClass(t, n)
			// Event mode on, as provisioning makes it: the monitor drains the
			// class's queue every cycle (monitor.DrainQueue), counted with the lab.
			reg := labs.NewRegistry()
			reg.Register(Lab())
			if err := sandbox.EnsureEvents(ctx, c, reg, &db.Class{ID: "c42", Labs: []string{ID}, Regions: []string{"us-east-1"}}); err != nil {
				t.Fatal(err)
			}
			counts := map[string]int{}
			counted := cloud.Intercept(c, func(_ context.Context, call cloud.Call) error { counts[call.Service+":"+call.Op]++; return nil })
			cache := labs.NewCache()
			first, err := Observe(ctx, counted, cache, targets)
			if err != nil {
				t.Fatal(err)
			}
			firstTotal := 0
			for _, v := range counts {
				firstTotal += v
			}
			clear(counts)
			const cycles, every = 30, 2 * time.Second
			var got map[string]labs.Observation
			events := 0
			start := time.Now()
			for range cycles {
				clock.Advance(every)
				w.Now()
				if got, err = Observe(ctx, counted, cache, targets); err != nil {
					t.Fatal(err)
				}
				evs, err := monitor.DrainQueue(ctx, counted, "c42")
				if err != nil {
					t.Fatal(err)
				}
				events += len(evs)
			}
			elapsed := time.Since(start)
			bound := callBound(n, n+3, cycles, every)
			// The drain's lower bound: one read a cycle to learn the queue is empty,
			// plus a read and a delete per 10 events.
			bound["SQS:ReceiveMessage"] = 1 + float64(events)/10/cycles
			bound["SQS:DeleteMessageBatch"] = float64(events) / 10 / cycles
			t.Logf("event mode: %d events drained in %d cycles", events, cycles)
			var ops []string
			for op := range bound {
				ops = append(ops, op)
			}
			for op := range counts {
				if _, ok := bound[op]; !ok {
					ops = append(ops, op) // a read the bound does not know of: counted against it
				}
			}
			sort.Strings(ops)
			var total, sumBound float64
			for _, op := range ops {
				per := float64(counts[op]) / cycles
				total += per
				sumBound += bound[op]
				t.Logf("%-36s %8.2f per cycle  (bound %6.2f)", op, per, bound[op])
			}
			t.Logf("n=%d: first cycle %d calls; steady state %.2f calls per cycle against a bound of %.2f (%.3f×); %d cycles took %v of Observe and stepping",
				n, firstTotal, total, sumBound, total/sumBound, cycles, elapsed.Round(time.Millisecond))
			if total > 1.2*sumBound {
				t.Errorf("%.2f calls per cycle, more than 1.2 × the bound %.2f", total, sumBound)
			}
			for _, o := range []labs.Observation{first[targets[0].StudentID], got[targets[0].StudentID], got[targets[n-1].StudentID]} {
				ob := o.(*Observation)
				if sm := Summary(ob); sm.Badge != "2+2" {
					t.Fatalf("%s: badge %+v (problems %v)", ob.Target.StudentID, sm, ob.Problems)
				}
				if r := checkpointResult(ob, "spot-requests"); r.Status != labs.Pass {
					t.Errorf("%s spot-requests: %s %q", ob.Target.StudentID, r.Status, r.Evidence)
				}
			}
			if c := got[targets[0].StudentID].(*Observation).Class; c.Total != n || c.Reached != n {
				t.Errorf("class mix %+v, want all %d reached", c, n)
			}
			// The feeds the first read could not reach (the bottom of the region's
			// list) fill from the backlog within a few reads.
			filled := time.Duration(cycles) * every
			for ; emptyFeeds(got) > 0 && filled < 10*time.Minute; filled += every {
				clock.Advance(every)
				w.Now()
				if got, err = Observe(ctx, c, cache, targets); err != nil {
					t.Fatal(err)
				}
			}
			if e := emptyFeeds(got); e > 0 {
				t.Errorf("%d students' feeds still empty %v after the first cycle", e, filled)
			}
			t.Logf("n=%d: every feed filled %v after the first cycle", n, filled)
		})
	}
}

func checkpointResult(o *Observation, id string) labs.Result {
	for _, cp := range Lab().Checkpoints {
		if cp.ID == id {
			return cp.Check(o)
		}
	}
	return labs.Result{}
}

// TestFullSubnetFailsTheLaunch: when a group's subnets have no free address,
// the group's launch fails as AWS's does (a Failed scaling activity whose
// reason is InsufficientFreeAddressesInSubnet's message), RunInstances answers
// InsufficientFreeAddressesInSubnet, and the lab's checks say the mix is not
// reached rather than passing or erroring.
func TestFullSubnetFailsTheLaunch(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 8})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	sn, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil || len(sn.Subnets) == 0 {
		t.Fatal(sn, err)
	}
	sub := sn.Subnets[0]
	free := aws.ToInt32(sub.AvailableIpAddressCount)
	// Fill the subnet with one RunInstances of exactly its free addresses.
	if _, err := c.EC2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0abcdef1234567890"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(free), MaxCount: aws.Int32(free), SubnetId: sub.SubnetId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.EC2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0abcdef1234567890"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: sub.SubnetId})
	if apiCode(err) != "InsufficientFreeAddressesInSubnet" {
		t.Fatalf("RunInstances into a full subnet: %v, want InsufficientFreeAddressesInSubnet", err)
	}
	tg := labs.NewTarget("c42", "s01", "111122223333", "us-east-1")
	st := map[string]string{"SubnetIds": aws.ToString(sub.SubnetId), "ImageId": "ami-0abcdef1234567890"}
	e := &labs.Env{C: c, T: tg, Persona: &labs.Persona{Pace: 1, Mistakes: map[string]bool{}}, Stack: st}
	if _, err := c.EC2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(ltName(tg)),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(st["ImageId"]), InstanceType: ec2types.InstanceTypeT3Micro}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ASG.CreateAutoScalingGroup(ctx, groupInput(e, st)); err != nil {
		t.Fatal(err)
	}
	for range 30 {
		clock.Advance(time.Second)
		w.Now()
	}
	acts, err := c.ASG.DescribeScalingActivities(ctx, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: aws.String(groupName(tg))})
	if err != nil {
		t.Fatal(err)
	}
	failed := false
	for _, a := range acts.Activities {
		if a.StatusCode == "Failed" && strings.Contains(aws.ToString(a.StatusMessage), "not enough free addresses in subnet") {
			failed = true
		}
	}
	if !failed {
		t.Fatalf("no failed launch for the full subnet: %+v", acts.Activities)
	}
	got, err := Observe(ctx, c, labs.NewCache(), []labs.Target{tg})
	if err != nil {
		t.Fatal(err)
	}
	o := got[tg.StudentID].(*Observation)
	if len(o.Instances) != 0 {
		t.Errorf("a group in a full subnet has instances: %v", sortedKeys(o.Instances))
	}
	if r := checkpointResult(o, "mix-achieved"); r.Status == labs.Pass {
		t.Errorf("mix-achieved passed with no instances: %+v", r)
	}
}

// TestActivitiesPagedBackToWhatChanged: a class of 150 and 3 decoys (612 launch
// activities, seven pages) read while every launch is InProgress; 40 s later the read pages
// back to the oldest of them, so the first student's (the oldest page) show
// Successful; at rest the next read is one page.
func TestActivitiesPagedBackToWhatChanged(t *testing.T) {
	ctx := context.Background()
	w, clock, c, targets := asgClassSettled(t, 150, 0)
	pages := 0
	counted := cloud.Intercept(c, func(_ context.Context, call cloud.Call) error {
		if call.Op == "DescribeScalingActivities" {
			pages++
		}
		return nil
	})
	cache := labs.NewCache()
	observe := func() *Observation {
		t.Helper()
		got, err := Observe(ctx, counted, cache, targets)
		if err != nil {
			t.Fatal(err)
		}
		return got[targets[0].StudentID].(*Observation)
	}
	status := func(o *Observation) map[string]int {
		out := map[string]int{}
		for _, a := range o.Activities {
			out[string(a.StatusCode)]++
		}
		return out
	}
	o := observe()
	if st := status(o); pages != 7 || st["InProgress"] != 4 {
		t.Fatalf("first read: %d pages, s0000's activities %v; want 7 pages, 4 InProgress", pages, st)
	}
	for range 40 {
		clock.Advance(time.Second)
		w.Now()
	}
	pages = 0
	o = observe()
	if st := status(o); st["Successful"] != 4 || pages != 7 {
		t.Errorf("40 s later: %d pages, s0000's activities %v; want all 7 pages read back to the InProgress ones and 4 Successful", pages, st)
	}
	for range 16 {
		clock.Advance(time.Second)
		w.Now()
	}
	pages = 0
	o = observe()
	if pages != 1 || status(o)["Successful"] != 4 {
		t.Errorf("at rest: %d pages (want 1), s0000's activities %v", pages, status(o))
	}
}

// TestActivitiesBacklogFillsEveryFeed: 300 students and 3 decoys make 1,212
// activities, 13 pages. The first read takes 10 (the oldest students' feeds are
// still empty); the next reads one new page and the 3 left from where the first
// stopped, so every feed is full; after that a read is one page.
func TestActivitiesBacklogFillsEveryFeed(t *testing.T) {
	ctx := context.Background()
	w, clock, c, targets := asgClass(t, 300)
	pages := 0
	counted := cloud.Intercept(c, func(_ context.Context, call cloud.Call) error {
		if call.Op == "DescribeScalingActivities" {
			pages++
		}
		return nil
	})
	cache := labs.NewCache()
	observe := func() map[string]labs.Observation {
		t.Helper()
		got, err := Observe(ctx, counted, cache, targets)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	empty := emptyFeeds
	got := observe()
	if e := empty(got); pages != activityPages || e != 50 {
		t.Fatalf("first read: %d pages, %d empty feeds; want %d pages and the 212 activities past them (50 students and the decoys) unread", pages, e, activityPages)
	}
	for _, wait := range []int{16, 16} {
		for range wait {
			clock.Advance(time.Second)
			w.Now()
		}
		pages = 0
		got = observe()
		t.Logf("read: %d pages, %d empty feeds", pages, empty(got))
	}
	if e := empty(got); e != 0 || pages != 1 {
		t.Errorf("third read: %d pages (want 1), %d empty feeds (want 0)", pages, e)
	}
	for _, o := range got {
		if a := o.(*Observation).Activities; len(a) != wantSize || a[0].StatusCode != "Successful" {
			t.Errorf("%s's feed: %d activities, want its %d Successful launches", o.(*Observation).Target.StudentID, len(a), wantSize)
		}
	}
}

// emptyFeeds counts the students whose scaling-activity feed is empty.
func emptyFeeds(got map[string]labs.Observation) (n int) {
	for _, o := range got {
		if len(o.(*Observation).Activities) == 0 {
			n++
		}
	}
	return n
}
