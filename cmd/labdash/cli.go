package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/roster"
)

// openStore parses a subcommand's flags and opens the database.
func openStore(ctx context.Context, fs *flag.FlagSet, args []string, cfg *Config, e *env) (*db.Store, error) {
	if err := parseFlags(fs, args, e); err != nil {
		return nil, err
	}
	if err := cfg.validate(false); err != nil {
		return nil, fmt.Errorf("configuration:\n%w", err)
	}
	return db.Open(ctx, cfg.DB)
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
	base := fs.String("base-url", e.str("LABDASH_BASE_URL", "http://127.0.0.1:8080"), "where labdash is reached, for the set-up link (LABDASH_BASE_URL)")
	store, err := openStore(ctx, fs, args, &cfg, e)
	if err != nil {
		return err
	}
	defer store.Close()
	*email = strings.ToLower(strings.TrimSpace(*email))
	var problems []error
	if msg := roster.EmailProblem(*email); msg != "" {
		problems = append(problems, errors.New("--email: "+msg))
	}
	if strings.TrimSpace(*name) == "" {
		problems = append(problems, errors.New("--name is required"))
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
	fmt.Fprintf(stdout, "created %s %s; they choose a password with this one-time link (7 days):\n  %s/setup/%s\n", *role, *email, strings.TrimRight(*base, "/"), token)
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
	base := fs.String("base-url", e.str("LABDASH_BASE_URL", "http://127.0.0.1:8080"), "where labdash is reached, for the personal links (LABDASH_BASE_URL)")
	store, err := openStore(ctx, fs, args, &cfg, e)
	if err != nil {
		return err
	}
	defer store.Close()
	if fs.NArg() != 2 {
		return errors.New("usage: labdash roster import CLASS FILE.csv")
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
	students, tokens, rowErrs, err := roster.Import(ctx, store, class, data, "cli")
	if errors.Is(err, roster.ErrInvalid) {
		for _, re := range rowErrs {
			fmt.Fprintln(stderr, re.String())
		}
		return fmt.Errorf("%s: %d problem(s); nothing was imported", file, len(rowErrs))
	}
	if err != nil {
		return err
	}
	recs := make([][]string, len(students))
	for i, st := range students {
		recs[i] = []string{st.Slug, st.Name, st.Email, strings.TrimRight(*base, "/") + "/s/" + tokens[i]}
	}
	fmt.Fprintf(stderr, "imported %d student(s) into %s; their personal links follow (shown once)\n", len(students), class.ID)
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
