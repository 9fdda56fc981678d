package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Job states and item states.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"

	// OutcomeVerified and OutcomeNotVerified are how a cleanup job ended: a fresh
	// sweep that read everything found nothing left, or not (something is left,
	// failed, or could not be checked).
	OutcomeVerified    = "verified"
	OutcomeNotVerified = "not verified"

	ItemPending = "pending"
	ItemRunning = "running"
	ItemDone    = "done"
	ItemFailed  = "failed"
)

// Job is long work (provisioning, cleanup) that survives a restart.
type Job struct {
	ID        int64
	ClassID   string
	Kind      string
	Scope     string // "" for the whole class, or one student's slug
	State     string
	Error     string
	CreatedAt time.Time
	UpdatedAt time.Time
	Items     []JobItem
	// Owner is the process holding the job's lease ("" when none does) and
	// HeartbeatAt when it last renewed it.
	Owner       string
	HeartbeatAt time.Time
	// PlanHash is the cleanup plan the job was confirmed against; Outcome how its
	// verification ended (OutcomeVerified, OutcomeNotVerified, "" until then).
	PlanHash string
	Outcome  string
}

// JobItem is one unit of a job's work (a student), with its own state.
type JobItem struct {
	Key       string
	Payload   string // what the item works on, as the job's kind encodes it
	State     string
	Step      string
	Detail    string
	UpdatedAt time.Time
}

// Counts tallies a job's items by state.
func (j *Job) Counts() map[string]int {
	out := map[string]int{ItemPending: 0, ItemRunning: 0, ItemDone: 0, ItemFailed: 0}
	for _, it := range j.Items {
		out[it.State]++
	}
	return out
}

// ErrJobOpen means the class already has an unfinished job of that kind. The
// database allows one (the partial unique index jobs_one_open), so of two starts
// that race, the second gets a *JobOpenError naming the first.
var ErrJobOpen = errors.New("db: the class already has an unfinished job of that kind")

// JobOpenError is ErrJobOpen with the job that is open; Job is nil when that job
// finished before it could be read.
type JobOpenError struct {
	ClassID, Kind string
	Job           *Job
}

func (e *JobOpenError) Error() string {
	if e.Job == nil {
		return fmt.Sprintf("db: class %s already had an unfinished %s job", e.ClassID, e.Kind)
	}
	return fmt.Sprintf("db: class %s already has an unfinished %s job: job %d is %s", e.ClassID, e.Kind, e.Job.ID, e.Job.State)
}

// Is makes errors.Is(err, ErrJobOpen) and errors.Is(err, ErrConflict) hold.
func (e *JobOpenError) Is(target error) bool { return target == ErrJobOpen || target == ErrConflict }

// CreateJob starts a job of kind for classID with one pending item per key.
func (s *Store) CreateJob(ctx context.Context, classID, kind string, keys []string) (*Job, error) {
	items := make([]JobItem, len(keys))
	for i, k := range keys {
		items[i] = JobItem{Key: k}
	}
	return s.CreateJobWithItems(ctx, classID, kind, items)
}

// Job returns a job with its items.
func (s *Store) Job(ctx context.Context, id int64) (*Job, error) {
	var j Job
	var created, updated, beat int64
	err := s.q.QueryRowContext(ctx, `SELECT id, class_id, kind, scope, state, error, created_at, updated_at, owner, heartbeat_at, plan_hash, outcome FROM jobs WHERE id = ?`, id).
		Scan(&j.ID, &j.ClassID, &j.Kind, &j.Scope, &j.State, &j.Error, &created, &updated, &j.Owner, &beat, &j.PlanHash, &j.Outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: job %d: %w", id, err)
	}
	j.CreatedAt, j.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	if beat > 0 {
		j.HeartbeatAt = time.Unix(beat, 0).UTC()
	}
	rows, err := s.q.QueryContext(ctx, `SELECT key, state, step, detail, payload, updated_at FROM job_items WHERE job_id = ? ORDER BY key`, id)
	if err != nil {
		return nil, fmt.Errorf("db: job %d items: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var it JobItem
		var at int64
		if err := rows.Scan(&it.Key, &it.State, &it.Step, &it.Detail, &it.Payload, &at); err != nil {
			return nil, fmt.Errorf("db: job %d items: %w", id, err)
		}
		it.UpdatedAt = time.Unix(at, 0).UTC()
		j.Items = append(j.Items, it)
	}
	return &j, rows.Err()
}

// OpenJob returns the class's unfinished job of kind, or ErrNotFound.
func (s *Store) OpenJob(ctx context.Context, classID, kind string) (*Job, error) {
	var id int64
	err := s.q.QueryRowContext(ctx, `SELECT id FROM jobs WHERE class_id = ? AND kind = ? AND state IN (?, ?) ORDER BY id DESC LIMIT 1`,
		classID, kind, JobQueued, JobRunning).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: open job: %w", err)
	}
	return s.Job(ctx, id)
}

