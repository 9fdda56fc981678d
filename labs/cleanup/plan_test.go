package cleanup

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/monitor"
	"github.com/labdash/labdash/labs/sandbox"
	"github.com/labdash/labdash/labs/virtual"
)

// TestPlanCoversTheClassAndNothingElse builds two classes on one simulated account —
// both provisioned, both with virtual students through the Fargate lab — plus decoys,
// and checks that class A's plan holds every resource A owns and none of B's or the decoys'.
func TestPlanCoversTheClassAndNothingElse(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333"})
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	store.CreateUser(ctx, u)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	registry := catalog.New()
	mkClass := func(name string, n int) *db.Class {
		c := &db.Class{Name: name, OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{fargate.ID}}
		if err := store.CreateClass(ctx, c); err != nil {
			t.Fatal(err)
		}
		var rows []db.NewStudent
		for i := 1; i <= n; i++ {
			rows = append(rows, db.NewStudent{Name: fmt.Sprintf("%s %d", name, i), Email: fmt.Sprintf("%s%d@example.edu", strings.ToLower(name), i)})
		}
		if _, _, err := store.AddStudents(ctx, c.ID, rows); err != nil {
			t.Fatal(err)
		}
		p := &sandbox.Provisioner{Log: log, Store: store, Registry: registry, Provider: world,
			Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return nil }}
		job, err := p.Start(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Run(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := mkClass("A", 10), mkClass("B", 3)
	runner := virtual.New(log, world, world, clock.Now)
	lab, _ := registry.Lab(fargate.ID)
	for _, c := range []*db.Class{a, b} {
		sts, _ := store.Students(ctx, c.ID)
		for _, st := range sts {
			runner.Start(virtual.Student{ClassID: c.ID, Slug: st.Slug, Region: "us-east-1", Lab: lab, Persona: labs.Persona{Pace: 1, Mistakes: map[string]bool{}, StuckAfter: -1}})
		}
	}
	mon := monitor.New(log, store, registry, world, monitor.Options{})
	for i := 0; i < 20*12; i++ { // 20 simulated minutes
		clock.Advance(5 * time.Second)
		runner.RunDue(ctx)
		if i%6 == 0 {
			if err := mon.Cycle(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	c, _ := world.Clients(ctx, "", "us-east-1")
	// Decoys: an untagged look-alike with class A's prefix for a student A does not
	// have, and a cluster tagged for another class.
	if _, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(a.ID + "s99-cluster")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(a.ID + "s01-other"),
		Tags: []ecstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("czzzz")}}}); err != nil {
		t.Fatal(err)
	}
	// A ledger entry of a type labdash cannot delete yet, and a prefix find for a student
	// not on the roster: both must be skipped, never planned.
	store.Record(ctx, db.LedgerEntry{ClassID: a.ID, Student: "s01", ARN: "arn:aws:s3:::" + a.ID + "s01-photos", Type: "AWS::S3::Bucket", Account: "111122223333", FoundBy: "tag"})
	store.Record(ctx, db.LedgerEntry{ClassID: a.ID, Student: "s42", ARN: "arn:aws:ecs:us-east-1:111122223333:cluster/" + a.ID + "s42-cluster", Type: "AWS::ECS::Cluster", Region: "us-east-1", Account: "111122223333", FoundBy: "prefix"})

	plan, err := (&Planner{Store: store, Provider: world}).Plan(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	planned := map[string]Item{}
	types := map[string]int{}
	for _, it := range plan.Items {
		planned[it.ARN] = it
		types[it.Type]++
		if it.Proof == "" {
			t.Errorf("%s planned without a proof of ownership", it.ARN)
		}
	}
	t.Logf("plan: %d items, %d skipped, $%.3f/h, by type %v", len(plan.Items), len(plan.Skipped), plan.HourlyUSD, types)

	// Everything A owns is planned: its class policies, 10 roles, 10 stacks, and what its
	// students built.
	for typ, min := range map[string]int{"AWS::IAM::ManagedPolicy": 2, "AWS::IAM::Role": 10, "AWS::CloudFormation::Stack": 10,
		"AWS::ECS::Cluster": 10, "AWS::ECS::Service": 10, "AWS::ElasticLoadBalancingV2::LoadBalancer": 10, "AWS::ElasticLoadBalancingV2::TargetGroup": 10,
		"AWS::ElasticLoadBalancingV2::Listener": 10, "AWS::ApplicationAutoScaling::ScalableTarget": 10, "AWS::ApplicationAutoScaling::ScalingPolicy": 10,
		"AWS::CloudWatch::Alarm": 20} {
		if types[typ] < min {
			t.Errorf("plan has %d %s, want at least %d", types[typ], typ, min)
		}
	}
	// Nothing of B's, and no decoy.
	bLedger, _ := store.Ledger(ctx, b.ID, "")
	for _, e := range bLedger {
		if _, ok := planned[e.ARN]; ok {
			t.Errorf("class B's %s is in class A's plan", e.ARN)
		}
	}
	for arn := range planned {
		if strings.Contains(arn, a.ID+"s99-") || strings.Contains(arn, a.ID+"s01-other") || strings.Contains(arn, b.ID) {
			t.Errorf("decoy %s is in the plan", arn)
		}
	}
	skipped := map[string]string{}
	for _, it := range plan.Skipped {
		skipped[it.ARN] = it.Reason
	}
	if len(plan.Skipped) != 2 {
		t.Errorf("skipped %d, want exactly the 2 unprovable ledger entries: %+v", len(plan.Skipped), plan.Skipped)
	}
	if r := skipped["arn:aws:s3:::"+a.ID+"s01-photos"]; !strings.Contains(r, "does not handle this type") {
		t.Errorf("unknown type not skipped with its reason: %q", r)
	}
	if r := skipped["arn:aws:ecs:us-east-1:111122223333:cluster/"+a.ID+"s42-cluster"]; !strings.Contains(r, "ownership not proven") {
		t.Errorf("prefix find of a student not on the roster not skipped: %q", r)
	}
	// Children before parents, hourly-billed first within a rank; the hash is stable.
	for i := 1; i < len(plan.Items); i++ {
		if plan.Items[i-1].Rank > plan.Items[i].Rank {
			t.Fatalf("%s (rank %d) after %s (rank %d)", plan.Items[i].Type, plan.Items[i].Rank, plan.Items[i-1].Type, plan.Items[i-1].Rank)
		}
	}
	if plan.HourlyUSD <= 0 {
		t.Error("no hourly cost estimated")
	}
	again, _ := (&Planner{Store: store, Provider: world}).Plan(ctx, a.ID)
	if again.Hash != plan.Hash {
		t.Errorf("hash changed between two plans of an unchanged class: %s vs %s", plan.Hash, again.Hash)
	}

	// Execute: confirmation is bound to the hash and the typed class name.
	planner := &Planner{Store: store, Provider: world}
	bBefore, _ := planner.Plan(ctx, b.ID)
	x := &Executor{Log: log, Store: store, Provider: world, Planner: planner,
		Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }}
	if _, err := x.Confirm(ctx, a.ID, plan.Hash, "a"); err != ErrWrongName {
		t.Fatalf("wrong typed name: %v", err)
	}
	if _, err := x.Confirm(ctx, a.ID, "0000000000000000", a.Name); err != ErrPlanChanged {
		t.Fatalf("stale hash: %v", err)
	}
	job, err := x.Confirm(ctx, a.ID, plan.Hash, a.Name)
	if err != nil {
		t.Fatal(err)
	}
	// Kill it partway (cancel after a few waits), then resume with a fresh executor.
	runCtx, cancel := context.WithCancel(ctx)
	var waits atomic.Int32
	x.Sleep = func(ctx context.Context, d time.Duration) error {
		if waits.Add(1) == 3 {
			cancel()
		}
		clock.Advance(d)
		return ctx.Err()
	}
	if err := x.Run(runCtx, job.ID); err == nil {
		t.Fatal("the interrupted cleanup reported success")
	}
	x2 := &Executor{Log: log, Store: store, Provider: world, Planner: planner,
		Sleep: func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }}
	if err := x2.Run(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	done, _ := store.Job(ctx, job.ID)
	if done.State != "done" || done.Error != "" || done.Counts()["done"] != len(plan.Items) {
		for _, ji := range done.Items {
			if ji.State != "done" {
				t.Logf("%s %s %s %s", ji.Key, ji.State, ji.Step, ji.Detail)
			}
		}
		t.Fatalf("cleanup job = %s %q %v", done.State, done.Error, done.Counts())
	}
	// Verify: nothing of A is left; B and the decoys are untouched.
	after, _ := planner.Plan(ctx, a.ID)
	if len(after.Items) != 0 {
		t.Fatalf("after cleanup, %d of A's resources remain: %+v", len(after.Items), after.Items)
	}
	// Check with the services themselves, not only the ledger.
	alarms, _ := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("TargetTracking-service/" + a.ID)})
	if n := len(alarms.MetricAlarms); n != 0 {
		t.Errorf("%d of A's alarms remain", n)
	}
	targets, _ := c.AutoScaling.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs})
	for _, st := range targets.ScalableTargets {
		if strings.Contains(aws.ToString(st.ResourceId), a.ID) {
			t.Errorf("A's scalable target %s remains", aws.ToString(st.ResourceId))
		}
	}
	for i := 1; i <= 10; i++ {
		if _, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(sandbox.RoleName(a.ID, fmt.Sprintf("s%02d", i)))}); err == nil {
			t.Errorf("A's role s%02d remains", i)
		}
	}
	bAfter, _ := planner.Plan(ctx, b.ID)
	if bAfter.Hash != bBefore.Hash || len(bAfter.Items) != len(bBefore.Items) {
		t.Fatalf("class B changed: %d items before, %d after", len(bBefore.Items), len(bAfter.Items))
	}
	for _, name := range []string{a.ID + "s99-cluster", a.ID + "s01-other"} {
		out, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{name}})
		if err != nil || len(out.Clusters) != 1 || aws.ToString(out.Clusters[0].Status) != "ACTIVE" {
			t.Errorf("decoy %s was touched: %v %+v", name, err, out)
		}
	}
	// Running the cleanup again is harmless: a fresh plan is empty.
	if again, _ := planner.Plan(ctx, a.ID); len(again.Items) != 0 {
		t.Errorf("a second plan has %d items", len(again.Items))
	}
}
