package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
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

// AuditLog returns the newest limit entries for classID, newest first: the first
// page of AuditPage with no filter.
func (s *Store) AuditLog(ctx context.Context, classID string, limit int) ([]AuditEntry, error) {
	return s.AuditPage(ctx, AuditFilter{ClassID: classID, Limit: limit})
}

// AuditFilter picks a page of one class's audit log. Action and Student narrow it
// ("" for any); Before or After (entry ids, 0 for none) say where the page is, so a
// page stays put while new entries arrive (a cleanup writes one per resource).
type AuditFilter struct {
	ClassID string
	Action  string // exact, e.g. "link.issue"
	Student string // a slug such as "s07": entries whose detail names the student
	Before  int64  // entries older than this id, newest first
	After   int64  // entries newer than this id (the page before), newest first
	Limit   int
}

// where is the filter's condition and arguments, without the page's bounds. A
// student is found in the detail as a word ("link for s07;") or right after the
// class's id, as labdash names resources ("…:cluster/c7k3ms07-cluster"), never
// inside a longer slug (s070).
func (f AuditFilter) where() (string, []any) {
	cond, args := "class_id = ?", []any{f.ClassID}
	if f.Action != "" {
		cond += " AND action = ?"
		args = append(args, f.Action)
	}
	if f.Student != "" {
		cond += " AND ((' ' || detail || ' ') GLOB ? OR (detail || ' ') GLOB ?)"
		args = append(args, "*[^0-9A-Za-z]"+globQuote(f.Student)+"[^0-9]*", "*"+globQuote(f.ClassID+f.Student)+"[^0-9]*")
	}
	return cond, args
}

// globQuote makes s match itself in a GLOB pattern.
func globQuote(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[':
			b = append(b, '[', s[i], ']')
		default:
			b = append(b, s[i])
		}
	}
	return string(b)
}

// AuditPage returns one page of the entries f picks, newest first: at most
// f.Limit of them, older than f.Before or newer than f.After (the newest when
// neither is set). It walks the audit_log_class index (class_id, id) from the
// page's bound and stops at the limit: a filter only makes it read further along
// the one class's entries, never the whole table, and nothing is loaded beyond
// the page.
func (s *Store) AuditPage(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	cond, args := f.where()
	order := "DESC"
	switch {
	case f.Before > 0:
		cond += " AND id < ?"
		args = append(args, f.Before)
	case f.After > 0:
		cond += " AND id > ?"
		args = append(args, f.After)
		order = "ASC" // the oldest of the newer ones, then reversed
	}
	args = append(args, f.Limit)
	rows, err := s.q.QueryContext(ctx, `SELECT id, at, class_id, actor, action, detail FROM audit_log
		WHERE `+cond+` ORDER BY id `+order+` LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("db: audit page %s: %w", f.ClassID, err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		var class sql.NullString
		if err := rows.Scan(&e.ID, &at, &class, &e.Actor, &e.Action, &e.Detail); err != nil {
			return nil, fmt.Errorf("db: audit page %s: %w", f.ClassID, err)
		}
		e.At, e.ClassID = time.Unix(at, 0).UTC(), class.String
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: audit page %s: %w", f.ClassID, err)
	}
	if order == "ASC" {
		slices.Reverse(out)
	}
	return out, nil
}

// AuditCount counts the entries f picks (its Before, After and Limit aside) that
// are newer than newerThan (0: all of them).
func (s *Store) AuditCount(ctx context.Context, f AuditFilter, newerThan int64) (int, error) {
	cond, args := f.where()
	if newerThan > 0 {
		cond += " AND id > ?"
		args = append(args, newerThan)
	}
	var n int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE `+cond, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: audit count %s: %w", f.ClassID, err)
	}
	return n, nil
}

// AuditActions lists the actions recorded for classID, sorted: the choices of
// the audit page's filter (one pass over the class's entries in audit_log_class).
func (s *Store) AuditActions(ctx context.Context, classID string) ([]string, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT DISTINCT action FROM audit_log WHERE class_id = ? ORDER BY action`, classID)
	if err != nil {
		return nil, fmt.Errorf("db: audit actions %s: %w", classID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("db: audit actions %s: %w", classID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: audit actions %s: %w", classID, err)
	}
	return out, nil
}
