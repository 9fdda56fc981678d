package fargate

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs"
)

func checkpoints() []labs.Checkpoint {
	return []labs.Checkpoint{
		{ID: "cluster", Title: "Create the cluster", Check: labs.Typed(checkCluster)},
		{ID: "taskdef", Title: "Register the task definition", Check: labs.Typed(checkTaskDef)},
		{ID: "alb", Title: "Create the ALB, target group and listener", Check: labs.Typed(checkALB)},
		{ID: "service", Title: "Run the service with 2 tasks", Check: labs.Typed(checkService)},
		{ID: "healthy", Title: "2 healthy targets in 2 AZs", Check: labs.Typed(checkHealthy)},
		{ID: "selfheal", Title: "Stop a task and watch it replaced", Check: labs.Typed(checkSelfHeal)},
		{ID: "policy", Title: "Add the target-tracking policy", Check: labs.Typed(checkPolicy)},
		{ID: "alarm", Title: "Make the high alarm fire", Check: labs.Typed(checkAlarm)},
		{ID: "scaleout", Title: "Service scaled out", Check: labs.Typed(checkScaleOut)},
		{ID: "scalein", Title: "(optional) Scale back in", Optional: true, Check: labs.Typed(checkScaleIn)},
	}
}

func checkCluster(o *Observation) labs.Result {
	if o.Cluster == nil {
		return labs.Pendingf("no cluster %s yet", clusterName(o.Target))
	}
	if s := aws.ToString(o.Cluster.Status); s != "ACTIVE" {
		return labs.Failf("cluster %s is %s, not ACTIVE", clusterName(o.Target), s)
	}
	return labs.Passf("cluster %s is ACTIVE", clusterName(o.Target))
}

func checkTaskDef(o *Observation) labs.Result {
	td := o.TaskDef
	if td == nil {
		return labs.Pendingf("no task definition %s yet", family(o.Target))
	}
	rev := fmt.Sprintf("%s:%d", aws.ToString(td.Family), td.Revision)
	fargate := false
	for _, c := range td.RequiresCompatibilities {
		fargate = fargate || c == ecstypes.CompatibilityFargate
	}
	if !fargate {
		return labs.Failf("%s does not require FARGATE compatibility", rev)
	}
	if td.NetworkMode != ecstypes.NetworkModeAwsvpc {
		return labs.Failf("%s uses network mode %q; Fargate needs awsvpc", rev, td.NetworkMode)
	}
	for _, c := range td.ContainerDefinitions {
		if !strings.Contains(aws.ToString(c.Image), "nginxdemos/hello") {
			continue
		}
		for _, pm := range c.PortMappings {
			if aws.ToInt32(pm.ContainerPort) == 80 {
				return labs.Passf("%s runs %s on port 80", rev, aws.ToString(c.Image))
			}
		}
		return labs.Failf("%s: container %s does not map port 80", rev, aws.ToString(c.Name))
	}
	return labs.Failf("%s has no container with image nginxdemos/hello", rev)
}

func checkALB(o *Observation) labs.Result {
	lb := o.LoadBalancer
	if lb == nil {
		return labs.Pendingf("no load balancer %s yet", lbName(o.Target))
	}
	if lb.State == nil || lb.State.Code != elbtypes.LoadBalancerStateEnumActive {
		state := "unknown"
		if lb.State != nil {
			state = string(lb.State.Code)
		}
		return labs.Pendingf("load balancer %s is %s", lbName(o.Target), state)
	}
	if len(lb.AvailabilityZones) < 2 {
		return labs.Failf("load balancer %s spans %d AZ; it needs 2", lbName(o.Target), len(lb.AvailabilityZones))
	}
	if len(o.TargetGroups) == 0 {
		return labs.Pendingf("no target group yet")
	}
	tgs := map[string]elbtypes.TargetGroup{}
	for _, tg := range o.TargetGroups {
		tgs[aws.ToString(tg.TargetGroupArn)] = tg
	}
	for _, l := range o.Listeners {
		if aws.ToInt32(l.Port) != 80 {
			continue
		}
		for _, a := range l.DefaultActions {
			if a.Type != elbtypes.ActionTypeEnumForward {
				continue
			}
			tg, ok := tgs[aws.ToString(a.TargetGroupArn)]
			if !ok {
				continue
			}
			if tg.TargetType != elbtypes.TargetTypeEnumIp {
				return labs.Failf("target group %s has target type %q; Fargate tasks need ip", aws.ToString(tg.TargetGroupName), tg.TargetType)
			}
			if aws.ToInt32(tg.Port) != 80 {
				return labs.Failf("target group %s listens on port %d, not 80", aws.ToString(tg.TargetGroupName), aws.ToInt32(tg.Port))
			}
			return labs.Passf("%s active in %d AZs; :80 forwards to %s", lbName(o.Target), len(lb.AvailabilityZones), aws.ToString(tg.TargetGroupName))
		}
	}
	return labs.Failf("no :80 listener on %s forwards to a target group of yours", lbName(o.Target))
}

