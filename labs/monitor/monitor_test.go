package monitor

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

func ceil(a, b int) int { return int(math.Ceil(float64(a) / float64(b))) }

// seedClass builds n students' Fargate resources in the simulator, spread over
// `clusters` shared clusters, each student with a load balancer, target group,
// listener, a 2-task service and a target-tracking policy.
func seedClass(t *testing.T, ctx context.Context, c *cloud.Clients, classID string, n, clusters int) {
	t.Helper()
	tag := func(student string) []ecstypes.Tag {
		return []ecstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(classID)}, {Key: aws.String("labdash:student"), Value: aws.String(student)}}
	}
	etag := func(student string) []elbtypes.Tag {
		return []elbtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(classID)}, {Key: aws.String("labdash:student"), Value: aws.String(student)}}
	}
	vpcs, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	subs, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var subnets []string
	for _, s := range subs.Subnets {
		subnets = append(subnets, aws.ToString(s.SubnetId))
	}
	for k := 0; k < clusters; k++ {
		if _, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(fmt.Sprintf("%sshared%d-cluster", classID, k)), Tags: tag("shared")}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= n; i++ {
		slug := fmt.Sprintf("s%02d", i)
		p := classID + slug + "-"
		cluster := fmt.Sprintf("%sshared%d-cluster", classID, i%clusters)
		if _, err := c.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(p + "hello"),
			RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, NetworkMode: ecstypes.NetworkModeAwsvpc,
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("hello"), Image: aws.String("nginxdemos/hello"), PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}}}}); err != nil {
			t.Fatal(err)
		}
		tg, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(p + "tg"), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
			TargetType: elbtypes.TargetTypeEnumIp, VpcId: vpcs.Vpcs[0].VpcId, Tags: etag(slug)})
		if err != nil {
			t.Fatal(err)
		}
		lb, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(p + "alb"), Subnets: subnets, Tags: etag(slug)})
		if err != nil {
			t.Fatal(err)
		}
		tgARN, lbARN := tg.TargetGroups[0].TargetGroupArn, lb.LoadBalancers[0].LoadBalancerArn
		if _, err := c.ELBv2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lbARN, Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tgARN}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ECS.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(cluster), ServiceName: aws.String(p + "svc"), TaskDefinition: aws.String(p + "hello"),
			DesiredCount: aws.Int32(2), LaunchType: ecstypes.LaunchTypeFargate,
			NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: subnets}},
			LoadBalancers:        []ecstypes.LoadBalancer{{TargetGroupArn: tgARN, ContainerName: aws.String("hello"), ContainerPort: aws.Int32(80)}},
			Tags:                 tag(slug), PropagateTags: ecstypes.PropagateTagsService}); err != nil {
			t.Fatal(err)
		}
		rid := aws.String("service/" + cluster + "/" + p + "svc")
		if _, err := c.AutoScaling.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: rid,
			ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(4)}); err != nil {
			t.Fatal(err)
		}
		label := fmt.Sprintf("%s/%s", tail(aws.ToString(lbARN), "app/"), tail(aws.ToString(tgARN), "targetgroup/"))
		if _, err := c.AutoScaling.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String(p + "requests"), ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: rid,
			ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
			TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(1),
				PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeALBRequestCountPerTarget, ResourceLabel: aws.String(label)}}}); err != nil {
			t.Fatal(err)
		}
	}
}

func tail(s, marker string) string {
	for i := 0; i+len(marker) <= len(s); i++ {
		if s[i:i+len(marker)] == marker {
			return s[i:]
		}
	}
	return s
}

