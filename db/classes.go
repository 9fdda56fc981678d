package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Isolation modes of a class (DESIGN.md §3).
const (
	IsolationShared     = "shared-account"
	IsolationPerStudent = "account-per-student"
)

// Class is one taught class: its roster, regions and chosen labs.
type Class struct {
	ID        string // short slug such as "c7k2q", used in tags and name prefixes
	Name      string
	OwnerID   int64
	Regions   []string
	Isolation string
	Labs      []string
	AccountID string // shared-account classes: the account labdash must be signed in to ("" = not checked)
	CreatedAt time.Time
	Students  int // roster size, filled by the list queries
}

// Access is how a user may see a class.
type Access int

// Access levels, from none to full.
const (
	AccessNone Access = iota
	AccessAssistant
	AccessOwner
)

const classIDAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

func newClassID() string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		panic("db: crypto/rand failed: " + err.Error())
	}
	out := []byte{'c'}
	for _, x := range b {
		out = append(out, classIDAlphabet[int(x)%len(classIDAlphabet)])
	}
	return string(out)
}

// CreateClass inserts c with a fresh ID and sets c.ID.
func (s *Store) CreateClass(ctx context.Context, c *Class) error {
	for attempt := 0; attempt < 5; attempt++ {
		id := newClassID()
		// An id a deleted class had is never given again: its audit history and
		// ledger (kept after the delete) would otherwise read as the new class's, and
		// a ledger row of the same ARN would hide the new class's resource.
		res, err := s.q.ExecContext(ctx, `INSERT INTO classes (id, name, owner_id, regions, isolation, labs, account_id, created_at)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?
			WHERE NOT EXISTS (SELECT 1 FROM audit_log WHERE class_id = ?) AND NOT EXISTS (SELECT 1 FROM ledger WHERE class_id = ?)`,
			id, c.Name, c.OwnerID, strings.Join(c.Regions, ","), c.Isolation,
			strings.Join(c.Labs, ","), c.AccountID, s.now().Unix(), id, id)
		if isUniqueViolation(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("db: create class: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // the id of a deleted class
		}
		c.ID = id
		c.CreatedAt = s.now().UTC()
		return nil
	}
	return fmt.Errorf("db: create class: no free id after 5 attempts")
}

const classColumns = `c.id, c.name, c.owner_id, c.regions, c.isolation, c.labs, c.account_id, c.created_at,
	(SELECT COUNT(*) FROM students st WHERE st.class_id = c.id)`

func scanClass(row interface{ Scan(...any) error }) (*Class, error) {
	var c Class
	var regions, labs string
	var created int64
	if err := row.Scan(&c.ID, &c.Name, &c.OwnerID, &regions, &c.Isolation, &labs, &c.AccountID, &created, &c.Students); err != nil {
		return nil, err
	}
	c.Regions, c.Labs = splitList(regions), splitList(labs)
	c.CreatedAt = time.Unix(created, 0).UTC()
	return &c, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Class returns the class with id, whoever may see it.
func (s *Store) Class(ctx context.Context, id string) (*Class, error) {
	c, err := scanClass(s.q.QueryRowContext(ctx, `SELECT `+classColumns+` FROM classes c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: class %s: %w", id, err)
	}
	return c, nil
}

// ClassAccess reports how user u may see class id.
func (s *Store) ClassAccess(ctx context.Context, u *User, id string) (Access, error) {
	var owner int64
	err := s.q.QueryRowContext(ctx, `SELECT owner_id FROM classes WHERE id = ?`, id).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return AccessNone, nil
	}
	if err != nil {
		return AccessNone, fmt.Errorf("db: class access %s: %w", id, err)
	}
	if u.Role == RoleInstructor && owner == u.ID {
		return AccessOwner, nil
	}
	var n int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM class_assistants WHERE class_id = ? AND user_id = ?`, id, u.ID).Scan(&n); err != nil {
		return AccessNone, fmt.Errorf("db: class access %s: %w", id, err)
	}
	if n > 0 {
		return AccessAssistant, nil
	}
	return AccessNone, nil
}

// ClassesFor lists the classes u owns or assists, newest first.
func (s *Store) ClassesFor(ctx context.Context, u *User) ([]Class, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+classColumns+` FROM classes c
		WHERE c.owner_id = ? OR c.id IN (SELECT class_id FROM class_assistants WHERE user_id = ?)
		ORDER BY c.created_at DESC, c.id`, u.ID, u.ID)
	if err != nil {
		return nil, fmt.Errorf("db: classes: %w", err)
	}
	defer rows.Close()
	var out []Class
	for rows.Next() {
		c, err := scanClass(rows)
		if err != nil {
			return nil, fmt.Errorf("db: classes: %w", err)
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// AllClasses lists every class (for the CLI, which runs with the operator's rights).
func (s *Store) AllClasses(ctx context.Context) ([]Class, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+classColumns+` FROM classes c ORDER BY c.created_at DESC, c.id`)
	if err != nil {
		return nil, fmt.Errorf("db: all classes: %w", err)
	}
	defer rows.Close()
	var out []Class
	for rows.Next() {
		c, err := scanClass(rows)
		if err != nil {
			return nil, fmt.Errorf("db: all classes: %w", err)
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// AddAssistant lets user u see class id read-only.
func (s *Store) AddAssistant(ctx context.Context, classID string, userID int64) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO class_assistants (class_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, classID, userID)
	if err != nil {
		return fmt.Errorf("db: add assistant: %w", err)
	}
	return nil
}

// RemoveAssistant withdraws an assistant from class id.
func (s *Store) RemoveAssistant(ctx context.Context, classID string, userID int64) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM class_assistants WHERE class_id = ? AND user_id = ?`, classID, userID)
	if err != nil {
		return fmt.Errorf("db: remove assistant: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Assistants lists the assistants of class id by e-mail.
func (s *Store) Assistants(ctx context.Context, classID string) ([]User, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT u.id, u.email, u.name, u.role, u.password_hash, u.created_at
		FROM class_assistants a JOIN users u ON u.id = a.user_id WHERE a.class_id = ? ORDER BY u.email`, classID)
	if err != nil {
		return nil, fmt.Errorf("db: assistants: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("db: assistants: %w", err)
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// DeleteClass removes a class with its roster, results and assistants.
func (s *Store) DeleteClass(ctx context.Context, id string) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM classes WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("db: delete class %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// UpdateClass stores c's name, regions and labs (the rest of a class does not
// change after creation).
func (s *Store) UpdateClass(ctx context.Context, c *Class) error {
	res, err := s.q.ExecContext(ctx, `UPDATE classes SET name = ?, regions = ?, labs = ? WHERE id = ?`,
		c.Name, strings.Join(c.Regions, ","), strings.Join(c.Labs, ","), c.ID)
	if err != nil {
		return fmt.Errorf("db: update class %s: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// ClassFootprint is what a class has in AWS as far as labdash knows, and where its
// jobs are: it decides whether the class's regions and labs may still change and
// whether the class may be deleted.
type ClassFootprint struct {
	ProvisionJobs int // provisioning jobs ever started
	OpenJobs      int // jobs of any kind queued or running
	Live          int // ledger entries whose resource is not known to be gone
	LiveSandboxes int // of those, what provisioning made (roles, stacks, the boundary)
	// CleanedAt is when the class's latest whole-class cleanup finished, if it
	// finished after the latest provisioning job started (zero otherwise: never
	// cleaned up, or provisioned again since); CleanupOutcome is how it ended
	// (OutcomeVerified or OutcomeNotVerified).
	CleanedAt      time.Time
	CleanupOutcome string
}

// Touched reports whether the class was ever provisioned or owns anything in AWS.
func (f ClassFootprint) Touched() bool { return f.ProvisionJobs > 0 || f.Live > 0 }

// CleanedUp reports whether a whole-class cleanup finished after the last provisioning.
func (f ClassFootprint) CleanedUp() bool { return !f.CleanedAt.IsZero() }

// ClassFootprint returns class id's footprint.
func (s *Store) ClassFootprint(ctx context.Context, id string) (ClassFootprint, error) {
	var f ClassFootprint
	var lastProvision int64
	err := s.q.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM jobs WHERE class_id = ? AND kind = 'provision'),
			(SELECT COALESCE(MAX(id), 0) FROM jobs WHERE class_id = ? AND kind = 'provision'),
			(SELECT COUNT(*) FROM jobs WHERE class_id = ? AND state IN (?, ?)),
			(SELECT COUNT(*) FROM ledger WHERE class_id = ? AND deleted_at IS NULL),
			(SELECT COUNT(*) FROM ledger WHERE class_id = ? AND deleted_at IS NULL AND found_by = ?)`,
		id, id, id, JobQueued, JobRunning, id, id, FoundProvisioned).Scan(&f.ProvisionJobs, &lastProvision, &f.OpenJobs, &f.Live, &f.LiveSandboxes)
	if err != nil {
		return f, fmt.Errorf("db: footprint of %s: %w", id, err)
	}
	var finished int64
	err = s.q.QueryRowContext(ctx, `SELECT updated_at, outcome FROM jobs
		WHERE class_id = ? AND kind = 'cleanup' AND scope = '' AND state = ? AND id > ? ORDER BY id DESC LIMIT 1`,
		id, JobDone, lastProvision).Scan(&finished, &f.CleanupOutcome)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return f, fmt.Errorf("db: footprint of %s: %w", id, err)
	default:
		f.CleanedAt = time.Unix(finished, 0).UTC()
	}
	return f, nil
}
