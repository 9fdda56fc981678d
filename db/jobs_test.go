package db

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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

// TestOneOpenJobPerClassAndKind: of 8 concurrent creations of a class's cleanup
// job exactly one succeeds, and the other 7 get ErrJobOpen naming that job; a
// provisioning job of the class and another class's cleanup job are not in the
// way; once the open job has finished a new one can start.
func TestOneOpenJobPerClassAndKind(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	u := mustUser(t, s, "ana@example.edu", RoleInstructor)
	a := &Class{Name: "A", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared}
	b := &Class{Name: "B", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared}
	for _, c := range []*Class{a, b} {
		if err := s.CreateClass(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateJob(ctx, a.ID, "provision", []string{"s01"}); err != nil {
		t.Fatalf("a provisioning job beside no cleanup job: %v", err)
	}
	var wg sync.WaitGroup
	jobs := make([]*Job, 8)
	errs := make([]error, 8)
	for i := range jobs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			jobs[i], errs[i] = s.CreatePlannedJob(ctx, a.ID, "cleanup", "", "0123456789abcdef", []JobItem{{Key: "arn:a"}, {Key: "arn:b"}})
		}(i)
	}
	wg.Wait()
	var won *Job
	for i := range jobs {
		if errs[i] == nil {
			if won != nil {
				t.Fatalf("two jobs created: %d and %d", won.ID, jobs[i].ID)
			}
			won = jobs[i]
		}
	}
	if won == nil {
		t.Fatalf("no job created: %v", errs)
	}
	for i, err := range errs {
		if err == nil {
			continue
		}
		var open *JobOpenError
		if !errors.Is(err, ErrJobOpen) || !errors.As(err, &open) || open.Job == nil || open.Job.ID != won.ID {
			t.Errorf("creation %d: %v, want ErrJobOpen naming job %d", i, err, won.ID)
		}
	}
	if n := countRows(t, s, `SELECT COUNT(*) FROM jobs WHERE class_id = ? AND kind = 'cleanup'`, a.ID); n != 1 {
		t.Fatalf("%d cleanup jobs in the table, want 1", n)
	}
	if n := countRows(t, s, `SELECT COUNT(*) FROM job_items WHERE job_id != ?`, won.ID); n != 1 { // the provisioning job's
		t.Errorf("%d job items of jobs other than the winner's and the provisioning job, want none", n-1)
	}
	if _, err := s.CreatePlannedJob(ctx, b.ID, "cleanup", "", "fedcba9876543210", nil); err != nil {
		t.Errorf("another class's cleanup job: %v", err)
	}
	if err := s.FinishJob(ctx, won.ID, JobDone, OutcomeVerified, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePlannedJob(ctx, a.ID, "cleanup", "", "0123456789abcdef", nil); err != nil {
		t.Errorf("a new cleanup job once the open one finished: %v", err)
	}
}

// TestMigrationClosesDuplicateOpenJobs: a database from before migration 0007 that
// the race left with several unfinished jobs of one class and kind migrates: the
// oldest stays open, the others end failed saying why, and the index then holds.
func TestMigrationClosesDuplicateOpenJobs(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	u := mustUser(t, s, "ana@example.edu", RoleInstructor)
	c := &Class{Name: "Dup", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared}
	if err := s.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	// Back to version 6: no index, and three open cleanup jobs, one finished one,
	// one open provisioning job. The later migrations are undone too, since they run again.
	for _, q := range []string{`DROP INDEX jobs_one_open`, `DROP INDEX ledger_arn`, `DELETE FROM schema_version WHERE version >= 7`} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []struct{ kind, state string }{{"cleanup", JobRunning}, {"cleanup", JobQueued}, {"cleanup", JobDone}, {"cleanup", JobRunning}, {"provision", JobQueued}} {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO jobs (class_id, kind, state, created_at, updated_at) VALUES (?, ?, ?, 0, 0)`, c.ID, st.kind, st.state); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("migrating a database with duplicate open jobs: %v", err)
	}
	defer s.Close()
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, state, error FROM jobs ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id int64
		var kind, state, msg string
		if err := rows.Scan(&id, &kind, &state, &msg); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %s %s %v", id, kind, state, strings.Contains(msg, "migration 0007: job 1 of the same kind")))
	}
	want := []string{"1 cleanup running false", "2 cleanup failed true", "3 cleanup done false", "4 cleanup failed true", "5 provision queued false"}
	if !slices.Equal(got, want) {
		t.Fatalf("jobs after the migration:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := s.CreatePlannedJob(ctx, c.ID, "cleanup", "", "0123456789abcdef", nil); !errors.Is(err, ErrJobOpen) {
		t.Errorf("a cleanup job beside job 1 after the migration: %v, want ErrJobOpen", err)
	}
}

func countRows(t *testing.T, s *Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
