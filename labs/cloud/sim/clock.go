package sim

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock is the simulator's source of time. The world reads it at the start of
// every API call and advances its dynamics up to the time it returns.
type Clock interface {
	Now() time.Time
}

// ManualClock is a Clock that moves only when told to, for deterministic tests.
// It is safe for concurrent use.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a clock stopped at start.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{t: start}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d (a negative d is ignored: time in the
// simulator never runs backwards).
func (c *ManualClock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// ScaledClock runs speed times faster than the wall clock, starting at the wall
// time it was created: sim time = start + speed × real time elapsed. The demo
// class uses it so that a lab moves visibly in minutes. Safe for concurrent use.
type ScaledClock struct {
	start   time.Time // wall time at creation, with its monotonic reading
	speed   float64
	stopped atomic.Pointer[time.Time] // the simulated time Stop froze, if it was called
}

// NewScaledClock returns a clock running speed times real time; a speed that is
// not positive means real time.
func NewScaledClock(speed float64) *ScaledClock {
	if !(speed > 0) {
		speed = 1
	}
	return &ScaledClock{start: time.Now(), speed: speed}
}

// Now returns the simulated time.
func (c *ScaledClock) Now() time.Time {
	if t := c.stopped.Load(); t != nil {
		return *t
	}
	elapsed := time.Since(c.start)
	return c.start.Add(time.Duration(float64(elapsed) * c.speed))
}

// Stop freezes simulated time where it is now: a benchmark stops the world's
// clock with the virtual students, so that what it measures afterwards is not a
// world catching up on simulated hours nobody asked for.
func (c *ScaledClock) Stop() {
	t := c.Now()
	c.stopped.CompareAndSwap(nil, &t)
}

// Speed reports how many simulated seconds pass per real second.
func (c *ScaledClock) Speed() float64 { return c.speed }
