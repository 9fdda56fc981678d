package sim

// EC2 Auto Scaling groups (cloud.ASG): CreateAutoScalingGroup from a launch
// template (LaunchTemplate, or MixedInstancesPolicy with instance-type overrides
// and an On-Demand/Spot distribution), DescribeAutoScalingGroups and
// DeleteAutoScalingGroup.
//
// A group keeps DesiredCapacity instances: it launches them at once on creation,
// spread round-robin over its subnets (VPCZoneIdentifier, or the default subnets
// of AvailabilityZones) and over the overrides' instance types, and replaces an
// instance that is terminated (by anyone) within about ten seconds. With a
// MixedInstancesPolicy the first OnDemandBaseCapacity instances are On-Demand and
// OnDemandPercentageAboveBaseCapacity percent of the rest (rounded up), the others
// Spot: each Spot instance has its own one-time Spot request, as on AWS.
// Instances carry the group's PropagateAtLaunch tags, the template's instance
// tags and aws:autoscaling:groupName. Their LifecycleState is Pending while the
// instance is pending, InService once it runs, Terminating while it shuts down.
//
// DeleteAutoScalingGroup without ForceDelete answers ScalingActivityInProgress
// while an instance is still launching and ResourceInUse while the group has
// instances; with ForceDelete it terminates them all. Either way the group then
// describes with Status "Delete in progress" until its instances are terminated
// (and at least 30 s), then it is gone. The tagging API lists groups as
// autoscaling:autoScalingGroup.
//
// Not modelled: launch configurations, scaling policies and scheduled actions,
// UpdateAutoScalingGroup, lifecycle hooks, warm pools, health checks other than
// the instance's state, instance refresh, load balancer and target group
// registration, scaling activities, capacity rebalancing, deletion protection.

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs/cloud"
)

const (
	asgKey           = "autoscaling-groups"
	asgRelaunch      = 10 * time.Second // how soon a group replaces a missing instance
	asgDeleteAtLeast = 30 * time.Second // a deleted group describes "Delete in progress" at least this long
	asgDeleteStatus  = "Delete in progress"
)

func init() {
	// Steps at order 10: Auto Scaling groups launch and replace instances first.
	registerService("autoscaling", func(b base, c *cloud.Clients) { c.ASG = &asgClient{b} }, everySecond(10, stepGroups))
}

// asgClient implements cloud.ASG.
type asgClient struct{ base }

var _ cloud.ASG = (*asgClient)(nil)

type asgState struct {
	groups map[string]*asGroup // live groups by name (deleting ones included)
	order  []*asGroup
}

func groupState(r *region) *asgState {
	return state(r, asgKey, func() *asgState { return &asgState{groups: map[string]*asGroup{}} })
}

type asGroup struct {
	tagged
	name, arn         string
	min, max, desired int32
	lt                *astypes.LaunchTemplateSpecification // LaunchTemplate, or the mixed policy's
	mixed             *astypes.MixedInstancesPolicy
	subnets           []*subnet
	azs               []string
	tagDesc           []astypes.TagDescription
	created           time.Time
	healthType        string
	grace, cooldown   int32
	instances         []*instance
	next              int // round-robin position over subnets and types
	nextLaunch        time.Time
	deleting          bool
	deleteFrom        time.Time
}

func asgValidation(format string, a ...any) error { return validationError(format, a...) }

