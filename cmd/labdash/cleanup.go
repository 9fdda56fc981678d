package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cleanup"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
)

// cleanupCmd is `labdash cleanup plan|run`: the dry run, or the confirmed cleanup run
// in this process. Like provisioning, it needs --cloud aws: the simulated AWS lives
// inside the running server.
func cleanupCmd(ctx context.Context, sub string, args []string, stdout, stderr io.Writer, e *env) error {
	var cfg Config
	fs := flag.NewFlagSet("labdash cleanup "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &cfg, e)
	fs.StringVar(&cfg.Cloud, "cloud", e.str("LABDASH_CLOUD", "sim"), "cloud provider: aws (LABDASH_CLOUD)")
	asJSON := fs.Bool("json", false, "plan: print the plan as JSON")
	confirm := fs.String("confirm", "", "run: the class's name, typed out")
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
	if _, err := store.Class(ctx, classID); errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no class %q", classID)
	} else if err != nil {
		return err
	}
	provider, err := awsprovider.New(ctx, awsprovider.Options{ExternalID: func(string) string { return classID }})
	if err != nil {
		return fmt.Errorf("aws: %w", err)
	}
	planner := &cleanup.Planner{Store: store, Provider: provider}
	plan, err := planner.PlanFor(ctx, classID, *student)
	if err != nil {
		return err
	}
	if sub == "plan" {
		if err := store.Audit(ctx, db.AuditEntry{ClassID: classID, Actor: "cli", Action: "cleanup.plan",
			Detail: fmt.Sprintf("plan %s: %d to delete, %d skipped, $%.2f/h", plan.Hash, len(plan.Items), len(plan.Skipped), plan.HourlyUSD)}); err != nil {
			return err
		}
	}
	switch sub {
	case "plan":
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(plan)
		}
		for _, it := range plan.Items {
			fmt.Fprintf(stdout, "delete\t%s\t%s\t%s\t%s\n", it.Student, it.Type, it.ARN, it.Proof)
		}
		for _, it := range plan.Skipped {
			fmt.Fprintf(stdout, "skip\t%s\t%s\t%s\t%s\n", it.Student, it.Type, it.ARN, it.Reason)
		}
		fmt.Fprintf(stderr, "plan %s: %d to delete, %d skipped, about $%.2f/hour; run it with: labdash cleanup run --cloud aws --confirm 'CLASS NAME' %s\n",
			plan.Hash, len(plan.Items), len(plan.Skipped), plan.HourlyUSD, classID)
		return nil
	case "run":
		x := &cleanup.Executor{Log: cfg.logger(stderr), Store: store, Provider: provider, Planner: planner}
		job, err := x.ConfirmFor(ctx, classID, *student, plan.Hash, *confirm)
		if errors.Is(err, cleanup.ErrWrongName) {
			return errors.New("--confirm must be the class's name, typed out")
		}
		if err != nil {
			return err
		}
		if err := x.Run(ctx, job.ID); err != nil {
			return fmt.Errorf("cleanup job %d: %w", job.ID, err)
		}
		final, err := store.Job(context.WithoutCancel(ctx), job.ID)
		if err != nil {
			return err
		}
		for _, it := range final.Items {
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", it.State, it.Key, it.Detail)
		}
		if final.Error != "" {
			return fmt.Errorf("cleanup job %d: %s", job.ID, final.Error)
		}
		fmt.Fprintf(stderr, "cleanup job %d done and verified: nothing the class owns is left\n", job.ID)
		return nil
	}
	return fmt.Errorf("unknown cleanup command %q; use plan or run", sub)
}
