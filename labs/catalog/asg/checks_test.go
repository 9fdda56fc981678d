package asg

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs"
)

// done is a finished student's observation: the template, a 4/4/4 group at base 0
// and 50 %, two On-Demand and two Spot instances InService, two fulfilled requests
// and the last hour's prices.
func done() *Observation {
	tg := labs.NewTarget("c42", "s07", "111122223333", "us-east-1")
	o := &Observation{Target: tg, At: time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC), Instances: map[string]ec2types.Instance{}, Spot: map[string]ec2types.SpotInstanceRequest{}}
	o.Template = &ec2types.LaunchTemplateVersion{LaunchTemplateId: aws.String("lt-0123"), LaunchTemplateName: aws.String("c42s07-lt"), VersionNumber: aws.Int64(1),
		LaunchTemplateData: &ec2types.ResponseLaunchTemplateData{ImageId: aws.String("ami-0c02fb55956c7d316"), InstanceType: ec2types.InstanceTypeT3Micro}}
	g := &astypes.AutoScalingGroup{AutoScalingGroupName: aws.String("c42s07-asg"), AutoScalingGroupARN: aws.String("arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:u:autoScalingGroupName/c42s07-asg"),
		MinSize: aws.Int32(4), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(4),
		MixedInstancesPolicy: &astypes.MixedInstancesPolicy{
			LaunchTemplate:        &astypes.LaunchTemplate{LaunchTemplateSpecification: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("c42s07-lt"), Version: aws.String("$Latest")}},
			InstancesDistribution: &astypes.InstancesDistribution{OnDemandBaseCapacity: aws.Int32(0), OnDemandPercentageAboveBaseCapacity: aws.Int32(50)}}}
	for i, id := range []string{"i-od1", "i-od2", "i-sp1", "i-sp2"} {
		az := []string{"us-east-1a", "us-east-1b"}[i%2]
		g.Instances = append(g.Instances, astypes.Instance{InstanceId: aws.String(id), AvailabilityZone: aws.String(az), LifecycleState: astypes.LifecycleStateInService,
			HealthStatus: aws.String("Healthy"), InstanceType: aws.String("t3.micro")})
		in := ec2types.Instance{InstanceId: aws.String(id), InstanceType: ec2types.InstanceTypeT3Micro, Placement: &ec2types.Placement{AvailabilityZone: aws.String(az)},
			State: &ec2types.InstanceState{Name: ec2types.InstanceStateNameRunning}}
		if strings.HasPrefix(id, "i-sp") {
			in.InstanceLifecycle = ec2types.InstanceLifecycleTypeSpot
			o.Spot[id] = ec2types.SpotInstanceRequest{SpotInstanceRequestId: aws.String("sir-" + id[2:]), InstanceId: aws.String(id), State: ec2types.SpotInstanceStateActive,
				Status: &ec2types.SpotInstanceStatus{Code: aws.String("fulfilled")}}
			o.Prices = append(o.Prices, ec2types.SpotPrice{InstanceType: ec2types.InstanceTypeT3Micro, AvailabilityZone: aws.String(az), SpotPrice: aws.String("0.003100"),
				Timestamp: aws.Time(o.At.Add(-20 * time.Minute))})
		}
		o.Instances[id] = in
	}
	o.Group = g
	return o
}

// spotToDemand turns a Spot instance into an On-Demand one (3 + 1).
func spotToDemand(o *Observation, id string) {
	in := o.Instances[id]
	in.InstanceLifecycle = ""
	o.Instances[id] = in
	delete(o.Spot, id)
}

