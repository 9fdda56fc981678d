package sandbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// lintScopes are the class shapes whose generated policies are linted: no lab, each
// lab alone, every lab in six regions (the largest policies).
func lintScopes() map[string]ClassScope {
	all := catalog.New().All()
	out := map[string]ClassScope{"no lab": {ClassID: "cabcd", Account: "111122223333", Regions: []string{"us-east-1"}}}
	var granted []labs.Lab
	for _, l := range all {
		if l.Grants == nil {
			continue
		}
		granted = append(granted, l)
		regions := []string{"us-east-1"}
		for _, r := range l.Regions {
			if !slices.Contains(regions, r) {
				regions = append(regions, r)
			}
		}
		out[l.ID] = ClassScope{ClassID: "cabcd", Account: "111122223333", Regions: regions, Labs: []labs.Lab{l}}
	}
	out["every lab, six regions"] = ClassScope{ClassID: "cz9x8", Account: "999988887777",
		Regions: []string{"us-east-1", "eu-west-1", "eu-central-1", "us-west-2", "ap-southeast-2", "sa-east-1"}, Labs: granted}
	return out
}

// TestGeneratedPoliciesPassParliament lints every generated policy with the pinned
// parliament (make test sets LABDASH_PARLIAMENT): any finding of MEDIUM severity or
// above fails. Parliament does not resolve policy variables and splits ARNs at the
// colons inside ${aws:PrincipalTag/labdash:student}, so each policy is linted as IAM
// evaluates it for a student (the variable resolved to s01); LOW findings (Resource
// "*" on reads, types of condition values) are logged.
func TestGeneratedPoliciesPassParliament(t *testing.T) {
	bin := os.Getenv("LABDASH_PARLIAMENT")
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("LABDASH_PARLIAMENT is not set: make test installs parliament in .venv and sets it")
		}
		t.Skip("LABDASH_PARLIAMENT not set (make test sets it)")
	}
	docs := map[string]string{}
	for name, s := range lintScopes() {
		for _, sp := range StudentPolicies(s) {
			kind, p := sp.Name, sp.Document
			doc, err := p.JSON()
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(doc); err != nil {
				t.Errorf("%s policy of a class with %s: %v", kind, name, err)
			}
			t.Logf("%s policy of a class with %s: %d of %d characters", kind, name, PolicySize(doc), MaxManagedPolicyChars)
			docs[kind+" policy of a class with "+name] = doc
		}
	}
	own, err := filepath.Glob("../../docs/labdash-iam-policy-*.json") // labdash's own, one per part (labs/ownpolicy)
	if err != nil || len(own) == 0 {
		t.Fatalf("labdash's own policies: found %v (%v)", own, err)
	}
	for _, f := range own {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs["labdash's own policy "+strings.TrimPrefix(f, "../../")] = string(b)
	}
	for name, doc := range docs {
		resolved := strings.ReplaceAll(doc, labs.StudentVar, "s01")
		out, err := exec.Command(bin, "--string", resolved, "--json").Output()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatalf("run parliament: %v", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var f struct {
				Issue, Title, Severity string
				Detail                 any
			}
			if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
				t.Fatalf("%s: parliament printed %q", name, sc.Text())
			}
			switch f.Severity {
			case "LOW", "INFO":
				t.Logf("%s: parliament %s %s: %v", name, f.Severity, f.Issue, f.Detail)
			default:
				t.Errorf("%s: parliament %s %s (%s): %v", name, f.Severity, f.Issue, f.Title, f.Detail)
			}
		}
	}
}

// TestPoliciesNameOnlyWhatAWSHas: every action a generated policy names is in the
// Service Authorization Reference (a literal one has its facts in the action
// table, a wildcard matches at least one action), and every condition key a
// statement uses is one AWS puts in the request context of at least one of the
// statement's actions (or a global key). A typo or a key AWS never sends would make
// a fence silently never apply.
func TestPoliciesNameOnlyWhatAWSHas(t *testing.T) {
	for name, s := range lintScopes() {
		for _, sp := range StudentPolicies(s) {
			kind, p := sp.Name, sp.Document
			for _, st := range p.Statement {
				var facts []*authz.Action
				for _, a := range authz.Strings(st.Action) {
					if a == "*" {
						continue
					}
					if strings.ContainsAny(a, "*?") {
						if !authz.Known(a) {
							t.Errorf("%s %s (%s) %s: %s matches no action AWS has", kind, name, st.Sid, st.Effect, a)
						}
						continue
					}
					f, ok := authz.Lookup(a)
					if !ok {
						t.Errorf("%s %s (%s): %s is not in the action table", kind, name, st.Sid, a)
						continue
					}
					facts = append(facts, f)
				}
				for _, a := range authz.Strings(st.NotAction) {
					if !authz.Known(a) {
						t.Errorf("%s %s (%s): NotAction %s matches no action AWS has", kind, name, st.Sid, a)
					}
				}
				for _, b := range st.Condition {
					for key := range b.(map[string]any) {
						if authz.Global(key) {
							continue
						}
						applies := false
						for _, f := range facts {
							if f.KeyApplies(key, "") {
								applies = true
							}
						}
						if !applies && len(facts) > 0 {
							t.Errorf("%s %s (%s): condition key %s is in the request context of none of the statement's actions", kind, name, st.Sid, key)
						}
					}
				}
			}
		}
	}
}
