package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func (e *env) group(name string) (astypes.AutoScalingGroup, bool) {
	e.t.Helper()
	out, err := e.c.ASG.DescribeAutoScalingGroups(e.ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(out.AutoScalingGroups) == 0 {
		return astypes.AutoScalingGroup{}, false
	}
	return out.AutoScalingGroups[0], true
}

// lab8 creates Lab 8's launch template and a 4/4/4 group, half Spot.
func (e *env) lab8(prefix string) string {
	e.t.Helper()
	_, subnets := e.w.ClassVPC("", "us-east-1")
	if _, err := e.c.EC2.CreateLaunchTemplate(e.ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(prefix + "-lt"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(testAMI), InstanceType: ec2types.InstanceTypeT3Micro}}); err != nil {
		e.t.Fatal(err)
	}
	name := prefix + "-asg"
	_, err := e.c.ASG.CreateAutoScalingGroup(e.ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String(name),
		MinSize: aws.Int32(4), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(4), VPCZoneIdentifier: aws.String(strings.Join(subnets, ",")),
		MixedInstancesPolicy: &astypes.MixedInstancesPolicy{
			LaunchTemplate: &astypes.LaunchTemplate{LaunchTemplateSpecification: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String(prefix + "-lt"), Version: aws.String("$Latest")},
				Overrides: []astypes.LaunchTemplateOverrides{{InstanceType: aws.String("t3.micro")}, {InstanceType: aws.String("t3a.micro")}}},
			InstancesDistribution: &astypes.InstancesDistribution{OnDemandBaseCapacity: aws.Int32(0), OnDemandPercentageAboveBaseCapacity: aws.Int32(50)}},
		Tags: []astypes.Tag{{Key: aws.String("labdash:student"), Value: aws.String(prefix), PropagateAtLaunch: aws.Bool(true)},
			{Key: aws.String("team"), Value: aws.String("x"), PropagateAtLaunch: aws.Bool(false)}}})
	if err != nil {
		e.t.Fatal(err)
	}
	return name
}

// TestAutoScalingGroup: Lab 8's group launches 2 On-Demand and 2 Spot instances,
// replaces a terminated one, refuses a plain delete while it has instances, and a
// force delete terminates them, shows "Delete in progress", then forgets it.
func TestAutoScalingGroup(t *testing.T) {
	e := newEnv(t)
	name := e.lab8("c42s04")
	g, ok := e.group(name)
	if !ok || len(g.Instances) != 4 || g.Instances[0].LifecycleState != astypes.LifecycleStatePending || g.Status != nil ||
		!strings.Contains(aws.ToString(g.AutoScalingGroupARN), ":autoScalingGroupName/"+name) || len(g.AvailabilityZones) != 2 {
		t.Fatalf("new group: %+v", g)
	}
	if !e.taggedARNs()[aws.ToString(g.AutoScalingGroupARN)] {
		t.Error("tagging API does not list the group")
	}
	if _, err := e.c.ASG.DeleteAutoScalingGroup(e.ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String(name)}); apiCode(err) != "ScalingActivityInProgress" {
		t.Errorf("delete while launching: %v, want ScalingActivityInProgress", err)
	}
	e.clock.Advance(31 * time.Second)
	g, _ = e.group(name)
	var ids []string
	for _, x := range g.Instances {
		if x.LifecycleState != astypes.LifecycleStateInService {
			t.Errorf("instance %s is %s, want InService", aws.ToString(x.InstanceId), x.LifecycleState)
		}
		ids = append(ids, aws.ToString(x.InstanceId))
	}
	d, err := e.c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: ids})
	if err != nil {
		t.Fatal(err)
	}
	spot, types := 0, map[ec2types.InstanceType]int{}
	for _, r := range d.Reservations {
		for _, x := range r.Instances {
			tags := map[string]string{}
			for _, tg := range x.Tags {
				tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			if tags["aws:autoscaling:groupName"] != name || tags["labdash:student"] != "c42s04" || tags["team"] != "" {
				t.Errorf("instance tags: %v", tags)
			}
			if x.InstanceLifecycle == ec2types.InstanceLifecycleTypeSpot {
				spot++
			}
			types[x.InstanceType]++
		}
	}
	if spot != 2 || types["t3.micro"] != 2 || types["t3a.micro"] != 2 {
		t.Errorf("mix: %d spot, types %v; want 2 spot, 2 t3.micro and 2 t3a.micro", spot, types)
	}
	sr, err := e.c.EC2.DescribeSpotInstanceRequests(e.ctx, &ec2.DescribeSpotInstanceRequestsInput{Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: ids}}})
	if err != nil || len(sr.SpotInstanceRequests) != 2 || sr.SpotInstanceRequests[0].State != ec2types.SpotInstanceStateActive ||
		aws.ToString(sr.SpotInstanceRequests[0].Status.Code) != "fulfilled" {
		t.Fatalf("spot requests: %v %+v", err, sr)
	}
	if _, err := e.c.ASG.DeleteAutoScalingGroup(e.ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String(name)}); apiCode(err) != "ResourceInUse" {
		t.Errorf("delete with instances: %v, want ResourceInUse", err)
	}
	// A terminated instance is replaced.
	if _, err := e.c.EC2.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: ids[:1]}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	g, _ = e.group(name)
	if len(g.Instances) != 4 || contains(instanceIDs(g), ids[0]) {
		t.Fatalf("after a termination: %v, want 4 without %s", instanceIDs(g), ids[0])
	}
	// Force delete.
	if _, err := e.c.ASG.DeleteAutoScalingGroup(e.ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String(name), ForceDelete: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	g, ok = e.group(name)
	if !ok || aws.ToString(g.Status) != "Delete in progress" || g.Instances[0].LifecycleState != astypes.LifecycleStateTerminating {
		t.Fatalf("deleting group: %+v", g)
	}
	if _, err := e.c.ASG.DeleteAutoScalingGroup(e.ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String(name), ForceDelete: aws.Bool(true)}); apiCode(err) != "ScalingActivityInProgress" {
		t.Errorf("delete while deleting: %v", err)
	}
	e.clock.Advance(2 * time.Minute)
	if _, ok := e.group(name); ok {
		t.Fatal("group still described after its instances terminated")
	}
	final := instanceIDs(g)
	d, err = e.c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: final})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range d.Reservations {
		for _, x := range r.Instances {
			if x.State.Name != ec2types.InstanceStateNameTerminated {
				t.Errorf("%s is %s after the group's deletion", aws.ToString(x.InstanceId), x.State.Name)
			}
		}
	}
	if _, err := e.c.ASG.DeleteAutoScalingGroup(e.ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String(name)}); apiCode(err) != "ValidationError" ||
		!strings.Contains(err.Error(), "not found") {
		t.Errorf("delete gone group: %v", err)
	}
}

