package sim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cloud"
)

var start = time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)

// env is one simulated account/region on a manual clock.
type env struct {
	t       testing.TB
	ctx     context.Context
	w       *World
	clock   *ManualClock
	counter *cloud.CallCounter
	c       *cloud.Clients
}

func newEnv(t testing.TB) *env {
	t.Helper()
	clock := NewManualClock(start)
	counter := cloud.NewCallCounter(nil, "sim")
	w := New(Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 42})
	c, err := w.Clients(context.Background(), "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: context.Background(), w: w, clock: clock, counter: counter, c: c}
}

// lab is one student's Fargate lab resources.
type lab struct {
	cluster, service, lb, tg string
}

// fargate builds the Lab 2 resources through the interfaces only: cluster, task
// definition (nginxdemos/hello on 80), ALB in the default subnets, ip target
// group on 80, listener :80 → TG and a 2-task service registering containerPort.
func (e *env) fargate(prefix string, containerPort int32) lab {
	e.t.Helper()
	ctx, c := e.ctx, e.c
	l := lab{cluster: prefix + "-cluster", service: prefix + "-svc"}
	must := func(err error) {
		e.t.Helper()
		if err != nil {
			e.t.Fatal(err)
		}
	}
	_, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(l.cluster), Tags: []ecstypes.Tag{{Key: aws.String("labdash:student"), Value: aws.String(prefix)}}})
	must(err)
	_, err = c.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(prefix + "-hello"), RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		NetworkMode: ecstypes.NetworkModeAwsvpc, Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("hello"), Image: aws.String("nginxdemos/hello"),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}}},
	})
	must(err)
	vpcID, subnets := e.w.ClassVPC("", "us-east-1")
	tags := []elbtypes.Tag{{Key: aws.String("labdash:student"), Value: aws.String(prefix)}}
	tg, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(prefix + "-tg"), Port: aws.Int32(80),
		Protocol: elbtypes.ProtocolEnumHttp, TargetType: elbtypes.TargetTypeEnumIp, VpcId: aws.String(vpcID), Tags: tags})
	must(err)
	lb, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(prefix + "-alb"), Subnets: subnets, Tags: tags})
	must(err)
	l.tg, l.lb = aws.ToString(tg.TargetGroups[0].TargetGroupArn), aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	_, err = c.ELBv2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: aws.String(l.lb), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(l.tg)}}})
	must(err)
	_, err = c.ECS.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(l.cluster), ServiceName: aws.String(l.service),
		TaskDefinition: aws.String(prefix + "-hello"), DesiredCount: aws.Int32(2), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: subnets}},
		LoadBalancers:        []ecstypes.LoadBalancer{{TargetGroupArn: aws.String(l.tg), ContainerName: aws.String("hello"), ContainerPort: aws.Int32(containerPort)}},
		Tags:                 []ecstypes.Tag{{Key: aws.String("labdash:student"), Value: aws.String(prefix)}}, PropagateTags: ecstypes.PropagateTagsService})
	must(err)
	return l
}

func (e *env) service(l lab) ecstypes.Service {
	e.t.Helper()
	out, err := e.c.ECS.DescribeServices(e.ctx, &ecs.DescribeServicesInput{Cluster: aws.String(l.cluster), Services: []string{l.service}})
	if err != nil || len(out.Services) != 1 {
		e.t.Fatalf("DescribeServices: %v %+v", err, out)
	}
	return out.Services[0]
}

func (e *env) health(l lab) []elbtypes.TargetHealthDescription {
	e.t.Helper()
	out, err := e.c.ELBv2.DescribeTargetHealth(e.ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(l.tg)})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.TargetHealthDescriptions
}

func (e *env) tasks(l lab, status ecstypes.DesiredStatus) []ecstypes.Task {
	e.t.Helper()
	list, err := e.c.ECS.ListTasks(e.ctx, &ecs.ListTasksInput{Cluster: aws.String(l.cluster), ServiceName: aws.String(l.service), DesiredStatus: status})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(list.TaskArns) == 0 {
		return nil
	}
	out, err := e.c.ECS.DescribeTasks(e.ctx, &ecs.DescribeTasksInput{Cluster: aws.String(l.cluster), Tasks: list.TaskArns, Include: []ecstypes.TaskField{ecstypes.TaskFieldTags}})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.Tasks
}