// CreateAutoScalingGroup creates a group and launches its desired instances.
func (c *asgClient) CreateAutoScalingGroup(ctx context.Context, in *autoscaling.CreateAutoScalingGroupInput, _ ...func(*autoscaling.Options)) (*autoscaling.CreateAutoScalingGroupOutput, error) {
	return do(ctx, c.base, "autoscaling", "CreateAutoScalingGroup", in, func(r *region) (*autoscaling.CreateAutoScalingGroupOutput, error) {
		if in == nil {
			in = &autoscaling.CreateAutoScalingGroupInput{}
		}
		name := str(in.AutoScalingGroupName)
		switch {
		case name == "":
			return nil, asgValidation("1 validation error detected: Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null")
		case len(name) > 255:
			return nil, asgValidation("1 validation error detected: Value '%s' at 'autoScalingGroupName' failed to satisfy constraint: Member must have length less than or equal to 255", name)
		case in.MinSize == nil:
			return nil, asgValidation("1 validation error detected: Value null at 'minSize' failed to satisfy constraint: Member must not be null")
		case in.MaxSize == nil:
			return nil, asgValidation("1 validation error detected: Value null at 'maxSize' failed to satisfy constraint: Member must not be null")
		}
		g := &asGroup{name: name, min: *in.MinSize, max: *in.MaxSize, desired: i32(in.DesiredCapacity, *in.MinSize), created: r.w.now,
			healthType: "EC2", grace: i32(in.HealthCheckGracePeriod, 0), cooldown: i32(in.DefaultCooldown, 300)}
		if t := str(in.HealthCheckType); t != "" {
			g.healthType = t
		}
		switch {
		case g.min < 0 || g.max < 0:
			return nil, asgValidation("Min and max sizes must be non-negative")
		case g.min > g.max:
			return nil, asgValidation("Max bound, %d, must be greater than or equal to min bound, %d", g.max, g.min)
		case g.desired < g.min || g.desired > g.max:
			return nil, asgValidation("Desired capacity:%d must be between the specified min size:%d and max size:%d", g.desired, g.min, g.max)
		}
		sources := 0
		for _, set := range []bool{in.LaunchTemplate != nil, in.MixedInstancesPolicy != nil, in.LaunchConfigurationName != nil, in.InstanceId != nil} {
			if set {
				sources++
			}
		}
		if sources != 1 {
			return nil, asgValidation("Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.")
		}
		if in.LaunchConfigurationName != nil || in.InstanceId != nil {
			return nil, asgValidation("The simulator models groups from launch templates only.")
		}
		if in.LaunchTemplate != nil {
			g.lt = cloneJSON(in.LaunchTemplate)
		} else {
			m := cloneJSON(in.MixedInstancesPolicy)
			if m.LaunchTemplate == nil || m.LaunchTemplate.LaunchTemplateSpecification == nil {
				return nil, asgValidation("1 validation error detected: Value null at 'mixedInstancesPolicy.launchTemplate.launchTemplateSpecification' failed to satisfy constraint: Member must not be null")
			}
			if m.InstancesDistribution == nil {
				m.InstancesDistribution = &astypes.InstancesDistribution{}
			}
			d := m.InstancesDistribution
			if d.OnDemandBaseCapacity == nil {
				d.OnDemandBaseCapacity = ptr(int32(0))
			}
			if d.OnDemandPercentageAboveBaseCapacity == nil {
				d.OnDemandPercentageAboveBaseCapacity = ptr(int32(100))
			}
			if d.OnDemandAllocationStrategy == nil {
				d.OnDemandAllocationStrategy = ptr("prioritized")
			}
			if d.SpotAllocationStrategy == nil {
				d.SpotAllocationStrategy = ptr("price-capacity-optimized")
			}
			if p := *d.OnDemandPercentageAboveBaseCapacity; p < 0 || p > 100 {
				return nil, asgValidation("OnDemandPercentageAboveBaseCapacity must be between 0 and 100")
			}
			if *d.OnDemandBaseCapacity < 0 {
				return nil, asgValidation("OnDemandBaseCapacity must be non-negative")
			}
			for _, o := range m.LaunchTemplate.Overrides {
				if t := str(o.InstanceType); t != "" && !instanceTypeRE.MatchString(t) {
					return nil, asgValidation("Invalid instance type %s", t)
				}
			}
			g.mixed = m
			g.lt = m.LaunchTemplate.LaunchTemplateSpecification
		}
		if _, err := r.findTemplate(str(g.lt.LaunchTemplateId), str(g.lt.LaunchTemplateName), str(g.lt.Version)); err != nil {
			return nil, asgValidation("You must use a valid fully-formed launch template. %s", errMessage(err))
		}
		if g.lt.Version == nil {
			g.lt.Version = ptr("$Default")
		}
		for _, id := range strings.Split(str(in.VPCZoneIdentifier), ",") {
			if id = strings.TrimSpace(id); id == "" {
				continue
			}
			s := r.subnets[id]
			if s == nil {
				return nil, asgValidation("The subnet ID '%s' does not exist", id)
			}
			g.subnets = append(g.subnets, s)
			if !contains(g.azs, s.az) {
				g.azs = append(g.azs, s.az)
			}
		}
		if len(g.subnets) == 0 {
			for _, az := range in.AvailabilityZones {
				var hit *subnet
				for _, s := range r.subOrder {
					if s.vpc == r.defaultVPC() && s.az == az {
						hit = s
						break
					}
				}
				if hit == nil {
					return nil, asgValidation("The availability zone %s is not legal", az)
				}
				g.subnets = append(g.subnets, hit)
				g.azs = append(g.azs, az)
			}
		}
		if len(g.subnets) == 0 {
			return nil, asgValidation("At least one Availability Zone or VPC Subnet is required.")
		}
		for _, t := range in.Tags {
			k := str(t.Key)
			if k == "" || len(k) > 128 {
				return nil, asgValidation("Tag key must be between 1 and 128 characters")
			}
			if strings.HasPrefix(k, "aws:") {
				return nil, asgValidation("Tag keys starting with 'aws:' are reserved for internal use")
			}
			g.tags.set(k, str(t.Value))
			g.tagDesc = append(g.tagDesc, astypes.TagDescription{Key: ptr(k), Value: ptr(str(t.Value)), PropagateAtLaunch: ptr(t.PropagateAtLaunch != nil && *t.PropagateAtLaunch),
				ResourceId: ptr(name), ResourceType: ptr("auto-scaling-group")})
		}
		if len(g.tags) > 50 {
			return nil, &astypes.LimitExceededFault{Message: ptr("The quota for tags per Auto Scaling group (50) has been reached.")}
		}
		s := groupState(r)
		if s.groups[name] != nil {
			return nil, &astypes.AlreadyExistsFault{Message: msg("AutoScalingGroup by this name already exists - A group with the name %s already exists", name)}
		}
		g.arn = r.arn("autoscaling", "autoScalingGroup:"+r.w.uuid()+":autoScalingGroupName/"+name)
		s.groups[name] = g
		s.order = append(s.order, g)
		r.addTaggable(&g.tagged, g.arn, "autoscaling:autoScalingGroup")
		r.fillGroup(g)
		return &autoscaling.CreateAutoScalingGroupOutput{}, nil
	})
}

