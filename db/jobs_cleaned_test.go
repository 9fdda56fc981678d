package db

import (
	"context"
	"path/filepath"
	"testing"
)

func TestClassesCleanedUp(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u := &User{Email: "ana@example.edu", Name: "Ana", Role: RoleInstructor, PasswordHash: "x"}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	mk := func() string {
		c := &Class{Name: "C", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: IsolationShared, Labs: []string{"fargate"}}
		if err := s.CreateClass(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	job := func(class, kind, scope, state string) {
		t.Helper()
		j, err := s.CreateScopedJob(ctx, class, kind, scope, nil)
		if err != nil {
			t.Fatal(err)
		}
		if state != JobQueued {
			if err := s.SetJobState(ctx, j.ID, state, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	provisioned, cleaned, running, reprovisioned, oneStudent, never := mk(), mk(), mk(), mk(), mk(), mk()
	job(provisioned, "provision", "", JobDone)
	job(cleaned, "provision", "", JobDone)
	job(cleaned, "cleanup", "", JobDone)
	job(running, "provision", "", JobDone)
	job(running, "cleanup", "", JobRunning)
	job(reprovisioned, "provision", "", JobDone)
	job(reprovisioned, "cleanup", "", JobDone)
	job(reprovisioned, "provision", "", JobDone)
	job(oneStudent, "provision", "", JobDone)
	job(oneStudent, "cleanup", "s01", JobDone) // one student's sandbox: the class goes on
	got, err := s.ClassesCleanedUp(ctx, "cleanup", "provision")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{cleaned: true, running: true}
	for _, c := range []string{provisioned, cleaned, running, reprovisioned, oneStudent, never} {
		if got[c] != want[c] {
			t.Errorf("class %s: cleaned up = %v, want %v", c, got[c], want[c])
		}
	}
}