func checkService(o *Observation) labs.Result {
	s := o.Service
	if s == nil {
		return labs.Pendingf("no service %s yet", serviceName(o.Target))
	}
	counts := fmt.Sprintf("desired %d, running %d, pending %d", s.DesiredCount, s.RunningCount, s.PendingCount)
	if len(s.LoadBalancers) == 0 || s.LoadBalancers[0].TargetGroupArn == nil {
		return labs.Failf("service %s has no load balancer; %s", serviceName(o.Target), counts)
	}
	if tg := o.ownTargetGroup(aws.ToString(s.LoadBalancers[0].TargetGroupArn)); tg == nil {
		return labs.Failf("service %s uses a target group that is not yours", serviceName(o.Target))
	}
	if s.DesiredCount < 2 || (s.DesiredCount != 2 && o.Scalable == nil) {
		return labs.Failf("service %s wants %s; the lab asks for 2", serviceName(o.Target), labs.Plural(int(s.DesiredCount), "task", "tasks"))
	}
	if s.RunningCount != s.DesiredCount || s.PendingCount != 0 {
		return labs.Pendingf("service %s is starting: %s", serviceName(o.Target), counts)
	}
	primary := 0
	for _, d := range s.Deployments {
		if aws.ToString(d.Status) == "PRIMARY" {
			primary++
			if d.RolloutState != "" && d.RolloutState != ecstypes.DeploymentRolloutStateCompleted {
				return labs.Pendingf("deployment is %s; %s", d.RolloutState, counts)
			}
		}
	}
	if primary != 1 || len(s.Deployments) != 1 {
		return labs.Pendingf("%d deployments in flight; %s", len(s.Deployments), counts)
	}
	return labs.Passf("service %s: %s; deployment COMPLETED", serviceName(o.Target), counts)
}

func (o *Observation) ownTargetGroup(arn string) *elbtypes.TargetGroup {
	for i := range o.TargetGroups {
		if aws.ToString(o.TargetGroups[i].TargetGroupArn) == arn {
			return &o.TargetGroups[i]
		}
	}
	return nil
}

// taskAZs maps each task's private IP to its availability zone.
func (o *Observation) taskAZs() map[string]string {
	out := map[string]string{}
	for _, t := range o.Tasks {
		if ip := taskIP(t); ip != "" {
			out[ip] = aws.ToString(t.AvailabilityZone)
		}
	}
	return out
}

func taskIP(t ecstypes.Task) string {
	for _, a := range t.Attachments {
		for _, d := range a.Details {
			if aws.ToString(d.Name) == "privateIPv4Address" {
				return aws.ToString(d.Value)
			}
		}
	}
	return ""
}

func (o *Observation) healthyTargets() (n int, azs map[string]bool, worst string) {
	ipAZ := o.taskAZs()
	azs = map[string]bool{}
	for _, th := range o.TargetHealth {
		if th.TargetHealth == nil || th.Target == nil {
			continue
		}
		switch th.TargetHealth.State {
		case elbtypes.TargetHealthStateEnumHealthy:
			n++
			if az := ipAZ[aws.ToString(th.Target.Id)]; az != "" {
				azs[az] = true
			}
		case elbtypes.TargetHealthStateEnumUnhealthy:
			// Only a failing health check is a mistake; initial, draining and
			// unused targets are on their way somewhere.
			if worst == "" {
				worst = fmt.Sprintf("%s is %s (%s)", aws.ToString(th.Target.Id), th.TargetHealth.State, th.TargetHealth.Reason)
			}
		}
	}
	return n, azs, worst
}

func checkHealthy(o *Observation) labs.Result {
	if len(o.TargetHealth) == 0 {
		return labs.Pendingf("no targets registered yet")
	}
	n, azs, worst := o.healthyTargets()
	if n < 2 {
		if worst != "" {
			return labs.Failf("%d healthy target(s); %s", n, worst)
		}
		return labs.Pendingf("%d healthy target(s) so far", n)
	}
	if len(azs) < 2 {
		return labs.Failf("%d healthy targets but all in one AZ", n)
	}
	return labs.Passf("%d healthy targets in %d AZs", n, len(azs))
}

