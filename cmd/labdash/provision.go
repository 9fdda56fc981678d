package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/sandbox"
)

// provision runs (or resumes) a class's provisioning job in this process, printing
// progress, for scripts. On the simulator there is nothing to provision from the
// command line: the simulated AWS lives inside the running server.
func provision(ctx context.Context, args []string, stdout, stderr io.Writer, e *env) error {
	var cfg Config
	fs := flag.NewFlagSet("labdash provision", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &cfg, e)
	fs.StringVar(&cfg.Cloud, "cloud", e.str("LABDASH_CLOUD", "sim"), "cloud provider: aws (LABDASH_CLOUD)")
	awsFlags(fs, &cfg, e)
	store, err := openStore(ctx, fs, args, &cfg, e)
	if err != nil {
		return err
	}
	defer store.Close()
	if fs.NArg() != 1 {
		return errors.New("usage: labdash provision --cloud aws CLASS")
	}
	if cfg.Cloud != "aws" {
		return errors.New("provisioning from the command line needs --cloud aws; on the simulator, press Provision sandboxes on the class page or POST /api/v1/classes/CLASS/provision to the running server")
	}
	classID := fs.Arg(0)
	if _, err := store.Class(ctx, classID); errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no class %q", classID)
	} else if err != nil {
		return err
	}
	log := cfg.logger(stderr)
	provider, err := awsprovider.New(ctx, cfg.awsOptions(awsprovider.Options{ExternalID: func(string) string { return classID }}))
	if err != nil {
		return fmt.Errorf("aws: %w", err)
	}
	p := &sandbox.Provisioner{Log: log, Store: store, Registry: catalog.New(), Provider: provider}
	job, err := p.Start(ctx, classID)
	if err != nil {
		return err
	}
	p.OnProgress = func(id int64) {
		if j, err := store.Job(context.WithoutCancel(ctx), id); err == nil {
			c := j.Counts()
			fmt.Fprintf(stderr, "job %d: %d done, %d failed, %d running, %d pending\n", id, c[db.ItemDone], c[db.ItemFailed], c[db.ItemRunning], c[db.ItemPending])
		}
	}
	log.Info("provisioning", slog.String("class", classID), slog.Int64("job", job.ID))
	runErr := p.Run(ctx, job.ID)
	final, err := store.Job(context.WithoutCancel(ctx), job.ID)
	if err != nil {
		return err
	}
	for _, it := range final.Items {
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", it.Key, it.State, it.Detail)
	}
	if runErr != nil {
		return fmt.Errorf("job %d: %w", job.ID, runErr)
	}
	if final.Error != "" {
		return fmt.Errorf("job %d: %s", job.ID, final.Error)
	}
	fmt.Fprintf(stderr, "job %d done: %d student(s) provisioned\n", job.ID, final.Counts()[db.ItemDone])
	return nil
}
