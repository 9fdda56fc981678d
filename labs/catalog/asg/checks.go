package asg

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs"
)

func checkpoints() []labs.Checkpoint {
	return []labs.Checkpoint{
		{ID: "launch-template", Title: "Create the launch template <prefix>lt: an AMI and an instance type, no Spot market options", Check: labs.Typed(checkTemplate)},
		{ID: "asg-config", Title: "Create the group <prefix>asg: min = max = desired = 4, On-Demand base 0, 50 % On-Demand above it, from <prefix>lt", Check: labs.Typed(checkGroup)},
		{ID: "mix-achieved", Title: "Run 4 InService instances: 2 On-Demand and 2 Spot", Check: labs.Typed(checkMix)},
		{ID: "spot-requests", Title: "See the 2 Spot requests active and fulfilled", Check: labs.Typed(checkSpotRequests)},
		{ID: "savings", Title: "Compare the Spot price with On-Demand (optional)", Optional: true, Check: labs.Typed(checkSavings)},
	}
}

func checkTemplate(o *Observation) labs.Result {
	t := o.Template
	if t == nil {
		return labs.Pendingf("no launch template named %s yet", ltName(o.Target))
	}
	name := fmt.Sprintf("%s (version %d)", ltName(o.Target), aws.ToInt64(t.VersionNumber))
	d := t.LaunchTemplateData
	if d == nil {
		return labs.Failf("%s has no launch template data", name)
	}
	var wrong []string
	if aws.ToString(d.ImageId) == "" {
		wrong = append(wrong, "ImageId is not set (use the stack's AL2023 image)")
	}
	if d.InstanceType == "" {
		wrong = append(wrong, "InstanceType is not set (t3.micro)")
	}
	if m := d.InstanceMarketOptions; m != nil {
		wrong = append(wrong, fmt.Sprintf("it sets InstanceMarketOptions (MarketType %s): a mixed instances group refuses a template that asks for Spot itself — leave the purchase option to the group", m.MarketType))
	}
	if len(wrong) > 0 {
		return labs.Failf("%s: %s", name, strings.Join(wrong, "; "))
	}
	return labs.Passf("%s: image %s, %s, no Spot market options", name, aws.ToString(d.ImageId), d.InstanceType)
}

// groupTemplate is the launch template the group launches from.
func groupTemplate(g *astypes.AutoScalingGroup) *astypes.LaunchTemplateSpecification {
	if m := g.MixedInstancesPolicy; m != nil && m.LaunchTemplate != nil {
		return m.LaunchTemplate.LaunchTemplateSpecification
	}
	return g.LaunchTemplate
}

func checkGroup(o *Observation) labs.Result {
	g := o.Group
	if g == nil {
		return labs.Pendingf("no Auto Scaling group named %s yet", groupName(o.Target))
	}
	name := groupName(o.Target)
	if st := aws.ToString(g.Status); st != "" {
		return labs.Failf("%s is %q: it is being deleted", name, st)
	}
	var wrong []string
	min, max, desired := aws.ToInt32(g.MinSize), aws.ToInt32(g.MaxSize), aws.ToInt32(g.DesiredCapacity)
	if min != wantSize || max != wantSize || desired != wantSize {
		wrong = append(wrong, fmt.Sprintf("min/max/desired are %d/%d/%d, want %d/%d/%d", min, max, desired, wantSize, wantSize, wantSize))
	}
	if lt := groupTemplate(g); lt == nil {
		wrong = append(wrong, "it has no launch template")
	} else if n := aws.ToString(lt.LaunchTemplateName); n != ltName(o.Target) {
		if n == "" {
			n = aws.ToString(lt.LaunchTemplateId)
		}
		wrong = append(wrong, fmt.Sprintf("it launches from %s, not %s", n, ltName(o.Target)))
	}
	if m := g.MixedInstancesPolicy; m == nil || m.InstancesDistribution == nil {
		wrong = append(wrong, "it has no MixedInstancesPolicy, so every instance is On-Demand (choose \"Combine purchase options and instance types\")")
	} else {
		d := m.InstancesDistribution
		if b := aws.ToInt32(d.OnDemandBaseCapacity); b != wantBase {
			wrong = append(wrong, fmt.Sprintf("OnDemandBaseCapacity is %d, want %d", b, wantBase))
		}
		if p := aws.ToInt32(d.OnDemandPercentageAboveBaseCapacity); p != wantPercentage {
			wrong = append(wrong, fmt.Sprintf("OnDemandPercentageAboveBaseCapacity is %d, want %d", p, wantPercentage))
		}
	}
	if len(wrong) > 0 {
		return labs.Failf("%s: %s", name, strings.Join(wrong, "; "))
	}
	return labs.Passf("%s: 4/4/4 from %s, On-Demand base %d and %d %% above it", name, ltName(o.Target), wantBase, wantPercentage)
}

