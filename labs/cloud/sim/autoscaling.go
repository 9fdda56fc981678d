package sim

// Application Auto Scaling for ECS services (namespace ecs, dimension
// ecs:service:DesiredCount). Target-tracking policies create the two CloudWatch
// alarms AWS creates — "TargetTracking-<resource>-AlarmHigh-<uuid>" (greater
// than the target, 3 of 3 one-minute datapoints) and "…-AlarmLow-<uuid>" (less
// than 90 % of the target, 15 of 15) — and act when the alarms are in ALARM:
// scale out to ceil(desired × metric ÷ target), capped at MaxCapacity, at most
// once per ScaleOutCooldown; scale in the same way, never below MinCapacity, at
// most once per ScaleInCooldown. Both cooldowns default to 300 s, AWS's default
// for ECS services. Registering a target whose service's desired count lies
// outside [min, max] moves it inside, as AWS does.
//
// Not modelled: step scaling and predictive scaling behaviour (such policies are
// stored but never act), scheduled actions, namespaces other than ecs, and the
// gradual scale-in AWS applies to large fleets.

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/labdash/labdash/labs/cloud"
)

const defaultCooldown = 300 * time.Second

type scalableTarget struct {
	resourceID   string
	arn          string
	min, max     int32
	createdAt    time.Time
	suspended    *aastypes.SuspendedState
	policies     []*scalingPolicy
	lastScaleOut time.Time
	lastScaleIn  time.Time
}

type scalingPolicy struct {
	name, arn string
	st        *scalableTarget
	ptype     aastypes.PolicyType
	tt        *aastypes.TargetTrackingScalingPolicyConfiguration
	step      *aastypes.StepScalingPolicyConfiguration
	high, low string // alarm names
	createdAt time.Time
}

// aasClient implements cloud.AutoScaling.
type aasClient struct{ base }

func aasValidation(format string, a ...any) error {
	return &aastypes.ValidationException{Message: msg(format, a...)}
}

var ecsResourceRE = regexp.MustCompile(`^service/([a-zA-Z0-9_-]{1,255})/([a-zA-Z0-9_-]{1,255})$`)

// checkTarget validates the (namespace, resource, dimension) triple.
func checkTarget(ns aastypes.ServiceNamespace, resourceID string, dim aastypes.ScalableDimension) error {
	if ns == "" {
		return aasValidation("1 validation error detected: Value null at 'serviceNamespace' failed to satisfy constraint: Member must not be null")
	}
	if ns != aastypes.ServiceNamespaceEcs {
		return aasValidation("The simulator supports only the ecs service namespace, not %s", ns)
	}
	if !ecsResourceRE.MatchString(resourceID) {
		return aasValidation("Unsupported resource ID format: %s. Expected service/<cluster>/<service>", resourceID)
	}
	if dim != aastypes.ScalableDimensionECSServiceDesiredCount {
		return aasValidation("Unsupported scalable dimension: %s", dim)
	}
	return nil
}

// ecsService finds the ACTIVE service a resource id names.
func (r *region) ecsService(resourceID string) *service {
	m := ecsResourceRE.FindStringSubmatch(resourceID)
	if m == nil {
		return nil
	}
	cl := r.clusters[m[1]]
	if cl == nil || cl.status != "ACTIVE" {
		return nil
	}
	s := cl.services[m[2]]
	if s == nil || s.status != "ACTIVE" {
		return nil
	}
	return s
}

