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
	chBoxW = 190
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
	height := chTop + chBoxH + 44
	var b strings.Builder
	title := fmt.Sprintf("CA hierarchy: %d billed CAs; %s", c.Billed, c.TLS)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="cachain" width="%d" height="%d" viewBox="0 0 %d %d" role="img" tabindex="0" aria-label="%s">`,
		width, height, width, height, esc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	cost := fmt.Sprintf("%d CA%s billed: $%.0f/month each, prorated, until deleted (DISABLED still bills)", c.Billed, plural(c.Billed), c.MonthlyUSD)
	costTone := "ok"
	if c.Billed > 2 {
		costTone = "bad"
	}
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="12" class="tone-%s" data-testid="ca-cost">%s</text>`, chLeft, costTone, esc(cost))
	for i, nd := range c.Nodes {
		x := chLeft + i*(chBoxW+chGap)
		dash := ""
		if nd.Missing {
			dash = ` stroke-dasharray="5 4"`
		}
		fmt.Fprintf(&b, `<g class="node tone-%s" data-kind="%s" data-state="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="6" fill="none" stroke="currentColor"%s/>`,
			esc(nd.Tone), esc(nd.Kind), esc(nd.State), x, chTop, chBoxW, chBoxH, dash)
		lines := []struct {
			s    string
			size int
			bold bool
		}{{nd.Kind, 11, false}, {clipText(nd.Name, 28), 12, true}, {clipText(nd.State+" "+nd.Detail, 30), 11, false}, {clipText(notAfter(nd.NotAfter), 30), 11, false}, {clipText(nd.InUse, 30), 11, false}}
		for j, l := range lines {
			if l.s == "" || strings.TrimSpace(l.s) == "" {
				continue
			}
			weight := ""
			if l.bold {
				weight = ` font-weight="bold"`
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="%d"%s>%s</text>`, x+8, chTop+16+j*17, l.size, weight, esc(l.s))
		}
		b.WriteString(`</g>`)
		if i < len(c.Nodes)-1 {
			ax, ay := x+chBoxW+2, chTop+chBoxH/2
			fmt.Fprintf(&b, `<path d="M%d %d H%d m-6 -5 l6 5 l-6 5" fill="none" stroke="currentColor"/>`, ax, ay, ax+chGap-4)
		}
	}
	tone := "bad"
	if c.TLSOK {
		tone = "ok"
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" class="tone-%s" data-testid="tls">%s</text>`, chLeft, chTop+chBoxH+26, tone, esc(clipText("TLS probe: "+c.TLS, 140)))
	b.WriteString(`</svg>`)
	return b.String()
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
