package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/roster"
)

// createDBFlag is the flag that lets a command start a new database instead of
// refusing a --db that names no file; only `user add` has it.
const createDBFlag = "create-db"

// openStore parses a subcommand's flags and opens the database. A command run next
// to a server works on that server's database, so a --db naming no file is refused
// (opening it would silently create an empty database beside the real one), unless
// the command has --create-db and it is set.
func openStore(ctx context.Context, fs *flag.FlagSet, args []string, cfg *Config, e *env) (*db.Store, error) {
	if err := parseFlags(fs, args, e); err != nil {
		return nil, err
	}
	if err := cfg.validate(false); err != nil {
		return nil, fmt.Errorf("configuration:\n%w", err)
	}
	create := false
	if f := fs.Lookup(createDBFlag); f != nil {
		create = f.Value.String() == "true"
	}
	if fi, err := os.Stat(cfg.DB); err != nil || fi.IsDir() {
		if !create {
			msg := fmt.Sprintf("no database at %s; pass --db PATH (or LABDASH_DB) of the running server's database", cfg.DB)
			if fs.Lookup(createDBFlag) != nil {
				msg += ", or --" + createDBFlag + " to start a new one"
			}
			return nil, errors.New(msg)
		}
	}
	return db.Open(ctx, cfg.DB)
}

// defaultLinkBase is where a command's printed links point when neither --base-url nor
// LABDASH_BASE_URL is set: the server's default address.
const defaultLinkBase = "http://localhost:8080"

// baseURLFlag registers --base-url (LABDASH_BASE_URL, as the server reads it) for a
// command that prints links.
func baseURLFlag(fs *flag.FlagSet, e *env, what string) *string {
	return fs.String("base-url", e.str("LABDASH_BASE_URL", ""),
		"public URL of the running labdash, as the server's --base-url, e.g. https://labs.example.edu, for "+what+" (LABDASH_BASE_URL; default: "+defaultLinkBase+")")
}

// linkBase returns the start of printed links for base (the --base-url value) and,
// when none is configured, a note to print saying what the links assume and how to
// pass the real address. A base that is not a scheme and host is refused.
func linkBase(base string) (prefix, note string, err error) {
	if base == "" {
		return defaultLinkBase, "note: the link assumes labdash is reached at " + defaultLinkBase +
			"; if it is not, pass --base-url (or LABDASH_BASE_URL) with the address people open, e.g. --base-url https://labs.example.edu", nil
	}
	u, perr := url.Parse(base)
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("--base-url (LABDASH_BASE_URL) is %q; use a scheme and host such as https://labs.example.edu", base)
	}
	return strings.TrimRight(base, "/"), "", nil
}

