// Package authz evaluates IAM policies the way AWS does, for the simulator: every
// call a simulated principal makes is authorized here (explicit deny; identity
// policies ∩ permissions boundary ∩ session policy; resource ARNs; condition
// operators and keys). The facts about actions — which resource types each one
// acts on and which condition keys AWS puts in its request context — come from
// AWS's Service Authorization Reference as packaged by parliament (PyPI), turned
// into actions_gen.go by internal/genactions; nothing about an action is written
// here from memory.
package authz

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement. Action, NotAction, Resource and NotResource hold a
// string or a list of strings; Condition maps an operator to keys and their values
// (a string or a list).
type Statement struct {
	Sid         string         `json:"Sid,omitempty"`
	Effect      string         `json:"Effect"`
	Action      any            `json:"Action,omitempty"`
	NotAction   any            `json:"NotAction,omitempty"`
	Resource    any            `json:"Resource,omitempty"`
	NotResource any            `json:"NotResource,omitempty"`
	Condition   map[string]any `json:"Condition,omitempty"`
}

// Strings reads a policy element that may be a string or a list of strings.
func Strings(v any) []string {
	switch t := v.(type) {
	case nil:
		return nil
	case string:
		return []string{t}
	case []string:
		return t
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			out = append(out, fmt.Sprint(e))
		}
		return out
	case bool:
		return []string{fmt.Sprint(t)}
	}
	return []string{fmt.Sprint(v)}
}

// ParsePolicy decodes and checks a policy document labdash writes, strictly:
// version 2012-10-17, effects, exactly one of Action/NotAction and
// Resource/NotResource, action names of the form service:Action, six-part ARNs,
// known condition operators, no unknown fields.
func ParsePolicy(doc string) (Policy, error) {
	var p Policy
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("policy is not valid JSON: %w", err)
	}
	return p, p.Check()
}

// DecodePolicy reads a policy document as IAM evaluates one it stored: a single
// statement object is a list of one, and a document without "Version" is the
// 2008-10-17 language, in which ${...} is text, not a policy variable.
func DecodePolicy(doc string) (Policy, error) {
	var raw struct {
		Version   string
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return Policy{}, fmt.Errorf("policy is not valid JSON: %w", err)
	}
	p := Policy{Version: raw.Version}
	if p.Version == "" {
		p.Version = "2008-10-17"
	}
	if err := json.Unmarshal(raw.Statement, &p.Statement); err != nil {
		var one Statement
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return Policy{}, fmt.Errorf("policy statement: %w", err)
		}
		p.Statement = []Statement{one}
	}
	// Evaluation reads every element many times: make each a []string once.
	for i := range p.Statement {
		st := &p.Statement[i]
		for _, f := range []*any{&st.Action, &st.NotAction, &st.Resource, &st.NotResource} {
			if *f != nil {
				*f = Strings(*f)
			}
		}
		for op, b := range st.Condition {
			st.Condition[op] = block(b)
		}
	}
	return p, nil
}

var actionRE = regexp.MustCompile(`^([a-z0-9-]+:[A-Za-z0-9*?]+|\*)$`)

// Check reports the first thing in p that IAM would reject as MalformedPolicyDocument.
func (p Policy) Check() error {
	if p.Version != "2012-10-17" {
		return fmt.Errorf("policy version %q; want 2012-10-17", p.Version)
	}
	if len(p.Statement) == 0 {
		return fmt.Errorf("policy has no statements")
	}
	sids := map[string]bool{}
	for i, st := range p.Statement {
		name := fmt.Sprintf("statement %d", i)
		if st.Sid != "" {
			name = fmt.Sprintf("statement %d (%s)", i, st.Sid)
			if sids[st.Sid] {
				return fmt.Errorf("%s: duplicate Sid", name)
			}
			sids[st.Sid] = true
		}
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return fmt.Errorf("%s has effect %q", name, st.Effect)
		}
		if (st.Action == nil) == (st.NotAction == nil) {
			return fmt.Errorf("%s needs exactly one of Action and NotAction", name)
		}
		if (st.Resource == nil) == (st.NotResource == nil) {
			return fmt.Errorf("%s needs exactly one of Resource and NotResource", name)
		}
		for _, a := range append(Strings(st.Action), Strings(st.NotAction)...) {
			if !actionRE.MatchString(a) {
				return fmt.Errorf("%s: action %q is not of the form service:Action", name, a)
			}
		}
		for _, r := range append(Strings(st.Resource), Strings(st.NotResource)...) {
			if err := checkARN(r); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		for op, block := range st.Condition {
			if _, _, _, err := parseOperator(op); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if _, ok := block.(map[string]any); !ok {
				if _, ok := block.(map[string][]string); !ok {
					if _, ok := block.(map[string]string); !ok {
						return fmt.Errorf("%s: condition %s is not a map of keys to values", name, op)
					}
				}
			}
		}
	}
	return nil
}

// checkARN accepts "*" and ARNs of six colon-separated parts ("arn:partition:
// service:region:account:resource"); "arn:aws:ecs:*" is what IAM calls malformed.
func checkARN(r string) error {
	if r == "*" {
		return nil
	}
	parts := strings.SplitN(r, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return fmt.Errorf("resource %q is not an ARN of six parts (arn:partition:service:region:account:resource)", r)
	}
	return nil
}

// block returns a condition block's keys and values.
func block(v any) map[string][]string {
	out := map[string][]string{}
	switch t := v.(type) {
	case map[string]any:
		for k, vv := range t {
			out[k] = Strings(vv)
		}
	case map[string][]string:
		for k, vv := range t {
			out[k] = vv
		}
	case map[string]string:
		for k, vv := range t {
			out[k] = []string{vv}
		}
	}
	return out
}

// Actions lists the action names a policy's Action elements name (not NotAction),
// sorted, without duplicates.
func (p Policy) Actions() []string {
	seen := map[string]bool{}
	for _, st := range p.Statement {
		for _, a := range Strings(st.Action) {
			seen[a] = true
		}
		for _, a := range Strings(st.NotAction) {
			seen[a] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// JSON renders a policy compactly, as labdash sends it to IAM.
func (p Policy) JSON() (string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("render policy: %w", err)
	}
	return string(b), nil
}
