package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cleanup"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
)

// errNotVerified is the exit of a cleanup run that did not end verified: the
// report says what failed, is left or could not be checked.
var errNotVerified = errors.New("cleanup not verified")

// cleanupCmd is `labdash cleanup plan|run`: the dry run, or the confirmed cleanup run
// in this process. Like provisioning, it needs --cloud aws: the simulated AWS lives
// inside the running server.
//
// What is confirmed is what was reviewed: `plan` prints the plan and its hash (and
// records it), and `run --confirm NAME --plan HASH` deletes exactly that plan or
// refuses, naming what changed. On a terminal, `run` without --plan shows the plan
// and asks for the class's name; without a terminal it refuses. A run whose
// process died is resumed by the next `run` of the same class and plan (or by a
// `serve` start), never run twice.
func cleanupCmd(ctx context.Context, sub string, args []string, stdin io.Reader, stdout, stderr io.Writer, e *env) error {
	var cfg Config
	fs := flag.NewFlagSet("labdash cleanup "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &cfg, e)
	fs.StringVar(&cfg.Cloud, "cloud", e.str("LABDASH_CLOUD", "sim"), "cloud provider: aws (LABDASH_CLOUD)")
	awsFlags(fs, &cfg, e)
	asJSON := fs.Bool("json", false, "plan: print the plan as JSON (its hash included)")
	confirm := fs.String("confirm", "", "run: the class's name, typed out")
	planHash := fs.String("plan", "", "run: the hash of the plan you reviewed (from `labdash cleanup plan`); the run deletes exactly that plan or refuses")
	student := fs.String("student", "", "only this student's resources (e.g. s07), not the whole class")
	store, err := openStore(ctx, fs, args, &cfg, e)
	if err != nil {
		return err
	}
	defer store.Close()
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: labdash cleanup %s --cloud aws CLASS", sub)
	}
	if cfg.Cloud != "aws" {
		return errors.New("cleanup from the command line needs --cloud aws; on the simulator, use Clean up class on the class page or the API of the running server")
	}
	classID := fs.Arg(0)
	class, err := store.Class(ctx, classID)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no class %q", classID)
	} else if err != nil {
		return err
	}
	if *student != "" {
		if _, err := store.Student(ctx, classID, *student); err != nil {
			return fmt.Errorf("--student: class %s has no student %q", classID, *student)
		}
	}
	provider, err := awsprovider.New(ctx, cfg.awsOptions(awsprovider.Options{ExternalID: func(string) string { return classID }}))
	if err != nil {
		return fmt.Errorf("aws: %w", err)
	}
	planner := &cleanup.Planner{Store: store, Provider: provider, Registry: catalog.New()}
	x := &cleanup.Executor{Log: cfg.logger(stderr), Store: store, Provider: provider, Planner: planner}
	switch sub {
	case "plan":
		plan, err := planner.PlanFor(ctx, classID, *student)
		if err != nil {
			return err
		}
		if err := recordPlan(ctx, store, plan, "cli"); err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(plan)
		}
		printPlan(stdout, plan)
		fmt.Fprintf(stderr, "plan %s: %d to delete, %d skipped, %d not checked, about $%.2f/hour; delete exactly this plan with:\n  labdash cleanup run --cloud aws --confirm '%s' --plan %s%s %s\n",
			plan.Hash, len(plan.Items), len(plan.Skipped), len(plan.Unchecked), plan.HourlyUSD, class.Name, plan.Hash, studentFlag(*student), classID)
		return nil
	case "run":
		job, err := confirmRun(ctx, x, class, *student, *planHash, *confirm, stdin, stdout, stderr)
		if err != nil {
			return err
		}
		return runJob(ctx, x, store, job, stdout, stderr)
	}
	return fmt.Errorf("unknown cleanup command %q; use plan or run", sub)
}

