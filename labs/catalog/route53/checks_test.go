package route53

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

const (
	albDNS  = "c42s07-r53-alb-1234567890.us-east-1.elb.amazonaws.com"
	albZone = "Z35SXDOTRQ7X7K"
)

var me = labs.NewTarget("c42", "s07", "111122223333", "us-east-1")

// mine is me in an account-per-student class: their own zone s07.c42.labs.example.com.
var mine = func() labs.Target { t := me; t.OwnAccount = true; return t }()

// The name servers of the student's own zone, and others (a zone made again).
var (
	zoneServers  = []string{"ns-1.awsdns-01.org", "ns-513.awsdns-02.co.uk", "ns-1025.awsdns-03.com", "ns-1537.awsdns-04.net"}
	otherServers = []string{"ns-7.awsdns-07.org", "ns-519.awsdns-08.co.uk", "ns-1031.awsdns-09.com", "ns-1543.awsdns-10.net"}
)

// own is base in an account-per-student class: the student's own zone, its
// delegation from the class zone in labdash's account in place.
func own() *Observation {
	o := base()
	o.Target, o.Shared, o.ZoneID, o.Zone = mine, false, "ZOWN", studentName(mine)
	o.Delegation = &Delegation{State: Delegated, ParentZone: classZone("c42"), ParentID: "ZPARENT", Parent: normServers(zoneServers), Zone: normServers(zoneServers)}
	return o
}

func ownWith(f func(o *Observation)) *Observation { o := own(); f(o); return o }

// base is a student of a shared-account class with a healthy ALB, the class zone
// and no record yet.
func base() *Observation {
	return &Observation{Target: me, At: time.Unix(1e9, 0), Shared: true, ZoneID: "ZCLASS", Zone: classZone("c42"),
		LB: &elbtypes.LoadBalancer{DNSName: aws.String(albDNS), CanonicalHostedZoneId: aws.String(albZone), LoadBalancerName: aws.String(lbName(me))},
		TG: &elbtypes.TargetGroup{TargetGroupName: aws.String(tgName(me)), TargetGroupArn: aws.String("arn:tg")},
		Targets: []elbtypes.TargetHealthDescription{{Target: &elbtypes.TargetDescription{Id: aws.String("i-1"), Port: aws.Int32(80)},
			TargetHealth: &elbtypes.TargetHealth{State: elbtypes.TargetHealthStateEnumHealthy}}}}
}

func alias(name, dns, zone string) r53types.ResourceRecordSet {
	return r53types.ResourceRecordSet{Name: aws.String(name), Type: r53types.RRTypeA, AliasTarget: &r53types.AliasTarget{DNSName: aws.String(dns), HostedZoneId: aws.String(zone)}}
}

func plain(name string, typ r53types.RRType, ttl int64, vals ...string) r53types.ResourceRecordSet {
	rr := r53types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(ttl)}
	for _, v := range vals {
		rr.ResourceRecords = append(rr.ResourceRecords, r53types.ResourceRecord{Value: aws.String(v)})
	}
	return rr
}

var www = recordName(me)

func with(f func(o *Observation)) *Observation { o := base(); f(o); return o }

type tcase struct {
	o        *Observation
	want     labs.Status
	evidence string // a part of the evidence that names the cause
}

func run(t *testing.T, check func(*Observation) labs.Result, cases map[string]tcase) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := check(tc.o)
			if r.Status != tc.want || !strings.Contains(r.Evidence, tc.evidence) {
				t.Errorf("got %s %q, want %s with %q", r.Status, r.Evidence, tc.want, tc.evidence)
			}
		})
	}
}

