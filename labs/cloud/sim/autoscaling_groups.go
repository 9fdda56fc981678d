package sim

// EC2 Auto Scaling groups (cloud.ASG): CreateAutoScalingGroup from a launch
// template (LaunchTemplate, or MixedInstancesPolicy with instance-type overrides
// and an On-Demand/Spot distribution), DescribeAutoScalingGroups,
// UpdateAutoScalingGroup, DescribeScalingActivities and DeleteAutoScalingGroup.
//
// A mixed instances policy whose launch template asks for Spot
// (InstanceMarketOptions) is refused, as AWS refuses it ("Incompatible launch
// template"); a LaunchTemplate group with such a template launches Spot only.
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
// An instance that is shutting down or terminated without the group asking
// (TerminateInstances, a Spot interruption) is Unhealthy and Terminating; the group
// records taking it out of service and launches its replacement within about ten
// seconds, at the market the distribution wants.
//
// UpdateAutoScalingGroup changes sizes, the template and the mixed policy (the
// parts of MixedInstancesPolicy given replace those of the group's, the rest are
// kept). A smaller DesiredCapacity terminates the excess, newest first; a
// distribution that no longer matches the running instances is rebalanced one
// instance at a time: once every instance runs, one of the market in excess is
// terminated and its replacement launched at the other (AWS rebalances too; its
// activity wording for this is not documented, the simulator's says what happens).
//
// Scaling activities: each launch ("Launching a new EC2 instance: i-…", InProgress
// until the instance runs, then Successful), each failed launch (Failed, with the
// reason) and each termination ("Terminating EC2 instance: i-…", InProgress until
// it is terminated), with AWS's Cause wording; newest first, the last 100 per
// group, forgotten with the group.
//
// Not modelled: launch configurations, scaling policies and scheduled actions,
// lifecycle hooks, warm pools, health checks other than the instance's state,
// instance refresh, load balancer and target group registration, capacity
// rebalancing, deletion protection, max instance lifetime.

