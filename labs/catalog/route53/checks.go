package route53

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
)

func checkpoints() []labs.Checkpoint {
	return []labs.Checkpoint{
		{ID: "target-healthy", Title: "The ALB's target is healthy", Check: labs.Typed(checkTarget)},
		{ID: "alias-record", Title: "Create the A/Alias record to the ALB", Check: labs.Typed(checkAlias)},
		{ID: "alias-answers", Title: "The alias answers with the ALB's addresses", Check: labs.Typed(checkAliasAnswers)},
		{ID: "cname-record", Title: "Replace it with a CNAME", Check: labs.Typed(checkCNAME)},
		{ID: "cname-answers", Title: "The CNAME answers in two steps", Check: labs.Typed(checkCNAMEAnswers)},
		{ID: "apex-alias", Title: "(account mode) An alias at the zone apex", Optional: true, Check: labs.Typed(checkApex)},
	}
}

func checkTarget(o *Observation) labs.Result {
	if o.TG == nil {
		return labs.Pendingf("no target group %s yet (the prerequisite stack makes it)", tgName(o.Target))
	}
	if len(o.Targets) == 0 {
		return labs.Failf("target group %s has no targets registered", tgName(o.Target))
	}
	var states []string
	for _, d := range o.Targets {
		h := d.TargetHealth
		if h == nil {
			continue
		}
		if h.State == elbtypes.TargetHealthStateEnumHealthy {
			return labs.Passf("%s is healthy in %s", aws.ToString(d.Target.Id), tgName(o.Target))
		}
		s := aws.ToString(d.Target.Id) + " " + string(h.State)
		if h.Reason != "" {
			s += " (" + string(h.Reason) + ": " + aws.ToString(h.Description) + ")"
		}
		states = append(states, s)
	}
	if len(states) == 1 && strings.Contains(states[0], string(elbtypes.TargetHealthStateEnumInitial)) {
		return labs.Pendingf("the target is still registering: %s", states[0])
	}
	return labs.Failf("no healthy target in %s: %s", tgName(o.Target), strings.Join(states, "; "))
}

// aliasOK says what is wrong with an A record as the alias to the student's ALB ("" when nothing is).
func aliasOK(o *Observation, rr *r53types.ResourceRecordSet) string {
	name := strings.TrimSuffix(aws.ToString(rr.Name), ".")
	if rr.AliasTarget == nil {
		return fmt.Sprintf("%s is a plain A record holding %s (TTL %d), not an alias: it breaks when the ALB's addresses change — make it Alias = Yes", name, values(rr), aws.ToInt64(rr.TTL))
	}
	if o.LB == nil {
		return fmt.Sprintf("%s is an alias to %s, but there is no ALB %s", name, aws.ToString(rr.AliasTarget.DNSName), lbName(o.Target))
	}
	got, want := normDNS(aws.ToString(rr.AliasTarget.DNSName)), o.lbDNS()
	if got != want {
		return fmt.Sprintf("%s is an alias to %s, not to your ALB %s", name, got, want)
	}
	if z, wz := aws.ToString(rr.AliasTarget.HostedZoneId), aws.ToString(o.LB.CanonicalHostedZoneId); z != wz {
		return fmt.Sprintf("%s aliases the ALB's name but with HostedZoneId %s; the ALB's canonical hosted zone is %s", name, z, wz)
	}
	if rr.TTL != nil {
		return fmt.Sprintf("%s carries a TTL of %d; an alias has none of its own", name, *rr.TTL)
	}
	return ""
}

func values(rr *r53types.ResourceRecordSet) string {
	var vs []string
	for _, v := range rr.ResourceRecords {
		vs = append(vs, aws.ToString(v.Value))
	}
	if len(vs) == 0 {
		return "nothing"
	}
	return strings.Join(vs, ", ")
}

// nearMiss names the student's records that are not at the lab's name, if any.
func (o *Observation) nearMiss() string {
	var names []string
	for _, rr := range o.Near {
		names = append(names, strings.TrimSuffix(aws.ToString(rr.Name), ".")+" "+string(rr.Type))
	}
	if len(names) == 0 {
		return ""
	}
	return "; found " + strings.Join(names, ", ") + " — the lab's name is " + strings.TrimSuffix(recordName(o.Target), ".")
}

