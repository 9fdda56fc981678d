package monitor

import (
	"context"
	"reflect"
	"testing"

	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/sandbox"
)

func calls(f *fixture) int64 {
	var n int64
	for _, v := range f.counter.Snapshot() {
		n += v
	}
	return n
}

// TestCleanedUpClassIsNotRead: once the instructor confirms a whole-class cleanup,
// the class is history. Reading its sandboxes while they are deleted (and after)
// would turn every passed cell back to pending and cost AWS calls for nothing, so
// the monitor makes no call for it and its last readings stay; provisioning again
// makes it read again.
func TestCleanedUpClassIsNotRead(t *testing.T) {
	f := newFixture(t, 3)
	f.m.atRest = func(ctx context.Context) (map[string]bool, error) {
		return f.store.ClassesCleanedUp(ctx, cleanup.JobKind, sandbox.JobKind)
	}
	if err := f.m.Cycle(f.ctx); err != nil {
		t.Fatal(err)
	}
	before := f.statuses()
	if len(before) != 3 {
		t.Fatalf("first cycle judged %d students, want 3", len(before))
	}
	if _, err := f.store.CreateJob(f.ctx, f.class.ID, cleanup.JobKind, []string{"x"}); err != nil {
		t.Fatal(err)
	}
	n := calls(f)
	if err := f.m.Cycle(f.ctx); err != nil {
		t.Fatal(err)
	}
	if got := calls(f) - n; got != 0 {
		t.Errorf("a cleaned-up class cost %d AWS calls in a cycle, want 0", got)
	}
	if after := f.statuses(); !reflect.DeepEqual(after, before) {
		t.Errorf("the history changed: %v, was %v", after, before)
	}
	if _, err := f.store.CreateJob(f.ctx, f.class.ID, sandbox.JobKind, []string{"y"}); err != nil {
		t.Fatal(err)
	}
	n = calls(f)
	if err := f.m.Cycle(f.ctx); err != nil {
		t.Fatal(err)
	}
	if calls(f) == n {
		t.Error("a class provisioned again after its cleanup is not read")
	}
}
