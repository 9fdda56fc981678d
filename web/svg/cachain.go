package svg

import (
	"fmt"
	"strings"

	"github.com/labdash/labdash/labs"
)

// Layout of the CA hierarchy: four boxes left to right joined by arrows (root
// signs the subordinate, which signs the certificate, which the listener
// presents), a cost line above and the TLS probe's result below.
const (
	chBoxW = 220
	chBoxH = 92
	chGap  = 34
	chTop  = 34
	chLeft = 12
)

// CAChain draws Lab 9's hierarchy at its natural size. Boxes the student has
// not made yet are dashed. It returns "" for nil.
func CAChain(c *labs.CAChain) string {
	if c == nil {
		return ""
	}
	n := max(len(c.Nodes), 1)
	width := chLeft*2 + n*chBoxW + (n-1)*chGap
	tlsLines := wrapWords("TLS probe: "+c.TLS, 150, 2)
	height := chTop + chBoxH + 28 + 16*len(tlsLines)
	var b strings.Builder
	title := fmt.Sprintf("CA hierarchy: %d billed CAs; %s", c.Billed, c.TLS)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="cachain" width="%d" height="%d" viewBox="0 0 %d %d" role="img" tabindex="0" aria-label="%s">`,
		width, height, width, height, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	cost := fmt.Sprintf("%d CA%s billed: $%.0f/month each, prorated, until deleted (DISABLED still bills)", c.Billed, plural(c.Billed), c.MonthlyUSD)
	costTone, costFill := "ok", "#1f2328"
	if c.Billed > 2 {
		costTone, costFill = "bad", "#b42318"
	}
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="12" class="tone-%s" fill="%s" data-testid="ca-cost">%s</text>`, chLeft, costTone, costFill, esc(cost))
	for i, nd := range c.Nodes {
		x := chLeft + i*(chBoxW+chGap)
		dash := ""
		if nd.Missing {
			dash = ` stroke-dasharray="5 4"`
		}
		fill, stroke := chainColors(nd.Tone, nd.Missing)
		fmt.Fprintf(&b, `<g class="node tone-%s" data-kind="%s" data-state="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="6" fill="%s" stroke="%s" stroke-width="1.5"%s/>`,
			esc(nd.Tone), esc(nd.Kind), esc(nd.State), x, chTop, chBoxW, chBoxH, fill, stroke, dash)
		lines := []struct {
			s    string
			size int
			bold bool
		}{{nd.Kind, 11, false}, {clipText(nd.Name, 28), 12, true}, {clipText(nd.State+" "+nd.Detail, 34), 11, false}, {clipText(notAfter(nd.NotAfter), 34), 11, false}, {clipText(nd.InUse, 34), 11, false}}
		for j, l := range lines {
			if l.s == "" || strings.TrimSpace(l.s) == "" {
				continue
			}
			weight := ""
			if l.bold {
				weight = ` font-weight="bold"`
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%d" fill="#1f2328"%s>%s</text>`, x+8, chTop+16+j*17, l.size, weight, esc(l.s))
		}
		b.WriteString(`</g>`)
		if i < len(c.Nodes)-1 {
			ax, ay := x+chBoxW+2, chTop+chBoxH/2
			fmt.Fprintf(&b, `<path d="M%d %d H%d m-6 -5 l6 5 l-6 5" fill="none" stroke="#5b6770"/>`, ax, ay, ax+chGap-4)
		}
	}
	tone, tlsFill := "bad", "#b42318"
	if c.TLSOK {
		tone, tlsFill = "ok", "#1a7f37"
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" class="tone-%s" fill="%s" data-testid="tls">`, chLeft, chTop+chBoxH+26, tone, tlsFill)
	for i, l := range tlsLines {
		fmt.Fprintf(&b, `<tspan x="%d" dy="%d">%s</tspan>`, chLeft, min(i, 1)*16, esc(l))
	}
	b.WriteString(`</text>`)
	b.WriteString(`</svg>`)
	return b.String()
}

// chainColors are a box's fill and stroke by tone; a box not made yet is grey.
func chainColors(tone string, missing bool) (fill, stroke string) {
	switch {
	case missing:
		return "#f6f8fa", "#6b7280"
	case tone == "ok":
		return "#dff3e4", "#1a7f37"
	case tone == "warn":
		return "#fff1d6", "#9a6700"
	case tone == "bad":
		return "#fde2e0", "#b42318"
	}
	return "#f6f8fa", "#5b6770"
}

// wrapWords breaks s at spaces into at most max lines of about width runes; the
// last line is clipped with "…".
func wrapWords(s string, width, max int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	lines = append(lines, line)
	if len(lines) > max {
		last := strings.Join(lines[max-1:], " ")
		lines = append(lines[:max-1], clipText(last, width))
	}
	for i := range lines {
		lines[i] = clipText(lines[i], width)
	}
	return lines
}

func notAfter(s string) string {
	if s == "" {
		return ""
	}
	return "NotAfter " + s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