// TestMonitorBatching: 30 students over 3 clusters cost no more calls per cycle than
// 1.2 × the batching lower bound, counted by the shared AWS call counter.
func TestMonitorBatching(t *testing.T) {
	ctx := context.Background()
	const n, clusters = 30, 3
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	counter := cloud.NewCallCounter(nil, "sim")
	world := sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 7})
	c, err := world.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	store.CreateUser(ctx, u)
	class := &db.Class{Name: "batch", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{fargate.ID}}
	store.CreateClass(ctx, class)
	var rows []db.NewStudent
	for i := 1; i <= n; i++ {
		rows = append(rows, db.NewStudent{Name: fmt.Sprintf("S%d", i), Email: fmt.Sprintf("s%d@example.edu", i)})
	}
	if _, _, err := store.AddStudents(ctx, class.ID, rows); err != nil {
		t.Fatal(err)
	}
	seedClass(t, ctx, c, class.ID, n, clusters)
	clock.Advance(10 * time.Minute)

	reg := labs.NewRegistry()
	reg.Register(fargate.Lab())
	var published int
	m := New(slog.New(slog.NewTextHandler(io.Discard, nil)), store, reg, world, Options{Publish: func(u []Update) { published += len(u) }})
	if err := m.Cycle(ctx); err != nil { // warms the task-definition cache
		t.Fatal(err)
	}
	clock.Advance(30 * time.Second)
	before := counter.Snapshot()
	if err := m.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	after := counter.Snapshot()
	calls := map[string]int{}
	total := 0
	for k, v := range after {
		if d := int(v - before[k]); d > 0 {
			calls[k] = d
			total += d
		}
	}
	// The lower bound from the APIs' limits (LABS.md §3): what no batching can avoid.
	tasks := 2 * n
	lower := map[string]int{
		"tagging:GetResources":                            ceil(clusters+3*n, 100),
		"ecs:DescribeClusters":                            ceil(clusters, 100),
		"ecs:DescribeServices":                            clusters * ceil(n/clusters, 10),
		"ecs:ListTasks":                                   2 * clusters, // running and stopped, per cluster
		"ecs:DescribeTasks":                               clusters * ceil(tasks/clusters, 100),
		"elbv2:DescribeLoadBalancers":                     ceil(n, 20),
		"elbv2:DescribeTargetGroups":                      ceil(n, 20),
		"elbv2:DescribeListeners":                         n, // one load balancer per call
		"elbv2:DescribeTargetHealth":                      n, // one target group per call
		"application-autoscaling:DescribeScalableTargets": ceil(n, 50),
		"application-autoscaling:DescribeScalingPolicies": ceil(n, 50),
		"cloudwatch:DescribeAlarms":                       ceil(2*n, 100),
		"cloudwatch:GetMetricData":                        ceil(n, 500),
	}
	bound := 0
	for _, v := range lower {
		bound += v
	}
	t.Logf("calls per cycle: %d (lower bound %d): %v", total, bound, calls)
	if float64(total) > 1.2*float64(bound) {
		t.Fatalf("%d calls per cycle; budget is 1.2 × %d = %.0f", total, bound, 1.2*float64(bound))
	}
	if calls["ecs:DescribeServices"] != lower["ecs:DescribeServices"] {
		t.Errorf("DescribeServices: %d calls, want %d (10 services per call per cluster)", calls["ecs:DescribeServices"], lower["ecs:DescribeServices"])
	}
	if calls["cloudwatch:DescribeAlarms"] != 1 {
		t.Errorf("DescribeAlarms: %d calls, want 1 by class prefix", calls["cloudwatch:DescribeAlarms"])
	}
	if published == 0 {
		t.Error("the monitor published nothing")
	}
	// What the students created is in the ledger, found by tag, once.
	ledger, err := store.Ledger(ctx, class.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, e := range ledger {
		kinds[e.Type]++
		if e.FoundBy != "tag" || e.Student == "" {
			t.Errorf("ledger entry %+v not attributed to a student by tag", e)
		}
	}
	for _, k := range []string{"AWS::ECS::Service", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::ElasticLoadBalancingV2::Listener", "AWS::CloudWatch::Alarm"} {
		if kinds[k] < n {
			t.Errorf("ledger has %d %s, want %d: %v", kinds[k], k, n, kinds)
		}
	}
	// Checkpoint transitions reached SQLite.
	res, err := store.ClassResults(ctx, class.ID)
	if err != nil || len(res) != n*len(fargate.Lab().Checkpoints) {
		t.Fatalf("stored %d results, want %d: %v", len(res), n*len(fargate.Lab().Checkpoints), err)
	}
}

// TestUntaggedResourcesFoundByPrefix: a student who creates the cluster, load balancer
// and target group without the class tags is still seen (by the lab's names) and the
// resources enter the ledger as found by prefix.
func TestUntaggedResourcesFoundByPrefix(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333"})
	c, _ := world.Clients(ctx, "", "us-east-1")
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	store.CreateUser(ctx, u)
	class := &db.Class{Name: "prefix", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{fargate.ID}}
	store.CreateClass(ctx, class)
	store.AddStudents(ctx, class.ID, []db.NewStudent{{Name: "A", Email: "a@example.edu"}, {Name: "B", Email: "b@example.edu"}})
	p := class.ID + "s01-"
	if _, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(p + "cluster")}); err != nil {
		t.Fatal(err)
	}
	vpcID, subnets := world.ClassVPC("111122223333", "us-east-1")
	if _, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(p + "tg"), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp, TargetType: elbtypes.TargetTypeEnumIp, VpcId: aws.String(vpcID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(p + "alb"), Subnets: subnets}); err != nil {
		t.Fatal(err)
	}
	reg := labs.NewRegistry()
	reg.Register(fargate.Lab())
	m := New(slog.New(slog.NewTextHandler(io.Discard, nil)), store, reg, world, Options{})
	if err := m.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	ledger, _ := store.Ledger(ctx, class.ID, "s01")
	found := map[string]string{}
	for _, e := range ledger {
		found[e.Type] = e.FoundBy
	}
	for _, typ := range []string{"AWS::ECS::Cluster", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup"} {
		if found[typ] != "prefix" {
			t.Errorf("%s found by %q, want prefix (ledger %v)", typ, found[typ], found)
		}
	}
	if other, _ := store.Ledger(ctx, class.ID, "s02"); len(other) != 0 {
		t.Errorf("student s02 got %d ledger entries for resources that are not theirs", len(other))
	}
	cells := m.ClassSnapshot(class.ID)
	if r := cells["s01"][fargate.ID].Results[0]; r.Status != labs.Pass {
		t.Errorf("cluster checkpoint of the untagged student: %+v", r)
	}
}
