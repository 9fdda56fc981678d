package cleanup

// Cleanup benchmarks (not tests): wall time and AWS calls to clean up a class of
// 5, 20 and 50 students — on the simulator at a fixed 50× speed and on moto with
// the production waits. docs/benchmarks.md has the figures and the commands.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cloud"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
	"github.com/labdash/labdash/labs/sandbox"
)

var benchSizes = []int{5, 20, 50}

// BenchmarkCleanupSim: a class built by virtual students on the simulator, then
// planned, confirmed, run and verified while simulated time runs at 50× (the
// executor's waits pass at that speed too).
func BenchmarkCleanupSim(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("students=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				f := newFixture(b)
				class := f.class("A", n)
				f.build(class)
				counter := f.counter
				before := total(counter)
				const speed = 50
				stop := make(chan struct{})
				go func() { // simulated time at 50×: +100 ms every 2 ms
					tick := time.NewTicker(2 * time.Millisecond)
					defer tick.Stop()
					for {
						select {
						case <-stop:
							return
						case <-tick.C:
							f.clock.Advance(100 * time.Millisecond)
						}
					}
				}()
				x := f.executor()
				x.Sleep, x.Speed = nil, speed
				b.StartTimer()
				plan, job := f.confirmAndRunB(b, x, class)
				b.StopTimer()
				close(stop)
				reportCleanup(b, plan, job, total(counter)-before)
			}
		})
	}
}

// motoBenchClass is a class of n students provisioned by the real provisioner and
// built by hand on moto (awstest.SeedFargate), set up outside the timer.
func motoBenchClass(b *testing.B, n int) (*db.Store, cloud.Provider, *db.Class, *cloud.CallCounter, *slog.Logger) {
	b.Helper()
	awstest.Reset(b)
	ctx := context.Background()
	counter := cloud.NewCallCounter(nil, "aws")
	provider := awstest.NewProvider(b, awsprovider.Options{Counter: counter})
	c, err := provider.Clients(ctx, "", awstest.Region)
	if err != nil {
		b.Fatal(err)
	}
	store, err := db.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	store.CreateUser(ctx, u)
	class := &db.Class{Name: "Bench", OwnerID: u.ID, Regions: []string{awstest.Region}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
	store.CreateClass(ctx, class)
	var rows []db.NewStudent
	for j := 1; j <= n; j++ {
		rows = append(rows, db.NewStudent{Name: fmt.Sprintf("S %d", j), Email: fmt.Sprintf("s%d@example.edu", j)})
	}
	sts, _, _ := store.AddStudents(ctx, class.ID, rows)
	p := &sandbox.Provisioner{Log: log, Store: store, Registry: catalog.New(), Provider: provider,
		Sleep: func(ctx context.Context, d time.Duration) error { return wait(ctx, 10*time.Millisecond) }}
	job, err := p.Start(ctx, class.ID)
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Run(ctx, job.ID); err != nil {
		b.Fatal(err)
	}
	vpcs, _ := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	vpc := aws.ToString(vpcs.Vpcs[0].VpcId)
	subs, _ := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	subnets := []string{aws.ToString(subs.Subnets[0].SubnetId), aws.ToString(subs.Subnets[1].SubnetId)}
	for _, st := range sts {
		motoSeed(b, ctx, c, vpc, subnets, class.ID, st.Slug)
	}
	return store, provider, class, counter, log
}

// BenchmarkPlanMoto: the dry run of a 3-student Fargate-only class on moto, the
// instructor's first look at a cleanup (before issue 10: 12.7–21 s, most of it
// Global Accelerator listers and retries a Fargate class never needed).
func BenchmarkPlanMoto(b *testing.B) {
	b.StopTimer()
	store, provider, class, counter, _ := motoBenchClass(b, 3)
	planner := &Planner{Store: store, Provider: provider, Registry: catalog.New()}
	for i := 0; i < b.N; i++ {
		before := total(counter)
		b.StartTimer()
		plan, err := planner.Plan(context.Background(), class.ID)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if !plan.Complete() || len(plan.Items) == 0 {
			b.Fatalf("plan: %d items, unchecked %v", len(plan.Items), plan.Unchecked)
		}
		b.ReportMetric(float64(len(plan.Items)), "resources/op")
		b.ReportMetric(float64(total(counter)-before), "aws-calls/op")
	}
}

// BenchmarkCleanupMoto: a class provisioned by the real provisioner and built by
// hand on moto, cleaned up through the SDK with the executor's production waits.
func BenchmarkCleanupMoto(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("students=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				store, provider, class, counter, log := motoBenchClass(b, n)
				before := total(counter)
				planner := &Planner{Store: store, Provider: provider, Registry: catalog.New()}
				x := &Executor{Log: log, Store: store, Provider: provider, Planner: planner}
				b.StartTimer()
				plan, done := runB(b, context.Background(), store, x, class, counter)
				b.StopTimer()
				reportCleanup(b, plan, done, total(counter)-before)
			}
		})
	}
}

func (f *fixture) confirmAndRunB(b *testing.B, x *Executor, class *db.Class) (*Plan, *db.Job) {
	return runB(b, f.ctx, f.store, x, class, f.counter)
}

// runB plans, confirms (which plans once more, to check the hash against the
// class now), runs and verifies: the instructor's whole cleanup.
func runB(b *testing.B, ctx context.Context, store *db.Store, x *Executor, class *db.Class, counter *cloud.CallCounter) (*Plan, *db.Job) {
	c0, t0 := total(counter), time.Now()
	plan, err := x.Planner.Plan(ctx, class.ID)
	if err != nil {
		b.Fatal(err)
	}
	c1, t1 := total(counter), time.Now()
	job, err := x.Confirm(ctx, class.ID, plan.Hash, class.Name)
	if err != nil {
		b.Fatal(err)
	}
	c2, t2 := total(counter), time.Now()
	if err := x.Run(ctx, job.ID); err != nil {
		b.Fatal(err)
	}
	c3, t3 := total(counter), time.Now()
	if testing.Verbose() { // where the time goes: calls and ms per call by phase
		for _, ph := range []struct {
			name string
			n    int64
			d    time.Duration
		}{{"plan", c1 - c0, t1.Sub(t0)}, {"confirm", c2 - c1, t2.Sub(t1)}, {"run+verify", c3 - c2, t3.Sub(t2)}} {
			b.Logf("%-10s %5d calls in %6.2fs", ph.name, ph.n, ph.d.Seconds())
		}
	}
	b.ReportMetric(t1.Sub(t0).Seconds(), "plan-s")
	b.ReportMetric(t2.Sub(t1).Seconds(), "confirm-s")
	b.ReportMetric(time.Since(t2).Seconds(), "run+verify-s")
	done, err := store.Job(ctx, job.ID)
	if err != nil {
		b.Fatal(err)
	}
	return plan, done
}

func reportCleanup(b *testing.B, plan *Plan, job *db.Job, calls int64) {
	if testing.Verbose() {
		b.Logf("%d resources, %d calls", len(plan.Items), calls)
	}
	if job.State != db.JobDone || job.Outcome != db.OutcomeVerified {
		b.Fatalf("cleanup ended %s, %s: %s", job.State, job.Outcome, job.Error)
	}
	b.ReportMetric(float64(len(plan.Items)), "resources/op")
	b.ReportMetric(float64(calls), "aws-calls/op")
}

func total(c *cloud.CallCounter) int64 {
	var n int64
	for _, v := range c.Snapshot() {
		n += v
	}
	return n
}
