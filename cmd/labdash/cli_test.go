package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/labdash/labdash/db"
)

// newDB makes an empty labdash database file, as a server's first start does.
func newDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "labdash.db")
	store, err := db.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	return path
}

// TestUserAddRefusesAMissingDatabase: a mistyped or forgotten --db used to create a
// fresh database beside the server's, so the account and its link went nowhere.
func TestUserAddRefusesAMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.db")
	args := []string{"user", "add", "--db", missing, "--email", "ana@example.edu", "--name", "Ana"}
	var stdout bytes.Buffer
	err := run(t.Context(), args, nil, &stdout, &bytes.Buffer{}, envOf(nil))
	if err == nil || !strings.Contains(err.Error(), "no database at "+missing+"; pass --db PATH") || !strings.Contains(err.Error(), "--create-db") {
		t.Fatalf("user add on a missing database: %v; want it refused, naming the path and --create-db", err)
	}
	if _, serr := os.Stat(missing); !os.IsNotExist(serr) {
		t.Fatalf("a refused user add still created %s", missing)
	}
	if strings.Contains(stdout.String(), "/setup/") {
		t.Fatalf("refused, yet printed a link: %s", stdout.String())
	}
	// The default path too (no --db at all), from a directory with no database.
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	err = run(t.Context(), []string{"user", "add", "--email", "ana@example.edu", "--name", "Ana"}, nil, &stdout, &bytes.Buffer{}, envOf(nil))
	if err == nil || !strings.Contains(err.Error(), "no database at ./labdash.db") {
		t.Fatalf("user add without --db: %v", err)
	}
	// A directory is not a database either.
	err = run(t.Context(), []string{"user", "add", "--db", dir, "--email", "ana@example.edu", "--name", "Ana"}, nil, &stdout, &bytes.Buffer{}, envOf(nil))
	if err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Fatalf("user add with a directory as --db: %v", err)
	}
	// Other commands refuse too, without offering --create-db (they need a class or account).
	err = run(t.Context(), []string{"token", "create", "--db", missing, "--email", "ana@example.edu"}, nil, &stdout, &bytes.Buffer{}, envOf(nil))
	if err == nil || !strings.Contains(err.Error(), "no database at") || strings.Contains(err.Error(), "create-db") {
		t.Fatalf("token create on a missing database: %v", err)
	}
	// Asked for explicitly, it creates one.
	if err := run(t.Context(), append(args, "--create-db"), nil, &stdout, &bytes.Buffer{}, envOf(nil)); err != nil {
		t.Fatalf("user add --create-db: %v", err)
	}
	if _, err := os.Stat(missing); err != nil {
		t.Fatalf("--create-db did not create the database: %v", err)
	}
}

// TestUserAddLinkUsesTheServersBaseURL: the link used to say 127.0.0.1:8080 whatever the
// server was reached at.
func TestUserAddLinkUsesTheServersBaseURL(t *testing.T) {
	setupRE := regexp.MustCompile(`\n  (\S+)/setup/[0-9a-f]{32}\n`)
	cases := map[string]struct {
		flags    []string
		env      map[string]string
		wantBase string
		wantNote bool
	}{
		"LABDASH_BASE_URL as the server reads it": {nil, map[string]string{"LABDASH_BASE_URL": "https://labs.example.edu"}, "https://labs.example.edu", false},
		"--base-url with a trailing slash":        {[]string{"--base-url", "https://labs.example.edu:8443/"}, nil, "https://labs.example.edu:8443", false},
		"--base-url wins over the environment":    {[]string{"--base-url", "http://10.0.0.5:9000"}, map[string]string{"LABDASH_BASE_URL": "https://old.example.edu"}, "http://10.0.0.5:9000", false},
		"none: says what it assumes":              {nil, nil, "http://localhost:8080", true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := newDB(t)
			var stdout, stderr bytes.Buffer
			args := append([]string{"user", "add", "--db", path, "--email", "bo@example.edu", "--name", "Bo"}, tc.flags...)
			if err := run(t.Context(), args, nil, &stdout, &stderr, envOf(tc.env)); err != nil {
				t.Fatal(err)
			}
			m := setupRE.FindStringSubmatch(stdout.String())
			if m == nil || m[1] != tc.wantBase {
				t.Fatalf("link in %q; want it to start with %s", stdout.String(), tc.wantBase)
			}
			note := stderr.String()
			if tc.wantNote != strings.Contains(note, "assumes labdash is reached at http://localhost:8080") || tc.wantNote != strings.Contains(note, "--base-url") {
				t.Fatalf("stderr %q; want the assumption note: %v", note, tc.wantNote)
			}
		})
	}
	for _, bad := range []string{"labs.example.edu", "ftp://labs.example.edu", "https://labs.example.edu/dash", "javascript:alert(1)", "https://", "https://labs.example.edu/?x=1"} {
		t.Run("refused "+bad, func(t *testing.T) {
			path := newDB(t)
			var stdout bytes.Buffer
			err := run(t.Context(), []string{"user", "add", "--db", path, "--email", "bo@example.edu", "--name", "Bo", "--base-url", bad}, nil, &stdout, &bytes.Buffer{}, envOf(nil))
			if err == nil || !strings.Contains(err.Error(), "--base-url (LABDASH_BASE_URL)") {
				t.Fatalf("--base-url %q: %v", bad, err)
			}
			store, _ := db.Open(t.Context(), path)
			defer store.Close()
			if _, err := store.UserByEmail(t.Context(), "bo@example.edu"); err == nil {
				t.Fatal("the account was created although its link could not be printed")
			}
		})
	}
}