func checkAlias(o *Observation) labs.Result {
	name := strings.TrimSuffix(recordName(o.Target), ".")
	if o.ZoneID == "" {
		return labs.Pendingf("no %s yet", zoneLabel(o.Target))
	}
	if rr := o.record(r53types.RRTypeA); rr != nil {
		if why := aliasOK(o, rr); why != "" {
			return labs.Failf("%s", why)
		}
		return labs.Passf("%s is an alias to %s (zone %s), no TTL of its own", name, o.lbDNS(), aws.ToString(rr.AliasTarget.HostedZoneId))
	}
	if !o.AliasSeen.IsZero() && o.record(r53types.RRTypeCname) != nil {
		return labs.Passf("%s was an alias to your ALB before it became a CNAME (step 4)", name)
	}
	if rr := o.record(r53types.RRTypeAaaa); rr != nil {
		return labs.Failf("%s has only an AAAA record; the lab's alias is type A", name)
	}
	if rr := o.record(r53types.RRTypeCname); rr != nil {
		return labs.Failf("%s is a CNAME, but the alias comes first: replace it with an A/Alias record to the ALB, then come back to the CNAME", name)
	}
	return labs.Pendingf("no A record at %s yet%s", name, o.nearMiss())
}

// answersIPv4 says what is wrong with an answer that should hold IPv4 addresses ("" when nothing is).
func answersIPv4(a *Answer) string {
	if a.Err != "" {
		return "TestDNSAnswer failed: " + a.Err
	}
	if a.ResponseCode != "NOERROR" {
		return fmt.Sprintf("Route 53's name server %s answers %s", a.Nameserver, a.ResponseCode)
	}
	if len(a.RecordData) == 0 {
		return fmt.Sprintf("Route 53's name server %s answers NOERROR with no addresses (does the alias point at an ALB that exists?)", a.Nameserver)
	}
	for _, d := range a.RecordData {
		if ip, err := netip.ParseAddr(d); err != nil || !ip.Is4() {
			return fmt.Sprintf("the answer %q is not an IPv4 address", d)
		}
	}
	return ""
}

func checkAliasAnswers(o *Observation) labs.Result {
	name := strings.TrimSuffix(recordName(o.Target), ".")
	rr := o.record(r53types.RRTypeA)
	if rr == nil || rr.AliasTarget == nil || aliasOK(o, rr) != "" {
		if !o.AliasAnswered.IsZero() && o.record(r53types.RRTypeCname) != nil {
			return labs.Passf("the alias answered with the ALB's addresses before the name became a CNAME (step 4)")
		}
		return labs.Pendingf("no alias to your ALB at %s to ask about yet", name)
	}
	a := o.Answer
	if a == nil || a.Type != "A" {
		return labs.Pendingf("not asked yet: TestDNSAnswer %s A", name)
	}
	if why := answersIPv4(a); why != "" {
		return labs.Failf("%s A: %s", name, why)
	}
	return labs.Passf("%s A answers %s from %s in one step", name, strings.Join(a.RecordData, ", "), a.Nameserver)
}

func checkCNAME(o *Observation) labs.Result {
	name := strings.TrimSuffix(recordName(o.Target), ".")
	rr := o.record(r53types.RRTypeCname)
	if rr == nil {
		if a := o.record(r53types.RRTypeA); a != nil {
			return labs.Pendingf("%s is still an A record: delete it first — a CNAME cannot share its name with any other record", name)
		}
		return labs.Pendingf("no CNAME at %s yet%s", name, o.nearMiss())
	}
	if o.LB == nil {
		return labs.Failf("%s is a CNAME to %s, but there is no ALB %s", name, values(rr), lbName(o.Target))
	}
	got := ""
	if len(rr.ResourceRecords) > 0 {
		got = aws.ToString(rr.ResourceRecords[0].Value)
	}
	if _, err := netip.ParseAddr(strings.TrimSpace(got)); err == nil {
		return labs.Failf("%s is a CNAME holding the address %s: a CNAME holds a name, your ALB's %s", name, got, o.lbDNS())
	}
	if normDNS(got) != o.lbDNS() {
		return labs.Failf("%s is a CNAME to %s, not to your ALB %s", name, normDNS(got), o.lbDNS())
	}
	if rr.TTL == nil {
		return labs.Failf("%s is a CNAME without a TTL", name)
	}
	return labs.Passf("%s is a CNAME to %s with a TTL of %d s", name, o.lbDNS(), *rr.TTL)
}