import (
	"context"
	"encoding/json"
	"math"
	"sort"
	"strconv"
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

// asgActivities is how many scaling activities a group keeps.
const asgActivities = 100

// asActivity is one scaling activity of a group.
type asActivity struct {
	id, desc, cause, details, message string
	status                            astypes.ScalingActivityStatusCode
	start, end                        time.Time
	inst                              *instance // the instance launched or terminated (nil for a failed launch)
	launch                            bool
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
	activities        []*asActivity // oldest first
	unhealthy         int           // instances lost without the group asking, not replaced yet
}

// record adds an activity, forgetting the oldest beyond asgActivities.
func (r *region) record(g *asGroup, a *asActivity) {
	a.id = r.w.uuid()
	a.start = r.w.now
	if a.status == "" {
		a.status = astypes.ScalingActivityStatusCodeInProgress
	}
	if a.status != astypes.ScalingActivityStatusCodeInProgress {
		a.end = r.w.now
	}
	g.activities = append(g.activities, a)
	if a.launch && a.status == astypes.ScalingActivityStatusCodeFailed {
		r.asgEvent(g, a, "EC2 Instance Launch Unsuccessful")
	}
	if len(g.activities) > asgActivities {
		g.activities = g.activities[len(g.activities)-asgActivities:]
	}
}

// at is AWS's timestamp in activity causes: "2024-05-01T10:00:00Z".
func at(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// subnetDetails is an activity's Details: the subnet and AZ of its instance.
func subnetDetails(s *subnet) string {
	b, _ := json.Marshal(map[string]string{"Subnet ID": s.id, "Availability Zone": s.az})
	return string(b)
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
		if err := r.checkTemplate(g); err != nil {
			return nil, err
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
		r.fillGroup(g, "At "+at(r.w.now)+" a user request created an AutoScalingGroup changing the desired capacity from 0 to "+itoa32(g.desired)+".")
		return &autoscaling.CreateAutoScalingGroupOutput{}, nil
	})
}

// checkTemplate checks the group's launch template as AWS does when a group is
// created or updated: it exists, and a mixed instances policy's template does not
// ask for Spot itself.
func (r *region) checkTemplate(g *asGroup) error {
	lt, err := r.findTemplate(str(g.lt.LaunchTemplateId), str(g.lt.LaunchTemplateName), str(g.lt.Version))
	if err != nil {
		return asgValidation("You must use a valid fully-formed launch template. %s", errMessage(err))
	}
	if g.mixed != nil && lt.data.InstanceMarketOptions != nil {
		return asgValidation("Incompatible launch template: You cannot use a launch template that is set to request Spot Instances (InstanceMarketOptions) when you configure an Auto Scaling group with a mixed instances policy. Add a different launch template to the group and try again.")
	}
	if g.lt.Version == nil {
		g.lt.Version = ptr("$Default")
	}
	return nil
}

func itoa32(n int32) string { return strconv.Itoa(int(n)) }

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
// (the template was deleted, the subnet is full) is recorded and tried again
// later. why is the cause's first sentence ("" when the group is replacing
// instances it lost).
func (r *region) fillGroup(g *asGroup, why string) {
	g.nextLaunch = r.w.now.Add(asgRelaunch)
	alive := g.alive()
	od := int32(0)
	for _, in := range alive {
		if in.spot == nil {
			od++
		}
	}
	wantOD := g.onDemandWanted(g.desired)
	from := int32(len(alive))
	for n := from; n < g.desired; n++ {
		spot := od >= wantOD
		cause := "At " + at(r.w.now) + " an instance was started in response to a difference between desired and actual capacity, increasing the capacity from " + itoa32(from) + " to " + itoa32(g.desired) + "."
		if why == "" && g.unhealthy > 0 {
			cause = "At " + at(r.w.now) + " an instance was launched in response to an unhealthy instance needing to be replaced."
		} else if why != "" {
			cause = why + "  At " + at(r.w.now) + " an instance was started in response to a difference between desired and actual capacity, increasing the capacity from " + itoa32(from) + " to " + itoa32(g.desired) + "."
		}
		in, fail := r.launchForGroup(g, spot)
		if in == nil {
			r.record(g, &asActivity{desc: "Launching a new EC2 instance.  Status Reason: " + fail + " Launching EC2 instance failed.", cause: cause,
				status: astypes.ScalingActivityStatusCodeFailed, message: fail, launch: true})
			return
		}
		r.record(g, &asActivity{desc: "Launching a new EC2 instance: " + in.id, cause: cause, details: subnetDetails(in.spec.subnet), inst: in, launch: true})
		if g.unhealthy > 0 {
			g.unhealthy--
		}
		if !spot {
			od++
		}
	}
}

// launchForGroup launches one instance of the group, On-Demand or Spot, or says
// why it could not.
func (r *region) launchForGroup(g *asGroup, spot bool) (*instance, string) {
	lt, err := r.findTemplate(str(g.lt.LaunchTemplateId), str(g.lt.LaunchTemplateName), str(g.lt.Version))
	if err != nil {
		return nil, errMessage(err)
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
		return nil, errMessage(err)
	}
	if g.mixed != nil {
		q.market = nil // a mixed instances policy decides the market itself
	}
	spec, err := r.resolve(q)
	if err != nil {
		return nil, errMessage(err)
	}
	if uint32(len(spec.subnet.used)) >= spec.subnet.size {
		return nil, "There are not enough free addresses in subnet '" + spec.subnet.id + "' to satisfy the requested number of instances."
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
			return nil, "There is no Spot capacity available that matches your request."
		}
	} else {
		in = r.startInstance(spec, tags, res, 0, "")
	}
	in.asg = g.name
	g.instances = append(g.instances, in)
	return in, ""
}

// stepGroups keeps each group at its desired capacity and finishes deletions.
func stepGroups(r *region, now time.Time) {
	s, _ := r.ext[asgKey].(*asgState)
	if s == nil || len(s.order) == 0 {
		return
	}
	gone := false
	for _, g := range s.order {
		r.watchGroup(g, now)
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
			r.fillGroup(g, "")
		}
		r.rebalance(g)
	}
	if gone {
		s.order = compact(s.order, func(g *asGroup) bool { return !g.dead })
	}
}

