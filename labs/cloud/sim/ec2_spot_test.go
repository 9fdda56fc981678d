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

// TestSpotPriceHistory: prices are a third or so of On-Demand, newest first, one
// per type, AZ and hour; MaxResults and the AZ are validated as AWS does.
func TestSpotPriceHistory(t *testing.T) {
	e := newEnv(t)
	now := e.w.Now()
	out, err := e.c.EC2.DescribeSpotPriceHistory(e.ctx, &ec2.DescribeSpotPriceHistoryInput{InstanceTypes: []ec2types.InstanceType{ec2types.InstanceTypeT3Micro},
		ProductDescriptions: []string{"Linux/UNIX"}, StartTime: aws.Time(now.Add(-time.Hour))})
	if err != nil || len(out.SpotPriceHistory) == 0 {
		t.Fatalf("history: %v, %d prices", err, len(out.SpotPriceHistory))
	}
	last := out.SpotPriceHistory[0].Timestamp
	for _, p := range out.SpotPriceHistory {
		if p.InstanceType != ec2types.InstanceTypeT3Micro || p.Timestamp.After(*last) {
			t.Errorf("price out of order or of another type: %+v", p)
		}
		if f := aws.ToString(p.SpotPrice); f < "0.0026" || f > "0.0037" {
			t.Errorf("t3.micro Spot price %s is not 25–35 %% of 0.0104", f)
		}
		last = p.Timestamp
	}
	if _, err := e.c.EC2.DescribeSpotPriceHistory(e.ctx, &ec2.DescribeSpotPriceHistoryInput{MaxResults: aws.Int32(2)}); apiCode(err) != "InvalidParameterValue" {
		t.Errorf("MaxResults 2: %v", err)
	}
	if _, err := e.c.EC2.DescribeSpotPriceHistory(e.ctx, &ec2.DescribeSpotPriceHistoryInput{AvailabilityZone: aws.String("us-east-1z")}); apiCode(err) != "InvalidParameterValue" {
		t.Errorf("unknown AZ: %v", err)
	}
}

// TestLaunchTemplateVersions: by name, by id, and every template's $Latest without
// either; an unknown name, a version other than 1, and both id and name are refused.
func TestLaunchTemplateVersions(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"c42s01-lt", "c42s02-lt"} {
		if _, err := e.c.EC2.CreateLaunchTemplate(e.ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(n),
			LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(testAMI), InstanceType: ec2types.InstanceTypeT3Micro,
				InstanceMarketOptions: &ec2types.LaunchTemplateInstanceMarketOptionsRequest{MarketType: ec2types.MarketTypeSpot}}}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := e.c.EC2.DescribeLaunchTemplateVersions(e.ctx, &ec2.DescribeLaunchTemplateVersionsInput{Versions: []string{"$Latest"}})
	if err != nil || len(all.LaunchTemplateVersions) != 2 {
		t.Fatalf("all $Latest: %v %+v", err, all)
	}
	v := all.LaunchTemplateVersions[0]
	if aws.ToString(v.LaunchTemplateData.ImageId) != testAMI || v.LaunchTemplateData.InstanceMarketOptions == nil ||
		v.LaunchTemplateData.InstanceMarketOptions.MarketType != ec2types.MarketTypeSpot || aws.ToInt64(v.VersionNumber) != 1 {
		t.Errorf("version data: %+v", v.LaunchTemplateData)
	}
	for _, in := range []*ec2.DescribeLaunchTemplateVersionsInput{
		{LaunchTemplateName: aws.String("c42s09-lt")},
		{LaunchTemplateName: aws.String("c42s01-lt"), Versions: []string{"2"}},
		{LaunchTemplateName: aws.String("c42s01-lt"), LaunchTemplateId: aws.String("lt-0123456789abcdef0")},
		{Versions: []string{"1"}},
	} {
		if _, err := e.c.EC2.DescribeLaunchTemplateVersions(e.ctx, in); err == nil {
			t.Errorf("%+v: accepted", in)
		}
	}
	// A mixed instances group refuses a template that asks for Spot itself.
	_, subnets := e.w.ClassVPC("", "us-east-1")
	_, err = e.c.ASG.CreateAutoScalingGroup(e.ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("c42s01-asg"),
		MinSize: aws.Int32(1), MaxSize: aws.Int32(1), VPCZoneIdentifier: aws.String(strings.Join(subnets, ",")),
		MixedInstancesPolicy: &astypes.MixedInstancesPolicy{LaunchTemplate: &astypes.LaunchTemplate{
			LaunchTemplateSpecification: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("c42s01-lt")}}}})
	if apiCode(err) != "ValidationError" || !strings.Contains(err.Error(), "Incompatible launch template") {
		t.Errorf("mixed group from a Spot template: %v", err)
	}
}

