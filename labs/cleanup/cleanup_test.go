package cleanup

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/sandbox"
)

// decoys are resources class A's cleanup must not touch.
type decoys struct {
	clusters  []string // names
	sgs       []string // ids
	logGroups []string // names
	unread    string   // a security group whose tags the planner cannot read
	b         []db.LedgerEntry
}

// addDecoys makes, next to classes A and B: resources named with A's prefix but
// tagged for B (another class's, same name prefix), untagged look-alikes, resources
// tagged for another class, and a security group labdash once recorded for A whose
// tags can no longer be read.
func (f *fixture) addDecoys(a, b *db.Class) decoys {
	t, ctx, c := f.t, f.ctx, f.c
	var d decoys
	tag := func(class string) []ecstypes.Tag {
		return []ecstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(class)}, {Key: aws.String("labdash:student"), Value: aws.String("s01")}}
	}
	for _, cl := range []struct {
		name string
		tags []ecstypes.Tag
	}{{a.ID + "s01-borrowed", tag(b.ID)}, {a.ID + "s99-cluster", nil}, {a.ID + "s1-cluster", nil}, {a.ID + "s01-other", tag("czzzz")}} {
		if _, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(cl.name), Tags: cl.tags}); err != nil {
			t.Fatal(err)
		}
		d.clusters = append(d.clusters, cl.name)
	}
	vpcs, _ := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	mkSG := func(name, class string) string {
		in := &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String("decoy"), VpcId: vpcs.Vpcs[0].VpcId}
		if class != "" {
			in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup,
				Tags: []ec2types.Tag{{Key: aws.String("labdash:class"), Value: aws.String(class)}}}}
		}
		out, err := c.EC2.CreateSecurityGroup(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.GroupId)
	}
	d.sgs = []string{mkSG(a.ID+"s02-web", "czzzz"), mkSG(a.ID+"s02-b", b.ID), mkSG(a.ID+"-s01-web", ""), mkSG("shared-web", "")}
	d.unread = d.sgs[3]
	// The ledger says A once owned it (found by tag); its tags cannot be read now.
	if _, err := f.store.Record(ctx, db.LedgerEntry{ClassID: a.ID, Student: "s03", ARN: c.ARN("ec2", "security-group/"+d.unread),
		Type: "AWS::EC2::SecurityGroup", Region: "us-east-1", Account: c.Account, FoundBy: "tag"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{a.ID + "-s01-logs", "/ecs/" + b.ID + "s01-app"} {
		if _, err := c.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		d.logGroups = append(d.logGroups, name)
	}
	d.b, _ = f.store.Ledger(ctx, b.ID, "")
	if len(d.b) < 20 {
		t.Fatalf("class B's ledger has only %d entries", len(d.b))
	}
	return d
}

// snapshot describes every decoy and every resource of class B, as AWS returns them.
func (f *fixture) snapshot(d decoys) string { return describeDecoys(f.t, f.ctx, f.c, d) }

// describeDecoys is the JSON of describing every decoy and every ledger entry of class B.
func describeDecoys(t testing.TB, ctx context.Context, c *cloud.Clients, d decoys) string {
	var out []any
	add := func(v any, err error) {
		if err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		out = append(out, v)
	}
	add(c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: d.clusters, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags}}))
	add(c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: d.sgs}))
	for _, lg := range d.logGroups {
		add(c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(lg)}))
	}
	for _, e := range d.b {
		switch e.Type {
		case "AWS::ECS::Cluster":
			add(c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{e.ARN}, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags}}))
		case "AWS::ECS::Service":
			cl, name, _ := strings.Cut(strings.SplitN(e.ARN, ":service/", 2)[1], "/")
			add(c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cl), Services: []string{name}, Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags}}))
		case "AWS::ECS::TaskDefinition":
			add(c.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(e.ARN)}))
		case "AWS::ElasticLoadBalancingV2::LoadBalancer":
			add(c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{e.ARN}}))
			add(c.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(e.ARN)}))
		case "AWS::ElasticLoadBalancingV2::TargetGroup":
			add(c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{e.ARN}}))
		case "AWS::CloudFormation::Stack":
			add(c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(e.ARN)}))
		case "AWS::IAM::Role":
			add(c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(e.ARN[strings.LastIndex(e.ARN, "/")+1:])}))
		case "AWS::IAM::ManagedPolicy":
			add(c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(e.ARN)}))
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// settle lets class B's services reach their steady state (scale-in done) so that
// only labdash could change them from here on.
func (f *fixture) settle() {
	for i := 0; i < 60; i++ {
		f.clock.Advance(time.Minute)
		f.world.Clients(f.ctx, "", "us-east-1") // each call steps the world
	}
}