// watchGroup finishes the group's activities whose instance got where it was
// going, and records taking out of service the instances that went without the
// group asking (terminated by a user, reclaimed by Spot).
func (r *region) watchGroup(g *asGroup, now time.Time) {
	for _, a := range g.activities {
		if a.status != astypes.ScalingActivityStatusCodeInProgress || a.inst == nil {
			continue
		}
		st := a.inst.state
		switch {
		case a.launch && st == ec2types.InstanceStateNameRunning,
			!a.launch && st == ec2types.InstanceStateNameTerminated:
			a.status, a.end = astypes.ScalingActivityStatusCodeSuccessful, now
		case a.launch && st != ec2types.InstanceStateNamePending:
			a.status, a.end = astypes.ScalingActivityStatusCodeSuccessful, now // launched, then gone: the launch itself succeeded
		default:
			continue
		}
		if a.launch {
			r.asgEvent(g, a, "EC2 Instance Launch Successful")
		} else {
			r.asgEvent(g, a, "EC2 Instance Terminate Successful")
		}
	}
	if g.deleting {
		return
	}
	for _, in := range g.instances {
		if in.asgOut || (in.state != ec2types.InstanceStateNameShuttingDown && in.state != ec2types.InstanceStateNameTerminated) {
			continue
		}
		in.asgOut = true
		g.unhealthy++
		r.record(g, &asActivity{desc: "Terminating EC2 instance: " + in.id, details: subnetDetails(in.spec.subnet), inst: in,
			cause: "At " + at(now) + " an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped."})
	}
}

// groupTerminate terminates one of the group's instances on the group's own
// account, recording why.
func (r *region) groupTerminate(g *asGroup, in *instance, cause string) {
	in.asgOut = true
	r.terminate(in)
	in.reason = "Service initiated (" + r.w.now.UTC().Format("2006-01-02 15:04:05 MST") + ")"
	r.record(g, &asActivity{desc: "Terminating EC2 instance: " + in.id, details: subnetDetails(in.spec.subnet), inst: in, cause: cause})
}

// rebalance moves a mixed group towards its distribution one instance at a time:
// once every instance of the group runs and none is launching or going, it
// terminates one instance of the market in excess (the newest); fillGroup then
// replaces it at the other market.
func (r *region) rebalance(g *asGroup) {
	if g.mixed == nil || g.deleting {
		return
	}
	alive := g.alive()
	if int32(len(alive)) != g.desired || len(alive) != len(g.instances) {
		return
	}
	od := int32(0)
	for _, in := range alive {
		if in.state != ec2types.InstanceStateNameRunning {
			return
		}
		if in.spot == nil {
			od++
		}
	}
	want := g.onDemandWanted(g.desired)
	if od == want {
		return
	}
	for i := len(alive) - 1; i >= 0; i-- {
		in := alive[i]
		if (od > want) == (in.spot == nil) {
			g.nextLaunch = r.w.now // replace it at once
			r.groupTerminate(g, in, "At "+at(r.w.now)+" an instance was taken out of service in response to a difference between the group's On-Demand and Spot distribution ("+
				itoa32(want)+" On-Demand wanted, "+itoa32(od)+" running) and its instances.")
			return
		}
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
			AvailabilityZoneId: ptr(in.spec.subnet.azID), LifecycleState: lifecycleOf(in), HealthStatus: ptr(healthOf(in)), ProtectedFromScaleIn: ptr(false)}
		if t := in.spec.tpl; t != nil {
			x.LaunchTemplate = &astypes.LaunchTemplateSpecification{LaunchTemplateId: ptr(t.id), LaunchTemplateName: ptr(t.name), Version: ptr(t.version)}
		}
		out.Instances = append(out.Instances, x)
	}
	return out
}

// healthOf is an instance's health as its group reports it.
func healthOf(in *instance) string {
	if in.state == ec2types.InstanceStateNameShuttingDown || in.state == ec2types.InstanceStateNameTerminated {
		return "Unhealthy"
	}
	return "Healthy"
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
			x.asgOut = true
			r.terminate(x)
		}
		g.deleting, g.deleteFrom = true, r.w.now
		return &autoscaling.DeleteAutoScalingGroupOutput{}, nil
	})
}

