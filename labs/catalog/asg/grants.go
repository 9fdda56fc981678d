package asg

import (
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// grants are what a Lab 8 student may do in a shared account: read groups,
// templates, instances, Spot requests and prices; create a launch template only
// tagged as theirs (its ARN carries an id, never the name, so the tag is the
// fence) and delete only theirs; create an Auto Scaling group only under their
// name prefix and tagged as theirs, and update or delete only those. Creating or
// updating a group with a launch template also needs ec2:RunInstances on that
// template (EC2 Auto Scaling checks it), granted only on templates tagged as the
// student's: no student can build a group from another's template, and, having
// no RunInstances on instance/*, none can launch an instance directly. The
// group's own launches run as the account's Auto Scaling service-linked role,
// which the sandbox makes beforehand (the boundary denies creating it).
func grants(g labs.GrantScope) []authz.Statement {
	group := g.ARN("autoscaling", "autoScalingGroup:*:autoScalingGroupName/"+g.Prefix()+"*")
	lt := g.ARN("ec2", "launch-template/*")
	tagOnCreate := labs.Allow("ASGTagTemplateOnCreate", []string{"ec2:CreateTags"}, lt)
	tagOnCreate.Condition = map[string]any{"StringEquals": map[string]any{"ec2:CreateAction": "CreateLaunchTemplate"}}
	return []authz.Statement{
		g.InRegions(labs.Allow("ASGRead", []string{"autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities",
			"ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions", "ec2:DescribeInstances", "ec2:DescribeSpotInstanceRequests",
			"ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"}, "*")),
		g.InRegions(g.CreateTagged("ASGCreateTemplateTagged", []string{"ec2:CreateLaunchTemplate"}, lt)),
		g.InRegions(tagOnCreate),
		g.InRegions(g.OnTagged("ASGMyTemplates", []string{"ec2:DeleteLaunchTemplate"}, lt)),
		// RunInstances names every resource a launch uses, and parliament (from the
		// Service Authorization Reference) wants each required type in the statement.
		// All of them must be tagged as the student's, which only their launch
		// templates can be: EC2 Auto Scaling's check of the group's template passes,
		// a direct launch (a public AMI, the account's subnets) does not.
		g.InRegions(g.OnTagged("ASGRunFromMyTemplates", []string{"ec2:RunInstances"}, lt,
			"arn:aws:ec2:*::image/*", g.ARN("ec2", "instance/*"), g.ARN("ec2", "network-interface/*"),
			g.ARN("ec2", "security-group/*"), g.ARN("ec2", "subnet/*"), g.ARN("ec2", "volume/*"))),
		g.InRegions(g.CreateTagged("ASGCreateGroupTagged", []string{"autoscaling:CreateAutoScalingGroup"}, group)),
		g.InRegions(g.OnTagged("ASGMyGroups", []string{"autoscaling:UpdateAutoScalingGroup", "autoscaling:DeleteAutoScalingGroup"}, group)),
	}
}
