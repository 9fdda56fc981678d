package handlers

import (
	"testing"
	"time"
)

// eventually polls cond until it holds or timeout passes, then fails the test
// naming what it waited for. Tests wait on a condition with it, never on a
// fixed sleep.
func eventually(t *testing.T, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
