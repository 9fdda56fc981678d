package fargate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs"
)

// The usual mistakes (LABS.md Lab 2 and the seed walkthrough).
const (
	mistakeWrongPort = "wrong-port"
	mistakeNoMinMax  = "no-min-max"
	mistakeNoLoad    = "no-load"
)

// script is the lab as a student performs it, step by step.
func script() []labs.Step {
	return []labs.Step{
		{Name: "create the cluster", Think: 40 * time.Second, Do: createCluster},
		{Name: "register the task definition", Think: 90 * time.Second, Do: registerTaskDef},
		{Name: "create the target group", Think: 60 * time.Second, Do: createTargetGroup},
		{Name: "create the load balancer", Think: 60 * time.Second, Do: createLoadBalancer},
		{Name: "add the :80 listener", Think: 30 * time.Second, Do: createListener},
		{Name: "create the service", Think: 90 * time.Second, Do: createService},
		{Name: "stop a task", Think: 60 * time.Second, Do: stopTask},
		{Name: "register the scalable target", Think: 90 * time.Second, Do: registerScalable},
		{Name: "add the target-tracking policy", Think: 60 * time.Second, Do: putPolicy},
		{Name: "start the load test", Think: 30 * time.Second, Do: startLoad},
		{Name: "stop the load test", Think: 8 * time.Minute, Do: stopLoad},
	}
}

func tags(t labs.Target) []ecstypes.Tag {
	return []ecstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(t.ClassID)}, {Key: aws.String("labdash:student"), Value: aws.String(t.StudentID)},
		{Key: aws.String("labdash:lab"), Value: aws.String(ID)}, {Key: aws.String("labdash:managed-by"), Value: aws.String("student")}}
}

func elbTags(t labs.Target) []elbtypes.Tag {
	var out []elbtypes.Tag
	for _, tg := range tags(t) {
		out = append(out, elbtypes.Tag{Key: tg.Key, Value: tg.Value})
	}
	return out
}

// alreadyExists lets a rerun step succeed: a student clicking twice gets the same resource.
func alreadyExists(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "Duplicate") || strings.Contains(err.Error(), "already exists"))
}

func createCluster(ctx context.Context, e *labs.Env) error {
	_, err := e.C.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(clusterName(e.T)), Tags: tags(e.T)})
	return err
}

func registerTaskDef(ctx context.Context, e *labs.Env) error {
	_, err := e.C.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(family(e.T)),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		NetworkMode:             ecstypes.NetworkModeAwsvpc,
		Cpu:                     aws.String("256"),
		Memory:                  aws.String("512"),
		ExecutionRoleArn:        aws.String("arn:aws:iam::" + e.C.Account + ":role/ecsTaskExecutionRole"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("hello"), Image: aws.String("nginxdemos/hello"), Essential: aws.Bool(true),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80), Protocol: ecstypes.TransportProtocolTcp}},
		}},
		Tags: tags(e.T),
	})
	return err
}

func vpc(ctx context.Context, e *labs.Env) (string, []string, error) {
	vpcs, err := e.C.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil || len(vpcs.Vpcs) == 0 {
		return "", nil, fmt.Errorf("no VPC: %w", err)
	}
	id := aws.ToString(vpcs.Vpcs[0].VpcId)
	subs, err := e.C.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil {
		return "", nil, err
	}
	var ids []string
	for _, s := range subs.Subnets {
		if aws.ToString(s.VpcId) == id {
			ids = append(ids, aws.ToString(s.SubnetId))
		}
	}
	return id, ids, nil
}

func createTargetGroup(ctx context.Context, e *labs.Env) error {
	vpcID, _, err := vpc(ctx, e)
	if err != nil {
		return err
	}
	out, err := e.C.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{
		Name: aws.String(tgName(e.T)), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80), VpcId: aws.String(vpcID),
		TargetType: elbtypes.TargetTypeEnumIp, HealthCheckPath: aws.String("/"), Tags: elbTags(e.T),
	})
	if err != nil {
		return err
	}
	e.Memo["tg"] = aws.ToString(out.TargetGroups[0].TargetGroupArn)
	return nil
}

