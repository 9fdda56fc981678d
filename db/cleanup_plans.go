package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// planKeep is how long a shown cleanup plan is kept for comparison.
const planKeep = 7 * 24 * time.Hour

// SaveCleanupPlan records the ARNs of a cleanup plan shown to a script (`labdash
// cleanup plan`, POST …/cleanup/plan), so that a later confirmation of that hash
// against a changed class can name what changed. Plans older than a week go.
func (s *Store) SaveCleanupPlan(ctx context.Context, classID, scope, hash string, arns []string) error {
	return s.WithTx(ctx, func(tx *Store) error {
		now := tx.now()
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM cleanup_plans WHERE created_at < ?`, now.Add(-planKeep).Unix()); err != nil {
			return fmt.Errorf("db: save cleanup plan: %w", err)
		}
		_, err := tx.q.ExecContext(ctx, `INSERT INTO cleanup_plans (class_id, hash, scope, arns, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (class_id, hash) DO UPDATE SET created_at = excluded.created_at`, classID, hash, scope, strings.Join(arns, "\n"), now.Unix())
		if err != nil {
			return fmt.Errorf("db: save cleanup plan %s: %w", hash, err)
		}
		return nil
	})
}

// CleanupPlan returns the scope and ARNs of a plan SaveCleanupPlan recorded, or
// ErrNotFound.
func (s *Store) CleanupPlan(ctx context.Context, classID, hash string) (string, []string, error) {
	var scope, arns string
	err := s.q.QueryRowContext(ctx, `SELECT scope, arns FROM cleanup_plans WHERE class_id = ? AND hash = ?`, classID, hash).Scan(&scope, &arns)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, ErrNotFound
	}
	if err != nil {
		return "", nil, fmt.Errorf("db: cleanup plan %s: %w", hash, err)
	}
	if arns == "" {
		return scope, nil, nil
	}
	return scope, strings.Split(arns, "\n"), nil
}
