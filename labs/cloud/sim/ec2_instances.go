package sim

// EC2 instances, launch templates and Spot Instance requests.
//
// Instances: RunInstances launches MinCount..MaxCount instances into a subnet of
// the region's VPC (the first default subnet when none is named), each with a
// private address from the subnet, its security groups (the VPC's default group
// when none is named) and the tags of TagSpecifications (ResourceType instance).
// A launch template (LaunchTemplateId or LaunchTemplateName, version 1, $Latest
// or $Default) supplies what the call leaves out. An instance is pending for
// 15–30 s, then running; TerminateInstances makes it shutting-down for 30–60 s,
// then terminated. While it is not terminated it holds a use of each of its
// security groups (DeleteSecurityGroup answers DependencyViolation) and its
// private address. A terminated instance is still described, in state
// terminated, for an hour, then InvalidInstanceID.NotFound.
//
// Spot: InstanceMarketOptions MarketType spot (on the call or in the template)
// creates a Spot Instance request (sir-…) that is fulfilled at once: the request
// is active with status fulfilled and the instance has InstanceLifecycle spot.
// A one-time request closes when its instance terminates. A persistent request
// (RunInstances allows it only with InstanceInterruptionBehavior stop or
// hibernate, as AWS) goes back to open when its instance is terminated and
// launches a new instance a minute later, again and again, until it is
// cancelled; a relaunched instance carries no tags (the request keeps its own). CancelSpotInstanceRequests never terminates the instance: the
// request becomes cancelled with status request-canceled-and-instance-running.
// Cancelled and closed requests are described for four hours.
//
// Launch templates: CreateLaunchTemplate (version 1 only), DescribeLaunchTemplates
// and DeleteLaunchTemplate by id or name. Deleting a template that an Auto
// Scaling group uses is allowed, as on AWS (the group then cannot launch).
//
// Instances, launch templates and Spot requests are taggable (ec2:instance,
// ec2:launch-template, ec2:spot-instances-request); an instance leaves the
// tagging API when it is terminated, a request when it is cancelled or closed.
//
// Stop and start: StopInstances makes a running (or pending) instance stopping
// for 15–30 s, then stopped; it keeps its private address and security groups.
// StartInstances makes a stopped instance pending for 15–30 s, then running;
// its LaunchTime becomes the start time while its network interface's
// AttachTime keeps the first launch, as on AWS.
// Stopping a stopped instance and starting a running one are no-ops; Spot
// instances cannot be stopped (UnsupportedOperation), and a stopping or
// terminated instance answers IncorrectInstanceState, as on AWS.
//
// User data: RunInstances keeps UserData (base64). An instance runs a web
// server on port 80 while it is running if its user data installs or starts one
// (httpd, nginx, apache2, python -m http.server, busybox httpd); the page it
// serves is the text the user data writes ("Hello from us-east-1"), or the
// server's default page. ALB health checks and Global Accelerator traffic use
// this (instanceServes).
//
// Not modelled: AMIs (any well-formed ami- id launches), instance types'
// capacity and the vCPU quotas, public IP addresses (Spot prices and
// interruptions: ec2_spot.go), volumes and network interfaces as resources, launch template
// versions beyond 1, placement groups, Dedicated Hosts, hibernation, user data
// execution beyond the web server above.

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

const (
	ec2InstKey         = "ec2-instances"
	instancePending    = 15 * time.Second // pending → running, plus up to as much again
	instanceStopping   = 15 * time.Second // stopping → stopped, plus up to as much again
	instanceShutdown   = 30 * time.Second // shutting-down → terminated, plus up to as much again
	terminatedVisible  = time.Hour        // a terminated instance is still described this long
	spotClosedVisible  = 4 * time.Hour    // a cancelled or closed request is still described this long
	spotRelaunchDelay  = time.Minute      // a persistent request's next instance after the last one ends
	defaultInstanceTyp = "m1.small"       // AWS's default when neither the call nor a template names one
)

func init() {
	// ec2Client is attached by World.Clients; this adds the instances' dynamics.
	// Steps at order 30: instances boot, stop and terminate, after the groups asked for them.
	registerService("ec2-instances", nil, everySecond(30, stepInstances))
}

// ec2InstState is one region's instances, launch templates and Spot requests.
type ec2InstState struct {
	instances map[string]*instance
	order     []*instance       // launch order; terminated ones until they are forgotten
	busy      []*instance       // pending or shutting-down: they change state with time
	tokens    map[string]string // RunInstances ClientToken → reservation id

	templates map[string]*launchTemplate // by id
	tplOrder  []*launchTemplate

	spots     map[string]*spotRequest
	spotOrder []*spotRequest
}

func ec2State(r *region) *ec2InstState {
	return state(r, ec2InstKey, func() *ec2InstState {
		return &ec2InstState{instances: map[string]*instance{}, tokens: map[string]string{},
			templates: map[string]*launchTemplate{}, spots: map[string]*spotRequest{}}
	})
}

type instance struct {
	tagged
	id, reservation string
	index           int32
	token           string
	spec            launchSpec
	ip              string
	state           ec2types.InstanceStateName
	launched        time.Time
	changeAt        time.Time // when pending or shutting-down ends
	terminatedAt    time.Time
	reason          string // StateTransitionReason
	stateReason     *ec2types.StateReason
	spot            *spotRequest
	asg             string    // the Auto Scaling group that launched it
	userData        string    // decoded UserData
	served          *servedBy // what userData serves, read once per userData (instanceServes)
	firstLaunch     time.Time // LaunchTime moves on StartInstances; the ENI's AttachTime stays this
	interruptAt     time.Time // under a Spot interruption notice: when it is reclaimed (ec2_spot.go)
	asgOut          bool      // its Auto Scaling group has recorded taking it out of service
}

// launchSpec is what an instance is launched with, after the template is applied.
type launchSpec struct {
	image, itype, key string
	subnet            *subnet
	sgs               []string
	tpl               *ltRef
	spot              *spotOpts // nil: On-Demand
}

type ltRef struct{ id, name, version string }

type spotOpts struct {
	typ      ec2types.SpotInstanceType
	behavior ec2types.InstanceInterruptionBehavior
	maxPrice string
}

type launchTemplate struct {
	tagged
	id, name, desc string
	created        time.Time
	data           ec2types.RequestLaunchTemplateData
}

type spotRequest struct {
	tagged
	id         string
	opts       spotOpts
	spec       launchSpec
	state      ec2types.SpotInstanceState
	code, msg  string
	updated    time.Time
	created    time.Time
	inst       *instance
	relaunchAt time.Time // open persistent request: when it launches again
	endedAt    time.Time // cancelled or closed
}

var (
	instanceTypeRE = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	amiRE          = regexp.MustCompile(`^ami-([0-9a-f]{8}|[0-9a-f]{17})$`)
	instanceIDRE   = regexp.MustCompile(`^i-([0-9a-f]{8}|[0-9a-f]{17})$`)
	spotIDRE       = regexp.MustCompile(`^sir-[0-9a-z]{8}$`)
	ltNameRE       = regexp.MustCompile(`^[a-zA-Z0-9().\-/_]{3,128}$`)
)

// onDemandPrice is the hourly On-Demand price (USD, us-east-1) of the types the
// labs use; a Spot request's default maximum price.
var onDemandPrice = map[string]string{
	"t2.micro": "0.011600", "t3.micro": "0.010400", "t3a.micro": "0.009400", "t3.small": "0.020800", "m1.small": "0.044000",
}

