package main

import (
	"reflect"
	"testing"
	"time"
)

// TestTasksWaitNamesWhatDidNotStop: Wait returns once every goroutine has
// returned; one that does not within the bound is named; nothing starts after.
func TestTasksWaitNamesWhatDidNotStop(t *testing.T) {
	var g tasks
	release := make(chan struct{})
	defer close(release)
	g.Go("quick", func() {})
	g.Go("stuck", func() { <-release })
	g.Go("stuck", func() { <-release })
	if left := g.Wait(50 * time.Millisecond); !reflect.DeepEqual(left, []string{"stuck ×2"}) {
		t.Fatalf("still running: %q, want [stuck ×2]", left)
	}
	if g.Go("late", func() { t.Error("a goroutine started after Wait") }) {
		t.Fatal("Go accepted a goroutine after Wait")
	}

	var h tasks
	ran := make(chan struct{})
	h.Go("done soon", func() { <-ran })
	close(ran)
	if left := h.Wait(5 * time.Second); left != nil {
		t.Fatalf("still running: %q, want none", left)
	}
}