// errMessage is an API error's message.
func errMessage(err error) string {
	type messager interface{ ErrorMessage() string }
	if m, ok := err.(messager); ok {
		return m.ErrorMessage()
	}
	return err.Error()
}

// alive is the group's instances that are not on their way out.
func (g *asGroup) alive() []*instance {
	var out []*instance
	for _, in := range g.instances {
		if in.state == ec2types.InstanceStateNamePending || in.state == ec2types.InstanceStateNameRunning {
			out = append(out, in)
		}
	}
	return out
}

// onDemandWanted is how many of n instances the distribution wants On-Demand.
func (g *asGroup) onDemandWanted(n int32) int32 {
	if g.mixed == nil {
		return n
	}
	d := g.mixed.InstancesDistribution
	base := min(*d.OnDemandBaseCapacity, n)
	above := float64(n-base) * float64(*d.OnDemandPercentageAboveBaseCapacity) / 100
	return base + int32(math.Ceil(above))
}

// fillGroup launches the instances the group is missing; a launch that fails
// (the template was deleted, the subnet is full) is tried again later.
func (r *region) fillGroup(g *asGroup) {
	g.nextLaunch = r.w.now.Add(asgRelaunch)
	alive := g.alive()
	od := int32(0)
	for _, in := range alive {
		if in.spot == nil {
			od++
		}
	}
	wantOD := g.onDemandWanted(g.desired)
	for n := int32(len(alive)); n < g.desired; n++ {
		spot := od >= wantOD
		in := r.launchForGroup(g, spot)
		if in == nil {
			return
		}
		if !spot {
			od++
		}
	}
}

// launchForGroup launches one instance of the group, On-Demand or Spot.
func (r *region) launchForGroup(g *asGroup, spot bool) *instance {
	lt, err := r.findTemplate(str(g.lt.LaunchTemplateId), str(g.lt.LaunchTemplateName), str(g.lt.Version))
	if err != nil {
		return nil
	}
	sub := g.subnets[g.next%len(g.subnets)]
	q := &launchRequest{subnetID: sub.id, tpl: lt, tplVersion: str(g.lt.Version), tags: map[ec2types.ResourceType]tagList{}}
	if g.mixed != nil {
		var types []string
		for _, o := range g.mixed.LaunchTemplate.Overrides {
			if t := str(o.InstanceType); t != "" {
				types = append(types, t)
			}
		}
		if len(types) > 0 {
			q.itype = types[g.next%len(types)]
		}
	}
	g.next++
	if err := q.applyTemplate(); err != nil {
		return nil
	}
	if g.mixed != nil {
		q.market = nil // a mixed instances policy decides the market itself
	}
	spec, err := r.resolve(q)
	if err != nil || uint32(len(spec.subnet.used)) >= spec.subnet.size {
		return nil
	}
	tags := q.tags[ec2types.ResourceTypeInstance].clone()
	for _, t := range g.tagDesc {
		if *t.PropagateAtLaunch {
			tags.set(*t.Key, *t.Value)
		}
	}
	tags.set("aws:autoscaling:groupName", g.name)
	if spot && g.mixed != nil {
		o := &spotOpts{typ: ec2types.SpotInstanceTypeOneTime, behavior: ec2types.InstanceInterruptionBehaviorTerminate, maxPrice: str(g.mixed.InstancesDistribution.SpotMaxPrice)}
		if o.maxPrice == "" {
			if o.maxPrice = onDemandPrice[spec.itype]; o.maxPrice == "" {
				o.maxPrice = "0.100000"
			}
		}
		spec.spot = o
	}
	if spec.spot != nil {
		spec.spot.typ, spec.spot.behavior = ec2types.SpotInstanceTypeOneTime, ec2types.InstanceInterruptionBehaviorTerminate
	}
	res := "r-" + r.w.hexID(17)
	var in *instance
	if spec.spot != nil {
		sr := r.newSpotRequest(spec, nil)
		var ok bool
		if in, ok = r.fulfil(sr, tags, res, 0, ""); !ok {
			sr.setStatus(ec2types.SpotInstanceStateClosed, "capacity-not-available", "There is no capacity available that matches your request.", r.w.now)
			return nil
		}
	} else {
		in = r.startInstance(spec, tags, res, 0, "")
	}
	in.asg = g.name
	g.instances = append(g.instances, in)
	return in
}

