package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns the value stored under key, or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("db: setting %s: %w", key, err)
	}
	return v, nil
}

// EnsureSetting returns the value under key, storing def first if none is set.
func (s *Store) EnsureSetting(ctx context.Context, key, def string) (string, error) {
	if _, err := s.q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING`, key, def); err != nil {
		return "", fmt.Errorf("db: ensure setting %s: %w", key, err)
	}
	return s.Setting(ctx, key)
}

// SetSetting stores value under key.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if _, err := s.q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value); err != nil {
		return fmt.Errorf("db: set setting %s: %w", key, err)
	}
	return nil
}