// RegisterScalableTarget registers or updates an ECS service as a scalable target.
func (c *aasClient) RegisterScalableTarget(ctx context.Context, in *aas.RegisterScalableTargetInput, _ ...func(*aas.Options)) (*aas.RegisterScalableTargetOutput, error) {
	return do(ctx, c.base, "application-autoscaling", "RegisterScalableTarget", in, func(r *region) (*aas.RegisterScalableTargetOutput, error) {
		if in == nil {
			in = &aas.RegisterScalableTargetInput{}
		}
		id := str(in.ResourceId)
		if err := checkTarget(in.ServiceNamespace, id, in.ScalableDimension); err != nil {
			return nil, err
		}
		svc := r.ecsService(id)
		if svc == nil {
			return nil, aasValidation("ECS service doesn't exist: %s", id)
		}
		st := r.scalables[id]
		if st == nil && (in.MinCapacity == nil || in.MaxCapacity == nil) {
			return nil, aasValidation("MinCapacity and MaxCapacity are required for registering a new scalable target")
		}
		lo, hi := i32(in.MinCapacity, 0), i32(in.MaxCapacity, 0)
		if st != nil {
			lo, hi = i32(in.MinCapacity, st.min), i32(in.MaxCapacity, st.max)
		}
		if lo < 0 || hi < 0 {
			return nil, aasValidation("Minimum and maximum capacity must be non-negative")
		}
		if lo > hi {
			return nil, aasValidation("Minimum capacity cannot be greater than maximum capacity")
		}
		if st == nil {
			st = &scalableTarget{resourceID: id, createdAt: r.w.now,
				arn: r.arn("application-autoscaling", "scalable-target/0ec5"+r.w.hexID(28))}
			r.scalables[id] = st
			r.scalableOrder = append(r.scalableOrder, st)
		}
		st.min, st.max = lo, hi
		if in.SuspendedState != nil {
			st.suspended = cloneJSON(in.SuspendedState)
		}
		switch {
		case svc.desired < lo:
			r.scale(st, svc, lo, fmt.Sprintf("minimum capacity was set to %d", lo))
		case svc.desired > hi:
			r.scale(st, svc, hi, fmt.Sprintf("maximum capacity was set to %d", hi))
		}
		return &aas.RegisterScalableTargetOutput{ScalableTargetARN: ptr(st.arn)}, nil
	})
}

// scale sets the service's desired count and records the activity.
func (r *region) scale(st *scalableTarget, svc *service, n int32, cause string) {
	r.setDesired(svc, n)
	act := &aastypes.ScalingActivity{
		ActivityId: ptr(r.w.uuid()), ResourceId: ptr(st.resourceID), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		ServiceNamespace: aastypes.ServiceNamespaceEcs, Description: ptr(fmt.Sprintf("Setting desired count to %d.", n)), Cause: ptr(cause),
		StartTime: ptr(r.w.now), EndTime: ptr(r.w.now.Add(time.Second)), StatusCode: aastypes.ScalingActivityStatusCodeSuccessful,
		StatusMessage: ptr(fmt.Sprintf("Successfully set desired count to %d. Change successfully fulfilled by ecs.", n)),
	}
	list := append(r.activities[st.resourceID], act)
	if len(list) > 100 {
		list = append(list[:0], list[len(list)-100:]...)
	}
	r.activities[st.resourceID] = list
}

func (r *region) stOut(st *scalableTarget) aastypes.ScalableTarget {
	return aastypes.ScalableTarget{
		ResourceId: ptr(st.resourceID), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, ServiceNamespace: aastypes.ServiceNamespaceEcs,
		MinCapacity: ptr(st.min), MaxCapacity: ptr(st.max), CreationTime: ptr(st.createdAt), ScalableTargetARN: ptr(st.arn),
		RoleARN:        ptr("arn:aws:iam::" + r.account + ":role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"),
		SuspendedState: suspendedOut(st.suspended),
	}
}

func suspendedOut(s *aastypes.SuspendedState) *aastypes.SuspendedState {
	if s == nil {
		return &aastypes.SuspendedState{DynamicScalingInSuspended: ptr(false), DynamicScalingOutSuspended: ptr(false), ScheduledScalingSuspended: ptr(false)}
	}
	return cloneJSON(s)
}

// aasPage reads MaxResults (1–50) and NextToken.
func aasPage(maxResults *int32, token *string) (size, start int, err error) {
	size = 50
	if maxResults != nil {
		size = int(*maxResults)
		if size < 1 || size > 50 {
			return 0, 0, aasValidation("MaxResults must be between 1 and 50")
		}
	}
	start, ok := readIntToken(token)
	if !ok {
		return 0, 0, &aastypes.InvalidNextTokenException{Message: ptr("Invalid token")}
	}
	return size, start, nil
}

