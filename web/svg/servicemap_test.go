package svg

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/labdash/labdash/labs"
)

// signupMap is a known Lab 7 state: 30 signups in 10 minutes, 3 duplicate
// e-mails (409s at DynamoDB) and 2 SNS faults.
func signupMap() *labs.ServiceMap {
	return &labs.ServiceMap{Window: "last 10 min",
		Nodes: []labs.MapNode{
			{ID: 0, Type: "client"},
			{ID: 1, Name: "c42s07-signup", Type: "AWS::ElasticBeanstalk::Environment", Root: true, Requests: 30, OK: 25, Errors: 3, Faults: 2, AvgMS: 41.5},
			{ID: 2, Name: "c42s07-signups", Type: "AWS::DynamoDB::Table", Requests: 30, OK: 27, Errors: 3, AvgMS: 14.2},
			{ID: 3, Name: "SNS", Type: "AWS::SNS", Requests: 27, OK: 25, Errors: 2, AvgMS: 22},
		},
		Edges: []labs.MapEdge{
			{From: 0, To: 1, Requests: 30, PerMinute: 3, AvgMS: 41.5, Errors: 3, Faults: 2},
			{From: 1, To: 2, Requests: 30, PerMinute: 3, AvgMS: 14.2, Errors: 3},
			{From: 1, To: 3, Requests: 27, PerMinute: 2.7, AvgMS: 22, Errors: 2},
		}}
}

// smDecode checks s is well-formed XML and returns the circles' centres of class "node" groups.
func smDecode(t *testing.T, s string) [][2]string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var centres [][2]string
	inNode := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return centres
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, s)
		}
		if se, ok := tok.(xml.StartElement); ok {
			attr := map[string]string{}
			for _, a := range se.Attr {
				attr[a.Name.Local] = a.Value
			}
			if se.Name.Local == "g" {
				inNode = attr["class"] == "node"
			}
			if se.Name.Local == "circle" && inNode && attr["fill"] == "#fff" {
				centres = append(centres, [2]string{attr["cx"], attr["cy"]})
			}
		}
	}
}

func TestServiceMapGolden(t *testing.T) {
	s := ServiceMap(signupMap())
	smDecode(t, s)
	golden(t, "servicemap.golden", s)
	if ServiceMap(signupMap()) != s {
		t.Fatal("output is not deterministic")
	}
	for _, want := range []string{`data-name="c42s07-signup" data-health="fault"`, ">c42s07-signup<", ">c42s07-signups<", ">SNS<", ">client<", "41.5 ms", "3/min", "#d13212", "#ec7211", "#1d8102"} {
		if !strings.Contains(s, want) {
			t.Errorf("map lacks %q", want)
		}
	}
	// Left to right by call depth: client < app < DynamoDB and SNS.
	xs := map[string]float64{}
	re := regexp.MustCompile(`<g class="node" data-type="([^"]*)"[^>]*><circle cx="([0-9.]+)"`)
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		var x float64
		fmt.Sscan(m[2], &x)
		xs[m[1]] = x
	}
	if !(xs["client"] < xs["AWS::ElasticBeanstalk::Environment"] && xs["AWS::ElasticBeanstalk::Environment"] < xs["AWS::DynamoDB::Table"] && xs["AWS::DynamoDB::Table"] == xs["AWS::SNS"]) {
		t.Errorf("columns: %v", xs)
	}
}

func TestServiceMapNoOverlap(t *testing.T) {
	for _, n := range []int{1, 30} {
		m := &labs.ServiceMap{}
		for i := 0; i < n; i++ {
			m.Nodes = append(m.Nodes, labs.MapNode{ID: int32(i), Name: fmt.Sprintf("svc-%02d", i), Type: "AWS::EC2::Instance", Requests: 10, OK: 10, AvgMS: 5})
			if i > 0 {
				m.Edges = append(m.Edges, labs.MapEdge{From: int32(i % 3), To: int32(i), PerMinute: 1})
			}
		}
		c := smDecode(t, ServiceMap(m))
		if len(c) != n {
			t.Fatalf("%d nodes drawn, want %d", len(c), n)
		}
		seen := map[[2]string]bool{}
		for _, p := range c {
			if seen[p] {
				t.Fatalf("%d nodes: two share centre %v", n, p)
			}
			seen[p] = true
		}
	}
}

func TestServiceMapHostileInput(t *testing.T) {
	evil := `<script>alert("x")</script>&]]>`
	m := &labs.ServiceMap{Window: evil, Nodes: []labs.MapNode{{ID: 1, Name: evil, Type: evil, Requests: -5, OK: -1, AvgMS: math.Inf(1)}, {ID: 1, Name: "dup"}, {ID: 2, Name: "x"}},
		Edges: []labs.MapEdge{{From: 1, To: 1}, {From: 1, To: 99}, {From: 2, To: 1, PerMinute: -1}, {From: 1, To: 2}}} // a cycle, a self-loop, a dangling edge
	s := ServiceMap(m)
	smDecode(t, s)
	if strings.Contains(s, "<script") || strings.Contains(s, "Inf") || strings.Contains(s, "NaN") {
		t.Fatalf("unescaped or non-finite output: %s", s)
	}
	for _, m := range []*labs.ServiceMap{nil, {}} {
		smDecode(t, ServiceMap(m))
	}
}
