package awsprovider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/cloud"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

// student is how one seeded student did the Fargate lab.
type student struct {
	id string
	// Task definition.
	compat      ecstypes.Compatibility
	networkMode ecstypes.NetworkMode
	port        int32
	// Scalable target and policy.
	min, max int32
	metric   aastypes.MetricType
}

// network is the VPC the class's load balancers and services live in.
type network struct {
	vpc     string
	subnets []string // two, in two AZs
	sg      string   // the tasks' security group
}

// createNetwork creates a VPC with one subnet in each of two AZs. The narrow
// cloud.EC2 interface has no CreateVpc (labdash never creates VPCs, LABS.md §3), so
// the test reaches the provider's real *ec2.Client behind it, which also proves
// Clients hands out the SDK's own clients.
func createNetwork(t *testing.T, ctx context.Context, c *cloud.Clients) network {
	t.Helper()
	e, ok := c.EC2.(*ec2.Client)
	if !ok {
		t.Fatalf("Clients.EC2 is %T, want *ec2.Client", c.EC2)
	}
	vpc, err := e.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	n := network{vpc: aws.ToString(vpc.Vpc.VpcId)}
	for i, az := range []string{"us-east-1a", "us-east-1b"} {
		sub, err := e.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, AvailabilityZone: aws.String(az), CidrBlock: aws.String(fmt.Sprintf("10.20.%d.0/24", i))})
		if err != nil {
			t.Fatal(err)
		}
		n.subnets = append(n.subnets, aws.ToString(sub.Subnet.SubnetId))
	}
	// moto 5.2.5 needs securityGroups in a service's awsvpcConfiguration (AWS
	// defaults it to the VPC's default group): without one CreateService fails
	// with a 500 (KeyError: 'securityGroups' in moto/ecs/models.py
	// _validate_network). So the seed passes a group, as a careful student would.
	sg, err := c.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("tasks"), Description: aws.String("Fargate tasks"), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	n.sg = aws.ToString(sg.GroupId)
	// The narrow interface sees them.
	subs, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{n.vpc}}}})
	if err != nil || len(subs.Subnets) != 2 {
		t.Fatalf("DescribeSubnets of the new VPC: %d subnets, %v", len(subs.Subnets), err)
	}
	return n
}

