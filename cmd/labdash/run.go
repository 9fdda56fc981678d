package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

const usage = `labdash: the instructor dashboard for hands-on AWS classes

Usage:
  labdash [serve] [flags]                  run the dashboard (default)
  labdash user add --email E --name N [--role instructor|assistant] [--password-stdin] [--base-url U] [--create-db]
  labdash token create --email E [--name N]
  labdash roster import [--base-url U] [--skip-existing] CLASS FILE.csv   (FILE may be - for stdin)
  labdash provision --cloud aws CLASS      provision (or resume) a class's sandboxes
  labdash cleanup plan --cloud aws [--json] [--student S] CLASS          the dry run, with its hash
  labdash cleanup run --cloud aws --confirm NAME --plan HASH CLASS       delete exactly that plan, then verify
                                           (on a terminal, without --plan: shows the plan and asks)
  labdash sandbox policies [--cloud aws] [--json] CLASS                  the boundary and identity policy every student role gets
  labdash iam-policy [--part monitor|provision|cleanup] [--json]         the IAM policy labdash itself needs, one document per part
  labdash healthcheck [--addr A]           exit 0 when a running labdash answers /healthz
  labdash help

Run "labdash COMMAND -h" for a command's flags. Every flag has a LABDASH_* environment twin.
`

// run dispatches a command line. It is main without the process: tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	cmd, rest := "serve", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
		if len(rest) > 0 && (cmd == "user" || cmd == "token" || cmd == "roster" || cmd == "cleanup" || cmd == "sandbox") {
			cmd, rest = cmd+" "+rest[0], rest[1:]
		}
	}
	e := &env{get: getenv}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, rest, stdout, stderr, e)
	case "user add":
		err = userAdd(ctx, rest, stdin, stdout, stderr, e)
	case "token create":
		err = tokenCreate(ctx, rest, stdout, stderr, e)
	case "roster import":
		err = rosterImport(ctx, rest, stdin, stdout, stderr, e)
	case "cleanup plan", "cleanup run":
		err = cleanupCmd(ctx, strings.TrimPrefix(cmd, "cleanup "), rest, stdin, stdout, stderr, e)
	case "sandbox policies":
		err = sandboxCmd(ctx, strings.TrimPrefix(cmd, "sandbox "), rest, stdout, stderr, e)
	case "iam-policy":
		err = iamPolicyCmd(rest, stdout, stderr, e)
	case "provision":
		err = provision(ctx, rest, stdout, stderr, e)
	case "healthcheck":
		err = healthcheck(ctx, rest, stdout, stderr, e)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// parseFlags parses args and folds in malformed environment variables, so both kinds
// of mistake are reported before anything starts.
func parseFlags(fs *flag.FlagSet, args []string, e *env) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	return errors.Join(e.bad...)
}
