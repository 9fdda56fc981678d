package monitor

import (
	"context"
	"testing"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// TestGroupCacheEviction: the monitor hands a lab the same cache every cycle, forgets
// a student's entries when the student leaves the class and drops the class's
// caches when the class is deleted.
func TestGroupCacheEviction(t *testing.T) {
	type seen struct{ cycles int }
	var caches []*labs.Cache // the cache each cycle received
	counting := labs.Lab{ID: "counting", Title: "Counting", Checkpoints: []labs.Checkpoint{{ID: "seen", Title: "Seen",
		Check: func(labs.Observation) labs.Result { return labs.Passf("ok") }}},
		Observe: func(_ context.Context, _ *cloud.Clients, cache *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
			caches = append(caches, cache)
			out := map[string]labs.Observation{}
			for _, tg := range targets {
				labs.Keep[seen](cache, tg.StudentID, "seen").cycles++
				labs.Keep[seen](cache.Class(), tg.StudentID, "seen").cycles++
				out[tg.StudentID] = struct{}{}
			}
			return out, nil
		}}
	f := newFixture(t, 3, counting)
	f.m.settled = -1 // every student read every cycle: this test counts the cache's uses
	cycle := func() *labs.Cache {
		t.Helper()
		n := len(caches)
		if err := f.m.Cycle(f.ctx); err != nil {
			t.Fatal(err)
		}
		if len(caches) != n+1 {
			t.Fatalf("the lab was observed %d times in a cycle, want once", len(caches)-n)
		}
		return caches[len(caches)-1]
	}
	first := cycle()
	if second := cycle(); second != first || second == nil {
		t.Fatalf("second cycle got cache %p, want the first cycle's %p", second, first)
	}
	if got := labs.Keep[seen](first, "s02", "seen").cycles; got != 2 {
		t.Errorf("s02 seen in %d cycles, want 2", got)
	}
	if err := f.store.RemoveStudent(f.ctx, f.class.ID, "s02"); err != nil {
		t.Fatal(err)
	}
	if c := cycle(); c != first {
		t.Fatal("the cache changed when a student left")
	}
	if got := first.Students(); len(got) != 2 || got[0] != "s01" || got[1] != "s03" {
		t.Errorf("students cached after s02 left: %v, want [s01 s03]", got)
	}
	if got := first.Class().Students(); first.Class() == first || len(got) != 2 || got[0] != "s01" || got[1] != "s03" {
		t.Errorf("students in the class-wide cache after s02 left: %v, want [s01 s03]", got)
	}
	if got := labs.Keep[seen](first, "s01", "seen").cycles; got != 3 {
		t.Errorf("s01 seen in %d cycles, want 3 (kept)", got)
	}
	f.m.Forget(f.class.ID)
	f.m.mu.Lock()
	left := len(f.m.caches)
	f.m.mu.Unlock()
	if left != 0 {
		t.Errorf("%d caches left after the class was forgotten", left)
	}
}

// TestCachesOfAClassGoneFromTheStore: a class deleted from the store without the
// monitor being told (another process, an operator's SQL) loses its caches at the
// next cycle; another class's stay.
func TestCachesOfAClassGoneFromTheStore(t *testing.T) {
	counting := labs.Lab{ID: "counting", Title: "Counting", Checkpoints: []labs.Checkpoint{{ID: "seen", Title: "Seen",
		Check: func(labs.Observation) labs.Result { return labs.Passf("ok") }}},
		Observe: func(_ context.Context, _ *cloud.Clients, cache *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
			out := map[string]labs.Observation{}
			for _, tg := range targets {
				labs.Keep[int](cache, tg.StudentID, "seen")
				out[tg.StudentID] = struct{}{}
			}
			return out, nil
		}}
	f := newFixture(t, 2, counting)
	if err := f.m.Cycle(f.ctx); err != nil {
		t.Fatal(err)
	}
	classes := func() map[string]bool {
		f.m.mu.Lock()
		defer f.m.mu.Unlock()
		out := map[string]bool{}
		for k := range f.m.caches {
			out[k.class] = true
		}
		return out
	}
	if !classes()[f.class.ID] {
		t.Fatal("no cache for the class after a cycle")
	}
	if err := f.store.DeleteClass(f.ctx, f.class.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.m.Cycle(f.ctx); err != nil {
		t.Fatal(err)
	}
	if got := classes(); len(got) != 0 {
		t.Errorf("caches left for classes %v after the class was deleted from the store", got)
	}
}