func stateCode(s ec2types.InstanceStateName) int32 {
	switch s {
	case ec2types.InstanceStateNamePending:
		return 0
	case ec2types.InstanceStateNameRunning:
		return 16
	case ec2types.InstanceStateNameShuttingDown:
		return 32
	case ec2types.InstanceStateNameTerminated:
		return 48
	case ec2types.InstanceStateNameStopping:
		return 64
	}
	return 80
}

// tagsFromSpecs collects TagSpecifications by resource type; allowed lists the
// resource types the call accepts. User tags may not start with aws:.
func tagsFromSpecs(specs []ec2types.TagSpecification, allowed ...ec2types.ResourceType) (map[ec2types.ResourceType]tagList, error) {
	out := map[ec2types.ResourceType]tagList{}
	for _, ts := range specs {
		ok := false
		for _, a := range allowed {
			ok = ok || ts.ResourceType == a
		}
		if !ok {
			return nil, apiError("InvalidParameterValue", "'%s' is not a valid taggable resource type for this operation.", ts.ResourceType)
		}
		t := out[ts.ResourceType]
		for _, x := range ts.Tags {
			if strings.HasPrefix(str(x.Key), "aws:") {
				return nil, apiError("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
			}
			t.set(str(x.Key), str(x.Value))
		}
		if err := validTags(t); err != nil {
			return nil, apiError("InvalidParameterValue", "%v", err)
		}
		out[ts.ResourceType] = t
	}
	return out, nil
}

// findTemplate resolves a launch template by id or name and checks the version.
func (r *region) findTemplate(id, name, version string) (*launchTemplate, error) {
	s := ec2State(r)
	var lt *launchTemplate
	switch {
	case id != "":
		if lt = s.templates[id]; lt == nil || lt.dead {
			return nil, apiError("InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID %s, does not exist.", id)
		}
	case name != "":
		for _, t := range s.tplOrder {
			if !t.dead && t.name == name {
				lt = t
			}
		}
		if lt == nil {
			return nil, apiError("InvalidLaunchTemplateName.NotFoundException", "The specified launch template, with template name %s, does not exist.", name)
		}
	default:
		return nil, apiError("MissingParameter", "The request must contain the parameter LaunchTemplateId or LaunchTemplateName")
	}
	switch version {
	case "", "1", "$Latest", "$Default":
	default:
		return nil, apiError("InvalidLaunchTemplateId.VersionNotFound", "Could not find the specified version %s for the launch template with ID %s.", version, lt.id)
	}
	return lt, nil
}

// launchRequest is a RunInstances call, or an Auto Scaling group's launch, with
// the template's data merged in.
type launchRequest struct {
	image, itype, key string
	subnetID          string
	sgIDs, sgNames    []string
	market            *ec2types.InstanceMarketOptionsRequest
	tpl               *launchTemplate
	tplVersion        string
	tags              map[ec2types.ResourceType]tagList
}

// applyTemplate fills what the request leaves out from the template's data.
func (q *launchRequest) applyTemplate() error {
	if q.tpl == nil {
		return nil
	}
	d := q.tpl.data
	if q.image == "" {
		q.image = str(d.ImageId)
	}
	if q.itype == "" {
		q.itype = string(d.InstanceType)
	}
	if q.key == "" {
		q.key = str(d.KeyName)
	}
	if len(q.sgIDs) == 0 && len(q.sgNames) == 0 {
		q.sgIDs, q.sgNames = d.SecurityGroupIds, d.SecurityGroups
		if len(d.NetworkInterfaces) > 0 {
			q.sgIDs = append(q.sgIDs, d.NetworkInterfaces[0].Groups...)
		}
	}
	if q.subnetID == "" && len(d.NetworkInterfaces) > 0 {
		q.subnetID = str(d.NetworkInterfaces[0].SubnetId)
	}
	if q.market == nil && d.InstanceMarketOptions != nil {
		m := &ec2types.InstanceMarketOptionsRequest{MarketType: d.InstanceMarketOptions.MarketType}
		if o := d.InstanceMarketOptions.SpotOptions; o != nil {
			m.SpotOptions = &ec2types.SpotMarketOptions{SpotInstanceType: o.SpotInstanceType, InstanceInterruptionBehavior: o.InstanceInterruptionBehavior, MaxPrice: o.MaxPrice}
		}
		q.market = m
	}
	for _, ts := range d.TagSpecifications {
		if _, given := q.tags[ts.ResourceType]; given {
			continue // the call's own tags for that type win
		}
		t := q.tags[ts.ResourceType]
		for _, x := range ts.Tags {
			t.set(str(x.Key), str(x.Value))
		}
		q.tags[ts.ResourceType] = t
	}
	return nil
}

// resolve validates the request into a launch spec.
func (r *region) resolve(q *launchRequest) (launchSpec, error) {
	var spec launchSpec
	if q.image == "" {
		return spec, apiError("MissingParameter", "The request must contain the parameter ImageId")
	}
	if !amiRE.MatchString(q.image) {
		return spec, apiError("InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", q.image)
	}
	if q.itype == "" {
		q.itype = defaultInstanceTyp
	}
	if !instanceTypeRE.MatchString(q.itype) {
		return spec, apiError("InvalidParameterValue", "Invalid value '%s' for InstanceType.", q.itype)
	}
	spec.image, spec.itype, spec.key = q.image, q.itype, q.key
	if q.tpl != nil {
		v := q.tplVersion
		if v == "" {
			v = "$Default"
		}
		spec.tpl = &ltRef{id: q.tpl.id, name: q.tpl.name, version: v}
	}
	v := r.defaultVPC()
	spec.subnet = r.subOrder[0]
	if q.subnetID != "" {
		spec.subnet = r.subnets[q.subnetID]
		if spec.subnet == nil {
			return spec, apiError("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", q.subnetID)
		}
		v = spec.subnet.vpc
		if len(q.sgNames) > 0 {
			return spec, apiError("InvalidParameterCombination", "The parameter groupName cannot be used with the parameter subnet")
		}
	}
	for _, id := range q.sgIDs {
		sg := r.sgs[id]
		if sg == nil || sg.dead {
			return spec, apiError("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
		}
		if sg.vpc != v {
			return spec, apiError("InvalidParameter", "Security group %s and subnet %s belong to different networks.", id, spec.subnet.id)
		}
		if !contains(spec.sgs, id) {
			spec.sgs = append(spec.sgs, id)
		}
	}
	for _, name := range q.sgNames {
		sg, err := r.findSG("", name)
		if err != nil {
			return spec, err
		}
		if !contains(spec.sgs, sg.id) {
			spec.sgs = append(spec.sgs, sg.id)
		}
	}
	if len(spec.sgs) == 0 {
		spec.sgs = []string{v.defaultSG.id}
	}
	if m := q.market; m != nil {
		switch m.MarketType {
		case ec2types.MarketTypeSpot:
		case "":
			return spec, apiError("MissingParameter", "The request must contain the parameter InstanceMarketOptions.MarketType")
		default:
			return spec, apiError("InvalidParameterValue", "The simulator models only the spot market type, not '%s'.", m.MarketType)
		}
		o := &spotOpts{typ: ec2types.SpotInstanceTypeOneTime, behavior: ec2types.InstanceInterruptionBehaviorTerminate}
		if so := m.SpotOptions; so != nil {
			if so.SpotInstanceType != "" {
				o.typ = so.SpotInstanceType
			}
			if so.InstanceInterruptionBehavior != "" {
				o.behavior = so.InstanceInterruptionBehavior
			}
			o.maxPrice = str(so.MaxPrice)
		}
		if o.typ != ec2types.SpotInstanceTypeOneTime && o.typ != ec2types.SpotInstanceTypePersistent {
			return spec, apiError("InvalidParameterValue", "Invalid value '%s' for SpotInstanceType.", o.typ)
		}
		switch o.behavior {
		case ec2types.InstanceInterruptionBehaviorTerminate, ec2types.InstanceInterruptionBehaviorStop, ec2types.InstanceInterruptionBehaviorHibernate:
		default:
			return spec, apiError("InvalidParameterValue", "Invalid value '%s' for InstanceInterruptionBehavior.", o.behavior)
		}
		if o.typ == ec2types.SpotInstanceTypePersistent && o.behavior == ec2types.InstanceInterruptionBehaviorTerminate {
			return spec, apiError("InvalidParameterCombination", "For RunInstances, persistent Spot Instance requests are only supported when the instance interruption behavior is either hibernate or stop.")
		}
		if o.typ == ec2types.SpotInstanceTypeOneTime && o.behavior != ec2types.InstanceInterruptionBehaviorTerminate {
			return spec, apiError("InvalidParameterCombination", "The instance interruption behavior %s requires a persistent Spot Instance request.", o.behavior)
		}
		if o.maxPrice == "" {
			o.maxPrice = onDemandPrice[spec.itype]
			if o.maxPrice == "" {
				o.maxPrice = "0.100000"
			}
		} else if f, err := strconv.ParseFloat(o.maxPrice, 64); err != nil || f <= 0 {
			return spec, apiError("InvalidParameterValue", "Invalid value '%s' for MaxPrice.", o.maxPrice)
		}
		spec.spot = o
	}
	return spec, nil
}

// startInstance launches one instance: a private address, its groups' uses,
// pending for a few seconds. The caller has checked that the subnet has room.
func (r *region) startInstance(spec launchSpec, tags tagList, reservation string, index int32, token string) *instance {
	s := ec2State(r)
	in := &instance{id: "i-" + r.w.hexID(17), reservation: reservation, index: index, token: token, spec: spec,
		ip: r.allocIP(spec.subnet), state: ec2types.InstanceStateNamePending, launched: r.w.now, firstLaunch: r.w.now,
		changeAt: r.w.now.Add(r.w.jitter(instancePending, instancePending))}
	in.spec.sgs = append([]string(nil), spec.sgs...)
	in.tags = tags.clone()
	s.instances[in.id] = in
	s.order = append(s.order, in)
	s.busy = append(s.busy, in)
	r.useSGs(in.spec.sgs, +1)
	r.addTaggable(&in.tagged, r.arn("ec2", "instance/"+in.id), "ec2:instance")
	return in
}

// newSpotRequest makes the request an instance is launched for.
func (r *region) newSpotRequest(spec launchSpec, tags tagList) *spotRequest {
	s := ec2State(r)
	sr := &spotRequest{id: "sir-" + strings.ToLower(r.w.hexID(8)), opts: *spec.spot, spec: spec, created: r.w.now}
	sr.tags = tags.clone()
	s.spots[sr.id] = sr
	s.spotOrder = append(s.spotOrder, sr)
	r.addTaggable(&sr.tagged, r.arn("ec2", "spot-instances-request/"+sr.id), "ec2:spot-instances-request")
	return sr
}

// fulfil launches a Spot request's instance; false when the subnet is full or a
// group has gone (the request then stays open).
func (r *region) fulfil(sr *spotRequest, tags tagList, reservation string, index int32, token string) (*instance, bool) {
	for _, id := range sr.spec.sgs {
		if sg := r.sgs[id]; sg == nil || sg.dead {
			sr.setStatus(ec2types.SpotInstanceStateOpen, "bad-parameters", "The security group "+id+" does not exist.", r.w.now)
			return nil, false
		}
	}
	if uint32(len(sr.spec.subnet.used)) >= sr.spec.subnet.size {
		sr.setStatus(ec2types.SpotInstanceStateOpen, "capacity-not-available", "There is no capacity available that matches your request.", r.w.now)
		return nil, false
	}
	in := r.startInstance(sr.spec, tags, reservation, index, token)
	in.spot = sr
	sr.inst = in
	sr.relaunchAt = time.Time{}
	sr.setStatus(ec2types.SpotInstanceStateActive, "fulfilled", "Your spot request is fulfilled.", r.w.now)
	return in, true
}

func (sr *spotRequest) setStatus(st ec2types.SpotInstanceState, code, msg string, now time.Time) {
	sr.state, sr.code, sr.msg, sr.updated = st, code, msg, now
	if st == ec2types.SpotInstanceStateCancelled || st == ec2types.SpotInstanceStateClosed {
		sr.endedAt = now
		sr.dead = true // the tagging API no longer lists it
	}
}

// terminate starts an instance's shutdown (no-op once it is shutting down).
func (r *region) terminate(in *instance) {
	if in.state == ec2types.InstanceStateNameShuttingDown || in.state == ec2types.InstanceStateNameTerminated {
		return
	}
	now := r.w.now
	in.state = ec2types.InstanceStateNameShuttingDown
	in.changeAt = now.Add(r.w.jitter(instanceShutdown, instanceShutdown))
	in.reason = "User initiated (" + now.UTC().Format("2006-01-02 15:04:05 MST") + ")"
	in.stateReason = &ec2types.StateReason{Code: ptr("Client.UserInitiatedShutdown"), Message: ptr("Client.UserInitiatedShutdown: User initiated shutdown")}
	s := ec2State(r)
	if !containsInst(s.busy, in) {
		s.busy = append(s.busy, in)
	}
}

func containsInst(list []*instance, in *instance) bool {
	for _, x := range list {
		if x == in {
			return true
		}
	}
	return false
}

// stepInstances moves instances and Spot requests along their timelines.
func stepInstances(r *region, now time.Time) {
	s, _ := r.ext[ec2InstKey].(*ec2InstState)
	if s == nil {
		return
	}
	if len(s.busy) > 0 {
		done := false
		for _, in := range s.busy {
			if now.Before(in.changeAt) {
				continue
			}
			switch in.state {
			case ec2types.InstanceStateNamePending:
				in.state = ec2types.InstanceStateNameRunning
			case ec2types.InstanceStateNameStopping:
				in.state = ec2types.InstanceStateNameStopped
				if in.interruptAt.IsZero() {
					in.stateReason = &ec2types.StateReason{Code: ptr("Client.UserInitiatedShutdown"), Message: ptr("Client.UserInitiatedShutdown: User initiated shutdown")}
				} else {
					r.spotStopped(in, now) // a Spot interruption's stop keeps its Server.SpotInstanceShutdown reason
				}
			case ec2types.InstanceStateNameShuttingDown:
				in.state, in.terminatedAt = ec2types.InstanceStateNameTerminated, now
				r.useSGs(in.spec.sgs, -1)
				r.freeIP(in.spec.subnet, in.ip)
				in.dead = true
				r.spotInstanceEnded(in, now)
			}
			done = true
		}
		if done {
			s.busy = compact(s.busy, func(in *instance) bool {
				return in.state == ec2types.InstanceStateNamePending || in.state == ec2types.InstanceStateNameShuttingDown ||
					in.state == ec2types.InstanceStateNameStopping
			})
		}
	}
	for _, sr := range s.spotOrder {
		if sr.relaunchAt.IsZero() || now.Before(sr.relaunchAt) {
			continue
		}
		switch sr.state {
		case ec2types.SpotInstanceStateOpen:
			if _, ok := r.fulfil(sr, nil, "r-"+r.w.hexID(17), 0, ""); !ok {
				sr.relaunchAt = now.Add(spotRelaunchDelay)
			}
		case ec2types.SpotInstanceStateDisabled:
			r.spotRestart(sr, now)
		}
	}
	if now.Unix()%60 == 0 {
		s.order = compact(s.order, func(in *instance) bool {
			if in.state == ec2types.InstanceStateNameTerminated && now.Sub(in.terminatedAt) >= terminatedVisible {
				delete(s.instances, in.id)
				return false
			}
			return true
		})
		s.spotOrder = compact(s.spotOrder, func(sr *spotRequest) bool {
			if !sr.endedAt.IsZero() && now.Sub(sr.endedAt) >= spotClosedVisible {
				delete(s.spots, sr.id)
				return false
			}
			return true
		})
	}
}

// spotInstanceEnded tells an instance's Spot request that the instance is gone:
// a one-time request closes, a persistent one reopens and launches again.
func (r *region) spotInstanceEnded(in *instance, now time.Time) {
	sr := in.spot
	if sr == nil || sr.inst != in {
		return
	}
	switch sr.state {
	case ec2types.SpotInstanceStateActive, ec2types.SpotInstanceStateOpen, ec2types.SpotInstanceStateDisabled:
		// Open: a persistent request whose instance was interrupted; disabled: one
		// whose interrupted instance had stopped and was then terminated.
		if sr.opts.typ == ec2types.SpotInstanceTypePersistent {
			code, why := "instance-terminated-by-user", "Spot Instance terminated due to user-initiated termination."
			if in.stateReason != nil && str(in.stateReason.Code) == "Server.SpotInstanceTermination" {
				code, why = "instance-terminated-no-capacity", "Spot Instance terminated due to no available capacity."
			}
			sr.setStatus(ec2types.SpotInstanceStateOpen, code, why, now)
			sr.relaunchAt = now.Add(spotRelaunchDelay)
		} else {
			sr.setStatus(ec2types.SpotInstanceStateClosed, "instance-terminated-by-user", "Spot Instance terminated due to user-initiated termination.", now)
		}
	case ec2types.SpotInstanceStateCancelled:
		sr.code, sr.msg, sr.updated = "instance-terminated-by-user", "Spot Instance terminated due to user-initiated termination.", now
	}
}

// RunInstances launches instances, On-Demand or Spot.
func (c *ec2Client) RunInstances(ctx context.Context, in *ec2.RunInstancesInput, _ ...func(*ec2.Options)) (*ec2.RunInstancesOutput, error) {
	return do(ctx, c.base, "ec2", "RunInstances", in, func(r *region) (*ec2.RunInstancesOutput, error) {
		var err error
		if in == nil {
			in = &ec2.RunInstancesInput{}
		}
		if in.MinCount == nil {
			return nil, apiError("MissingParameter", "The request must contain the parameter MinCount")
		}
		if in.MaxCount == nil {
			return nil, apiError("MissingParameter", "The request must contain the parameter MaxCount")
		}
		minC, maxC := *in.MinCount, *in.MaxCount
		if minC < 1 {
			return nil, apiError("InvalidParameterValue", "Value (%d) for parameter minCount is invalid. Expected a positive integer.", minC)
		}
		if maxC < minC {
			return nil, apiError("InvalidParameterValue", "Value (%d) for parameter maxCount is invalid. Expected a value greater than or equal to minCount (%d).", maxC, minC)
		}
		s := ec2State(r)
		token := str(in.ClientToken)
		if res, ok := s.tokens[token]; ok && token != "" {
			return r.reservationOut(res), nil
		}
		tags, err := tagsFromSpecs(in.TagSpecifications, ec2types.ResourceTypeInstance, ec2types.ResourceTypeVolume,
			ec2types.ResourceTypeNetworkInterface, ec2types.ResourceTypeSpotInstancesRequest)
		if err != nil {
			return nil, err
		}
		q := &launchRequest{image: str(in.ImageId), itype: string(in.InstanceType), key: str(in.KeyName), subnetID: str(in.SubnetId),
			sgIDs: in.SecurityGroupIds, sgNames: in.SecurityGroups, market: in.InstanceMarketOptions, tags: tags}
		if len(in.NetworkInterfaces) > 0 {
			if q.subnetID == "" {
				q.subnetID = str(in.NetworkInterfaces[0].SubnetId)
			}
			q.sgIDs = append(q.sgIDs, in.NetworkInterfaces[0].Groups...)
		}
		if lt := in.LaunchTemplate; lt != nil {
			if q.tpl, err = r.findTemplate(str(lt.LaunchTemplateId), str(lt.LaunchTemplateName), str(lt.Version)); err != nil {
				return nil, err
			}
			q.tplVersion = str(lt.Version)
			_ = q.applyTemplate()
		}
		spec, err := r.resolve(q)
		if err != nil {
			return nil, err
		}
		free := int32(spec.subnet.size) - int32(len(spec.subnet.used))
		if free < minC {
			return nil, apiError("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '%s' to satisfy the requested number of instances.", spec.subnet.id)
		}
		userData, err := decodeUserData(str(in.UserData))
		if err != nil {
			return nil, err
		}
		n := min(maxC, free)
		res := "r-" + r.w.hexID(17)
		for i := int32(0); i < n; i++ {
			var x *instance
			if spec.spot != nil {
				sr := r.newSpotRequest(spec, tags[ec2types.ResourceTypeSpotInstancesRequest])
				x, _ = r.fulfil(sr, tags[ec2types.ResourceTypeInstance], res, i, token)
			} else {
				x = r.startInstance(spec, tags[ec2types.ResourceTypeInstance], res, i, token)
			}
			if x != nil {
				x.userData = userData
			}
		}
		if token != "" {
			s.tokens[token] = res
		}
		return r.reservationOut(res), nil
	})
}

// reservationOut describes a reservation's instances (RunInstances' answer).
func (r *region) reservationOut(res string) *ec2.RunInstancesOutput {
	out := &ec2.RunInstancesOutput{ReservationId: ptr(res), OwnerId: ptr(r.account), Groups: []ec2types.GroupIdentifier{}}
	for _, in := range ec2State(r).order {
		if in.reservation == res {
			out.Instances = append(out.Instances, r.instanceOut(in))
		}
	}
	return out
}

func (r *region) instanceOut(in *instance) ec2types.Instance {
	dnsSuffix := ".ec2.internal"
	if r.name != "us-east-1" {
		dnsSuffix = "." + r.name + ".compute.internal"
	}
	out := ec2types.Instance{
		InstanceId: ptr(in.id), ImageId: ptr(in.spec.image), InstanceType: ec2types.InstanceType(in.spec.itype),
		KeyName: optStr(in.spec.key), LaunchTime: ptr(in.launched), AmiLaunchIndex: ptr(in.index),
		State:                 &ec2types.InstanceState{Code: ptr(stateCode(in.state)), Name: in.state},
		StateTransitionReason: ptr(in.reason), StateReason: in.stateReason,
		Placement:    &ec2types.Placement{AvailabilityZone: ptr(in.spec.subnet.az), Tenancy: ec2types.TenancyDefault, GroupName: ptr("")},
		Architecture: ec2types.ArchitectureValuesX8664, RootDeviceType: ec2types.DeviceTypeEbs, RootDeviceName: ptr("/dev/xvda"),
		VirtualizationType: ec2types.VirtualizationTypeHvm, Hypervisor: ec2types.HypervisorTypeXen, EnaSupport: ptr(true),
		PlatformDetails: ptr("Linux/UNIX"), UsageOperation: ptr("RunInstances"), EbsOptimized: ptr(false),
		Monitoring:  &ec2types.Monitoring{State: ec2types.MonitoringStateDisabled},
		ClientToken: optStr(in.token), Tags: ec2Tags(in.tags), SourceDestCheck: ptr(true),
	}
	if in.state != ec2types.InstanceStateNameTerminated {
		out.SubnetId, out.VpcId = ptr(in.spec.subnet.id), ptr(in.spec.subnet.vpc.id)
		out.PrivateIpAddress = optStr(in.ip)
		if in.ip != "" {
			out.PrivateDnsName = ptr("ip-" + strings.ReplaceAll(in.ip, ".", "-") + dnsSuffix)
		}
		for _, id := range in.spec.sgs {
			g := ec2types.GroupIdentifier{GroupId: ptr(id)}
			if sg := r.sgs[id]; sg != nil {
				g.GroupName = ptr(sg.name)
			}
			out.SecurityGroups = append(out.SecurityGroups, g)
		}
		out.NetworkInterfaces = []ec2types.InstanceNetworkInterface{{NetworkInterfaceId: ptr(r.instanceENIID(in)), OwnerId: ptr(r.account),
			PrivateIpAddress: optStr(in.ip), SubnetId: ptr(in.spec.subnet.id), VpcId: ptr(in.spec.subnet.vpc.id),
			Status: ec2types.NetworkInterfaceStatusInUse, Groups: out.SecurityGroups,
			Attachment: &ec2types.InstanceNetworkInterfaceAttachment{AttachTime: ptr(in.firstLaunch), DeviceIndex: ptr(int32(0)),
				Status: ec2types.AttachmentStatusAttached, DeleteOnTermination: ptr(true)}}}
	} else {
		out.PrivateDnsName = ptr("")
	}
	if in.spot != nil {
		out.InstanceLifecycle = ec2types.InstanceLifecycleTypeSpot
		out.SpotInstanceRequestId = ptr(in.spot.id)
	}
	return out
}

// instanceAttr is an instance's value for a DescribeInstances filter.
func (r *region) instanceAttr(in *instance, name string) ([]string, bool) {
	switch name {
	case "instance-id":
		return []string{in.id}, true
	case "instance-state-name":
		return []string{string(in.state)}, true
	case "instance-state-code":
		return []string{strconv.Itoa(int(stateCode(in.state)))}, true
	case "instance-type":
		return []string{in.spec.itype}, true
	case "image-id":
		return []string{in.spec.image}, true
	case "key-name":
		return []string{in.spec.key}, true
	case "reservation-id":
		return []string{in.reservation}, true
	case "subnet-id":
		return []string{in.spec.subnet.id}, true
	case "vpc-id":
		return []string{in.spec.subnet.vpc.id}, true
	case "availability-zone":
		return []string{in.spec.subnet.az}, true
	case "private-ip-address":
		return []string{in.ip}, true
	case "instance-lifecycle":
		if in.spot != nil {
			return []string{"spot"}, true
		}
		return nil, true
	case "spot-instance-request-id":
		if in.spot != nil {
			return []string{in.spot.id}, true
		}
		return nil, true
	case "instance.group-id", "group-id":
		return in.spec.sgs, true
	case "instance.group-name", "group-name":
		var names []string
		for _, id := range in.spec.sgs {
			if sg := r.sgs[id]; sg != nil {
				names = append(names, sg.name)
			}
		}
		return names, true
	case "owner-id":
		return []string{r.account}, true
	}
	return tagAttr(in.tags, name)
}

// checkIDs reports the first malformed id and then the unknown ones, as EC2's
// describe and mutate calls do.
func checkIDs(ids []string, re *regexp.Regexp, known func(string) bool, malformed, notFound, what string) error {
	var missing []string
	for _, id := range ids {
		if !re.MatchString(id) {
			return apiError(malformed, "Invalid id: \"%s\"", id)
		}
		if !known(id) {
			missing = append(missing, id)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return apiError(notFound, "The %s ID '%s' does not exist", what, missing[0])
	}
	return apiError(notFound, "The %s IDs '%s' do not exist", what, strings.Join(missing, ", "))
}

// DescribeInstances lists instances by id and filters, grouped in reservations,
// paged by MaxResults (5–1000 instances, not with InstanceIds).
func (c *ec2Client) DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeInstances", in, func(r *region) (*ec2.DescribeInstancesOutput, error) {
		if in == nil {
			in = &ec2.DescribeInstancesInput{}
		}
		s := ec2State(r)
		if err := checkIDs(in.InstanceIds, instanceIDRE, func(id string) bool { return s.instances[id] != nil },
			"InvalidInstanceID.Malformed", "InvalidInstanceID.NotFound", "instance"); err != nil {
			return nil, err
		}
		max := int(i32(in.MaxResults, 1000))
		if in.MaxResults != nil {
			if len(in.InstanceIds) > 0 {
				return nil, apiError("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
			}
			if max < 5 || max > 1000 {
				return nil, apiError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.", max)
			}
		}
		start, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, apiError("InvalidPaginationToken", "The pagination token is invalid")
		}
		out := &ec2.DescribeInstancesOutput{}
		n := 0
		filters := filterSet(in.Filters).compile()
		for i := start; i < len(s.order); i++ {
			x := s.order[i]
			if len(in.InstanceIds) > 0 && !contains(in.InstanceIds, x.id) {
				continue
			}
			ok, err := filters.match(func(name string) ([]string, bool) { return r.instanceAttr(x, name) })
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if n == max {
				out.NextToken = intToken(i)
				break
			}
			n++
			if k := len(out.Reservations); k == 0 || str(out.Reservations[k-1].ReservationId) != x.reservation {
				out.Reservations = append(out.Reservations, ec2types.Reservation{ReservationId: ptr(x.reservation), OwnerId: ptr(r.account), Groups: []ec2types.GroupIdentifier{}})
			}
			res := &out.Reservations[len(out.Reservations)-1]
			res.Instances = append(res.Instances, r.instanceOut(x))
		}
		return out, nil
	})
}