func TestTargetHealthy(t *testing.T) {
	run(t, checkTarget, map[string]tcase{
		"healthy":    {base(), labs.Pass, "i-1 is healthy"},
		"no tg":      {with(func(o *Observation) { o.TG = nil }), labs.Pending, "no target group c42s07-r53-tg"},
		"no targets": {with(func(o *Observation) { o.Targets = nil }), labs.Fail, "no targets registered"},
		"unhealthy": {with(func(o *Observation) {
			o.Targets[0].TargetHealth = &elbtypes.TargetHealth{State: elbtypes.TargetHealthStateEnumUnhealthy, Reason: elbtypes.TargetHealthReasonEnumTimeout, Description: aws.String("Request timed out")}
		}), labs.Fail, "Target.Timeout: Request timed out"},
		"registering": {with(func(o *Observation) {
			o.Targets[0].TargetHealth = &elbtypes.TargetHealth{State: elbtypes.TargetHealthStateEnumInitial, Reason: elbtypes.TargetHealthReasonEnumRegistrationInProgress}
		}), labs.Pending, "still registering"},
	})
}

func TestAliasRecord(t *testing.T) {
	run(t, checkAlias, map[string]tcase{
		"alias": {with(func(o *Observation) { o.Records = []r53types.ResourceRecordSet{alias(www, albDNS+".", albZone)} }), labs.Pass, "is an alias to " + albDNS},
		"console dualstack, caps": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{alias(www, "DualStack."+strings.ToUpper(albDNS)+".", albZone)}
		}), labs.Pass, "alias"},
		"no zone": {with(func(o *Observation) { o.ZoneID = "" }), labs.Pending, "no class zone c42.labs.example.com"},
		"nothing": {base(), labs.Pending, "no A record at www.s07.c42.labs.example.com"},
		"near-miss name": {with(func(o *Observation) {
			o.Near = []r53types.ResourceRecordSet{alias("web.s07.c42.labs.example.com.", albDNS, albZone)}
		}), labs.Pending, "found web.s07.c42.labs.example.com A — the lab's name is www.s07"},
		"plain A with addresses": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeA, 300, "3.80.1.2")}
		}), labs.Fail, "plain A record holding 3.80.1.2 (TTL 300), not an alias"},
		"another student's ALB": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{alias(www, "c42s08-r53-alb-99.us-east-1.elb.amazonaws.com.", albZone)}
		}), labs.Fail, "not to your ALB " + albDNS},
		"wrong alias zone": {with(func(o *Observation) { o.Records = []r53types.ResourceRecordSet{alias(www, albDNS, "Z2FDTNDATAQYW2")} }), labs.Fail, "HostedZoneId Z2FDTNDATAQYW2; the ALB's canonical hosted zone is " + albZone},
		"no ALB": {with(func(o *Observation) {
			o.LB = nil
			o.Records = []r53types.ResourceRecordSet{alias(www, albDNS, albZone)}
		}), labs.Fail, "there is no ALB c42s07-r53-alb"},
		"AAAA only": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{{Name: aws.String(www), Type: r53types.RRTypeAaaa, AliasTarget: &r53types.AliasTarget{DNSName: aws.String(albDNS)}}}
		}), labs.Fail, "only an AAAA record"},
		"CNAME first": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeCname, 300, albDNS)}
		}), labs.Fail, "the alias comes first"},
		"replaced by step 4": {with(func(o *Observation) {
			o.AliasSeen = o.At
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeCname, 300, albDNS)}
		}), labs.Pass, "before it became a CNAME (step 4)"},
	})
}

func TestAliasAnswers(t *testing.T) {
	good := func(o *Observation) { o.Records = []r53types.ResourceRecordSet{alias(www, albDNS, albZone)} }
	answer := func(code string, data ...string) func(o *Observation) {
		return func(o *Observation) {
			good(o)
			o.Answer = &Answer{Type: "A", Nameserver: "ns-1.awsdns-01.org", ResponseCode: code, RecordData: data}
		}
	}
	run(t, checkAliasAnswers, map[string]tcase{
		"answers":  {with(answer("NOERROR", "3.80.1.2", "3.81.4.5")), labs.Pass, "answers 3.80.1.2, 3.81.4.5 from ns-1.awsdns-01.org in one step"},
		"no alias": {base(), labs.Pending, "no alias to your ALB"},
		"wrong alias": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeA, 60, "3.80.1.2")}
		}), labs.Pending, "no alias to your ALB"},
		"not asked":       {with(good), labs.Pending, "not asked yet"},
		"NXDOMAIN":        {with(answer("NXDOMAIN")), labs.Fail, "answers NXDOMAIN"},
		"empty":           {with(answer("NOERROR")), labs.Fail, "NOERROR with no addresses"},
		"not IPv4":        {with(answer("NOERROR", "2600:1f18::1")), labs.Fail, `"2600:1f18::1" is not an IPv4 address`},
		"asked for CNAME": {with(func(o *Observation) { good(o); o.Answer = &Answer{Type: "CNAME"} }), labs.Pending, "not asked yet"},
		"replaced by step 4": {with(func(o *Observation) {
			o.AliasAnswered = o.At
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeCname, 300, albDNS)}
		}), labs.Pass, "step 4"},
	})
}

