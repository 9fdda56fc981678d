package ga

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"

	"github.com/labdash/labdash/labs"
)

func checkpoints() []labs.Checkpoint {
	return []labs.Checkpoint{
		{ID: "origins", Title: "Both origins healthy", Check: labs.Typed(checkOrigins)},
		{ID: "accelerator", Title: "Create the accelerator", Check: labs.Typed(checkAccelerator)},
		{ID: "listener", Title: "Add the TCP/80 listener", Check: labs.Typed(checkListener)},
		{ID: "endpoint-groups", Title: "Endpoint groups in us-east-1 and eu-west-1", Check: labs.Typed(checkGroups)},
		{ID: "traffic", Title: "Browse to a static IP", Check: labs.Typed(checkTraffic)},
		{ID: "failover", Title: "Stop the nearest instance and watch failover", Check: labs.Typed(checkFailover)},
		{ID: "dns", Title: "(optional) A DNS name for the accelerator", Optional: true, Check: labs.Typed(checkDNS)},
		{ID: "recovery", Title: "Start it again and watch traffic return", Check: labs.Typed(checkRecovery)},
	}
}

// healthyTargets counts an origin's healthy targets.
func (or *Origin) healthyTargets() int {
	n := 0
	if or != nil {
		for _, t := range or.Targets {
			if t.TargetHealth != nil && t.TargetHealth.State == elbtypes.TargetHealthStateEnumHealthy {
				n++
			}
		}
	}
	return n
}

func (or *Origin) targetSummary() string {
	if or == nil || len(or.Targets) == 0 {
		return "no targets"
	}
	var s []string
	for _, t := range or.Targets {
		if t.TargetHealth != nil {
			s = append(s, string(t.TargetHealth.State))
		}
	}
	return fmt.Sprintf("%d/%d healthy (%s)", or.healthyTargets(), len(or.Targets), strings.Join(s, ", "))
}

// settling: no target is registered yet, or every target is still in its
// initial health checks (ELB's "initial" state), so nothing says the origin is
// wrong yet.
func (or *Origin) settling() bool {
	for _, t := range or.Targets {
		if t.TargetHealth == nil || t.TargetHealth.State != elbtypes.TargetHealthStateEnumInitial {
			return false
		}
	}
	return true
}

// originGrace is how long after its instance (re)starts an origin's targets may fail
// their health checks without that reading as the student's mistake: the web server
// is still being installed and started by the instance's user data.
const originGrace = 5 * time.Minute

// starting reports whether the origin's instance is still coming up at time at:
// pending, or running for less than originGrace.
func (or *Origin) starting(at time.Time) bool {
	if or == nil || or.Instance == nil {
		return false
	}
	switch or.instanceState() {
	case ec2types.InstanceStateNamePending:
		return true
	case ec2types.InstanceStateNameRunning:
		l := or.Instance.LaunchTime
		return l != nil && !at.IsZero() && !at.Before(*l) && at.Sub(*l) < originGrace
	}
	return false
}

func (or *Origin) instanceState() ec2types.InstanceStateName {
	if or == nil || or.Instance == nil || or.Instance.State == nil {
		return ""
	}
	return or.Instance.State.Name
}

// restarted reports whether the origin's instance was stopped and started: its
// LaunchTime moved past its network interface's AttachTime.
func (or *Origin) restarted() bool {
	if or == nil || or.Instance == nil || or.Instance.LaunchTime == nil || len(or.Instance.NetworkInterfaces) == 0 {
		return false
	}
	a := or.Instance.NetworkInterfaces[0].Attachment
	return a != nil && a.AttachTime != nil && or.Instance.LaunchTime.Sub(*a.AttachTime) > time.Minute
}

func checkOrigins(o *Observation) labs.Result {
	var ev []string
	for _, r := range Regions {
		or := o.Origins[r]
		if or == nil || or.TargetGroupArn == "" {
			return labs.Pendingf("no target group %s in %s yet", tgName(o.Target), r)
		}
		if or.healthyTargets() < 1 {
			if or.settling() || or.starting(o.At) { // not readable as a mistake yet: the stack is still bringing the instance up
				return labs.Pendingf("%s: %s: the instance is still starting and its health checks have not passed yet", r, or.targetSummary())
			}
			return labs.Failf("%s: %s", r, or.targetSummary())
		}
		ev = append(ev, r+": "+or.targetSummary())
	}
	return labs.Passf("%s", strings.Join(ev, "; "))
}