// TerminateInstances starts the shutdown of instances: shutting-down now,
// terminated in 30–60 s. Terminating a terminated instance is a no-op.
func (c *ec2Client) TerminateInstances(ctx context.Context, in *ec2.TerminateInstancesInput, _ ...func(*ec2.Options)) (*ec2.TerminateInstancesOutput, error) {
	return do(ctx, c.base, "ec2", "TerminateInstances", in, func(r *region) (*ec2.TerminateInstancesOutput, error) {
		if in == nil || len(in.InstanceIds) == 0 {
			return nil, apiError("MissingParameter", "The request must contain the parameter InstanceId")
		}
		s := ec2State(r)
		if err := checkIDs(in.InstanceIds, instanceIDRE, func(id string) bool { return s.instances[id] != nil },
			"InvalidInstanceID.Malformed", "InvalidInstanceID.NotFound", "instance"); err != nil {
			return nil, err
		}
		out := &ec2.TerminateInstancesOutput{}
		for _, id := range in.InstanceIds {
			x := s.instances[id]
			prev := x.state
			r.terminate(x)
			out.TerminatingInstances = append(out.TerminatingInstances, ec2types.InstanceStateChange{InstanceId: ptr(id),
				PreviousState: &ec2types.InstanceState{Code: ptr(stateCode(prev)), Name: prev},
				CurrentState:  &ec2types.InstanceState{Code: ptr(stateCode(x.state)), Name: x.state}})
		}
		return out, nil
	})
}