// DescribeScalableTargets lists scalable targets, optionally by resource ids.
func (c *aasClient) DescribeScalableTargets(ctx context.Context, in *aas.DescribeScalableTargetsInput, _ ...func(*aas.Options)) (*aas.DescribeScalableTargetsOutput, error) {
	return do(ctx, c.base, "application-autoscaling", "DescribeScalableTargets", in, func(r *region) (*aas.DescribeScalableTargetsOutput, error) {
		if in == nil {
			in = &aas.DescribeScalableTargetsInput{}
		}
		if in.ServiceNamespace == "" {
			return nil, aasValidation("1 validation error detected: Value null at 'serviceNamespace' failed to satisfy constraint: Member must not be null")
		}
		if len(in.ResourceIds) > 50 {
			return nil, aasValidation("ResourceIds can have at most 50 elements")
		}
		size, start, err := aasPage(in.MaxResults, in.NextToken)
		if err != nil {
			return nil, err
		}
		out := &aas.DescribeScalableTargetsOutput{}
		if in.ServiceNamespace != aastypes.ServiceNamespaceEcs || (in.ScalableDimension != "" && in.ScalableDimension != aastypes.ScalableDimensionECSServiceDesiredCount) {
			return out, nil
		}
		for i, st := range r.scalableOrder {
			if i < start || (len(in.ResourceIds) > 0 && !contains(in.ResourceIds, st.resourceID)) {
				continue
			}
			if len(out.ScalableTargets) == size {
				out.NextToken = intToken(i)
				break
			}
			out.ScalableTargets = append(out.ScalableTargets, r.stOut(st))
		}
		return out, nil
	})
}

// DeregisterScalableTarget removes a scalable target with its policies and their alarms.
func (c *aasClient) DeregisterScalableTarget(ctx context.Context, in *aas.DeregisterScalableTargetInput, _ ...func(*aas.Options)) (*aas.DeregisterScalableTargetOutput, error) {
	return do(ctx, c.base, "application-autoscaling", "DeregisterScalableTarget", in, func(r *region) (*aas.DeregisterScalableTargetOutput, error) {
		if in == nil {
			in = &aas.DeregisterScalableTargetInput{}
		}
		id := str(in.ResourceId)
		if err := checkTarget(in.ServiceNamespace, id, in.ScalableDimension); err != nil {
			return nil, err
		}
		st := r.scalables[id]
		if st == nil {
			return nil, &aastypes.ObjectNotFoundException{Message: msg("No scalable target registered for service namespace: %s, resource ID: %s, scalable dimension: %s", in.ServiceNamespace, id, in.ScalableDimension)}
		}
		for _, p := range st.policies {
			r.deletePolicy(p)
		}
		delete(r.scalables, id)
		r.scalableOrder = compact(r.scalableOrder, func(x *scalableTarget) bool { return x != st })
		return &aas.DeregisterScalableTargetOutput{}, nil
	})
}

var resourceLabelRE = regexp.MustCompile(`^(app/[a-zA-Z0-9-]{1,32}/[0-9a-f]{16})/(targetgroup/[a-zA-Z0-9-]{1,32}/[0-9a-f]{16})$`)