func TestCNAMERecord(t *testing.T) {
	run(t, checkCNAME, map[string]tcase{
		"cname": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeCname, 300, albDNS)}
		}), labs.Pass, "TTL of 300 s"},
		"cname dualstack": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeCname, 60, "dualstack."+albDNS+".")}
		}), labs.Pass, "TTL of 60 s"},
		"still the alias": {with(func(o *Observation) { o.Records = []r53types.ResourceRecordSet{alias(www, albDNS, albZone)} }), labs.Pending, "still an A record: delete it first"},
		"nothing":         {base(), labs.Pending, "no CNAME at www.s07"},
		"near-miss": {with(func(o *Observation) {
			o.Near = []r53types.ResourceRecordSet{plain("web.s07.c42.labs.example.com.", r53types.RRTypeCname, 300, albDNS)}
		}), labs.Pending, "the lab's name is www.s07"},
		"to an address": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeCname, 300, "3.80.1.2")}
		}), labs.Fail, "holding the address 3.80.1.2"},
		"to another ALB": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeCname, 300, "c42s08-r53-alb-9.us-east-1.elb.amazonaws.com")}
		}), labs.Fail, "not to your ALB"},
		"no ALB": {with(func(o *Observation) {
			o.LB = nil
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeCname, 300, albDNS)}
		}), labs.Fail, "there is no ALB"},
	})
}

func TestCNAMEAnswers(t *testing.T) {
	cname := func(o *Observation) {
		o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeCname, 300, albDNS)}
		o.Answer = &Answer{Type: "CNAME", Nameserver: "ns-1", ResponseCode: "NOERROR", RecordData: []string{albDNS}}
	}
	trace := func(ans ...cloud.DNSAnswer) func(o *Observation) {
		return func(o *Observation) { cname(o); o.Trace = &Trace{Answers: ans} }
	}
	step1 := cloud.DNSAnswer{Name: www, Type: "CNAME", TTL: 300, Data: albDNS + "."}
	step2 := cloud.DNSAnswer{Name: albDNS + ".", Type: "A", TTL: 60, Data: "3.80.1.2"}
	run(t, checkCNAMEAnswers, map[string]tcase{
		"two steps":       {with(trace(step1, step2, cloud.DNSAnswer{Name: albDNS + ".", Type: "A", TTL: 42, Data: "3.81.4.5"})), labs.Pass, "→ CNAME " + albDNS + " (TTL 300 s) → A 3.80.1.2, 3.81.4.5 (TTL 42 s): two steps"},
		"no resolver":     {with(cname), labs.Pass, "no resolver to trace"},
		"not delegated":   {with(func(o *Observation) { cname(o); o.Trace = &Trace{Err: "NXDOMAIN"} }), labs.Pass, "may not be delegated"},
		"no cname":        {base(), labs.Pending, "no CNAME to your ALB"},
		"not asked":       {with(func(o *Observation) { cname(o); o.Answer = nil }), labs.Pending, "not asked yet"},
		"NXDOMAIN":        {with(func(o *Observation) { cname(o); o.Answer.ResponseCode = "NXDOMAIN" }), labs.Fail, "answers NXDOMAIN"},
		"answers another": {with(func(o *Observation) { cname(o); o.Answer.RecordData = []string{"old.example.com"} }), labs.Fail, "answers old.example.com, not your ALB's name"},
		"cached alias":    {with(trace(cloud.DNSAnswer{Name: www, Type: "A", TTL: 37, Data: "3.80.1.2"})), labs.Fail, "a cached alias answer"},
		"chain cut short": {with(trace(step1)), labs.Fail, "1 step(s), not two"},
	})
}