// UpdateAutoScalingGroup changes a group's sizes, launch template or mixed
// instances policy, subnets and health check settings.
func (c *asgClient) UpdateAutoScalingGroup(ctx context.Context, in *autoscaling.UpdateAutoScalingGroupInput, _ ...func(*autoscaling.Options)) (*autoscaling.UpdateAutoScalingGroupOutput, error) {
	return do(ctx, c.base, "autoscaling", "UpdateAutoScalingGroup", in, func(r *region) (*autoscaling.UpdateAutoScalingGroupOutput, error) {
		if in == nil || str(in.AutoScalingGroupName) == "" {
			return nil, asgValidation("1 validation error detected: Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null")
		}
		name := str(in.AutoScalingGroupName)
		g := groupState(r).groups[name]
		if g == nil {
			return nil, asgValidation("AutoScalingGroup name not found - null")
		}
		if g.deleting {
			return nil, &astypes.ScalingActivityInProgressFault{Message: ptr("The request failed because an Auto Scaling group is being deleted.")}
		}
		if in.LaunchTemplate != nil && in.MixedInstancesPolicy != nil {
			return nil, asgValidation("Valid requests must contain either LaunchTemplate, LaunchConfigurationName or MixedInstancesPolicy parameter.")
		}
		if in.LaunchConfigurationName != nil {
			return nil, asgValidation("The simulator models groups from launch templates only.")
		}
		next := *g // a copy: nothing changes unless the whole update is valid
		next.min, next.max = i32(in.MinSize, g.min), i32(in.MaxSize, g.max)
		next.desired = i32(in.DesiredCapacity, g.desired)
		if in.DesiredCapacity == nil {
			next.desired = max(next.min, min(next.max, g.desired))
		}
		switch {
		case next.min < 0 || next.max < 0:
			return nil, asgValidation("Min and max sizes must be non-negative")
		case next.min > next.max:
			return nil, asgValidation("Max bound, %d, must be greater than or equal to min bound, %d", next.max, next.min)
		case next.desired < next.min || next.desired > next.max:
			return nil, asgValidation("Desired capacity:%d must be between the specified min size:%d and max size:%d", next.desired, next.min, next.max)
		}
		if in.LaunchTemplate != nil {
			next.lt, next.mixed = cloneJSON(in.LaunchTemplate), nil
		}
		if p := in.MixedInstancesPolicy; p != nil {
			m := &astypes.MixedInstancesPolicy{}
			if g.mixed != nil {
				m = cloneJSON(g.mixed)
			} else {
				m.LaunchTemplate = &astypes.LaunchTemplate{LaunchTemplateSpecification: cloneJSON(g.lt)}
				m.InstancesDistribution = &astypes.InstancesDistribution{OnDemandBaseCapacity: ptr(int32(0)), OnDemandPercentageAboveBaseCapacity: ptr(int32(100)),
					OnDemandAllocationStrategy: ptr("prioritized"), SpotAllocationStrategy: ptr("price-capacity-optimized")}
			}
			if p.LaunchTemplate != nil {
				if p.LaunchTemplate.LaunchTemplateSpecification != nil {
					m.LaunchTemplate.LaunchTemplateSpecification = cloneJSON(p.LaunchTemplate.LaunchTemplateSpecification)
				}
				if p.LaunchTemplate.Overrides != nil {
					m.LaunchTemplate.Overrides = cloneJSON(p.LaunchTemplate.Overrides)
				}
			}
			if d := p.InstancesDistribution; d != nil {
				have := m.InstancesDistribution
				if d.OnDemandBaseCapacity != nil {
					if *d.OnDemandBaseCapacity < 0 {
						return nil, asgValidation("OnDemandBaseCapacity must be non-negative")
					}
					have.OnDemandBaseCapacity = ptr(*d.OnDemandBaseCapacity)
				}
				if d.OnDemandPercentageAboveBaseCapacity != nil {
					if v := *d.OnDemandPercentageAboveBaseCapacity; v < 0 || v > 100 {
						return nil, asgValidation("OnDemandPercentageAboveBaseCapacity must be between 0 and 100")
					}
					have.OnDemandPercentageAboveBaseCapacity = ptr(*d.OnDemandPercentageAboveBaseCapacity)
				}
				if d.SpotAllocationStrategy != nil {
					have.SpotAllocationStrategy = ptr(*d.SpotAllocationStrategy)
				}
				if d.OnDemandAllocationStrategy != nil {
					have.OnDemandAllocationStrategy = ptr(*d.OnDemandAllocationStrategy)
				}
				if d.SpotMaxPrice != nil {
					have.SpotMaxPrice = ptr(*d.SpotMaxPrice)
				}
			}
			for _, o := range m.LaunchTemplate.Overrides {
				if t := str(o.InstanceType); t != "" && !instanceTypeRE.MatchString(t) {
					return nil, asgValidation("Invalid instance type %s", t)
				}
			}
			next.mixed, next.lt = m, m.LaunchTemplate.LaunchTemplateSpecification
		}
		if in.LaunchTemplate != nil || in.MixedInstancesPolicy != nil {
			if err := r.checkTemplate(&next); err != nil {
				return nil, err
			}
		}
		if v := str(in.VPCZoneIdentifier); v != "" {
			next.subnets, next.azs = nil, nil
			for _, id := range strings.Split(v, ",") {
				if id = strings.TrimSpace(id); id == "" {
					continue
				}
				sn := r.subnets[id]
				if sn == nil {
					return nil, asgValidation("The subnet ID '%s' does not exist", id)
				}
				next.subnets = append(next.subnets, sn)
				if !contains(next.azs, sn.az) {
					next.azs = append(next.azs, sn.az)
				}
			}
		}
		if t := str(in.HealthCheckType); t != "" {
			next.healthType = t
		}
		next.grace, next.cooldown = i32(in.HealthCheckGracePeriod, g.grace), i32(in.DefaultCooldown, g.cooldown)
		from := g.desired
		*g = next
		why := "At " + at(r.w.now) + " a user request update of AutoScalingGroup constraints to min: " + itoa32(g.min) + ", max: " + itoa32(g.max) + ", desired: " + itoa32(g.desired) +
			" changing the desired capacity from " + itoa32(from) + " to " + itoa32(g.desired) + "."
		switch alive := g.alive(); {
		case int32(len(alive)) < g.desired:
			r.fillGroup(g, why)
		case int32(len(alive)) > g.desired:
			for i := len(alive) - 1; i >= int(g.desired); i-- {
				r.groupTerminate(g, alive[i], why+"  At "+at(r.w.now)+" an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from "+
					itoa32(int32(len(alive)))+" to "+itoa32(g.desired)+".  At "+at(r.w.now)+" instance "+alive[i].id+" was selected for termination.")
			}
		}
		return &autoscaling.UpdateAutoScalingGroupOutput{}, nil
	})
}

