package web

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"github.com/labdash/labdash/labs"
)

// CellView is one live student × lab cell of the console grid.
type CellView struct {
	Slug    string
	Lab     string
	LabName string // the lab's title, the cell's label when the grid stacks on a phone
	Tone    string // "none", "pending", "progress", "fail", "pass"
	Label   string // "4/9"
	Running int    // task-count badge; -1 hides it
	Alarm   string // alarm lamp; "" hides it
	// Badge is a short text (the region serving an accelerator, an error rate), "" hides it.
	Badge, BadgeTone string
	// Stale shows the cell holds the last state read: this cycle's reads failed.
	Stale bool
	Title string // full text for screen readers and the tooltip
	OOB   bool   // render as an htmx out-of-band swap
}

// CheckItem is one checkpoint on a student's checklist.
type CheckItem struct {
	Title    string
	Status   string
	Evidence string
	Optional bool
}

// ChecklistView is a student's checklist for one lab.
type ChecklistView struct {
	Slug  string
	Lab   string
	Items []CheckItem
	OOB   bool
}

// WidgetBox is one live widget of a student.
type WidgetBox struct {
	Slug  string
	Lab   string
	ID    string
	Title string
	View  labs.WidgetView
	OOB   bool
	// Simulated says the widget's times come from the simulator's clock, so they
	// are labelled "simulated time".
	Simulated bool
}

func cellID(slug, lab string) string       { return "cell-" + slug + "-" + lab }
func checklistID(slug, lab string) string  { return "checklist-" + slug + "-" + lab }
func widgetID(slug, lab, id string) string { return "w-" + slug + "-" + lab + "-" + id }
func oob(b bool) string {
	if b {
		return "true"
	}
	return ""
}

// sparkPoints turns values into an SVG polyline's points in a w×h box.
func sparkPoints(vals []float64, w, h float64) string {
	if len(vals) == 0 {
		return ""
	}
	hi := 0.0
	for _, v := range vals {
		hi = max(hi, v)
	}
	if hi == 0 {
		hi = 1
	}
	step := w
	if len(vals) > 1 {
		step = w / float64(len(vals)-1)
	}
	var b strings.Builder
	for i, v := range vals {
		fmt.Fprintf(&b, "%.1f,%.1f ", float64(i)*step, h-(v/hi)*(h-2)-1)
	}
	return strings.TrimSpace(b.String())
}

func fmtFloat(f float64) string { return fmt.Sprintf("%.1f", f) }

// toneMark is the text mark of a cell tone, so a tone never reads by colour alone
// ("" for not built: its label is already "–").
func toneMark(tone string) string {
	return map[string]string{"pass": "✓", "progress": "◐", "fail": "✗", "pending": "○"}[tone]
}

// LabSummary is the grid's class summary for one lab: how many students passed
// every checkpoint.
type LabSummary struct {
	Lab   string
	Label string // the lab's title (the phone layout's label)
	Done  int
	Total int
	Built bool
}

// Text is the summary as shown: "7 of 12 done".
func (s LabSummary) Text() string {
	if !s.Built {
		return "not built"
	}
	return fmt.Sprintf("%d of %d done", s.Done, s.Total)
}

// gridSummaries counts, per lab column, the students whose cell is passed.
func gridSummaries(p ConsolePage) []LabSummary {
	out := make([]LabSummary, len(p.Labs))
	for i, l := range p.Labs {
		out[i] = LabSummary{Lab: l.ID, Label: l.Title, Total: len(p.Students)}
		for _, st := range p.Students {
			if i >= len(st.Cells) {
				continue
			}
			if st.Cells[i].Tone != "none" {
				out[i].Built = true
			}
			if st.Cells[i].Tone == "pass" {
				out[i].Done++
			}
		}
	}
	return out
}

// cleanedHow is the grid's history note's " (verified)" or " (not verified)".
func cleanedHow(verified bool) string {
	if verified {
		return " (verified: a fresh sweep found nothing left)"
	}
	return " (not verified)"
}

// linkURL is a widget link's href: only an absolute http or https URL with a
// host is drawn, never javascript:, data: or a relative path that would land on
// labdash's own origin.
func linkURL(raw string) (templ.SafeURL, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", false
	}
	return templ.SafeURL(u.String()), true
}
