// Command labdash is the instructor dashboard for hands-on AWS classes.
//
//	labdash [serve]                      run the dashboard (the default)
//	labdash user add --email E --name N [--role instructor|assistant]
//	labdash token create --email E [--name N]
//	labdash roster import CLASS FILE.csv
//	labdash sandbox policies [--json] CLASS
//	labdash iam-policy [--part monitor|provision|cleanup] [--json]
//	labdash healthcheck [--addr A]
//
// Every flag has a LABDASH_* environment twin; see `labdash help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "labdash:", err)
		os.Exit(1)
	}
}
