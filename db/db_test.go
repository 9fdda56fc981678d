package db

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "labdash.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func mustUser(t testing.TB, s *Store, email, role string) *User {
	t.Helper()
	u := &User{Email: email, Name: email, Role: role, PasswordHash: "x"}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u
}

func TestMigrationsRecordVersion(t *testing.T) {
	s, _ := openTemp(t)
	v, err := s.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	if v != len(ms) || v < 1 {
		t.Fatalf("schema version = %d, want %d", v, len(ms))
	}
	var fk, timeout int
	var mode string
	s.db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
	s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	s.db.QueryRow(`PRAGMA busy_timeout`).Scan(&timeout)
	if fk != 1 || mode != "wal" || timeout != 10000 {
		t.Fatalf("pragmas: foreign_keys=%d journal_mode=%s busy_timeout=%d", fk, mode, timeout)
	}
}

// TestReopenKeepsEverything writes one of everything, closes the file, opens it again
// and reads it all back: nothing is lost across a restart.
func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	u := mustUser(t, s, "ana@example.edu", RoleInstructor)
	a := mustUser(t, s, "ta@example.edu", RoleAssistant)
	c := &Class{Name: "AWS 101", OwnerID: u.ID, Regions: []string{"us-east-1", "eu-west-1"}, Isolation: IsolationShared, Labs: []string{"fargate", "ga"}}
	if err := s.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAssistant(ctx, c.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	sts, tokens, err := s.AddStudents(ctx, c.ID, []NewStudent{{Name: "Bob", Email: "bob@example.edu"}, {Name: "Cy", Email: "cy@example.edu"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutCheckpointResult(ctx, CheckpointResult{StudentID: sts[0].ID, Lab: "fargate", Checkpoint: "cluster", Status: StatusPass, Evidence: "ACTIVE"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, AuditEntry{ClassID: c.ID, Actor: "user:ana@example.edu", Action: "class.create", Detail: "AWS 101"}); err != nil {
		t.Fatal(err)
	}
	apiSecret, _, err := s.CreateAPIToken(ctx, u.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, "session-token", u.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Class(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "AWS 101" || len(got.Regions) != 2 || got.Labs[1] != "ga" || got.Students != 2 || got.Isolation != IsolationShared {
		t.Fatalf("class after reopen = %+v", got)
	}
	if acc, _ := s2.ClassAccess(ctx, a, c.ID); acc != AccessAssistant {
		t.Fatalf("assistant access after reopen = %v", acc)
	}
	if st, err := s2.StudentByLink(ctx, tokens[1]); err != nil || st.Email != "cy@example.edu" || st.Slug != "s02" {
		t.Fatalf("student by link after reopen = %+v, %v", st, err)
	}
	res, err := s2.StudentResults(ctx, sts[0].ID)
	if err != nil || len(res) != 1 || res[0].Status != StatusPass || res[0].FirstPassAt.IsZero() {
		t.Fatalf("results after reopen = %+v, %v", res, err)
	}
	if log, _ := s2.AuditLog(ctx, c.ID, 10); len(log) != 1 || log[0].Action != "class.create" {
		t.Fatalf("audit after reopen = %+v", log)
	}
	if uu, err := s2.APITokenUser(ctx, apiSecret); err != nil || uu.ID != u.ID {
		t.Fatalf("api token after reopen: %v", err)
	}
	if uu, err := s2.SessionUser(ctx, "session-token"); err != nil || uu.ID != u.ID {
		t.Fatalf("session after reopen: %v", err)
	}
}

func TestWithTxRollsBack(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	boom := errors.New("boom")
	err := s.WithTx(ctx, func(tx *Store) error {
		if err := tx.CreateUser(ctx, &User{Email: "x@example.edu", Name: "x", Role: RoleInstructor}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx error = %v", err)
	}
	if n, _ := s.CountUsers(ctx); n != 0 {
		t.Fatalf("users after rollback = %d, want 0", n)
	}
}

func TestAddStudentsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	u := mustUser(t, s, "ana@example.edu", RoleInstructor)
	c := &Class{Name: "c", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared, Labs: []string{"fargate"}}
	if err := s.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.AddStudents(ctx, c.ID, []NewStudent{{Name: "A", Email: "a@example.edu"}, {Name: "A2", Email: "A@example.edu"}})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate e-mail (case-insensitive) error = %v, want ErrConflict", err)
	}
	if sts, _ := s.Students(ctx, c.ID); len(sts) != 0 {
		t.Fatalf("students after failed insert = %d, want 0", len(sts))
	}
	// Slugs are never reused after a removal.
	sts, _, err := s.AddStudents(ctx, c.ID, []NewStudent{{Name: "A", Email: "a@example.edu"}})
	if err != nil || sts[0].Slug != "s01" {
		t.Fatalf("first slug = %+v, %v", sts, err)
	}
	if err := s.RemoveStudent(ctx, c.ID, "s01"); err != nil {
		t.Fatal(err)
	}
	sts, _, _ = s.AddStudents(ctx, c.ID, []NewStudent{{Name: "B", Email: "b@example.edu"}})
	if sts[0].Slug != "s02" {
		t.Fatalf("slug after removal = %s, want s02", sts[0].Slug)
	}
}

func TestPersonalLinks(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	u := mustUser(t, s, "ana@example.edu", RoleInstructor)
	c := &Class{Name: "c", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared, Labs: []string{"fargate"}}
	s.CreateClass(ctx, c)
	_, tokens, _ := s.AddStudents(ctx, c.ID, []NewStudent{{Name: "A", Email: "a@example.edu"}})
	if len(tokens[0]) != 32 {
		t.Fatalf("token %q is not 128 bits of hex", tokens[0])
	}
	var stored string
	s.db.QueryRow(`SELECT link_hash FROM students`).Scan(&stored)
	if stored == tokens[0] || stored != HashToken(tokens[0]) {
		t.Fatalf("link stored as %q; want the hash of the token", stored)
	}
	fresh, err := s.IssueLink(ctx, c.ID, "s01")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StudentByLink(ctx, tokens[0]); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old link after reissue: %v, want ErrNotFound", err)
	}
	if _, err := s.StudentByLink(ctx, fresh); err != nil {
		t.Fatalf("new link: %v", err)
	}
	if err := s.RevokeLink(ctx, c.ID, "s01"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StudentByLink(ctx, fresh); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoked link: %v, want ErrNotFound", err)
	}
}

func TestCheckpointFirstPassIsKept(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	now := time.Unix(1_800_000_000, 0)
	s.SetClock(func() time.Time { return now })
	u := mustUser(t, s, "ana@example.edu", RoleInstructor)
	c := &Class{Name: "c", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared, Labs: []string{"fargate"}}
	s.CreateClass(ctx, c)
	sts, _, _ := s.AddStudents(ctx, c.ID, []NewStudent{{Name: "A", Email: "a@example.edu"}})
	put := func(status string) {
		if err := s.PutCheckpointResult(ctx, CheckpointResult{StudentID: sts[0].ID, Lab: "fargate", Checkpoint: "service", Status: status}); err != nil {
			t.Fatal(err)
		}
	}
	put(StatusFail)
	put(StatusPass)
	first := now
	now = now.Add(time.Hour)
	put(StatusFail)
	put(StatusPass)
	res, _ := s.ClassResults(ctx, c.ID)
	if len(res) != 1 || !res[0].FirstPassAt.Equal(first) || res[0].Status != StatusPass || !res[0].CheckedAt.Equal(now) {
		t.Fatalf("result = %+v; first pass must stay %v", res, first)
	}
}

func TestSessionsExpire(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	now := time.Unix(1_800_000_000, 0)
	s.SetClock(func() time.Time { return now })
	u := mustUser(t, s, "ana@example.edu", RoleInstructor)
	s.CreateSession(ctx, "tok", u.ID, time.Hour)
	now = now.Add(2 * time.Hour)
	if _, err := s.SessionUser(ctx, "tok"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired session: %v", err)
	}
	if n, _ := s.DeleteExpiredSessions(ctx); n != 1 {
		t.Fatalf("swept %d sessions, want 1", n)
	}
}

func TestInvitesAreOneTime(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	tok, err := s.CreateInvite(ctx, Invite{Role: RoleInstructor}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.InviteByToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.UseInvite(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.UseInvite(ctx, tok); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second use: %v, want ErrNotFound", err)
	}
}