// TestCleanupRemovesOwnedAndLeavesDecoysByteForByte is the scenario the issue
// asks for: a 10-student class with every Fargate-lab resource, another class, and
// decoys; the cleanup is killed halfway and resumed by a fresh executor; after it
// every resource A owned is gone, nothing was deleted twice, and every decoy and
// every resource of B describes exactly as before.
func TestCleanupRemovesOwnedAndLeavesDecoysByteForByte(t *testing.T) {
	f := newFixture(t)
	a, b := f.class("A", 10), f.class("B", 3)
	f.build(a, b)
	d := f.addDecoys(a, b)
	f.settle()
	before := f.snapshot(d)

	faults := &sim.Faults{Deny: map[string]bool{d.unread: true}} // its tags cannot be read
	planner := f.planner()
	planner.Intercept = faults.Intercept
	plan, err := planner.Plan(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, it := range plan.Items {
		types[it.Type]++
		for _, s := range []string{"s99", "-s01-", "s1-", "borrowed", "other", "shared-web", b.ID} {
			if strings.Contains(it.ARN, s) {
				t.Errorf("decoy %s is in the plan (%s)", it.ARN, it.Proof)
			}
		}
	}
	t.Logf("plan: %d items, %d skipped, $%.3f/h, by type %v", len(plan.Items), len(plan.Skipped), plan.HourlyUSD, types)
	for typ, want := range map[string]int{"AWS::IAM::ManagedPolicy": 2, "AWS::IAM::Role": 10, "AWS::CloudFormation::Stack": 10,
		"AWS::ECS::Cluster": 10, "AWS::ECS::Service": 10, "AWS::ECS::TaskDefinition": 10, "AWS::ElasticLoadBalancingV2::LoadBalancer": 10,
		"AWS::ElasticLoadBalancingV2::TargetGroup": 10, "AWS::ElasticLoadBalancingV2::Listener": 10,
		"AWS::ApplicationAutoScaling::ScalableTarget": 10, "AWS::ApplicationAutoScaling::ScalingPolicy": 10} {
		if types[typ] < want {
			t.Errorf("plan has %d %s, want at least %d", types[typ], typ, want)
		}
	}
	reasons := map[string]string{}
	for _, it := range plan.Skipped {
		reasons[it.ARN] = it.Reason
	}
	if r := reasons[f.c.ARN("ec2", "security-group/"+d.unread)]; !strings.Contains(r, "tags could not be read") {
		t.Errorf("the security group with unreadable tags: reason %q, want it skipped because its tags could not be read", r)
	}
	if r := reasons[f.c.ARN("ec2", "security-group/"+d.sgs[0])]; !strings.Contains(r, "czzzz") {
		t.Errorf("the look-alike tagged for class czzzz: reason %q, want it skipped naming that class", r)
	}

	x := f.executor()
	x.Planner = planner
	job, err := x.Confirm(f.ctx, a.ID, plan.Hash, a.Name)
	if err != nil {
		t.Fatal(err)
	}
	// Kill it halfway: cancel once a third of the items are done, then drop the
	// executor and resume the job from the database with a fresh one.
	runCtx, cancel := context.WithCancel(f.ctx)
	var once sync.Once
	var deletes atomic.Int32
	x.Intercept = func(ctx context.Context, call cloud.Call) error {
		if call.Mutating && strings.HasPrefix(call.Op, "Delete") && deletes.Add(1) == int32(len(plan.Items)/3) {
			once.Do(cancel)
		}
		return nil
	}
	if err := x.Run(runCtx, job.ID); err == nil {
		t.Fatal("the interrupted cleanup reported success")
	}
	mid, _ := f.store.Job(f.ctx, job.ID)
	if mid.State != db.JobRunning || mid.Counts()[db.ItemDone] == 0 || mid.Counts()[db.ItemDone] == len(plan.Items) {
		t.Fatalf("after the kill: job %s with %v, want it running and part done", mid.State, mid.Counts())
	}
	t.Logf("killed with %v", mid.Counts())
	x2 := f.executor()
	x2.Planner = planner
	if err := x2.Run(f.ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	done, _ := f.store.Job(f.ctx, job.ID)
	// Everything planned is deleted; the job is not verified all the same, because
	// one resource the ledger names could not be read, and says so.
	if done.State != db.JobDone || done.Counts()[db.ItemDone] != len(plan.Items) || done.Outcome != db.OutcomeNotVerified ||
		!strings.Contains(done.Error, d.unread) || strings.Contains(done.Error, "of the class left") || strings.Contains(done.Error, "failed:") {
		for _, ji := range done.Items {
			if ji.State != db.ItemDone {
				t.Logf("%s %s %s %s", ji.Key, ji.State, ji.Step, ji.Detail)
			}
		}
		t.Fatalf("cleanup job = %s %s %q %v; want done, every item deleted, not verified because of %s only", done.State, done.Outcome, done.Error, done.Counts(), d.unread)
	}
	// Every owned resource is gone: a fresh plan (which reads AWS) finds nothing,
	// and each deletion was recorded exactly once.
	after, err := f.planner().Plan(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Items) != 0 {
		t.Fatalf("after cleanup, %d of A's resources remain: %+v", len(after.Items), after.Items)
	}
	for _, it := range plan.Items {
		if n := f.auditCount(a.ID, "cleanup.delete", it.ARN); n != 1 {
			t.Errorf("%s deleted %d times, want once", it.ARN, n)
		}
		if typ, _ := resources.Lookup(it.Type); typ.Tags != nil {
			if _, err := typ.Tags(f.ctx, f.c, it.Ref); err == nil {
				t.Errorf("%s still exists", it.ARN)
			}
		}
	}
	for i := 1; i <= 10; i++ {
		if _, err := f.c.ECS.DescribeClusters(f.ctx, &ecs.DescribeClustersInput{Clusters: []string{a.ID + "s01-cluster"}}); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.snapshot(d); got != before {
		t.Errorf("a decoy or a resource of class B changed:\nbefore %s\nafter  %s", clip(before, 3000), clip(got, 3000))
	}
	for _, action := range []string{"cleanup.confirm", "cleanup.verify"} {
		if f.auditCount(a.ID, action, "") != 1 {
			t.Errorf("audit log has no single %s entry", action)
		}
	}
	// Running the cleanup again is harmless: its plan is empty and so is its job.
	again, _ := f.planner().Plan(f.ctx, a.ID)
	job2, err := f.executor().Confirm(f.ctx, a.ID, again.Hash, a.Name)
	if err != nil || len(job2.Items) != 0 {
		t.Fatalf("second cleanup: %v, %d items", err, len(job2.Items))
	}
	if err := f.executor().Run(f.ctx, job2.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.snapshot(d); got != before {
		t.Error("the second cleanup changed a decoy")
	}
}

// TestCleanupCopesWithFaults injects AWS's misbehaviour on the executor's clients:
// 20 % of calls throttled, a security group in use for its first two delete
// attempts, and AccessDenied on one resource. The denied resource is reported
// as terminal while everything else is deleted.
func TestCleanupCopesWithFaults(t *testing.T) {
	f := newFixture(t)
	a := f.class("A", 5)
	f.build(a)
	// Hand-made, tagged resources: a security group and a log group per student.
	vpcs, _ := f.c.EC2.DescribeVpcs(f.ctx, &ec2.DescribeVpcsInput{})
	out, err := f.c.EC2.CreateSecurityGroup(f.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(a.ID + "s01-extra"), Description: aws.String("hand-made"),
		VpcId: vpcs.Vpcs[0].VpcId, TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup,
			Tags: []ec2types.Tag{{Key: aws.String("labdash:class"), Value: aws.String(a.ID)}, {Key: aws.String("labdash:student"), Value: aws.String("s01")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	sg := aws.ToString(out.GroupId)
	logGroup := a.ID + "s02-notes"
	if _, err := f.c.Logs.CreateLogGroup(f.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(logGroup),
		Tags: map[string]string{"labdash:class": a.ID, "labdash:student": "s02"}}); err != nil {
		t.Fatal(err)
	}
	faults := &sim.Faults{Throttle: 0.2, Seed: 3,
		FailFirst: map[string]sim.Fail{sg: {N: 2, Code: "DependencyViolation"}},
		Deny:      map[string]bool{logGroup: true}}
	x := f.executor()
	x.Intercept = faults.Intercept
	sgAttempts := 0
	x.Intercept = func(ctx context.Context, call cloud.Call) error {
		if call.Op == "DeleteSecurityGroup" && strings.Contains(strings.Join(cloud.Identifiers(call.Op, call.Input), ","), sg) {
			sgAttempts++
		}
		return faults.Intercept(ctx, call)
	}
	plan, job := f.confirmAndRun(x, a)
	injected := faults.Injected()
	t.Logf("%d items; injected %v; job %s %v", len(plan.Items), injected, job.State, job.Counts())
	if injected["ThrottlingException"] < 10 || injected["DependencyViolation"] != 2 || injected["AccessDenied"] == 0 {
		t.Fatalf("faults not injected as asked: %v", injected)
	}
	if job.State != db.JobDone || job.Counts()[db.ItemFailed] != 1 || job.Counts()[db.ItemDone] != len(plan.Items)-1 {
		t.Fatalf("job %s %v, want done with exactly the denied resource failed", job.State, job.Counts())
	}
	for _, ji := range job.Items {
		switch {
		case strings.HasSuffix(ji.Key, ":log-group:"+logGroup):
			if ji.State != db.ItemFailed || !strings.Contains(ji.Detail, "AccessDenied") {
				t.Errorf("denied log group: %s %q, want failed with AccessDenied", ji.State, ji.Detail)
			}
		case ji.State != db.ItemDone:
			t.Errorf("%s: %s %s %q", ji.Key, ji.State, ji.Step, ji.Detail)
		}
	}
	if sgAttempts < 3 {
		t.Errorf("security group deleted after %d attempts, want the 2 DependencyViolations retried", sgAttempts)
	}
	if !strings.Contains(job.Error, "1 failed") || !strings.Contains(job.Error, logGroup) {
		t.Errorf("job error %q should name the one failure and the leftover", job.Error)
	}
}

// TestCleanupWaitsForGlobalAccelerator: a student's accelerator (in us-west-2,
// whatever the class's region) with a listener and an endpoint group; every
// change stays IN_PROGRESS for 8 simulated minutes. The cleanup deletes the
// endpoint group, then the listener, disables the accelerator, waits while it is
// IN_PROGRESS — not failing it — and then deletes it.
func TestCleanupWaitsForGlobalAccelerator(t *testing.T) {
	f := newFixture(t)
	a := f.classWithLabs("A", 1, fargate.ID, "ga")
	f.build(a)
	f.world.SetGADeployTime(8 * time.Minute)
	ga, err := f.world.Clients(f.ctx, "", "us-west-2")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := ga.GlobalAccelerator.CreateAccelerator(f.ctx, &globalaccelerator.CreateAcceleratorInput{Name: aws.String(a.ID + "s01-ga"),
		IdempotencyToken: aws.String("t1"), Enabled: aws.Bool(true),
		Tags: []gatypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(a.ID)}, {Key: aws.String("labdash:student"), Value: aws.String("s01")}}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := ga.GlobalAccelerator.CreateListener(f.ctx, &globalaccelerator.CreateListenerInput{AcceleratorArn: acc.Accelerator.AcceleratorArn,
		IdempotencyToken: aws.String("t2"), Protocol: gatypes.ProtocolTcp, PortRanges: []gatypes.PortRange{{FromPort: aws.Int32(80), ToPort: aws.Int32(80)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ga.GlobalAccelerator.CreateEndpointGroup(f.ctx, &globalaccelerator.CreateEndpointGroupInput{ListenerArn: l.Listener.ListenerArn,
		EndpointGroupRegion: aws.String("us-east-1"), IdempotencyToken: aws.String("t3")}); err != nil {
		t.Fatal(err)
	}
	accARN := aws.ToString(acc.Accelerator.AcceleratorArn)
	x := f.executor()
	var describes atomic.Int32
	x.Intercept = func(ctx context.Context, call cloud.Call) error {
		if call.Op == "DescribeAccelerator" {
			describes.Add(1)
		}
		return nil
	}
	plan, job := f.confirmAndRun(x, a)
	types := map[string]bool{}
	for _, it := range plan.Items {
		if strings.HasPrefix(it.Type, "AWS::GlobalAccelerator::") {
			types[it.Type] = it.Region == "us-west-2"
		}
	}
	if len(types) != 3 || !types["AWS::GlobalAccelerator::Accelerator"] || !types["AWS::GlobalAccelerator::Listener"] || !types["AWS::GlobalAccelerator::EndpointGroup"] {
		t.Fatalf("plan's Global Accelerator items (type → in us-west-2): %v", types)
	}
	if job.State != db.JobDone || job.Error != "" {
		t.Fatalf("job %s %q %v", job.State, job.Error, job.Counts())
	}
	if waits := describes.Load(); waits < 3 {
		t.Errorf("the accelerator was described %d times: the cleanup did not wait through IN_PROGRESS", waits)
	}
	if _, err := ga.GlobalAccelerator.DescribeAccelerator(f.ctx, &globalaccelerator.DescribeAcceleratorInput{AcceleratorArn: aws.String(accARN)}); err == nil {
		t.Error("the accelerator still exists")
	}
}

// rogue is a type whose deleter, wrongly, deletes something else: the guard must
// stop it.
const rogueType = "AWS::Test::Rogue"

var rogueTarget atomic.Value // the cluster name the rogue deleter tries to delete

func init() {
	resources.Register(resources.Type{
		Name:       rogueType,
		Gone:       []resources.NotFound{{Code: "ClusterNotFoundException"}},
		Untaggable: true,
		Match:      func(arn string) bool { return strings.HasPrefix(arn, "arn:aws:test:") },
		Delete: func(ctx context.Context, c *cloud.Clients, r resources.Ref) error {
			_, err := c.ECS.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String(rogueTarget.Load().(string))})
			return err
		},
		Targets: func(r resources.Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}

// TestGuardRefusesACallOutsideThePlan: a job item whose deleter tries to delete a
// cluster that is not in the plan is refused by the guard in the client stack; the
// cluster survives, the refusal is in the item, the audit log and the log.
func TestGuardRefusesACallOutsideThePlan(t *testing.T) {
	f := newFixture(t)
	a := f.class("A", 1)
	victim := "not-the-class-cluster"
	if _, err := f.c.ECS.CreateCluster(f.ctx, &ecs.CreateClusterInput{ClusterName: aws.String(victim)}); err != nil {
		t.Fatal(err)
	}
	rogueTarget.Store(victim)
	it := Item{Ref: resources.Ref{ARN: "arn:aws:test:us-east-1:111122223333:rogue/1", Type: rogueType, Region: "us-east-1", Student: "s01"}, Proof: "test"}
	b, _ := json.Marshal(it)
	job, err := f.store.CreateJobWithItems(f.ctx, a.ID, JobKind, []db.JobItem{{Key: it.ARN, Payload: string(b)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.executor().Run(f.ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	out, err := f.c.ECS.DescribeClusters(f.ctx, &ecs.DescribeClustersInput{Clusters: []string{victim}})
	if err != nil || len(out.Clusters) != 1 || aws.ToString(out.Clusters[0].Status) != "ACTIVE" {
		t.Fatalf("the cluster outside the plan was touched: %v %+v", err, out)
	}
	done, _ := f.store.Job(f.ctx, job.ID)
	if ji := done.Items[0]; ji.State != db.ItemFailed || ji.Step != "refused" || !strings.Contains(ji.Detail, victim) {
		t.Errorf("item %s/%s %q, want failed/refused naming %s", ji.State, ji.Step, ji.Detail, victim)
	}
	if f.auditCount(a.ID, "cleanup.refused", victim) != 1 {
		t.Error("the refusal is not in the audit log")
	}

	// The guard itself: reads pass; mutating calls pass only on the plan's own
	// targets; a parent alone or no identifier at all is refused.
	svc := resources.Ref{ARN: "arn:aws:ecs:us-east-1:111122223333:service/c1s01-cluster/c1s01-svc", Type: "AWS::ECS::Service"}
	g := resources.Guard([]resources.Ref{svc}, nil)
	for _, tc := range []struct {
		call cloud.Call
		ok   bool
	}{
		{cloud.Call{Op: "DescribeClusters", Input: &ecs.DescribeClustersInput{Clusters: []string{"anything"}}}, true},
		{cloud.Call{Op: "DeleteService", Mutating: true, Input: &ecs.DeleteServiceInput{Cluster: aws.String("c1s01-cluster"), Service: aws.String("c1s01-svc")}}, true},
		{cloud.Call{Op: "DeleteService", Mutating: true, Input: &ecs.DeleteServiceInput{Cluster: aws.String("c1s01-cluster"), Service: aws.String("other-svc")}}, false},
		{cloud.Call{Op: "DeleteCluster", Mutating: true, Input: &ecs.DeleteClusterInput{Cluster: aws.String("c1s01-cluster")}}, false},
		{cloud.Call{Op: "DeleteCluster", Mutating: true, Input: &ecs.DeleteClusterInput{}}, false},
	} {
		err := g(f.ctx, tc.call)
		if (err == nil) != tc.ok {
			t.Errorf("%s %+v: err %v, want allowed=%v", tc.call.Op, cloud.Identifiers(tc.call.Op, tc.call.Input), err, tc.ok)
		}
	}
}

// TestCleanupOneStudent deletes one student's resources and nothing of the others'
// or the class's own (its policies).
func TestCleanupOneStudent(t *testing.T) {
	f := newFixture(t)
	a := f.class("A", 3)
	f.build(a)
	whole, _ := f.planner().Plan(f.ctx, a.ID)
	plan, err := f.planner().PlanFor(f.ctx, a.ID, "s02")
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Items) == 0 || plan.Hash == whole.Hash {
		t.Fatalf("one student's plan: %d items, hash %s", len(plan.Items), plan.Hash)
	}
	for _, it := range plan.Items {
		if it.Student != "s02" {
			t.Errorf("%s of %q is in s02's plan", it.ARN, it.Student)
		}
	}
	if _, err := f.planner().PlanFor(f.ctx, a.ID, "s42"); err == nil {
		t.Error("a plan for a student not on the roster was made")
	}
	x := f.executor()
	if _, err := x.ConfirmFor(f.ctx, a.ID, "s02", whole.Hash, a.Name); !errors.Is(err, ErrPlanChanged) {
		t.Fatalf("confirming s02 with the class's hash: %v, want ErrPlanChanged", err)
	}
	job, err := x.ConfirmFor(f.ctx, a.ID, "s02", plan.Hash, a.Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Run(f.ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	done, _ := f.store.Job(f.ctx, job.ID)
	if done.Scope != "s02" || done.State != db.JobDone || done.Error != "" {
		t.Fatalf("job scope %q state %s %q", done.Scope, done.State, done.Error)
	}
	rest, _ := f.planner().Plan(f.ctx, a.ID)
	if len(rest.Items) != len(whole.Items)-len(plan.Items) {
		t.Errorf("after cleaning s02: %d items left of %d, want %d", len(rest.Items), len(whole.Items), len(whole.Items)-len(plan.Items))
	}
	for _, it := range rest.Items {
		if it.Student == "s02" {
			t.Errorf("s02's %s is left", it.ARN)
		}
	}
}

// TestStackBlockedFromOutsideFailsClosed: a security group outside the class has a
// rule that refers to the class stack's group, so CloudFormation cannot delete the
// stack (DELETE_FAILED). labdash retries until its deadline, then reports the
// stack with the resource that blocks it, and never touches the outside group.
func TestStackBlockedFromOutsideFailsClosed(t *testing.T) {
	f := newFixture(t)
	a := f.class("A", 1)
	f.build(a)
	ledger, _ := f.store.Ledger(f.ctx, a.ID, "s01")
	stack := ""
	for _, e := range ledger {
		if e.Type == "AWS::CloudFormation::Stack" {
			stack = e.ARN
		}
	}
	res, err := f.c.CloudFormation.DescribeStackResources(f.ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(stack)})
	if err != nil {
		t.Fatal(err)
	}
	stackSG := ""
	for _, r := range res.StackResources {
		if aws.ToString(r.ResourceType) == "AWS::EC2::SecurityGroup" {
			stackSG = aws.ToString(r.PhysicalResourceId)
		}
	}
	if stackSG == "" {
		t.Fatal("the Fargate stack has no security group")
	}
	vpcs, _ := f.c.EC2.DescribeVpcs(f.ctx, &ec2.DescribeVpcsInput{})
	out, err := f.c.EC2.CreateSecurityGroup(f.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("team-bastion"), Description: aws.String("not the class's"), VpcId: vpcs.Vpcs[0].VpcId})
	if err != nil {
		t.Fatal(err)
	}
	outside := aws.ToString(out.GroupId)
	if _, err := f.c.EC2.AuthorizeSecurityGroupIngress(f.ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(outside),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(stackSG)}}}}}); err != nil {
		t.Fatal(err)
	}
	describe := func() string {
		o, err := f.c.EC2.DescribeSecurityGroups(f.ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{outside}})
		if err != nil {
			t.Fatal(err)
		}
		return snapshot(t, o.SecurityGroups)
	}
	before := describe()
	x := f.executor()
	x.Deadline = 5 * time.Minute
	_, job := f.confirmAndRun(x, a)
	var stackItem *db.JobItem
	for i, ji := range job.Items {
		if ji.Key == stack {
			stackItem = &job.Items[i]
		} else if ji.State != db.ItemDone {
			t.Errorf("%s: %s %q", ji.Key, ji.State, ji.Detail)
		}
	}
	if stackItem == nil || stackItem.State != db.ItemFailed || !strings.Contains(stackItem.Detail, "DELETE_FAILED") || !strings.Contains(stackItem.Detail, "AWS::EC2::SecurityGroup") {
		t.Fatalf("blocked stack: %+v, want failed naming DELETE_FAILED and the security group", stackItem)
	}
	t.Logf("stack reported: %s", stackItem.Detail)
	if got := describe(); got != before {
		t.Errorf("the outside security group was changed to unblock the stack:\nbefore %s\nafter  %s", before, got)
	}
	if !strings.Contains(job.Error, "1 failed") {
		t.Errorf("job error %q should report the failed stack", job.Error)
	}
}

// TestCleanupLabs5And7: students who went through the Global Accelerator and the
// X-Ray labs (virtual students on the simulator: accelerators in us-west-2,
// origins in two regions, Beanstalk, DynamoDB, SNS with an SQS subscription,
// X-Ray groups, the per-region prerequisite stacks) are cleaned up completely.
func TestCleanupLabs5And7(t *testing.T) {
	f := newFixture(t)
	c := &db.Class{Name: "Labs", OwnerID: f.user.ID, Regions: []string{"us-east-1", "eu-west-1"}, Isolation: db.IsolationShared, Labs: []string{"ga", "xray"}}
	if err := f.store.CreateClass(f.ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.store.AddStudents(f.ctx, c.ID, []db.NewStudent{{Name: "A", Email: "a@example.edu"}, {Name: "B", Email: "b@example.edu"}}); err != nil {
		t.Fatal(err)
	}
	p := &sandbox.Provisioner{Log: f.log, Store: f.store, Registry: f.registry, Provider: f.world,
		Sleep: func(ctx context.Context, d time.Duration) error { f.clock.Advance(d); return nil }}
	job, err := p.Start(f.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(f.ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	f.buildFor(30*time.Minute, c)
	plan, done := f.confirmAndRun(f.executor(), c)
	types := map[string]int{}
	for _, it := range plan.Items {
		types[it.Type]++
	}
	t.Logf("plan: %d items by type %v", len(plan.Items), types)
	for _, typ := range []string{"AWS::GlobalAccelerator::Accelerator", "AWS::GlobalAccelerator::Listener", "AWS::GlobalAccelerator::EndpointGroup",
		"AWS::CloudFormation::Stack", "AWS::IAM::Role"} {
		if types[typ] == 0 {
			t.Errorf("the plan has no %s", typ)
		}
	}
	if types["AWS::CloudFormation::Stack"] < 6 { // per student: GA in two regions, X-Ray once
		t.Errorf("%d stacks planned, want 6", types["AWS::CloudFormation::Stack"])
	}
	if done.State != db.JobDone || done.Error != "" {
		for _, ji := range done.Items {
			if ji.State != db.ItemDone {
				t.Logf("%s: %s %s %s", ji.Key, ji.State, ji.Step, ji.Detail)
			}
		}
		t.Fatalf("cleanup of labs 5 and 7: %s %q", done.State, done.Error)
	}
	after, _ := f.planner().Plan(f.ctx, c.ID)
	if len(after.Items) != 0 {
		t.Fatalf("%d left: %+v", len(after.Items), after.Items)
	}
	// The services agree: no accelerator, table, topic, queue, environment or group
	// of the class, once the deletions AWS finishes by itself (a table's DELETING) are over.
	f.clock.Advance(5 * time.Minute)
	west, _ := f.world.Clients(f.ctx, "", "us-west-2")
	accs, _ := west.GlobalAccelerator.ListAccelerators(f.ctx, &globalaccelerator.ListAcceleratorsInput{})
	for _, a := range accs.Accelerators {
		if strings.HasPrefix(aws.ToString(a.Name), c.ID) {
			t.Errorf("accelerator %s is left", aws.ToString(a.Name))
		}
	}
	tables, _ := f.c.DynamoDB.ListTables(f.ctx, &dynamodb.ListTablesInput{})
	for _, tb := range tables.TableNames {
		if strings.HasPrefix(tb, c.ID) {
			t.Errorf("table %s is left", tb)
		}
	}
	groups, _ := f.c.XRay.GetGroups(f.ctx, &xray.GetGroupsInput{})
	for _, g := range groups.Groups {
		if strings.HasPrefix(aws.ToString(g.GroupName), c.ID) {
			t.Errorf("X-Ray group %s is left", aws.ToString(g.GroupName))
		}
	}
}