// CreateLaunchTemplate creates a template (version 1); a name in use is
// InvalidLaunchTemplateName.AlreadyExistsException.
func (c *ec2Client) CreateLaunchTemplate(ctx context.Context, in *ec2.CreateLaunchTemplateInput, _ ...func(*ec2.Options)) (*ec2.CreateLaunchTemplateOutput, error) {
	return do(ctx, c.base, "ec2", "CreateLaunchTemplate", in, func(r *region) (*ec2.CreateLaunchTemplateOutput, error) {
		if in == nil {
			in = &ec2.CreateLaunchTemplateInput{}
		}
		name := str(in.LaunchTemplateName)
		if name == "" {
			return nil, apiError("MissingParameter", "The request must contain the parameter LaunchTemplateName")
		}
		if !ltNameRE.MatchString(name) {
			return nil, apiError("InvalidLaunchTemplateName.MalformedException", "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'")
		}
		if in.LaunchTemplateData == nil {
			return nil, apiError("MissingParameter", "The request must contain the parameter LaunchTemplateData")
		}
		tags, err := tagsFromSpecs(in.TagSpecifications, ec2types.ResourceTypeLaunchTemplate)
		if err != nil {
			return nil, err
		}
		for _, ts := range in.LaunchTemplateData.TagSpecifications {
			switch ts.ResourceType {
			case ec2types.ResourceTypeInstance, ec2types.ResourceTypeVolume, ec2types.ResourceTypeNetworkInterface, ec2types.ResourceTypeSpotInstancesRequest:
			default:
				return nil, apiError("InvalidParameterValue", "'%s' is not a valid taggable resource type for this operation.", ts.ResourceType)
			}
		}
		if d := in.LaunchTemplateData; d.InstanceType != "" && !instanceTypeRE.MatchString(string(d.InstanceType)) {
			return nil, apiError("InvalidParameterValue", "Invalid value '%s' for InstanceType.", d.InstanceType)
		}
		s := ec2State(r)
		for _, t := range s.tplOrder {
			if !t.dead && t.name == name {
				return nil, apiError("InvalidLaunchTemplateName.AlreadyExistsException", "Launch template name already in use.")
			}
		}
		lt := &launchTemplate{id: "lt-" + r.w.hexID(17), name: name, desc: str(in.VersionDescription), created: r.w.now, data: cloneJSON(*in.LaunchTemplateData)}
		lt.tags = tags[ec2types.ResourceTypeLaunchTemplate].clone()
		s.templates[lt.id] = lt
		s.tplOrder = append(s.tplOrder, lt)
		r.addTaggable(&lt.tagged, r.arn("ec2", "launch-template/"+lt.id), "ec2:launch-template")
		return &ec2.CreateLaunchTemplateOutput{LaunchTemplate: r.templateOut(lt)}, nil
	})
}

