package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers"
	"github.com/labdash/labdash/labs/catalog"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/sandbox"
)

// simAccount is the simulated world's default account (startLive builds the
// world with it): on the simulator, the account labdash is signed in to.
const simAccount = "111122223333"

// fixedAccount is a handlers.AccountReader that always knows the account.
type fixedAccount string

func (a fixedAccount) CallerAccount(context.Context) (string, error) { return string(a), nil }

// accountReader is what the policies pages ask for the account labdash is
// signed in to: the AWS provider's own CallerAccount, or the simulator's account.
func accountReader(ls *liveStack) handlers.AccountReader {
	if ls.world != nil {
		return fixedAccount(simAccount)
	}
	if r, ok := ls.prov.Provider.(handlers.AccountReader); ok {
		return r
	}
	return nil
}

// sandboxCmd is `labdash sandbox policies`: the policies every student role of a
// class carries, as provisioning creates them, for a reviewer to read before
// anything exists in AWS. It reads the database and, with --cloud aws, asks AWS
// only which account labdash is signed in to.
func sandboxCmd(ctx context.Context, sub string, args []string, stdout, stderr io.Writer, e *env) error {
	if sub != "policies" {
		return fmt.Errorf("unknown sandbox command %q; use policies", clipArg(sub))
	}
	var cfg Config
	fs := flag.NewFlagSet("labdash sandbox policies", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &cfg, e)
	fs.StringVar(&cfg.Cloud, "cloud", e.str("LABDASH_CLOUD", "sim"), "cloud provider: sim or aws; with aws the policies name the account labdash is signed in to (LABDASH_CLOUD)")
	awsFlags(fs, &cfg, e)
	asJSON := fs.Bool("json", false, "print one JSON object: class, account and the policies with their documents")
	pos, err := parseInterspersed(fs, args, e)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: labdash sandbox policies [--json] CLASS")
	}
	if cfg.Cloud != "sim" && cfg.Cloud != "aws" {
		return fmt.Errorf("--cloud (LABDASH_CLOUD) is %q; use sim or aws", cfg.Cloud)
	}
	if err := cfg.validate(false); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	store, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer store.Close()
	classID := pos[0]
	class, err := store.Class(ctx, classID)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no class %q", clipArg(classID))
	} else if err != nil {
		return err
	}
	rep, err := cliPolicyReport(ctx, cfg, class)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	if len(rep.Policies) == 0 {
		fmt.Fprintf(stdout, "Class %s has no shared-account policies: %s.\n", class.ID, sandbox.PerStudentAccountsNote)
		return nil
	}
	if rep.Note != "" {
		fmt.Fprintf(stderr, "note: %s\n", rep.Note)
	}
	for i, p := range rep.Policies {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		over := ""
		if p.Size > p.Limit {
			over = ", LARGER THAN IAM ALLOWS: provisioning would fail"
		}
		fmt.Fprintf(stdout, "# %s: %s (%d of %d characters%s)\n%s\n", p.Name, p.Purpose, p.Size, p.Limit, over, p.JSON)
	}
	return nil
}

// cliPolicyReport is class's policies, written for the class's account, else the
// one labdash is signed in to (the simulator's; with --cloud aws, what STS
// says), else the placeholder, with a note saying which.
func cliPolicyReport(ctx context.Context, cfg Config, class *db.Class) (sandbox.PolicyReport, error) {
	rep := sandbox.PolicyReport{Class: class.ID, Policies: []sandbox.NamedPolicy{}}
	if class.Isolation == db.IsolationPerStudent {
		rep.Note = sandbox.PerStudentAccountsNote + "; there are no shared-account policies to show"
		return rep, nil
	}
	signedIn := ""
	switch {
	case class.AccountID != "":
	case cfg.Cloud == "aws":
		acct, err := awsAccount(ctx, cfg, class.ID)
		if err != nil {
			rep.Note = fmt.Sprintf("labdash could not read the AWS account it is signed in to (%v), so %s stands where the account goes", err, sandbox.AccountPlaceholder)
		}
		signedIn = acct
	default:
		signedIn = simAccount
		rep.Note = "these are written for the simulated account " + simAccount + "; pass --cloud aws for the account labdash is signed in to"
	}
	rep.Account = sandbox.PolicyAccount(class, signedIn)
	if rep.Account == sandbox.AccountPlaceholder && rep.Note == "" {
		rep.Note = "labdash does not know which AWS account this class runs in, so " + sandbox.AccountPlaceholder + " stands where the account goes"
	}
	var err error
	rep.Policies, err = sandbox.ClassPolicies(class, signedIn, catalog.New())
	return rep, err
}

// awsAccount asks STS which account labdash's credentials belong to.
func awsAccount(ctx context.Context, cfg Config, classID string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	p, err := awsprovider.New(ctx, cfg.awsOptions(awsprovider.Options{ExternalID: func(string) string { return classID }}))
	if err != nil {
		return "", fmt.Errorf("aws: %w", err)
	}
	return p.CallerAccount(ctx)
}

// parseInterspersed parses args with flags before, between or after the
// positional arguments (`sandbox policies CLASS --json`), returning those, and
// folds in malformed environment variables like parseFlags.
func parseInterspersed(fs *flag.FlagSet, args []string, e *env) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...) // after --, everything is positional
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	return pos, errors.Join(e.bad...)
}

// The AWS provider answers the policies pages itself.
var _ handlers.AccountReader = (*awsprovider.Provider)(nil)
