package sim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"

	"github.com/labdash/labdash/labs/cloud"
)

// TestDNSFollowsDelegation: an account-per-student class's public DNS as a
// resolver walks it. The class zone c42.labs.example.com is in the default
// (labdash's) account; each student account holds <student>.c42.labs.example.com
// with an apex alias to its own ALB. A student zone answers — through the
// clients' resolver of any account and through the loopback server — only once
// the parent holds an NS record naming exactly its name servers: without one the
// parent answers NXDOMAIN (the lesson: an undelegated zone does not resolve
// publicly, though TestDNSAnswer still answers from it), with other name servers
// the delegation is lame (SERVFAIL), and of two zones of one name the one
// delegated to answers, whichever account holds it.
func TestDNSFollowsDelegation(t *testing.T) {
	ctx := context.Background()
	clock := NewManualClock(time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC))
	w := New(Options{Clock: clock, DefaultAccount: "111122223333", Seed: 11})
	dash, _ := w.Clients(ctx, "", "us-east-1")
	parent, err := dash.Route53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("c42.labs.example.com"), CallerReference: aws.String("parent")})
	if err != nil {
		t.Fatal(err)
	}
	pid := aws.ToString(parent.HostedZone.Id)
	type student struct {
		c      *cloud.Clients
		zoneID string
		ns     []string
		ips    []string
	}
	mk := func(acct, slug string) *student {
		t.Helper()
		c, err := w.Clients(ctx, acct, "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		_, subnets := w.ClassVPC(acct, "us-east-1")
		lb, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("c42" + slug + "-r53-alb"), Subnets: subnets})
		if err != nil {
			t.Fatal(err)
		}
		z, err := c.Route53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String(slug + ".c42.labs.example.com"), CallerReference: aws.String(slug + acct)})
		if err != nil {
			t.Fatal(err)
		}
		st := &student{c: c, zoneID: aws.ToString(z.HostedZone.Id), ns: z.DelegationSet.NameServers}
		clock.Advance(time.Second)
		if _, err := c.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{
			{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String(slug + ".c42.labs.example.com"), Type: r53types.RRTypeA,
				AliasTarget: &r53types.AliasTarget{DNSName: aws.String("dualstack." + aws.ToString(lb.LoadBalancers[0].DNSName)), HostedZoneId: lb.LoadBalancers[0].CanonicalHostedZoneId}}},
		}}}); err != nil {
			t.Fatal(err)
		}
		out, err := c.Route53.TestDNSAnswer(ctx, &route53.TestDNSAnswerInput{HostedZoneId: z.HostedZone.Id, RecordName: aws.String(slug + ".c42.labs.example.com"), RecordType: r53types.RRTypeA})
		if err != nil || aws.ToString(out.ResponseCode) != "NOERROR" || len(out.RecordData) == 0 {
			t.Fatalf("%s: Route 53's own answer for the apex, delegated or not: %+v %v", slug, out, err)
		}
		st.ips = out.RecordData
		return st
	}
	s01, s02 := mk("222233334444", "s01"), mk("333344445555", "s02")
	delegate := func(name string, ns []string) {
		t.Helper()
		rr := &r53types.ResourceRecordSet{Name: aws.String(name), Type: r53types.RRTypeNs, TTL: aws.Int64(300)}
		for _, s := range ns {
			rr.ResourceRecords = append(rr.ResourceRecords, r53types.ResourceRecord{Value: aws.String(s)})
		}
		clock.Advance(time.Second)
		if _, err := dash.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(pid), ChangeBatch: &r53types.ChangeBatch{
			Changes: []r53types.Change{{Action: r53types.ChangeActionUpsert, ResourceRecordSet: rr}}}}); err != nil {
			t.Fatal(err)
		}
	}
	// s01 delegated (values as GetHostedZone gives them: no trailing dot, any case).
	delegate("s01.c42.labs.example.com", []string{strings.ToUpper(s01.ns[2]), s01.ns[0], s01.ns[3], s01.ns[1]})
	resolves := func(c *cloud.Clients, name string, want []string) {
		t.Helper()
		ans, err := c.DNS.Resolve(ctx, name, "A")
		if err != nil || len(ans) != len(want) {
			t.Fatalf("%s from %s: %v %v, want %v", name, c.Account, ans, err, want)
		}
		for i := range ans {
			if ans[i].Data != want[i] || ans[i].Name != name+"." {
				t.Errorf("%s: answer %+v, want %s", name, ans[i], want[i])
			}
		}
	}
	// Every account's resolver sees the public DNS, not its own zones.
	for _, c := range []*cloud.Clients{dash, s01.c, s02.c} {
		resolves(c, "s01.c42.labs.example.com", s01.ips)
		if _, err := c.DNS.Resolve(ctx, "s02.c42.labs.example.com", "A"); !errors.Is(err, cloud.ErrNXDomain) {
			t.Errorf("undelegated s02 from %s: %v, want NXDOMAIN from the parent", c.Account, err)
		}
	}
	if ans, rcode, auth := w.ResolveDNS("s02.c42.labs.example.com", "A"); rcode != "NXDOMAIN" || len(ans) != 0 || len(auth) != 1 || auth[0].Name != "c42.labs.example.com." {
		t.Errorf("loopback, undelegated: %v %s %v, want NXDOMAIN with the parent's SOA", ans, rcode, auth)
	}
	// Another zone's name servers: lame.
	delegate("s02.c42.labs.example.com", s01.ns)
	if _, err := s02.c.DNS.Resolve(ctx, "s02.c42.labs.example.com", "A"); err == nil || !strings.Contains(err.Error(), "SERVFAIL") {
		t.Errorf("mismatched delegation: %v, want SERVFAIL", err)
	}
	if _, rcode, _ := w.ResolveDNS("s02.c42.labs.example.com", "A"); rcode != "SERVFAIL" {
		t.Errorf("loopback, mismatched delegation: %s, want SERVFAIL", rcode)
	}
	// A second zone of s02's name in a third account, undelegated, with the same
	// record: whichever way the delegation points decides.
	decoy := mk("444455556666", "s02")
	delegate("s02.c42.labs.example.com", s02.ns)
	resolves(dash, "s02.c42.labs.example.com", s02.ips)
	delegate("s02.c42.labs.example.com", decoy.ns)
	resolves(dash, "s02.c42.labs.example.com", decoy.ips)
	delegate("s02.c42.labs.example.com", s02.ns)
	// dig over the loopback server: the delegated apex alias, one step, TTL 60.
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	addr, err := w.ServeDNS(sctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := new(dns.Msg)
	m.SetQuestion("s02.c42.labs.example.com.", dns.TypeA)
	in, _, err := (&dns.Client{Net: "udp", Timeout: 2 * time.Second}).Exchange(m, addr)
	if err != nil || in.Rcode != dns.RcodeSuccess || len(in.Answer) != len(s02.ips) {
		t.Fatalf("dig s02's apex: %v %v", in, err)
	}
	for i, rr := range in.Answer {
		if a, ok := rr.(*dns.A); !ok || a.A.String() != s02.ips[i] || a.Hdr.Ttl != 60 {
			t.Errorf("dig answer %v, want A %s TTL 60", rr, s02.ips[i])
		}
	}
	// The parent's own names still answer from the parent, and a name below a
	// delegation is the child's to answer (NXDOMAIN there, not the parent's data).
	if in, _, _ := (&dns.Client{Net: "udp", Timeout: 2 * time.Second}).Exchange(func() *dns.Msg {
		q := new(dns.Msg)
		q.SetQuestion("c42.labs.example.com.", dns.TypeSOA)
		return q
	}(), addr); in == nil || len(in.Answer) != 1 {
		t.Errorf("the parent's SOA: %v", in)
	}
	if _, rcode, auth := w.ResolveDNS("www.s02.c42.labs.example.com", "A"); rcode != "NXDOMAIN" || len(auth) != 1 || auth[0].Name != "s02.c42.labs.example.com." {
		t.Errorf("below the delegation: %s %v, want NXDOMAIN with the child's SOA", rcode, auth)
	}
	// Removing the delegation takes the name out of the public DNS again.
	clock.Advance(time.Second)
	cur, err := dash.Route53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(pid), StartRecordName: aws.String("s01.c42.labs.example.com"), StartRecordType: r53types.RRTypeNs, MaxItems: aws.Int32(1)})
	if err != nil || len(cur.ResourceRecordSets) != 1 {
		t.Fatalf("read s01's delegation: %v %v", cur, err)
	}
	if _, err := dash.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(pid), ChangeBatch: &r53types.ChangeBatch{
		Changes: []r53types.Change{{Action: r53types.ChangeActionDelete, ResourceRecordSet: &cur.ResourceRecordSets[0]}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s01.c.DNS.Resolve(ctx, "s01.c42.labs.example.com", "A"); !errors.Is(err, cloud.ErrNXDomain) {
		t.Errorf("s01 after its delegation went: %v, want NXDOMAIN", err)
	}
}
