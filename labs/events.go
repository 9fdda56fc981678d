package labs

// Event mode (LABS.md §0 "Polling and streaming", DESIGN.md §4 item 5): where a
// lab's services emit native EventBridge events, provisioning puts one rule per
// lab on the default bus of each lab region, sending the lab's events to the
// class's queue, and the monitor drains the queue each cycle into a per-student
// feed. Events carry no tags: the monitor names an event's student only by the
// ARNs the lab's Describe returns, matched exactly against the ARNs the class's
// observations discovered (the ledger). Polling stays as it is: events add a
// feed, they replace no read.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// EventsQueueName is a class's event queue in each lab region (and, in an
// account-per-student class, in each student's account).
func EventsQueueName(classID string) string { return "labdash-" + classID + "-events" }

// EventsRuleName is a lab's rule on the default bus.
func EventsRuleName(classID, labID string) string { return "labdash-" + classID + "-" + labID }

// EventRegions groups a class's labs with event mode (of labIDs, in the class's
// regions) by the region the monitor reads each in: the lab's first region, or
// the class's first.
func EventRegions(reg *Registry, labIDs, classRegions []string) map[string][]Lab {
	out := map[string][]Lab{}
	if len(classRegions) == 0 {
		return out
	}
	for _, id := range labIDs {
		l, ok := reg.Lab(id)
		if !ok || l.Events == nil || !l.Built() {
			continue
		}
		region := classRegions[0]
		if len(l.Regions) > 0 {
			region = l.Regions[0]
		}
		out[region] = append(out[region], l)
	}
	return out
}

// EventSource is one event source and the detail types a lab listens for.
type EventSource struct {
	Source      string   // "aws.autoscaling"
	DetailTypes []string // "EC2 Instance Launch Successful", …
}

// Events is a lab's event mode.
type Events struct {
	Sources []EventSource
	// Describe turns one event into a feed line and the ARNs that name its owner
	// (an instance's arn:aws:ec2:REGION:ACCOUNT:instance/ID built from the
	// detail's id when the event's own resource ARN is not the usual form). It
	// must be a pure function of the event.
	Describe func(ev Event) (EventLine, []string)
}

// Pattern is the rule's event pattern: every source and detail type the lab
// listens for (EventBridge matches any value of an array).
func (e *Events) Pattern() string {
	var sources, types []string
	for _, s := range e.Sources {
		sources = append(sources, s.Source)
		types = append(types, s.DetailTypes...)
	}
	sort.Strings(sources)
	sort.Strings(types)
	b, _ := json.Marshal(map[string][]string{"source": sources, "detail-type": types})
	return string(b)
}

// Wants reports whether the lab listens for an event of source and detail type.
func (e *Events) Wants(source, detailType string) bool {
	for _, s := range e.Sources {
		if s.Source != source {
			continue
		}
		for _, d := range s.DetailTypes {
			if d == detailType {
				return true
			}
		}
	}
	return false
}

// Event is one EventBridge event as it arrives in the queue (AWS's envelope).
type Event struct {
	ID         string
	Source     string
	DetailType string
	Account    string
	Region     string
	Time       time.Time
	Resources  []string
	Detail     map[string]any
}

// ParseEvent reads an event from a message body.
func ParseEvent(body string) (Event, error) {
	var raw struct {
		Version    string         `json:"version"`
		ID         string         `json:"id"`
		DetailType string         `json:"detail-type"`
		Source     string         `json:"source"`
		Account    string         `json:"account"`
		Time       string         `json:"time"`
		Region     string         `json:"region"`
		Resources  []string       `json:"resources"`
		Detail     map[string]any `json:"detail"`
	}
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		return Event{}, fmt.Errorf("labs: not an EventBridge event: %w", err)
	}
	if raw.Source == "" || raw.DetailType == "" {
		return Event{}, fmt.Errorf("labs: not an EventBridge event: no source or detail-type")
	}
	at, _ := time.Parse(time.RFC3339, raw.Time)
	return Event{ID: raw.ID, Source: raw.Source, DetailType: raw.DetailType, Account: raw.Account, Region: raw.Region, Time: at,
		Resources: raw.Resources, Detail: raw.Detail}, nil
}

// Field is a detail field as a string ("" when absent or not a string).
func (ev Event) Field(name string) string {
	s, _ := ev.Detail[name].(string)
	return s
}

// Sub is a field of a nested detail object ("Details" → "Availability Zone").
func (ev Event) Sub(obj, name string) string {
	m, _ := ev.Detail[obj].(map[string]any)
	s, _ := m[name].(string)
	return s
}

// ARN builds an ARN in the event's own account and region.
func (ev Event) ARN(service, resource string) string {
	return "arn:aws:" + service + ":" + ev.Region + ":" + ev.Account + ":" + resource
}

// EventLine is one line of a lab's event feed.
type EventLine struct {
	At      time.Time
	Event   string // "Spot interruption warning"
	Subject string // "i-0abc…" or a CA's short id
	Where   string // "us-east-1a", "Spot", …
	Note    string // "terminate in 2 min", the cause …
	Tone    string // ok, warn, bad, ""
	ID      string // the event's id (a duplicate delivery is shown once)
}

// EventRing is how many event lines a student's history keeps per lab.
const EventRing = 20

// AddEvent records a line, newest first, once per event id, keeping EventRing.
func (h *History) AddEvent(l EventLine) {
	for _, x := range h.Events {
		if l.ID != "" && x.ID == l.ID {
			return // EventBridge and SQS deliver at least once
		}
	}
	h.Events = append([]EventLine{l}, h.Events...)
	sort.SliceStable(h.Events, func(i, j int) bool { return h.Events[i].At.After(h.Events[j].At) })
	if len(h.Events) > EventRing {
		h.Events = h.Events[:EventRing]
	}
}

// EventFeed is a lab's "Events" widget: the student's feed, newest first, or an
// empty state that says whether event mode is on and that polling continues.
func EventFeed(h *History) WidgetView {
	mode := "events: not set up for this class (polling continues)"
	if h != nil && h.EventMode != "" {
		mode = h.EventMode
	}
	if h == nil || len(h.Events) == 0 {
		if strings.HasPrefix(mode, "events: on") {
			return WidgetView{Empty: "no events yet for this student (" + mode + "; polling continues)"}
		}
		return WidgetView{Empty: mode}
	}
	tb := &Table{Columns: []string{"Time", "Event", "Resource", "Where", "Detail"}}
	for _, l := range h.Events {
		tb.Rows = append(tb.Rows, Row{Cells: []string{l.At.UTC().Format("15:04:05"), l.Event, l.Subject, l.Where, l.Note}, Tone: l.Tone})
	}
	if !strings.HasPrefix(mode, "events: on") {
		tb.Rows = append(tb.Rows, Row{Cells: []string{"", mode, "", "", ""}, Tone: "warn"})
	}
	return WidgetView{Table: tb}
}