// PutScalingPolicy creates or updates a policy; a target-tracking policy gets
// its AlarmHigh and AlarmLow alarms.
func (c *aasClient) PutScalingPolicy(ctx context.Context, in *aas.PutScalingPolicyInput, _ ...func(*aas.Options)) (*aas.PutScalingPolicyOutput, error) {
	return do(ctx, c.base, "application-autoscaling", "PutScalingPolicy", in, func(r *region) (*aas.PutScalingPolicyOutput, error) {
		if in == nil {
			in = &aas.PutScalingPolicyInput{}
		}
		id, name := str(in.ResourceId), str(in.PolicyName)
		if name == "" || len(name) > 256 {
			return nil, aasValidation("1 validation error detected: Value at 'policyName' failed to satisfy constraint: Member must have length between 1 and 256")
		}
		if err := checkTarget(in.ServiceNamespace, id, in.ScalableDimension); err != nil {
			return nil, err
		}
		st := r.scalables[id]
		if st == nil {
			return nil, &aastypes.ObjectNotFoundException{Message: msg("No scalable target registered for service namespace: %s, resource ID: %s, scalable dimension: %s", in.ServiceNamespace, id, in.ScalableDimension)}
		}
		ptype := in.PolicyType
		if ptype == "" {
			ptype = aastypes.PolicyTypeStepScaling
		}
		var ns, metric, stat string
		var dims []kv
		switch ptype {
		case aastypes.PolicyTypeTargetTrackingScaling:
			tt := in.TargetTrackingScalingPolicyConfiguration
			if tt == nil || tt.TargetValue == nil || !finite(*tt.TargetValue) {
				return nil, aasValidation("TargetTrackingScalingPolicyConfiguration with a TargetValue is required for a TargetTrackingScaling policy")
			}
			if *tt.TargetValue <= 0 {
				return nil, aasValidation("TargetValue must be greater than 0")
			}
			if (tt.ScaleInCooldown != nil && *tt.ScaleInCooldown < 0) || (tt.ScaleOutCooldown != nil && *tt.ScaleOutCooldown < 0) {
				return nil, aasValidation("Cooldowns must be non-negative")
			}
			switch {
			case tt.PredefinedMetricSpecification != nil && tt.CustomizedMetricSpecification != nil:
				return nil, aasValidation("Specify either a predefined or a customized metric, not both")
			case tt.PredefinedMetricSpecification != nil:
				pm := tt.PredefinedMetricSpecification
				switch pm.PredefinedMetricType {
				case aastypes.MetricTypeALBRequestCountPerTarget:
					m := resourceLabelRE.FindStringSubmatch(str(pm.ResourceLabel))
					if m == nil {
						return nil, aasValidation("Invalid resource label %q: expected app/<load-balancer-name>/<id>/targetgroup/<target-group-name>/<id>", str(pm.ResourceLabel))
					}
					ns, metric, stat = "AWS/ApplicationELB", "RequestCountPerTarget", "Sum"
					dims = []kv{{"TargetGroup", m[2]}, {"LoadBalancer", m[1]}}
				case aastypes.MetricTypeECSServiceAverageCPUUtilization, aastypes.MetricTypeECSServiceAverageMemoryUtilization:
					mn := "CPUUtilization"
					if pm.PredefinedMetricType == aastypes.MetricTypeECSServiceAverageMemoryUtilization {
						mn = "MemoryUtilization"
					}
					m := ecsResourceRE.FindStringSubmatch(id)
					ns, metric, stat = "AWS/ECS", mn, "Average"
					dims = []kv{{"ClusterName", m[1]}, {"ServiceName", m[2]}}
				default:
					return nil, aasValidation("Unsupported predefined metric type %s for ECS services", pm.PredefinedMetricType)
				}
			case tt.CustomizedMetricSpecification != nil:
				cm := tt.CustomizedMetricSpecification
				if str(cm.MetricName) == "" || str(cm.Namespace) == "" || cm.Statistic == "" {
					return nil, aasValidation("A customized metric needs MetricName, Namespace and Statistic")
				}
				ns, metric, stat = str(cm.Namespace), str(cm.MetricName), string(cm.Statistic)
				for _, d := range cm.Dimensions {
					dims = append(dims, kv{str(d.Name), str(d.Value)})
				}
			default:
				return nil, aasValidation("A predefined or customized metric specification is required")
			}
		case aastypes.PolicyTypeStepScaling:
			if in.StepScalingPolicyConfiguration == nil {
				return nil, aasValidation("StepScalingPolicyConfiguration is required for a StepScaling policy")
			}
		default:
			return nil, aasValidation("Unsupported policy type %s", ptype)
		}
		var pol *scalingPolicy
		for _, p := range st.policies {
			if p.name == name {
				pol = p
			}
		}
		if pol == nil {
			pol = &scalingPolicy{name: name, st: st, createdAt: r.w.now,
				arn: r.arn("autoscaling", "scalingPolicy:"+r.w.uuid()+":resource/ecs/"+id+":policyName/"+name)}
			st.policies = append(st.policies, pol)
			r.policies[pol.arn] = pol
		}
		pol.ptype = ptype
		pol.tt = cloneJSON(in.TargetTrackingScalingPolicyConfiguration)
		pol.step = cloneJSON(in.StepScalingPolicyConfiguration)
		out := &aas.PutScalingPolicyOutput{PolicyARN: ptr(pol.arn)}
		if ptype != aastypes.PolicyTypeTargetTrackingScaling {
			r.deleteAlarm(pol.high)
			r.deleteAlarm(pol.low)
			pol.high, pol.low = "", ""
			return out, nil
		}
		target := *pol.tt.TargetValue
		desc := "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + pol.arn + "."
		if pol.high == "" {
			pol.high = "TargetTracking-" + id + "-AlarmHigh-" + r.w.uuid()
		}
		r.putAlarm(&alarm{name: pol.high, ns: ns, metric: metric, dims: dims, stat: stat, period: 60, evalPeriods: 3, dpToAlarm: 3,
			threshold: target, cmp: cwtypes.ComparisonOperatorGreaterThanThreshold, desc: desc, actionsEnabled: true, actions: []string{pol.arn}})
		if isTrue(pol.tt.DisableScaleIn) {
			r.deleteAlarm(pol.low)
			pol.low = ""
		} else {
			if pol.low == "" {
				pol.low = "TargetTracking-" + id + "-AlarmLow-" + r.w.uuid()
			}
			r.putAlarm(&alarm{name: pol.low, ns: ns, metric: metric, dims: dims, stat: stat, period: 60, evalPeriods: 15, dpToAlarm: 15,
				threshold: target * 0.9, cmp: cwtypes.ComparisonOperatorLessThanThreshold, desc: desc, actionsEnabled: true, actions: []string{pol.arn}})
		}
		out.Alarms = r.policyAlarms(pol)
		return out, nil
	})
}