func (r *region) templateOut(lt *launchTemplate) *ec2types.LaunchTemplate {
	return &ec2types.LaunchTemplate{LaunchTemplateId: ptr(lt.id), LaunchTemplateName: ptr(lt.name), CreateTime: ptr(lt.created),
		CreatedBy: ptr("arn:aws:iam::" + r.account + ":root"), DefaultVersionNumber: ptr(int64(1)), LatestVersionNumber: ptr(int64(1)),
		Tags: ec2Tags(lt.tags)}
}

// DescribeLaunchTemplates lists templates by id, name and filters
// (launch-template-name, tag:<key>, tag-key), paged by MaxResults (1–200).
func (c *ec2Client) DescribeLaunchTemplates(ctx context.Context, in *ec2.DescribeLaunchTemplatesInput, _ ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplatesOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeLaunchTemplates", in, func(r *region) (*ec2.DescribeLaunchTemplatesOutput, error) {
		if in == nil {
			in = &ec2.DescribeLaunchTemplatesInput{}
		}
		for _, id := range in.LaunchTemplateIds {
			if _, err := r.findTemplate(id, "", ""); err != nil {
				return nil, err
			}
		}
		for _, name := range in.LaunchTemplateNames {
			if _, err := r.findTemplate("", name, ""); err != nil {
				return nil, apiError("InvalidLaunchTemplateName.NotFoundException", "At least one of the launch templates specified in the request does not exist.")
			}
		}
		max := int(i32(in.MaxResults, 200))
		if in.MaxResults != nil {
			if len(in.LaunchTemplateIds) > 0 || len(in.LaunchTemplateNames) > 0 {
				return nil, apiError("InvalidParameterCombination", "The parameter LaunchTemplateIds or LaunchTemplateNames cannot be used with the parameter MaxResults")
			}
			if max < 1 || max > 200 {
				return nil, apiError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Parameter must be between 1 and 200.", max)
			}
		}
		start, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, apiError("InvalidPaginationToken", "The pagination token is invalid")
		}
		s := ec2State(r)
		out := &ec2.DescribeLaunchTemplatesOutput{}
		for i := start; i < len(s.tplOrder); i++ {
			lt := s.tplOrder[i]
			if lt.dead || (len(in.LaunchTemplateIds) > 0 && !contains(in.LaunchTemplateIds, lt.id)) ||
				(len(in.LaunchTemplateNames) > 0 && !contains(in.LaunchTemplateNames, lt.name)) {
				continue
			}
			ok, err := filterSet(in.Filters).match(func(name string) ([]string, bool) {
				switch name {
				case "launch-template-name":
					return []string{lt.name}, true
				case "create-time":
					return []string{lt.created.UTC().Format(time.RFC3339)}, true
				}
				return tagAttr(lt.tags, name)
			})
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if len(out.LaunchTemplates) == max {
				out.NextToken = intToken(i)
				break
			}
			out.LaunchTemplates = append(out.LaunchTemplates, *r.templateOut(lt))
		}
		return out, nil
	})
}

