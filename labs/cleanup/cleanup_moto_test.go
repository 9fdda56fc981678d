package cleanup

// The decoy scenario on moto, for the resource types moto serves: the engine's
// real aws-sdk-go-v2 path (tagging sweep, listers, deleters, guard) against a
// loopback AWS double.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/cloud"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/sandbox"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// motoSeed builds one student's Fargate lab by hand on moto (awstest.SeedFargate).
func motoSeed(t testing.TB, ctx context.Context, c *cloud.Clients, vpc string, subnets []string, classID, student string) {
	t.Helper()
	awstest.SeedFargate(t, ctx, c, vpc, subnets, classID, student)
}

// TestCleanupDecoysOnMoto: classes A (3 students) and B (2), provisioned by the real
// provisioner and built by hand on moto, plus the decoys; A's cleanup deletes what
// A owns and leaves every decoy and all of B's resources describing exactly as before.
func TestCleanupDecoysOnMoto(t *testing.T) {
	awstest.Reset(t)
	ctx := context.Background()
	provider := awstest.NewProvider(t, awsprovider.Options{})
	c, err := provider.Clients(ctx, "", awstest.Region)
	if err != nil {
		t.Fatal(err)
	}
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "moto.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	store.CreateUser(ctx, u)
	vpcs, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil || len(vpcs.Vpcs) == 0 {
		t.Fatalf("moto has no default VPC: %v", err)
	}
	vpc := aws.ToString(vpcs.Vpcs[0].VpcId)
	subs, _ := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	subnets := []string{aws.ToString(subs.Subnets[0].SubnetId), aws.ToString(subs.Subnets[1].SubnetId)}
	mk := func(name string, n int) *db.Class {
		cl := &db.Class{Name: name, OwnerID: u.ID, Regions: []string{awstest.Region}, Isolation: db.IsolationShared, Labs: []string{fargate.ID}}
		if err := store.CreateClass(ctx, cl); err != nil {
			t.Fatal(err)
		}
		var rows []db.NewStudent
		for i := 1; i <= n; i++ {
			rows = append(rows, db.NewStudent{Name: fmt.Sprintf("%s %d", name, i), Email: fmt.Sprintf("%s%d@example.edu", strings.ToLower(name), i)})
		}
		sts, _, err := store.AddStudents(ctx, cl.ID, rows)
		if err != nil {
			t.Fatal(err)
		}
		p := &sandbox.Provisioner{Log: log, Store: store, Registry: catalog.New(), Provider: provider,
			Sleep: func(ctx context.Context, d time.Duration) error { time.Sleep(10 * time.Millisecond); return ctx.Err() }}
		job, err := p.Start(ctx, cl.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Run(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		for _, st := range sts {
			motoSeed(t, ctx, c, vpc, subnets, cl.ID, st.Slug)
		}
		return cl
	}
	a, b := mk("A", 3), mk("B", 2)

	// Decoys, as on the simulator.
	var d decoys
	for _, cl := range []struct {
		name  string
		class string
	}{{a.ID + "s01-borrowed", b.ID}, {a.ID + "s99-cluster", ""}, {a.ID + "s01-other", "czzzz"}} {
		in := &ecs.CreateClusterInput{ClusterName: aws.String(cl.name)}
		if cl.class != "" {
			in.Tags = []ecstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(cl.class)}}
		}
		if _, err := c.ECS.CreateCluster(ctx, in); err != nil {
			t.Fatal(err)
		}
		d.clusters = append(d.clusters, cl.name)
	}
	for _, sg := range []struct{ name, class string }{{a.ID + "s02-web", "czzzz"}, {a.ID + "-s01-web", ""}, {"shared-web", ""}} {
		in := &ec2.CreateSecurityGroupInput{GroupName: aws.String(sg.name), Description: aws.String("decoy"), VpcId: aws.String(vpc)}
		if sg.class != "" {
			in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: []ec2types.Tag{{Key: aws.String("labdash:class"), Value: aws.String(sg.class)}}}}
		}
		out, err := c.EC2.CreateSecurityGroup(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		d.sgs = append(d.sgs, aws.ToString(out.GroupId))
	}
	d.unread = d.sgs[2]
	store.Record(ctx, db.LedgerEntry{ClassID: a.ID, Student: "s03", ARN: c.ARN("ec2", "security-group/"+d.unread), Type: "AWS::EC2::SecurityGroup", Region: awstest.Region, Account: c.Account, FoundBy: "tag"})
	d.logGroups = []string{b.ID + "s01-notes"}
	// B's resources: its ledger (provisioned) plus what its students built, by ARN.
	d.b, _ = store.Ledger(ctx, b.ID, "")
	bPlan, err := (&Planner{Store: store, Provider: provider, Registry: catalog.New()}).Plan(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range bPlan.Items {
		d.b = append(d.b, db.LedgerEntry{ARN: it.ARN, Type: it.Type})
	}
	before := describeDecoys(t, ctx, c, d)

	faults := &sim.Faults{Deny: map[string]bool{d.unread: true}}
	planner := &Planner{Store: store, Provider: provider, Registry: catalog.New(), Intercept: faults.Intercept}
	plan, err := planner.Plan(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, it := range plan.Items {
		types[it.Type]++
		for _, s := range []string{"s99", "-s01-web", "borrowed", "other", "shared-web", b.ID} {
			if strings.Contains(it.ARN, s) {
				t.Errorf("decoy %s is in the plan (%s)", it.ARN, it.Proof)
			}
		}
	}
	t.Logf("plan on moto: %d items, %d skipped, by type %v", len(plan.Items), len(plan.Skipped), types)
	for _, it := range plan.Skipped {
		t.Logf("skipped %s: %s", it.ARN, it.Reason)
	}
	for typ, want := range map[string]int{"AWS::IAM::ManagedPolicy": 2, "AWS::IAM::Role": 3, "AWS::CloudFormation::Stack": 3, "AWS::ECS::Cluster": 3,
		"AWS::ECS::Service": 3, "AWS::ECS::TaskDefinition": 3, "AWS::ElasticLoadBalancingV2::LoadBalancer": 3, "AWS::ElasticLoadBalancingV2::TargetGroup": 3,
		"AWS::ElasticLoadBalancingV2::Listener": 3, "AWS::ApplicationAutoScaling::ScalableTarget": 3, "AWS::ApplicationAutoScaling::ScalingPolicy": 3,
		"AWS::EC2::SecurityGroup": 3, "AWS::Logs::LogGroup": 3, "AWS::CloudWatch::Alarm": 3} {
		if types[typ] < want {
			t.Errorf("plan has %d %s, want at least %d", types[typ], typ, want)
		}
	}
	x := &Executor{Log: log, Store: store, Provider: provider, Planner: planner,
		Sleep: func(ctx context.Context, d time.Duration) error { time.Sleep(5 * time.Millisecond); return ctx.Err() }}
	job, err := x.Confirm(ctx, a.ID, plan.Hash, a.Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Run(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	done, _ := store.Job(ctx, job.ID)
	for _, ji := range done.Items {
		if ji.State != db.ItemDone {
			t.Errorf("%s: %s %s %s", ji.Key, ji.State, ji.Step, ji.Detail)
		}
	}
	// Not verified, and only because the security group the ledger names could
	// not be read.
	if done.Outcome != db.OutcomeNotVerified || !strings.Contains(done.Error, d.unread) || strings.Contains(done.Error, "of the class left") || strings.Contains(done.Error, "failed:") {
		t.Errorf("job: %s: %s", done.Outcome, done.Error)
	}
	if after, _ := (&Planner{Store: store, Provider: provider, Registry: catalog.New()}).Plan(ctx, a.ID); len(after.Items) != 0 {
		for _, it := range after.Items {
			t.Errorf("left on moto: %s %s", it.Type, it.ARN)
		}
	}
	if got := describeDecoys(t, ctx, c, d); got != before {
		t.Errorf("a decoy or a resource of class B changed on moto:\nbefore %s\nafter  %s", clip(before, 3000), clip(got, 3000))
	}
}
