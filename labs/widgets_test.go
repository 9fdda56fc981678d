package labs

import (
	"testing"
	"time"
)

// TestClock: a simulated time says so; a real one says its zone; both in UTC
// whatever zone the time was made in.
func TestClock(t *testing.T) {
	at := time.Date(2027, 1, 2, 10, 14, 3, 0, time.FixedZone("CET", 3600))
	if got := Clock(at, true); got != "09:14:03 (simulated time)" {
		t.Errorf("simulated: %q", got)
	}
	if got := Clock(at, false); got != "09:14:03 UTC" {
		t.Errorf("real: %q", got)
	}
}