// UnfinishedJobs lists every queued or running job (to resume after a restart).
func (s *Store) UnfinishedJobs(ctx context.Context) ([]int64, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id FROM jobs WHERE state IN (?, ?) ORDER BY id`, JobQueued, JobRunning)
	if err != nil {
		return nil, fmt.Errorf("db: unfinished jobs: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SetJobState moves a job to state with an error text (empty unless failed).
func (s *Store) SetJobState(ctx context.Context, id int64, state, errText string) error {
	if _, err := s.q.ExecContext(ctx, `UPDATE jobs SET state = ?, error = ?, updated_at = ? WHERE id = ?`, state, errText, s.now().Unix(), id); err != nil {
		return fmt.Errorf("db: job %d state: %w", id, err)
	}
	return nil
}

// SetJobItem records an item's progress.
func (s *Store) SetJobItem(ctx context.Context, id int64, key, state, step, detail string) error {
	if _, err := s.q.ExecContext(ctx, `UPDATE job_items SET state = ?, step = ?, detail = ?, updated_at = ? WHERE job_id = ? AND key = ?`,
		state, step, detail, s.now().Unix(), id, key); err != nil {
		return fmt.Errorf("db: job %d item %s: %w", id, key, err)
	}
	return nil
}

// AddJobItem adds a pending item to a job (a student who joined after it started); an existing key is left alone.
func (s *Store) AddJobItem(ctx context.Context, id int64, key string) error {
	if _, err := s.q.ExecContext(ctx, `INSERT INTO job_items (job_id, key, state, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		id, key, ItemPending, s.now().Unix()); err != nil {
		return fmt.Errorf("db: job %d add item %s: %w", id, key, err)
	}
	return nil
}

// LatestJob returns the class's newest job of kind, or ErrNotFound.
func (s *Store) LatestJob(ctx context.Context, classID, kind string) (*Job, error) {
	var id int64
	err := s.q.QueryRowContext(ctx, `SELECT id FROM jobs WHERE class_id = ? AND kind = ? ORDER BY id DESC LIMIT 1`, classID, kind).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: latest job: %w", err)
	}
	return s.Job(ctx, id)
}

// CreateJobWithItems starts a job whose items carry payloads (a cleanup plan's resources).
func (s *Store) CreateJobWithItems(ctx context.Context, classID, kind string, items []JobItem) (*Job, error) {
	return s.CreateScopedJob(ctx, classID, kind, "", items)
}

// CreateScopedJob is CreateJobWithItems for part of a class: scope is a student's slug.
func (s *Store) CreateScopedJob(ctx context.Context, classID, kind, scope string, items []JobItem) (*Job, error) {
	return s.CreatePlannedJob(ctx, classID, kind, scope, "", items)
}