// DeleteLaunchTemplate deletes a template (all its versions) by id or name.
func (c *ec2Client) DeleteLaunchTemplate(ctx context.Context, in *ec2.DeleteLaunchTemplateInput, _ ...func(*ec2.Options)) (*ec2.DeleteLaunchTemplateOutput, error) {
	return do(ctx, c.base, "ec2", "DeleteLaunchTemplate", in, func(r *region) (*ec2.DeleteLaunchTemplateOutput, error) {
		if in == nil {
			in = &ec2.DeleteLaunchTemplateInput{}
		}
		lt, err := r.findTemplate(str(in.LaunchTemplateId), str(in.LaunchTemplateName), "")
		if err != nil {
			return nil, err
		}
		lt.dead = true
		s := ec2State(r)
		delete(s.templates, lt.id)
		s.tplOrder = compact(s.tplOrder, func(t *launchTemplate) bool { return !t.dead })
		return &ec2.DeleteLaunchTemplateOutput{LaunchTemplate: r.templateOut(lt)}, nil
	})
}

func (r *region) spotOut(sr *spotRequest) ec2types.SpotInstanceRequest {
	spec := &ec2types.LaunchSpecification{ImageId: ptr(sr.spec.image), InstanceType: ec2types.InstanceType(sr.spec.itype),
		KeyName: optStr(sr.spec.key), SubnetId: ptr(sr.spec.subnet.id), Placement: &ec2types.SpotPlacement{AvailabilityZone: ptr(sr.spec.subnet.az)},
		Monitoring: &ec2types.RunInstancesMonitoringEnabled{Enabled: ptr(false)}}
	for _, id := range sr.spec.sgs {
		g := ec2types.GroupIdentifier{GroupId: ptr(id)}
		if sg := r.sgs[id]; sg != nil {
			g.GroupName = ptr(sg.name)
		}
		spec.SecurityGroups = append(spec.SecurityGroups, g)
	}
	out := ec2types.SpotInstanceRequest{SpotInstanceRequestId: ptr(sr.id), State: sr.state, Type: sr.opts.typ,
		InstanceInterruptionBehavior: sr.opts.behavior, SpotPrice: ptr(sr.opts.maxPrice), CreateTime: ptr(sr.created),
		ProductDescription: ec2types.RIProductDescription("Linux/UNIX"), LaunchSpecification: spec,
		Status: &ec2types.SpotInstanceStatus{Code: ptr(sr.code), Message: ptr(sr.msg), UpdateTime: ptr(sr.updated)},
		Tags:   ec2Tags(sr.tags)}
	if sr.inst != nil {
		out.InstanceId = ptr(sr.inst.id)
		out.LaunchedAvailabilityZone = ptr(sr.inst.spec.subnet.az)
		out.LaunchedAvailabilityZoneId = ptr(sr.inst.spec.subnet.azID)
	}
	return out
}