// userAdd creates an instructor or assistant account. With --password-stdin the password
// is read from the first line of stdin; otherwise a one-time set-up link is printed.
func userAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, e *env) error {
	var cfg Config
	fs := flag.NewFlagSet("labdash user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &cfg, e)
	email := fs.String("email", "", "account e-mail (required)")
	name := fs.String("name", "", "display name (required)")
	role := fs.String("role", db.RoleInstructor, "instructor or assistant")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	base := baseURLFlag(fs, e, "the set-up link")
	fs.Bool(createDBFlag, false, "create the database if --db names no file (for a server not started yet)")
	store, err := openStore(ctx, fs, args, &cfg, e)
	if err != nil {
		return err
	}
	defer store.Close()
	*email = strings.ToLower(strings.TrimSpace(*email))
	var problems []error
	prefix, note, err := linkBase(*base)
	if err != nil && !*pwStdin {
		problems = append(problems, err)
	}
	if msg := roster.EmailProblem(*email); msg != "" {
		problems = append(problems, errors.New("--email: "+msg))
	}
	if msg := roster.NameProblem(strings.TrimSpace(*name), roster.MaxNameRunes); msg != "" {
		problems = append(problems, errors.New("--name: "+msg))
	}
	if *role != db.RoleInstructor && *role != db.RoleAssistant {
		problems = append(problems, fmt.Errorf("--role is %q; use instructor or assistant", *role))
	}
	if err := errors.Join(problems...); err != nil {
		return err
	}
	if *pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		if err := createUser(ctx, store, *email, strings.TrimSpace(*name), *role, strings.TrimRight(line, "\r\n")); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s %s\n", *role, *email)
		return nil
	}
	var token string
	err = store.WithTx(ctx, func(tx *db.Store) error {
		if err := tx.CreateUser(ctx, &db.User{Email: *email, Name: strings.TrimSpace(*name), Role: *role}); err != nil {
			return err
		}
		var err error
		token, err = tx.CreateInvite(ctx, db.Invite{Role: *role, Email: *email}, 7*24*time.Hour)
		return err
	})
	if errors.Is(err, db.ErrConflict) {
		return fmt.Errorf("an account with e-mail %s already exists", *email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s; they choose a password with this one-time link (7 days):\n  %s/setup/%s\n", *role, *email, prefix, token)
	if note != "" {
		fmt.Fprintln(stderr, note)
	}
	return nil
}

// tokenCreate prints a new API token for an existing account; only the token goes to stdout.
func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer, e *env) error {
	var cfg Config
	fs := flag.NewFlagSet("labdash token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &cfg, e)
	email := fs.String("email", "", "account the token acts for (required)")
	name := fs.String("name", "cli", "label shown on the Account page")
	store, err := openStore(ctx, fs, args, &cfg, e)
	if err != nil {
		return err
	}
	defer store.Close()
	if *email == "" {
		return errors.New("--email is required")
	}
	u, err := store.UserByEmail(ctx, strings.TrimSpace(*email))
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no account with e-mail %s; create one with `labdash user add`", *email)
	}
	if err != nil {
		return err
	}
	secret, _, err := store.CreateAPIToken(ctx, u.ID, clipName(*name))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	fmt.Fprintf(stderr, "token %q created for %s; it is shown once\n", clipName(*name), u.Email)
	return nil
}

// rosterImport imports a CSV roster into a class, all or nothing, and prints the links.
func rosterImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, e *env) error {
	var cfg Config
	fs := flag.NewFlagSet("labdash roster import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &cfg, e)
	base := baseURLFlag(fs, e, "the personal links")
	skip := fs.Bool("skip-existing", false, "leave out students already on the roster (matched by e-mail) instead of refusing the file, e.g. to import the roster download back with new names added")
	store, err := openStore(ctx, fs, args, &cfg, e)
	if err != nil {
		return err
	}
	defer store.Close()
	if fs.NArg() != 2 {
		return errors.New("usage: labdash roster import CLASS FILE.csv")
	}
	prefix, note, err := linkBase(*base)
	if err != nil {
		return err
	}
	classID, file := fs.Arg(0), fs.Arg(1)
	class, err := store.Class(ctx, classID)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no class %q", classID)
	}
	if err != nil {
		return err
	}
	var r io.Reader = stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, roster.MaxBytes+1))
	if err != nil {
		return err
	}
	var students []db.Student
	var tokens []string
	var skipped []roster.Row
	var rowErrs []roster.RowError
	if *skip {
		students, tokens, skipped, rowErrs, err = roster.ImportSkipping(ctx, store, class, data, "cli")
	} else {
		students, tokens, rowErrs, err = roster.Import(ctx, store, class, data, "cli")
	}
	if errors.Is(err, roster.ErrInvalid) {
		for _, re := range rowErrs {
			fmt.Fprintln(stderr, re.String())
		}
		return fmt.Errorf("%s: %s; nothing was imported", file, labs.Plural(len(rowErrs), "problem", "problems"))
	}
	if err != nil {
		return err
	}
	recs := make([][]string, len(students))
	for i, st := range students {
		recs[i] = []string{st.Slug, st.Name, st.Email, prefix + "/s/" + tokens[i]}
	}
	if len(skipped) > 0 {
		fmt.Fprintf(stderr, "skipped %s already on the roster (they keep their links)\n", labs.Plural(len(skipped), "student", "students"))
	}
	if len(students) == 0 {
		fmt.Fprintf(stderr, "nothing to import: every student of %s is on the roster of %s already\n", file, class.ID)
		return nil
	}
	fmt.Fprintf(stderr, "imported %s into %s; their personal links follow (shown once)\n", labs.Plural(len(students), "student", "students"), class.ID)
	if note != "" {
		fmt.Fprintln(stderr, strings.Replace(note, "the link assumes", "the links assume", 1))
	}
	return roster.Write(stdout, []string{"id", "name", "email", "link"}, recs)
}

func clipName(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 60 {
		s = s[:60]
	}
	if s == "" {
		s = "cli"
	}
	return s
}
