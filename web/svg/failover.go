package svg

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"

	"github.com/labdash/labdash/labs"
)

// Layout of the failover diagram: the accelerator on the left, one box per
// endpoint region stacked on the right, an arrow to the region answering the
// probe, and the timeline of failovers and recoveries underneath. Boxes grow to
// fit their text (textWidth), so no label is cut; the minimums keep the usual
// two-region diagram as it was.
const (
	foBoxW     = 250 // narrowest region box
	foBoxH     = 62
	foGap      = 12
	foTop      = 34
	foAccX     = 16
	foAccW     = 200 // narrowest accelerator box
	foArrowW   = 170 // narrowest gap for the traffic arrow and its label
	foPad      = 10  // text inset in a box
	foTimeline = 5   // transitions shown
)

// Failover draws Lab 5's two-region view at its natural size (width and height
// in px), so a narrow screen scrolls it rather than shrinking its text; the SVG
// is focusable so a keyboard can scroll it too. Its timeline's times are said to
// be simulated when they come from the simulator's clock. It returns "" for nil.
func Failover(f *labs.Failover, simulated bool) string {
	if f == nil {
		return ""
	}
	groups := f.Groups
	boxes := max(len(groups), 1)
	height := foTop + boxes*(foBoxH+foGap) + 24 + 16*max(min(len(f.Timeline), foTimeline), 1) + 12

	// What each box says, measured before anything is placed.
	accName := clipText(f.Accelerator, 40)
	ips := clipText(strings.Join(f.IPs, "  "), 40)
	accW := max(foAccW, textWidth(accName, 13, true)+2*foPad, textWidth(f.Status, 11, false)+2*foPad, monoWidth(ips, 11)+2*foPad)
	type regionText struct{ name, health, detail, reason string }
	texts := make([]regionText, len(groups))
	boxW := foBoxW
	for i, g := range groups {
		health := g.Health
		if health == "" {
			health = "no endpoint group"
		}
		rt := regionText{
			name:   clipText(g.Region, 32),
			health: clipText(health, 24) + " · dial " + smNum(g.Dial) + "%",
			detail: "targets " + clipText(g.Targets, 32) + " · instance " + clipText(g.Instance, 24),
			reason: clipText(g.Reason, 64),
		}
		texts[i] = rt
		boxW = max(boxW, textWidth(rt.name, 13, true)+textWidth(rt.health, 11, false)+3*foPad,
			textWidth(rt.detail, 11, false)+2*foPad, textWidth(rt.reason, 11, false)+2*foPad)
	}
	label := ""
	if f.Answering != "" && answeringIndex(f) >= 0 {
		label = fmt.Sprintf("answered by %s in %d ms", clipText(f.Answering, 32), f.LatencyMS)
	} else {
		label = "no answer"
		if f.ProbeError != "" {
			label = "no answer: " + clipText(f.ProbeError, 40)
		}
	}
	gap := max(foArrowW, textWidth(label, 11, false)+24)
	regionX := foAccX + accW + gap
	width := regionX + boxW + 16

	var b strings.Builder
	title := "Global Accelerator " + f.Accelerator + ": "
	if f.Answering != "" {
		title += "traffic answered by " + f.Answering
	} else {
		title += "no region answers"
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="failover" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" tabindex="0">`, width, height, width, height, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))

	// The accelerator: name, status, static IPs.
	accH := 70
	accY := foTop + (boxes*(foBoxH+foGap)-foGap)/2 - accH/2
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="8" class="fo-acc" fill="#eef1f4" stroke="#5b6770"/>`, foAccX, accY, accW, accH)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`, foAccX+foPad, accY+20, esc(accName))
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" data-status="%s">%s</text>`, foAccX+foPad, accY+38, esc(f.Status), esc(f.Status))
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" font-family="monospace">%s</text>`, foAccX+foPad, accY+56, esc(ips))

	// One box per region.
	answerY := -1
	for i, g := range groups {
		y := foTop + i*(foBoxH+foGap)
		fill, stroke := healthColours(g.Health)
		answering := g.Region == f.Answering && f.Answering != ""
		sw := "1"
		if answering {
			sw, answerY = "3", y+foBoxH/2
		}
		rt := texts[i]
		fmt.Fprintf(&b, `<g class="fo-region" data-region="%s" data-health="%s">`, esc(g.Region), esc(g.Health))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="8" fill="%s" stroke="%s" stroke-width="%s"/>`, regionX, y, boxW, foBoxH, fill, stroke, sw)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`, regionX+foPad, y+18, esc(rt.name))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" text-anchor="end">%s</text>`, regionX+boxW-foPad, y+18, esc(rt.health))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11">%s</text>`, regionX+foPad, y+36, esc(rt.detail))
		if rt.reason != "" {
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#6b4b00">%s</text>`, regionX+foPad, y+53, esc(rt.reason))
		}
		b.WriteString(`</g>`)
	}
	if len(groups) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">no endpoint groups yet</text>`, regionX+foPad, foTop+foBoxH/2)
	}

	// The traffic arrow, to the answering region, with the probe's latency.
	midY := accY + accH/2
	if answerY >= 0 {
		x1, x2 := foAccX+accW, regionX-6
		fmt.Fprintf(&b, `<path class="fo-traffic" d="M%d %d C%d %d %d %d %d %d" fill="none" stroke="#1a7f37" stroke-width="3"/>`,
			x1, midY, x1+60, midY, x2-60, answerY, x2, answerY)
		fmt.Fprintf(&b, `<polygon points="%d,%d %d,%d %d,%d" fill="#1a7f37"/>`, x2, answerY-6, x2+8, answerY, x2, answerY+6)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" text-anchor="middle" data-testid="fo-answering">%s</text>`,
			(x1+x2)/2, min(midY, answerY)-8, esc(label))
	} else {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#b42318" data-testid="fo-answering">%s</text>`, foAccX+accW+12, midY+4, esc(label))
	}

	// Timeline of failovers and recoveries, newest first.
	y := foTop + boxes*(foBoxH+foGap) + 14
	clock := "UTC"
	if simulated {
		clock = "simulated time"
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" font-weight="bold">Answering region over time (%s)</text>`, foAccX, y, clock)
	if len(f.Timeline) == 0 {
		// On its own line: beside the heading it ran into "(simulated time)".
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11">no change seen yet</text>`, foAccX, y+16)
	}
	for i, t := range f.Timeline {
		if i == foTimeline {
			break
		}
		y += 16
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" class="fo-event">%s  %s → %s</text>`, foAccX, y, t.At.UTC().Format("15:04:05"), esc(clipText(t.From, 32)), esc(clipText(t.To, 32)))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// answeringIndex is the index of the group that answered, or -1.
func answeringIndex(f *labs.Failover) int {
	for i, g := range f.Groups {
		if g.Region == f.Answering {
			return i
		}
	}
	return -1
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

// esc escapes text for SVG (XML): names come from AWS and from students. It
// first replaces what XML 1.0 cannot carry (see xmlSafe), since a single control
// character makes the whole diagram unreadable to an XML parser.
func esc(s string) string { return html.EscapeString(xmlSafe(s)) }

// xmlSafe replaces with U+FFFD every rune XML 1.0 does not allow or that would
// only confuse a reader: C0 controls but tab and newline, DEL, C1 controls,
// U+FFFE/U+FFFF, and bytes that are not UTF-8.
func xmlSafe(s string) string {
	ok := true
	for _, r := range s {
		if !xmlChar(r) || r == utf8.RuneError {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s { // ranging over invalid UTF-8 yields utf8.RuneError
		if !xmlChar(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

func xmlChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return true
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return false
	case r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff:
		return false
	}
	return r <= 0x10ffff
}

// textWidth is a generous estimate of how wide s draws in px at size in a
// sans-serif font, so boxes sized by it hold their text in any common font.
func textWidth(s string, size int, bold bool) int {
	em := 0.6
	if bold {
		em = 0.66
	}
	return int(float64(utf8.RuneCountInString(s))*float64(size)*em + 0.5)
}

// monoWidth is how wide s draws in px at size in a monospace font.
func monoWidth(s string, size int) int {
	return int(float64(utf8.RuneCountInString(s))*float64(size)*0.62 + 0.5)
}

// clipText shortens s to n runes with an ellipsis.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
