package cleanup

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cleanup/resources"
)

// TestPlanCoversTheClassAndNothingElse builds two classes on one simulated account —
// both provisioned, both with virtual students through the Fargate lab — plus decoys,
// and checks that class A's plan holds every resource A owns and none of B's or the decoys'.
func TestPlanCoversTheClassAndNothingElse(t *testing.T) {
	f := newFixture(t)
	ctx, store, world, c := f.ctx, f.store, f.world, f.c
	a, b := f.class("A", 10), f.class("B", 3)
	f.build(a, b)
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
	store.Record(ctx, db.LedgerEntry{ClassID: a.ID, Student: "s01", ARN: "arn:aws:frob:us-east-1:111122223333:widget/" + a.ID + "s01-w", Type: "AWS::Frob::Widget", Region: "us-east-1", Account: "111122223333", FoundBy: "tag"})
	if _, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(a.ID + "s42-cluster")}); err != nil {
		t.Fatal(err)
	}
	store.Record(ctx, db.LedgerEntry{ClassID: a.ID, Student: "s42", ARN: "arn:aws:ecs:us-east-1:111122223333:cluster/" + a.ID + "s42-cluster", Type: "AWS::ECS::Cluster", Region: "us-east-1", Account: "111122223333", FoundBy: "prefix"})

	plan, err := (&Planner{Store: store, Provider: world, Registry: f.registry}).Plan(ctx, a.ID)
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
		"AWS::ElasticLoadBalancingV2::Listener": 10, "AWS::ApplicationAutoScaling::ScalableTarget": 10, "AWS::ApplicationAutoScaling::ScalingPolicy": 10} {
		if types[typ] < min {
			t.Errorf("plan has %d %s, want at least %d", types[typ], typ, min)
		}
	}
	// A target-tracking policy's two alarms go with it: not items of their own.
	for _, it := range plan.Items {
		if it.Type == "AWS::ApplicationAutoScaling::ScalingPolicy" && it.Children != 2 {
			t.Errorf("scaling policy %s takes %d alarms with it, want its 2 target-tracking alarms", it.ARN, it.Children)
		}
		if it.Type == "AWS::CloudWatch::Alarm" && strings.HasPrefix(resources.Last(it.ARN, ":alarm:"), "TargetTracking-") {
			t.Errorf("target-tracking alarm %s planned on its own", it.ARN)
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
	if r := skipped["arn:aws:frob:us-east-1:111122223333:widget/"+a.ID+"s01-w"]; !strings.Contains(r, "does not handle this type") {
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
	again, _ := (&Planner{Store: store, Provider: world, Registry: f.registry}).Plan(ctx, a.ID)
	if again.Hash != plan.Hash {
		t.Errorf("hash changed between two plans of an unchanged class: %s vs %s", plan.Hash, again.Hash)
	}

}