// CreatePlannedJob is CreateScopedJob for a job bound to a plan: planHash is the
// cleanup plan the instructor confirmed. While the class has an unfinished job of
// kind it creates nothing and returns a *JobOpenError (errors.Is ErrJobOpen)
// naming that job: the database decides, so concurrent callers get exactly one job.
func (s *Store) CreatePlannedJob(ctx context.Context, classID, kind, scope, planHash string, items []JobItem) (*Job, error) {
	var id int64
	open := false
	err := s.WithTx(ctx, func(tx *Store) error {
		now := tx.now().Unix()
		res, err := tx.q.ExecContext(ctx, `INSERT INTO jobs (class_id, kind, scope, state, plan_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			classID, kind, scope, JobQueued, planHash, now, now)
		if isUniqueViolation(err) {
			open = true // jobs_one_open: the class has an unfinished job of kind
			return err
		}
		if err != nil {
			return fmt.Errorf("db: create job: %w", err)
		}
		id, _ = res.LastInsertId()
		for _, it := range items {
			if _, err := tx.q.ExecContext(ctx, `INSERT INTO job_items (job_id, key, state, payload, updated_at) VALUES (?, ?, ?, ?, ?)`, id, it.Key, ItemPending, it.Payload, now); err != nil {
				return fmt.Errorf("db: create job item: %w", err)
			}
		}
		return nil
	})
	if open {
		e := &JobOpenError{ClassID: classID, Kind: kind}
		if j, err := s.OpenJob(ctx, classID, kind); err == nil {
			e.Job = j
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	return s.Job(ctx, id)
}

// ClaimJob takes job id's lease for owner, and reports whether it did: when no one
// holds it, when owner already does, when the holder's last heartbeat is before
// staleBefore, or when the holder is deadOwner (a process the caller knows has
// died). Otherwise it returns the current holder and its last heartbeat. One
// UPDATE decides, so two processes never both claim a job. A finished job is not
// claimed.
func (s *Store) ClaimJob(ctx context.Context, id int64, owner string, staleBefore time.Time, deadOwner string) (bool, string, time.Time, error) {
	res, err := s.q.ExecContext(ctx, `UPDATE jobs SET owner = ?, heartbeat_at = ? WHERE id = ? AND state IN (?, ?)
		AND (owner = '' OR owner = ? OR heartbeat_at < ? OR (? != '' AND owner = ?))`,
		owner, s.now().Unix(), id, JobQueued, JobRunning, owner, staleBefore.Unix(), deadOwner, deadOwner)
	if err != nil {
		return false, "", time.Time{}, fmt.Errorf("db: claim job %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, owner, s.now().UTC(), nil
	}
	var holder, state string
	var beat int64
	err = s.q.QueryRowContext(ctx, `SELECT owner, heartbeat_at, state FROM jobs WHERE id = ?`, id).Scan(&holder, &beat, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return false, "", time.Time{}, ErrNotFound
	}
	if err != nil {
		return false, "", time.Time{}, fmt.Errorf("db: claim job %d: %w", id, err)
	}
	if state != JobQueued && state != JobRunning {
		return false, "", time.Time{}, fmt.Errorf("db: claim job %d: it is %s: %w", id, state, ErrConflict)
	}
	return false, holder, time.Unix(beat, 0).UTC(), nil
}

// BeatJob renews owner's lease on job id; false means owner no longer holds it.
func (s *Store) BeatJob(ctx context.Context, id int64, owner string) (bool, error) {
	res, err := s.q.ExecContext(ctx, `UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND owner = ?`, s.now().Unix(), id, owner)
	if err != nil {
		return false, fmt.Errorf("db: job %d heartbeat: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ReleaseJob gives up owner's lease on job id (a stopped process, or a finished job).
func (s *Store) ReleaseJob(ctx context.Context, id int64, owner string) error {
	if _, err := s.q.ExecContext(ctx, `UPDATE jobs SET owner = '' WHERE id = ? AND owner = ?`, id, owner); err != nil {
		return fmt.Errorf("db: release job %d: %w", id, err)
	}
	return nil
}

// FinishJob ends job id in state with its outcome (cleanup: OutcomeVerified or
// OutcomeNotVerified) and report, and releases its lease.
func (s *Store) FinishJob(ctx context.Context, id int64, state, outcome, report string) error {
	if _, err := s.q.ExecContext(ctx, `UPDATE jobs SET state = ?, outcome = ?, error = ?, owner = '', updated_at = ? WHERE id = ?`,
		state, outcome, report, s.now().Unix(), id); err != nil {
		return fmt.Errorf("db: finish job %d: %w", id, err)
	}
	return nil
}
