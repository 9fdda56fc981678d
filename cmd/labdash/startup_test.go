package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBadAdminAccountFailsWithOneClearMessage: a too-short LABDASH_ADMIN_PASSWORD
// was noticed only after the database was open and the monitor and virtual students
// had started, so the failed start logged "monitor cycle failed … database is closed"
// and "virtual class sync failed … database is closed" around the real reason. It is
// now a configuration error: the database is never opened and nothing else is logged.
func TestBadAdminAccountFailsWithOneClearMessage(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"short password": {map[string]string{"LABDASH_ADMIN_EMAIL": "ana@example.edu", "LABDASH_ADMIN_PASSWORD": "short"}, "LABDASH_ADMIN_PASSWORD: the password must have at least 12 characters"},
		"bad e-mail":     {map[string]string{"LABDASH_ADMIN_EMAIL": "not-an-address", "LABDASH_ADMIN_PASSWORD": "correct-horse-battery"}, `LABDASH_ADMIN_EMAIL: "not-an-address" is not a valid e-mail address`},
	} {
		t.Run(name, func(t *testing.T) {
			dbPath := filepath.Join(t.TempDir(), "labdash.db")
			stdout, stderr := &e2eBuffer{}, &e2eBuffer{}
			err := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--db", dbPath}, strings.NewReader(""), stdout, stderr, envOf(tc.env))
			if err == nil {
				t.Fatal("serve started with a bad admin account")
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Count(err.Error(), "LABDASH_ADMIN_") != 1 {
				t.Errorf("error %q; want the one message %q", err, tc.want)
			}
			// Stragglers of a half-started server would log within a monitor cycle.
			time.Sleep(1500 * time.Millisecond)
			if logs := stderr.String(); logs != "" {
				t.Errorf("a refused start logged:\n%s", logs)
			}
			if out := stdout.String(); out != "" {
				t.Errorf("a refused start printed: %s", out)
			}
			if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
				t.Errorf("a refused start created the database (%v)", err)
			}
		})
	}
}
