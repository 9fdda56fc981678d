package sim

import (
	"testing"
	"time"
)

// TestScaledClockStop: after Stop the simulated time no longer moves, and a
// second Stop does not move it either.
func TestScaledClockStop(t *testing.T) {
	c := NewScaledClock(1000)
	before := c.Now()
	time.Sleep(2 * time.Millisecond)
	c.Stop()
	at := c.Now()
	if !at.After(before) {
		t.Fatalf("the clock did not run before Stop: %v then %v", before, at)
	}
	time.Sleep(2 * time.Millisecond)
	c.Stop()
	if got := c.Now(); !got.Equal(at) {
		t.Fatalf("Now after Stop moved from %v to %v", at, got)
	}
}