// confirmRun finds the job to run: the class's unfinished one (resumed, if it is
// the plan given), or a new one bound to the reviewed plan.
func confirmRun(ctx context.Context, x *cleanup.Executor, class *db.Class, student, hash, typed string, stdin io.Reader, stdout, stderr io.Writer) (*db.Job, error) {
	if hash != "" && !isPlanHash(hash) {
		return nil, fmt.Errorf("--plan %q is not a plan hash (16 hexadecimal digits, as `labdash cleanup plan` prints)", clipArg(hash))
	}
	open, err := x.Store.OpenJob(ctx, class.ID, cleanup.JobKind)
	switch {
	case err == nil:
		// A job whose process died: resume it, if it is the plan the caller means.
		switch {
		case hash == "" && !isTerminal(stdin):
			return nil, fmt.Errorf("class %s has an unfinished cleanup job %d (plan %s); resume it with: labdash cleanup run --cloud aws --confirm '%s' --plan %s%s %s",
				class.ID, open.ID, open.PlanHash, class.Name, open.PlanHash, studentFlag(open.Scope), class.ID)
		case hash != "" && hash != open.PlanHash:
			return nil, fmt.Errorf("class %s has an unfinished cleanup job %d for plan %s, not %s: resume that one first (--plan %s)", class.ID, open.ID, open.PlanHash, hash, open.PlanHash)
		case open.Scope != student:
			return nil, fmt.Errorf("class %s has an unfinished cleanup job %d of %s; resume that one first (--plan %s%s)", class.ID, open.ID, scopeWords(open.Scope), open.PlanHash, studentFlag(open.Scope))
		}
		if hash == "" {
			if typed, err = ask(stdin, stdout, fmt.Sprintf("Job %d (plan %s, %d resources) did not finish. Type the class's name, %s, to resume it: ", open.ID, open.PlanHash, len(open.Items), class.Name)); err != nil {
				return nil, err
			}
		}
		if strings.TrimSpace(typed) != class.Name {
			return nil, errors.New("--confirm must be the class's name, typed out")
		}
		fmt.Fprintf(stderr, "resuming cleanup job %d (plan %s)\n", open.ID, open.PlanHash)
		return open, nil
	case !errors.Is(err, db.ErrNotFound):
		return nil, err
	}
	if hash == "" {
		if !isTerminal(stdin) {
			return nil, fmt.Errorf("cleanup run needs --plan HASH when it does not run on a terminal, so that it deletes exactly the plan you reviewed: run `labdash cleanup plan --cloud aws%s %s`, read it, then `labdash cleanup run --cloud aws --confirm '%s' --plan HASH%s %s`",
				studentFlag(student), class.ID, class.Name, studentFlag(student), class.ID)
		}
		plan, err := x.Planner.PlanFor(ctx, class.ID, student)
		if err != nil {
			return nil, err
		}
		printPlan(stdout, plan)
		if len(plan.Items) == 0 {
			return nil, fmt.Errorf("plan %s: nothing to delete", plan.Hash)
		}
		typed, err := ask(stdin, stdout, fmt.Sprintf("Delete these %d resources (plan %s, about $%.2f/hour)? Type the class's name, %s, to confirm: ", len(plan.Items), plan.Hash, plan.HourlyUSD, class.Name))
		if err != nil {
			return nil, err
		}
		job, err := x.ConfirmPlan(ctx, plan, typed)
		if errors.Is(err, cleanup.ErrWrongName) {
			return nil, errors.New("that is not the class's name: nothing was deleted")
		}
		return job, err
	}
	job, err := x.ConfirmFor(ctx, class.ID, student, hash, typed)
	if errors.Is(err, cleanup.ErrWrongName) {
		return nil, errors.New("--confirm must be the class's name, typed out")
	}
	return job, err
}

// runJob runs job to its end, printing each resource's progress to stderr as it
// changes, then the outcome. It fails unless the job ends verified.
func runJob(ctx context.Context, x *cleanup.Executor, store *db.Store, job *db.Job, stdout, stderr io.Writer) error {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); printProgress(ctx, store, job.ID, stderr, stop) }()
	runErr := x.Run(ctx, job.ID)
	close(stop)
	wg.Wait()
	if runErr != nil {
		var held *cleanup.LeaseHeldError
		if errors.As(runErr, &held) {
			return fmt.Errorf("%w; wait for it, or stop that process and run this again to resume it", runErr)
		}
		return fmt.Errorf("cleanup job %d: %w (run the same command again to resume it)", job.ID, runErr)
	}
	final, err := store.Job(context.WithoutCancel(ctx), job.ID)
	if err != nil {
		return err
	}
	for _, it := range final.Items {
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", it.State, it.Step, it.Key, it.Detail)
	}
	if final.Outcome != db.OutcomeVerified {
		fmt.Fprintf(stderr, "cleanup job %d NOT VERIFIED:\n  - %s\n", job.ID, strings.ReplaceAll(final.Error, "\n", "\n  - "))
		return fmt.Errorf("%w: job %d", errNotVerified, job.ID)
	}
	fmt.Fprintf(stderr, "cleanup job %d done and verified: a fresh sweep that read everything finds nothing the class owns\n", job.ID)
	return nil
}

