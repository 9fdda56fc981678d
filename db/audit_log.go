package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID      int64
	At      time.Time
	ClassID string // empty for entries about no class (logins, tokens)
	Actor   string // "user:ana@example.edu", "cli", "system"
	Action  string // "class.create", "roster.import", "link.reissue", …
	Detail  string
}

// Audit appends an entry to the audit log.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	var class any
	if e.ClassID != "" {
		class = e.ClassID
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO audit_log (at, class_id, actor, action, detail) VALUES (?, ?, ?, ?, ?)`,
		s.now().Unix(), class, e.Actor, e.Action, e.Detail)
	if err != nil {
		return fmt.Errorf("db: audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditLog returns the newest limit entries for classID, newest first.
func (s *Store) AuditLog(ctx context.Context, classID string, limit int) ([]AuditEntry, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, at, class_id, actor, action, detail FROM audit_log
		WHERE class_id = ? ORDER BY id DESC LIMIT ?`, classID, limit)
	if err != nil {
		return nil, fmt.Errorf("db: audit log %s: %w", classID, err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		var class sql.NullString
		if err := rows.Scan(&e.ID, &at, &class, &e.Actor, &e.Action, &e.Detail); err != nil {
			return nil, fmt.Errorf("db: audit log %s: %w", classID, err)
		}
		e.At, e.ClassID = time.Unix(at, 0).UTC(), class.String
		out = append(out, e)
	}
	return out, rows.Err()
}