func TestApexAlias(t *testing.T) {
	apex := studentName(mine) // the student's own zone's apex
	run(t, checkApex, map[string]tcase{
		"account mode alias": {ownWith(func(o *Observation) { o.Apex = []r53types.ResourceRecordSet{alias(apex, albDNS, albZone)} }), labs.Pass, "the apex s07.c42.labs.example.com is an alias to your ALB"},
		"account mode none":  {own(), labs.Pending, "a CNAME is refused there"},
		"shared mode":        {base(), labs.Pending, "belongs to the whole class in a shared account"},
		"shared, someone's": {with(func(o *Observation) {
			o.Apex = []r53types.ResourceRecordSet{alias(classZone("c42"), "other.elb.amazonaws.com", albZone)}
		}), labs.Pending, "the apex c42.labs.example.com belongs to the whole class"},
		"account, wrong": {ownWith(func(o *Observation) {
			o.Apex = []r53types.ResourceRecordSet{plain(apex, r53types.RRTypeA, 300, "192.0.2.1")}
		}), labs.Fail, "not an alias"},
		"account, no zone": {ownWith(func(o *Observation) { o.ZoneID = "" }), labs.Pending, "no zone s07.c42.labs.example.com yet"},
		"shared, no zone":  {with(func(o *Observation) { o.ZoneID = "" }), labs.Pending, "no class zone c42.labs.example.com"},
	})
	// Account mode says the delegation's true state whatever the apex holds;
	// shared mode, whose apex is not the student's step, does not speak of it.
	withApex := func(d *Delegation) *Observation {
		return ownWith(func(o *Observation) {
			o.Apex = []r53types.ResourceRecordSet{alias(apex, albDNS, albZone)}
			o.Delegation = d
		})
	}
	for name, tc := range map[string]struct {
		d    *Delegation
		want []string
		not  string
	}{
		"delegated": {&Delegation{State: Delegated, ParentZone: classZone("c42"), Parent: normServers(zoneServers), Zone: normServers(zoneServers)},
			[]string{"delegated: c42.labs.example.com (labdash's account) has NS s07.c42.labs.example.com", "4 name servers", "public resolvers find it"}, "not delegated"},
		"missing": {&Delegation{State: NotDelegated, ParentZone: classZone("c42"), Zone: normServers(zoneServers)},
			[]string{"not delegated", "has no NS record for s07.c42.labs.example.com", "public resolvers will not find it"}, "has NS"},
		"mismatched": {&Delegation{State: Mismatched, ParentZone: classZone("c42"), Parent: normServers(otherServers), Zone: normServers(zoneServers)},
			[]string{"delegation mismatched", "ns-7.awsdns-07.org", "the zone's name servers are ns-1.awsdns-01.org"}, "public resolvers find it"},
		"no parent": {&Delegation{State: NoParent, ParentZone: classZone("c42"), Zone: normServers(zoneServers)},
			[]string{"no class zone c42.labs.example.com in labdash's account"}, "has NS"},
		"unknown": {&Delegation{State: Unknown, ParentZone: classZone("c42"), Err: "Throttling: Rate exceeded"},
			[]string{"delegation unknown", "Throttling"}, "public resolvers find it"},
		"not read": {nil, []string{"not read yet"}, "public resolvers find it"},
	} {
		r := checkApex(withApex(tc.d))
		if r.Status != labs.Pass {
			t.Errorf("%s: the student's apex alias is right whatever the delegation: %s %q", name, r.Status, r.Evidence)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.Evidence, w) {
				t.Errorf("%s: evidence %q lacks %q", name, r.Evidence, w)
			}
		}
		if strings.Contains(r.Evidence, tc.not) {
			t.Errorf("%s: evidence %q says %q", name, r.Evidence, tc.not)
		}
		if v := viewDNS(ownWith(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{alias(www, albDNS, albZone)}
			o.Delegation = tc.d
		}), nil).DNS; v == nil || v.Delegation != delegationText(withApex(tc.d)) || v.Apex != "s07.c42.labs.example.com" {
			t.Errorf("%s: the panel's delegation line %+v is not the checkpoint's", name, v)
		}
	}
	if ev := checkApex(base()).Evidence; strings.Contains(ev, "delegat") {
		t.Errorf("shared mode: evidence %q speaks of delegation", ev)
	}
}