func (o *Observation) accName() string {
	if o.Accelerator == nil {
		return accName(o.Target)
	}
	return aws.ToString(o.Accelerator.Name)
}

func ips(a *gatypes.Accelerator) []string {
	if a == nil || len(a.IpSets) == 0 {
		return nil
	}
	return a.IpSets[0].IpAddresses
}

func checkAccelerator(o *Observation) labs.Result {
	a := o.Accelerator
	if a == nil {
		return labs.Pendingf("no accelerator tagged labdash:student=%s yet", o.Target.StudentID)
	}
	switch {
	case !aws.ToBool(a.Enabled):
		return labs.Failf("accelerator %s is disabled", o.accName())
	case a.Status != gatypes.AcceleratorStatusDeployed:
		return labs.Pendingf("accelerator %s is %s: AWS is still deploying it (minutes)", o.accName(), a.Status)
	case len(ips(a)) != 2:
		return labs.Failf("accelerator %s has %d static IPs, want 2", o.accName(), len(ips(a)))
	}
	return labs.Passf("accelerator %s is DEPLOYED with IPs %s", o.accName(), strings.Join(ips(a), ", "))
}

func portsString(l gatypes.Listener) string {
	var s []string
	for _, p := range l.PortRanges {
		s = append(s, fmt.Sprintf("%d-%d", aws.ToInt32(p.FromPort), aws.ToInt32(p.ToPort)))
	}
	return string(l.Protocol) + " " + strings.Join(s, ",")
}

func checkListener(o *Observation) labs.Result {
	if o.Accelerator == nil {
		return labs.Pendingf("no accelerator yet")
	}
	if len(o.Listeners) == 0 {
		return labs.Pendingf("accelerator %s has no listener yet", o.accName())
	}
	var seen []string
	for _, l := range o.Listeners {
		if l.Protocol == gatypes.ProtocolTcp && len(l.PortRanges) == 1 && aws.ToInt32(l.PortRanges[0].FromPort) == 80 && aws.ToInt32(l.PortRanges[0].ToPort) == 80 {
			return labs.Passf("listener TCP 80-80")
		}
		seen = append(seen, portsString(l))
	}
	return labs.Failf("listener is %s, want TCP 80-80", strings.Join(seen, "; "))
}

func checkGroups(o *Observation) labs.Result {
	if o.Accelerator == nil || len(o.Listeners) == 0 {
		return labs.Pendingf("no listener yet")
	}
	if len(o.Groups) == 0 {
		return labs.Pendingf("no endpoint groups yet")
	}
	found := map[string]bool{}
	for _, g := range o.Groups {
		r := aws.ToString(g.EndpointGroupRegion)
		if r != Regions[0] && r != Regions[1] {
			return labs.Failf("an endpoint group is in %s; the lab's ALBs are in %s and %s", r, Regions[0], Regions[1])
		}
		if len(g.EndpointDescriptions) == 0 {
			return labs.Failf("the %s group has no endpoint", r)
		}
		d := g.EndpointDescriptions[0]
		want := ""
		if or := o.Origins[r]; or != nil {
			want = or.LoadBalancerArn
		}
		if want != "" && aws.ToString(d.EndpointId) != want {
			return labs.Failf("the %s group's endpoint is %s, not the ALB %s", r, aws.ToString(d.EndpointId), want)
		}
		if d.HealthState == gatypes.HealthStateInitial { // Global Accelerator has not finished its first health checks
			return labs.Pendingf("the %s group's endpoint is %s (%s)", r, d.HealthState, aws.ToString(d.HealthReason))
		}
		if d.HealthState != gatypes.HealthStateHealthy {
			return labs.Failf("the %s group's endpoint is %s (%s)", r, d.HealthState, aws.ToString(d.HealthReason))
		}
		found[r] = true
	}
	if len(o.Groups) != 2 || !found[Regions[0]] || !found[Regions[1]] {
		return labs.Failf("%d endpoint groups, want one in %s and one in %s", len(o.Groups), Regions[0], Regions[1])
	}
	return labs.Passf("2 endpoint groups, both HEALTHY")
}

