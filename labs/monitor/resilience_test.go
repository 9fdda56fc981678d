package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// faultyProvider hands out the simulator's clients with an interceptor and, when
// ghosts is set, a tagging API that still names those ARNs (resources just deleted,
// as the real tagging API does for a while).
type faultyProvider struct {
	*sim.World
	mu     sync.Mutex
	ghosts []string
	fault  cloud.Interceptor
}

func (p *faultyProvider) Clients(ctx context.Context, account, region string) (*cloud.Clients, error) {
	c, err := p.World.Clients(ctx, account, region)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	ghosts, fault := append([]string(nil), p.ghosts...), p.fault
	p.mu.Unlock()
	if fault != nil {
		c = cloud.Intercept(c, fault)
	}
	if len(ghosts) > 0 {
		c.Tagging = ghostTagging{c.Tagging, ghosts}
	}
	return c, nil
}

func (p *faultyProvider) set(ghosts []string, fault cloud.Interceptor) {
	p.mu.Lock()
	p.ghosts, p.fault = ghosts, fault
	p.mu.Unlock()
}

type ghostTagging struct {
	cloud.Tagging
	ghosts []string
}

func (g ghostTagging) GetResources(ctx context.Context, in *tagging.GetResourcesInput, opt ...func(*tagging.Options)) (*tagging.GetResourcesOutput, error) {
	out, err := g.Tagging.GetResources(ctx, in, opt...)
	if err == nil && in.PaginationToken == nil {
		for _, arn := range g.ghosts {
			out.ResourceTagMappingList = append(out.ResourceTagMappingList, tagtypes.ResourceTagMapping{ResourceARN: aws.String(arn)})
		}
	}
	return out, err
}

// throttle answers ops with ThrottlingException, as sim.Faults does.
func throttle(ops ...string) cloud.Interceptor {
	return func(_ context.Context, call cloud.Call) error {
		for _, op := range ops {
			if call.Op == op {
				return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded", Fault: smithy.FaultClient}
			}
		}
		return nil
	}
}

type fixture struct {
	ctx     context.Context
	clock   *sim.ManualClock
	world   *sim.World
	prov    *faultyProvider
	c       *cloud.Clients
	store   *db.Store
	class   *db.Class
	m       *Monitor
	counter *cloud.CallCounter
}