// TestUpdateGroupAndActivities: UpdateAutoScalingGroup validates sizes, keeps the
// parts of the mixed policy it is not given, scales in the newest instances, and
// every launch and termination is a scaling activity, newest first.
func TestUpdateGroupAndActivities(t *testing.T) {
	e := newEnv(t)
	name := e.lab8("c42s04")
	e.clock.Advance(31 * time.Second)
	if _, err := e.c.ASG.UpdateAutoScalingGroup(e.ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String(name), DesiredCapacity: aws.Int32(5)}); apiCode(err) != "ValidationError" {
		t.Errorf("desired above max: %v", err)
	}
	if _, err := e.c.ASG.UpdateAutoScalingGroup(e.ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String("c42s05-asg"), MinSize: aws.Int32(1)}); apiCode(err) != "ValidationError" {
		t.Errorf("unknown group: %v", err)
	}
	if _, err := e.c.ASG.UpdateAutoScalingGroup(e.ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String(name), MinSize: aws.Int32(2), DesiredCapacity: aws.Int32(2),
		MixedInstancesPolicy: &astypes.MixedInstancesPolicy{InstancesDistribution: &astypes.InstancesDistribution{OnDemandPercentageAboveBaseCapacity: aws.Int32(100)}}}); err != nil {
		t.Fatal(err)
	}
	g, _ := e.group(name)
	d := g.MixedInstancesPolicy.InstancesDistribution
	if aws.ToInt32(d.OnDemandPercentageAboveBaseCapacity) != 100 || aws.ToInt32(d.OnDemandBaseCapacity) != 0 || len(g.MixedInstancesPolicy.LaunchTemplate.Overrides) != 2 {
		t.Errorf("policy after update: %+v", g.MixedInstancesPolicy)
	}
	e.clock.Advance(3 * time.Minute)
	g, _ = e.group(name)
	if len(g.Instances) != 2 {
		t.Fatalf("after scaling in to 2: %d instances", len(g.Instances))
	}
	acts, err := e.c.ASG.DescribeScalingActivities(e.ctx, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	launches, terms := 0, 0
	for i, a := range acts.Activities {
		if i > 0 && a.StartTime.After(*acts.Activities[i-1].StartTime) {
			t.Errorf("activities not newest first")
		}
		switch {
		case strings.HasPrefix(aws.ToString(a.Description), "Launching a new EC2 instance: i-"):
			launches++
		case strings.HasPrefix(aws.ToString(a.Description), "Terminating EC2 instance: i-"):
			terms++
		}
		if a.StatusCode != astypes.ScalingActivityStatusCodeSuccessful {
			t.Errorf("activity %q is %s after 3 min", aws.ToString(a.Description), a.StatusCode)
		}
	}
	// 4 launches, 2 scale-in terminations, then the 100 % rebalance of the Spot one left.
	if launches < 4 || terms < 2 {
		t.Errorf("%d launches, %d terminations: %+v", launches, terms, acts.Activities)
	}
	if other, _ := e.c.ASG.DescribeScalingActivities(e.ctx, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: aws.String("c42s05-asg")}); len(other.Activities) != 0 {
		t.Errorf("an unknown group has activities: %+v", other.Activities)
	}
}