func healthyCount(h []elbtypes.TargetHealthDescription) int {
	n := 0
	for _, d := range h {
		if d.TargetHealth.State == elbtypes.TargetHealthStateEnumHealthy {
			n++
		}
	}
	return n
}

func hasEvent(s ecstypes.Service, sub string) bool {
	for _, ev := range s.Events {
		if strings.Contains(aws.ToString(ev.Message), sub) {
			return true
		}
	}
	return false
}

func TestFargateScenario(t *testing.T) {
	e := newEnv(t)
	l := e.fargate("c42s07", 80)

	s := e.service(l)
	if s.DesiredCount != 2 || s.RunningCount != 0 || aws.ToString(s.Status) != "ACTIVE" {
		t.Fatalf("fresh service: desired %d running %d status %s", s.DesiredCount, s.RunningCount, aws.ToString(s.Status))
	}
	e.clock.Advance(5 * time.Second)
	if s = e.service(l); s.PendingCount != 2 || !hasEvent(s, "has started 2 tasks: (task ") {
		t.Fatalf("after 5 s: pending %d, events %v", s.PendingCount, s.Events)
	}
	lbs, _ := e.c.ELBv2.DescribeLoadBalancers(e.ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{"c42s07-alb"}})
	if got := lbs.LoadBalancers[0].State.Code; got != elbtypes.LoadBalancerStateEnumProvisioning {
		t.Errorf("new ALB state %s, want provisioning", got)
	}
	if dns := aws.ToString(lbs.LoadBalancers[0].DNSName); !strings.HasPrefix(dns, "c42s07-alb-") || !strings.HasSuffix(dns, ".us-east-1.elb.amazonaws.com") {
		t.Errorf("DNS name %q", dns)
	}

	e.clock.Advance(10 * time.Minute)
	lbs, _ = e.c.ELBv2.DescribeLoadBalancers(e.ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{"c42s07-alb"}})
	if got := lbs.LoadBalancers[0].State.Code; got != elbtypes.LoadBalancerStateEnumActive || len(lbs.LoadBalancers[0].AvailabilityZones) != 2 {
		t.Errorf("ALB after 10 min: %s, %d AZs", got, len(lbs.LoadBalancers[0].AvailabilityZones))
	}
	s = e.service(l)
	if s.RunningCount != 2 || s.PendingCount != 0 {
		t.Fatalf("running %d pending %d, want 2 and 0", s.RunningCount, s.PendingCount)
	}
	if len(s.Deployments) != 1 || aws.ToString(s.Deployments[0].Status) != "PRIMARY" || s.Deployments[0].RolloutState != ecstypes.DeploymentRolloutStateCompleted {
		t.Errorf("deployments: %+v", s.Deployments)
	}
	if !hasEvent(s, "(service c42s07-svc) has reached a steady state.") || !hasEvent(s, "registered 1 targets in (target-group "+l.tg+")") {
		t.Errorf("events: %v", s.Events)
	}
	if aws.ToString(s.Events[0].Message) != "(service c42s07-svc) has reached a steady state." {
		t.Errorf("newest event %q", aws.ToString(s.Events[0].Message))
	}
	h := e.health(l)
	if len(h) != 2 || healthyCount(h) != 2 {
		t.Fatalf("target health: %+v", h)
	}
	azByIP := map[string]string{}
	for _, tk := range e.tasks(l, "") {
		if aws.ToString(tk.LastStatus) != "RUNNING" || aws.ToString(tk.Group) != "service:c42s07-svc" || tk.StartedAt == nil {
			t.Errorf("task %s: %s group %s", aws.ToString(tk.TaskArn), aws.ToString(tk.LastStatus), aws.ToString(tk.Group))
		}
		if len(tk.Tags) == 0 {
			t.Errorf("task has no propagated tags")
		}
		for _, d := range tk.Attachments[0].Details {
			if aws.ToString(d.Name) == "privateIPv4Address" {
				azByIP[aws.ToString(d.Value)] = aws.ToString(tk.AvailabilityZone)
			}
		}
	}
	azs := map[string]bool{}
	for _, d := range h {
		az, ok := azByIP[aws.ToString(d.Target.Id)]
		if !ok {
			t.Errorf("target %s is no task's IP", aws.ToString(d.Target.Id))
		}
		if aws.ToInt32(d.Target.Port) != 80 {
			t.Errorf("target port %d", aws.ToInt32(d.Target.Port))
		}
		azs[az] = true
	}
	if len(azs) != 2 {
		t.Errorf("tasks in AZs %v, want 2 distinct", azs)
	}
	tgs, _ := e.c.ELBv2.DescribeTargetGroups(e.ctx, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: aws.String(l.lb)})
	if len(tgs.TargetGroups) != 1 || len(tgs.TargetGroups[0].LoadBalancerArns) != 1 || aws.ToInt32(tgs.TargetGroups[0].HealthyThresholdCount) != 5 {
		t.Errorf("target groups: %+v", tgs.TargetGroups)
	}
}

