package virtual

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestAct: a rehearsal action runs with the student's environment once their
// script has started, and not before; an unknown action or student is refused.
func TestAct(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333"})
	r := New(slog.New(slog.NewTextHandler(io.Discard, nil)), world, world, clock.Now)
	var got *labs.Env
	lab := labs.Lab{ID: "demo", Script: []labs.Step{{Name: "note", Do: func(ctx context.Context, e *labs.Env) error { e.Memo["x"] = "1"; return nil }}},
		Actions: []labs.Action{{ID: "poke", Title: "Poke", Do: func(ctx context.Context, e *labs.Env) error { got = e; return nil }}}}
	r.Start(Student{ClassID: "c1", Slug: "s01", Region: "us-east-1", Lab: lab, Persona: labs.Persona{Pace: 1, StuckAfter: -1}})
	if err := r.Act(ctx, "c1", "s01", "demo", "poke"); !errors.Is(err, ErrNoSuchAction) {
		t.Fatalf("before the sandbox exists: %v, want ErrNoSuchAction", err)
	}
	for i := 0; i < 20; i++ {
		clock.Advance(10 * time.Second)
		r.RunDue(ctx)
	}
	if err := r.Act(ctx, "c1", "s01", "demo", "poke"); err != nil || got == nil || got.T.StudentID != "s01" || got.Memo["x"] != "1" {
		t.Fatalf("act: %v, env %+v", err, got)
	}
	for _, tc := range [][3]string{{"s02", "demo", "poke"}, {"s01", "demo", "kick"}, {"s01", "other", "poke"}} {
		if err := r.Act(ctx, "c1", tc[0], tc[1], tc[2]); !errors.Is(err, ErrNoSuchAction) {
			t.Errorf("Act(%v) = %v, want ErrNoSuchAction", tc, err)
		}
	}
}

// TestActState: State reads each paired subject once, and Act refuses (without
// running it) an action that makes no sense in the subject's current state.
func TestActState(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333"})
	r := New(slog.New(slog.NewTextHandler(io.Discard, nil)), world, world, clock.Now)
	light := func(_ context.Context, e *labs.Env) (string, error) {
		if e.Memo["light"] == "" {
			return "off", nil
		}
		return e.Memo["light"], nil
	}
	runs := 0
	set := func(v string) func(context.Context, *labs.Env) error {
		return func(_ context.Context, e *labs.Env) error { runs++; e.Memo["light"] = v; return nil }
	}
	lab := labs.Lab{ID: "demo", Script: []labs.Step{{Name: "note", Do: func(context.Context, *labs.Env) error { return nil }}},
		Actions: []labs.Action{
			{ID: "on", Subject: "Light", From: []string{"off"}, State: light, Do: set("on")},
			{ID: "off", Subject: "Light", From: []string{"on"}, State: light, Do: set("off")},
			{ID: "free", Do: func(context.Context, *labs.Env) error { return nil }},
		}}
	r.Start(Student{ClassID: "c1", Slug: "s01", Region: "us-east-1", Lab: lab, Persona: labs.Persona{Pace: 1, StuckAfter: -1}})
	if _, _, err := r.State(ctx, "c1", "s01", "demo"); !errors.Is(err, ErrNoSuchAction) {
		t.Fatalf("State before the sandbox exists: %v, want ErrNoSuchAction", err)
	}
	for i := 0; i < 20; i++ {
		clock.Advance(10 * time.Second)
		r.RunDue(ctx)
	}
	got, at, err := r.State(ctx, "c1", "s01", "demo")
	if err != nil || len(got) != 1 || got["Light"] != "off" || !at.Equal(clock.Now()) {
		t.Fatalf("State = %v at %v, %v; want Light off at the simulated now", got, at, err)
	}
	var refused *NotOfferedError
	if err := r.Act(ctx, "c1", "s01", "demo", "off"); !errors.As(err, &refused) || refused.Subject != "Light" || refused.State != "off" || runs != 0 {
		t.Fatalf("off while off: %v (ran %d times), want a refusal", err, runs)
	}
	if err := r.Act(ctx, "c1", "s01", "demo", "on"); err != nil || runs != 1 {
		t.Fatalf("on while off: %v", err)
	}
	if got, _, _ := r.State(ctx, "c1", "s01", "demo"); got["Light"] != "on" {
		t.Errorf("after on: %v", got)
	}
	if err := r.Act(ctx, "c1", "s01", "demo", "on"); !errors.As(err, &refused) || runs != 1 {
		t.Errorf("on twice: %v (ran %d times)", err, runs)
	}
}

// TestStateLeavesOutUnreadable: a subject whose state cannot be read is left out
// of State, and the others are still read.
func TestStateLeavesOutUnreadable(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333"})
	r := New(slog.New(slog.NewTextHandler(io.Discard, nil)), world, world, clock.Now)
	ok := func(context.Context, *labs.Env) (string, error) { return "on", nil }
	broken := func(context.Context, *labs.Env) (string, error) { return "", errors.New("no origin yet") }
	nop := func(context.Context, *labs.Env) error { return nil }
	lab := labs.Lab{ID: "demo", Script: []labs.Step{{Name: "note", Do: nop}},
		Actions: []labs.Action{
			{ID: "a", Subject: "Broken", From: []string{"on"}, State: broken, Do: nop},
			{ID: "b", Subject: "Light", From: []string{"on"}, State: ok, Do: nop},
		}}
	r.Start(Student{ClassID: "c1", Slug: "s01", Region: "us-east-1", Lab: lab, Persona: labs.Persona{Pace: 1, StuckAfter: -1}})
	for i := 0; i < 20; i++ {
		clock.Advance(10 * time.Second)
		r.RunDue(ctx)
	}
	got, _, err := r.State(ctx, "c1", "s01", "demo")
	if err != nil || len(got) != 1 || got["Light"] != "on" {
		t.Errorf("State = %v, %v; want only Light", got, err)
	}
	if err := r.Act(ctx, "c1", "s01", "demo", "a"); err == nil || !strings.Contains(err.Error(), "no origin yet") {
		t.Errorf("Act on the unreadable subject: %v, want the reading's error", err)
	}
}
