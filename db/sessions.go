package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CreateSession stores a login session for userID under the hash of token.
func (s *Store) CreateSession(ctx context.Context, token string, userID int64, ttl time.Duration) error {
	now := s.now()
	_, err := s.q.ExecContext(ctx,
		`INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		HashToken(token), userID, now.Unix(), now.Add(ttl).Unix())
	if err != nil {
		return fmt.Errorf("db: create session: %w", err)
	}
	return nil
}

// SessionUser returns the user behind an unexpired session token.
func (s *Store) SessionUser(ctx context.Context, token string) (*User, error) {
	u, err := scanUser(s.q.QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.role, u.password_hash, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND s.expires_at > ?`, HashToken(token), s.now().Unix()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: session: %w", err)
	}
	return u, nil
}

// DeleteSession ends the session with token; an unknown token is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, HashToken(token)); err != nil {
		return fmt.Errorf("db: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their expiry and reports how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, s.now().Unix())
	if err != nil {
		return 0, fmt.Errorf("db: delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// DeleteOtherSessions ends every session of userID except the one with token ("" ends
// them all), as after a password change, and returns the hashes of the sessions it
// ended so their open sockets can be closed too.
func (s *Store) DeleteOtherSessions(ctx context.Context, userID int64, token string) ([]string, error) {
	keep := ""
	if token != "" {
		keep = HashToken(token)
	}
	rows, err := s.q.QueryContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id_hash != ? RETURNING id_hash`, userID, keep)
	if err != nil {
		return nil, fmt.Errorf("db: delete sessions of %d: %w", userID, err)
	}
	defer rows.Close()
	var ended []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("db: delete sessions of %d: %w", userID, err)
		}
		ended = append(ended, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: delete sessions of %d: %w", userID, err)
	}
	return ended, nil
}