func TestStoppedTaskIsReplaced(t *testing.T) {
	e := newEnv(t)
	l := e.fargate("c42s08", 80)
	e.clock.Advance(10 * time.Minute)
	running := e.tasks(l, "")
	if len(running) != 2 {
		t.Fatalf("%d running tasks", len(running))
	}
	victim := aws.ToString(running[0].TaskArn)
	out, err := e.c.ECS.StopTask(e.ctx, &ecs.StopTaskInput{Cluster: aws.String(l.cluster), Task: aws.String(victim), Reason: aws.String("watch it come back")})
	if err != nil || aws.ToString(out.Task.DesiredStatus) != "STOPPED" {
		t.Fatalf("StopTask: %v %+v", err, out)
	}
	e.clock.Advance(3 * time.Second)
	got, _ := e.c.ECS.DescribeTasks(e.ctx, &ecs.DescribeTasksInput{Cluster: aws.String(l.cluster), Tasks: []string{victim}})
	if st := aws.ToString(got.Tasks[0].LastStatus); st != "DEACTIVATING" && st != "STOPPING" {
		t.Errorf("3 s after StopTask lastStatus %s", st)
	}
	e.clock.Advance(10 * time.Second)
	stopped := e.tasks(l, ecstypes.DesiredStatusStopped)
	if len(stopped) != 1 || aws.ToString(stopped[0].LastStatus) != "STOPPED" || stopped[0].StopCode != ecstypes.TaskStopCodeUserInitiated ||
		aws.ToString(stopped[0].StoppedReason) != "watch it come back" {
		t.Fatalf("stopped tasks: %+v", stopped)
	}
	draining := 0
	for _, d := range e.health(l) {
		if d.TargetHealth.State == elbtypes.TargetHealthStateEnumDraining && d.TargetHealth.Reason == elbtypes.TargetHealthReasonEnumDeregistrationInProgress {
			draining++
		}
	}
	if draining != 1 {
		t.Errorf("%d draining targets, want 1", draining)
	}
	if s := e.service(l); s.RunningCount+s.PendingCount != 2 {
		t.Errorf("replacement not started: running %d pending %d", s.RunningCount, s.PendingCount)
	}
	e.clock.Advance(4 * time.Minute)
	if s := e.service(l); s.RunningCount != 2 || s.PendingCount != 0 {
		t.Errorf("after replacement: running %d pending %d", s.RunningCount, s.PendingCount)
	}
	if n := healthyCount(e.health(l)); n != 2 {
		t.Errorf("%d healthy targets after replacement", n)
	}
	e.clock.Advance(2 * time.Minute) // the deregistration delay (300 s) has passed
	if h := e.health(l); len(h) != 2 {
		t.Errorf("%d targets after draining, want 2", len(h))
	}
	e.clock.Advance(61 * time.Minute)
	if stopped := e.tasks(l, ecstypes.DesiredStatusStopped); len(stopped) != 0 {
		t.Errorf("stopped task still listed after an hour")
	}
}

