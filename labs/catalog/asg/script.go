package asg

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs"
)

func script() []labs.Step {
	return []labs.Step{
		{Name: "create the launch template", Think: 90 * time.Second, Do: createTemplate},
		{Name: "create the Auto Scaling group", Think: 120 * time.Second, Do: createGroup},
		{Name: "wait for the instances", Think: 60 * time.Second, Do: waitForMix},
		{Name: "look at the Spot requests", Think: 45 * time.Second, Do: lookAtRequests},
		{Name: "compare Spot and On-Demand prices", Think: 60 * time.Second, Do: comparePrices},
	}
}

// labTags are the lab's tags (LABS.md §0) as EC2 and Auto Scaling take them.
func labTags(t labs.Target) [][2]string {
	return [][2]string{{"labdash:class", t.ClassID}, {"labdash:student", t.StudentID}, {"labdash:lab", ID}, {"labdash:managed-by", "student"}}
}

func ec2Tags(t labs.Target) []ec2types.Tag {
	var out []ec2types.Tag
	for _, kv := range labTags(t) {
		out = append(out, ec2types.Tag{Key: aws.String(kv[0]), Value: aws.String(kv[1])})
	}
	return out
}

// stack reads the prerequisite stack's outputs once.
func stack(ctx context.Context, e *labs.Env) (map[string]string, error) {
	if e.Stack["SecurityGroupId"] != "" {
		return e.Stack, nil
	}
	out, err := labs.StackOutputs(ctx, e.C, stackName(e.T))
	if err != nil {
		return nil, fmt.Errorf("the prerequisite stack is not ready: %w", labs.ErrNotYet)
	}
	for k, v := range out {
		e.Stack[k] = v
	}
	return e.Stack, nil
}

// createTemplate writes <prefix>lt: the stack's image, t3.micro, the stack's
// security group, instance tags; with the spot-in-template mistake it also asks
// for Spot.
func createTemplate(ctx context.Context, e *labs.Env) error {
	return putTemplate(ctx, e, e.Persona.Makes(mistakeSpotInTemplate))
}

func putTemplate(ctx context.Context, e *labs.Env, spot bool) error {
	st, err := stack(ctx, e)
	if err != nil {
		return err
	}
	data := &ec2types.RequestLaunchTemplateData{ImageId: aws.String(st["ImageId"]), InstanceType: ec2types.InstanceTypeT3Micro,
		SecurityGroupIds:  []string{st["SecurityGroupId"]},
		TagSpecifications: []ec2types.LaunchTemplateTagSpecificationRequest{{ResourceType: ec2types.ResourceTypeInstance, Tags: ec2Tags(e.T)}}}
	if spot {
		data.InstanceMarketOptions = &ec2types.LaunchTemplateInstanceMarketOptionsRequest{MarketType: ec2types.MarketTypeSpot}
	}
	_, err = e.C.EC2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(ltName(e.T)), LaunchTemplateData: data,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeLaunchTemplate, Tags: ec2Tags(e.T)}}})
	if apiCode(err) == "InvalidLaunchTemplateName.AlreadyExistsException" {
		return nil // a retried step: the template is there
	}
	return err
}

// groupInput is the student's CreateAutoScalingGroup: 4/4/4 over the stack's
// subnets from <prefix>lt with three instance types, base 0 and 50 % (or the
// persona's mistake).
func groupInput(e *labs.Env, st map[string]string) *autoscaling.CreateAutoScalingGroupInput {
	base, pct := int32(wantBase), int32(wantPercentage)
	if e.Persona.Makes(mistakePercentage) {
		pct = 75
	}
	if e.Persona.Makes(mistakeBase) {
		base = 2
	}
	var overrides []astypes.LaunchTemplateOverrides
	for _, t := range instanceTypes() {
		overrides = append(overrides, astypes.LaunchTemplateOverrides{InstanceType: aws.String(t)})
	}
	var tags []astypes.Tag
	for _, kv := range labTags(e.T) {
		tags = append(tags, astypes.Tag{Key: aws.String(kv[0]), Value: aws.String(kv[1]), PropagateAtLaunch: aws.Bool(true)})
	}
	return &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String(groupName(e.T)),
		MinSize: aws.Int32(wantSize), MaxSize: aws.Int32(wantSize), DesiredCapacity: aws.Int32(wantSize), VPCZoneIdentifier: aws.String(st["SubnetIds"]),
		MixedInstancesPolicy: &astypes.MixedInstancesPolicy{
			LaunchTemplate: &astypes.LaunchTemplate{LaunchTemplateSpecification: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String(ltName(e.T)), Version: aws.String("$Latest")},
				Overrides: overrides},
			InstancesDistribution: &astypes.InstancesDistribution{OnDemandBaseCapacity: aws.Int32(base), OnDemandPercentageAboveBaseCapacity: aws.Int32(pct),
				SpotAllocationStrategy: aws.String("price-capacity-optimized")}},
		Tags: tags}
}

