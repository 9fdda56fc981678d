package fargate

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs"
)

const (
	tgARN = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/c42s07-tg/0123456789abcdef"
	lbARN = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/c42s07-alb/fedcba9876543210"
)

func task(id, ip, az, status string) ecstypes.Task {
	return ecstypes.Task{TaskArn: aws.String("arn:aws:ecs:us-east-1:111122223333:task/c42s07-cluster/" + id), LastStatus: aws.String(status),
		AvailabilityZone: aws.String(az), Group: aws.String("service:c42s07-svc"),
		Attachments: []ecstypes.Attachment{{Type: aws.String("ElasticNetworkInterface"), Details: []ecstypes.KeyValuePair{{Name: aws.String("privateIPv4Address"), Value: aws.String(ip)}}}}}
}

func healthy(ip string) elbtypes.TargetHealthDescription {
	return elbtypes.TargetHealthDescription{Target: &elbtypes.TargetDescription{Id: aws.String(ip), Port: aws.Int32(80)},
		TargetHealth: &elbtypes.TargetHealth{State: elbtypes.TargetHealthStateEnumHealthy}}
}

// correct is a student who finished the lab, scale-in included.
func correct() *Observation {
	t := labs.NewTarget("c42", "s07", "111122223333", "us-east-1")
	return &Observation{
		Target:  t,
		At:      time.Unix(1_800_000_000, 0),
		Cluster: &ecstypes.Cluster{ClusterName: aws.String("c42s07-cluster"), Status: aws.String("ACTIVE")},
		TaskDef: &ecstypes.TaskDefinition{Family: aws.String("c42s07-hello"), Revision: 1, NetworkMode: ecstypes.NetworkModeAwsvpc,
			RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("hello"), Image: aws.String("nginxdemos/hello"),
				PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}}}},
		LoadBalancer: &elbtypes.LoadBalancer{LoadBalancerArn: aws.String(lbARN), LoadBalancerName: aws.String("c42s07-alb"),
			State:             &elbtypes.LoadBalancerState{Code: elbtypes.LoadBalancerStateEnumActive},
			AvailabilityZones: []elbtypes.AvailabilityZone{{ZoneName: aws.String("us-east-1a")}, {ZoneName: aws.String("us-east-1b")}}},
		TargetGroups: []elbtypes.TargetGroup{{TargetGroupArn: aws.String(tgARN), TargetGroupName: aws.String("c42s07-tg"), Port: aws.Int32(80), TargetType: elbtypes.TargetTypeEnumIp}},
		Listeners: []elbtypes.Listener{{Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN)}}}},
		Service: &ecstypes.Service{ServiceName: aws.String("c42s07-svc"), DesiredCount: 3, RunningCount: 3,
			LoadBalancers: []ecstypes.LoadBalancer{{TargetGroupArn: aws.String(tgARN), ContainerPort: aws.Int32(80)}},
			Deployments:   []ecstypes.Deployment{{Status: aws.String("PRIMARY"), RolloutState: ecstypes.DeploymentRolloutStateCompleted}}},
		Tasks: []ecstypes.Task{task("a1", "10.0.0.10", "us-east-1a", "RUNNING"), task("b1", "10.0.1.10", "us-east-1b", "RUNNING"), task("a2", "10.0.0.11", "us-east-1a", "RUNNING")},
		Stopped: []ecstypes.Task{func() ecstypes.Task {
			t := task("x9", "10.0.0.9", "us-east-1a", "STOPPED")
			t.StopCode = ecstypes.TaskStopCodeUserInitiated
			return t
		}()},
		TargetHealth: []elbtypes.TargetHealthDescription{healthy("10.0.0.10"), healthy("10.0.1.10"), healthy("10.0.0.11")},
		Scalable:     &aastypes.ScalableTarget{ResourceId: aws.String("service/c42s07-cluster/c42s07-svc"), MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(4)},
		Policies: []aastypes.ScalingPolicy{{PolicyName: aws.String("c42s07-requests"), PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
			TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(1),
				PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeALBRequestCountPerTarget,
					ResourceLabel: aws.String("app/c42s07-alb/fedcba9876543210/targetgroup/c42s07-tg/0123456789abcdef")}}}},
		Activities: []aastypes.ScalingActivity{{StatusCode: aastypes.ScalingActivityStatusCodeSuccessful, Description: aws.String("Setting desired count to 3.")}},
		Alarms: []cwtypes.MetricAlarm{
			{AlarmName: aws.String("TargetTracking-service/c42s07-cluster/c42s07-svc-AlarmHigh-1111"), StateValue: cwtypes.StateValueAlarm},
			{AlarmName: aws.String("TargetTracking-service/c42s07-cluster/c42s07-svc-AlarmLow-2222"), StateValue: cwtypes.StateValueAlarm}},
		RequestCounts: []float64{0, 30, 45, 60},
	}
}

func TestEveryCheckpointPassesOnACorrectState(t *testing.T) {
	o := correct()
	for _, cp := range Lab().Checkpoints {
		r := cp.Check(o)
		if r.Status != labs.Pass || r.Evidence == "" {
			t.Errorf("%s: %s %q; want pass with evidence", cp.ID, r.Status, r.Evidence)
		}
	}
}

