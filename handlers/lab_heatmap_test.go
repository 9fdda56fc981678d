package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/labdash/labdash/db"
)

// TestLabHeatmap: the grid's column header opens the lab's students × checkpoints
// view; a lab the class does not have (another class's, a made-up one, hostile
// text) is a clear 404, never a 500 or another class's data.
func TestLabHeatmap(t *testing.T) {
	h := newHarness(t)
	in := h.as(h.instructor)
	base := "/classes/" + h.class.ID + "/labs/"

	console := in.get("/classes/" + h.class.ID)
	if !strings.Contains(console.body, `href="`+base+`fargate"`) {
		t.Fatalf("the console's grid does not link to the fargate heatmap:\n%.2000s", console.body)
	}

	r := in.get(base + "fargate")
	if r.status != http.StatusOK {
		t.Fatalf("heatmap: %d\n%.500s", r.status, r.body)
	}
	for _, want := range []string{`data-testid="heatmap"`, `data-testid="heatmap-summary"`, `data-student="` + h.a.slug + `"`, "0 of ", `data-testid="heatmap-key"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("heatmap lacks %s:\n%.3000s", want, r.body)
		}
	}
	// Every cell says its status in text (a mark and a word), not by colour alone.
	if n := strings.Count(r.body, `class="hm hm-pending" data-status="pending"`); n == 0 {
		t.Errorf("no pending cells before any reading:\n%.3000s", r.body)
	}
	if strings.Count(r.body, `<abbr title="pending" aria-hidden="true">○</abbr>`) != strings.Count(r.body, `class="hm hm-pending"`) {
		t.Error("a pending cell without its text mark")
	}

	for name, lab := range map[string]string{
		"another class's lab": "xray",
		"made up":             "nope",
		"near miss":           "Fargate",
		"markup":              url.PathEscape(`<script>alert(1)<`) + "x",
		"very long":           strings.Repeat("a", 5000),
	} {
		t.Run(name, func(t *testing.T) {
			r := in.get(base + lab)
			if r.status != http.StatusNotFound {
				t.Fatalf("status %d, want 404\n%.300s", r.status, r.body)
			}
			if !strings.Contains(r.body, "this class has no such lab") {
				t.Errorf("404 page does not say what was wrong:\n%.1000s", r.body)
			}
			if strings.Contains(r.body, "<script>alert") {
				t.Error("hostile lab id echoed unescaped")
			}
		})
	}
}

// TestLabHeatmapAfterCleanupIsHistory: after a whole-class cleanup the console's grid
// and the heatmap say they are history, with the date.
func TestLabHeatmapAfterCleanupIsHistory(t *testing.T) {
	h := newHarness(t)
	in := h.as(h.instructor)
	heat := "/classes/" + h.class.ID + "/labs/fargate"
	if b := in.get(heat).body; strings.Contains(b, "History —") {
		t.Fatalf("history before any cleanup:\n%.2000s", b)
	}
	finishCleanup(t, h, finishProvisioning(t, h), db.OutcomeVerified)
	b := in.get(heat).body
	if !strings.Contains(b, `data-testid="heatmap-history"`) || !strings.Contains(b, "History — the class was cleaned up on 20") {
		t.Errorf("the heatmap after the cleanup is not marked as history:\n%.3000s", b)
	}
	if strings.Contains(b, `hx-trigger="every`) {
		t.Error("the heatmap still re-reads itself after the cleanup")
	}
	if c := in.get("/classes/" + h.class.ID).body; !strings.Contains(c, "History — the class was cleaned up on 20") || strings.Contains(c, "ws-connect") {
		t.Errorf("the console's grid after the cleanup is not history:\n%.3000s", c)
	}
}
