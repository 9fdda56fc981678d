package svg

import (
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./web/svg -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file; if the change is intended, run go test ./web/svg -update\ngot:  %s", name, got)
	}
}

// wellFormed decodes the SVG as XML from end to end.
func wellFormed(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, s)
		}
	}
}

func failedOver() *labs.Failover {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	return &labs.Failover{Accelerator: "c42s07-ga", Status: "DEPLOYED", IPs: []string{"203.0.113.10", "203.0.113.11"},
		Groups: []labs.FailoverGroup{
			{Region: "us-east-1", Health: "UNHEALTHY", Reason: "Health checks failed: no healthy targets", Dial: 100, Targets: "0/1 healthy", Instance: "stopped"},
			{Region: "eu-west-1", Health: "HEALTHY", Dial: 100, Targets: "1/1 healthy", Instance: "running"},
		},
		Answering: "eu-west-1", LatencyMS: 84,
		Timeline: []labs.Transition{{At: at.Add(2 * time.Minute), From: "us-east-1", To: "eu-west-1"}, {At: at, From: "none", To: "us-east-1"}}}
}

// TestFailoverGolden: a known state — us-east-1's instance stopped, traffic failed
// over to eu-west-1 — draws exactly as recorded.
func TestFailoverGolden(t *testing.T) {
	got := Failover(failedOver(), false)
	wellFormed(t, got)
	golden(t, "failover.golden.svg", got)
	for _, want := range []string{`data-region="us-east-1" data-health="UNHEALTHY"`, `data-region="eu-west-1" data-health="HEALTHY"`, "answered by eu-west-1 in 84 ms", "us-east-1 → eu-west-1"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q", want)
		}
	}
}

// TestFailoverReadable: with 1 and with 30 endpoint groups the diagram stays
// well-formed, every region is drawn in its own box, and the height grows with
// them; nil and empty states draw without panicking; hostile names are escaped.
func TestFailoverReadable(t *testing.T) {
	for _, n := range []int{0, 1, 30} {
		f := &labs.Failover{Accelerator: "acc", Status: "IN_PROGRESS"}
		for i := 0; i < n; i++ {
			f.Groups = append(f.Groups, labs.FailoverGroup{Region: fmt.Sprintf("region-%02d", i), Health: "HEALTHY", Dial: 50})
		}
		got := Failover(f, false)
		wellFormed(t, got)
		if c := strings.Count(got, `class="fo-region"`); c != n {
			t.Errorf("%d groups drew %d boxes", n, c)
		}
		var vb struct {
			ViewBox string `xml:"viewBox,attr"`
		}
		if err := xml.Unmarshal([]byte(got), &vb); err != nil {
			t.Fatal(err)
		}
		var w, h int
		fmt.Sscanf(vb.ViewBox, "0 0 %d %d", &w, &h)
		if min := foTop + max(n, 1)*(foBoxH+foGap); h < min {
			t.Errorf("%d groups in a %d px tall diagram: boxes overflow", n, h)
		}
	}
	if Failover(nil, false) != "" {
		t.Error("nil drew something")
	}
	evil := &labs.Failover{Accelerator: `<script>alert(1)</script>`, Answering: `"><x`, Groups: []labs.FailoverGroup{{Region: `"><x`, Reason: "a & b <c>"}}}
	got := Failover(evil, false)
	wellFormed(t, got)
	if strings.Contains(got, "<script") || strings.Contains(got, `"><x`) {
		t.Errorf("hostile names not escaped: %s", got)
	}
}

// TestEmptyTimelineHasItsOwnLine: "no change seen yet" sits under the timeline's
// heading, not beside it, where it ran into "(simulated time)"; the drawing is tall
// enough to hold it.
func TestEmptyTimelineHasItsOwnLine(t *testing.T) {
	f := failedOver()
	f.Timeline = nil
	got := Failover(f, true)
	var hy, ny, h int
	for _, line := range strings.Split(strings.ReplaceAll(got, "><", ">\n<"), "\n") {
		switch {
		case strings.Contains(line, "Answering region over time"):
			fmt.Sscanf(line[strings.Index(line, `y="`):], `y="%d"`, &hy)
		case strings.Contains(line, "no change seen yet"):
			fmt.Sscanf(line[strings.Index(line, `y="`):], `y="%d"`, &ny)
		}
	}
	fmt.Sscanf(got[strings.Index(got, `height="`):], `height="%d"`, &h)
	if hy == 0 || ny <= hy || ny > h {
		t.Errorf("heading at y=%d, 'no change seen yet' at y=%d, height %d: want it on a line below, inside", hy, ny, h)
	}
}
