package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/labdash/labdash/labs/cloud/authz"
	"github.com/labdash/labdash/labs/ownpolicy"
	"github.com/labdash/labdash/labs/sandbox"
)

// iamPolicyJSON is one part's document in `labdash iam-policy --json`.
type iamPolicyJSON struct {
	Part     string       `json:"part"`
	Purpose  string       `json:"purpose"`
	Size     int          `json:"size"`  // characters, as IAM counts them
	Limit    int          `json:"limit"` // IAM's limit for a managed policy
	Document authz.Policy `json:"document"`
}

// iamPolicyCmd is `labdash iam-policy`: the IAM policy of the principal labdash
// itself runs as, one document per part (labs/ownpolicy), as this binary's code
// needs them. It reads nothing and calls no AWS. With --part it prints that
// part's document alone, ready for aws iam create-policy; without, every part's
// under a "# part: what it is for" header.
func iamPolicyCmd(args []string, stdout, stderr io.Writer, e *env) error {
	fs := flag.NewFlagSet("labdash iam-policy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	names := strings.Join(ownpolicy.PartNames(), ", ")
	part := fs.String("part", "", "print only this part's document: "+names)
	asJSON := fs.Bool("json", false, `print one JSON object: {"parts":[{"part","purpose","size","limit","document"}]}`)
	if err := parseFlags(fs, args, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("labdash iam-policy takes no arguments (got %q); usage: labdash iam-policy [--part %s] [--json]", clipArg(fs.Arg(0)), strings.Join(ownpolicy.PartNames(), "|"))
	}
	policies, err := ownpolicy.Policies()
	if err != nil {
		return err
	}
	if *part != "" {
		var picked []ownpolicy.Policy
		for _, p := range policies {
			if p.Part == *part {
				picked = append(picked, p)
			}
		}
		if len(picked) == 0 {
			return fmt.Errorf("--part is %q; use one of %s", clipArg(*part), names)
		}
		policies = picked
	}
	if *asJSON {
		out := struct {
			Parts []iamPolicyJSON `json:"parts"`
		}{Parts: []iamPolicyJSON{}}
		for _, p := range policies {
			out.Parts = append(out.Parts, iamPolicyJSON{Part: p.Part, Purpose: p.Purpose, Size: p.Size(), Limit: sandbox.MaxManagedPolicyChars, Document: p.Document})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for i, p := range policies {
		doc, err := p.JSON()
		if err != nil {
			return err
		}
		if *part != "" {
			_, err = io.WriteString(stdout, doc)
			return err
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if _, err := fmt.Fprintf(stdout, "# %s: %s (%d of %d characters; %s)\n%s", p.Part, p.Purpose, p.Size(), sandbox.MaxManagedPolicyChars, p.File, doc); err != nil {
			return err
		}
	}
	if len(policies) == 0 {
		return errors.New("labdash iam-policy: no parts")
	}
	return nil
}