func createLoadBalancer(ctx context.Context, e *labs.Env) error {
	_, subnets, err := vpc(ctx, e)
	if err != nil {
		return err
	}
	out, err := e.C.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name: aws.String(lbName(e.T)), Subnets: subnets, SecurityGroups: []string{e.Stack["AlbSecurityGroupId"]},
		Scheme: elbtypes.LoadBalancerSchemeEnumInternetFacing, Type: elbtypes.LoadBalancerTypeEnumApplication, Tags: elbTags(e.T),
	})
	if err != nil {
		return err
	}
	e.Memo["lb"] = aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	return nil
}

func createListener(ctx context.Context, e *labs.Env) error {
	_, err := e.C.ELBv2.CreateListener(ctx, &elbv2.CreateListenerInput{
		LoadBalancerArn: aws.String(e.Memo["lb"]), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(e.Memo["tg"])}},
		Tags:           elbTags(e.T),
	})
	return err
}

func createService(ctx context.Context, e *labs.Env) error {
	_, subnets, err := vpc(ctx, e)
	if err != nil {
		return err
	}
	port := int32(80)
	if e.Persona.Makes(mistakeWrongPort) {
		port = 8080
	}
	_, err = e.C.ECS.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String(clusterName(e.T)), ServiceName: aws.String(serviceName(e.T)), TaskDefinition: aws.String(family(e.T)),
		DesiredCount: aws.Int32(2), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: subnets, SecurityGroups: []string{e.Stack["TaskSecurityGroupId"]}, AssignPublicIp: ecstypes.AssignPublicIpEnabled}},
		LoadBalancers: []ecstypes.LoadBalancer{{TargetGroupArn: aws.String(e.Memo["tg"]), ContainerName: aws.String("hello"), ContainerPort: aws.Int32(port)}},
		Tags:          tags(e.T), PropagateTags: ecstypes.PropagateTagsService, EnableECSManagedTags: true,
	})
	return err
}

func stopTask(ctx context.Context, e *labs.Env) error {
	svc, err := e.C.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(clusterName(e.T)), Services: []string{serviceName(e.T)}})
	if err != nil {
		return err
	}
	if len(svc.Services) == 0 || svc.Services[0].RunningCount < 2 {
		return labs.ErrNotYet // the student waits for both tasks before stopping one
	}
	tasks, err := e.C.ECS.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(clusterName(e.T)), ServiceName: aws.String(serviceName(e.T))})
	if err != nil {
		return err
	}
	if len(tasks.TaskArns) == 0 {
		return labs.ErrNotYet
	}
	_, err = e.C.ECS.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String(clusterName(e.T)), Task: aws.String(tasks.TaskArns[0]), Reason: aws.String("Stopped by the student to watch it replaced")})
	return err
}

func resourceID(e *labs.Env) string {
	return "service/" + clusterName(e.T) + "/" + serviceName(e.T)
}

func registerScalable(ctx context.Context, e *labs.Env) error {
	lo, hi := int32(1), int32(4)
	if e.Persona.Makes(mistakeNoMinMax) {
		lo, hi = 2, 2 // leaves the console's defaults: nothing to scale between
	}
	_, err := e.C.AutoScaling.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(resourceID(e)),
		ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, MinCapacity: aws.Int32(lo), MaxCapacity: aws.Int32(hi),
	})
	return err
}

func putPolicy(ctx context.Context, e *labs.Env) error {
	lb, tg := e.Memo["lb"], e.Memo["tg"]
	if lb == "" || tg == "" {
		return errors.New("no load balancer or target group noted")
	}
	label := arnSuffix(lb, "app/") + "/" + arnSuffix(tg, "targetgroup/")
	_, err := e.C.AutoScaling.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{
		PolicyName: aws.String(e.T.Prefix + "requests"), ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(resourceID(e)),
		ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{
			TargetValue: aws.Float64(1),
			PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{
				PredefinedMetricType: aastypes.MetricTypeALBRequestCountPerTarget, ResourceLabel: aws.String(label)},
		},
	})
	return err
}

func startLoad(_ context.Context, e *labs.Env) error {
	if e.Persona.Makes(mistakeNoLoad) || e.Load == nil {
		return nil
	}
	return e.Load(e.Memo["lb"], 0.5) // 30 requests a minute: well above 1 per target
}

func stopLoad(_ context.Context, e *labs.Env) error {
	if e.Load == nil {
		return nil
	}
	return e.Load(e.Memo["lb"], 0)
}