func newFixture(t *testing.T, n int, extra ...labs.Lab) *fixture {
	t.Helper()
	f := &fixture{ctx: context.Background(), clock: sim.NewManualClock(time.Unix(1_800_000_000, 0)), counter: cloud.NewCallCounter(nil, "sim")}
	f.world = sim.New(sim.Options{Clock: f.clock, Counter: f.counter, DefaultAccount: "111122223333", Seed: 7})
	f.prov = &faultyProvider{World: f.world}
	var err error
	if f.c, err = f.world.Clients(f.ctx, "", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	if f.store, err = db.Open(f.ctx, filepath.Join(t.TempDir(), "r.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.store.Close() })
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	f.store.CreateUser(f.ctx, u)
	reg := labs.NewRegistry()
	reg.Register(fargate.Lab())
	var ids []string // the extra labs come first in the class
	for _, l := range extra {
		reg.Register(l)
		ids = append(ids, l.ID)
	}
	ids = append(ids, fargate.ID)
	f.class = &db.Class{Name: "resilience", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: ids}
	f.store.CreateClass(f.ctx, f.class)
	var rows []db.NewStudent
	for i := 1; i <= n; i++ {
		rows = append(rows, db.NewStudent{Name: fmt.Sprintf("S%d", i), Email: fmt.Sprintf("s%d@example.edu", i)})
	}
	if _, _, err := f.store.AddStudents(f.ctx, f.class.ID, rows); err != nil {
		t.Fatal(err)
	}
	seedClass(t, f.ctx, f.c, f.class.ID, n, 2)
	f.clock.Advance(10 * time.Minute)
	f.m = New(slog.New(slog.NewTextHandler(io.Discard, nil)), f.store, reg, f.prov, Options{Interval: 2 * time.Second})
	return f
}

func (f *fixture) statuses() map[string][]labs.Status {
	out := map[string][]labs.Status{}
	for slug, cells := range f.m.ClassSnapshot(f.class.ID) {
		for _, r := range cells[fargate.ID].Results {
			out[slug] = append(out[slug], r.Status)
		}
	}
	return out
}

// TestStaleARNNeverStopsAClass: the tagging sweep still names a load balancer one
// student deleted; DescribeLoadBalancers fails the whole batch holding its ARN
// (LoadBalancerNotFound). Every other student is judged exactly as before, the
// student who deleted it loses the load-balancer checkpoint, and the cycle succeeds.
func TestStaleARNNeverStopsAClass(t *testing.T) {
	const n = 6
	f := newFixture(t, n)
	if err := f.m.Cycle(f.ctx); err != nil {
		t.Fatal(err)
	}
	before := f.statuses()
	if len(before) != n {
		t.Fatalf("first cycle judged %d students, want %d", len(before), n)
	}
	gone := f.class.ID + "s03-alb"
	lbs, err := f.c.ELBv2.DescribeLoadBalancers(f.ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{gone}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(lbs.LoadBalancers[0].LoadBalancerArn)
	if _, err := f.c.ELBv2.DeleteLoadBalancer(f.ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	f.prov.set([]string{arn}, nil)
	f.clock.Advance(30 * time.Second)
	if err := f.m.Cycle(f.ctx); err != nil {
		t.Fatalf("a deleted load balancer the tagging API still names failed the cycle: %v", err)
	}
	after := f.statuses()
	lbIdx := -1
	for i, cp := range fargate.Lab().Checkpoints {
		if cp.ID == "alb" {
			lbIdx = i
		}
	}
	for slug, st := range before {
		if slug == "s03" {
			if after[slug][lbIdx] == labs.Pass {
				t.Errorf("s03 deleted its load balancer but checkpoint %d still passes: %v", lbIdx, after[slug])
			}
			continue
		}
		if fmt.Sprint(after[slug]) != fmt.Sprint(st) {
			t.Errorf("%s: %v, was %v before another student's load balancer went", slug, after[slug], st)
		}
	}
	if c := f.m.ClassSnapshot(f.class.ID)["s01"][fargate.ID]; c.Stale != "" {
		t.Errorf("s01 marked stale by another student's deleted load balancer: %q", c.Stale)
	}
}

// TestThrottlingIsNeverGone: a cycle whose DescribeServices and DescribeLoadBalancers
// are throttled leaves every checkpoint as it was, marked stale; the next clean cycle
// clears the mark.
func TestThrottlingIsNeverGone(t *testing.T) {
	const n = 6
	f := newFixture(t, n)
	if err := f.m.Cycle(f.ctx); err != nil {
		t.Fatal(err)
	}
	before := f.statuses()
	f.prov.set(nil, throttle("DescribeServices", "DescribeLoadBalancers"))
	f.clock.Advance(30 * time.Second)
	f.m.Cycle(f.ctx)
	after := f.statuses()
	snap := f.m.ClassSnapshot(f.class.ID)
	for slug, st := range before {
		if fmt.Sprint(after[slug]) != fmt.Sprint(st) {
			t.Errorf("%s: %v under throttling, was %v", slug, after[slug], st)
		}
		if snap[slug][fargate.ID].Stale == "" {
			t.Errorf("%s not marked stale under throttling", slug)
		}
	}
	f.prov.set(nil, nil)
	f.clock.Advance(30 * time.Second)
	if err := f.m.Cycle(f.ctx); err != nil {
		t.Fatal(err)
	}
	for slug, cells := range f.m.ClassSnapshot(f.class.ID) {
		if cells[fargate.ID].Stale != "" {
			t.Errorf("%s still stale after a clean cycle: %q", slug, cells[fargate.ID].Stale)
		}
	}
}

// TestThrottledSweepBacksOff: when the tagging sweep itself is throttled the lab's
// batch fails whole: its cells keep their results, marked stale, the cycle goes on,
// and the batch is retried with growing waits rather than every cycle.
func TestThrottledSweepBacksOff(t *testing.T) {
	f := newFixture(t, 3)
	if err := f.m.Cycle(f.ctx); err != nil {
		t.Fatal(err)
	}
	before := f.statuses()
	var mu sync.Mutex
	var tries int64
	th := throttle("GetResources")
	f.prov.set(nil, func(ctx context.Context, call cloud.Call) error {
		if call.Op == "GetResources" {
			mu.Lock()
			tries++
			mu.Unlock()
		}
		return th(ctx, call)
	})
	sweeps := func() int64 { mu.Lock(); defer mu.Unlock(); return tries }
	var attempts []int64
	for i := 0; i < 8; i++ {
		f.clock.Advance(2 * time.Second)
		s0 := sweeps()
		if err := f.m.Cycle(f.ctx); err == nil && sweeps() > s0 {
			t.Fatal("a throttled sweep reported no error")
		}
		attempts = append(attempts, sweeps()-s0)
	}
	tried := int64(0)
	for _, a := range attempts {
		tried += a
	}
	// Waits of 0, 1, 3 and 7 intervals: cycles 1, 2, 4 and 8 of 8 read.
	if tried != 4 {
		t.Errorf("throttled batch read %d times in 8 cycles (%v), want 4 with back-off", tried, attempts)
	}
	if after := f.statuses(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("results changed while the sweep was throttled: %v, was %v", after, before)
	}
	for slug, cells := range f.m.ClassSnapshot(f.class.ID) {
		if cells[fargate.ID].Stale == "" {
			t.Errorf("%s not stale while its lab cannot be read", slug)
		}
	}
}

// TestOneLabFailingKeepsTheOthers: a lab whose Observe fails never stops the
// class's other labs from being judged.
func TestOneLabFailingKeepsTheOthers(t *testing.T) {
	broken := labs.Lab{ID: "broken", Order: 99, Title: "Broken", Checkpoints: []labs.Checkpoint{{ID: "xx", Title: "x", Check: func(labs.Observation) labs.Result { return labs.Result{Status: labs.Pass} }}},
		Observe: func(context.Context, *cloud.Clients, *labs.Cache, []labs.Target) (map[string]labs.Observation, error) {
			return nil, errors.New("broken: outage")
		}}
	f := newFixture(t, 3, broken)
	if err := f.m.Cycle(f.ctx); err == nil {
		t.Error("the broken lab's error was not reported")
	}
	if got := f.statuses(); len(got) != 3 {
		t.Errorf("fargate judged for %d students with another lab failing, want 3", len(got))
	}
}

// TestStudentRemovedDuringACycle: a student removed between the cycle's reading of
// the roster and its writing of results (here: during the first AWS call of the
// observation) costs nobody else their results: the cycle succeeds, and every
// other student's results are written; the removed one has none.
func TestStudentRemovedDuringACycle(t *testing.T) {
	const n = 4
	f := newFixture(t, n)
	var once sync.Once
	removed := make(chan error, 1)
	f.prov.set(nil, func(ctx context.Context, _ cloud.Call) error {
		once.Do(func() { removed <- f.store.RemoveStudent(context.WithoutCancel(ctx), f.class.ID, "s02") })
		return nil
	})
	if err := f.m.Cycle(f.ctx); err != nil {
		t.Fatalf("a student removed during the cycle failed it: %v", err)
	}
	select {
	case err := <-removed:
		if err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatal("the cycle made no AWS call: the student was never removed")
	}
	students, err := f.store.Students(f.ctx, f.class.ID)
	if err != nil || len(students) != n-1 {
		t.Fatalf("students after the removal: %d %v", len(students), err)
	}
	results, err := f.store.ClassResults(f.ctx, f.class.ID)
	if err != nil {
		t.Fatal(err)
	}
	per := map[int64]int{}
	for _, r := range results {
		per[r.StudentID]++
	}
	for _, st := range students {
		if per[st.ID] != len(fargate.Lab().Checkpoints) {
			t.Errorf("%s: %d results written, want %d", st.Slug, per[st.ID], len(fargate.Lab().Checkpoints))
		}
	}
	if len(per) != n-1 {
		t.Errorf("results for %d students, want %d (the removed one has none)", len(per), n-1)
	}
}