func (r *region) policyAlarms(p *scalingPolicy) []aastypes.Alarm {
	var out []aastypes.Alarm
	for _, n := range []string{p.high, p.low} {
		if a := r.alarms[n]; a != nil {
			out = append(out, aastypes.Alarm{AlarmName: ptr(a.name), AlarmARN: ptr(a.arn)})
		}
	}
	return out
}

func (r *region) deletePolicy(p *scalingPolicy) {
	r.deleteAlarm(p.high)
	r.deleteAlarm(p.low)
	delete(r.policies, p.arn)
	p.st.policies = compact(p.st.policies, func(x *scalingPolicy) bool { return x != p })
}

// DescribeScalingPolicies lists policies by resource id and names.
func (c *aasClient) DescribeScalingPolicies(ctx context.Context, in *aas.DescribeScalingPoliciesInput, _ ...func(*aas.Options)) (*aas.DescribeScalingPoliciesOutput, error) {
	return do(ctx, c.base, "application-autoscaling", "DescribeScalingPolicies", in, func(r *region) (*aas.DescribeScalingPoliciesOutput, error) {
		if in == nil {
			in = &aas.DescribeScalingPoliciesInput{}
		}
		if in.ServiceNamespace == "" {
			return nil, aasValidation("1 validation error detected: Value null at 'serviceNamespace' failed to satisfy constraint: Member must not be null")
		}
		size, start, err := aasPage(in.MaxResults, in.NextToken)
		if err != nil {
			return nil, err
		}
		out := &aas.DescribeScalingPoliciesOutput{}
		if in.ServiceNamespace != aastypes.ServiceNamespaceEcs || (in.ScalableDimension != "" && in.ScalableDimension != aastypes.ScalableDimensionECSServiceDesiredCount) {
			return out, nil
		}
		i := 0
		for _, st := range r.scalableOrder {
			if rid := str(in.ResourceId); rid != "" && st.resourceID != rid {
				continue
			}
			for _, p := range st.policies {
				if len(in.PolicyNames) > 0 && !contains(in.PolicyNames, p.name) {
					continue
				}
				if i >= start {
					if len(out.ScalingPolicies) == size {
						out.NextToken = intToken(i)
						return out, nil
					}
					out.ScalingPolicies = append(out.ScalingPolicies, aastypes.ScalingPolicy{
						PolicyARN: ptr(p.arn), PolicyName: ptr(p.name), PolicyType: p.ptype, ResourceId: ptr(st.resourceID),
						ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, ServiceNamespace: aastypes.ServiceNamespaceEcs,
						CreationTime: ptr(p.createdAt), Alarms: r.policyAlarms(p),
						TargetTrackingScalingPolicyConfiguration: cloneJSON(p.tt), StepScalingPolicyConfiguration: cloneJSON(p.step),
					})
				}
				i++
			}
		}
		return out, nil
	})
}

// DeleteScalingPolicy deletes a policy and its alarms.
func (c *aasClient) DeleteScalingPolicy(ctx context.Context, in *aas.DeleteScalingPolicyInput, _ ...func(*aas.Options)) (*aas.DeleteScalingPolicyOutput, error) {
	return do(ctx, c.base, "application-autoscaling", "DeleteScalingPolicy", in, func(r *region) (*aas.DeleteScalingPolicyOutput, error) {
		if in == nil {
			in = &aas.DeleteScalingPolicyInput{}
		}
		id, name := str(in.ResourceId), str(in.PolicyName)
		if name == "" {
			return nil, aasValidation("1 validation error detected: Value null at 'policyName' failed to satisfy constraint: Member must not be null")
		}
		if err := checkTarget(in.ServiceNamespace, id, in.ScalableDimension); err != nil {
			return nil, err
		}
		notFound := &aastypes.ObjectNotFoundException{Message: msg("No scaling policy found for service namespace: %s, resource ID: %s, scalable dimension: %s, policy name: %s", in.ServiceNamespace, id, in.ScalableDimension, name)}
		st := r.scalables[id]
		if st == nil {
			return nil, notFound
		}
		for _, p := range st.policies {
			if p.name == name {
				r.deletePolicy(p)
				return &aas.DeleteScalingPolicyOutput{}, nil
			}
		}
		return nil, notFound
	})
}

