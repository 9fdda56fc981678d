package db

import (
	"context"
	"fmt"
)

// ClassesCleanedUp returns the classes whose newest whole-class job of cleanupKind
// is newer than every job of provisionKind: the instructor confirmed deleting
// everything and has not provisioned since. Whatever that cleanup's state (queued,
// running, done, failed), the class's virtual students must not rebuild it, so the
// simulator keeps them stopped across a restart until the class is provisioned again.
func (s *Store) ClassesCleanedUp(ctx context.Context, cleanupKind, provisionKind string) (map[string]bool, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT class_id FROM jobs
		WHERE (kind = ? AND scope = '') OR kind = ?
		GROUP BY class_id
		HAVING MAX(CASE WHEN kind = ? THEN id END) > COALESCE(MAX(CASE WHEN kind = ? THEN id END), 0)`,
		cleanupKind, provisionKind, cleanupKind, provisionKind)
	if err != nil {
		return nil, fmt.Errorf("db: classes cleaned up: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("db: classes cleaned up: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}
