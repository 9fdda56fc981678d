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

// dnsWorld is a world with a zone c42.labs.example.com holding an alias to an
// ALB at www.s01, a CNAME to it at www.s02, and the ALB itself.
func dnsWorld(t *testing.T) (*World, *cloud.Clients, string, string) {
	t.Helper()
	ctx := context.Background()
	clock := NewManualClock(time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC))
	w := New(Options{Clock: clock, DefaultAccount: "111122223333", Seed: 9})
	c, _ := w.Clients(ctx, "", "us-east-1")
	_, subnets := w.ClassVPC("", "us-east-1")
	lb, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("c42s01-r53-alb"), Subnets: subnets})
	if err != nil {
		t.Fatal(err)
	}
	dnsName := aws.ToString(lb.LoadBalancers[0].DNSName)
	z, err := c.Route53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("c42.labs.example.com"), CallerReference: aws.String("r")})
	if err != nil {
		t.Fatal(err)
	}
	zid := aws.ToString(z.HostedZone.Id)
	clock.Advance(time.Second)
	_, err = c.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zid), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{
		{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("www.s01.c42.labs.example.com"), Type: r53types.RRTypeA,
			AliasTarget: &r53types.AliasTarget{DNSName: aws.String("dualstack." + dnsName), HostedZoneId: aws.String(aws.ToString(lb.LoadBalancers[0].CanonicalHostedZoneId))}}},
		{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("www.s02.c42.labs.example.com"), Type: r53types.RRTypeCname,
			TTL: aws.Int64(300), ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(dnsName)}}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return w, c, zid, dnsName
}

