package ga

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
)

func lbIn(r string) string {
	return "arn:aws:elasticloadbalancing:" + r + ":111122223333:loadbalancer/app/c42s07-ga-alb/0123456789abcdef"
}

func group(r string, h gatypes.HealthState) gatypes.EndpointGroup {
	return gatypes.EndpointGroup{EndpointGroupRegion: aws.String(r), TrafficDialPercentage: aws.Float32(100),
		EndpointDescriptions: []gatypes.EndpointDescription{{EndpointId: aws.String(lbIn(r)), HealthState: h}}}
}

func mkOrigin(r string, st elbtypes.TargetHealthStateEnum, is ec2types.InstanceStateName, restarted bool) *Origin {
	at := time.Unix(1_800_000_000, 0)
	launch := at
	if restarted {
		launch = at.Add(30 * time.Minute)
	}
	return &Origin{Region: r, TargetGroupArn: "tg-" + r, LoadBalancerArn: lbIn(r),
		Targets:  []elbtypes.TargetHealthDescription{{TargetHealth: &elbtypes.TargetHealth{State: st}}},
		Instance: &ec2types.Instance{State: &ec2types.InstanceState{Name: is}, LaunchTime: aws.Time(launch), NetworkInterfaces: []ec2types.InstanceNetworkInterface{{Attachment: &ec2types.InstanceNetworkInterfaceAttachment{AttachTime: aws.Time(at)}}}}}
}

// correct is a student who has browsed, failed over and recovered (us-east-1 restarted).
func correct() *Observation {
	return &Observation{Target: labs.NewTarget("c42", "s07", "111122223333", "us-east-1"),
		Accelerator: &gatypes.Accelerator{Name: aws.String("c42s07-ga"), Enabled: aws.Bool(true), Status: gatypes.AcceleratorStatusDeployed,
			IpSets: []gatypes.IpSet{{IpAddresses: []string{"203.0.113.1", "203.0.113.2"}}}},
		Listeners: []gatypes.Listener{{Protocol: gatypes.ProtocolTcp, PortRanges: []gatypes.PortRange{{FromPort: aws.Int32(80), ToPort: aws.Int32(80)}}}},
		Groups:    []gatypes.EndpointGroup{group("us-east-1", gatypes.HealthStateHealthy), group("eu-west-1", gatypes.HealthStateHealthy)},
		Origins: map[string]*Origin{"us-east-1": mkOrigin("us-east-1", elbtypes.TargetHealthStateEnumHealthy, ec2types.InstanceStateNameRunning, true),
			"eu-west-1": mkOrigin("eu-west-1", elbtypes.TargetHealthStateEnumHealthy, ec2types.InstanceStateNameRunning, false)},
		Probe: &Probe{URL: "http://203.0.113.1/", Status: 200, Body: "Hello from us-east-1", Latency: 4 * time.Millisecond}}
}

// failedOver is the state right after stopping us-east-1.
func failedOver() *Observation {
	o := correct()
	o.Origins["us-east-1"] = mkOrigin("us-east-1", elbtypes.TargetHealthStateEnumUnhealthy, ec2types.InstanceStateNameStopped, false)
	o.Groups[0] = group("us-east-1", gatypes.HealthStateUnhealthy)
	o.Probe.Body = "Hello from eu-west-1"
	return o
}

// justLaunched is a student whose us-east-1 instance is in state is, launched ago
// before the observation, with its target in state ts.
func justLaunched(ago time.Duration, is ec2types.InstanceStateName, ts elbtypes.TargetHealthStateEnum) *Observation {
	o := correct()
	or := mkOrigin("us-east-1", ts, is, false)
	o.At = or.Instance.LaunchTime.Add(ago)
	o.Origins["us-east-1"] = or
	return o
}

