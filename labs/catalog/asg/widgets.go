package asg

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/labdash/labdash/labs"
)

func widgets() []labs.Widget {
	return []labs.Widget{
		{ID: "group", Title: "Auto Scaling group", View: viewGroup},
		{ID: "instances", Title: "Instances: lifecycle, AZ, state, health", View: viewInstances},
		{ID: "class-mix", Title: "Class: who reached 2 On-Demand + 2 Spot", View: viewClassMix},
		{ID: "activity", Title: "Scaling activity", View: viewActivity},
		{ID: "savings", Title: "Spot savings (last hour)", View: viewSavings},
		{ID: "events", Title: "Events", View: viewEvents},
	}
}

// viewGroup is the ASG tile: the counts by purchase option and state, the mix as
// a badge, and the group's configuration.
func viewGroup(obs labs.Observation, _ *labs.History) labs.WidgetView {
	o, ok := obs.(*Observation)
	if !ok || o == nil || o.Group == nil {
		return labs.WidgetView{Empty: "no Auto Scaling group yet"}
	}
	g := o.Group
	m := o.mixState()
	t := &labs.Tile{Counts: []labs.Count{{Label: "On-Demand", Value: m.onDemand}, {Label: "Spot", Value: m.spot},
		{Label: "InService", Value: m.inService}, {Label: "desired", Value: int(aws.ToInt32(g.DesiredCapacity))}}}
	t.Badge = Summary(o).Badge
	t.Lines = append(t.Lines, fmt.Sprintf("%s: min %d, max %d, desired %d", aws.ToString(g.AutoScalingGroupName), aws.ToInt32(g.MinSize), aws.ToInt32(g.MaxSize), aws.ToInt32(g.DesiredCapacity)))
	t.Lines = append(t.Lines, distribution(g))
	if st := aws.ToString(g.Status); st != "" {
		t.Lines = append(t.Lines, "status: "+st)
	}
	for _, id := range m.noticed {
		t.Lines = append(t.Lines, "Spot interruption notice on "+id+": reclaimed within 2 min, then the group replaces it")
	}
	return labs.WidgetView{Tile: t}
}

// viewInstances is one row per instance of the group, the way the ASG console's
// instance list reads, with the EC2 purchase option and the Spot request beside it.
func viewInstances(obs labs.Observation, _ *labs.History) labs.WidgetView {
	o, ok := obs.(*Observation)
	if !ok || o == nil || o.Group == nil {
		return labs.WidgetView{Empty: "no Auto Scaling group yet"}
	}
	if len(o.Group.Instances) == 0 {
		return labs.WidgetView{Empty: "the group has no instances yet"}
	}
	tb := &labs.Table{Columns: []string{"Instance", "Lifecycle", "AZ", "Type", "State", "Health", "Spot request"}}
	for _, x := range o.Group.Instances {
		id := aws.ToString(x.InstanceId)
		life := o.lifecycle(id)
		if life == "" {
			life = "?"
		}
		state, tone := string(x.LifecycleState), "ok"
		switch {
		case x.LifecycleState == astypes.LifecycleStateInService && o.noticed(id):
			state, tone = state+" · interruption notice", "warn"
		case x.LifecycleState == astypes.LifecycleStateInService:
		case strings.HasPrefix(state, "Pending"):
			tone = "warn"
		default:
			tone = "bad"
		}
		if aws.ToString(x.HealthStatus) != "Healthy" {
			tone = "bad"
		}
		req := "-"
		if sr, ok := o.Spot[id]; ok {
			req = aws.ToString(sr.SpotInstanceRequestId) + " " + string(sr.State)
			if sr.Status != nil {
				req += " (" + aws.ToString(sr.Status.Code) + ")"
			}
		}
		tb.Rows = append(tb.Rows, labs.Row{Cells: []string{id, life, aws.ToString(x.AvailabilityZone), aws.ToString(x.InstanceType), state, aws.ToString(x.HealthStatus), req}, Tone: tone})
	}
	return labs.WidgetView{Table: tb}
}

// mixLabel names a class bar segment.
func mixLabel(state string) string {
	switch state {
	case stateReached:
		return "reached 2 + 2"
	case stateWrong:
		return "running another mix"
	case stateLaunching:
		return "still launching"
	}
	return "no group yet"
}

