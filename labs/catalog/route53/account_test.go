package route53

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestAccountModeOnTheSimulator provisions an account-per-student class of three
// students, each in their own account, through labs.CreatePrereqStack: each
// account gets its own zone <student>.c42.labs.example.com, and the class zone in
// labdash's (the default) account gets one NS record per student naming that
// zone's name servers. The lab, observing each account as the monitor does (one
// group per account, one class-wide cache), reads the parent once per class per
// cadence and finds every delegation; a student's apex alias passes checkpoint 6
// and resolves through the sim DNS; a delegation removed, then pointed at other
// name servers, is said as it is.
func TestAccountModeOnTheSimulator(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	counter := cloud.NewCallCounter(nil, "sim")
	w := sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 4})
	dash, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	lab := Lab()
	accounts := map[string]string{"s01": "222233334444", "s02": "333344445555", "s070": "444455556666"}
	slugs := []string{"s01", "s02", "s070"}
	clients, envs := map[string]*cloud.Clients{}, map[string]*labs.Env{}
	var targets []labs.Target
	for _, s := range slugs {
		c, err := w.Clients(ctx, accounts[s], "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		w.ClassVPC(accounts[s], "us-east-1")
		tg := labs.NewTarget("c42", s, c.Account, "us-east-1")
		tg.OwnAccount = true
		targets = append(targets, tg)
		if _, err := labs.CreatePrereqStack(ctx, c, lab, tg); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		// Provisioning again (a retry, a resumed job) changes nothing.
		if _, err := lab.StackParams(ctx, labs.StackEnv{C: c, T: tg}); err != nil {
			t.Fatalf("%s again: %v", s, err)
		}
		clients[s], envs[s] = c, &labs.Env{C: c, T: tg, Persona: &labs.Persona{}, Memo: map[string]string{}}
	}
	// One class zone in labdash's account, tagged for the class, holding the
	// three delegations; one zone per student account, tagged for its student.
	pz, err := dash.Route53.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
	if err != nil || len(pz.HostedZones) != 1 || aws.ToString(pz.HostedZones[0].Name) != "c42.labs.example.com." {
		t.Fatalf("labdash's account holds %+v (%v), want the one class zone", pz, err)
	}
	parentID := strings.TrimPrefix(aws.ToString(pz.HostedZones[0].Id), "/hostedzone/")
	tags := func(c *cloud.Clients, id string) map[string]string {
		out, err := c.Route53.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone, ResourceId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tg := range out.ResourceTagSet.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}
	if got := tags(dash, parentID); got["labdash:class"] != "c42" || got["labdash:student"] != "shared" {
		t.Errorf("the parent's tags %v", got)
	}
	recs, err := dash.Route53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(parentID)})
	if err != nil {
		t.Fatal(err)
	}
	delegations := map[string][]string{}
	for _, rr := range recs.ResourceRecordSets {
		if rr.Type == r53types.RRTypeNs && aws.ToString(rr.Name) != "c42.labs.example.com." {
			if aws.ToInt64(rr.TTL) != delegationTTL {
				t.Errorf("%s NS TTL %d, want %d", aws.ToString(rr.Name), aws.ToInt64(rr.TTL), delegationTTL)
			}
			for _, v := range rr.ResourceRecords {
				delegations[aws.ToString(rr.Name)] = append(delegations[aws.ToString(rr.Name)], aws.ToString(v.Value))
			}
		}
	}
	for _, s := range slugs {
		zs, _ := clients[s].Route53.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		if len(zs.HostedZones) != 1 || aws.ToString(zs.HostedZones[0].Name) != s+".c42.labs.example.com." {
			t.Fatalf("%s's account holds %+v, want their own zone", s, zs.HostedZones)
		}
		id := strings.TrimPrefix(aws.ToString(zs.HostedZones[0].Id), "/hostedzone/")
		if got := tags(clients[s], id); got["labdash:class"] != "c42" || got["labdash:student"] != s {
			t.Errorf("%s's zone tags %v", s, got)
		}
		hz, _ := clients[s].Route53.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(id)})
		if !sameServers(delegations[s+".c42.labs.example.com."], hz.DelegationSet.NameServers) {
			t.Errorf("%s delegated to %v, its zone's name servers are %v", s, delegations[s+".c42.labs.example.com."], hz.DelegationSet.NameServers)
		}
	}
	if len(delegations) != 3 {
		t.Errorf("delegations %v, want one per student", delegations)
	}
	clock.Advance(5 * time.Minute)
	for s, e := range envs {
		out, err := labs.StackOutputs(ctx, e.C, lab.StackName(e.T.Prefix, "us-east-1"))
		if err != nil {
			t.Fatalf("%s stack: %v", s, err)
		}
		e.Stack = out
		if err := walk(ctx, t, clock, lab, e, 0, 3); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	// s01 puts an alias to their ALB at their zone's apex, which only an account of
	// their own allows.
	apex := newRecord(envs["s01"].T, envs["s01"].Stack["LoadBalancerDNSName"], envs["s01"].Stack["CanonicalHostedZoneID"], false)
	apex.Name = aws.String(studentName(envs["s01"].T))
	clock.Advance(time.Second)
	if _, err := clients["s01"].Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(envs["s01"].Stack["HostedZoneId"]),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionCreate, ResourceRecordSet: apex}}}}); err != nil {
		t.Fatal(err)
	}
	class := labs.NewCache()
	caches := map[string]*labs.Cache{}
	for _, s := range slugs {
		caches[s] = labs.NewCache()
		caches[s].ShareClass(class)
	}
	observe := func() map[string]*Observation {
		t.Helper()
		out := map[string]*Observation{}
		for i, s := range slugs {
			all, err := lab.Observe(ctx, clients[s], caches[s], targets[i:i+1])
			if err != nil {
				t.Fatal(err)
			}
			out[s] = all[s].(*Observation)
		}
		return out
	}
	check := func(o *Observation, id string) labs.Result {
		for _, cp := range lab.Checkpoints {
			if cp.ID == id {
				return cp.Check(o)
			}
		}
		t.Fatalf("no checkpoint %s", id)
		return labs.Result{}
	}
	clock.Advance(time.Minute)
	before := counter.Count("route53", "ListResourceRecordSets")
	all := observe()
	// Three student zones, one parent: four listings, not six.
	if n := counter.Count("route53", "ListResourceRecordSets") - before; n != 4 {
		t.Errorf("%d ListResourceRecordSets for three student accounts, want 4 (each zone once, the parent once for the class)", n)
	}
	for _, s := range slugs {
		o := all[s]
		if o.Shared || o.Zone != s+".c42.labs.example.com." || o.Delegation == nil || o.Delegation.State != Delegated {
			t.Errorf("%s: shared %v zone %s delegation %+v", s, o.Shared, o.Zone, o.Delegation)
		}
		if r := check(o, "alias-record"); r.Status != labs.Pass {
			t.Errorf("%s alias: %s %s", s, r.Status, r.Evidence)
		}
		if v := viewDNS(o, nil).DNS; v == nil || !strings.HasPrefix(v.Delegation, "delegated: ") {
			t.Errorf("%s panel: %+v", s, v)
		}
	}
	if r := check(all["s01"], "apex-alias"); r.Status != labs.Pass || !strings.Contains(r.Evidence, "the apex s01.c42.labs.example.com is an alias") || !strings.Contains(r.Evidence, "delegated: ") {
		t.Errorf("s01 apex: %s %s", r.Status, r.Evidence)
	}
	if r := check(all["s02"], "apex-alias"); r.Status != labs.Pending {
		t.Errorf("s02 apex (none): %s %s", r.Status, r.Evidence)
	}
	if tr := all["s01"].Trace; tr == nil || tr.Err != "" || len(tr.Answers) == 0 {
		t.Errorf("s01's www traced through the delegation: %+v", tr)
	}
	ans, err := clients["s02"].DNS.Resolve(ctx, "s01.c42.labs.example.com", "A")
	if err != nil || len(ans) == 0 || ans[0].TTL != 60 {
		t.Errorf("s01's apex from another account's resolver: %v %v", ans, err)
	}
	if a, rcode, _ := w.ResolveDNS("s01.c42.labs.example.com", "A"); rcode != "NOERROR" || len(a) == 0 {
		t.Errorf("s01's apex over the loopback DNS: %s %v", rcode, a)
	}
	// A quiet 10 s later: the parent is not listed again.
	clock.Advance(10 * time.Second)
	before = counter.Count("route53", "ListResourceRecordSets")
	observe()
	if n := counter.Count("route53", "ListResourceRecordSets") - before; n != 0 {
		t.Errorf("%d ListResourceRecordSets 10 s later, want none", n)
	}
	// s02's delegation removed, s070's pointed at s01's name servers: said as it is,
	// and the resolver stops finding s02 (NXDOMAIN from the parent). s01 is not
	// touched by either (s070 is not s07…, nor s01).
	cur, _ := dash.Route53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(parentID), StartRecordName: aws.String("s02.c42.labs.example.com"), StartRecordType: r53types.RRTypeNs, MaxItems: aws.Int32(1)})
	wrong := &r53types.ResourceRecordSet{Name: aws.String("s070.c42.labs.example.com"), Type: r53types.RRTypeNs, TTL: aws.Int64(300)}
	for _, v := range delegations["s01.c42.labs.example.com."] {
		wrong.ResourceRecords = append(wrong.ResourceRecords, r53types.ResourceRecord{Value: aws.String(v)})
	}
	clock.Advance(time.Second)
	if _, err := dash.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(parentID), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{
		{Action: r53types.ChangeActionDelete, ResourceRecordSet: &cur.ResourceRecordSets[0]}, {Action: r53types.ChangeActionUpsert, ResourceRecordSet: wrong}}}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(delegationEvery)
	all = observe()
	if d := all["s02"].Delegation; d == nil || d.State != NotDelegated {
		t.Errorf("s02 after its NS record went: %+v", d)
	}
	if d := all["s070"].Delegation; d == nil || d.State != Mismatched {
		t.Errorf("s070 delegated to s01's servers: %+v", d)
	}
	if d := all["s01"].Delegation; d == nil || d.State != Delegated {
		t.Errorf("s01 untouched: %+v", d)
	}
	if r := check(all["s02"], "apex-alias"); !strings.Contains(r.Evidence, "not delegated") {
		t.Errorf("s02's apex evidence %q", r.Evidence)
	}
	if _, err := clients["s02"].DNS.Resolve(ctx, "www.s02.c42.labs.example.com", "A"); !errors.Is(err, cloud.ErrNXDomain) {
		t.Errorf("s02 undelegated: the resolver answered from s02's own zone (%v)", err)
	}
	// Provisioning s02 and s070 again writes their delegations back (UPSERT).
	for _, s := range []string{"s02", "s070"} {
		clock.Advance(time.Second)
		if _, err := lab.StackParams(ctx, labs.StackEnv{C: clients[s], T: envs[s].T}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(delegationEvery)
	all = observe()
	for _, s := range slugs {
		if d := all[s].Delegation; d == nil || d.State != Delegated {
			t.Errorf("%s after provisioning again: %+v", s, d)
		}
	}
}

// TestAccountModeNeedsTheDashboardAccount: clients with no way to labdash's own
// account (a sandbox role's) cannot delegate, and say so; the observation says
// the delegation is unknown, not missing.
func TestAccountModeNeedsTheDashboardAccount(t *testing.T) {
	ctx := context.Background()
	w := sim.New(sim.Options{Clock: sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)), DefaultAccount: "111122223333", Seed: 4})
	c, _ := w.Clients(ctx, "222233334444", "us-east-1")
	c.Dashboard = nil
	tg := labs.NewTarget("c42", "s01", c.Account, "us-east-1")
	tg.OwnAccount = true
	if _, err := stackParams(ctx, labs.StackEnv{C: c, T: tg}); err == nil || !strings.Contains(err.Error(), "needs labdash's own account") {
		t.Errorf("no dashboard account: %v", err)
	}
	all, err := Observe(ctx, c, labs.NewCache(), []labs.Target{tg})
	if err != nil {
		t.Fatal(err)
	}
	if d := all["s01"].(*Observation).Delegation; d == nil || d.State != Unknown || !strings.Contains(d.Err, "no access to labdash's own account") {
		t.Errorf("observed without the dashboard account: %+v", d)
	}
	// A student placed in labdash's own account is refused, not delegated to itself.
	own, _ := w.Clients(ctx, "", "us-east-1")
	tg = labs.NewTarget("c42", "s01", own.Account, "us-east-1")
	tg.OwnAccount = true
	if _, err := stackParams(ctx, labs.StackEnv{C: own, T: tg}); err == nil || !strings.Contains(err.Error(), "labdash's own") {
		t.Errorf("a student in labdash's account: %v", err)
	}
}
