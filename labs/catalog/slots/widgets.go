package slots

import (
	"fmt"
	"strings"

	"github.com/labdash/labdash/labs"
)

func widgets() []labs.Widget {
	return []labs.Widget{
		{ID: "invocations", Title: "slotPull invocations", View: viewOf(metricSpark("Invocations", "per min", func(m *Metrics) []float64 { return m.Invocations }))},
		{ID: "errors", Title: "slotPull errors", View: viewOf(metricSpark("Errors", "per min", func(m *Metrics) []float64 { return m.Errors }))},
		{ID: "duration", Title: "slotPull duration", View: viewOf(metricSpark("Duration", "ms", func(m *Metrics) []float64 { return m.Duration }))},
		{ID: "last-pull", Title: "Last pulls", View: viewOf(pullFeed)},
		{ID: "website", Title: "Website probe", View: viewOf(websiteTile)},
	}
}

func viewOf(f func(o *Observation, h *labs.History) labs.WidgetView) func(labs.Observation, *labs.History) labs.WidgetView {
	return func(obs labs.Observation, h *labs.History) labs.WidgetView {
		o, ok := obs.(*Observation)
		if !ok || o == nil {
			return labs.WidgetView{Empty: "no data yet"}
		}
		if h == nil {
			h = labs.NewHistory()
		}
		return f(o, h)
	}
}

// metricSpark is a sparkline of one of the function's metrics, a point a minute.
func metricSpark(label, unit string, series func(m *Metrics) []float64) func(o *Observation, _ *labs.History) labs.WidgetView {
	return func(o *Observation, _ *labs.History) labs.WidgetView {
		if o.Func == nil {
			return labs.WidgetView{Empty: "No function " + functionName(o.Target) + " yet."}
		}
		if o.Metrics == nil {
			return labs.WidgetView{Empty: "No metrics of " + functionName(o.Target) + " read yet."}
		}
		p := series(o.Metrics)
		if len(p) == 0 {
			return labs.WidgetView{Empty: "No " + strings.ToLower(label) + " of " + functionName(o.Target) + " in the last " + labs.Duration(o.MetricWindow) + "."}
		}
		return labs.WidgetView{Spark: &labs.Sparkline{Label: label, Unit: unit, Points: p, Last: p[len(p)-1]}}
	}
}

// pullFeedMax is how many log lines the feed lists, newest first.
const pullFeedMax = 10

func pullFeed(o *Observation, _ *labs.History) labs.WidgetView {
	if len(o.Pulls) == 0 {
		if o.Func == nil {
			return labs.WidgetView{Empty: "No function " + functionName(o.Target) + " yet."}
		}
		return labs.WidgetView{Empty: "No log lines in " + logGroupName(o.Target) + " yet: pull the handle."}
	}
	t := &labs.Table{Columns: []string{"Time", "Line"}}
	for i := len(o.Pulls) - 1; i >= 0 && len(t.Rows) < pullFeedMax; i-- {
		p := o.Pulls[i]
		tone := ""
		if p.Error {
			tone = "bad"
		}
		t.Rows = append(t.Rows, labs.Row{Tone: tone, Cells: []string{p.At.UTC().Format("15:04:05"), trim(p.Message, 200)}})
	}
	return labs.WidgetView{Table: t}
}

func websiteTile(o *Observation, _ *labs.History) labs.WidgetView {
	s := o.Site
	if s == nil {
		return labs.WidgetView{Empty: "No bucket " + bucketName(o.Target) + " yet."}
	}
	tile := &labs.Tile{}
	p := o.Probe
	switch {
	case p == nil:
		tile.Badge = "not probed yet"
	case p.Err != "":
		tile.Badge = "unreachable"
		tile.Lines = append(tile.Lines, p.Err)
	default:
		tile.Badge = fmt.Sprintf("HTTP %d · %d ms", p.Status, p.Latency.Milliseconds())
	}
	url := websiteEndpoint(s.Bucket, o.Target.Region)
	if p != nil {
		url = p.URL
	}
	tile.Lines = append([]string{url}, tile.Lines...)
	if o.Open != "" {
		label := "Open the slot machine"
		if o.Open != url {
			label += " (simulated, served by labdash on loopback)"
		}
		tile.Links = []labs.Link{{Label: label, URL: o.Open}}
	}
	switch {
	case !s.Website:
		tile.Lines = append(tile.Lines, "website hosting off")
	default:
		tile.Lines = append(tile.Lines, "website hosting on, index "+s.Index)
	}
	switch {
	case s.Block.blocksPolicy():
		tile.Lines = append(tile.Lines, "Block Public Access: "+blockFlags(s.Block)+" on")
	case s.Block == nil:
		tile.Lines = append(tile.Lines, "Block Public Access: none set on the bucket")
	default:
		tile.Lines = append(tile.Lines, "Block Public Access: policies allowed")
	}
	switch {
	case s.Public:
		tile.Lines = append(tile.Lines, "bucket policy: public")
	case s.Policy:
		tile.Lines = append(tile.Lines, "bucket policy: not public")
	default:
		tile.Lines = append(tile.Lines, "bucket policy: none")
	}
	tile.Counts = []labs.Count{{Label: "objects", Value: s.Objects}, {Label: "images", Value: s.Images}}
	return labs.WidgetView{Tile: tile}
}