// DescribeSpotInstanceRequests lists requests by id and filters (state,
// status-code, instance-id, type, spot-instance-request-id, launch.instance-type,
// tag:<key>, tag-key), paged by MaxResults (5–1000).
func (c *ec2Client) DescribeSpotInstanceRequests(ctx context.Context, in *ec2.DescribeSpotInstanceRequestsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSpotInstanceRequestsOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeSpotInstanceRequests", in, func(r *region) (*ec2.DescribeSpotInstanceRequestsOutput, error) {
		if in == nil {
			in = &ec2.DescribeSpotInstanceRequestsInput{}
		}
		s := ec2State(r)
		if err := checkIDs(in.SpotInstanceRequestIds, spotIDRE, func(id string) bool { return s.spots[id] != nil },
			"InvalidSpotInstanceRequestID.Malformed", "InvalidSpotInstanceRequestID.NotFound", "spot instance request"); err != nil {
			return nil, err
		}
		max := int(i32(in.MaxResults, 1000))
		if in.MaxResults != nil && (max < 5 || max > 1000) {
			return nil, apiError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.", max)
		}
		start, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, apiError("InvalidPaginationToken", "The pagination token is invalid")
		}
		out := &ec2.DescribeSpotInstanceRequestsOutput{}
		filters := filterSet(in.Filters).compile()
		for i := start; i < len(s.spotOrder); i++ {
			sr := s.spotOrder[i]
			if len(in.SpotInstanceRequestIds) > 0 && !contains(in.SpotInstanceRequestIds, sr.id) {
				continue
			}
			ok, err := filters.match(func(name string) ([]string, bool) {
				switch name {
				case "spot-instance-request-id":
					return []string{sr.id}, true
				case "state":
					return []string{string(sr.state)}, true
				case "status-code":
					return []string{sr.code}, true
				case "type":
					return []string{string(sr.opts.typ)}, true
				case "instance-id":
					if sr.inst != nil {
						return []string{sr.inst.id}, true
					}
					return nil, true
				case "launch.instance-type":
					return []string{sr.spec.itype}, true
				case "launch.image-id":
					return []string{sr.spec.image}, true
				case "product-description":
					return []string{"Linux/UNIX"}, true
				}
				return tagAttr(sr.tags, name)
			})
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if len(out.SpotInstanceRequests) == max {
				out.NextToken = intToken(i)
				break
			}
			out.SpotInstanceRequests = append(out.SpotInstanceRequests, r.spotOut(sr))
		}
		return out, nil
	})
}

// CancelSpotInstanceRequests cancels requests; their instances keep running.
func (c *ec2Client) CancelSpotInstanceRequests(ctx context.Context, in *ec2.CancelSpotInstanceRequestsInput, _ ...func(*ec2.Options)) (*ec2.CancelSpotInstanceRequestsOutput, error) {
	return do(ctx, c.base, "ec2", "CancelSpotInstanceRequests", in, func(r *region) (*ec2.CancelSpotInstanceRequestsOutput, error) {
		if in == nil || len(in.SpotInstanceRequestIds) == 0 {
			return nil, apiError("MissingParameter", "The request must contain the parameter SpotInstanceRequestId")
		}
		s := ec2State(r)
		if err := checkIDs(in.SpotInstanceRequestIds, spotIDRE, func(id string) bool { return s.spots[id] != nil },
			"InvalidSpotInstanceRequestID.Malformed", "InvalidSpotInstanceRequestID.NotFound", "spot instance request"); err != nil {
			return nil, err
		}
		out := &ec2.CancelSpotInstanceRequestsOutput{}
		for _, id := range in.SpotInstanceRequestIds {
			sr := s.spots[id]
			switch sr.state {
			case ec2types.SpotInstanceStateActive, ec2types.SpotInstanceStateDisabled:
				if sr.inst != nil && sr.inst.state != ec2types.InstanceStateNameTerminated {
					sr.setStatus(ec2types.SpotInstanceStateCancelled, "request-canceled-and-instance-running", "Spot Instance request is canceled, but the Spot Instance is still running.", r.w.now)
				} else {
					sr.setStatus(ec2types.SpotInstanceStateCancelled, "canceled-before-fulfillment", "Your Spot request was canceled before it was fulfilled.", r.w.now)
				}
			case ec2types.SpotInstanceStateOpen:
				sr.relaunchAt = time.Time{}
				if sr.inst != nil && sr.inst.state != ec2types.InstanceStateNameTerminated {
					// a persistent request reopened by an interruption notice: its instance still runs
					sr.setStatus(ec2types.SpotInstanceStateCancelled, "request-canceled-and-instance-running", "Spot Instance request is canceled, but the Spot Instance is still running.", r.w.now)
				} else {
					sr.setStatus(ec2types.SpotInstanceStateCancelled, "canceled-before-fulfillment", "Your Spot request was canceled before it was fulfilled.", r.w.now)
				}
			}
			out.CancelledSpotInstanceRequests = append(out.CancelledSpotInstanceRequests, ec2types.CancelledSpotInstanceRequest{
				SpotInstanceRequestId: ptr(id), State: ec2types.CancelSpotInstanceRequestState(sr.state)})
		}
		return out, nil
	})
}

// String makes an instance readable in test failures.
func (in *instance) String() string { return fmt.Sprintf("%s(%s)", in.id, in.state) }

// decodeUserData decodes RunInstances' base64 UserData (16 KB at most, as AWS).
func decodeUserData(b64 string) (string, error) {
	if b64 == "" {
		return "", nil
	}
	if len(b64) > 21848 { // 16 KB once decoded
		return "", apiError("InvalidParameterValue", "User data is limited to 16384 bytes")
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", apiError("InvalidParameterValue", "Invalid BASE64 encoding of user data.")
	}
	return string(b), nil
}

var (
	webServerRE = regexp.MustCompile(`\b(httpd|nginx|apache2|http\.server|SimpleHTTPServer)\b`)
	helloRE     = regexp.MustCompile(`Hello from [^"'<>\r\n]{1,64}`)
)

// instanceServes reports whether in answers HTTP on port now, and the page it
// serves: a running instance whose user data starts a web server answers on 80
// (and on 8000 for python's http.server) with the text its user data writes.
func instanceServes(in *instance, port int32) (string, bool) {
	if in == nil || in.state != ec2types.InstanceStateNameRunning {
		return "", false
	}
	if in.served == nil || in.served.userData != in.userData {
		in.served = readUserData(in.userData)
	}
	if in.served.port == 0 || port != in.served.port {
		return "", false
	}
	return in.served.page, true
}

// servedBy is what an instance's user data serves: the port (0 for nothing)
// and the page. Health checks ask it every interval, so it is read from the
// user data once, not by two regular expressions per check.
type servedBy struct {
	userData string
	port     int32
	page     string
}

