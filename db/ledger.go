package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// FoundProvisioned is the FoundBy of what labdash's provisioning made (sandbox
// roles, the class boundary, prerequisite stacks): what deprovisioning removes.
const FoundProvisioned = "provisioned"

// LedgerEntry is one AWS resource a class owns (DESIGN.md §3).
type LedgerEntry struct {
	ID        int64
	ClassID   string
	Student   string
	ARN       string
	Type      string
	Region    string
	Account   string
	Parent    string
	FoundBy   string
	Detail    string
	CreatedAt time.Time
	DeletedAt time.Time
}

// Record adds e to the ledger, or refreshes its detail if the ARN is already there.
// It reports whether the entry is new.
func (s *Store) Record(ctx context.Context, e LedgerEntry) (bool, error) {
	res, err := s.q.ExecContext(ctx, `INSERT INTO ledger (class_id, student, arn, type, region, account, parent, found_by, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (class_id, arn) DO NOTHING`,
		e.ClassID, e.Student, e.ARN, e.Type, e.Region, e.Account, e.Parent, e.FoundBy, e.Detail, s.now().Unix())
	if err != nil {
		return false, fmt.Errorf("db: record %s: %w", e.ARN, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	if e.Detail != "" {
		if _, err := s.q.ExecContext(ctx, `UPDATE ledger SET detail = ? WHERE class_id = ? AND arn = ?`, e.Detail, e.ClassID, e.ARN); err != nil {
			return false, fmt.Errorf("db: record %s: %w", e.ARN, err)
		}
	}
	return false, nil
}

// Ledger lists what classID owns (student "" means all), oldest first, deleted entries excluded.
func (s *Store) Ledger(ctx context.Context, classID, student string) ([]LedgerEntry, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, class_id, student, arn, type, region, account, parent, found_by, detail, created_at, deleted_at
		FROM ledger WHERE class_id = ? AND (? = '' OR student = ?) AND deleted_at IS NULL ORDER BY id`, classID, student, student)
	if err != nil {
		return nil, fmt.Errorf("db: ledger %s: %w", classID, err)
	}
	defer rows.Close()
	var out []LedgerEntry
	for rows.Next() {
		var e LedgerEntry
		var created int64
		var deleted sql.NullInt64
		if err := rows.Scan(&e.ID, &e.ClassID, &e.Student, &e.ARN, &e.Type, &e.Region, &e.Account, &e.Parent, &e.FoundBy, &e.Detail, &created, &deleted); err != nil {
			return nil, fmt.Errorf("db: ledger %s: %w", classID, err)
		}
		e.CreatedAt, e.DeletedAt = time.Unix(created, 0).UTC(), nullInt(deleted)
		out = append(out, e)
	}
	return out, rows.Err()
}

// MarkDeleted records that a ledger entry's resource is gone.
func (s *Store) MarkDeleted(ctx context.Context, classID, arn string) error {
	if _, err := s.q.ExecContext(ctx, `UPDATE ledger SET deleted_at = ? WHERE class_id = ? AND arn = ? AND deleted_at IS NULL`, s.now().Unix(), classID, arn); err != nil {
		return fmt.Errorf("db: mark deleted %s: %w", arn, err)
	}
	return nil
}