func TestChecks(t *testing.T) {
	cps := map[string]labs.Checkpoint{}
	for _, c := range checkpoints() {
		cps[c.ID] = c
	}
	cases := []struct {
		name, cp string
		obs      *Observation
		want     labs.Status
	}{
		{"origins ok", "origins", correct(), labs.Pass},
		{"origin unhealthy", "origins", failedOver(), labs.Fail},
		// Real AWS: a fresh instance's targets fail their health checks until its user
		// data has the web server up; that is the lab coming up, not the student's mistake.
		{"origin just launched, targets unhealthy", "origins", justLaunched(2*time.Minute, ec2types.InstanceStateNameRunning, elbtypes.TargetHealthStateEnumUnhealthy), labs.Pending},
		{"origin instance pending, target unused", "origins", justLaunched(0, ec2types.InstanceStateNamePending, elbtypes.TargetHealthStateEnumUnused), labs.Pending},
		{"origin unhealthy long after launch", "origins", justLaunched(20*time.Minute, ec2types.InstanceStateNameRunning, elbtypes.TargetHealthStateEnumUnhealthy), labs.Fail},
		{"origin unhealthy, launch in the future (clock skew)", "origins", justLaunched(-time.Minute, ec2types.InstanceStateNameRunning, elbtypes.TargetHealthStateEnumUnhealthy), labs.Fail},
		// Browsing before the accelerator can answer: no listener, no groups, or groups
		// still INITIAL, is pending; groups past their first checks and no answer fails.
		{"traffic before the listener", "traffic", func() *Observation {
			o := correct()
			o.Listeners, o.Groups = nil, nil
			o.Probe = &Probe{URL: "http://203.0.113.1/", Err: "connection refused"}
			return o
		}(), labs.Pending},
		{"traffic before the endpoint groups", "traffic", func() *Observation {
			o := correct()
			o.Groups = nil
			o.Probe = &Probe{URL: "http://203.0.113.1/", Err: "i/o timeout"}
			return o
		}(), labs.Pending},
		{"traffic while the groups are INITIAL", "traffic", func() *Observation {
			o := correct()
			o.Groups = []gatypes.EndpointGroup{group("us-east-1", gatypes.HealthStateInitial), group("eu-west-1", gatypes.HealthStateInitial)}
			o.Probe = &Probe{URL: "http://203.0.113.1/", Err: "i/o timeout"}
			return o
		}(), labs.Pending},
		{"traffic with the listener on the wrong port", "traffic", func() *Observation {
			o := correct()
			o.Listeners[0].PortRanges[0] = gatypes.PortRange{FromPort: aws.Int32(8080), ToPort: aws.Int32(8080)}
			o.Probe = &Probe{URL: "http://203.0.113.1/", Err: "i/o timeout"}
			return o
		}(), labs.Pending}, // one mistake, one red checkpoint: the listener's
		{"traffic with every group UNHEALTHY", "traffic", func() *Observation {
			o := correct()
			o.Groups = []gatypes.EndpointGroup{group("us-east-1", gatypes.HealthStateUnhealthy), group("eu-west-1", gatypes.HealthStateUnhealthy)}
			o.Probe = &Probe{URL: "http://203.0.113.1/", Err: "i/o timeout"}
			return o
		}(), labs.Fail},
		{"traffic answered by the wrong page", "traffic", func() *Observation {
			o := correct()
			o.Probe = &Probe{URL: "http://203.0.113.1/", Status: 200, Body: "It works!"}
			return o
		}(), labs.Fail},
		// The first minutes of every student: a checkpoint not yet readable is pending, not failed.
		{"origin still registering", "origins", func() *Observation {
			o := correct()
			o.Origins["eu-west-1"] = mkOrigin("eu-west-1", elbtypes.TargetHealthStateEnumInitial, ec2types.InstanceStateNamePending, false)
			return o
		}(), labs.Pending},
		{"origin with no target yet", "origins", func() *Observation { o := correct(); o.Origins["eu-west-1"].Targets = nil; return o }(), labs.Pending},
		{"origin initial beside unhealthy", "origins", func() *Observation {
			o := correct()
			or := o.Origins["eu-west-1"]
			or.Targets = append(or.Targets, elbtypes.TargetHealthDescription{TargetHealth: &elbtypes.TargetHealth{State: elbtypes.TargetHealthStateEnumInitial}})
			or.Targets[0].TargetHealth.State = elbtypes.TargetHealthStateEnumUnhealthy
			return o
		}(), labs.Fail},
		{"accelerator ok", "accelerator", correct(), labs.Pass},
		{"accelerator in progress", "accelerator", func() *Observation {
			o := correct()
			o.Accelerator.Status = gatypes.AcceleratorStatusInProgress
			return o
		}(), labs.Pending}, // AWS is still deploying it: not the student's mistake
		{"accelerator disabled", "accelerator", func() *Observation {
			o := correct()
			o.Accelerator.Enabled = aws.Bool(false)
			return o
		}(), labs.Fail},
		{"accelerator missing", "accelerator", func() *Observation { o := correct(); o.Accelerator = nil; return o }(), labs.Pending},
		{"listener ok", "listener", correct(), labs.Pass},
		{"listener 8080", "listener", func() *Observation {
			o := correct()
			o.Listeners[0].PortRanges[0] = gatypes.PortRange{FromPort: aws.Int32(8080), ToPort: aws.Int32(8080)}
			return o
		}(), labs.Fail},
		{"groups ok", "endpoint-groups", correct(), labs.Pass},
		{"group in us-west-2", "endpoint-groups", func() *Observation {
			o := correct()
			o.Groups[1] = group("us-west-2", gatypes.HealthStateHealthy)
			return o
		}(), labs.Fail},
		{"one group", "endpoint-groups", func() *Observation { o := correct(); o.Groups = o.Groups[:1]; return o }(), labs.Fail},
		{"traffic ok", "traffic", correct(), labs.Pass},
		{"traffic before the accelerator is deployed", "traffic", func() *Observation {
			o := correct()
			o.Accelerator.Status = gatypes.AcceleratorStatusInProgress
			o.Probe = &Probe{URL: "http://203.0.113.1/", Err: "i/o timeout"}
			return o
		}(), labs.Pending},
		{"group still in its first health checks", "endpoint-groups", func() *Observation {
			o := correct()
			o.Groups[0] = group("us-east-1", gatypes.HealthStateInitial)
			return o
		}(), labs.Pending},
		{"traffic timeout", "traffic", func() *Observation {
			o := correct()
			o.Probe = &Probe{URL: "http://203.0.113.1/", Err: "i/o timeout"}
			return o
		}(), labs.Fail},
		{"dns none yet", "dns", correct(), labs.Pending},
		{"dns A with both IPs", "dns", func() *Observation {
			o := correct()
			o.Records = []r53types.ResourceRecordSet{{Name: aws.String("c42s07-app.example.com."), Type: r53types.RRTypeA,
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("203.0.113.2")}, {Value: aws.String("203.0.113.1")}}}}
			return o
		}(), labs.Pass},
		{"dns alias", "dns", func() *Observation {
			o := correct()
			o.Accelerator.DnsName = aws.String("a1234.awsglobalaccelerator.com")
			o.Records = []r53types.ResourceRecordSet{{Name: aws.String("c42s07-app.example.com."), Type: r53types.RRTypeA,
				AliasTarget: &r53types.AliasTarget{DNSName: aws.String("a1234.awsglobalaccelerator.com."), HostedZoneId: aws.String("Z2BJ6XQ5FK7U4H")}}}
			return o
		}(), labs.Pass},
		{"dns one IP only", "dns", func() *Observation {
			o := correct()
			o.Records = []r53types.ResourceRecordSet{{Name: aws.String("c42s07-app.example.com."), Type: r53types.RRTypeA,
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("203.0.113.1")}}}}
			return o
		}(), labs.Fail},
		{"failover ok", "failover", failedOver(), labs.Pass},
		{"failover not yet", "failover", func() *Observation {
			o := failedOver()
			o.Groups[0] = group("us-east-1", gatypes.HealthStateHealthy)
			return o
		}(), labs.Pending}, // the health checks have not noticed yet
		{"failover with nowhere to go", "failover", func() *Observation {
			o := failedOver()
			o.Probe = &Probe{URL: "http://203.0.113.1/", Err: "i/o timeout"}
			return o
		}(), labs.Fail},
		{"failover none stopped", "failover", correct(), labs.Pending},
		{"recovery ok", "recovery", correct(), labs.Pass},
		{"recovery group unhealthy", "recovery", func() *Observation {
			o := correct()
			o.Groups[0] = group("us-east-1", gatypes.HealthStateUnhealthy)
			return o
		}(), labs.Pending}, // the health checks have not passed yet
		{"recovery wrong region", "recovery", func() *Observation { o := correct(); o.Probe.Body = "Hello from eu-west-1"; return o }(), labs.Fail},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cps[tc.cp].Check(tc.obs)
			if r.Status != tc.want || r.Evidence == "" {
				t.Errorf("%s: %s %q, want %s with evidence", tc.cp, r.Status, r.Evidence, tc.want)
			}
		})
	}
	for _, c := range checkpoints() {
		if r := c.Check(nil); r.Status != labs.Error {
			t.Errorf("%s on nil: %s", c.ID, r.Status)
		}
	}
	if v := viewFailover(nil, labs.NewHistory()); v.Empty == "" {
		t.Error("widget has no empty state")
	}
}