func TestChecks(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(o *Observation)
		check  string
		want   labs.Status
		reason string // in the evidence
	}{
		{"finished: template", nil, "launch-template", labs.Pass, "t3.micro, no Spot market options"},
		{"finished: group", nil, "asg-config", labs.Pass, "4/4/4"},
		{"finished: mix", nil, "mix-achieved", labs.Pass, "2 On-Demand + 2 Spot"},
		{"finished: requests", nil, "spot-requests", labs.Pass, "sir-sp1, sir-sp2"},
		{"finished: savings", nil, "savings", labs.Pass, "70 % less"},

		{"no template", func(o *Observation) { o.Template = nil }, "launch-template", labs.Pending, "no launch template named c42s07-lt"},
		{"template without image", func(o *Observation) { o.Template.LaunchTemplateData.ImageId = nil }, "launch-template", labs.Fail, "ImageId is not set"},
		{"template without type", func(o *Observation) { o.Template.LaunchTemplateData.InstanceType = "" }, "launch-template", labs.Fail, "InstanceType is not set"},
		{"template asks for Spot", func(o *Observation) {
			o.Template.LaunchTemplateData.InstanceMarketOptions = &ec2types.LaunchTemplateInstanceMarketOptions{MarketType: ec2types.MarketTypeSpot}
		}, "launch-template", labs.Fail, "InstanceMarketOptions (MarketType spot)"},

		{"no group", func(o *Observation) { o.Group = nil }, "asg-config", labs.Pending, "no Auto Scaling group named c42s07-asg"},
		{"desired 2", func(o *Observation) { o.Group.DesiredCapacity = aws.Int32(2) }, "asg-config", labs.Fail, "min/max/desired are 4/4/2"},
		{"max 8", func(o *Observation) { o.Group.MaxSize = aws.Int32(8) }, "asg-config", labs.Fail, "4/8/4"},
		{"base 2", func(o *Observation) {
			o.Group.MixedInstancesPolicy.InstancesDistribution.OnDemandBaseCapacity = aws.Int32(2)
		}, "asg-config", labs.Fail, "OnDemandBaseCapacity is 2, want 0"},
		{"75 %", func(o *Observation) {
			o.Group.MixedInstancesPolicy.InstancesDistribution.OnDemandPercentageAboveBaseCapacity = aws.Int32(75)
		}, "asg-config", labs.Fail, "OnDemandPercentageAboveBaseCapacity is 75, want 50"},
		{"no mixed policy", func(o *Observation) {
			o.Group.LaunchTemplate = o.Group.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification
			o.Group.MixedInstancesPolicy = nil
		}, "asg-config", labs.Fail, "no MixedInstancesPolicy, so every instance is On-Demand"},
		{"another student's template", func(o *Observation) {
			o.Group.MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateName = aws.String("c42s08-lt")
		}, "asg-config", labs.Fail, "launches from c42s08-lt, not c42s07-lt"},
		{"being deleted", func(o *Observation) { o.Group.Status = aws.String("Delete in progress") }, "asg-config", labs.Fail, "being deleted"},

		{"mix without a group", func(o *Observation) { o.Group = nil }, "mix-achieved", labs.Pending, "no Auto Scaling group yet"},
		{"still launching", func(o *Observation) { o.Group.Instances[3].LifecycleState = astypes.LifecycleStatePending }, "mix-achieved", labs.Pending, "3 of 4 InService, 1 launching"},
		{"3 + 1", func(o *Observation) { spotToDemand(o, "i-sp2") }, "mix-achieved", labs.Fail, "3 On-Demand + 1 Spot InService, want 2 + 2"},
		{"all On-Demand, no policy", func(o *Observation) {
			spotToDemand(o, "i-sp1")
			spotToDemand(o, "i-sp2")
			o.Group.MixedInstancesPolicy = nil
		}, "mix-achieved", labs.Fail, "no MixedInstancesPolicy → 4 On-Demand + 0 Spot"},
		{"instance being replaced", func(o *Observation) {
			o.Group.Instances[3].LifecycleState = astypes.LifecycleStateTerminating
			o.Group.Instances[3].HealthStatus = aws.String("Unhealthy")
		}, "mix-achieved", labs.Pending, "1 terminating (the group replaces it)"},
		{"EC2 not read yet", func(o *Observation) { delete(o.Instances, "i-sp1") }, "mix-achieved", labs.Pending, "not read from EC2 yet"},

		{"no Spot instances, all running", func(o *Observation) {
			spotToDemand(o, "i-sp1")
			spotToDemand(o, "i-sp2")
		}, "spot-requests", labs.Fail, "the group runs no Spot instances"},
		{"interruption notice", func(o *Observation) {
			sr := o.Spot["i-sp1"]
			sr.State, sr.Status = ec2types.SpotInstanceStateClosed, &ec2types.SpotInstanceStatus{Code: aws.String("instance-terminated-no-capacity")}
			o.Spot["i-sp1"] = sr
		}, "spot-requests", labs.Pending, "instance-terminated-no-capacity): interruption notice"},
		{"interruption notice, older wording", func(o *Observation) {
			sr := o.Spot["i-sp1"]
			sr.State, sr.Status = ec2types.SpotInstanceStateActive, &ec2types.SpotInstanceStatus{Code: aws.String("marked-for-termination")}
			o.Spot["i-sp1"] = sr
		}, "spot-requests", labs.Pending, "interruption notice"},
		{"reclaimed: the request closed and its instance gone", func(o *Observation) {
			sr := o.Spot["i-sp1"]
			sr.State, sr.Status = ec2types.SpotInstanceStateClosed, &ec2types.SpotInstanceStatus{Code: aws.String("instance-terminated-no-capacity")}
			o.Spot["i-sp1"] = sr
			in := o.Instances["i-sp1"]
			in.State = &ec2types.InstanceState{Name: ec2types.InstanceStateNameShuttingDown}
			o.Instances["i-sp1"] = in
		}, "spot-requests", labs.Pending, "is closed (instance-terminated-no-capacity): reclaimed by Amazon EC2"},
		{"terminated by the student", func(o *Observation) {
			sr := o.Spot["i-sp1"]
			sr.State, sr.Status = ec2types.SpotInstanceStateClosed, &ec2types.SpotInstanceStatus{Code: aws.String("instance-terminated-by-user")}
			o.Spot["i-sp1"] = sr
		}, "spot-requests", labs.Fail, "is closed (instance-terminated-by-user)"},
		{"request not fulfilled", func(o *Observation) {
			sr := o.Spot["i-sp1"]
			sr.State, sr.Status = ec2types.SpotInstanceStateOpen, &ec2types.SpotInstanceStatus{Code: aws.String("capacity-not-available")}
			o.Spot["i-sp1"] = sr
		}, "spot-requests", labs.Fail, "sir-sp1 of i-sp1 is open (capacity-not-available)"},
		{"request not read", func(o *Observation) { delete(o.Spot, "i-sp2") }, "spot-requests", labs.Pending, "i-sp2: no Spot request read yet"},

		{"no prices", func(o *Observation) { o.Prices = nil }, "savings", labs.Pending, "no Spot price history read yet"},
		{"no price for the AZ", func(o *Observation) { o.Prices = o.Prices[:1] }, "savings", labs.Pending, "no Spot price in the last hour"},
		{"savings without Spot", func(o *Observation) { o.Group = nil }, "savings", labs.Pending, "no Spot instances"},
	}
	checks := map[string]labs.Checkpoint{}
	for _, cp := range Lab().Checkpoints {
		checks[cp.ID] = cp
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := done()
			if tc.edit != nil {
				tc.edit(o)
			}
			r := checks[tc.check].Check(o)
			if r.Status != tc.want || !strings.Contains(r.Evidence, tc.reason) {
				t.Errorf("%s: %s %q, want %s with %q", tc.check, r.Status, r.Evidence, tc.want, tc.reason)
			}
		})
	}
}

