// Package db is labdash's store: SQLite through modernc.org/sqlite, hand-written
// SQL with one file per table, and embedded append-only migrations.
//
// Every method takes ctx first so the same method works inside WithTx.
package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound stands for sql.ErrNoRows and for rows hidden from the caller.
var ErrNotFound = errors.New("db: not found")

// ErrConflict reports a uniqueness violation (an e-mail already taken, say).
var ErrConflict = errors.New("db: conflict")

//go:embed migrations/*.sql
var migrationFS embed.FS

// querier is what *sql.DB and *sql.Tx share, so Store methods run in or out of a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store is the database. It is safe for concurrent use; a Store handed to a
// WithTx callback is bound to that transaction and must not escape it.
type Store struct {
	db  *sql.DB
	q   querier
	now func() time.Time
}

// DSN builds the modernc DSN for path. Pragmas live in the DSN so every pooled
// connection gets them: busy_timeout must come before journal_mode, and
// _txlock=immediate takes the write lock at BEGIN so transactions never
// deadlock on lock upgrade.
func DSN(path string) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(NORMAL)")
	v.Add("_txlock", "immediate")
	return "file:" + path + "?" + v.Encode()
}

// Open opens (creating if needed) the database at path and applies pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	if strings.TrimSpace(path) == "" {
		return nil, errors.New("db: empty database path")
	}
	sqldb, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	sqldb.SetMaxOpenConns(8)
	s := &Store{db: sqldb, q: sqldb, now: time.Now}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping reports whether the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("db: ping: %w", err)
	}
	return nil
}

// SetClock replaces the store's clock; tests use it to move time.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// WithTx runs fn in one immediate transaction; fn's error rolls everything back.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Store) error) error {
	if _, ok := s.q.(*sql.Tx); ok {
		return fn(s) // already in a transaction
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	if err := fn(&Store{db: s.db, q: tx, now: s.now}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}

// SchemaVersion reports the highest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("db: schema version: %w", err)
	}
	return v, nil
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("db: migration %q has no numeric prefix", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("db: migration %s out of sequence (want %04d)", m.name, i+1)
		}
	}
	return out, nil
}

// migrate applies each pending migration in its own transaction and records its version.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("db: create schema_version: %w", err)
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	current, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if current > len(ms) {
		return fmt.Errorf("db: database schema version %d is newer than this labdash (%d); upgrade labdash", current, len(ms))
	}
	for _, m := range ms[current:] {
		err := s.WithTx(ctx, func(tx *Store) error {
			if _, err := tx.q.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("db: migration %s: %w", m.name, err)
			}
			_, err := tx.q.ExecContext(ctx, `INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`, m.version, s.now().Unix())
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// NewToken returns a random token of n bytes, hex-encoded.
func NewToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("db: crypto/rand failed: " + err.Error()) // the OS RNG never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// HashToken is how bearer secrets (sessions, API tokens, links, invites) are stored.
// The tokens are 128+ random bits, so a plain SHA-256 is enough; no salt or stretching needed.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func nullInt(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}
