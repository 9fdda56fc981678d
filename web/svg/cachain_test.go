package svg

import (
	"regexp"
	"strings"
	"testing"

	"github.com/labdash/labdash/labs"
)

func testChain(subState, subTone, tls string, tlsOK bool) *labs.CAChain {
	return &labs.CAChain{Billed: 2, MonthlyUSD: 400, TLS: tls, TLSOK: tlsOK, Nodes: []labs.ChainNode{
		{Kind: "Root CA", Name: "myorg root CA", State: "ACTIVE", Tone: "ok", NotAfter: "2036-12-03", InUse: "signs the subordinate"},
		{Kind: "Subordinate CA", Name: "myorg subordinate CA", State: subState, Tone: subTone, Detail: "pathlen 0"},
		{Kind: "Certificate", Name: "s01.c2pfi.labs.example.com", State: "ISSUED", Detail: "PRIVATE · renewal ELIGIBLE", Tone: "ok", InUse: "1 load balancer uses it"},
		{Kind: "HTTPS listener", Name: "c2pfis01-myalb", State: "no :443 listener", Missing: true},
	}}
}

// TestCAChainColoursAndFits: each box is filled by its tone (a DISABLED
// subordinate red, an ACTIVE root green, a missing listener grey and dashed), a
// real certificate box's lines are drawn whole, a long TLS result wraps onto a
// second line inside the drawing instead of being cut at 140 characters, and
// hostile names still give strict XML.
func TestCAChainColoursAndFits(t *testing.T) {
	long := "TLS to c2pfis01-myalb-1136069258.us-east-1.elb.amazonaws.com:443 verified s01.c2pfi.labs.example.com → myorg subordinate CA → myorg root CA against the root alone; with the ALB's DNS name as ServerName it fails, as expected"
	out := CAChain(testChain("DISABLED", "bad", long, true))
	xmlStrict(t, "ca chain", out)
	box := func(kind string) string {
		m := regexp.MustCompile(`<g class="node[^"]*" data-kind="` + kind + `"[^>]*><rect [^>]*>`).FindString(out)
		if m == "" {
			t.Fatalf("no %s box in %s", kind, out)
		}
		return m
	}
	if b := box("Subordinate CA"); !strings.Contains(b, `fill="#fde2e0"`) || !strings.Contains(b, `stroke="#b42318"`) || !strings.Contains(b, `data-state="DISABLED"`) {
		t.Errorf("disabled subordinate not drawn red: %s", b)
	}
	if b := box("Root CA"); !strings.Contains(b, `fill="#dff3e4"`) {
		t.Errorf("active root not drawn green: %s", b)
	}
	if b := box("HTTPS listener"); !strings.Contains(b, `stroke-dasharray`) || !strings.Contains(b, `fill="#f6f8fa"`) {
		t.Errorf("missing listener not grey and dashed: %s", b)
	}
	for _, whole := range []string{"s01.c2pfi.labs.example.com", "ISSUED PRIVATE · renewal ELIGIBLE", "1 load balancer uses it"} {
		if !strings.Contains(out, ">"+whole+"<") {
			t.Errorf("%q not drawn whole", whole)
		}
	}
	tls := regexp.MustCompile(`<text [^>]*data-testid="tls">(.*?)</text>`).FindStringSubmatch(out)
	if tls == nil {
		t.Fatal("no TLS line")
	}
	spans := regexp.MustCompile(`<tspan[^>]*>([^<]*)</tspan>`).FindAllStringSubmatch(tls[1], -1)
	if len(spans) != 2 || !strings.HasSuffix(spans[1][1], "as expected") || strings.Contains(tls[1], "…") {
		t.Errorf("TLS line not wrapped onto two whole lines: %q", tls[1])
	}
	if !strings.Contains(tls[0], `fill="#1a7f37"`) {
		t.Errorf("verified TLS not green: %s", tls[0])
	}
	short := CAChain(testChain("ACTIVE", "ok", "no HTTPS listener yet", false))
	if !regexp.MustCompile(`height="170"`).MatchString(short) || !strings.Contains(short, `fill="#b42318" data-testid="tls"`) {
		t.Errorf("one-line TLS result: want height 170 and a red line: %s", short)
	}
	if !regexp.MustCompile(`height="186"`).MatchString(out) {
		t.Errorf("two-line TLS result: want height 186")
	}
	for _, evil := range hostileNames {
		c := testChain(evil, evil, evil, false)
		c.Nodes[0].Name, c.Nodes[2].InUse = evil, evil
		xmlStrict(t, "ca chain with "+evil, CAChain(c))
	}
}
