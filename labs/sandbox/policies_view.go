package sandbox

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
)

// AccountPlaceholder stands in for the account in a class's policies when
// labdash does not know which account the class runs in.
const AccountPlaceholder = "ACCOUNT_ID"

// PerStudentAccountsNote is what an account-per-student class has instead of
// shared policies to show.
const PerStudentAccountsNote = "each student has their own account; labdash uses LabDashboardRole there"

// NamedPolicy is one of a class's policies as a reviewer reads it: what it is
// called in IAM, what it is for, and the document with its size against IAM's limit.
// Its JSON form is what `labdash sandbox policies --json` and the API print.
type NamedPolicy struct {
	Name     string         `json:"name"`
	Purpose  string         `json:"purpose"`
	Lab      string         `json:"lab,omitempty"` // the lab a lab's identity policy is for
	Size     int            `json:"size"`          // PolicySize of the compact JSON: what IAM counts
	Limit    int            `json:"limit"`         // MaxManagedPolicyChars
	Document PolicyDocument `json:"document"`
	JSON     string         `json:"-"` // the document, indented for reading
}

// PolicyReport is a class's policies as `labdash sandbox policies --json` and
// GET /api/v1/classes/{class}/policies return them.
type PolicyReport struct {
	Class   string `json:"class"`
	Account string `json:"account"`
	// Note says what the reader must know first: that the account is a
	// placeholder, or that the class has no shared policies.
	Note     string        `json:"note,omitempty"`
	Policies []NamedPolicy `json:"policies"`
}

// IdentityPolicyName is the class identity policy's name.
func IdentityPolicyName(classID string) string { return classID + "-student-identity" }

// PolicyAccount is the account a class's policies are written for: the class's
// own account if it names one, else fallback (the account labdash is signed in
// to, when the caller knows it), else AccountPlaceholder.
func PolicyAccount(class *db.Class, fallback string) string {
	switch {
	case class.AccountID != "":
		return class.AccountID
	case fallback != "":
		return fallback
	}
	return AccountPlaceholder
}

// ClassPolicies returns the policies every student role of class carries, in the
// order provisioning creates them: the permissions boundary, the common identity
// policy, then one per lab of the class (labs found in registry). The documents
// come from StudentPolicies, so what is shown is what provisioning creates. account is the fallback of PolicyAccount. An
// account-per-student class shares no policies: it gets none (see
// PerStudentAccountsNote).
func ClassPolicies(class *db.Class, account string, registry *labs.Registry) ([]NamedPolicy, error) {
	if class.Isolation == db.IsolationPerStudent {
		return []NamedPolicy{}, nil
	}
	scope := ClassScope{ClassID: class.ID, Account: PolicyAccount(class, account), Regions: class.Regions}
	for _, id := range class.Labs {
		if l, ok := registry.Lab(id); ok {
			scope.Labs = append(scope.Labs, l)
		}
	}
	var out []NamedPolicy
	for _, p := range StudentPolicies(scope) {
		out = append(out, NamedPolicy{Name: p.Name, Purpose: p.Purpose, Lab: p.Lab, Document: p.Document})
	}
	for i := range out {
		p := &out[i]
		compact, err := p.Document.JSON()
		if err != nil {
			return nil, fmt.Errorf("sandbox: policy %s: %w", p.Name, err)
		}
		indented, err := json.MarshalIndent(p.Document, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("sandbox: policy %s: %w", p.Name, err)
		}
		p.JSON, p.Size, p.Limit = string(indented), PolicySize(compact), MaxManagedPolicyChars
	}
	return out, nil
}

// StatementSummary is one policy statement in a reviewer's words: its Sid, its
// effect, the first few actions it names and how many more.
type StatementSummary struct {
	Sid     string
	Effect  string   // "Allow" or "Deny"
	Except  bool     // NotAction: the statement covers every action except these
	Actions []string // the first few actions, as written
	More    int      // how many actions are not in Actions
	// Resources says which resources it covers when that is not all of them,
	// for example "except on 7 named resources".
	Resources string
	// When is each condition the statement applies under, in words (for
	// example "aws:RequestedRegion is not us-east-1"), sorted; all must hold.
	When []string
}