// printProgress prints, every two seconds until stop, the items whose state or
// step changed, and a summary line with counts.
func printProgress(ctx context.Context, store *db.Store, id int64, w io.Writer, stop <-chan struct{}) {
	seen := map[string]string{}
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	last := ""
	for {
		if j, err := store.Job(context.WithoutCancel(ctx), id); err == nil {
			for _, it := range j.Items {
				now := it.State + "/" + it.Step + "/" + it.Detail
				if it.State != db.ItemPending && seen[it.Key] != now {
					seen[it.Key] = now
					fmt.Fprintf(w, "  %-8s %-10s %s %s\n", it.State, it.Step, it.Key, clipArg(it.Detail))
				}
			}
			c := j.Counts()
			line := fmt.Sprintf("job %d: %d of %d done, %d failed, %d in progress", id, c[db.ItemDone], len(j.Items), c[db.ItemFailed], c[db.ItemRunning])
			if line != last {
				fmt.Fprintln(w, line)
				last = line
			}
		}
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// recordPlan audits a plan shown to a script and records it, so that a
// confirmation of its hash against a changed class can name what changed.
func recordPlan(ctx context.Context, store *db.Store, plan *cleanup.Plan, actor string) error {
	if err := store.SaveCleanupPlan(ctx, plan.ClassID, plan.Student, plan.Hash, plan.ARNs()); err != nil {
		return err
	}
	return store.Audit(ctx, db.AuditEntry{ClassID: plan.ClassID, Actor: actor, Action: "cleanup.plan",
		Detail: fmt.Sprintf("plan %s: %d to delete, %d skipped, %d not checked, $%.2f/h", plan.Hash, len(plan.Items), len(plan.Skipped), len(plan.Unchecked), plan.HourlyUSD)})
}

// printPlan writes the plan as tab-separated lines: delete, skip and unchecked.
func printPlan(w io.Writer, plan *cleanup.Plan) {
	for _, it := range plan.Items {
		fmt.Fprintf(w, "delete\t%s\t%s\t%s\t%s\n", orDash(it.Student), it.Type, it.ARN, it.Proof)
	}
	for _, it := range plan.Skipped {
		fmt.Fprintf(w, "skip\t%s\t%s\t%s\t%s\n", orDash(it.Student), it.Type, it.ARN, it.Reason)
	}
	gaps := append([]cleanup.Gap(nil), plan.Unchecked...)
	sort.Slice(gaps, func(i, j int) bool { return gaps[i].String() < gaps[j].String() })
	for _, g := range gaps {
		fmt.Fprintf(w, "unchecked\t-\t%s\t%s\t%s\n", g.Type, orDash(g.ARN), g.String())
	}
}

// ask prints prompt and reads one line of stdin.
func ask(stdin io.Reader, stdout io.Writer, prompt string) (string, error) {
	fmt.Fprint(stdout, prompt)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the confirmation: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// isTerminal reports whether r is a terminal a person types at. Tests stand in
// for one with a terminalReader.
func isTerminal(r io.Reader) bool {
	if _, ok := r.(terminalReader); ok {
		return true
	}
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// terminalReader is an io.Reader that says it is a terminal (tests).
type terminalReader interface {
	io.Reader
	Terminal()
}

// isPlanHash reports whether s has a plan hash's shape: 16 lowercase hex digits.
func isPlanHash(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

func studentFlag(student string) string {
	if student == "" {
		return ""
	}
	return " --student " + student
}

func scopeWords(scope string) string {
	if scope == "" {
		return "the whole class"
	}
	return "student " + scope
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clipArg(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