// The states of a student's mix (mixState), for the checks, the badge and the class bar.
const (
	stateNone      = ""
	stateLaunching = "launching"
	stateWrong     = "wrong"
	stateReached   = "reached"
)

// mix is a group's instances as the lab counts them.
type mix struct {
	state                     string
	onDemand, spot, unknown   int // InService instances by lifecycle
	inService, pending, going int // by the group's LifecycleState
	noticed                   []string
}

// lifecycle is an instance's purchase option: "spot", "on-demand", or "" when its
// EC2 instance was not read.
func (o *Observation) lifecycle(id string) string {
	in, ok := o.Instances[id]
	switch {
	case !ok:
		return ""
	case in.InstanceLifecycle == ec2types.InstanceLifecycleTypeSpot:
		return lifecycleSpot
	}
	return lifecycleDemand
}

// noticed reports whether the Spot instance id has its interruption notice: its
// request says it is reclaimed while the instance still runs. For a terminate-on-
// interruption instance (every Auto Scaling group's) AWS sets the status to
// instance-terminated-no-capacity at once and the instance runs two more minutes
// (AWS's "Spot request status": "it is not set to marked-for-termination"); a
// stop one is marked-for-stop.
func (o *Observation) noticed(id string) bool {
	sr, ok := o.Spot[id]
	in, read := o.Instances[id]
	if !ok || !read || sr.Status == nil || in.State == nil ||
		in.State.Name != ec2types.InstanceStateNameRunning && in.State.Name != ec2types.InstanceStateNamePending {
		return false
	}
	return interruptionCode(aws.ToString(sr.Status.Code))
}

// interruptionCode reports whether a Spot request status code is one of Amazon
// EC2 reclaiming the instance (AWS's "Spot request status" table).
func interruptionCode(code string) bool {
	switch code {
	case "instance-terminated-no-capacity", "instance-terminated-by-price", "instance-terminated-launch-group-constraint",
		"marked-for-termination", "marked-for-stop":
		return true
	}
	return false
}

func (o *Observation) mixState() mix {
	var m mix
	g := o.Group
	if g == nil || aws.ToString(g.Status) != "" {
		return m
	}
	for _, x := range g.Instances {
		id := aws.ToString(x.InstanceId)
		switch {
		case x.LifecycleState == astypes.LifecycleStateInService:
			m.inService++
			switch o.lifecycle(id) {
			case lifecycleSpot:
				m.spot++
			case lifecycleDemand:
				m.onDemand++
			default:
				m.unknown++
			}
			if o.noticed(id) {
				m.noticed = append(m.noticed, id)
			}
		case strings.HasPrefix(string(x.LifecycleState), "Pending"):
			m.pending++
		default:
			m.going++
		}
	}
	switch {
	case m.inService == wantSize && m.unknown == 0 && m.onDemand == wantOnDemand && m.spot == wantSpot:
		m.state = stateReached
	case m.inService == int(aws.ToInt32(g.DesiredCapacity)) && m.pending == 0 && m.unknown == 0 && m.inService > 0:
		m.state = stateWrong
	default:
		m.state = stateLaunching
	}
	return m
}

