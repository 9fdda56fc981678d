package svg

import (
	"encoding/xml"
	"io"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/labdash/labdash/labs"
)

// hostileNames are names and ids a student or AWS could hand the widgets: every
// C0 control, DEL, C1 controls, the two non-characters, bytes that are not UTF-8,
// and markup.
var hostileNames = func() []string {
	var all strings.Builder
	for r := rune(0); r < 0x20; r++ {
		all.WriteRune(r)
	}
	return []string{
		all.String(),
		"c42\x00s07",
		"name\x1b[31mred\x7f",
		"bell\x07\x08\x0b\x0c\r",
		"c1\u0085\u009f",
		"nonchar\ufffe\uffff",
		"bad utf-8 \xff\xfe\xc3",
		`<script>alert("x")</script>&]]>'`,
	}
}()

// xmlStrict decodes s as XML 1.0 with encoding/xml (which refuses control
// characters in text and attributes) and returns every attribute value and text.
func xmlStrict(t *testing.T, what, s string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	var out []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: not XML 1.0: %v\n%q", what, err, s)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			for _, a := range v.Attr {
				out = append(out, a.Value)
			}
		case xml.CharData:
			out = append(out, string(v))
		}
	}
}

// TestWidgetsXMLSafe: hostile names and ids in every text and attribute of both
// widgets still give well-formed XML 1.0 (before, a single U+0000 or U+001B broke
// the diagram), with each bad character replaced by U+FFFD rather than dropped,
// and no raw markup.
func TestWidgetsXMLSafe(t *testing.T) {
	for _, evil := range hostileNames {
		at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
		fo := &labs.Failover{Accelerator: evil, Status: evil, IPs: []string{evil, evil}, Answering: evil, ProbeError: evil,
			Groups:   []labs.FailoverGroup{{Region: evil, Health: evil, Reason: evil, Targets: evil, Instance: evil}, {Region: "eu-west-1" + evil}},
			Timeline: []labs.Transition{{At: at, From: evil, To: evil}}}
		noAnswer := *fo
		noAnswer.Answering = "nowhere"
		sm := &labs.ServiceMap{Window: evil, Nodes: []labs.MapNode{{ID: 1, Name: evil, Type: "client"}, {ID: 2, Name: evil, Type: evil, Requests: 3, OK: 2, Faults: 1}},
			Edges: []labs.MapEdge{{From: 1, To: 2, PerMinute: 1}}}
		dr := &labs.DNSResolution{Name: evil, Kind: evil, Apex: evil, Nameserver: evil, ResponseCode: evil, RecordData: []string{evil}, Note: evil, Changed: at, Dig: evil,
			Steps: []labs.DNSStep{{Name: evil, Type: evil, Data: []string{evil, evil}, TTL: 60, TTLNote: evil}, {Name: evil, Type: "A", Data: []string{evil}}}}
		for what, out := range map[string]string{"failover": Failover(fo, false), "failover without an answer": Failover(&noAnswer, false), "service map": ServiceMap(sm), "dns answer": DNSResolution(dr, true)} {
			vals := xmlStrict(t, what, out)
			if strings.Contains(out, "<script") {
				t.Errorf("%s: raw markup from %q", what, evil)
			}
			for _, v := range vals {
				if !utf8.ValidString(v) {
					t.Errorf("%s: invalid UTF-8 in %q", what, v)
				}
				for _, r := range v {
					if r != '\t' && r != '\n' && (r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0xfffe || r == 0xffff) {
						t.Errorf("%s: %U reached the output in %q", what, r, v)
					}
				}
			}
			if strings.ContainsAny(evil, "\x00\x1b\xff") && !strings.Contains(out, "\ufffd") {
				t.Errorf("%s: bad characters of %q were dropped, not replaced with U+FFFD", what, evil)
			}
		}
	}
	// Ordinary text is kept as it is.
	for _, s := range []string{"plain", "tab\there", "line\nbreak", "ünïcødé ✓ 日本", "emoji 🙂"} {
		if got := xmlSafe(s); got != s {
			t.Errorf("xmlSafe(%q) = %q, want it unchanged", s, got)
		}
	}
}

