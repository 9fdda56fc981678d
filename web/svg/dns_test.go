package svg

import (
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
)

// TestDNSResolutionDrawsTheSteps: a CNAME is two boxes with each TTL and whose it
// is, an alias one; the apex line says which kind may sit there; the change time
// is labelled simulated on the simulator.
func TestDNSResolutionDrawsTheSteps(t *testing.T) {
	at := time.Date(2030, 1, 1, 9, 14, 3, 0, time.UTC)
	cname := &labs.DNSResolution{Name: "www.s07.c42.labs.example.com", Kind: "CNAME", Apex: "c42.labs.example.com", Changed: at,
		Steps: []labs.DNSStep{{Name: "www.s07.c42.labs.example.com", Type: "CNAME", Data: []string{"alb.elb.amazonaws.com"}, TTL: 300, TTLNote: "the CNAME record's"},
			{Name: "alb.elb.amazonaws.com", Type: "A", Data: []string{"3.80.1.2", "3.81.4.5"}, TTL: 60, TTLNote: "the ALB's"}}}
	got := DNSResolution(cname, true)
	for _, want := range []string{`data-steps="2"`, "is CNAME: 2 steps", `data-type="CNAME" data-ttl="300"`, `data-type="A" data-ttl="60"`, "TTL 300 s · the CNAME record&#39;s",
		"3.80.1.2, 3.81.4.5", "a CNAME cannot sit at the zone apex c42.labs.example.com", "record last changed 09:14:03 (simulated time)"} {
		if !strings.Contains(got, want) {
			t.Errorf("CNAME panel lacks %q", want)
		}
	}
	alias := &labs.DNSResolution{Name: "www.s07.c42.labs.example.com", Kind: "alias", ApexOK: true, Apex: "c42.labs.example.com", ResponseCode: "NOERROR", Nameserver: "ns-1.awsdns-01.org", RecordData: []string{"3.80.1.2"},
		Steps: []labs.DNSStep{{Name: "www.s07.c42.labs.example.com", Type: "A", Data: []string{"3.80.1.2"}, TTL: 60, TTLNote: "the ALB's: an alias has no TTL of its own"}}}
	got = DNSResolution(alias, false)
	for _, want := range []string{`data-steps="1"`, "is alias: 1 step", "an alias can sit at the zone apex", "ns-1.awsdns-01.org: NOERROR 3.80.1.2"} {
		if !strings.Contains(got, want) {
			t.Errorf("alias panel lacks %q", want)
		}
	}
	if strings.Contains(got, "record last changed") || DNSResolution(nil, false) != "" {
		t.Error("a panel without a change time, or nil, drew one")
	}
	if strings.Contains(got, "delegat") {
		t.Error("a panel without a delegation line drew one")
	}
	alias.Delegation = "not delegated: c42.labs.example.com has no NS record for s07.c42.labs.example.com, so public resolvers will not find it"
	if got = DNSResolution(alias, false); !strings.Contains(got, "not delegated: c42.labs.example.com has no NS record") {
		t.Error("the account-mode panel does not draw its delegation line")
	}
}
