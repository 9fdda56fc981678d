package labs

import "time"

// WidgetView is the renderable state of one widget: exactly one of its parts is set.
// Views are plain data so they can be diffed, stored in memory and rendered by web.
type WidgetView struct {
	Tile  *Tile
	Table *Table
	Lamps *Lamps
	Spark *Sparkline
	// Empty explains why there is nothing to show yet ("no service yet").
	Empty string
}

// Tile shows a few big numbers and a short list of lines (service tile).
type Tile struct {
	Counts []Count
	Lines  []string
	Badge  string // e.g. a rollout state
}

// Count is one labelled number.
type Count struct {
	Label string
	Value int
}

// Table is rows of cells (task table, target health).
type Table struct {
	Columns []string
	Rows    []Row
}

// Row is a table row; Tone colours it ("ok", "warn", "bad", "").
type Row struct {
	Cells []string
	Tone  string
}

// Lamps shows named states with their recent transitions (alarm lamp).
type Lamps struct {
	Items []Lamp
}

// Lamp is one named state.
type Lamp struct {
	Name    string
	State   string // "OK", "ALARM", "INSUFFICIENT_DATA"
	Tone    string
	History []Transition // newest first
}

// Transition is one state change seen by the monitor.
type Transition struct {
	At   time.Time
	From string
	To   string
}

// Sparkline is a short series of values, oldest first.
type Sparkline struct {
	Label  string
	Unit   string
	Points []float64
	Last   float64
}

// History is what the monitor keeps per student across cycles for widgets. It is
// owned by the monitor's goroutine; lab code reads and appends to it in View.
type History struct {
	// Transitions per named thing (an alarm), newest first, capped.
	Transitions map[string][]Transition
	// Last known state per named thing.
	State map[string]string
}

// NewHistory returns an empty history.
func NewHistory() *History {
	return &History{Transitions: map[string][]Transition{}, State: map[string]string{}}
}

// Observe records state for name at time at, adding a transition when it changed.
func (h *History) Observe(name, state string, at time.Time) {
	prev, seen := h.State[name]
	if seen && prev == state {
		return
	}
	h.State[name] = state
	if !seen {
		return
	}
	tr := append([]Transition{{At: at, From: prev, To: state}}, h.Transitions[name]...)
	if len(tr) > 10 {
		tr = tr[:10]
	}
	h.Transitions[name] = tr
}