func instanceIDs(g astypes.AutoScalingGroup) []string {
	var out []string
	for _, x := range g.Instances {
		out = append(out, aws.ToString(x.InstanceId))
	}
	return out
}

func TestAutoScalingGroupErrors(t *testing.T) {
	e := newEnv(t)
	name := e.lab8("c42s05")
	_, subnets := e.w.ClassVPC("", "us-east-1")
	lt := &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("c42s05-lt")}
	for _, tc := range []struct {
		name string
		in   *autoscaling.CreateAutoScalingGroupInput
		code string
	}{
		{"duplicate", &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String(name), MinSize: aws.Int32(0), MaxSize: aws.Int32(1), LaunchTemplate: lt, VPCZoneIdentifier: aws.String(subnets[0])}, "AlreadyExists"},
		{"min > max", &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("a"), MinSize: aws.Int32(2), MaxSize: aws.Int32(1), LaunchTemplate: lt, VPCZoneIdentifier: aws.String(subnets[0])}, "ValidationError"},
		{"no template", &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("b"), MinSize: aws.Int32(0), MaxSize: aws.Int32(1), VPCZoneIdentifier: aws.String(subnets[0])}, "ValidationError"},
		{"missing template", &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("c"), MinSize: aws.Int32(0), MaxSize: aws.Int32(1),
			LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String("lt-0123456789abcdef0")}, VPCZoneIdentifier: aws.String(subnets[0])}, "ValidationError"},
		{"no subnets", &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("d"), MinSize: aws.Int32(0), MaxSize: aws.Int32(1), LaunchTemplate: lt}, "ValidationError"},
	} {
		if _, err := e.c.ASG.CreateAutoScalingGroup(e.ctx, tc.in); apiCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	// Filters on tags find the group; a group with no instances deletes without force.
	out, err := e.c.ASG.DescribeAutoScalingGroups(e.ctx, &autoscaling.DescribeAutoScalingGroupsInput{Filters: []astypes.Filter{{Name: aws.String("tag:labdash:student"), Values: []string{"c42s05"}}}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		t.Fatalf("tag filter: %v %+v", err, out)
	}
	if _, err := e.c.ASG.CreateAutoScalingGroup(e.ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("empty"), MinSize: aws.Int32(0), MaxSize: aws.Int32(1),
		LaunchTemplate: lt, AvailabilityZones: []string{"us-east-1b"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.ASG.DeleteAutoScalingGroup(e.ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String("empty")}); err != nil {
		t.Fatalf("delete empty group: %v", err)
	}
	e.clock.Advance(31 * time.Second)
	if _, ok := e.group("empty"); ok {
		t.Error("empty group still described")
	}
}
