package asg

// Rehearsal actions (simulator only): interrupt one of a virtual student's Spot
// instances (the two-minute notice, the termination, the group's replacement,
// all seen live in the ASG tile and the activity feed), and set the group's
// On-Demand percentage wrong, then back.

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs"
)

// wrongPercentage is what "set the percentage wrong" sets: 3 On-Demand + 1 Spot.
const wrongPercentage = 75

func actions() []labs.Action {
	return []labs.Action{
		{ID: "interrupt-spot", Title: "Interrupt a Spot instance", Done: "Sent a Spot interruption notice: the instance is reclaimed in 2 minutes, then the group replaces it",
			Subject: "Spot instances", From: []string{"running"}, State: spotState, Do: interruptSpot},
		{ID: "percentage-wrong", Title: "Set the On-Demand percentage to 75 %", Done: "Set OnDemandPercentageAboveBaseCapacity to 75: the group rebalances to 3 On-Demand + 1 Spot",
			Subject: "OnDemandPercentageAboveBaseCapacity", From: []string{"50 %"}, State: percentageState,
			Do: func(ctx context.Context, e *labs.Env) error { return setPercentage(ctx, e, wrongPercentage) }},
		{ID: "percentage-right", Title: "Set the On-Demand percentage back to 50 %", Done: "Set OnDemandPercentageAboveBaseCapacity back to 50: the group rebalances to 2 + 2",
			Subject: "OnDemandPercentageAboveBaseCapacity", From: []string{"75 %"}, State: percentageState,
			Do: func(ctx context.Context, e *labs.Env) error { return setPercentage(ctx, e, wantPercentage) }},
	}
}

// runningSpot lists the group's running Spot instances that have no interruption
// notice yet, sorted.
func runningSpot(ctx context.Context, e *labs.Env) ([]string, error) {
	out, err := e.C.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:aws:autoscaling:groupName"), Values: []string{groupName(e.T)}},
		{Name: aws.String("instance-lifecycle"), Values: []string{"spot"}}, {Name: aws.String("instance-state-name"), Values: []string{"running"}}}})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			ids = append(ids, aws.ToString(in.InstanceId))
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	reqs, err := e.C.EC2.DescribeSpotInstanceRequests(ctx, &ec2.DescribeSpotInstanceRequestsInput{Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: ids}}})
	if err != nil {
		return nil, err
	}
	noticed := map[string]bool{} // the instances are running: a reclaiming status is their notice
	for _, sr := range reqs.SpotInstanceRequests {
		if sr.Status != nil && interruptionCode(aws.ToString(sr.Status.Code)) {
			noticed[aws.ToString(sr.InstanceId)] = true
		}
	}
	var out2 []string
	for _, id := range ids {
		if !noticed[id] {
			out2 = append(out2, id)
		}
	}
	sort.Strings(out2)
	return out2, nil
}

// spotState is "running" while the group has a running Spot instance without a
// notice, "none running" otherwise.
func spotState(ctx context.Context, e *labs.Env) (string, error) {
	ids, err := runningSpot(ctx, e)
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return "none running", nil
	}
	return "running", nil
}

// interruptSpot gives the first running Spot instance its interruption notice.
// The simulator's load tool takes an instance ARN for it (sim.World.SetLoad).
func interruptSpot(ctx context.Context, e *labs.Env) error {
	if e.Load == nil {
		return fmt.Errorf("this sandbox cannot interrupt Spot instances (simulator only)")
	}
	ids, err := runningSpot(ctx, e)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return fmt.Errorf("the group %s has no running Spot instance to interrupt", groupName(e.T))
	}
	return e.Load(e.C.ARN("ec2", "instance/"+ids[0]), 1)
}

// percentageState is the group's OnDemandPercentageAboveBaseCapacity ("50 %").
func percentageState(ctx context.Context, e *labs.Env) (string, error) {
	out, err := e.C.ASG.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{groupName(e.T)}})
	if err != nil {
		return "", err
	}
	if len(out.AutoScalingGroups) == 0 {
		return "", fmt.Errorf("the student has no group %s yet", groupName(e.T))
	}
	m := out.AutoScalingGroups[0].MixedInstancesPolicy
	if m == nil || m.InstancesDistribution == nil {
		return "no mixed policy", nil
	}
	return strconv.Itoa(int(aws.ToInt32(m.InstancesDistribution.OnDemandPercentageAboveBaseCapacity))) + " %", nil
}

func setPercentage(ctx context.Context, e *labs.Env, pct int32) error {
	_, err := e.C.ASG.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String(groupName(e.T)),
		MixedInstancesPolicy: &astypes.MixedInstancesPolicy{InstancesDistribution: &astypes.InstancesDistribution{OnDemandPercentageAboveBaseCapacity: aws.Int32(pct)}}})
	return err
}
