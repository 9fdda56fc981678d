package xray

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/labdash/labdash/labs"
)

func widgets() []labs.Widget {
	return []labs.Widget{
		{ID: "service-map", Title: "Service map", View: viewOf(serviceMap)},
		{ID: "trace-feed", Title: "Error and fault traces", View: viewOf(traceFeed)},
		{ID: "eb-health", Title: "Environment health", View: viewOf(ebHealth)},
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

func serviceMap(o *Observation, _ *labs.History) labs.WidgetView {
	if len(o.Graph) == 0 {
		if o.Group == nil {
			return labs.WidgetView{Empty: "No X-Ray group " + groupName(o.Target) + " yet."}
		}
		return labs.WidgetView{Empty: "No traces in group " + groupName(o.Target) + " in the last " + labs.Duration(o.GraphWindow) + "."}
	}
	minutes := o.GraphWindow.Minutes()
	if minutes <= 0 {
		minutes = 1
	}
	m := &labs.ServiceMap{Window: fmt.Sprintf("last %.0f min", minutes)}
	for _, s := range o.Graph {
		n := labs.MapNode{ID: aws.ToInt32(s.ReferenceId), Name: aws.ToString(s.Name), Type: aws.ToString(s.Type), Root: aws.ToBool(s.Root)}
		if st := s.SummaryStatistics; st != nil {
			n.Requests, n.OK = aws.ToInt64(st.TotalCount), aws.ToInt64(st.OkCount)
			if st.ErrorStatistics != nil {
				n.Errors, n.Throttles = aws.ToInt64(st.ErrorStatistics.TotalCount), aws.ToInt64(st.ErrorStatistics.ThrottleCount)
			}
			if st.FaultStatistics != nil {
				n.Faults = aws.ToInt64(st.FaultStatistics.TotalCount)
			}
			if n.Requests > 0 {
				n.AvgMS = aws.ToFloat64(st.TotalResponseTime) * 1000 / float64(n.Requests)
			}
		}
		m.Nodes = append(m.Nodes, n)
		for _, e := range s.Edges {
			me := labs.MapEdge{From: n.ID, To: aws.ToInt32(e.ReferenceId)}
			if st := e.SummaryStatistics; st != nil {
				me.Requests = aws.ToInt64(st.TotalCount)
				me.PerMinute = float64(me.Requests) / minutes
				if st.ErrorStatistics != nil {
					me.Errors = aws.ToInt64(st.ErrorStatistics.TotalCount)
				}
				if st.FaultStatistics != nil {
					me.Faults = aws.ToInt64(st.FaultStatistics.TotalCount)
				}
				if me.Requests > 0 {
					me.AvgMS = aws.ToFloat64(st.TotalResponseTime) * 1000 / float64(me.Requests)
				}
			}
			m.Edges = append(m.Edges, me)
		}
	}
	return labs.WidgetView{Map: m}
}

// traceFeedMax is how many traces the feed lists, newest first.
const traceFeedMax = 10

func traceFeed(o *Observation, _ *labs.History) labs.WidgetView {
	t := &labs.Table{Columns: []string{"Status", "Response time", "URL", "Trace"}}
	for i := len(o.Summaries) - 1; i >= 0 && len(t.Rows) < traceFeedMax; i-- {
		s := o.Summaries[i]
		if !s.Error && !s.Fault {
			continue
		}
		tone := "warn"
		if s.Fault {
			tone = "bad"
		}
		t.Rows = append(t.Rows, labs.Row{Tone: tone, Cells: []string{fmt.Sprint(s.Status),
			fmt.Sprintf("%.0f ms", s.ResponseTime*1000), s.URL, s.ID}})
	}
	if len(t.Rows) == 0 {
		return labs.WidgetView{Empty: "No error or fault traces in the last " + labs.Duration(o.SummaryWindow) + "."}
	}
	return labs.WidgetView{Table: t}
}

func ebHealth(o *Observation, _ *labs.History) labs.WidgetView {
	if o.Env == nil {
		return labs.WidgetView{Empty: "No environment " + envName(o.Target) + " yet."}
	}
	tile := &labs.Tile{Badge: string(o.Env.Status) + " · " + string(o.Env.Health)}
	if st := o.Env.HealthStatus; st != "" {
		tile.Badge = string(st) + " · " + string(o.Env.Health)
	}
	if h := o.Health; h != nil {
		tile.Badge = strings.TrimSpace(aws.ToString(h.HealthStatus) + " · " + aws.ToString(h.Color))
		if m := h.ApplicationMetrics; m != nil && m.StatusCodes != nil {
			sc := m.StatusCodes
			tile.Counts = []labs.Count{{Label: "2xx", Value: int(aws.ToInt32(sc.Status2xx))}, {Label: "3xx", Value: int(aws.ToInt32(sc.Status3xx))},
				{Label: "4xx", Value: int(aws.ToInt32(sc.Status4xx))}, {Label: "5xx", Value: int(aws.ToInt32(sc.Status5xx))}}
			tile.Lines = append(tile.Lines, fmt.Sprintf("%d requests in the last %d s", m.RequestCount, aws.ToInt32(m.Duration)))
		}
		tile.Lines = append(tile.Lines, h.Causes...)
	}
	return labs.WidgetView{Tile: tile}
}