func checkTraffic(o *Observation) labs.Result {
	p := o.Probe
	if p == nil {
		return labs.Pendingf("no static IP to browse to yet")
	}
	if r := p.Region(); r != "" {
		return labs.Passf("GET %s: 200 %q from %s in %d ms", p.URL, p.Body, r, p.Latency.Milliseconds())
	}
	// The static IPs answer only once the accelerator is deployed, has its listener and
	// an endpoint group past its first health checks: until then no answer is the lab
	// still coming up, not a mistake.
	if why := o.notServingYet(); why != "" {
		return labs.Pendingf("GET %s: no answer yet; %s", p.URL, why)
	}
	if p.Err != "" {
		return labs.Failf("GET %s failed: %s", p.URL, p.Err)
	}
	return labs.Failf("GET %s: %d %q, want 200 \"Hello from <region>\"", p.URL, p.Status, trim(p.Body))
}

// notServingYet says why the accelerator cannot answer yet ("" when it should): not
// deployed, no listener, no endpoint group, or every group still INITIAL.
func (o *Observation) notServingYet() string {
	a := o.Accelerator
	switch {
	case a == nil:
		return "no accelerator yet"
	case a.Status != gatypes.AcceleratorStatusDeployed:
		return fmt.Sprintf("accelerator %s is %s", o.accName(), a.Status)
	case len(o.Listeners) == 0:
		return "the accelerator has no listener yet"
	case checkListener(o).Status != labs.Pass: // the probe is on port 80: that checkpoint fails, not this one too
		return "the accelerator has no TCP/80 listener yet"
	case len(o.Groups) == 0:
		return "the listener has no endpoint groups yet"
	}
	for _, g := range o.Groups {
		if h, _ := groupHealth(&g); h != gatypes.HealthStateInitial {
			return ""
		}
	}
	return "the endpoint groups are still in their first health checks"
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func (o *Observation) groupIn(region string) *gatypes.EndpointGroup {
	for i := range o.Groups {
		if aws.ToString(o.Groups[i].EndpointGroupRegion) == region {
			return &o.Groups[i]
		}
	}
	return nil
}

func groupHealth(g *gatypes.EndpointGroup) (gatypes.HealthState, string) {
	if g == nil || len(g.EndpointDescriptions) == 0 {
		return "", ""
	}
	return g.EndpointDescriptions[0].HealthState, aws.ToString(g.EndpointDescriptions[0].HealthReason)
}

func other(region string) string {
	if region == Regions[0] {
		return Regions[1]
	}
	return Regions[0]
}

// checkFailover and checkRecovery report the health checks still catching up with a
// stopped or restarted instance as pending, not failed: AWS converges by itself
// within interval × threshold, and the grid must not turn red while it does.
func checkFailover(o *Observation) labs.Result {
	for _, r := range Regions {
		or := o.Origins[r]
		st := or.instanceState()
		if st != ec2types.InstanceStateNameStopped && st != ec2types.InstanceStateNameStopping {
			continue
		}
		if n := or.healthyTargets(); n > 0 {
			return labs.Pendingf("%s instance is %s; its target is still healthy until the health checks notice", r, st)
		}
		if h, _ := groupHealth(o.groupIn(r)); h != gatypes.HealthStateUnhealthy {
			return labs.Pendingf("%s instance is %s; its endpoint group is %s until Global Accelerator's health checks notice", r, st, h)
		}
		if got := o.Probe.Region(); got != other(r) {
			return labs.Failf("%s is UNHEALTHY but the probe answered from %q, want %s", r, got, other(r))
		}
		return labs.Passf("%s instance %s, targets %s, group UNHEALTHY; %s answers", r, st, or.targetSummary(), other(r))
	}
	return labs.Pendingf("no origin instance is stopped")
}

func checkRecovery(o *Observation) labs.Result {
	for _, r := range Regions {
		or := o.Origins[r]
		if !or.restarted() {
			continue
		}
		if st := or.instanceState(); st != ec2types.InstanceStateNameRunning {
			return labs.Pendingf("%s instance was restarted and is %s", r, st)
		}
		if or.healthyTargets() == 0 {
			return labs.Pendingf("%s instance is running; targets %s until the health checks pass", r, or.targetSummary())
		}
		if h, why := groupHealth(o.groupIn(r)); h != gatypes.HealthStateHealthy {
			return labs.Pendingf("%s targets are healthy; its endpoint group is %s (%s) until Global Accelerator's health checks pass", r, h, why)
		}
		if got := o.Probe.Region(); got != r {
			return labs.Failf("%s is HEALTHY again but the probe answered from %q", r, got)
		}
		return labs.Passf("%s instance restarted, group HEALTHY, %s answers again", r, r)
	}
	return labs.Pendingf("no origin instance has been stopped and started")
}
