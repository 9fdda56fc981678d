package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// APIToken is a bearer token's record; the secret itself is never stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// TokenPrefix starts every API token so they are recognisable in logs and secret scanners.
const TokenPrefix = "ldt_"

// CreateAPIToken makes a new token for userID and returns the secret, shown once.
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name string) (string, *APIToken, error) {
	secret := TokenPrefix + NewToken(20)
	now := s.now()
	res, err := s.q.ExecContext(ctx,
		`INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)`,
		userID, name, HashToken(secret), now.Unix())
	if err != nil {
		return "", nil, fmt.Errorf("db: create api token: %w", err)
	}
	id, _ := res.LastInsertId()
	return secret, &APIToken{ID: id, UserID: userID, Name: name, CreatedAt: now.UTC()}, nil
}

// APITokenUser returns the user holding secret and records the use.
func (s *Store) APITokenUser(ctx context.Context, secret string) (*User, error) {
	u, _, err := s.APITokenHolder(ctx, secret)
	return u, err
}

// APITokenHolder is APITokenUser that also returns the token's id, which a
// websocket opened with the token remembers so it can be closed when the
// token is deleted.
func (s *Store) APITokenHolder(ctx context.Context, secret string) (*User, int64, error) {
	h := HashToken(secret)
	var id int64
	var u User
	var created int64
	err := s.q.QueryRowContext(ctx, `SELECT t.id, u.id, u.email, u.name, u.role, u.password_hash, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, h).
		Scan(&id, &u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("db: api token: %w", err)
	}
	u.CreatedAt = time.Unix(created, 0).UTC()
	if _, err := s.q.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, s.now().Unix(), id); err != nil {
		return nil, 0, fmt.Errorf("db: api token use: %w", err)
	}
	return &u, id, nil
}

// APITokens lists userID's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, user_id, name, created_at, last_used_at
		FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("db: api tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		var created int64
		var used sql.NullInt64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &created, &used); err != nil {
			return nil, fmt.Errorf("db: api tokens: %w", err)
		}
		t.CreatedAt, t.LastUsedAt = time.Unix(created, 0).UTC(), nullInt(used)
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteAPIToken revokes token id if it belongs to userID.
func (s *Store) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("db: delete api token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
