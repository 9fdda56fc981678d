package svg

import (
	"fmt"
	"strings"

	"github.com/labdash/labdash/labs"
)

// Layout of Lab 3's DNS answer panel: the resolver on the left asking, one box
// per step to the right (one for an alias, two for a CNAME), each with its
// answer and TTL, then a line on the zone apex and Route 53's own answer.
const (
	dnsPad    = 10
	dnsBoxH   = 64
	dnsGap    = 36 // arrow between boxes
	dnsTop    = 30
	dnsMinBox = 220
)

// DNSResolution draws the DNS answer panel at its natural size; its time is said
// to be simulated when it comes from the simulator's clock. "" for nil.
func DNSResolution(d *labs.DNSResolution, simulated bool) string {
	if d == nil {
		return ""
	}
	type boxText struct{ q, a, ttl, note string }
	var boxes []boxText
	width := dnsPad
	for i, st := range d.Steps {
		bt := boxText{
			q:    fmt.Sprintf("%d. %s ?", i+1, clipText(st.Name, 60)),
			a:    st.Type + " " + clipText(strings.Join(st.Data, ", "), 70),
			ttl:  fmt.Sprintf("TTL %d s", st.TTL),
			note: clipText(st.TTLNote, 50),
		}
		boxes = append(boxes, bt)
		w := max(dnsMinBox, textWidth(bt.q, 12, true)+2*dnsPad, monoWidth(bt.a, 11)+2*dnsPad, textWidth(bt.ttl+" · "+bt.note, 11, false)+2*dnsPad)
		width += w + dnsGap
	}
	title := fmt.Sprintf("%s is %s: %s", d.Name, orNone(d.Kind), labs.Plural(len(d.Steps), "step", "steps"))
	apex := "an alias can sit at the zone apex " + d.Apex + "; a CNAME cannot (the apex holds SOA and NS)"
	if !d.ApexOK {
		apex = "a CNAME cannot sit at the zone apex " + d.Apex + " (the apex holds SOA and NS); an alias can"
	}
	ans := "Route 53's name server: not asked yet"
	if d.ResponseCode != "" {
		ans = fmt.Sprintf("Route 53's name server %s: %s %s", clipText(d.Nameserver, 40), d.ResponseCode, clipText(strings.Join(d.RecordData, ", "), 80))
	}
	lines := []string{clipText(apex, 120), ans}
	if d.Note != "" {
		lines = append(lines, clipText(d.Note, 140))
	}
	if d.Delegation != "" {
		lines = append(lines, clipText(d.Delegation, 140))
	}
	if !d.Changed.IsZero() {
		lines = append(lines, "record last changed "+labs.Clock(d.Changed, simulated))
	}
	for _, l := range append(lines, title) {
		width = max(width, textWidth(l, 11, false)+2*dnsPad)
	}
	width = max(width, 320)
	height := dnsTop + dnsBoxH + 20 + 16*len(lines)

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="dns-answer" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" tabindex="0" data-kind="%s" data-steps="%d">`,
		width, height, width, height, esc(title), esc(d.Kind), len(d.Steps))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="13" font-weight="bold">%s</text>`, dnsPad, esc(title))
	x := dnsPad
	for i, bt := range boxes {
		w := max(dnsMinBox, textWidth(bt.q, 12, true)+2*dnsPad, monoWidth(bt.a, 11)+2*dnsPad, textWidth(bt.ttl+" · "+bt.note, 11, false)+2*dnsPad)
		fill, stroke := "#eef6ee", "#1a7f37"
		if d.Steps[i].Type == "CNAME" {
			fill, stroke = "#fff6e5", "#9a6700"
		}
		fmt.Fprintf(&b, `<g class="dns-step" data-type="%s" data-ttl="%d">`, esc(d.Steps[i].Type), d.Steps[i].TTL)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="8" fill="%s" stroke="%s"/>`, x, dnsTop, w, dnsBoxH, fill, stroke)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" font-weight="bold">%s</text>`, x+dnsPad, dnsTop+18, esc(bt.q))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" font-family="monospace">%s</text>`, x+dnsPad, dnsTop+36, esc(bt.a))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11">%s</text>`, x+dnsPad, dnsTop+54, esc(bt.ttl+" · "+bt.note))
		b.WriteString(`</g>`)
		x += w
		if i < len(boxes)-1 {
			y := dnsTop + dnsBoxH/2
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#5b6770" stroke-width="2"/>`, x+4, y, x+dnsGap-10, y)
			fmt.Fprintf(&b, `<polygon points="%d,%d %d,%d %d,%d" fill="#5b6770"/>`, x+dnsGap-10, y-5, x+dnsGap-3, y, x+dnsGap-10, y+5)
		}
		x += dnsGap
	}
	y := dnsTop + dnsBoxH + 20
	for i, l := range lines {
		attr := ""
		if i == 0 {
			attr = ` data-testid="dns-apex"`
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11"%s>%s</text>`, dnsPad, y, attr, esc(l))
		y += 16
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "no record"
	}
	return s
}