// DescribeScalingActivities lists a group's activities (or every group's, with
// no name), newest first, MaxRecords (1–100, default 100) a page; an unknown
// group has none.
func (c *asgClient) DescribeScalingActivities(ctx context.Context, in *autoscaling.DescribeScalingActivitiesInput, _ ...func(*autoscaling.Options)) (*autoscaling.DescribeScalingActivitiesOutput, error) {
	return do(ctx, c.base, "autoscaling", "DescribeScalingActivities", in, func(r *region) (*autoscaling.DescribeScalingActivitiesOutput, error) {
		if in == nil {
			in = &autoscaling.DescribeScalingActivitiesInput{}
		}
		max := int(i32(in.MaxRecords, 100))
		if max < 1 || max > 100 {
			return nil, asgValidation("1 validation error detected: Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100", max)
		}
		start, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, &astypes.InvalidNextToken{Message: ptr("The token is invalid.")}
		}
		type entry struct {
			g *asGroup
			a *asActivity
		}
		var all []entry
		for _, g := range groupState(r).order {
			if n := str(in.AutoScalingGroupName); n != "" && g.name != n {
				continue
			}
			for _, a := range g.activities {
				if len(in.ActivityIds) > 0 && !contains(in.ActivityIds, a.id) {
					continue
				}
				all = append(all, entry{g, a})
			}
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].a.start.After(all[j].a.start) })
		out := &autoscaling.DescribeScalingActivitiesOutput{Activities: []astypes.Activity{}}
		for i := start; i < len(all); i++ {
			if len(out.Activities) == max {
				out.NextToken = intToken(i)
				break
			}
			e := all[i]
			progress := int32(0)
			if e.a.status != astypes.ScalingActivityStatusCodeInProgress {
				progress = 100
			}
			x := astypes.Activity{ActivityId: ptr(e.a.id), AutoScalingGroupName: ptr(e.g.name), AutoScalingGroupARN: ptr(e.g.arn), Cause: ptr(e.a.cause),
				Description: ptr(e.a.desc), StartTime: ptr(e.a.start), StatusCode: e.a.status, Progress: ptr(progress), Details: optStr(e.a.details),
				StatusMessage: optStr(e.a.message)}
			if !e.a.end.IsZero() {
				x.EndTime = ptr(e.a.end)
			}
			out.Activities = append(out.Activities, x)
		}
		return out, nil
	})
}