// seedStudent builds one student's Fargate lab through the provider's clients, the
// shape of labs/monitor's seedClass: cluster, task definition, target group, ALB,
// :80 listener, 2-task service, scalable target and target-tracking policy, each
// tagged labdash:class and labdash:student so fargate.Observe's tag sweep finds them.
func seedStudent(t *testing.T, ctx context.Context, c *cloud.Clients, net network, tgt labs.Target, s student) {
	t.Helper()
	p := tgt.Prefix
	tag := []ecstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(tgt.ClassID)}, {Key: aws.String("labdash:student"), Value: aws.String(tgt.StudentID)}}
	etag := []elbtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(tgt.ClassID)}, {Key: aws.String("labdash:student"), Value: aws.String(tgt.StudentID)}}
	cluster := p + "cluster"

	if _, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(cluster), Tags: tag}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(p + "hello"), RequiresCompatibilities: []ecstypes.Compatibility{s.compat}, NetworkMode: s.networkMode,
		Cpu: aws.String("256"), Memory: aws.String("512"), Tags: tag,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("hello"), Image: aws.String("nginxdemos/hello"), Essential: aws.Bool(true), Memory: aws.Int32(512),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(s.port), Protocol: ecstypes.TransportProtocolTcp}}}},
	}); err != nil {
		t.Fatal(err)
	}
	tg, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(p + "tg"), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
		TargetType: elbtypes.TargetTypeEnumIp, VpcId: aws.String(net.vpc), Tags: etag})
	if err != nil {
		t.Fatal(err)
	}
	lb, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(p + "alb"), Subnets: net.subnets,
		Type: elbtypes.LoadBalancerTypeEnumApplication, Scheme: elbtypes.LoadBalancerSchemeEnumInternetFacing, Tags: etag})
	if err != nil {
		t.Fatal(err)
	}
	tgARN, lbARN := tg.TargetGroups[0].TargetGroupArn, lb.LoadBalancers[0].LoadBalancerArn
	if _, err := c.ELBv2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lbARN, Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tgARN}}}); err != nil {
		t.Fatal(err)
	}
	svc := &ecs.CreateServiceInput{Cluster: aws.String(cluster), ServiceName: aws.String(p + "svc"), TaskDefinition: aws.String(p + "hello"),
		DesiredCount: aws.Int32(2), Tags: tag, PropagateTags: ecstypes.PropagateTagsService,
		LoadBalancers: []ecstypes.LoadBalancer{{TargetGroupArn: tgARN, ContainerName: aws.String("hello"), ContainerPort: aws.Int32(s.port)}}}
	if s.compat == ecstypes.CompatibilityFargate {
		svc.LaunchType = ecstypes.LaunchTypeFargate
		svc.NetworkConfiguration = &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: net.subnets, SecurityGroups: []string{net.sg}, AssignPublicIp: ecstypes.AssignPublicIpEnabled}}
	} else {
		svc.LaunchType = ecstypes.LaunchTypeEc2
	}
	if _, err := c.ECS.CreateService(ctx, svc); err != nil {
		t.Fatalf("%v\nmoto: %s", err, tail(awstest.Logs(), 3000))
	}
	rid := aws.String("service/" + cluster + "/" + p + "svc")
	if _, err := c.AutoScaling.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: rid,
		ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, MinCapacity: aws.Int32(s.min), MaxCapacity: aws.Int32(s.max)}); err != nil {
		t.Fatal(err)
	}
	spec := &aastypes.PredefinedMetricSpecification{PredefinedMetricType: s.metric}
	if s.metric == aastypes.MetricTypeALBRequestCountPerTarget {
		spec.ResourceLabel = aws.String(arnFrom(aws.ToString(lbARN), "app/") + "/" + arnFrom(aws.ToString(tgARN), "targetgroup/"))
	}
	if _, err := c.AutoScaling.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String(p + "requests"), ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: rid, ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(1), PredefinedMetricSpecification: spec}}); err != nil {
		t.Fatal(err)
	}
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// runTasks starts two tasks of the student's service by hand and stops one, so
// Observe's ListTasks and DescribeTasks read real task shapes. moto 5.2.5 cannot
// run an awsvpc (Fargate) task: RunTask fails with a 500 (AttributeError:
// 'NetworkInterface' object has no attribute 'private_dns_name' in
// moto/ecs/models.py Task.__init__), and without a container-level memory with
// "TypeError: unsupported operand type(s) for +=: 'int' and 'NoneType'". So this
// runs the EC2/bridge student's definition on a registered container instance, in
// the service's group as the scheduler would. Neither operation is in cloud.ECS,
// so the test uses the provider's real clients behind the interfaces.
func runTasks(t *testing.T, ctx context.Context, c *cloud.Clients, net network, tgt labs.Target) {
	t.Helper()
	e, ec := c.ECS.(*ecs.Client), c.EC2.(*ec2.Client)
	cluster := aws.String(tgt.Prefix + "cluster")
	ri, err := ec.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(net.subnets[0])})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(map[string]string{"instanceId": aws.ToString(ri.Instances[0].InstanceId)})
	if _, err := e.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{Cluster: cluster, InstanceIdentityDocument: aws.String(string(doc))}); err != nil {
		t.Fatal(err)
	}
	run, err := e.RunTask(ctx, &ecs.RunTaskInput{Cluster: cluster, TaskDefinition: aws.String(tgt.Prefix + "hello"), Count: aws.Int32(2),
		LaunchType: ecstypes.LaunchTypeEc2, Group: aws.String("service:" + tgt.Prefix + "svc")})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Tasks) != 2 {
		t.Fatalf("RunTask started %d tasks, want 2 (failures %v)", len(run.Tasks), run.Failures)
	}
	if _, err := c.ECS.StopTask(ctx, &ecs.StopTaskInput{Cluster: cluster, Task: run.Tasks[0].TaskArn, Reason: aws.String("lab step: stop a task")}); err != nil {
		t.Fatal(err)
	}
}

// arnFrom returns arn from marker on: "app/NAME/ID", "targetgroup/NAME/ID".
func arnFrom(arn, marker string) string {
	if i := strings.Index(arn, marker); i >= 0 {
		return arn[i:]
	}
	return arn
}