// TestDNSServerAnswersDig queries the loopback server with miekg/dns's client, as
// dig would: the alias in one step (A records under the name, TTL 60), the CNAME
// in two (the CNAME with its TTL, then the ALB's A records), SOA and NS at the
// apex, NXDOMAIN with the SOA for a missing name, REFUSED outside the zones.
func TestDNSServerAnswersDig(t *testing.T) {
	w, _, _, albName := dnsWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := w.ServeDNS(ctx, "192.0.2.1:53"); err == nil {
		t.Fatal("ServeDNS listened on a non-loopback address")
	}
	addr, err := w.ServeDNS(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if w.DNSServer() != addr {
		t.Fatalf("DNSServer %q, want %q", w.DNSServer(), addr)
	}
	ask := func(name string, qt uint16, proto string) *dns.Msg {
		t.Helper()
		m := new(dns.Msg)
		m.SetQuestion(name, qt)
		in, _, err := (&dns.Client{Net: proto, Timeout: 2 * time.Second}).Exchange(m, addr)
		if err != nil {
			t.Fatalf("%s %s over %s: %v", name, dns.TypeToString[qt], proto, err)
		}
		return in
	}
	in := ask("www.s01.c42.labs.example.com.", dns.TypeA, "udp")
	if in.Rcode != dns.RcodeSuccess || len(in.Answer) != 2 {
		t.Fatalf("alias: %v", in)
	}
	for _, rr := range in.Answer {
		a, ok := rr.(*dns.A)
		if !ok || a.Hdr.Name != "www.s01.c42.labs.example.com." || a.Hdr.Ttl != 60 {
			t.Errorf("alias answer %v: want A records under the name itself, TTL 60", rr)
		}
	}
	in = ask("WWW.S02.c42.labs.example.com.", dns.TypeA, "tcp")
	if in.Rcode != dns.RcodeSuccess || len(in.Answer) != 3 {
		t.Fatalf("CNAME: %v", in)
	}
	c, ok := in.Answer[0].(*dns.CNAME)
	if !ok || c.Hdr.Ttl != 300 || c.Target != albName+"." {
		t.Errorf("CNAME step: %v", in.Answer[0])
	}
	for _, rr := range in.Answer[1:] {
		if a, ok := rr.(*dns.A); !ok || a.Hdr.Name != albName+"." || a.Hdr.Ttl != 60 {
			t.Errorf("second step %v: want the ALB's A records, TTL 60", rr)
		}
	}
	if in = ask("c42.labs.example.com.", dns.TypeSOA, "udp"); len(in.Answer) != 1 || in.Answer[0].Header().Rrtype != dns.TypeSOA {
		t.Errorf("apex SOA: %v", in)
	}
	if in = ask("c42.labs.example.com.", dns.TypeNS, "udp"); len(in.Answer) != 4 {
		t.Errorf("apex NS: %v", in)
	}
	if in = ask("s01.c42.labs.example.com.", dns.TypeA, "udp"); in.Rcode != dns.RcodeSuccess || len(in.Answer) != 0 {
		t.Errorf("empty non-terminal: %v", in)
	}
	if in = ask("www.s09.c42.labs.example.com.", dns.TypeA, "udp"); in.Rcode != dns.RcodeNameError || len(in.Ns) != 1 {
		t.Errorf("missing name: %v", in)
	}
	if in = ask("www.example.org.", dns.TypeA, "udp"); in.Rcode != dns.RcodeRefused {
		t.Errorf("outside the zones: %v", in)
	}
}

// TestTestDNSAnswerAndGetChange: Route 53's own answer (no recursion: the CNAME
// alone), and a change PENDING until it has had time to reach every name server.
func TestTestDNSAnswerAndGetChange(t *testing.T) {
	w, c, zid, albName := dnsWorld(t)
	ctx := context.Background()
	out, err := c.Route53.TestDNSAnswer(ctx, &route53.TestDNSAnswerInput{HostedZoneId: aws.String(zid), RecordName: aws.String("www.s01.c42.labs.example.com"), RecordType: r53types.RRTypeA})
	if err != nil || aws.ToString(out.ResponseCode) != "NOERROR" || len(out.RecordData) != 2 || !strings.HasPrefix(out.RecordData[0], "3.") {
		t.Fatalf("alias: %+v %v", out, err)
	}
	out, _ = c.Route53.TestDNSAnswer(ctx, &route53.TestDNSAnswerInput{HostedZoneId: aws.String(zid), RecordName: aws.String("www.s02.c42.labs.example.com"), RecordType: r53types.RRTypeCname})
	if len(out.RecordData) != 1 || out.RecordData[0] != albName {
		t.Errorf("CNAME: %+v", out)
	}
	out, _ = c.Route53.TestDNSAnswer(ctx, &route53.TestDNSAnswerInput{HostedZoneId: aws.String(zid), RecordName: aws.String("nope.c42.labs.example.com"), RecordType: r53types.RRTypeA})
	if aws.ToString(out.ResponseCode) != "NXDOMAIN" {
		t.Errorf("missing: %+v", out)
	}
	if _, err := c.Route53.TestDNSAnswer(ctx, &route53.TestDNSAnswerInput{HostedZoneId: aws.String(zid), RecordName: aws.String("www.example.org"), RecordType: r53types.RRTypeA}); err == nil {
		t.Error("a name outside the zone was answered")
	}
	ch, err := c.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zid), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{
		{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("x.c42.labs.example.com"), Type: r53types.RRTypeA, TTL: aws.Int64(60),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("192.0.2.1")}}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	get := func() r53types.ChangeStatus {
		g, err := c.Route53.GetChange(ctx, &route53.GetChangeInput{Id: ch.ChangeInfo.Id})
		if err != nil {
			t.Fatal(err)
		}
		return g.ChangeInfo.Status
	}
	if s := get(); s != r53types.ChangeStatusPending {
		t.Errorf("just submitted: %s", s)
	}
	w.clock.(*ManualClock).Advance(61 * time.Second)
	if s := get(); s != r53types.ChangeStatusInsync {
		t.Errorf("61 s later: %s", s)
	}
	if _, err := c.Route53.GetChange(ctx, &route53.GetChangeInput{Id: aws.String("/change/CNOPE")}); err == nil || !strings.Contains(err.Error(), "NoSuchChange") {
		t.Errorf("unknown change: %v", err)
	}
}

// TestPriorRequestNotComplete: another caller's batch to a zone still applying
// one is refused; the same caller's next batch, and anyone's once it is applied, pass.
func TestPriorRequestNotComplete(t *testing.T) {
	w, c, zid, _ := dnsWorld(t)
	ctx := context.Background()
	upsert := func(c *cloud.Clients, name string) error {
		_, err := c.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zid), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{
			{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String(name), Type: r53types.RRTypeTxt, TTL: aws.Int64(60),
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(`"x"`)}}}}}}})
		return err
	}
	if err := upsert(c, "a.c42.labs.example.com"); err != nil {
		t.Fatal(err)
	}
	if err := upsert(c, "b.c42.labs.example.com"); err != nil {
		t.Errorf("the same caller's next batch: %v", err)
	}
	w.mu.Lock()
	r53StateOf(w.regionLocked("111122223333", "us-east-1")).zones[strings.TrimPrefix(zid, "/hostedzone/")].busyBy = "someone"
	w.mu.Unlock()
	var busy *r53types.PriorRequestNotComplete
	if err := upsert(c, "c.c42.labs.example.com"); err == nil || !errors.As(err, &busy) {
		t.Errorf("another caller's batch while the zone applies one: %v", err)
	}
	w.clock.(*ManualClock).Advance(time.Second) // the world steps in whole seconds
	if err := upsert(c, "c.c42.labs.example.com"); err != nil {
		t.Errorf("after the zone applied it: %v", err)
	}
}
