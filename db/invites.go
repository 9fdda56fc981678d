package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Invite is a one-time link that lets its holder set up an account: the first
// instructor's setup link, or an assistant's invitation.
type Invite struct {
	Role      string
	Email     string // empty: the holder chooses it (first-start setup)
	ExpiresAt time.Time
}

// CreateInvite stores an invite and returns its secret token.
func (s *Store) CreateInvite(ctx context.Context, inv Invite, ttl time.Duration) (string, error) {
	token := NewToken(16)
	now := s.now()
	_, err := s.q.ExecContext(ctx,
		`INSERT INTO invites (token_hash, role, email, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		HashToken(token), inv.Role, inv.Email, now.Unix(), now.Add(ttl).Unix())
	if err != nil {
		return "", fmt.Errorf("db: create invite: %w", err)
	}
	return token, nil
}

// InviteByToken returns an unused, unexpired invite.
func (s *Store) InviteByToken(ctx context.Context, token string) (*Invite, error) {
	var inv Invite
	var exp int64
	err := s.q.QueryRowContext(ctx, `SELECT role, email, expires_at FROM invites
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`, HashToken(token), s.now().Unix()).
		Scan(&inv.Role, &inv.Email, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: invite: %w", err)
	}
	inv.ExpiresAt = time.Unix(exp, 0).UTC()
	return &inv, nil
}

// UseInvite marks the invite spent; a second use is ErrNotFound.
func (s *Store) UseInvite(ctx context.Context, token string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE invites SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		s.now().Unix(), HashToken(token), s.now().Unix())
	if err != nil {
		return fmt.Errorf("db: use invite: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteOpenInvites removes unused invites of role; the setup link is replaced at each start.
func (s *Store) DeleteOpenInvites(ctx context.Context, role, email string) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM invites WHERE role = ? AND email = ? AND used_at IS NULL`, role, email); err != nil {
		return fmt.Errorf("db: delete invites: %w", err)
	}
	return nil
}

// HasOpenInvite reports whether role has an unused, unexpired invite for email: a
// set-up link that still works and that a new one would replace.
func (s *Store) HasOpenInvite(ctx context.Context, role, email string) (bool, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM invites WHERE role = ? AND email = ? AND used_at IS NULL AND expires_at > ?`,
		role, email, s.now().Unix()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("db: open invites: %w", err)
	}
	return n > 0, nil
}
