package handlers

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/roster"
	"github.com/labdash/labdash/labs/sandbox"
)

// classInput is a new class as the form or the API sends it.
type classInput struct {
	Name      string   `json:"name"`
	Regions   []string `json:"regions"`
	Isolation string   `json:"isolation"`
	Labs      []string `json:"labs"`
	AccountID string   `json:"account_id"`
	// storedLabs are an edited class's labs as stored. One without a sandbox policy
	// is not refused again for the shared account: a class stored with it before
	// that was checked must still be renamable (its labs may be locked), and its
	// provisioning refuses it with the reason. A lab the edit adds is checked.
	storedLabs []string
}

// validate normalises in and returns field → problem; empty means valid.
func (in *classInput) validate(reg *labs.Registry) map[string]string {
	errs := map[string]string{}
	in.Name = strings.TrimSpace(in.Name)
	if msg := roster.NameProblem(in.Name, roster.MaxNameRunes); msg != "" {
		errs["name"] = msg
	}
	dupRegion := duplicate(in.Regions)
	in.Regions = dedupe(in.Regions)
	switch {
	case dupRegion != "":
		errs["regions"] = fmt.Sprintf("%q is chosen more than once; choose each region once", clip(dupRegion, 30))
	case len(in.Regions) == 0:
		errs["regions"] = "choose at least one region"
	case len(in.Regions) > 6:
		errs["regions"] = "choose at most 6 regions"
	default:
		for _, r := range in.Regions {
			if !labs.KnownRegion(r) {
				errs["regions"] = fmt.Sprintf("%q is not a region labdash supports (%s)", clip(r, 30), strings.Join(labs.Regions, ", "))
				break
			}
		}
	}
	if in.Isolation == "" {
		in.Isolation = db.IsolationShared
	}
	if in.Isolation != db.IsolationShared && in.Isolation != db.IsolationPerStudent {
		errs["isolation"] = fmt.Sprintf("isolation must be %q or %q", db.IsolationShared, db.IsolationPerStudent)
	}
	in.AccountID = strings.TrimSpace(in.AccountID)
	if in.AccountID != "" && (len(in.AccountID) != 12 || strings.Trim(in.AccountID, "0123456789") != "") {
		errs["account_id"] = fmt.Sprintf("%q is not an AWS account id (12 digits)", clip(in.AccountID, 20))
	} else if in.AccountID != "" && in.Isolation == db.IsolationPerStudent {
		errs["account_id"] = "an account-per-student class names each student's account in the roster, not one for the class"
	}
	dupLab := duplicate(in.Labs)
	in.Labs = dedupe(in.Labs)
	if len(in.Labs) == 0 {
		errs["labs"] = "choose at least one lab"
	}
	var problems []string
	if dupLab != "" {
		problems = append(problems, fmt.Sprintf("%q is chosen more than once", clip(dupLab, 30)))
	}
	for _, id := range in.Labs {
		l, ok := reg.Lab(id)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%q is not a lab", clip(id, 30)))
		case in.Isolation == db.IsolationShared && (l.AccountPerStudentOnly || !slices.Contains(in.storedLabs, l.ID)) && sandbox.SharedAccountProblem(l) != "":
			// The check provisioning makes (sandbox.CheckLabs), so the class is refused now
			// rather than accepted and then refused at "Provision".
			problems = append(problems, fmt.Sprintf("%s cannot run in a shared account: %s", l.ID, sandbox.SharedAccountProblem(l)))
		case errs["regions"] == "" && len(l.MissingRegions(in.Regions)) > 0:
			problems = append(problems, fmt.Sprintf("%s (%s) runs in %s, so the class needs those regions: add %s",
				l.ID, l.Title, andList(l.Regions), andList(l.MissingRegions(in.Regions))))
		}
	}
	if len(problems) > 0 {
		errs["labs"] = strings.Join(problems, "; ")
	}
	// Keep the registry's order so the grid's columns follow LABS.md.
	order := map[string]int{}
	for i, l := range reg.All() {
		order[l.ID] = i
	}
	sort.SliceStable(in.Labs, func(i, j int) bool { return order[in.Labs[i]] < order[in.Labs[j]] })
	return errs
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		x = strings.TrimSpace(x)
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// duplicate is the first value of xs (trimmed, blanks ignored) that is there twice, or "".
func duplicate(xs []string) string {
	seen := map[string]bool{}
	for _, x := range xs {
		x = strings.TrimSpace(x)
		if x != "" && seen[x] {
			return x
		}
		seen[x] = true
	}
	return ""
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// andList is "a", "a and b", "a, b and c".
func andList(xs []string) string {
	if len(xs) <= 1 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