// createGroup creates the group. A template that asks for Spot is refused
// ("Incompatible launch template"): the student deletes it, writes it again
// without the market options, and tries again.
func createGroup(ctx context.Context, e *labs.Env) error {
	st, err := stack(ctx, e)
	if err != nil {
		return err
	}
	_, err = e.C.ASG.CreateAutoScalingGroup(ctx, groupInput(e, st))
	var ae smithy.APIError
	switch {
	case err == nil, apiCode(err) == "AlreadyExists":
		return nil
	case errors.As(err, &ae) && strings.Contains(ae.ErrorMessage(), "Incompatible launch template"):
		if _, err := e.C.EC2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateName: aws.String(ltName(e.T))}); err != nil {
			return err
		}
		if err := putTemplate(ctx, e, false); err != nil {
			return err
		}
		return labs.ErrNotYet // and create the group on the next try
	}
	return err
}

// waitForMix waits for four InService instances; seeing 3 + 1 with the
// wrong-percentage mistake, the student sets the percentage to 50.
func waitForMix(ctx context.Context, e *labs.Env) error {
	out, err := e.C.ASG.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{groupName(e.T)}})
	if err != nil {
		return err
	}
	if len(out.AutoScalingGroups) == 0 {
		return labs.ErrNotYet
	}
	g := out.AutoScalingGroups[0]
	in := 0
	for _, x := range g.Instances {
		if x.LifecycleState == astypes.LifecycleStateInService {
			in++
		}
	}
	if in < wantSize {
		return labs.ErrNotYet
	}
	if d := g.MixedInstancesPolicy; e.Persona.Makes(mistakePercentage) && e.Memo["fixed"] == "" && d != nil && d.InstancesDistribution != nil &&
		aws.ToInt32(d.InstancesDistribution.OnDemandPercentageAboveBaseCapacity) != wantPercentage {
		_, err := e.C.ASG.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String(groupName(e.T)),
			MixedInstancesPolicy: &astypes.MixedInstancesPolicy{InstancesDistribution: &astypes.InstancesDistribution{OnDemandPercentageAboveBaseCapacity: aws.Int32(wantPercentage)}}})
		if err != nil {
			return err
		}
		e.Memo["fixed"] = "percentage"
		return labs.ErrNotYet
	}
	return nil
}

func lookAtRequests(ctx context.Context, e *labs.Env) error {
	out, err := e.C.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:aws:autoscaling:groupName"), Values: []string{groupName(e.T)}}, {Name: aws.String("instance-lifecycle"), Values: []string{"spot"}}}})
	if err != nil {
		return err
	}
	var ids []string
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			if in.State != nil && in.State.Name == ec2types.InstanceStateNameRunning {
				ids = append(ids, aws.ToString(in.InstanceId))
			}
		}
	}
	if len(ids) == 0 {
		if e.Persona.Makes(mistakeBase) {
			return nil // the student never notices the mix
		}
		return labs.ErrNotYet
	}
	_, err = e.C.EC2.DescribeSpotInstanceRequests(ctx, &ec2.DescribeSpotInstanceRequestsInput{Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: ids}}})
	return err
}

func comparePrices(ctx context.Context, e *labs.Env) error {
	now := time.Now()
	if e.C != nil {
		now = e.C.Clock()
	}
	_, err := e.C.EC2.DescribeSpotPriceHistory(ctx, &ec2.DescribeSpotPriceHistoryInput{InstanceTypes: []ec2types.InstanceType{ec2types.InstanceTypeT3Micro, ec2types.InstanceTypeT3aMicro},
		ProductDescriptions: []string{productLinux}, StartTime: aws.Time(now.Add(-priceWindow))})
	return err
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