// Summarize describes each statement of doc, naming at most few actions of each.
func Summarize(doc PolicyDocument, few int) []StatementSummary {
	out := make([]StatementSummary, 0, len(doc.Statement))
	for i, st := range doc.Statement {
		s := StatementSummary{Sid: st.Sid, Effect: st.Effect}
		if s.Sid == "" {
			s.Sid = fmt.Sprintf("statement %d", i+1)
		}
		actions := stringList(st.Action)
		if st.Action == nil {
			actions, s.Except = stringList(st.NotAction), true
		}
		if few >= 0 && len(actions) > few {
			s.Actions, s.More = actions[:few], len(actions)-few
		} else {
			s.Actions = actions
		}
		switch res := stringList(st.Resource); {
		case st.Resource == nil:
			s.Resources = fmt.Sprintf("except on %s", countWords(len(stringList(st.NotResource)), "named resource"))
		case len(res) == 1 && res[0] != "*":
			s.Resources = "only on " + res[0]
		case len(res) > 1:
			s.Resources = fmt.Sprintf("only on %s", countWords(len(res), "named resource"))
		}
		s.When = conditionWords(st.Condition)
		out = append(out, s)
	}
	return out
}

// Text is the summary as one sentence, for example "Deny every action except
// iam:*, sts:* and 6 more, when aws:RequestedRegion is not us-east-1".
func (s StatementSummary) Text() string { return s.Effect + " " + s.What() }

// What is Text without the effect: the actions, resources and condition.
func (s StatementSummary) What() string {
	var b strings.Builder
	switch {
	case s.Except:
		b.WriteString("every action except " + joinWords(s.Actions, s.More))
	case len(s.Actions) == 1 && s.Actions[0] == "*" && s.More == 0:
		b.WriteString("every action")
	default:
		b.WriteString(joinWords(s.Actions, s.More))
	}
	if s.Resources != "" {
		b.WriteString(", " + s.Resources)
	}
	switch len(s.When) {
	case 0:
	case 1:
		b.WriteString(", when " + s.When[0])
	default:
		b.WriteString(", when all of: " + strings.Join(s.When, "; "))
	}
	return b.String()
}

// joinWords lists words as "a, b and c", or "a, b and N more".
func joinWords(words []string, more int) string {
	if more > 0 {
		return strings.Join(words, ", ") + fmt.Sprintf(" and %d more", more)
	}
	switch len(words) {
	case 0:
		return "nothing"
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// countWords is "1 thing" or "n things".
func countWords(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// stringList reads an IAM string-or-list value (as built in Go or as decoded from JSON).
func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	case nil:
		return nil
	}
	return []string{fmt.Sprint(v)}
}

// conditionOps words IAM's condition operators; others are shown by name.
var conditionOps = map[string]string{
	"StringEquals": "is", "StringNotEquals": "is not", "StringLike": "is like", "StringNotLike": "is not like",
	"ArnEquals": "is", "ArnLike": "is like", "ArnNotEquals": "is not", "ArnNotLike": "is not like", "Bool": "is",
	"ForAnyValue:StringLike": "has any like", "ForAnyValue:StringEquals": "has any of", "ForAllValues:StringEquals": "has only",
	"ForAllValues:StringLike": "has only values like",
}

// conditionWords is a statement's conditions in words, sorted.
func conditionWords(cond map[string]any) []string {
	var out []string
	for op, keys := range cond {
		m, ok := keys.(map[string]any)
		if !ok {
			continue
		}
		for key, v := range m {
			vals := stringList(v)
			switch words, known := conditionOps[op]; {
			case op == "Null" && len(vals) == 1 && vals[0] == "true":
				out = append(out, key+" is absent")
			case op == "Null" && len(vals) == 1 && vals[0] == "false":
				out = append(out, key+" is present")
			case known && len(vals) > 1:
				out = append(out, key+" "+words+" one of "+joinWords(clip(vals, 3)))
			case known:
				out = append(out, key+" "+words+" "+joinWords(vals, 0))
			default:
				out = append(out, key+" "+op+" "+joinWords(clip(vals, 3)))
			}
		}
	}
	sort.Strings(out)
	return out
}

// clip is the first n of vals and how many more, as joinWords takes them.
func clip(vals []string, n int) ([]string, int) {
	if len(vals) > n {
		return vals[:n], len(vals) - n
	}
	return vals, 0
}
