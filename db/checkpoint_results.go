package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Checkpoint statuses (LABS.md §0).
const (
	StatusPending = "pending"
	StatusPass    = "pass"
	StatusFail    = "fail"
	StatusError   = "error"
)

// CheckpointResult is the latest outcome of one check for one student.
type CheckpointResult struct {
	StudentID   int64
	Lab         string
	Checkpoint  string
	Status      string
	Evidence    string
	FirstPassAt time.Time // zero until the first pass; never moves afterwards
	CheckedAt   time.Time
}

// PutCheckpointResult upserts r, keeping the first pass time once set. It
// returns ErrNotFound, and writes nothing, when the student no longer exists
// (removed since the result was observed).
func (s *Store) PutCheckpointResult(ctx context.Context, r CheckpointResult) error {
	return s.putResult(ctx, r, func(args ...any) (sql.Result, error) { return s.q.ExecContext(ctx, putResultSQL, args...) })
}

// putResultSQL upserts one result: INSERT … SELECT … WHERE EXISTS, not VALUES,
// so that a removed student's result is no row at all rather than a
// foreign-key failure, which would abort the caller's transaction and with it
// every other student's result.
const putResultSQL = `INSERT INTO checkpoint_results (student_id, lab, checkpoint, status, evidence, first_pass_at, checked_at)
		SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM students WHERE id = ?)
		ON CONFLICT (student_id, lab, checkpoint) DO UPDATE SET status = excluded.status, evidence = excluded.evidence,
			checked_at = excluded.checked_at, first_pass_at = COALESCE(checkpoint_results.first_pass_at, excluded.first_pass_at)`

func (s *Store) putResult(ctx context.Context, r CheckpointResult, exec func(args ...any) (sql.Result, error)) error {
	now := s.now().Unix()
	var firstPass any
	if r.Status == StatusPass {
		firstPass = now
	}
	res, err := exec(r.StudentID, r.Lab, r.Checkpoint, r.Status, r.Evidence, firstPass, now, r.StudentID)
	if err != nil {
		return fmt.Errorf("db: put checkpoint %s/%s: %w", r.Lab, r.Checkpoint, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("db: put checkpoint %s/%s: student %d: %w", r.Lab, r.Checkpoint, r.StudentID, ErrNotFound)
	}
	return nil
}

// ClassResults returns every stored result for classID's students.
func (s *Store) ClassResults(ctx context.Context, classID string) ([]CheckpointResult, error) {
	return s.results(ctx, `SELECT r.student_id, r.lab, r.checkpoint, r.status, r.evidence, r.first_pass_at, r.checked_at
		FROM checkpoint_results r JOIN students s ON s.id = r.student_id WHERE s.class_id = ? ORDER BY r.student_id, r.lab, r.checkpoint`, classID)
}

// StudentResults returns every stored result for one student.
func (s *Store) StudentResults(ctx context.Context, studentID int64) ([]CheckpointResult, error) {
	return s.results(ctx, `SELECT student_id, lab, checkpoint, status, evidence, first_pass_at, checked_at
		FROM checkpoint_results WHERE student_id = ? ORDER BY lab, checkpoint`, studentID)
}

func (s *Store) results(ctx context.Context, query string, arg any) ([]CheckpointResult, error) {
	rows, err := s.q.QueryContext(ctx, query, arg)
	if err != nil {
		return nil, fmt.Errorf("db: checkpoint results: %w", err)
	}
	defer rows.Close()
	var out []CheckpointResult
	for rows.Next() {
		var r CheckpointResult
		var first sql.NullInt64
		var checked int64
		if err := rows.Scan(&r.StudentID, &r.Lab, &r.Checkpoint, &r.Status, &r.Evidence, &first, &checked); err != nil {
			return nil, fmt.Errorf("db: checkpoint results: %w", err)
		}
		r.FirstPassAt, r.CheckedAt = nullInt(first), time.Unix(checked, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutCheckpointResults stores many results in one transaction (a monitor cycle's
// changes). The results of students that no longer exist (removed while the
// cycle observed them) are skipped, not an error: it returns those students' ids,
// each once, and stores everyone else's.
func (s *Store) PutCheckpointResults(ctx context.Context, rs []CheckpointResult) (gone []int64, err error) {
	if len(rs) == 0 {
		return nil, nil
	}
	err = s.WithTx(ctx, func(tx *Store) error {
		gone = nil // a retried transaction starts over
		skipped := map[int64]bool{}
		// One statement prepared for the batch (a monitor cycle writes thousands),
		// not the SQL parsed again for every row.
		exec := func(args ...any) (sql.Result, error) { return tx.q.ExecContext(ctx, putResultSQL, args...) }
		if t, ok := tx.q.(*sql.Tx); ok {
			stmt, err := t.PrepareContext(ctx, putResultSQL)
			if err != nil {
				return fmt.Errorf("db: prepare checkpoint results: %w", err)
			}
			defer stmt.Close()
			exec = func(args ...any) (sql.Result, error) { return stmt.ExecContext(ctx, args...) }
		}
		for _, r := range rs {
			err := tx.putResult(ctx, r, exec)
			switch {
			case errors.Is(err, ErrNotFound):
				if !skipped[r.StudentID] {
					skipped[r.StudentID] = true
					gone = append(gone, r.StudentID)
				}
			case err != nil:
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gone, nil
}