func checkSelfHeal(o *Observation) labs.Result {
	var stopped *ecstypes.Task
	for i := range o.Stopped {
		if o.Stopped[i].StopCode == ecstypes.TaskStopCodeUserInitiated {
			stopped = &o.Stopped[i]
			break
		}
	}
	if stopped == nil {
		return labs.Pendingf("no task stopped by hand in the last hour")
	}
	if o.Service == nil || o.Service.RunningCount < o.Service.DesiredCount {
		running := int32(0)
		if o.Service != nil {
			running = o.Service.RunningCount
		}
		return labs.Pendingf("task %s stopped; waiting for the replacement (%d running)", shortID(aws.ToString(stopped.TaskArn)), running)
	}
	return labs.Passf("task %s stopped by hand and replaced: %d running", shortID(aws.ToString(stopped.TaskArn)), o.Service.RunningCount)
}

func checkPolicy(o *Observation) labs.Result {
	st := o.Scalable
	if st == nil {
		return labs.Pendingf("no scalable target for service/%s/%s yet", clusterName(o.Target), serviceName(o.Target))
	}
	if aws.ToInt32(st.MinCapacity) != 1 || aws.ToInt32(st.MaxCapacity) != 4 {
		return labs.Failf("scalable target has min %d and max %d; the lab asks for 1 and 4", aws.ToInt32(st.MinCapacity), aws.ToInt32(st.MaxCapacity))
	}
	for _, p := range o.Policies {
		if p.PolicyType != aastypes.PolicyTypeTargetTrackingScaling || p.TargetTrackingScalingPolicyConfiguration == nil {
			continue
		}
		cfg := p.TargetTrackingScalingPolicyConfiguration
		spec := cfg.PredefinedMetricSpecification
		if spec == nil || spec.PredefinedMetricType != aastypes.MetricTypeALBRequestCountPerTarget {
			return labs.Failf("policy %s does not track ALBRequestCountPerTarget", aws.ToString(p.PolicyName))
		}
		label := aws.ToString(spec.ResourceLabel)
		if !strings.HasPrefix(label, "app/") || !strings.Contains(label, "/targetgroup/") {
			return labs.Failf("policy resource label %q is not app/<lb>/<id>/targetgroup/<tg>/<id>", label)
		}
		if aws.ToFloat64(cfg.TargetValue) != 1 {
			return labs.Failf("policy target value is %g; the lab asks for 1", aws.ToFloat64(cfg.TargetValue))
		}
		return labs.Passf("min 1, max 4; %s tracks ALBRequestCountPerTarget = 1", aws.ToString(p.PolicyName))
	}
	return labs.Pendingf("no target-tracking policy yet (min 1, max 4 set)")
}

func (o *Observation) alarm(kind string) *cwtypes.MetricAlarm {
	for i := range o.Alarms {
		if strings.Contains(aws.ToString(o.Alarms[i].AlarmName), "-"+kind+"-") {
			return &o.Alarms[i]
		}
	}
	return nil
}

func checkAlarm(o *Observation) labs.Result {
	a := o.alarm("AlarmHigh")
	if a == nil {
		return labs.Pendingf("no AlarmHigh yet: it appears with the policy")
	}
	if a.StateValue != cwtypes.StateValueAlarm {
		return labs.Pendingf("AlarmHigh is %s; it fires after 3 one-minute datapoints above the target", a.StateValue)
	}
	return labs.Passf("AlarmHigh is ALARM")
}

func checkScaleOut(o *Observation) labs.Result {
	s := o.Service
	if s == nil || s.DesiredCount <= 2 {
		return labs.Pendingf("desired count has not risen above 2")
	}
	ok := false
	for _, a := range o.Activities {
		ok = ok || a.StatusCode == aastypes.ScalingActivityStatusCodeSuccessful
	}
	if !ok {
		return labs.Pendingf("desired %d; no successful scaling activity yet", s.DesiredCount)
	}
	if s.DesiredCount > 4 {
		return labs.Failf("desired %d is above the maximum of 4", s.DesiredCount)
	}
	n, _, _ := o.healthyTargets()
	if s.RunningCount != s.DesiredCount || int32(n) != s.DesiredCount {
		return labs.Pendingf("scaling out: desired %d, running %d, healthy %d", s.DesiredCount, s.RunningCount, n)
	}
	return labs.Passf("scaled out to %d tasks, all healthy", s.DesiredCount)
}

func checkScaleIn(o *Observation) labs.Result {
	a := o.alarm("AlarmLow")
	if a == nil {
		return labs.Pendingf("no AlarmLow yet")
	}
	if a.StateValue != cwtypes.StateValueAlarm {
		return labs.Pendingf("AlarmLow is %s; scale-in needs 15 datapoints below the target", a.StateValue)
	}
	desired := int32(0)
	if o.Service != nil {
		desired = o.Service.DesiredCount
	}
	return labs.Passf("AlarmLow is ALARM; desired count is %d", desired)
}

func shortID(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		arn = arn[i+1:]
	}
	if len(arn) > 8 {
		arn = arn[:8]
	}
	return arn
}