// viewClassMix is the class distribution bar: how many of the students read with
// this one have reached 2 On-Demand + 2 Spot, with this student's segment marked.
func viewClassMix(obs labs.Observation, _ *labs.History) labs.WidgetView {
	o, ok := obs.(*Observation)
	if !ok || o == nil || o.Class.Total == 0 {
		return labs.WidgetView{Empty: "no students read yet"}
	}
	c := o.Class
	b := &labs.Bar{Label: "students", Total: c.Total, Mark: mixLabel(o.mixState().state), Segments: []labs.Segment{
		{Label: mixLabel(stateReached), Value: c.Reached, Tone: "ok"},
		{Label: mixLabel(stateWrong), Value: c.Wrong, Tone: "bad"},
		{Label: mixLabel(stateLaunching), Value: c.Launching, Tone: "warn"},
		{Label: mixLabel(stateNone), Value: c.NoGroup},
	}}
	b.Note = "the " + labs.Plural(c.Total, "student", "students") + " of this class in " + o.Target.Region
	if c.Total == 1 {
		b.Note += " (each student has their own account: see the grid for the class)"
	}
	return labs.WidgetView{Bar: b}
}

// viewActivity is the scaling-activity feed, newest first.
func viewActivity(obs labs.Observation, _ *labs.History) labs.WidgetView {
	o, ok := obs.(*Observation)
	if !ok || o == nil || o.Group == nil {
		return labs.WidgetView{Empty: "no Auto Scaling group yet"}
	}
	if len(o.Activities) == 0 {
		return labs.WidgetView{Empty: "no scaling activities read yet"}
	}
	tb := &labs.Table{Columns: []string{"Started", "Status", "Description", "Cause"}}
	for _, a := range o.Activities {
		tone := ""
		switch a.StatusCode {
		case astypes.ScalingActivityStatusCodeSuccessful:
			tone = "ok"
		case astypes.ScalingActivityStatusCodeFailed, astypes.ScalingActivityStatusCodeCancelled:
			tone = "bad"
		default:
			tone = "warn"
		}
		tb.Rows = append(tb.Rows, labs.Row{Cells: []string{aws.ToTime(a.StartTime).UTC().Format("15:04:05"), string(a.StatusCode),
			aws.ToString(a.Description), clip(lastSentence(aws.ToString(a.Cause)), 140)}, Tone: tone})
	}
	return labs.WidgetView{Table: tb}
}

// lastSentence is the cause's last "At … " sentence: the one about this instance.
func lastSentence(cause string) string {
	if i := strings.LastIndex(cause, "  At "); i >= 0 {
		return cause[i+2:]
	}
	return cause
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// viewSavings compares each Spot instance's current Spot price with On-Demand.
func viewSavings(obs labs.Observation, _ *labs.History) labs.WidgetView {
	o, ok := obs.(*Observation)
	if !ok || o == nil || len(o.groupSpot()) == 0 {
		return labs.WidgetView{Empty: "no Spot instances yet"}
	}
	if len(o.Prices) == 0 {
		return labs.WidgetView{Empty: "no Spot price history read yet"}
	}
	ss, _ := o.savings()
	tb := &labs.Table{Columns: []string{"Instance", "Type", "AZ", "Spot $/h", "On-Demand $/h", "Saved"}}
	for _, s := range ss {
		row := labs.Row{Cells: []string{s.instance, s.itype, s.az, "-", fmt.Sprintf("%.4f", s.onDemand), "-"}}
		if s.spot > 0 && s.onDemand > 0 {
			row.Cells[3] = fmt.Sprintf("%.4f (at %s)", s.spot, s.at)
			row.Cells[5] = fmt.Sprintf("%d %%", percentLess(s.spot, s.onDemand))
			row.Tone = "ok"
		}
		tb.Rows = append(tb.Rows, row)
	}
	return labs.WidgetView{Table: tb}
}

// Summary is the class grid's badge: the group's mix ("2+2" in green once two
// On-Demand and two Spot instances are InService), another mix in red, the count
// InService while it launches.
func Summary(obs labs.Observation) labs.Summary {
	s := labs.Summary{Running: -1}
	o, ok := obs.(*Observation)
	if !ok || o == nil || o.Group == nil {
		return s
	}
	m := o.mixState()
	switch m.state {
	case stateReached:
		s.Badge, s.BadgeTone, s.BadgeTitle = "2+2", "ok", "2 On-Demand + 2 Spot, all InService"
		if len(m.noticed) > 0 {
			s.BadgeTone, s.BadgeTitle = "warn", s.BadgeTitle+"; a Spot interruption notice is running"
		}
	case stateWrong:
		s.Badge, s.BadgeTone = fmt.Sprintf("%d+%d", m.onDemand, m.spot), "bad"
		s.BadgeTitle = fmt.Sprintf("%d On-Demand + %d Spot InService, want 2 + 2", m.onDemand, m.spot)
	case stateLaunching:
		s.Badge, s.BadgeTone = fmt.Sprintf("%d/%d up", m.inService, wantSize), "warn"
		s.BadgeTitle = fmt.Sprintf("%d of %d instances InService (%d On-Demand, %d Spot so far)", m.inService, wantSize, m.onDemand, m.spot)
	default:
		s.Badge, s.BadgeTone, s.BadgeTitle = "deleting", "warn", "the group is being deleted"
	}
	return s
}
