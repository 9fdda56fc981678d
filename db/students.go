package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Student is one roster entry. Its personal link is a bearer secret kept only as a hash.
type Student struct {
	ID           int64
	ClassID      string
	Slug         string // "s07": stable within the class, never reused, used in tags and prefixes
	Name         string
	Email        string
	AccountID    string // account-per-student classes only
	HasLink      bool
	LinkIssuedAt time.Time
	CreatedAt    time.Time
}

// NewStudent is a roster row to insert.
type NewStudent struct {
	Name      string
	Email     string
	AccountID string
}

// AddStudents appends rows to class classID in one transaction (all or nothing),
// issues each a personal link and returns the students with their link tokens, in order.
// An e-mail already on the roster is ErrConflict.
func (s *Store) AddStudents(ctx context.Context, classID string, rows []NewStudent) ([]Student, []string, error) {
	var out []Student
	var tokens []string
	err := s.WithTx(ctx, func(tx *Store) error {
		var next int
		if err := tx.q.QueryRowContext(ctx, `SELECT next_student FROM classes WHERE id = ?`, classID).Scan(&next); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return fmt.Errorf("db: add students: %w", err)
		}
		now := tx.now()
		for _, r := range rows {
			slug := fmt.Sprintf("s%02d", next)
			token := NewToken(16)
			res, err := tx.q.ExecContext(ctx, `INSERT INTO students (class_id, slug, name, email, account_id, link_hash, link_issued_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, classID, slug, r.Name, r.Email, r.AccountID, HashToken(token), now.Unix(), now.Unix())
			if isUniqueViolation(err) {
				return fmt.Errorf("db: add student %s: %w", r.Email, ErrConflict)
			}
			if err != nil {
				return fmt.Errorf("db: add student %s: %w", r.Email, err)
			}
			id, _ := res.LastInsertId()
			out = append(out, Student{ID: id, ClassID: classID, Slug: slug, Name: r.Name, Email: r.Email,
				AccountID: r.AccountID, HasLink: true, LinkIssuedAt: now.UTC(), CreatedAt: now.UTC()})
			tokens = append(tokens, token)
			next++
		}
		_, err := tx.q.ExecContext(ctx, `UPDATE classes SET next_student = ? WHERE id = ?`, next, classID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return out, tokens, nil
}

const studentColumns = `id, class_id, slug, name, email, account_id, link_hash IS NOT NULL, link_issued_at, created_at`

func scanStudent(row interface{ Scan(...any) error }) (*Student, error) {
	var st Student
	var issued sql.NullInt64
	var created int64
	if err := row.Scan(&st.ID, &st.ClassID, &st.Slug, &st.Name, &st.Email, &st.AccountID, &st.HasLink, &issued, &created); err != nil {
		return nil, err
	}
	st.LinkIssuedAt, st.CreatedAt = nullInt(issued), time.Unix(created, 0).UTC()
	return &st, nil
}

// Students lists the roster of classID in slug order.
func (s *Store) Students(ctx context.Context, classID string) ([]Student, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+studentColumns+` FROM students WHERE class_id = ? ORDER BY id`, classID)
	if err != nil {
		return nil, fmt.Errorf("db: students %s: %w", classID, err)
	}
	defer rows.Close()
	var out []Student
	for rows.Next() {
		st, err := scanStudent(rows)
		if err != nil {
			return nil, fmt.Errorf("db: students %s: %w", classID, err)
		}
		out = append(out, *st)
	}
	return out, rows.Err()
}

// StudentEmails returns the lower-cased e-mails on classID's roster, for duplicate checks.
func (s *Store) StudentEmails(ctx context.Context, classID string) (map[string]bool, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT lower(email) FROM students WHERE class_id = ?`, classID)
	if err != nil {
		return nil, fmt.Errorf("db: student emails %s: %w", classID, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, fmt.Errorf("db: student emails %s: %w", classID, err)
		}
		out[e] = true
	}
	return out, rows.Err()
}

// Student returns the student with slug in classID.
func (s *Store) Student(ctx context.Context, classID, slug string) (*Student, error) {
	st, err := scanStudent(s.q.QueryRowContext(ctx, `SELECT `+studentColumns+` FROM students WHERE class_id = ? AND slug = ?`, classID, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: student %s/%s: %w", classID, slug, err)
	}
	return st, nil
}

// StudentByLink returns the student whose personal link is token.
func (s *Store) StudentByLink(ctx context.Context, token string) (*Student, error) {
	st, err := scanStudent(s.q.QueryRowContext(ctx, `SELECT `+studentColumns+` FROM students WHERE link_hash = ?`, HashToken(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: student by link: %w", err)
	}
	return st, nil
}

// IssueLink gives a student a new personal link, revoking the old one, and returns the token.
func (s *Store) IssueLink(ctx context.Context, classID, slug string) (string, error) {
	token := NewToken(16)
	res, err := s.q.ExecContext(ctx, `UPDATE students SET link_hash = ?, link_issued_at = ? WHERE class_id = ? AND slug = ?`,
		HashToken(token), s.now().Unix(), classID, slug)
	if err != nil {
		return "", fmt.Errorf("db: issue link %s/%s: %w", classID, slug, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", ErrNotFound
	}
	return token, nil
}

// RevokeLink disables a student's personal link.
func (s *Store) RevokeLink(ctx context.Context, classID, slug string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE students SET link_hash = NULL, link_issued_at = NULL WHERE class_id = ? AND slug = ?`, classID, slug)
	if err != nil {
		return fmt.Errorf("db: revoke link %s/%s: %w", classID, slug, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// RemoveStudent deletes a student and their results. The slug is not reused.
func (s *Store) RemoveStudent(ctx context.Context, classID, slug string) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM students WHERE class_id = ? AND slug = ?`, classID, slug)
	if err != nil {
		return fmt.Errorf("db: remove student %s/%s: %w", classID, slug, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// ClassOfAccount returns the class whose roster names account (account-per-student
// classes); it is the ExternalId labdash presents when assuming a role there.
func (s *Store) ClassOfAccount(ctx context.Context, account string) (string, error) {
	var id string
	err := s.q.QueryRowContext(ctx, `SELECT class_id FROM students WHERE account_id = ? ORDER BY id DESC LIMIT 1`, account).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("db: class of account %s: %w", account, err)
	}
	return id, nil
}
