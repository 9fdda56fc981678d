package svg

import (
	"fmt"
	"html"
	"strings"

	"github.com/labdash/labdash/labs"
)

// Layout of the failover diagram: the accelerator on the left, one box per
// endpoint region stacked on the right, an arrow to the region answering the
// probe, and the timeline of failovers and recoveries underneath.
const (
	foWidth    = 640
	foBoxW     = 250
	foBoxH     = 62
	foGap      = 12
	foTop      = 34
	foAccX     = 16
	foAccW     = 200
	foRegionX  = foWidth - foBoxW - 16
	foTimeline = 5 // transitions shown
)

// Failover draws Lab 5's two-region view. It returns "" for nil.
func Failover(f *labs.Failover) string {
	if f == nil {
		return ""
	}
	groups := f.Groups
	boxes := max(len(groups), 1)
	height := foTop + boxes*(foBoxH+foGap) + 24 + 16*min(len(f.Timeline), foTimeline) + 12
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="failover" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="fo-title">`, foWidth, height)
	title := "Global Accelerator " + f.Accelerator + ": "
	if f.Answering != "" {
		title += "traffic answered by " + f.Answering
	} else {
		title += "no region answers"
	}
	fmt.Fprintf(&b, `<title id="fo-title">%s</title>`, esc(title))

	// The accelerator: name, status, static IPs.
	accH := 70
	accY := foTop + (boxes*(foBoxH+foGap)-foGap)/2 - accH/2
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="8" class="fo-acc" fill="#eef1f4" stroke="#5b6770"/>`, foAccX, accY, foAccW, accH)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`, foAccX+10, accY+20, esc(clipText(f.Accelerator, 26)))
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" data-status="%s">%s</text>`, foAccX+10, accY+38, esc(f.Status), esc(f.Status))
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" font-family="monospace">%s</text>`, foAccX+10, accY+56, esc(clipText(strings.Join(f.IPs, "  "), 30)))

	// One box per region.
	answerY := -1
	for i, g := range groups {
		y := foTop + i*(foBoxH+foGap)
		fill, stroke := healthColours(g.Health)
		answering := g.Region == f.Answering && f.Answering != ""
		width := "1"
		if answering {
			width, answerY = "3", y+foBoxH/2
		}
		fmt.Fprintf(&b, `<g class="fo-region" data-region="%s" data-health="%s">`, esc(g.Region), esc(g.Health))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="8" fill="%s" stroke="%s" stroke-width="%s"/>`, foRegionX, y, foBoxW, foBoxH, fill, stroke, width)
		health := g.Health
		if health == "" {
			health = "no endpoint group"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`, foRegionX+10, y+18, esc(g.Region))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" text-anchor="end">%s · dial %s%%</text>`, foRegionX+foBoxW-10, y+18, esc(health), smNum(g.Dial))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11">targets %s · instance %s</text>`, foRegionX+10, y+36, esc(clipText(g.Targets, 12)), esc(clipText(g.Instance, 10)))
		if g.Reason != "" {
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10" fill="#6b4b00">%s</text>`, foRegionX+10, y+53, esc(clipText(g.Reason, 44)))
		}
		b.WriteString(`</g>`)
	}
	if len(groups) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">no endpoint groups yet</text>`, foRegionX+10, foTop+foBoxH/2)
	}

	// The traffic arrow, to the answering region, with the probe's latency.
	midY := accY + accH/2
	if answerY >= 0 {
		x1, x2 := foAccX+foAccW, foRegionX-6
		fmt.Fprintf(&b, `<path class="fo-traffic" d="M%d %d C%d %d %d %d %d %d" fill="none" stroke="#1a7f37" stroke-width="3"/>`,
			x1, midY, x1+60, midY, x2-60, answerY, x2, answerY)
		fmt.Fprintf(&b, `<polygon points="%d,%d %d,%d %d,%d" fill="#1a7f37"/>`, x2, answerY-6, x2+8, answerY, x2, answerY+6)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" text-anchor="middle" data-testid="fo-answering">answered by %s in %d ms</text>`,
			(x1+x2)/2, min(midY, answerY)-8, esc(f.Answering), f.LatencyMS)
	} else {
		why := "no answer"
		if f.ProbeError != "" {
			why = "no answer: " + clipText(f.ProbeError, 40)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#b42318" data-testid="fo-answering">%s</text>`, foAccX+foAccW+12, midY+4, esc(why))
	}

	// Timeline of failovers and recoveries, newest first.
	y := foTop + boxes*(foBoxH+foGap) + 14
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" font-weight="bold">Answering region over time</text>`, foAccX, y)
	if len(f.Timeline) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11">no change seen yet</text>`, foAccX+200, y)
	}
	for i, t := range f.Timeline {
		if i == foTimeline {
			break
		}
		y += 16
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" class="fo-event">%s  %s → %s</text>`, foAccX, y, t.At.UTC().Format("15:04:05"), esc(t.From), esc(t.To))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// healthColours are an endpoint group's fill and stroke for its health.
func healthColours(h string) (fill, stroke string) {
	switch h {
	case "HEALTHY":
		return "#dff3e4", "#1a7f37"
	case "UNHEALTHY":
		return "#fde2e0", "#b42318"
	default:
		return "#f3f4f6", "#6b7280"
	}
}

// esc escapes text for SVG (XML): names come from AWS and from students.
func esc(s string) string { return html.EscapeString(s) }

// clipText shortens s to n runes with an ellipsis.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
