package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Roles of labdash accounts. Students have no account: they hold a personal link.
const (
	RoleInstructor = "instructor"
	RoleAssistant  = "assistant"
)

// User is an instructor or assistant account.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         string
	PasswordHash string
	CreatedAt    time.Time
}

// CreateUser inserts u and sets its ID. A taken e-mail is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	res, err := s.q.ExecContext(ctx,
		`INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		u.Email, u.Name, u.Role, u.PasswordHash, s.now().Unix())
	if isUniqueViolation(err) {
		return fmt.Errorf("db: create user %s: %w", u.Email, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("db: create user %s: %w", u.Email, err)
	}
	u.ID, _ = res.LastInsertId()
	return nil
}

const userColumns = `id, email, name, role, password_hash, created_at`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var created int64
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &created); err != nil {
		return nil, err
	}
	u.CreatedAt = time.Unix(created, 0).UTC()
	return &u, nil
}

// User returns the user with id.
func (s *Store) User(ctx context.Context, id int64) (*User, error) {
	u, err := scanUser(s.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: user %d: %w", id, err)
	}
	return u, nil
}

// UserByEmail returns the user with email (case-insensitive).
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	u, err := scanUser(s.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: user %s: %w", email, err)
	}
	return u, nil
}

// SetPassword replaces the password hash of user id.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id)
	if err != nil {
		return fmt.Errorf("db: set password %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// CountUsers reports how many accounts exist; zero means labdash needs its first instructor.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: count users: %w", err)
	}
	return n, nil
}

// ActivateUser sets the name and password of an invited account.
func (s *Store) ActivateUser(ctx context.Context, id int64, name, hash string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE users SET name = ?, password_hash = ? WHERE id = ?`, name, hash, id)
	if err != nil {
		return fmt.Errorf("db: activate user %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// FirstInstructor returns the earliest instructor account, or ErrNotFound.
func (s *Store) FirstInstructor(ctx context.Context) (*User, error) {
	u, err := scanUser(s.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE role = ? AND password_hash != '' ORDER BY id LIMIT 1`, RoleInstructor))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: first instructor: %w", err)
	}
	return u, nil
}
