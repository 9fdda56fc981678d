package svg

import (
	"fmt"
	"strings"

	"github.com/labdash/labdash/labs"
)

// Layout of a stacked bar: one bar across, each segment as wide as its share of
// the total, and a legend underneath naming every segment with its count, so the
// bar never reads by colour alone.
const (
	barW      = 360
	barH      = 26
	barTop    = 8
	barLegend = 18 // one legend line
)

// barColours are the fill and text colours of each tone (the failover diagram's).
func barColours(tone string) (fill, text string) {
	switch tone {
	case "ok":
		return "#1a7f37", "#ffffff"
	case "warn":
		return "#d4a72c", "#1f2328"
	case "bad":
		return "#b42318", "#ffffff"
	}
	return "#c9d1d9", "#1f2328"
}

// Bar draws a stacked bar of counts with its legend (width and height in px). An
// empty segment takes no width but keeps its legend line ("0 still launching"),
// so the legend reads the same every time. It returns "" for nil.
func Bar(b *labs.Bar) string {
	if b == nil {
		return ""
	}
	height := barTop + barH + 10 + barLegend*max(len(b.Segments), 1) + 6
	if b.Note != "" {
		height += barLegend
	}
	var s strings.Builder
	var words []string
	for _, sg := range b.Segments {
		words = append(words, fmt.Sprintf("%d %s", sg.Value, sg.Label))
	}
	aria := fmt.Sprintf("%d %s: %s", b.Total, b.Label, strings.Join(words, ", "))
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" class="bar" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s" data-testid="bar">`,
		barW, height, barW, height, esc(aria))
	fmt.Fprintf(&s, `<rect x="0" y="%d" width="%d" height="%d" rx="4" fill="#f6f8fa" stroke="#5b6770"/>`, barTop, barW, barH)
	x := 0.0
	for i, sg := range b.Segments {
		if b.Total <= 0 || sg.Value <= 0 {
			continue
		}
		w := float64(barW) * float64(sg.Value) / float64(b.Total)
		fill, text := barColours(sg.Tone)
		fmt.Fprintf(&s, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" data-segment="%d" data-value="%d"/>`, x, barTop, w, barH, fill, i, sg.Value)
		if label := fmt.Sprint(sg.Value); w >= float64(textWidth(label, 12, true)+6) {
			fmt.Fprintf(&s, `<text x="%.1f" y="%d" font-size="12" font-weight="bold" text-anchor="middle" fill="%s">%s</text>`, x+w/2, barTop+barH/2+4, text, esc(label))
		}
		x += w
	}
	y := barTop + barH + 10
	for _, sg := range b.Segments {
		fill, _ := barColours(sg.Tone)
		mark := ""
		if b.Mark != "" && sg.Label == b.Mark {
			mark = "  ← this student"
		}
		fmt.Fprintf(&s, `<rect x="0" y="%d" width="12" height="12" fill="%s"/>`, y, fill)
		fmt.Fprintf(&s, `<text x="18" y="%d" font-size="12" fill="#1f2328">%s</text>`, y+10, esc(clipText(fmt.Sprintf("%d %s%s", sg.Value, sg.Label, mark), 60)))
		y += barLegend
	}
	if b.Note != "" {
		fmt.Fprintf(&s, `<text x="0" y="%d" font-size="11" fill="#57606a">%s</text>`, y+10, esc(clipText(b.Note, 70)))
	}
	s.WriteString(`</svg>`)
	return s.String()
}
