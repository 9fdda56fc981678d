package ga

import (
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/labdash/labdash/labs"
)

func widgets() []labs.Widget {
	return []labs.Widget{{ID: "failover", Title: "Global Accelerator failover", View: viewFailover}}
}

// viewFailover builds the two-region view; history keeps the answering region's
// changes under "answering".
func viewFailover(obs labs.Observation, h *labs.History) labs.WidgetView {
	o, ok := obs.(*Observation)
	if !ok || o == nil || o.Accelerator == nil {
		return labs.WidgetView{Empty: "no accelerator yet"}
	}
	f := &labs.Failover{Accelerator: aws.ToString(o.Accelerator.Name), Status: string(o.Accelerator.Status), IPs: append([]string(nil), ips(o.Accelerator)...)}
	for _, r := range Regions {
		g := labs.FailoverGroup{Region: r, Targets: "no targets", Instance: "-"}
		if eg := o.groupIn(r); eg != nil {
			st, why := groupHealth(eg)
			g.Health, g.Reason, g.Dial = string(st), why, float64(aws.ToFloat32(eg.TrafficDialPercentage))
		}
		if or := o.Origins[r]; or != nil {
			g.Targets = or.targetSummary()
			if st := or.instanceState(); st != "" {
				g.Instance = string(st)
			}
		}
		f.Groups = append(f.Groups, g)
	}
	if p := o.Probe; p != nil {
		f.Answering, f.LatencyMS, f.ProbeError = p.Region(), int(p.Latency.Milliseconds()), p.Err
	}
	if h != nil {
		ans := f.Answering
		if ans == "" {
			ans = "none"
		}
		h.Observe("answering", ans, o.At)
		f.Timeline = append([]labs.Transition(nil), h.Transitions["answering"]...)
	}
	return labs.WidgetView{Failover: f}
}