func TestWrongContainerPortNeverHealthy(t *testing.T) {
	e := newEnv(t)
	l := e.fargate("c42s09", 8080)
	for i := 0; i < 20; i++ {
		e.clock.Advance(30 * time.Second)
		for _, d := range e.health(l) {
			if d.TargetHealth.State == elbtypes.TargetHealthStateEnumHealthy {
				t.Fatalf("target %s healthy with the wrong port", aws.ToString(d.Target.Id))
			}
			if aws.ToInt32(d.Target.Port) != 8080 {
				t.Errorf("target registered on %d", aws.ToInt32(d.Target.Port))
			}
		}
	}
	sawUnhealthy := false
	for i := 0; i < 20 && !sawUnhealthy; i++ {
		for _, d := range e.health(l) {
			if d.TargetHealth.State == elbtypes.TargetHealthStateEnumUnhealthy {
				r := d.TargetHealth.Reason
				if r != elbtypes.TargetHealthReasonEnumFailedHealthChecks && r != elbtypes.TargetHealthReasonEnumTimeout {
					t.Errorf("unhealthy reason %s", r)
				}
				sawUnhealthy = true
			}
		}
		e.clock.Advance(5 * time.Second)
	}
	if !sawUnhealthy {
		t.Error("never saw an unhealthy target")
	}
	stopped := e.tasks(l, ecstypes.DesiredStatusStopped)
	if len(stopped) < 2 {
		t.Fatalf("%d tasks replaced, want ≥ 2", len(stopped))
	}
	for _, tk := range stopped {
		if tk.StopCode != ecstypes.TaskStopCodeServiceSchedulerInitiated || !strings.Contains(aws.ToString(tk.StoppedReason), "Task failed ELB health checks in (target-group "+l.tg+")") {
			t.Errorf("stopped task: %s %q", tk.StopCode, aws.ToString(tk.StoppedReason))
		}
	}
	s := e.service(l)
	if !hasEvent(s, "failed ELB health checks in (target-group "+l.tg+")") || hasEvent(s, "steady state") {
		t.Errorf("events: %v", s.Events)
	}
	if s.Deployments[0].RolloutState != ecstypes.DeploymentRolloutStateInProgress {
		t.Errorf("rollout %s", s.Deployments[0].RolloutState)
	}
}

// alignMinute advances the clock to the next minute boundary.
func (e *env) alignMinute() {
	now := e.clock.Now()
	e.clock.Advance(now.Truncate(time.Minute).Add(time.Minute).Sub(now))
}

func (e *env) alarm(prefix string) cwtypes.MetricAlarm {
	e.t.Helper()
	out, err := e.c.CloudWatch.DescribeAlarms(e.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(prefix), MaxRecords: aws.Int32(100)})
	if err != nil || len(out.MetricAlarms) != 1 {
		e.t.Fatalf("DescribeAlarms %s: %v, %d alarms", prefix, err, len(out.MetricAlarms))
	}
	return out.MetricAlarms[0]
}

// scaling sets up the lab's scalable target (1–4) and target-tracking policy (1).
func (e *env) scaling(l lab) {
	e.t.Helper()
	rid := aws.String("service/" + l.cluster + "/" + l.service)
	if _, err := e.c.AutoScaling.RegisterScalableTarget(e.ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: rid, ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(4)}); err != nil {
		e.t.Fatal(err)
	}
	label := lbDimOf(l.lb) + "/" + tgDimOf(l.tg)
	out, err := e.c.AutoScaling.PutScalingPolicy(e.ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("requests"), ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: rid, ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(1),
			PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeALBRequestCountPerTarget, ResourceLabel: aws.String(label)}}})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(out.Alarms) != 2 || !strings.HasPrefix(aws.ToString(out.PolicyARN), "arn:aws:autoscaling:us-east-1:111122223333:scalingPolicy:") {
		e.t.Fatalf("policy: %+v", out)
	}
}