// TestSummaryAndWidgetsOnEmptyAndWrongStates: every widget has an empty state for
// a student who has not started, and the badge says the mix an instructor scans for.
func TestSummaryAndWidgetsOnEmptyAndWrongStates(t *testing.T) {
	empty := &Observation{Target: labs.NewTarget("c42", "s07", "", "us-east-1")}
	for _, w := range Lab().Widgets {
		if v := w.View(empty, labs.NewHistory()); v.Empty == "" {
			t.Errorf("widget %s has no empty state: %+v", w.ID, v)
		}
	}
	if s := Summary(empty); s.Badge != "" {
		t.Errorf("badge without a group: %+v", s)
	}
	o := done()
	spotToDemand(o, "i-sp2")
	if s := Summary(o); s.Badge != "3+1" || s.BadgeTone != "bad" {
		t.Errorf("3+1 badge: %+v", s)
	}
	o = done()
	o.Group.Instances[0].LifecycleState = astypes.LifecycleStatePending
	if s := Summary(o); s.Badge != "3/4 up" || s.BadgeTone != "warn" {
		t.Errorf("launching badge: %+v", s)
	}
	tb := viewInstances(done(), nil).Table
	if len(tb.Rows) != 4 || tb.Rows[2].Cells[1] != "spot" || tb.Rows[0].Cells[1] != "on-demand" || !strings.Contains(tb.Rows[2].Cells[6], "fulfilled") {
		t.Errorf("instance rows: %+v", tb.Rows)
	}
	o = done()
	o.Class = ClassMix{Reached: 3, Wrong: 1, Launching: 2, NoGroup: 4, Total: 10}
	b := viewClassMix(o, nil).Bar
	if b == nil || b.Total != 10 || b.Segments[0].Value != 3 || b.Mark != "reached 2 + 2" {
		t.Errorf("class bar: %+v", b)
	}
}
