package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
)

// TestWidgetTimesSayWhichClock: on the simulator a lamp's history and the failover
// timeline come from the simulated clock, which runs ahead of the wall clock, so
// they say "simulated time"; on AWS they say UTC. An unlabelled 09:40:54 next to a
// wall-clock "as of" read as a stale page.
func TestWidgetTimesSayWhichClock(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 40, 54, 0, time.UTC)
	view := labs.WidgetView{Lamps: &labs.Lamps{Items: []labs.Lamp{{Name: "scale-out", State: "ALARM",
		History: []labs.Transition{{At: at, From: "OK", To: "ALARM"}}}}}}
	fo := labs.WidgetView{Failover: &labs.Failover{Accelerator: "a", Timeline: []labs.Transition{{At: at, From: "us-east-1", To: "eu-west-1"}}}}
	for _, sim := range []bool{true, false} {
		want, not := "09:40:54 UTC", "simulated time"
		if sim {
			want, not = "09:40:54 (simulated time)", "UTC"
		}
		for name, v := range map[string]labs.WidgetView{"lamps": view, "failover": fo} {
			var b strings.Builder
			if err := Widget(WidgetBox{Slug: "s01", Lab: "x", ID: "w", Title: "W", View: v, Simulated: sim}).Render(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			switch name {
			case "lamps":
				if !strings.Contains(got, want) || strings.Contains(got, "09:40:54 "+not) {
					t.Errorf("%s, simulated %v: want %q\n%s", name, sim, want, got)
				}
			case "failover":
				clock := "(UTC)"
				if sim {
					clock = "(simulated time)"
				}
				if !strings.Contains(got, "Answering region over time "+clock) {
					t.Errorf("%s, simulated %v: want the timeline headed %q\n%.400s", name, sim, clock, got)
				}
			}
		}
	}
}