// TestFargateChecksOnMoto proves the Fargate lab's batched Observe and its
// checkpoints read the real API shapes: students are seeded in moto through the
// real provider's clients, fargate.Observe reads them back through the same
// clients, and each checkpoint is judged on what moto returned.
//
// moto's dynamics are static: it starts no tasks for a service (runningCount stays
// 0), so "service", "healthy", "selfheal", "scaleout" and "scalein" stay pending
// here, and its alarms never leave INSUFFICIENT_DATA. Those checkpoints are proven
// on the simulator (labs/catalog/fargate/checks_test.go, labs/monitor).
func TestFargateChecksOnMoto(t *testing.T) {
	awstest.Reset(t)
	ctx := context.Background()
	counter := cloud.NewCallCounter(nil, "aws")
	p := awstest.NewProvider(t, awsprovider.Options{Counter: counter})
	c, err := p.Clients(ctx, "", awstest.Region)
	if err != nil {
		t.Fatal(err)
	}
	net := createNetwork(t, ctx, c)

	const class = "c7k2q"
	correct := student{id: "s01", compat: ecstypes.CompatibilityFargate, networkMode: ecstypes.NetworkModeAwsvpc, port: 80, min: 1, max: 4, metric: aastypes.MetricTypeALBRequestCountPerTarget}
	// The lab's usual mistakes (fargate.Lab().Mistakes): container port 8080 and a
	// scalable target without the lab's min and max.
	wrongPort := student{id: "s02", compat: ecstypes.CompatibilityFargate, networkMode: ecstypes.NetworkModeAwsvpc, port: 8080, min: 2, max: 2, metric: aastypes.MetricTypeALBRequestCountPerTarget}
	// A task definition for EC2 in bridge mode, and a policy on the wrong metric.
	// (Asking for FARGATE with bridge is refused by AWS; moto silently rewrites it
	// to awsvpc, so the realistic bridge mistake is an EC2-only definition.)
	wrongMode := student{id: "s03", compat: ecstypes.CompatibilityEc2, networkMode: ecstypes.NetworkModeBridge, port: 8080, min: 1, max: 4, metric: aastypes.MetricTypeECSServiceAverageCPUUtilization}

	var targets []labs.Target
	for _, s := range []student{correct, wrongPort, wrongMode} {
		tgt := labs.NewTarget(class, s.id, awstest.Account, awstest.Region)
		seedStudent(t, ctx, c, net, tgt, s)
		targets = append(targets, tgt)
	}
	runTasks(t, ctx, c, net, targets[2])
	// A student of another class must not be observed.
	seedStudent(t, ctx, c, net, labs.NewTarget("zz9zz", "s01", awstest.Account, awstest.Region), correct)

	obs, err := fargate.Observe(ctx, c, nil, targets)
	if err != nil {
		t.Fatalf("fargate.Observe on moto: %v", err)
	}
	if len(obs) != len(targets) {
		t.Fatalf("observed %d students, want %d", len(obs), len(targets))
	}
	for _, tgt := range targets {
		o := obs[tgt.StudentID].(*fargate.Observation)
		if len(o.Problems) > 0 {
			t.Errorf("%s: read problems: %v", tgt.StudentID, o.Problems)
		}
		if o.Cluster == nil || o.TaskDef == nil || o.LoadBalancer == nil || len(o.TargetGroups) != 1 || len(o.Listeners) != 1 || o.Service == nil || o.Scalable == nil || len(o.Policies) != 1 {
			t.Errorf("%s: incomplete observation: cluster %v, taskdef %v, lb %v, %d target groups, %d listeners, service %v, scalable %v, %d policies",
				tgt.StudentID, o.Cluster != nil, o.TaskDef != nil, o.LoadBalancer != nil, len(o.TargetGroups), len(o.Listeners), o.Service != nil, o.Scalable != nil, len(o.Policies))
		}
		if o.LoadBalancer != nil && len(o.LoadBalancer.AvailabilityZones) != 2 {
			t.Errorf("%s: load balancer in %d AZs, want 2", tgt.StudentID, len(o.LoadBalancer.AvailabilityZones))
		}
		if o.Service != nil {
			t.Logf("%s: service %s desired %d running %d pending %d, %d deployments; %d alarms; %d tasks",
				tgt.StudentID, aws.ToString(o.Service.Status), o.Service.DesiredCount, o.Service.RunningCount, o.Service.PendingCount, len(o.Service.Deployments), len(o.Alarms), len(o.Tasks))
		}
	}

	if o := obs["s03"].(*fargate.Observation); len(o.Tasks) != 1 || len(o.Stopped) != 1 || len(o.Tasks[0].Containers) != 1 {
		t.Errorf("s03: %d running and %d stopped tasks read, want 1 and 1 with their container", len(o.Tasks), len(o.Stopped))
	} else {
		t.Logf("s03: task %s lastStatus %s; stopped %s lastStatus %s stopCode %q", aws.ToString(o.Tasks[0].TaskArn), aws.ToString(o.Tasks[0].LastStatus),
			aws.ToString(o.Stopped[0].TaskArn), aws.ToString(o.Stopped[0].LastStatus), o.Stopped[0].StopCode)
	}

	lab := fargate.Lab()
	results := map[string]map[string]labs.Result{}
	for _, tgt := range targets {
		results[tgt.StudentID] = map[string]labs.Result{}
		for _, cp := range lab.Checkpoints {
			r := cp.Check(obs[tgt.StudentID])
			results[tgt.StudentID][cp.ID] = r
			t.Logf("%s %-8s %-7s %s", tgt.StudentID, cp.ID, r.Status, r.Evidence)
		}
	}

	tests := []struct {
		student, checkpoint string
		status              labs.Status
		evidence            string // a substring the evidence must name
	}{
		{"s01", "cluster", labs.Pass, "c7k2qs01-cluster is ACTIVE"},
		{"s01", "taskdef", labs.Pass, "c7k2qs01-hello:1 runs nginxdemos/hello on port 80"},
		// moto creates a load balancer "provisioning" and reports it "active" from
		// the first DescribeLoadBalancers on, which is Observe's read.
		{"s01", "alb", labs.Pass, "c7k2qs01-alb active in 2 AZs; :80 forwards to c7k2qs01-tg"},
		{"s01", "policy", labs.Pass, "tracks ALBRequestCountPerTarget = 1"},
		// Static dynamics: the service exists with 2 desired and 0 running.
		{"s01", "service", labs.Pending, "desired 2, running 0"},
		// moto creates the policy's alarms (TargetTracking-service/…-AlarmHigh-…) in
		// state OK where AWS starts them INSUFFICIENT_DATA; either way not ALARM.
		{"s01", "alarm", labs.Pending, "AlarmHigh is OK"},

		{"s02", "cluster", labs.Pass, "c7k2qs02-cluster is ACTIVE"},
		{"s02", "taskdef", labs.Fail, "container hello does not map port 80"},
		{"s02", "policy", labs.Fail, "min 2 and max 2; the lab asks for 1 and 4"},

		{"s03", "taskdef", labs.Fail, "c7k2qs03-hello:1 does not require FARGATE compatibility"},
		{"s03", "policy", labs.Fail, "does not track ALBRequestCountPerTarget"},
		// moto's StopTask sets no stopCode (AWS sets UserInitiated), so the
		// stopped task is read but not recognised as stopped by hand.
		{"s03", "selfheal", labs.Pending, "no task stopped by hand"},
	}
	for _, tc := range tests {
		t.Run(tc.student+"/"+tc.checkpoint, func(t *testing.T) {
			r := results[tc.student][tc.checkpoint]
			if r.Status != tc.status || !strings.Contains(r.Evidence, tc.evidence) {
				t.Errorf("got %s %q, want %s naming %q", r.Status, r.Evidence, tc.status, tc.evidence)
			}
		})
	}

	// The batched reads went through the provider's counter: once for the class,
	// DescribeServices once per cluster (each student has their own here).
	calls := counter.Snapshot()
	for k, want := range map[string]int64{"tagging:GetResources": 1, "ecs:DescribeClusters": 1, "ecs:DescribeServices": int64(len(targets)),
		"elbv2:DescribeLoadBalancers": 1, "elbv2:DescribeTargetGroups": 1, "application-autoscaling:DescribeScalableTargets": 1,
		"application-autoscaling:DescribeScalingPolicies": 1, "cloudwatch:DescribeAlarms": 1, "cloudwatch:GetMetricData": 1,
		"ecs:ListTasks": 2 * int64(len(targets)), "ecs:DescribeTasks": 2} {
		if calls[k] != want {
			t.Errorf("%s: %d calls, want %d", k, calls[k], want)
		}
	}
}