// TestFailoverLabelsFit: real values that used to be cut ("targets 10/10
// healthy…", "shutting-down", a long health reason, a long accelerator name)
// are drawn whole, in boxes at least as wide as their text.
func TestFailoverLabelsFit(t *testing.T) {
	f := &labs.Failover{Accelerator: "c42s07-global-accelerator-lab5", Status: "IN_PROGRESS", IPs: []string{"203.0.113.210", "203.0.113.211"},
		Groups: []labs.FailoverGroup{
			{Region: "ap-southeast-2", Health: "UNHEALTHY", Reason: "Health checks failed: the target timed out after 5 seconds", Dial: 100, Targets: "10/10 healthy", Instance: "shutting-down"},
			{Region: "eu-west-1", Health: "HEALTHY", Dial: 37.5, Targets: "1/1 healthy", Instance: "running"},
		},
		Answering: "eu-west-1", LatencyMS: 1234}
	got := Failover(f, false)
	if strings.Contains(got, "…") {
		t.Errorf("a label was cut: %s", got)
	}
	for _, want := range []string{"targets 10/10 healthy · instance shutting-down", "Health checks failed: the target timed out after 5 seconds", "c42s07-global-accelerator-lab5", "answered by eu-west-1 in 1234 ms"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q", want)
		}
	}
	var svg struct {
		Width  int `xml:"width,attr"`
		Groups []struct {
			Rect struct {
				X     int `xml:"x,attr"`
				Width int `xml:"width,attr"`
			} `xml:"rect"`
			Texts []string `xml:"text"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal([]byte(got), &svg); err != nil {
		t.Fatal(err)
	}
	for _, g := range svg.Groups {
		if g.Rect.X+g.Rect.Width > svg.Width {
			t.Errorf("region box ends at %d px in a %d px diagram", g.Rect.X+g.Rect.Width, svg.Width)
		}
		for _, tx := range g.Texts {
			if w := textWidth(tx, 11, false) + 2*foPad; w > g.Rect.Width {
				t.Errorf("%q needs about %d px in a %d px box", tx, w, g.Rect.Width)
			}
		}
	}
}

// TestServiceMapLabelsFit: a node type as long as Elastic Beanstalk's is not cut,
// and columns are far enough apart that neighbouring labels cannot touch; no text
// is drawn under 11 px.
func TestServiceMapLabelsFit(t *testing.T) {
	m := &labs.ServiceMap{Nodes: []labs.MapNode{
		{ID: 1, Type: "client"},
		{ID: 2, Name: "c42s07-signup-environment", Type: "AWS::ElasticBeanstalk::Environment", Requests: 10, OK: 10, AvgMS: 41.5},
		{ID: 3, Name: "c42s07-signups", Type: "AWS::DynamoDB::Table", Requests: 10, OK: 10},
	}, Edges: []labs.MapEdge{{From: 1, To: 2, PerMinute: 3}, {From: 2, To: 3, PerMinute: 3}}}
	got := ServiceMap(m)
	if strings.Contains(got, "…") {
		t.Errorf("a label was cut: %s", got)
	}
	if !strings.Contains(got, "3/min · ElasticBeanstalk::Environment") {
		t.Errorf("the Beanstalk node's type is not drawn whole: %s", got)
	}
	c := smDecode(t, got)
	if len(c) != 3 {
		t.Fatalf("%d nodes drawn, want 3", len(c))
	}
	label := textWidth("3/min · ElasticBeanstalk::Environment", 11, false)
	var x []float64
	for _, p := range c {
		f, err := strconv.ParseFloat(p[0], 64)
		if err != nil {
			t.Fatal(err)
		}
		x = append(x, f)
	}
	sort.Float64s(x)
	for i := 1; i < len(x); i++ {
		if gap := x[i] - x[i-1]; gap < float64(label) {
			t.Errorf("columns %.0f px apart, but a label is about %d px wide", gap, label)
		}
	}
	if x[0] < float64(label)/2 {
		t.Errorf("the first column at %.0f px cuts a %d px label at the left edge", x[0], label)
	}
	for _, small := range []string{`font-size="10"`, `font-size="9"`, `font-size="8"`} {
		if strings.Contains(got, small) || strings.Contains(Failover(failedOver(), false), small) {
			t.Errorf("text drawn at %s, below 11 px", small)
		}
	}
}
