package svg

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/labdash/labdash/labs"
)

// Service map geometry: columns by call depth, left to right like the X-Ray console.
const (
	smColW    = 230 // distance between columns
	smRowH    = 130 // distance between nodes of one column
	smMarginX = 90
	smMarginY = 70
	smRadius  = 30
	smRing    = 7 // ring stroke width
)

// ServiceMap draws Lab 7's X-Ray service graph: nodes laid out left to right by
// call depth (client → app → DynamoDB/SNS), each a circle whose ring shows its
// ok/error/fault share in green/orange/red with its average latency and
// requests per minute, and edges as arrows labelled with average latency and rate.
// A nil or empty map draws an empty frame. Output is deterministic. The map is
// drawn at its natural size (width and height in px) with no text under 11 px, so
// a narrow screen scrolls it rather than shrinking its text; it is focusable so a
// keyboard can scroll it too.
func ServiceMap(m *labs.ServiceMap) string {
	if m == nil || len(m.Nodes) == 0 {
		return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 80" width="320" height="80" role="img" aria-label="X-Ray service map"><text x="160" y="44" text-anchor="middle" font-family="sans-serif" font-size="13" fill="#666">No traces yet</text></svg>`
	}
	nodes := append([]labs.MapNode(nil), m.Nodes...)
	idx := map[int32]int{}
	for i, n := range nodes {
		if _, dup := idx[n.ID]; !dup {
			idx[n.ID] = i
		}
	}
	var edges []labs.MapEdge
	incoming := make([]float64, len(nodes))
	hasIn := make([]bool, len(nodes))
	for _, e := range m.Edges {
		f, okF := idx[e.From]
		t, okT := idx[e.To]
		if !okF || !okT || f == t {
			continue
		}
		edges = append(edges, e)
		hasIn[t] = true
		if smFinite(e.PerMinute) {
			incoming[t] += e.PerMinute
		}
	}
	// Depth: longest path from a node nobody calls (clients, roots), bounded by the
	// node count so cycles cannot loop.
	depth := make([]int, len(nodes))
	for round := 0; round < len(nodes); round++ {
		changed := false
		for _, e := range edges {
			f, t := idx[e.From], idx[e.To]
			if depth[t] < depth[f]+1 && depth[f]+1 < len(nodes) {
				depth[t], changed = depth[f]+1, true
			}
		}
		if !changed {
			break
		}
	}
	cols := map[int][]int{}
	maxDepth := 0
	for i := range nodes {
		cols[depth[i]] = append(cols[depth[i]], i)
		maxDepth = max(maxDepth, depth[i])
	}
	maxRows := 0
	for d := 0; d <= maxDepth; d++ {
		c := cols[d]
		sort.SliceStable(c, func(a, b int) bool {
			if nodes[c[a]].Name != nodes[c[b]].Name {
				return nodes[c[a]].Name < nodes[c[b]].Name
			}
			return nodes[c[a]].ID < nodes[c[b]].ID
		})
		maxRows = max(maxRows, len(c))
	}
	// Columns are as far apart as the widest label needs, so no label is cut or
	// runs into its neighbour's.
	names := make([]string, len(nodes))
	subs := make([]string, len(nodes))
	labelW := 0
	for i, n := range nodes {
		names[i] = n.Name
		if n.Type == "client" || names[i] == "" {
			names[i] = "client"
		}
		names[i] = clipText(names[i], 40)
		labelW = max(labelW, textWidth(names[i], 12, false))
		if n.Type != "client" {
			subs[i] = smNum(incoming[i]) + "/min · " + clipText(smShortType(n.Type), 40)
			labelW = max(labelW, textWidth(subs[i], 11, false))
		}
	}
	colW := max(smColW, labelW+24)
	marginX := max(smMarginX, labelW/2+8)
	w := 2*marginX + maxDepth*colW
	h := 2*smMarginY + (maxRows-1)*smRowH + 20
	x := make([]float64, len(nodes))
	y := make([]float64, len(nodes))
	for d := 0; d <= maxDepth; d++ {
		c := cols[d]
		top := float64(h-20)/2 - float64(len(c)-1)*smRowH/2
		for r, i := range c {
			x[i] = float64(marginX + d*colW)
			y[i] = top + float64(r*smRowH)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="X-Ray service map" tabindex="0" font-family="sans-serif">`, w, h, w, h)
	b.WriteString(`<defs><marker id="sm-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker></defs>`)
	if m.Window != "" {
		fmt.Fprintf(&b, `<text x="%d" y="16" text-anchor="end" font-size="11" fill="#666">%s</text>`, w-8, esc(clipText(m.Window, 40)))
	}
	for _, e := range edges {
		f, t := idx[e.From], idx[e.To]
		dx, dy := x[t]-x[f], y[t]-y[f]
		l := math.Hypot(dx, dy)
		ux, uy := dx/l, dy/l
		x1, y1 := x[f]+ux*(smRadius+smRing), y[f]+uy*(smRadius+smRing)
		x2, y2 := x[t]-ux*(smRadius+smRing), y[t]-uy*(smRadius+smRing)
		stroke := "#888"
		if e.Faults > 0 {
			stroke = "#d13212"
		} else if e.Errors > 0 {
			stroke = "#ec7211"
		}
		fmt.Fprintf(&b, `<g class="edge"><line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5" marker-end="url(#sm-arrow)"/>`, smNum(x1), smNum(y1), smNum(x2), smNum(y2), stroke)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-size="11" fill="#444">%s</text></g>`, smNum((x1+x2)/2), smNum((y1+y2)/2-5), esc(smRate(e.AvgMS, e.PerMinute)))
	}
	for i, n := range nodes {
		health := "ok" // what the X-Ray console colours the node: red with faults, orange with errors
		switch {
		case n.Faults > 0:
			health = "fault"
		case n.Errors > 0 || n.Throttles > 0:
			health = "error"
		}
		fmt.Fprintf(&b, `<g class="node" data-type="%s" data-name="%s" data-health="%s">`, esc(n.Type), esc(n.Name), health)
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="%d" fill="#fff" stroke="#ddd" stroke-width="%d"/>`, smNum(x[i]), smNum(y[i]), smRadius, smRing)
		smRingArcs(&b, x[i], y[i], n)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-size="12" fill="#16191f">%s</text>`, smNum(x[i]), smNum(y[i]+smRadius+smRing+14), esc(names[i]))
		if n.Type != "client" {
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-size="11" fill="#444">%s</text>`, smNum(x[i]), smNum(y[i]+4), esc(smNum(n.AvgMS)+" ms"))
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-size="11" fill="#666">%s</text>`, smNum(x[i]), smNum(y[i]+smRadius+smRing+27), esc(subs[i]))
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// smRingArcs draws the ok/error/fault share of n's requests as arcs on its ring.
func smRingArcs(b *strings.Builder, cx, cy float64, n labs.MapNode) {
	total := float64(n.OK + n.Errors + n.Faults)
	if n.Type == "client" || total <= 0 || n.OK < 0 || n.Errors < 0 || n.Faults < 0 {
		return
	}
	circ := 2 * math.Pi * smRadius
	offset := 0.0
	for _, part := range []struct {
		v     int64
		color string
	}{{n.OK, "#1d8102"}, {n.Errors, "#ec7211"}, {n.Faults, "#d13212"}} {
		if part.v == 0 {
			continue
		}
		l := circ * float64(part.v) / total
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="%d" fill="none" stroke="%s" stroke-width="%d" stroke-dasharray="%s %s" stroke-dashoffset="%s" transform="rotate(-90 %s %s)"/>`,
			smNum(cx), smNum(cy), smRadius, part.color, smRing, smNum(l), smNum(circ-l), smNum(-offset), smNum(cx), smNum(cy))
		offset += l
	}
}

func smRate(ms, perMin float64) string {
	return smNum(ms) + " ms · " + smNum(perMin) + "/min"
}

// smShortType drops the AWS:: prefix ("DynamoDB::Table").
func smShortType(t string) string {
	if t == "" {
		return "service"
	}
	return strings.TrimPrefix(t, "AWS::")
}

// smNum formats a number with at most one decimal; NaN and infinities are 0.
func smNum(f float64) string {
	if !smFinite(f) {
		return "0"
	}
	s := fmt.Sprintf("%.1f", f)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}

func smFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
