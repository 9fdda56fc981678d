package route53

import (
	"fmt"
	"strings"
	"time"

	"github.com/labdash/labdash/labs"
)

// changeWidget is the "Change status" widget (LABS.md Lab 3): the student's
// recent change batches from the change feed (observe_changes.go).
func changeWidget() labs.Widget {
	return labs.Widget{ID: "change-status", Title: "Change status", View: viewChanges}
}

// trailDelay is what the widget says about CloudTrail's delay on AWS.
const trailDelay = "on AWS a change reaches CloudTrail 5–15 minutes after it is made, usually after Route 53 has synced it"

// viewChanges is one row per change batch, newest first: when it was submitted,
// the student's changes in it, PENDING or INSYNC (GetChange), and how long it
// took to sync, at most (the monitor sees INSYNC at its next GetChange).
func viewChanges(obs labs.Observation, _ *labs.History) labs.WidgetView {
	o, ok := obs.(*Observation)
	if !ok || o == nil {
		return labs.WidgetView{Empty: "no change seen yet"}
	}
	if len(o.Changes) == 0 {
		if o.ZoneID == "" {
			return labs.WidgetView{Empty: "waiting for the class zone " + strings.TrimSuffix(zoneOf(o.Target), ".") + ": the change feed reads its changes"}
		}
		name := strings.TrimSuffix(studentName(o.Target), ".")
		if o.ChangesRead.IsZero() {
			return labs.WidgetView{Empty: "waiting for CloudTrail: the monitor reads Route 53's ChangeResourceRecordSets events (us-east-1) every 30 s; " + trailDelay}
		}
		return labs.WidgetView{Empty: fmt.Sprintf("no change to %s or below in CloudTrail yet (read %s UTC); %s", name, o.ChangesRead.UTC().Format("15:04:05"), trailDelay)}
	}
	t := &labs.Table{Columns: []string{"Submitted (UTC)", "Change", "Status", "Synced"}}
	for _, ch := range o.Changes {
		var items []string
		for _, it := range ch.Items {
			items = append(items, it.Action+" "+it.Name+" "+it.Type)
		}
		row := labs.Row{Cells: []string{ch.SubmittedAt.UTC().Format("15:04:05"), strings.Join(items, "; "), ch.Status, ""}}
		switch {
		case ch.Error != "":
			row.Cells[2], row.Tone = "refused: "+ch.Error, "bad"
		case ch.Status == "INSYNC":
			row.Tone = "ok"
			row.Cells[3] = "in ≤ " + seconds(ch.InsyncAt.Sub(ch.SubmittedAt))
			if lo, hi := ch.PendingAt.Sub(ch.SubmittedAt), ch.InsyncAt.Sub(ch.SubmittedAt); lo > 0 && hi < 2*time.Minute {
				// PENDING at the last look, INSYNC at this one: it synced in between
				row.Cells[3] = fmt.Sprintf("in %d–%s", int(lo.Round(time.Second)/time.Second), seconds(hi))
			}
		case ch.Gone:
			row.Cells[2] = "unknown"
			row.Cells[3] = "Route 53 no longer knows " + ch.ID
		case ch.Status == "PENDING":
			row.Tone = "warn"
			row.Cells[3] = "not yet (" + seconds(o.At.Sub(ch.SubmittedAt)) + " so far)"
			if o.At.Sub(ch.SubmittedAt) > changeGiveUp {
				row.Cells[3] = "not seen in sync; no longer asked"
			}
		default:
			row.Cells[2] = "unknown"
		}
		t.Rows = append(t.Rows, row)
	}
	return labs.WidgetView{Table: t}
}

// seconds is a duration as whole seconds ("45 s"), or minutes past 2.
func seconds(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d >= 2*time.Minute {
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	}
	return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
}