// TestRosterImportLinksSayWhatTheyAssume: personal links printed without a base URL say
// which address they assume, on stderr (stdout stays a clean CSV).
func TestRosterImportLinksSayWhatTheyAssume(t *testing.T) {
	ctx := t.Context()
	path := newDB(t)
	store, _ := db.Open(ctx, path)
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	store.CreateUser(ctx, u)
	class := &db.Class{Name: "c", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
	store.CreateClass(ctx, class)
	store.Close()
	file := filepath.Join(t.TempDir(), "r.csv")
	os.WriteFile(file, []byte("name,email\nBo,bo@example.edu\n"), 0o600)
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"roster", "import", "--db", path, class.ID, file}, nil, &stdout, &stderr, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), ",http://localhost:8080/s/") || strings.Contains(stdout.String(), "assume") {
		t.Fatalf("stdout:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "the links assume labdash is reached at http://localhost:8080") {
		t.Fatalf("stderr:\n%s", stderr.String())
	}
}

// TestUserAddRefusesInvisibleNames: the CLI checks --name as the set-up form does.
func TestUserAddRefusesInvisibleNames(t *testing.T) {
	for label, name := range map[string]string{"zero-width space": "\u200B", "right-to-left override": "\u202Eevil", "soft hyphen": "\u00AD"} {
		t.Run(label, func(t *testing.T) {
			path := newDB(t)
			var stdout bytes.Buffer
			err := run(t.Context(), []string{"user", "add", "--db", path, "--email", "bo@example.edu", "--name", name}, nil, &stdout, &bytes.Buffer{}, envOf(nil))
			if err == nil || !strings.Contains(err.Error(), "--name: name ") || strings.Contains(stdout.String(), "/setup/") {
				t.Fatalf("user add --name %+q: err %v, stdout %q; want a --name refusal and no link", name, err, stdout.String())
			}
		})
	}
}

// TestRosterImportSkipExisting: the CLI's own output (id,name,email,link) and the
// roster download import back; with --skip-existing the students already on the
// roster are left out instead of refusing the file.
func TestRosterImportSkipExisting(t *testing.T) {
	ctx := t.Context()
	path := newDB(t)
	store, _ := db.Open(ctx, path)
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	store.CreateUser(ctx, u)
	class := &db.Class{Name: "c", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
	store.CreateClass(ctx, class)
	store.Close()
	dir := t.TempDir()
	first := filepath.Join(dir, "first.csv")
	os.WriteFile(first, []byte("name,email\nBo,bo@example.edu\n"), 0o600)
	var out bytes.Buffer
	if err := run(ctx, []string{"roster", "import", "--db", path, class.ID, first}, nil, &out, &bytes.Buffer{}, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	// The CLI's output, with a new student added.
	again := filepath.Join(dir, "again.csv")
	os.WriteFile(again, append(out.Bytes(), []byte("s99,Cy,cy@example.edu,\n")...), 0o600)
	var stderr bytes.Buffer
	err := run(ctx, []string{"roster", "import", "--db", path, class.ID, again}, nil, &bytes.Buffer{}, &stderr, envOf(nil))
	if err == nil || !strings.Contains(err.Error(), "1 problem; nothing was imported") || !strings.Contains(stderr.String(), "bo@example.edu is already on the roster") {
		t.Fatalf("without --skip-existing: %v\n%s", err, stderr.String())
	}
	stderr.Reset()
	var links bytes.Buffer
	if err := run(ctx, []string{"roster", "import", "--db", path, "--skip-existing", class.ID, again}, nil, &links, &stderr, envOf(nil)); err != nil {
		t.Fatalf("--skip-existing: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "skipped 1 student already on the roster") || !strings.Contains(stderr.String(), "imported 1 student into") ||
		!strings.Contains(links.String(), "Cy,cy@example.edu,") || strings.Contains(links.String(), "bo@example.edu") {
		t.Fatalf("--skip-existing:\n%s\n%s", stderr.String(), links.String())
	}
	stderr.Reset()
	if err := run(ctx, []string{"roster", "import", "--db", path, "--skip-existing", class.ID, again}, nil, &bytes.Buffer{}, &stderr, envOf(nil)); err != nil || !strings.Contains(stderr.String(), "nothing to import") {
		t.Fatalf("everyone on the roster: %v\n%s", err, stderr.String())
	}
}