// DescribeScalingActivities lists scaling activities, newest first.
func (c *aasClient) DescribeScalingActivities(ctx context.Context, in *aas.DescribeScalingActivitiesInput, _ ...func(*aas.Options)) (*aas.DescribeScalingActivitiesOutput, error) {
	return do(ctx, c.base, "application-autoscaling", "DescribeScalingActivities", in, func(r *region) (*aas.DescribeScalingActivitiesOutput, error) {
		if in == nil {
			in = &aas.DescribeScalingActivitiesInput{}
		}
		if in.ServiceNamespace == "" {
			return nil, aasValidation("1 validation error detected: Value null at 'serviceNamespace' failed to satisfy constraint: Member must not be null")
		}
		size, start, err := aasPage(in.MaxResults, in.NextToken)
		if err != nil {
			return nil, err
		}
		out := &aas.DescribeScalingActivitiesOutput{}
		if in.ServiceNamespace != aastypes.ServiceNamespaceEcs {
			return out, nil
		}
		var all []*aastypes.ScalingActivity
		if rid := str(in.ResourceId); rid != "" {
			all = r.activities[rid]
		} else {
			for _, k := range sortedKeys(r.activities) {
				all = append(all, r.activities[k]...)
			}
		}
		// Newest first.
		sorted := append([]*aastypes.ScalingActivity(nil), all...)
		for i, j := 0, len(sorted)-1; i < j; i, j = i+1, j-1 {
			sorted[i], sorted[j] = sorted[j], sorted[i]
		}
		if str(in.ResourceId) == "" {
			sortActivities(sorted)
		}
		for i := start; i < len(sorted); i++ {
			if len(out.ScalingActivities) == size {
				out.NextToken = intToken(i)
				break
			}
			out.ScalingActivities = append(out.ScalingActivities, *cloneJSON(sorted[i]))
		}
		return out, nil
	})
}

func sortActivities(a []*aastypes.ScalingActivity) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j].StartTime.After(*a[j-1].StartTime); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// invokePolicy is a target-tracking policy acting on one of its alarms in ALARM.
func (r *region) invokePolicy(p *scalingPolicy, a *alarm, now time.Time) {
	if p.ptype != aastypes.PolicyTypeTargetTrackingScaling || p.tt == nil || p.tt.TargetValue == nil {
		return
	}
	st := p.st
	svc := r.ecsService(st.resourceID)
	if svc == nil {
		return
	}
	metric, ok := r.latest(a, now)
	if !ok {
		return
	}
	target := *p.tt.TargetValue
	cur := svc.desired
	want := int32(math.Ceil(float64(cur) * metric / target))
	cause := fmt.Sprintf("monitor alarm %s in state ALARM triggered policy %s", a.name, p.name)
	if a.name == p.high {
		if st.suspended != nil && isTrue(st.suspended.DynamicScalingOutSuspended) {
			return
		}
		cd := time.Duration(i32(p.tt.ScaleOutCooldown, int32(defaultCooldown/time.Second))) * time.Second
		if !st.lastScaleOut.IsZero() && now.Before(st.lastScaleOut.Add(cd)) {
			return
		}
		if want <= cur {
			want = cur + 1
		}
		if want > st.max {
			want = st.max
		}
		if want <= cur {
			return
		}
		st.lastScaleOut = now
		r.scale(st, svc, want, cause)
		return
	}
	if strings.Contains(a.name, "-AlarmLow-") && a.name == p.low {
		if isTrue(p.tt.DisableScaleIn) || (st.suspended != nil && isTrue(st.suspended.DynamicScalingInSuspended)) {
			return
		}
		cd := time.Duration(i32(p.tt.ScaleInCooldown, int32(defaultCooldown/time.Second))) * time.Second
		if !st.lastScaleIn.IsZero() && now.Before(st.lastScaleIn.Add(cd)) {
			return
		}
		if want < st.min {
			want = st.min
		}
		if want >= cur {
			return
		}
		st.lastScaleIn = now
		r.scale(st, svc, want, cause)
	}
}

func init() {
	registerService("application-autoscaling", func(b base, c *cloud.Clients) { c.AutoScaling = &aasClient{b} })
}
