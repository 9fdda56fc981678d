package web

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

func renderGrid(t *testing.T, p ConsolePage) string {
	t.Helper()
	var b bytes.Buffer
	if err := progressSection(p).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func gridPage(tones ...[]string) ConsolePage {
	p := ConsolePage{Class: ClassView{ID: "c1"}, WSURL: "/classes/c1/ws",
		Labs: []LabColumn{{ID: "fargate", Title: "Fargate service"}, {ID: "ga", Title: "Global Accelerator failover"}, {ID: "xray", Title: "X-Ray tracing"}}}
	for i, row := range tones {
		slug := "s0" + string(rune('1'+i))
		st := StudentRow{Slug: slug, Name: "Student " + slug}
		for j, tone := range row {
			st.Cells = append(st.Cells, CellView{Slug: slug, Lab: p.Labs[j].ID, LabName: p.Labs[j].Title, Tone: tone, Label: "x", Running: -1})
		}
		p.Students = append(p.Students, st)
	}
	return p
}

// TestGridSummaryCountsStudentsDone: the summary row counts, per lab, the students
// whose cell is passed (not in progress, not failing), and says "not built" for a lab
// without checks rather than "0 of 3 done".
func TestGridSummaryCountsStudentsDone(t *testing.T) {
	html := renderGrid(t, gridPage(
		[]string{"pass", "progress", "none"},
		[]string{"pass", "fail", "none"},
		[]string{"progress", "pending", "none"},
	))
	want := map[string]string{"fargate": "2 of 3 done", "ga": "0 of 3 done", "xray": "not built"}
	re := regexp.MustCompile(`<td data-summary-lab="([a-z]+)" data-total="3" data-label="[^"]+">([^<]*)</td>`)
	got := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(html, -1) {
		got[m[1]] = m[2]
	}
	for lab, w := range want {
		if got[lab] != w {
			t.Errorf("summary for %s: %q, want %q (all: %v)", lab, got[lab], w, got)
		}
	}
}

// TestGridLegendAndMarksAreText: the legend names every tone in words, and each cell
// carries a text mark besides its colour, so no state reads by colour alone.
func TestGridLegendAndMarksAreText(t *testing.T) {
	html := renderGrid(t, gridPage([]string{"pass", "fail", "pending"}, []string{"progress", "none", "pending"}))
	legend := html[strings.Index(html, `data-testid="grid-legend"`):]
	for _, w := range []string{"passed", "in progress", "failing", "pending", "not built"} {
		if !strings.Contains(legend, w) {
			t.Errorf("legend lacks %q", w)
		}
	}
	for tone, mark := range map[string]string{"pass": "✓", "fail": "✗", "progress": "◐", "pending": "○"} {
		re := regexp.MustCompile(`data-tone="` + tone + `"[^>]*>(?s:.*?)<span aria-hidden="true" class="cell-mark" data-testid="cell-mark">` + mark + `</span>`)
		if !re.MatchString(html) {
			t.Errorf("a %s cell has no %s mark", tone, mark)
		}
	}
}

// TestGridCellsLabelledForPhones: every cell names its lab (the stacked phone
// layout's label) and every column header links to that lab's heatmap.
func TestGridCellsLabelledForPhones(t *testing.T) {
	html := renderGrid(t, gridPage([]string{"pass", "fail", "none"}))
	cells := regexp.MustCompile(`<td id="cell-[^"]*"[^>]*>`).FindAllString(html, -1)
	if len(cells) != 3 {
		t.Fatalf("%d cells, want 3", len(cells))
	}
	for i, title := range []string{"Fargate service", "Global Accelerator failover", "X-Ray tracing"} {
		if !strings.Contains(cells[i], `data-label="`+title+`"`) {
			t.Errorf("cell %d %s has no data-label %q", i, cells[i], title)
		}
	}
	for _, lab := range []string{"fargate", "ga", "xray"} {
		if !strings.Contains(html, `href="/classes/c1/labs/`+lab+`"`) {
			t.Errorf("no heatmap link for %s", lab)
		}
	}
	if !strings.Contains(html, `data-live-hint`) {
		t.Error("the live hint is not marked for the page script (it would claim liveness while disconnected)")
	}
}

// TestGridAfterCleanupIsHistory: once the class is cleaned up the grid opens no
// socket and says it is history, with when, instead of "Cells update live".
func TestGridAfterCleanupIsHistory(t *testing.T) {
	p := gridPage([]string{"pass", "progress", "none"})
	live := renderGrid(t, p)
	if !strings.Contains(live, `ws-connect="/classes/c1/ws"`) || !strings.Contains(live, "Cells update live") {
		t.Fatalf("before the cleanup the grid should be live:\n%s", live)
	}
	p.CleanedUp, p.CleanedAt, p.CleanupVerified = true, "2026-12-03 09:14", true
	html := renderGrid(t, p)
	for _, bad := range []string{"ws-connect", `hx-ext="ws"`, "update live", "data-live-hint"} {
		if strings.Contains(html, bad) {
			t.Errorf("the cleaned-up grid still has %q", bad)
		}
	}
	if !strings.Contains(html, "History — the class was cleaned up on 2026-12-03 09:14 (verified") {
		t.Errorf("no history note:\n%s", html)
	}
	p.CleanupVerified = false
	if html := renderGrid(t, p); !strings.Contains(html, "09:14 (not verified)") {
		t.Errorf("an unverified cleanup is not said so:\n%s", html)
	}
}
