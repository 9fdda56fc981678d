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

// Record adds e to the ledger and reports whether it is now live where it was not
// (new, or revived). A live entry recorded again keeps its row and only has its
// detail refreshed when e has one. An entry of the class marked deleted is revived:
// provisioning a cleaned-up class again re-creates its roles under the same ARNs,
// and those must read as live, or the next cleanup plan and the delete-class checks
// would take them for gone. Its student, type, region, account, parent, found-by,
// detail and time are those of e, since the old ones describe what was deleted.
//
// A resource has one owner: an ARN another class holds live is refused with
// ErrConflict and the other row is left as it was. Once the other class's row is
// marked deleted, the ARN may be recorded for this class. The check and the write
// are one statement, so two classes racing to record an ARN cannot both win.
func (s *Store) Record(ctx context.Context, e LedgerEntry) (bool, error) {
	for attempt := 0; ; attempt++ {
		added, done, err := s.record(ctx, e)
		if done || err != nil || attempt == 1 {
			return added, err
		}
		// The other class's row went between record's two statements: try again once.
	}
}

// record is one attempt of Record; done is false when nothing was written yet
// nothing explains why (another class's live row went meanwhile).
func (s *Store) record(ctx context.Context, e LedgerEntry) (added, done bool, err error) {
	res, err := s.q.ExecContext(ctx, `INSERT INTO ledger (class_id, student, arn, type, region, account, parent, found_by, detail, created_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM ledger o WHERE o.arn = ? AND o.class_id <> ? AND o.deleted_at IS NULL)
		ON CONFLICT (class_id, arn) DO UPDATE SET student = excluded.student, type = excluded.type, region = excluded.region,
			account = excluded.account, parent = excluded.parent, found_by = excluded.found_by, detail = excluded.detail,
			created_at = excluded.created_at, deleted_at = NULL
		WHERE ledger.deleted_at IS NOT NULL`,
		e.ClassID, e.Student, e.ARN, e.Type, e.Region, e.Account, e.Parent, e.FoundBy, e.Detail, s.now().Unix(), e.ARN, e.ClassID)
	if err != nil {
		return false, true, fmt.Errorf("db: record %s: %w", e.ARN, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, true, nil
	}
	// Nothing written: either the class already has the ARN live, or another class does.
	var live int
	var other sql.NullString
	if err := s.q.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM ledger WHERE class_id = ? AND arn = ? AND deleted_at IS NULL),
			(SELECT class_id FROM ledger WHERE arn = ? AND class_id <> ? AND deleted_at IS NULL ORDER BY id LIMIT 1)`,
		e.ClassID, e.ARN, e.ARN, e.ClassID).Scan(&live, &other); err != nil {
		return false, true, fmt.Errorf("db: record %s: %w", e.ARN, err)
	}
	if live == 0 {
		if other.Valid {
			return false, true, fmt.Errorf("db: record %s for class %s: class %s already owns it: %w", e.ARN, e.ClassID, other.String, ErrConflict)
		}
		return false, false, nil
	}
	if e.Detail != "" {
		if _, err := s.q.ExecContext(ctx, `UPDATE ledger SET detail = ? WHERE class_id = ? AND arn = ?`, e.Detail, e.ClassID, e.ARN); err != nil {
			return false, true, fmt.Errorf("db: record %s: %w", e.ARN, err)
		}
	}
	return false, true, nil
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