func readUserData(ud string) *servedBy {
	s := &servedBy{userData: ud}
	m := webServerRE.FindString(ud)
	if m == "" {
		return s
	}
	s.port = 80
	if m == "http.server" || m == "SimpleHTTPServer" {
		s.port = 8000
		if strings.Contains(ud, "http.server 80") || strings.Contains(ud, "SimpleHTTPServer 80") {
			s.port = 80
		}
	}
	s.page = "It works!"
	if page := helloRE.FindString(ud); page != "" {
		s.page = strings.TrimSpace(page)
	}
	return s
}

// instanceStateChange is one entry of StopInstances' and StartInstances' answer.
func instanceStateChange(id string, prev, cur ec2types.InstanceStateName) ec2types.InstanceStateChange {
	return ec2types.InstanceStateChange{InstanceId: ptr(id),
		PreviousState: &ec2types.InstanceState{Code: ptr(stateCode(prev)), Name: prev},
		CurrentState:  &ec2types.InstanceState{Code: ptr(stateCode(cur)), Name: cur}}
}

// StopInstances stops running instances: stopping now, stopped 15–30 s later.
// Force is accepted and changes nothing; Hibernate is not modelled.
func (c *ec2Client) StopInstances(ctx context.Context, in *ec2.StopInstancesInput, _ ...func(*ec2.Options)) (*ec2.StopInstancesOutput, error) {
	return do(ctx, c.base, "ec2", "StopInstances", in, func(r *region) (*ec2.StopInstancesOutput, error) {
		if in == nil || len(in.InstanceIds) == 0 {
			return nil, apiError("MissingParameter", "The request must contain the parameter InstanceId")
		}
		if in.Hibernate != nil && *in.Hibernate {
			return nil, apiError("UnsupportedHibernationConfiguration", "The instance is not enabled for hibernation.")
		}
		s := ec2State(r)
		if err := checkIDs(in.InstanceIds, instanceIDRE, func(id string) bool { return s.instances[id] != nil },
			"InvalidInstanceID.Malformed", "InvalidInstanceID.NotFound", "instance"); err != nil {
			return nil, err
		}
		for _, id := range in.InstanceIds {
			x := s.instances[id]
			switch {
			case x.spot != nil:
				return nil, apiError("UnsupportedOperation", "The instance '%s' is a spot instance and cannot be stopped.", id)
			case x.state == ec2types.InstanceStateNameShuttingDown || x.state == ec2types.InstanceStateNameTerminated:
				return nil, apiError("IncorrectInstanceState", "This instance '%s' is not in a state from which it can be stopped.", id)
			}
		}
		out := &ec2.StopInstancesOutput{}
		now := r.w.now
		for _, id := range in.InstanceIds {
			x := s.instances[id]
			prev := x.state
			if prev == ec2types.InstanceStateNamePending || prev == ec2types.InstanceStateNameRunning {
				x.state = ec2types.InstanceStateNameStopping
				x.changeAt = now.Add(r.w.jitter(instanceStopping, instanceStopping))
				x.reason = "User initiated (" + now.UTC().Format("2006-01-02 15:04:05 MST") + ")"
				x.stateReason = &ec2types.StateReason{Code: ptr("Client.UserInitiatedShutdown"), Message: ptr("Client.UserInitiatedShutdown: User initiated shutdown")}
				if !containsInst(s.busy, x) {
					s.busy = append(s.busy, x)
				}
			}
			out.StoppingInstances = append(out.StoppingInstances, instanceStateChange(id, prev, x.state))
		}
		return out, nil
	})
}

// StartInstances starts stopped instances: pending now, running 15–30 s later.
func (c *ec2Client) StartInstances(ctx context.Context, in *ec2.StartInstancesInput, _ ...func(*ec2.Options)) (*ec2.StartInstancesOutput, error) {
	return do(ctx, c.base, "ec2", "StartInstances", in, func(r *region) (*ec2.StartInstancesOutput, error) {
		if in == nil || len(in.InstanceIds) == 0 {
			return nil, apiError("MissingParameter", "The request must contain the parameter InstanceId")
		}
		s := ec2State(r)
		if err := checkIDs(in.InstanceIds, instanceIDRE, func(id string) bool { return s.instances[id] != nil },
			"InvalidInstanceID.Malformed", "InvalidInstanceID.NotFound", "instance"); err != nil {
			return nil, err
		}
		for _, id := range in.InstanceIds {
			switch s.instances[id].state {
			case ec2types.InstanceStateNameStopping, ec2types.InstanceStateNameShuttingDown, ec2types.InstanceStateNameTerminated:
				return nil, apiError("IncorrectInstanceState", "The instance '%s' is not in a state from which it can be started.", id)
			}
		}
		out := &ec2.StartInstancesOutput{}
		for _, id := range in.InstanceIds {
			x := s.instances[id]
			prev := x.state
			if prev == ec2types.InstanceStateNameStopped {
				x.state, x.launched = ec2types.InstanceStateNamePending, r.w.now
				x.changeAt = r.w.now.Add(r.w.jitter(instancePending, instancePending))
				x.reason, x.stateReason = "", nil
				if !containsInst(s.busy, x) {
					s.busy = append(s.busy, x)
				}
			}
			out.StartingInstances = append(out.StartingInstances, instanceStateChange(id, prev, x.state))
		}
		return out, nil
	})
}

// terminateNow terminates in at once, as a CloudFormation stack deletion sees
// it (CloudFormation waits for the termination before it deletes the security
// groups the instance uses).
func (r *region) terminateNow(in *instance) {
	if in.state == ec2types.InstanceStateNameTerminated {
		return
	}
	r.terminate(in)
	now := r.w.now
	in.state, in.terminatedAt = ec2types.InstanceStateNameTerminated, now
	r.useSGs(in.spec.sgs, -1)
	r.freeIP(in.spec.subnet, in.ip)
	in.dead = true
	r.spotInstanceEnded(in, now)
}

// simAL2023AMI is the simulator's AL2023 image: what AWS's public AL2023 SSM
// parameters resolve to here.
const simAL2023AMI = "ami-0c02fb55956c7d316"

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::EC2::Instance", cfnInstance)
}

// cfnInstance creates an AWS::EC2::Instance for a stack.
func cfnInstance(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	image := propStr(p, "ImageId")
	if strings.HasPrefix(image, "{{resolve:ssm:") {
		image = simAL2023AMI
	}
	q := &launchRequest{image: image, itype: propStr(p, "InstanceType"), key: propStr(p, "KeyName"), subnetID: propStr(p, "SubnetId"),
		sgIDs: propList(p, "SecurityGroupIds"), sgNames: propList(p, "SecurityGroups")}
	spec, err := r.resolve(q)
	if err != nil {
		return err
	}
	if uint32(len(spec.subnet.used)) >= spec.subnet.size {
		return fmt.Errorf("There are not enough free addresses in subnet '%s' to satisfy the requested number of instances.", spec.subnet.id)
	}
	userData, err := decodeUserData(propStr(p, "UserData"))
	if err != nil {
		return err
	}
	x := r.startInstance(spec, st.resourceTags(logical, propTags(p)), "r-"+r.w.hexID(17), 0, "")
	x.userData = userData
	rs.physical = x.id
	rs.attrs["PrivateIp"], rs.attrs["AvailabilityZone"], rs.attrs["InstanceId"] = x.ip, spec.subnet.az, x.id
	rs.attrs["PrivateDnsName"] = "ip-" + strings.ReplaceAll(x.ip, ".", "-") + ".ec2.internal"
	rs.del = func() error {
		r.terminateNow(x)
		return nil
	}
	return nil
}
