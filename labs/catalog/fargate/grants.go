package fargate

import (
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// grants are what a Fargate student may do in a shared account: create the lab's
// resources under their own name prefix and tagged as theirs, change only those,
// read what the console shows (task definitions cannot be deregistered: the
// reference gives ecs:DeregisterTaskDefinition no resource type to fence by name), and pass only the account's ecsTaskExecutionRole to
// ECS tasks. Application Auto Scaling names no student in its ARNs; it is fenced
// by the ECS service it scales (the caller also needs ecs:DescribeServices and
// ecs:UpdateService on that service, which only its owner has).
func grants(g labs.GrantScope) []authz.Statement {
	p := g.Prefix()
	ecs := func(r string) string { return g.ARN("ecs", r) }
	elb := func(r string) string { return g.ARN("elasticloadbalancing", r) }
	return []authz.Statement{
		g.InRegions(labs.Allow("FargateRead", []string{"ecs:Describe*", "ecs:List*", "elasticloadbalancing:Describe*", "application-autoscaling:Describe*",
			"cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics", "logs:Describe*", "logs:GetLogEvents"}, "*")),
		g.InRegions(g.CreateTagged("FargateCreateTagged", []string{"ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:CreateService",
			"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:CreateListener", "elasticloadbalancing:AddTags"},
			ecs("cluster/"+p+"*"), ecs("task-definition/"+p+"*:*"), ecs("service/"+p+"*/*"),
			elb("loadbalancer/app/"+p+"*/*"), elb("targetgroup/"+p+"*/*"), elb("listener/app/"+p+"*/*/*"))),
		g.InRegions(labs.Allow("FargateChangeMine", []string{"ecs:UpdateService", "ecs:DeleteService", "ecs:StopTask", "ecs:DeleteCluster",
			"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyLoadBalancerAttributes",
			"elasticloadbalancing:DeleteListener", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:CreateRule", "elasticloadbalancing:ModifyRule",
			"elasticloadbalancing:DeleteRule", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyTargetGroup",
			"elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"},
			ecs("cluster/"+p+"*"), ecs("service/"+p+"*/*"), ecs("task/"+p+"*/*"),
			elb("loadbalancer/app/"+p+"*/*"), elb("listener/app/"+p+"*/*/*"), elb("listener-rule/app/"+p+"*/*/*/*"), elb("targetgroup/"+p+"*/*"),
			// The reference lists the network load balancer's types as required too; a
			// student's own name prefix keeps them theirs.
			elb("loadbalancer/net/"+p+"*/*"), elb("listener/net/"+p+"*/*/*"), elb("listener-rule/net/"+p+"*/*/*/*"))),
		g.InRegions(labs.Allow("FargateScaling", []string{"application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget",
			"application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy"}, "*")),
		g.InRegions(labs.Allow("FargateMyAlarms", []string{"cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:SetAlarmState"},
			g.ARN("cloudwatch", "alarm:"+p+"*"), g.ARN("cloudwatch", "alarm:TargetTracking-service/"+p+"*"))),
		g.InRegions(labs.Allow("FargateMyLogs", []string{"logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DeleteLogGroup"},
			g.ARN("logs", "log-group:/ecs/"+p+"*"), g.ARN("logs", "log-group:/ecs/"+p+"*:*"))),
		{Sid: "FargatePassExecutionRole", Effect: "Allow", Action: "iam:PassRole", Resource: g.Global("iam", "role/ecsTaskExecutionRole"),
			Condition: map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
	}
}