// stepGroups keeps each group at its desired capacity and finishes deletions.
func stepGroups(r *region, now time.Time) {
	s, _ := r.ext[asgKey].(*asgState)
	if s == nil || len(s.order) == 0 {
		return
	}
	gone := false
	for _, g := range s.order {
		g.instances = compact(g.instances, func(in *instance) bool { return in.state != ec2types.InstanceStateNameTerminated })
		if g.deleting {
			if len(g.instances) == 0 && now.Sub(g.deleteFrom) >= asgDeleteAtLeast {
				g.dead = true
				delete(s.groups, g.name)
				gone = true
			}
			continue
		}
		if int32(len(g.alive())) < g.desired && !now.Before(g.nextLaunch) {
			r.fillGroup(g)
		}
	}
	if gone {
		s.order = compact(s.order, func(g *asGroup) bool { return !g.dead })
	}
}

func lifecycleOf(in *instance) astypes.LifecycleState {
	switch in.state {
	case ec2types.InstanceStateNamePending:
		return astypes.LifecycleStatePending
	case ec2types.InstanceStateNameRunning:
		return astypes.LifecycleStateInService
	}
	return astypes.LifecycleStateTerminating
}

func (r *region) groupOut(g *asGroup) astypes.AutoScalingGroup {
	out := astypes.AutoScalingGroup{AutoScalingGroupName: ptr(g.name), AutoScalingGroupARN: ptr(g.arn),
		MinSize: ptr(g.min), MaxSize: ptr(g.max), DesiredCapacity: ptr(g.desired), DefaultCooldown: ptr(g.cooldown),
		AvailabilityZones: append([]string{}, g.azs...), HealthCheckType: ptr(g.healthType), HealthCheckGracePeriod: ptr(g.grace),
		CreatedTime: ptr(g.created), TerminationPolicies: []string{"Default"}, NewInstancesProtectedFromScaleIn: ptr(false),
		ServiceLinkedRoleARN: ptr("arn:aws:iam::" + r.account + ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"),
		CapacityRebalance:    ptr(false), Tags: cloneJSON(g.tagDesc), Instances: []astypes.Instance{},
		LoadBalancerNames: []string{}, TargetGroupARNs: []string{}, SuspendedProcesses: []astypes.SuspendedProcess{}, EnabledMetrics: []astypes.EnabledMetric{},
	}
	if out.Tags == nil {
		out.Tags = []astypes.TagDescription{}
	}
	var ids []string
	for _, s := range g.subnets {
		ids = append(ids, s.id)
	}
	out.VPCZoneIdentifier = ptr(strings.Join(ids, ","))
	if g.mixed != nil {
		out.MixedInstancesPolicy = cloneJSON(g.mixed)
	} else {
		out.LaunchTemplate = cloneJSON(g.lt)
	}
	if g.deleting {
		out.Status = ptr(asgDeleteStatus)
	}
	for _, in := range g.instances {
		x := astypes.Instance{InstanceId: ptr(in.id), InstanceType: ptr(in.spec.itype), AvailabilityZone: ptr(in.spec.subnet.az),
			AvailabilityZoneId: ptr(in.spec.subnet.azID), LifecycleState: lifecycleOf(in), HealthStatus: ptr("Healthy"), ProtectedFromScaleIn: ptr(false)}
		if t := in.spec.tpl; t != nil {
			x.LaunchTemplate = &astypes.LaunchTemplateSpecification{LaunchTemplateId: ptr(t.id), LaunchTemplateName: ptr(t.name), Version: ptr(t.version)}
		}
		out.Instances = append(out.Instances, x)
	}
	return out
}

// DescribeAutoScalingGroups lists groups by name (unknown names are left out) and
// filters (tag-key, tag-value, tag:<key>), MaxRecords (1–100, default 50) a page.
func (c *asgClient) DescribeAutoScalingGroups(ctx context.Context, in *autoscaling.DescribeAutoScalingGroupsInput, _ ...func(*autoscaling.Options)) (*autoscaling.DescribeAutoScalingGroupsOutput, error) {
	return do(ctx, c.base, "autoscaling", "DescribeAutoScalingGroups", in, func(r *region) (*autoscaling.DescribeAutoScalingGroupsOutput, error) {
		if in == nil {
			in = &autoscaling.DescribeAutoScalingGroupsInput{}
		}
		max := int(i32(in.MaxRecords, 50))
		if max < 1 || max > 100 {
			return nil, asgValidation("1 validation error detected: Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100", max)
		}
		for _, f := range in.Filters {
			n := str(f.Name)
			if n != "tag-key" && n != "tag-value" && !strings.HasPrefix(n, "tag:") {
				return nil, asgValidation("Filter type %s is not correct. Allowed Filter types are: auto-scaling-group key value propagate-at-launch", n)
			}
		}
		start, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, &astypes.InvalidNextToken{Message: ptr("The token is invalid.")}
		}
		s := groupState(r)
		out := &autoscaling.DescribeAutoScalingGroupsOutput{AutoScalingGroups: []astypes.AutoScalingGroup{}}
		for i := start; i < len(s.order); i++ {
			g := s.order[i]
			if len(in.AutoScalingGroupNames) > 0 && !contains(in.AutoScalingGroupNames, g.name) {
				continue
			}
			if !groupMatches(g, in.Filters) {
				continue
			}
			if len(out.AutoScalingGroups) == max {
				out.NextToken = intToken(i)
				break
			}
			out.AutoScalingGroups = append(out.AutoScalingGroups, r.groupOut(g))
		}
		return out, nil
	})
}

