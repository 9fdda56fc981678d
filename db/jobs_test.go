package db

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestJobLease: one process holds a job at a time. A second claim fails while the
// holder's heartbeat is fresh, succeeds once it is stale or the caller names the
// holder as dead, and a finished job is never claimed; a holder that lost its
// lease learns it at its next heartbeat.
func TestJobLease(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	u := mustUser(t, s, "ana@example.edu", RoleInstructor)
	c := &Class{Name: "Lease", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared}
	if err := s.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	s.SetClock(func() time.Time { return now })
	job, err := s.CreatePlannedJob(ctx, c.ID, "cleanup", "s02", "0123456789abcdef", []JobItem{{Key: "arn:a"}})
	if err != nil {
		t.Fatal(err)
	}
	if job.PlanHash != "0123456789abcdef" || job.Scope != "s02" || job.Owner != "" {
		t.Fatalf("created job: %+v", job)
	}
	ok, _, _, err := s.ClaimJob(ctx, job.ID, "host|1|a", now.Add(-30*time.Second), "")
	if err != nil || !ok {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	// Fresh heartbeat: the second process is refused and told who holds it.
	ok, holder, beat, err := s.ClaimJob(ctx, job.ID, "host|2|b", now.Add(-30*time.Second), "")
	if err != nil || ok || holder != "host|1|a" || !beat.Equal(now) {
		t.Fatalf("second claim while held: ok=%v holder=%q beat=%v err=%v", ok, holder, beat, err)
	}
	// The holder claiming again (a resumed run in the same process) keeps it.
	if ok, _, _, err := s.ClaimJob(ctx, job.ID, "host|1|a", now.Add(-30*time.Second), ""); err != nil || !ok {
		t.Fatalf("holder's own claim: %v %v", ok, err)
	}
	// Named dead: taken over at once, without waiting out the lease.
	if ok, _, _, err := s.ClaimJob(ctx, job.ID, "host|2|b", now.Add(-30*time.Second), "host|1|a"); err != nil || !ok {
		t.Fatalf("claim from a dead holder: %v %v", ok, err)
	}
	// The old holder's heartbeat now fails: it must stop.
	if ok, err := s.BeatJob(ctx, job.ID, "host|1|a"); err != nil || ok {
		t.Fatalf("the old holder's heartbeat: %v %v, want lost", ok, err)
	}
	// Stale: the lease passes to whoever claims after its lifetime.
	now = now.Add(time.Minute)
	if ok, _, _, err := s.ClaimJob(ctx, job.ID, "host|3|c", now.Add(-30*time.Second), ""); err != nil || !ok {
		t.Fatalf("claim of a stale lease: %v %v", ok, err)
	}
	if ok, err := s.BeatJob(ctx, job.ID, "host|3|c"); err != nil || !ok {
		t.Fatalf("heartbeat: %v %v", ok, err)
	}
	// Many at once: exactly one wins.
	now = now.Add(time.Minute)
	var wins int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ok, _, _, err := s.ClaimJob(ctx, job.ID, "racer|"+string(rune('a'+i)), now.Add(-30*time.Second), "")
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d racers claimed the stale job, want exactly 1", wins)
	}
	// Finished: released, with its outcome, and never claimed again.
	if err := s.FinishJob(ctx, job.ID, JobDone, OutcomeNotVerified, "1 check could not be made"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Job(ctx, job.ID)
	if got.Owner != "" || got.Outcome != OutcomeNotVerified || got.Error != "1 check could not be made" || got.State != JobDone {
		t.Fatalf("finished job: %+v", got)
	}
	if ok, _, _, err := s.ClaimJob(ctx, job.ID, "host|4|d", now.Add(time.Hour), ""); ok || !errors.Is(err, ErrConflict) {
		t.Fatalf("claim of a finished job: %v %v, want ErrConflict", ok, err)
	}
}

// TestCleanupPlanRecord: a recorded plan comes back with its scope and ARNs;
// an unknown one is ErrNotFound; plans older than a week go.
func TestCleanupPlanRecord(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	u := mustUser(t, s, "ana@example.edu", RoleInstructor)
	c := &Class{Name: "Plans", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared}
	if err := s.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	s.SetClock(func() time.Time { return now })
	if err := s.SaveCleanupPlan(ctx, c.ID, "s01", "aaaaaaaaaaaaaaaa", []string{"arn:1", "arn:2"}); err != nil {
		t.Fatal(err)
	}
	scope, arns, err := s.CleanupPlan(ctx, c.ID, "aaaaaaaaaaaaaaaa")
	if err != nil || scope != "s01" || len(arns) != 2 || arns[1] != "arn:2" {
		t.Fatalf("recorded plan: %q %v %v", scope, arns, err)
	}
	if _, _, err := s.CleanupPlan(ctx, c.ID, "bbbbbbbbbbbbbbbb"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown plan: %v", err)
	}
	if err := s.SaveCleanupPlan(ctx, c.ID, "", "cccccccccccccccc", nil); err != nil {
		t.Fatal(err)
	}
	if _, arns, err := s.CleanupPlan(ctx, c.ID, "cccccccccccccccc"); err != nil || len(arns) != 0 {
		t.Fatalf("empty plan: %v %v", arns, err)
	}
	now = now.Add(8 * 24 * time.Hour)
	if err := s.SaveCleanupPlan(ctx, c.ID, "", "dddddddddddddddd", []string{"arn:3"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CleanupPlan(ctx, c.ID, "aaaaaaaaaaaaaaaa"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a plan older than a week is still kept: %v", err)
	}
}
