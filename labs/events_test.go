package labs

import (
	"strings"
	"testing"
	"time"
)

func TestEventRing(t *testing.T) {
	h := NewHistory()
	t0 := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < EventRing+7; i++ {
		h.AddEvent(EventLine{At: t0.Add(time.Duration(i) * time.Second), ID: string(rune('a' + i)), Event: "e"})
	}
	if len(h.Events) != EventRing {
		t.Fatalf("ring holds %d, want %d", len(h.Events), EventRing)
	}
	if !h.Events[0].At.After(h.Events[1].At) || h.Events[0].ID != string(rune('a'+EventRing+6)) {
		t.Errorf("newest first: %+v", h.Events[:2])
	}
	h.AddEvent(EventLine{At: t0.Add(time.Hour), ID: h.Events[3].ID}) // redelivered
	if len(h.Events) != EventRing || h.Events[0].At.Equal(t0.Add(time.Hour)) {
		t.Errorf("a redelivered event was added again")
	}
	// An event older than the ring's oldest falls off at once.
	h.AddEvent(EventLine{At: t0.Add(-time.Hour), ID: "old"})
	for _, l := range h.Events {
		if l.ID == "old" {
			t.Error("an event older than the whole ring was kept")
		}
	}
}

func TestEventFeedEmptyStates(t *testing.T) {
	if v := EventFeed(NewHistory()); !strings.Contains(v.Empty, "not set up") || !strings.Contains(v.Empty, "polling continues") {
		t.Errorf("no event mode: %q", v.Empty)
	}
	h := NewHistory()
	h.EventMode = "events: on (queue labdash-c42-events, us-east-1)"
	if v := EventFeed(h); !strings.Contains(v.Empty, "events: on") || !strings.Contains(v.Empty, "polling continues") {
		t.Errorf("on, nothing yet: %q", v.Empty)
	}
	h.EventMode = "events: off (reading queue labdash-c42-events was throttled; trying again shortly)"
	h.AddEvent(EventLine{At: time.Now(), ID: "x", Event: "Launched"})
	v := EventFeed(h)
	if v.Table == nil || len(v.Table.Rows) != 2 || !strings.Contains(v.Table.Rows[1].Cells[1], "throttled") {
		t.Errorf("off with lines: %+v", v)
	}
}

func TestEventsPattern(t *testing.T) {
	e := &Events{Sources: []EventSource{{Source: "aws.ec2", DetailTypes: []string{"B", "A"}}, {Source: "aws.autoscaling", DetailTypes: []string{"C"}}}}
	if got := e.Pattern(); got != `{"detail-type":["A","B","C"],"source":["aws.autoscaling","aws.ec2"]}` {
		t.Errorf("pattern %s", got)
	}
	if !e.Wants("aws.ec2", "A") || e.Wants("aws.ec2", "C") || e.Wants("aws.autoscaling", "A") {
		t.Error("Wants crosses sources")
	}
	if _, err := ParseEvent(`{"detail":{}}`); err == nil {
		t.Error("an event without source parsed")
	}
	ev, err := ParseEvent(`{"version":"0","id":"1","detail-type":"A","source":"aws.ec2","account":"111122223333","time":"2030-01-01T09:00:00Z","region":"us-east-1","resources":[],"detail":{"instance-id":"i-1","Details":{"Availability Zone":"us-east-1a"}}}`)
	if err != nil || ev.Field("instance-id") != "i-1" || ev.Sub("Details", "Availability Zone") != "us-east-1a" || ev.ARN("ec2", "instance/i-1") != "arn:aws:ec2:us-east-1:111122223333:instance/i-1" {
		t.Errorf("parse: %+v %v", ev, err)
	}
}