func checkCNAMEAnswers(o *Observation) labs.Result {
	name := strings.TrimSuffix(recordName(o.Target), ".")
	rr := o.record(r53types.RRTypeCname)
	if rr == nil || o.LB == nil || len(rr.ResourceRecords) == 0 || normDNS(aws.ToString(rr.ResourceRecords[0].Value)) != o.lbDNS() {
		return labs.Pendingf("no CNAME to your ALB at %s to ask about yet", name)
	}
	a := o.Answer
	if a == nil || a.Type != "CNAME" {
		return labs.Pendingf("not asked yet: TestDNSAnswer %s CNAME", name)
	}
	if a.ResponseCode != "NOERROR" {
		return labs.Failf("%s CNAME: Route 53's name server %s answers %s", name, a.Nameserver, a.ResponseCode)
	}
	if len(a.RecordData) != 1 || normDNS(a.RecordData[0]) != o.lbDNS() {
		return labs.Failf("%s CNAME: Route 53 answers %s, not your ALB's name %s", name, strings.Join(a.RecordData, ", "), o.lbDNS())
	}
	steps := o.steps()
	switch {
	case o.Trace == nil:
		return labs.Passf("Route 53 answers %s CNAME %s (the dashboard has no resolver to trace the second step)", name, o.lbDNS())
	case o.Trace.Err != "":
		why := "the class zone may not be delegated"
		if !o.Shared {
			why = delegationText(o)
		}
		return labs.Passf("Route 53 answers %s CNAME %s; the dashboard's resolver could not follow it (%s): %s", name, o.lbDNS(), o.Trace.Err, why)
	case len(steps) == 1 && steps[0].Type == "A":
		return labs.Failf("Route 53 answers the CNAME, but the resolver still answers %s in one step with A records (TTL %d s): a cached alias answer, wait for it to expire", name, steps[0].TTL)
	case len(steps) < 2:
		return labs.Failf("the resolver's answer for %s has %d step(s), not two", name, len(steps))
	}
	return labs.Passf("%s → CNAME %s (TTL %d s) → A %s (TTL %d s): two steps", name, o.lbDNS(), steps[0].TTL, strings.Join(steps[1].Data, ", "), steps[1].TTL)
}

func checkApex(o *Observation) labs.Result {
	r := apexResult(o)
	if !o.Shared {
		r.Evidence += "; " + delegationText(o)
	}
	return r
}

// zoneLabel names the student's zone for a message: "class zone c42.labs.example.com"
// or "zone s07.c42.labs.example.com".
func zoneLabel(t labs.Target) string {
	if t.OwnAccount {
		return "zone " + strings.TrimSuffix(zoneOf(t), ".")
	}
	return "class zone " + strings.TrimSuffix(zoneOf(t), ".")
}

// delegationText says, in an account-per-student class, whether the class zone
// in labdash's own account delegates the student's zone: public resolvers find
// the student's names only through that NS record (Route 53's own answers,
// TestDNSAnswer, do not depend on it).
func delegationText(o *Observation) string {
	d := o.Delegation
	zone := strings.TrimSuffix(zoneOf(o.Target), ".")
	parent := strings.TrimSuffix(classZone(o.Target.ClassID), ".")
	if d == nil {
		return "delegation not read yet: public resolvers find " + zone + " only once " + parent + " delegates it"
	}
	switch d.State {
	case Delegated:
		return fmt.Sprintf("delegated: %s (labdash's account) has NS %s → the zone's %d name servers, so public resolvers find it", parent, zone, len(d.Parent))
	case NotDelegated:
		return fmt.Sprintf("not delegated: %s (labdash's account) has no NS record for %s, so public resolvers will not find it (provisioning writes it: provision the student again); Route 53's own answers do not depend on it", parent, zone)
	case Mismatched:
		return fmt.Sprintf("delegation mismatched: %s sends resolvers for %s to %s, but the zone's name servers are %s (was the zone made again? provision the student again); Route 53's own answers do not depend on it",
			parent, zone, strings.Join(d.Parent, ", "), strings.Join(d.Zone, ", "))
	case NoParent:
		return fmt.Sprintf("not delegated: there is no class zone %s in labdash's account to delegate %s from (provisioning makes it), so public resolvers will not find it", parent, zone)
	}
	return fmt.Sprintf("delegation unknown: %s could not be read (%s)", parent, d.Err)
}

func apexResult(o *Observation) labs.Result {
	apex := strings.TrimSuffix(zoneOf(o.Target), ".")
	if o.ZoneID == "" {
		return labs.Pendingf("no %s yet", zoneLabel(o.Target))
	}
	for i := range o.Apex {
		rr := &o.Apex[i]
		if rr.Type != r53types.RRTypeA {
			continue
		}
		if why := aliasOK(o, rr); why != "" {
			if o.Shared {
				return labs.Pendingf("the apex %s belongs to the whole class in a shared account (%s); this step is for account-per-student classes", apex, strings.TrimSuffix(why, "."))
			}
			return labs.Failf("%s", why)
		}
		return labs.Passf("the apex %s is an alias to your ALB %s — a CNAME could not sit there", apex, o.lbDNS())
	}
	if o.Shared {
		return labs.Pendingf("the apex %s belongs to the whole class in a shared account: this step is for account-per-student classes", apex)
	}
	return labs.Pendingf("no A/Alias record at the apex %s yet (a CNAME is refused there: the apex holds SOA and NS)", apex)
}
