package awstest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs/cloud"
)

// SeedFargate builds one student's Fargate lab by hand on moto, tagged as labdash's
// boundary makes students tag, plus an untagged security group and log group named
// with the student's prefix (found by the listers).
func SeedFargate(t testing.TB, ctx context.Context, c *cloud.Clients, vpc string, subnets []string, classID, student string) {
	t.Helper()
	p := classID + student + "-"
	tag := []ecstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(classID)}, {Key: aws.String("labdash:student"), Value: aws.String(student)}}
	etag := []elbtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(classID)}, {Key: aws.String("labdash:student"), Value: aws.String(student)}}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s: %v\nmoto: %s", p, err, Logs()[max(0, len(Logs())-1500):])
		}
	}
	sg, err := c.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(p + "tasks"), Description: aws.String("tasks"), VpcId: aws.String(vpc)})
	must(sg, err)
	must(c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(p + "cluster"), Tags: tag}))
	must(c.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(p + "hello"), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"), Tags: tag,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("hello"), Image: aws.String("nginxdemos/hello"), Essential: aws.Bool(true), Memory: aws.Int32(512),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}}}}))
	tg, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(p + "tg"), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
		TargetType: elbtypes.TargetTypeEnumIp, VpcId: aws.String(vpc), Tags: etag})
	must(tg, err)
	lb, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(p + "alb"), Subnets: subnets, Tags: etag,
		SecurityGroups: []string{aws.ToString(sg.GroupId)}, Type: elbtypes.LoadBalancerTypeEnumApplication})
	must(lb, err)
	must(c.ELBv2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn, Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}}}))
	must(c.ECS.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(p + "cluster"), ServiceName: aws.String(p + "svc"), TaskDefinition: aws.String(p + "hello"),
		DesiredCount: aws.Int32(2), LaunchType: ecstypes.LaunchTypeFargate, Tags: tag,
		LoadBalancers:        []ecstypes.LoadBalancer{{TargetGroupArn: tg.TargetGroups[0].TargetGroupArn, ContainerName: aws.String("hello"), ContainerPort: aws.Int32(80)}},
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: subnets, SecurityGroups: []string{aws.ToString(sg.GroupId)}}}}))
	rid := aws.String("service/" + p + "cluster/" + p + "svc")
	must(c.AutoScaling.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: rid,
		ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(4)}))
	must(c.AutoScaling.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String(p + "cpu"), ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: rid, ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(50),
			PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeECSServiceAverageCPUUtilization}}}))
	must(c.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(p + "notes")}))
	must(c.CloudWatch.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(p + "high-cpu"), Namespace: aws.String("AWS/ECS"),
		MetricName: aws.String("CPUUtilization"), Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(80), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}))
}