func TestTargetTrackingScaleOutAndIn(t *testing.T) {
	e := newEnv(t)
	l := e.fargate("c42s10", 80)
	e.clock.Advance(10 * time.Minute)
	e.scaling(l)
	high := "TargetTracking-service/" + l.cluster + "/" + l.service + "-AlarmHigh-"
	low := "TargetTracking-service/" + l.cluster + "/" + l.service + "-AlarmLow-"
	if a := e.alarm(high); a.StateValue != cwtypes.StateValueInsufficientData || aws.ToInt32(a.EvaluationPeriods) != 3 || aws.ToFloat64(a.Threshold) != 1 {
		t.Errorf("new AlarmHigh: %s, %d periods, threshold %v", a.StateValue, aws.ToInt32(a.EvaluationPeriods), aws.ToFloat64(a.Threshold))
	}
	if a := e.alarm(low); aws.ToInt32(a.EvaluationPeriods) != 15 || aws.ToFloat64(a.Threshold) != 0.9 || a.ComparisonOperator != cwtypes.ComparisonOperatorLessThanThreshold {
		t.Errorf("AlarmLow: %+v", a)
	}

	e.alignMinute()
	if err := e.w.SetLoad("", "us-east-1", l.lb, 0.5); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if a := e.alarm(high); a.StateValue == cwtypes.StateValueAlarm {
		t.Fatalf("AlarmHigh in ALARM after 2 datapoints: %s", aws.ToString(a.StateReason))
	}
	if d := e.service(l).DesiredCount; d != 2 {
		t.Fatalf("desired %d before the alarm", d)
	}
	e.clock.Advance(time.Minute)
	a := e.alarm(high)
	if a.StateValue != cwtypes.StateValueAlarm || !strings.HasPrefix(aws.ToString(a.StateReason), "Threshold Crossed: 3 datapoints [15.0 (") ||
		!strings.HasSuffix(aws.ToString(a.StateReason), "were greater than the threshold (1.0).") {
		t.Fatalf("AlarmHigh after 3 datapoints: %s %q", a.StateValue, aws.ToString(a.StateReason))
	}
	hist, _ := e.c.CloudWatch.DescribeAlarmHistory(e.ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: a.AlarmName, HistoryItemType: cwtypes.HistoryItemTypeStateUpdate})
	if len(hist.AlarmHistoryItems) == 0 || aws.ToString(hist.AlarmHistoryItems[0].HistorySummary) != "Alarm updated from OK to ALARM" {
		t.Errorf("history: %+v", hist.AlarmHistoryItems)
	}
	s := e.service(l)
	if s.DesiredCount <= 2 || s.DesiredCount > 4 {
		t.Fatalf("desired %d after the alarm, want (2, 4]", s.DesiredCount)
	}
	acts, _ := e.c.AutoScaling.DescribeScalingActivities(e.ctx, &aas.DescribeScalingActivitiesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
		ResourceId: aws.String("service/" + l.cluster + "/" + l.service)})
	if len(acts.ScalingActivities) != 1 || acts.ScalingActivities[0].StatusCode != aastypes.ScalingActivityStatusCodeSuccessful ||
		aws.ToString(acts.ScalingActivities[0].Description) != "Setting desired count to 4." ||
		!strings.HasPrefix(aws.ToString(acts.ScalingActivities[0].Cause), "monitor alarm "+high) {
		t.Errorf("activities: %+v", acts.ScalingActivities)
	}

	// Huge load never takes the service past MaxCapacity.
	if err := e.w.SetLoad("", "us-east-1", l.lb, 5000); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		e.clock.Advance(time.Minute)
		if d := e.service(l).DesiredCount; d > 4 {
			t.Fatalf("desired %d > MaxCapacity 4", d)
		}
	}
	if s := e.service(l); s.RunningCount != 4 {
		t.Errorf("running %d after scale-out", s.RunningCount)
	}
	if n := healthyCount(e.health(l)); n != 4 {
		t.Errorf("%d healthy targets after scale-out", n)
	}
	res, err := e.c.CloudWatch.GetMetricData(e.ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(e.clock.Now().Add(-10 * time.Minute)), EndTime: aws.Time(e.clock.Now()),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("rpt"), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(60), Stat: aws.String("Sum"),
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/ApplicationELB"), MetricName: aws.String("RequestCountPerTarget"),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("TargetGroup"), Value: aws.String(tgDimOf(l.tg))}, {Name: aws.String("LoadBalancer"), Value: aws.String(lbDimOf(l.lb))}}}}},
			{Id: aws.String("none"), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(60), Stat: aws.String("Sum"), Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Nope"), MetricName: aws.String("X")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	r0 := res.MetricDataResults[0]
	if len(r0.Values) != 10 || r0.Values[0] != 5000*60/4 || !r0.Timestamps[0].After(r0.Timestamps[1]) {
		t.Errorf("RequestCountPerTarget: %v at %v", r0.Values, r0.Timestamps)
	}
	if len(res.MetricDataResults[1].Values) != 0 {
		t.Errorf("unknown metric has data")
	}

	// Scale-in waits for AlarmLow's 15 datapoints.
	if err := e.w.SetLoad("", "us-east-1", l.lb, 0); err != nil {
		t.Fatal(err)
	}
	scaledIn := false
	for i := 0; i < 25 && !scaledIn; i++ {
		e.clock.Advance(time.Minute)
		lowState := e.alarm(low).StateValue
		d := e.service(l).DesiredCount
		if lowState != cwtypes.StateValueAlarm && d != 4 {
			t.Fatalf("minute %d: desired %d while AlarmLow is %s", i, d, lowState)
		}
		if d < 4 {
			scaledIn = true
			if i < 14 {
				t.Errorf("scaled in after %d minutes, before 15 datapoints", i+1)
			}
			if d != 1 {
				t.Errorf("scaled in to %d, want MinCapacity 1", d)
			}
		}
	}
	if !scaledIn {
		t.Fatal("never scaled in")
	}
	if a := e.alarm(high); a.StateValue != cwtypes.StateValueOk {
		t.Errorf("AlarmHigh %s without load", a.StateValue)
	}
	e.clock.Advance(10 * time.Minute)
	if s := e.service(l); s.RunningCount != 1 {
		t.Errorf("running %d after scale-in", s.RunningCount)
	}
	attrs, _ := e.c.ELBv2.DescribeTargetGroupAttributes(e.ctx, &elbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(l.tg)})
	found := false
	for _, a := range attrs.Attributes {
		if aws.ToString(a.Key) == "deregistration_delay.timeout_seconds" && aws.ToString(a.Value) == "300" {
			found = true
		}
	}
	if !found {
		t.Errorf("attributes: %+v", attrs.Attributes)
	}

	// Cleanup order of the lab: policies and alarms go with the target.
	rid := aws.String("service/" + l.cluster + "/" + l.service)
	if _, err := e.c.AutoScaling.DeregisterScalableTarget(e.ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: rid,
		ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount}); err != nil {
		t.Fatal(err)
	}
	if out, _ := e.c.CloudWatch.DescribeAlarms(e.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("TargetTracking-")}); len(out.MetricAlarms) != 0 {
		t.Errorf("%d alarms left after DeregisterScalableTarget", len(out.MetricAlarms))
	}
}

func tgDimOf(arn string) string { return arn[strings.Index(arn, "targetgroup/"):] }
func lbDimOf(arn string) string { return arn[strings.Index(arn, "app/"):] }

func TestCallCounter(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 3; i++ {
		if _, err := e.c.EC2.DescribeVpcs(e.ctx, &ec2.DescribeVpcsInput{}); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = e.c.ECS.DescribeClusters(e.ctx, nil)
	_, _ = e.c.Tagging.GetResources(e.ctx, nil)
	_, _ = e.c.IAM.GetRole(e.ctx, nil)
	for _, tc := range []struct {
		service, op string
		want        int64
	}{
		{"ec2", "DescribeVpcs", 3}, {"ecs", "DescribeClusters", 1}, {"tagging", "GetResources", 1}, {"iam", "GetRole", 1}, {"ecs", "CreateCluster", 0},
	} {
		if got := e.counter.Count(tc.service, tc.op); got != tc.want {
			t.Errorf("%s:%s = %d, want %d", tc.service, tc.op, got, tc.want)
		}
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