func checkMix(o *Observation) labs.Result {
	g := o.Group
	if g == nil {
		return labs.Pendingf("no Auto Scaling group yet")
	}
	m := o.mixState()
	if m.state == stateNone {
		return labs.Failf("%s is being deleted", groupName(o.Target))
	}
	counts := fmt.Sprintf("%d On-Demand + %d Spot InService", m.onDemand, m.spot)
	switch {
	case m.state == stateReached:
		return labs.Passf("%s: 2 On-Demand + 2 Spot, all InService", groupName(o.Target))
	case m.unknown > 0:
		return labs.Pendingf("%s; %s not read from EC2 yet", counts, labs.Plural(m.unknown, "instance", "instances"))
	case m.state == stateLaunching:
		why := fmt.Sprintf("%d of %d InService", m.inService, wantSize)
		if m.pending > 0 {
			why += fmt.Sprintf(", %d launching", m.pending)
		}
		if m.going > 0 {
			why += fmt.Sprintf(", %d terminating (the group replaces it)", m.going)
		}
		return labs.Pendingf("%s (%s)", why, counts)
	}
	want := "the group wants 2 + 2"
	if d := distribution(g); d != "" {
		want = "the group is asked for " + d
	}
	if m.inService != wantSize {
		return labs.Failf("%d InService instances, want 4: %s (%s)", m.inService, counts, want)
	}
	return labs.Failf("%s, want 2 + 2: %s", counts, want)
}

// distribution says what the group's policy asks for ("OnDemandBaseCapacity 2,
// OnDemandPercentageAboveBaseCapacity 50 → 3 On-Demand + 1 Spot").
func distribution(g *astypes.AutoScalingGroup) string {
	n := int(aws.ToInt32(g.DesiredCapacity))
	m := g.MixedInstancesPolicy
	if m == nil || m.InstancesDistribution == nil {
		return fmt.Sprintf("no MixedInstancesPolicy → %d On-Demand + 0 Spot", n)
	}
	d := m.InstancesDistribution
	base, pct := int(aws.ToInt32(d.OnDemandBaseCapacity)), int(aws.ToInt32(d.OnDemandPercentageAboveBaseCapacity))
	od := onDemandOf(n, base, pct)
	return fmt.Sprintf("OnDemandBaseCapacity %d, OnDemandPercentageAboveBaseCapacity %d → %d On-Demand + %d Spot", base, pct, od, n-od)
}

// onDemandOf is how many of n instances a distribution makes On-Demand: the base,
// then pct percent of the rest, rounded up (EC2 Auto Scaling rounds in favour of
// On-Demand).
func onDemandOf(n, base, pct int) int {
	b := min(base, n)
	return b + ((n-b)*pct+99)/100
}