func TestCheckpointsFailWithEvidence(t *testing.T) {
	cases := []struct {
		checkpoint string
		mutate     func(o *Observation)
		status     labs.Status
		evidence   string
	}{
		{"cluster", func(o *Observation) { o.Cluster.Status = aws.String("INACTIVE") }, labs.Fail, "INACTIVE"},
		{"cluster", func(o *Observation) { o.Cluster = nil }, labs.Pending, "no cluster c42s07-cluster"},
		{"taskdef", func(o *Observation) { o.TaskDef.NetworkMode = ecstypes.NetworkModeBridge }, labs.Fail, "awsvpc"},
		{"taskdef", func(o *Observation) {
			o.TaskDef.RequiresCompatibilities = []ecstypes.Compatibility{ecstypes.CompatibilityEc2}
		}, labs.Fail, "FARGATE"},
		{"taskdef", func(o *Observation) { o.TaskDef.ContainerDefinitions[0].Image = aws.String("nginx") }, labs.Fail, "nginxdemos/hello"},
		{"taskdef", func(o *Observation) {
			o.TaskDef.ContainerDefinitions[0].PortMappings[0].ContainerPort = aws.Int32(8080)
		}, labs.Fail, "port 80"},
		{"alb", func(o *Observation) { o.LoadBalancer.AvailabilityZones = o.LoadBalancer.AvailabilityZones[:1] }, labs.Fail, "1 AZ"},
		{"alb", func(o *Observation) { o.TargetGroups[0].TargetType = elbtypes.TargetTypeEnumInstance }, labs.Fail, "ip"},
		{"alb", func(o *Observation) { o.Listeners = nil }, labs.Fail, "no :80 listener"},
		{"alb", func(o *Observation) { o.LoadBalancer.State.Code = elbtypes.LoadBalancerStateEnumProvisioning }, labs.Pending, "provisioning"},
		{"service", func(o *Observation) { o.Service.LoadBalancers = nil }, labs.Fail, "no load balancer"},
		{"service", func(o *Observation) { o.Scalable = nil; o.Service.DesiredCount = 3 }, labs.Fail, "wants 3 tasks"},
		{"service", func(o *Observation) { o.Service.RunningCount = 1 }, labs.Pending, "running 1"},
		{"healthy", func(o *Observation) {
			o.TargetHealth = []elbtypes.TargetHealthDescription{{Target: &elbtypes.TargetDescription{Id: aws.String("10.0.0.10")},
				TargetHealth: &elbtypes.TargetHealth{State: elbtypes.TargetHealthStateEnumUnhealthy, Reason: elbtypes.TargetHealthReasonEnumFailedHealthChecks}}}
		}, labs.Fail, "Target.FailedHealthChecks"},
		{"healthy", func(o *Observation) {
			o.TargetHealth = []elbtypes.TargetHealthDescription{healthy("10.0.0.10"), healthy("10.0.0.11")}
		}, labs.Fail, "one AZ"},
		{"selfheal", func(o *Observation) { o.Stopped = nil }, labs.Pending, "no task stopped"},
		{"selfheal", func(o *Observation) { o.Service.RunningCount = 2 }, labs.Pending, "waiting for the replacement"},
		{"policy", func(o *Observation) { o.Scalable.MinCapacity, o.Scalable.MaxCapacity = aws.Int32(2), aws.Int32(2) }, labs.Fail, "min 2 and max 2"},
		{"policy", func(o *Observation) {
			o.Policies[0].TargetTrackingScalingPolicyConfiguration.TargetValue = aws.Float64(50)
		}, labs.Fail, "target value is 50"},
		{"policy", func(o *Observation) {
			o.Policies[0].TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType = aastypes.MetricTypeECSServiceAverageCPUUtilization
		}, labs.Fail, "ALBRequestCountPerTarget"},
		{"alarm", func(o *Observation) { o.Alarms[0].StateValue = cwtypes.StateValueOk }, labs.Pending, "3 one-minute datapoints"},
		{"scaleout", func(o *Observation) { o.Service.DesiredCount, o.Service.RunningCount = 2, 2 }, labs.Pending, "has not risen"},
		{"scaleout", func(o *Observation) { o.TargetHealth = o.TargetHealth[:2] }, labs.Pending, "healthy 2"},
		{"scalein", func(o *Observation) { o.Alarms[1].StateValue = cwtypes.StateValueOk }, labs.Pending, "15 datapoints"},
	}
	byID := map[string]labs.Checkpoint{}
	for _, cp := range Lab().Checkpoints {
		byID[cp.ID] = cp
	}
	for _, tc := range cases {
		t.Run(tc.checkpoint+" "+tc.evidence, func(t *testing.T) {
			o := correct()
			tc.mutate(o)
			r := byID[tc.checkpoint].Check(o)
			if r.Status != tc.status || !strings.Contains(r.Evidence, tc.evidence) {
				t.Fatalf("%s: %s %q; want %s mentioning %q", tc.checkpoint, r.Status, r.Evidence, tc.status, tc.evidence)
			}
		})
	}
}

func TestWidgetsRenderEmptyAndFullStates(t *testing.T) {
	empty := &Observation{Target: labs.NewTarget("c42", "s07", "", "us-east-1")}
	for _, w := range Lab().Widgets {
		if v := w.View(empty, labs.NewHistory()); v.Empty == "" {
			t.Errorf("widget %s has no empty state: %+v", w.ID, v)
		}
		if v := w.View(correct(), labs.NewHistory()); v.Empty != "" {
			t.Errorf("widget %s is empty on a full state: %q", w.ID, v.Empty)
		}
	}
	// The alarm lamp remembers transitions across cycles.
	h := labs.NewHistory()
	o := correct()
	o.Alarms[0].StateValue = cwtypes.StateValueOk
	widgets()[3].View(o, h)
	o = correct()
	o.At = o.At.Add(time.Minute)
	v := widgets()[3].View(o, h)
	if len(v.Lamps.Items) == 0 || len(v.Lamps.Items[0].History) != 1 || v.Lamps.Items[0].History[0].To != "ALARM" {
		t.Fatalf("alarm history = %+v", v.Lamps)
	}
}
