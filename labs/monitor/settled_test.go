package monitor

import (
	"context"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// TestSettledStudentsAreReadLess: a student who finished a lab (every required
// checkpoint passed) or has not started it (everything pending) is read every
// Settled of the provider's clock, not every cycle, and keeps their cell in
// between; one still working is read every cycle; a watched student and one woken
// by Wake are read on the next cycle whatever their state; and a settled student
// whose lab changes again (a finished student breaks their service) is read every
// cycle from then on.
func TestSettledStudentsAreReadLess(t *testing.T) {
	var mu sync.Mutex
	state := map[string]labs.Status{"s01": labs.Pass, "s02": labs.Fail, "s03": labs.Pending}
	var read [][]string // the students each cycle's Observe was given
	lab := labs.Lab{ID: "settling", Title: "Settling",
		Checkpoints: []labs.Checkpoint{
			{ID: "one", Title: "One", Check: func(o labs.Observation) labs.Result { return labs.Result{Status: o.(labs.Status), Evidence: "as set"} }},
			{ID: "extra", Title: "Extra", Optional: true, Check: func(labs.Observation) labs.Result { return labs.Pendingf("optional, never done") }},
		},
		Observe: func(_ context.Context, _ *cloud.Clients, _ *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
			mu.Lock()
			defer mu.Unlock()
			out := map[string]labs.Observation{}
			var ids []string
			for _, tg := range targets {
				out[tg.StudentID] = state[tg.StudentID]
				ids = append(ids, tg.StudentID)
			}
			sort.Strings(ids)
			read = append(read, ids)
			return out, nil
		}}
	f := newFixture(t, 3, lab)
	// Every key read on whole 30 s of the clock (the fixture's clock starts on
	// one): this test is about when, not about spreading (TestSettledReadsSpread).
	f.m.phase = func(key) time.Duration { return 0 }
	watching := map[string]bool{}
	f.m.watched = func(classID, student string) bool {
		mu.Lock()
		defer mu.Unlock()
		return classID == f.class.ID && watching[student]
	}
	cycle := func(advance time.Duration, want ...string) {
		t.Helper()
		f.clock.Advance(advance)
		mu.Lock()
		n := len(read)
		mu.Unlock()
		if err := f.m.Cycle(f.ctx); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		var got []string
		if len(read) > n {
			got = read[len(read)-1]
		}
		if len(read) > n+1 {
			t.Fatalf("the lab was observed %d times in one cycle", len(read)-n)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("read %v, want %v", got, want)
		}
	}
	cycle(0, "s01", "s02", "s03")             // the first reading of everyone
	cycle(2*time.Second, "s02")               // s01 finished, s03 not started
	cycle(20*time.Second, "s02")              // 22 s since their last read
	cycle(8*time.Second, "s01", "s02", "s03") // 30 s: due again
	cycle(2*time.Second, "s02")

	// The settled students' cells stay as they were read.
	snap := f.m.ClassSnapshot(f.class.ID)
	if c := snap["s01"][lab.ID]; c.Passed != 1 || c.Total != 1 || c.Results[0].Status != labs.Pass {
		t.Errorf("s01's cell between reads: %+v", c)
	}
	if c := snap["s03"][lab.ID]; len(c.Results) != 2 || c.Results[0].Status != labs.Pending {
		t.Errorf("s03's cell between reads: %+v", c)
	}

	// Someone opens s01's page: s01 is read every cycle while they look.
	mu.Lock()
	watching["s01"] = true
	mu.Unlock()
	cycle(2*time.Second, "s01", "s02")
	cycle(2*time.Second, "s01", "s02")
	mu.Lock()
	watching["s01"] = false
	mu.Unlock()
	cycle(2*time.Second, "s02")

	// An event about s03 (or a rehearsal action) wakes them once; another class's
	// student with the same slug wakes no one here.
	f.m.Wake("cother", "s03")
	cycle(2*time.Second, "s02")
	f.m.Wake(f.class.ID, "s03")
	cycle(2*time.Second, "s02", "s03")
	cycle(2*time.Second, "s02")

	// s03 starts, and fails a step: no longer settled, read every cycle; s01 is
	// read at its next due time, then every cycle once it has something to fix:
	// its cell keeps "ever passed" but its current result failing is news.
	mu.Lock()
	state["s03"], state["s01"] = labs.Fail, labs.Fail
	mu.Unlock()
	f.m.Wake(f.class.ID, "s03")
	cycle(2*time.Second, "s02", "s03")
	cycle(2*time.Second, "s02", "s03")
	cycle(30*time.Second, "s01", "s02", "s03")
	if c := f.m.ClassSnapshot(f.class.ID)["s01"][lab.ID]; c.Results[0].Status != labs.Fail {
		t.Errorf("s01's cell after its lab broke: %+v", c.Results)
	}
	// s01 has passed "one" once, so the lab is still finished: settled again. That
	// is the rule (the grid counts checkpoints ever passed); s03 is not.
	cycle(2*time.Second, "s02", "s03")
}

// TestSettledOff: a negative Settled reads every student every cycle.
func TestSettledOff(t *testing.T) {
	n := 0
	lab := labs.Lab{ID: "always", Title: "Always",
		Checkpoints: []labs.Checkpoint{{ID: "one", Title: "One", Check: func(labs.Observation) labs.Result { return labs.Passf("done") }}},
		Observe: func(_ context.Context, _ *cloud.Clients, _ *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
			n += len(targets)
			out := map[string]labs.Observation{}
			for _, tg := range targets {
				out[tg.StudentID] = struct{}{}
			}
			return out, nil
		}}
	f := newFixture(t, 2, lab)
	f.m.settled = -1
	for range 3 {
		f.clock.Advance(2 * time.Second)
		if err := f.m.Cycle(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n != 6 {
		t.Errorf("%d student reads in 3 cycles of 2 finished students, want 6", n)
	}
}

// TestSettledReadsSpread: 60 students who all finished in the same cycle are
// read again a few a cycle, not all together every 30 s: over two minutes of
// 2 s cycles, every one of them is read at least every 30 s and at most twice
// in any 30 s, and no cycle reads more than a third of them.
func TestSettledReadsSpread(t *testing.T) {
	const n = 60
	var reads []int // students read per cycle
	last := map[string]time.Time{}
	var f *fixture
	lab := labs.Lab{ID: "spread", Title: "Spread",
		Checkpoints: []labs.Checkpoint{{ID: "one", Title: "One", Check: func(labs.Observation) labs.Result { return labs.Passf("done") }}},
		Observe: func(_ context.Context, c *cloud.Clients, _ *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
			out := map[string]labs.Observation{}
			now := c.Clock()
			for _, tg := range targets {
				out[tg.StudentID] = struct{}{}
				if prev, ok := last[tg.StudentID]; ok && now.Sub(prev) > 30*time.Second {
					t.Errorf("%s read %v after its last read, more than 30 s", tg.StudentID, now.Sub(prev))
				}
				last[tg.StudentID] = now
			}
			reads = append(reads, len(targets))
			return out, nil
		}}
	f = newFixture(t, n, lab)
	if err := f.m.Cycle(f.ctx); err != nil { // everyone's first reading: all finished
		t.Fatal(err)
	}
	reads = reads[:0]
	for range 60 {
		f.clock.Advance(2 * time.Second)
		if err := f.m.Cycle(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	total, most := 0, 0
	for _, r := range reads {
		total += r
		most = max(most, r)
	}
	// 120 s at one read per student per 30 s: 4 reads each, 5 at most.
	if total < 4*n || total > 5*n {
		t.Errorf("%d reads of %d settled students in 120 s, want 4–5 each", total, n)
	}
	if most > n/3 {
		t.Errorf("one cycle read %d of %d settled students (reads per cycle %v): they are not spread", most, n, reads)
	}
}

// TestSettledBacklogAfterALateCycle: a cycle that ends more than the settled
// period late (a stall; at the simulator's 10× a 3 s cycle) finds every settled
// student due at once. The next cycle reads a few times the steady share, the
// longest overdue first, not all of them (which made the next cycle the next
// late one), and every student is still read within a few cycles.
func TestSettledBacklogAfterALateCycle(t *testing.T) {
	const n = 300
	var reads []int
	last := map[string]time.Time{}
	lab := labs.Lab{ID: "backlog", Title: "Backlog",
		Checkpoints: []labs.Checkpoint{{ID: "one", Title: "One", Check: func(labs.Observation) labs.Result { return labs.Passf("done") }}},
		Observe: func(_ context.Context, c *cloud.Clients, _ *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
			out := map[string]labs.Observation{}
			for _, tg := range targets {
				out[tg.StudentID] = struct{}{}
				last[tg.StudentID] = c.Clock()
			}
			reads = append(reads, len(targets))
			return out, nil
		}}
	f := newFixture(t, n, lab)
	cycle := func(step time.Duration) {
		t.Helper()
		f.clock.Advance(step)
		if err := f.m.Cycle(f.ctx); err != nil {
			t.Fatal(err)
		}
	}
	cycle(0) // everyone's first reading: all finished, so settled
	for range 30 {
		cycle(2 * time.Second)
	}
	steady := 0
	for _, r := range reads[len(reads)-15:] {
		steady = max(steady, r)
	}
	reads = reads[:0]
	cycle(45 * time.Second) // the stall: everyone is due
	stalledAt := f.clock.Now()
	if limit := settledCap(n, 2*time.Second, DefaultSettled); reads[0] > limit || reads[0] == n {
		t.Fatalf("the cycle after a stall read %d of %d settled students, want at most %d (1.5 × the steady share)", reads[0], n, limit)
	}
	for range 10 {
		cycle(2 * time.Second)
	}
	for s, at := range last {
		if at.Before(stalledAt) {
			t.Errorf("%s not read in the 10 cycles after the stall (last %v before it)", s, stalledAt.Sub(at))
		}
	}
	t.Logf("steady: at most %d a cycle; after the stall: %v", steady, reads)
}

// TestSettledCapKeepsTheSteadyShare: the cap is well above the steady share, so a
// student on time is not deferred; a small class is read whole; it is off when the
// step is unknown or a whole period.
func TestSettledCapKeepsTheSteadyShare(t *testing.T) {
	for _, c := range []struct {
		n          int
		step, each time.Duration
		want       int
	}{
		{300, 2 * time.Second, 30 * time.Second, 34},     // share 20, + 3√20
		{2000, 10 * time.Second, 30 * time.Second, 1000}, // the simulator at 10×: share 667, + half
		{2000, 40 * time.Second, 30 * time.Second, 2000},
		{2000, 0, 30 * time.Second, 2000},
		{5, time.Second, 30 * time.Second, 10},
		{0, time.Second, 30 * time.Second, 10},
	} {
		if got := settledCap(c.n, c.step, c.each); got != c.want {
			t.Errorf("settledCap(%d, %v, %v) = %d, want %d", c.n, c.step, c.each, got, c.want)
		}
	}
}
