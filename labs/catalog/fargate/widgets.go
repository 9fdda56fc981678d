package fargate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs"
)

func widgets() []labs.Widget {
	return []labs.Widget{
		{ID: "service", Title: "Service", View: viewOf(serviceTile)},
		{ID: "tasks", Title: "Tasks", View: viewOf(taskTable)},
		{ID: "targets", Title: "Target health", View: viewOf(targetHealth)},
		{ID: "alarms", Title: "Scaling alarms", View: viewOf(alarmLamps)},
		{ID: "requests", Title: "Requests per target", View: viewOf(requestSpark)},
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

func serviceTile(o *Observation, _ *labs.History) labs.WidgetView {
	s := o.Service
	if s == nil {
		return labs.WidgetView{Empty: "No service " + serviceName(o.Target) + " yet."}
	}
	t := &labs.Tile{Counts: []labs.Count{{Label: "desired", Value: int(s.DesiredCount)}, {Label: "running", Value: int(s.RunningCount)}, {Label: "pending", Value: int(s.PendingCount)}}}
	for _, d := range s.Deployments {
		if aws.ToString(d.Status) == "PRIMARY" {
			t.Badge = string(d.RolloutState)
		}
	}
	for i, e := range s.Events {
		if i == 5 {
			break
		}
		t.Lines = append(t.Lines, aws.ToString(e.Message))
	}
	return labs.WidgetView{Tile: t}
}

func taskTable(o *Observation, _ *labs.History) labs.WidgetView {
	tasks := append(append([]typesTask{}, wrap(o.Tasks, false)...), wrap(o.Stopped, true)...)
	if len(tasks) == 0 {
		return labs.WidgetView{Empty: "No tasks yet."}
	}
	tbl := &labs.Table{Columns: []string{"status", "task", "AZ", "IP", "stop code"}}
	for i, t := range tasks {
		if i == 8 {
			break
		}
		tone := "ok"
		switch {
		case t.stopped:
			tone = "bad"
		case aws.ToString(t.t.LastStatus) != "RUNNING":
			tone = "warn"
		}
		tbl.Rows = append(tbl.Rows, labs.Row{Tone: tone, Cells: []string{
			aws.ToString(t.t.LastStatus), shortID(aws.ToString(t.t.TaskArn)), aws.ToString(t.t.AvailabilityZone), taskIP(t.t), string(t.t.StopCode)}})
	}
	return labs.WidgetView{Table: tbl}
}

type typesTask struct {
	t       ecstypes.Task
	stopped bool
}

func wrap(ts []ecstypes.Task, stopped bool) []typesTask {
	out := make([]typesTask, len(ts))
	for i, t := range ts {
		out[i] = typesTask{t: t, stopped: stopped}
	}
	return out
}

func targetHealth(o *Observation, _ *labs.History) labs.WidgetView {
	if len(o.TargetHealth) == 0 {
		return labs.WidgetView{Empty: "No targets registered yet."}
	}
	ths := append([]elbtypes.TargetHealthDescription(nil), o.TargetHealth...)
	sort.Slice(ths, func(i, j int) bool { return aws.ToString(ths[i].Target.Id) < aws.ToString(ths[j].Target.Id) })
	tbl := &labs.Table{Columns: []string{"state", "target", "reason"}}
	for _, th := range ths {
		if th.Target == nil || th.TargetHealth == nil {
			continue
		}
		tone := "warn"
		switch th.TargetHealth.State {
		case elbtypes.TargetHealthStateEnumHealthy:
			tone = "ok"
		case elbtypes.TargetHealthStateEnumUnhealthy:
			tone = "bad"
		}
		tbl.Rows = append(tbl.Rows, labs.Row{Tone: tone, Cells: []string{
			string(th.TargetHealth.State), fmt.Sprintf("%s:%d", aws.ToString(th.Target.Id), aws.ToInt32(th.Target.Port)), string(th.TargetHealth.Reason)}})
	}
	return labs.WidgetView{Table: tbl}
}

func alarmLamps(o *Observation, h *labs.History) labs.WidgetView {
	if len(o.Alarms) == 0 {
		return labs.WidgetView{Empty: "No scaling alarms yet: they appear with the target-tracking policy."}
	}
	l := &labs.Lamps{}
	for _, kind := range []string{"AlarmHigh", "AlarmLow"} {
		a := o.alarm(kind)
		if a == nil {
			continue
		}
		state := string(a.StateValue)
		h.Observe(kind, state, o.At)
		tone := "ok"
		switch a.StateValue {
		case cwtypes.StateValueAlarm:
			tone = "bad"
		case cwtypes.StateValueInsufficientData:
			tone = "warn"
		}
		l.Items = append(l.Items, labs.Lamp{Name: kind, State: state, Tone: tone, History: h.Transitions[kind]})
	}
	return labs.WidgetView{Lamps: l}
}

func requestSpark(o *Observation, _ *labs.History) labs.WidgetView {
	if len(o.RequestCounts) == 0 {
		return labs.WidgetView{Empty: "No request metrics yet."}
	}
	s := &labs.Sparkline{Label: "RequestCountPerTarget", Unit: "req/min", Points: o.RequestCounts, Last: o.RequestCounts[len(o.RequestCounts)-1]}
	return labs.WidgetView{Spark: s}
}

// Summary is what the class grid shows for a student besides checkpoints.
func Summary(obs labs.Observation) labs.Summary {
	o, ok := obs.(*Observation)
	if !ok || o == nil {
		return labs.Summary{}
	}
	var s labs.Summary
	if o.Service != nil {
		s.Running = int(o.Service.RunningCount)
	}
	if a := o.alarm("AlarmHigh"); a != nil {
		s.Alarm = strings.ToUpper(string(a.StateValue))
	}
	return s
}
