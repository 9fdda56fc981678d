package awsprovider

import (
	"errors"
	"net"
	"testing"

	"github.com/miekg/dns"

	"github.com/labdash/labdash/labs/cloud"
)

// TestAnswers: a recursive resolver's reply becomes the chain labdash shows (the
// CNAME, then the addresses, each with its remaining TTL); NXDOMAIN is
// cloud.ErrNXDomain; another failure names its code.
func TestAnswers(t *testing.T) {
	m := new(dns.Msg)
	m.SetQuestion("www.s07.c42.labs.example.com.", dns.TypeA)
	m.Answer = []dns.RR{
		&dns.CNAME{Hdr: dns.RR_Header{Name: "WWW.s07.c42.labs.example.com.", Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 287}, Target: "C42S07-r53-alb-1.us-east-1.elb.amazonaws.com."},
		&dns.A{Hdr: dns.RR_Header{Name: "c42s07-r53-alb-1.us-east-1.elb.amazonaws.com.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 41}, A: net.ParseIP("3.80.1.2")},
	}
	got, err := Answers("www.s07.c42.labs.example.com", m)
	if err != nil {
		t.Fatal(err)
	}
	want := []cloud.DNSAnswer{{Name: "www.s07.c42.labs.example.com.", Type: "CNAME", TTL: 287, Data: "c42s07-r53-alb-1.us-east-1.elb.amazonaws.com."},
		{Name: "c42s07-r53-alb-1.us-east-1.elb.amazonaws.com.", Type: "A", TTL: 41, Data: "3.80.1.2"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v, want %+v", got, want)
	}
	m.Answer, m.Rcode = nil, dns.RcodeNameError
	if _, err := Answers("nope.example.com", m); !errors.Is(err, cloud.ErrNXDomain) {
		t.Errorf("NXDOMAIN: %v", err)
	}
	m.Rcode = dns.RcodeServerFailure
	if _, err := Answers("x.example.com", m); err == nil || errors.Is(err, cloud.ErrNXDomain) {
		t.Errorf("SERVFAIL: %v", err)
	}
}