// groupSpot are the group's Spot instances that are not terminated, sorted.
func (o *Observation) groupSpot() []string {
	var out []string
	if o.Group == nil {
		return nil
	}
	for _, x := range o.Group.Instances {
		id := aws.ToString(x.InstanceId)
		if o.lifecycle(id) == lifecycleSpot {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

func checkSpotRequests(o *Observation) labs.Result {
	if o.Group == nil {
		return labs.Pendingf("no Auto Scaling group yet")
	}
	ids := o.groupSpot()
	if len(ids) == 0 {
		if m := o.mixState(); m.state == stateWrong {
			return labs.Failf("the group runs no Spot instances, so there are no Spot requests: %s", distribution(o.Group))
		}
		return labs.Pendingf("no Spot instances in the group yet")
	}
	good := 0
	var waiting, wrong []string
	for _, id := range ids {
		sr, ok := o.Spot[id]
		if !ok {
			waiting = append(waiting, id+": no Spot request read yet")
			continue
		}
		code := ""
		if sr.Status != nil {
			code = aws.ToString(sr.Status.Code)
		}
		desc := fmt.Sprintf("%s of %s is %s (%s)", aws.ToString(sr.SpotInstanceRequestId), id, sr.State, code)
		switch {
		case sr.State == ec2types.SpotInstanceStateActive && code == "fulfilled":
			good++
		case o.noticed(id):
			waiting = append(waiting, desc+": interruption notice, reclaimed within 2 minutes; the group then replaces it")
		case interruptionCode(code):
			waiting = append(waiting, desc+": reclaimed by Amazon EC2; the group replaces it")
		case code == "pending-evaluation" || code == "pending-fulfillment":
			waiting = append(waiting, desc)
		default:
			wrong = append(wrong, desc)
		}
	}
	switch {
	case good == wantSpot && len(ids) == wantSpot:
		return labs.Passf("2 Spot requests active and fulfilled: %s", strings.Join(requestIDs(o, ids), ", "))
	case len(wrong) > 0:
		return labs.Failf("%d of %d fulfilled; %s", good, wantSpot, strings.Join(wrong, "; "))
	case len(waiting) > 0:
		return labs.Pendingf("%d of %d fulfilled; %s", good, wantSpot, strings.Join(waiting, "; "))
	case len(ids) > wantSpot:
		return labs.Failf("%d Spot requests, want %d: %s", len(ids), wantSpot, distribution(o.Group))
	}
	return labs.Pendingf("%d of %d Spot requests fulfilled", good, wantSpot)
}

func requestIDs(o *Observation, ids []string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, aws.ToString(o.Spot[id].SpotInstanceRequestId))
	}
	return out
}

// onDemandHourly is the On-Demand Linux price per hour (USD) of the lab's types in
// us-east-1 (aws.amazon.com/ec2/pricing/on-demand); other regions differ by a
// few percent, so the savings say which figure they compare with.
func onDemandHourly(itype string) float64 {
	switch itype {
	case "t3.micro":
		return 0.0104
	case "t3a.micro":
		return 0.0094
	case "t2.micro":
		return 0.0116
	}
	return 0
}

// saving is one Spot instance's price against On-Demand.
type saving struct {
	instance, itype, az string
	spot, onDemand      float64
	at                  string
}

// savings pairs each Spot instance of the group with the newest Spot price of its
// type in its AZ; ok is false when a price is missing.
func (o *Observation) savings() (out []saving, ok bool) {
	ok = true
	for _, id := range o.groupSpot() {
		in := o.Instances[id]
		typ, az := string(in.InstanceType), ""
		if in.Placement != nil {
			az = aws.ToString(in.Placement.AvailabilityZone)
		}
		s := saving{instance: id, itype: typ, az: az, onDemand: onDemandHourly(typ)}
		found := false
		for _, p := range o.Prices { // newest first
			if string(p.InstanceType) == typ && aws.ToString(p.AvailabilityZone) == az {
				if f, err := strconv.ParseFloat(aws.ToString(p.SpotPrice), 64); err == nil {
					s.spot, found = f, true
					s.at = aws.ToTime(p.Timestamp).UTC().Format("15:04")
				}
				break
			}
		}
		if !found || s.onDemand == 0 {
			ok = false
		}
		out = append(out, s)
	}
	return out, ok
}

func checkSavings(o *Observation) labs.Result {
	if len(o.groupSpot()) == 0 {
		return labs.Pendingf("no Spot instances to compare yet")
	}
	if len(o.Prices) == 0 {
		return labs.Pendingf("no Spot price history read yet")
	}
	ss, ok := o.savings()
	var parts []string
	for _, s := range ss {
		if s.spot == 0 || s.onDemand == 0 {
			parts = append(parts, fmt.Sprintf("%s (%s in %s): no Spot price in the last hour", s.instance, s.itype, s.az))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s in %s: Spot $%.4f/h vs On-Demand $%.4f/h (%d %% less)", s.itype, s.az, s.spot, s.onDemand, percentLess(s.spot, s.onDemand)))
	}
	if !ok {
		return labs.Pendingf("%s", strings.Join(parts, "; "))
	}
	return labs.Passf("%s (On-Demand: us-east-1 list prices)", strings.Join(parts, "; "))
}

func percentLess(spot, od float64) int {
	if od <= 0 {
		return 0
	}
	return int((1 - spot/od) * 100)
}