func TestDNSPanel(t *testing.T) {
	o := with(func(o *Observation) {
		o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeCname, 300, albDNS)}
		o.Trace = &Trace{Answers: []cloud.DNSAnswer{{Name: www, Type: "CNAME", TTL: 300, Data: albDNS + "."}, {Name: albDNS + ".", Type: "A", TTL: 60, Data: "3.80.1.2"}}}
		o.Dig = "127.0.0.1:8053"
	})
	v := viewDNS(o, labs.NewHistory()).DNS
	if v == nil || v.Kind != "CNAME" || len(v.Steps) != 2 || v.Steps[0].TTL != 300 || v.Steps[1].TTL != 60 || v.ApexOK || !v.Traced {
		t.Fatalf("CNAME panel: %+v", v)
	}
	if v.Dig != "dig @127.0.0.1 -p 8053 www.s07.c42.labs.example.com CNAME" {
		t.Errorf("dig: %q", v.Dig)
	}
	o = with(func(o *Observation) {
		o.Records = []r53types.ResourceRecordSet{alias(www, albDNS, albZone)}
		o.Answer = &Answer{Type: "A", ResponseCode: "NOERROR", RecordData: []string{"3.80.1.2"}}
	})
	v = viewDNS(o, nil).DNS
	if v == nil || v.Kind != "alias" || len(v.Steps) != 1 || v.Steps[0].TTL != 60 || !v.ApexOK || v.Traced || !strings.Contains(v.Steps[0].TTLNote, "no TTL of its own") {
		t.Fatalf("alias panel: %+v", v)
	}
	if v.Dig != "dig www.s07.c42.labs.example.com A" {
		t.Errorf("dig on AWS: %q", v.Dig)
	}
	if v.Delegation != "" || strings.Contains(v.Note, "delegat") || v.Apex != "c42.labs.example.com" {
		t.Errorf("shared-mode panel speaks of delegation: %+v", v)
	}
	if e := viewDNS(base(), nil); e.DNS != nil || !strings.Contains(e.Empty, "no A or CNAME record") {
		t.Errorf("empty: %+v", e)
	}
}

func TestSummary(t *testing.T) {
	for name, tc := range map[string]struct {
		o           *Observation
		badge, tone string
	}{
		"alias": {with(func(o *Observation) { o.Records = []r53types.ResourceRecordSet{alias(www, albDNS, albZone)} }), "alias · 1 step", "ok"},
		"cname": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeCname, 300, albDNS)}
		}), "CNAME · 2 steps", "ok"},
		"plain A": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeA, 300, "3.80.1.2")}
		}), "A, not alias", "bad"},
		"wrong ALB": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{alias(www, "x.elb.amazonaws.com", albZone)}
		}), "A ✗", "bad"},
		"cname wrong": {with(func(o *Observation) {
			o.Records = []r53types.ResourceRecordSet{plain(www, r53types.RRTypeCname, 300, "x.example.com")}
		}), "CNAME ✗", "bad"},
		"wrong name": {with(func(o *Observation) {
			o.Near = []r53types.ResourceRecordSet{alias("web.s07.c42.labs.example.com.", albDNS, albZone)}
		}), "wrong name", "warn"},
		"nothing": {base(), "", ""},
	} {
		if s := Summary(tc.o); s.Badge != tc.badge || s.BadgeTone != tc.tone {
			t.Errorf("%s: got %q/%q, want %q/%q (%s)", name, s.Badge, s.BadgeTone, tc.badge, tc.tone, s.BadgeTitle)
		}
	}
}