func groupMatches(g *asGroup, filters []astypes.Filter) bool {
	for _, f := range filters {
		n := str(f.Name)
		hit := false
		for _, t := range g.tags {
			switch {
			case n == "tag-key":
				hit = hit || contains(f.Values, t.k)
			case n == "tag-value":
				hit = hit || contains(f.Values, t.v)
			case strings.HasPrefix(n, "tag:"):
				hit = hit || (t.k == n[4:] && (len(f.Values) == 0 || contains(f.Values, t.v)))
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// DeleteAutoScalingGroup deletes a group: with ForceDelete its instances are
// terminated; without it the group must have none.
func (c *asgClient) DeleteAutoScalingGroup(ctx context.Context, in *autoscaling.DeleteAutoScalingGroupInput, _ ...func(*autoscaling.Options)) (*autoscaling.DeleteAutoScalingGroupOutput, error) {
	return do(ctx, c.base, "autoscaling", "DeleteAutoScalingGroup", in, func(r *region) (*autoscaling.DeleteAutoScalingGroupOutput, error) {
		if in == nil || str(in.AutoScalingGroupName) == "" {
			return nil, asgValidation("1 validation error detected: Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null")
		}
		name := str(in.AutoScalingGroupName)
		g := groupState(r).groups[name]
		if g == nil {
			return nil, asgValidation("AutoScalingGroup name not found - AutoScalingGroup '%s' not found", name)
		}
		if g.deleting {
			return nil, &astypes.ScalingActivityInProgressFault{Message: ptr("You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.")}
		}
		if in.ForceDelete == nil || !*in.ForceDelete {
			for _, x := range g.instances {
				if x.state == ec2types.InstanceStateNamePending {
					return nil, &astypes.ScalingActivityInProgressFault{Message: ptr("You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.")}
				}
			}
			if len(g.instances) > 0 {
				return nil, &astypes.ResourceInUseFault{Message: ptr("You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.")}
			}
		}
		for _, x := range g.instances {
			r.terminate(x)
		}
		g.deleting, g.deleteFrom = true, r.w.now
		return &autoscaling.DeleteAutoScalingGroupOutput{}, nil
	})
}
