package authz

import (
	"fmt"
	"strconv"
	"strings"
)

// Request is one authorization question: may the principal perform Action on
// Resource (an ARN, or "*" for actions that name no resource), given the request
// context (condition keys and their values; key names are case-insensitive).
type Request struct {
	Action   string
	Resource string
	Context  Context
}

// Context holds condition keys and their values. Use Set and Get: keys are
// compared without regard to case, as IAM compares them.
type Context map[string][]string

// Set records key's values.
func (c Context) Set(key string, values ...string) { c[strings.ToLower(key)] = values }

// Get returns key's values and whether the key is in the context.
func (c Context) Get(key string) ([]string, bool) {
	v, ok := c[strings.ToLower(key)]
	return v, ok
}

// Principal is what IAM evaluates for a call: the principal's identity-based
// policies, its permissions boundary and the session policy, when there are any.
type Principal struct {
	ARN      string // "arn:aws:sts::111122223333:assumed-role/c42s01-student/s01"
	Identity []Policy
	Boundary *Policy
	Session  *Policy
}

// Decision is the outcome of evaluating one Request.
type Decision struct {
	Allowed bool
	// Why completes AWS's sentence "... is not authorized to perform: A on resource: R
	// because no identity-based policy allows the A action" / "with an explicit deny in
	// a permissions boundary"; empty when allowed.
	Why string
	// Statement is the Sid (or index) of the deciding statement, for logs and tests.
	Statement string
}

// Evaluate decides req the way IAM's policy evaluation logic does for a principal
// in its own account: an explicit deny in any policy wins; otherwise the request
// must be allowed by an identity-based policy and, when present, by the
// permissions boundary and by the session policy.
func (p Principal) Evaluate(req Request) Decision {
	kinds := []struct {
		name     string
		policies []Policy
	}{{"an identity-based policy", p.Identity}}
	if p.Boundary != nil {
		kinds = append(kinds, struct {
			name     string
			policies []Policy
		}{"a permissions boundary", []Policy{*p.Boundary}})
	}
	if p.Session != nil {
		kinds = append(kinds, struct {
			name     string
			policies []Policy
		}{"a session policy", []Policy{*p.Session}})
	}
	for _, k := range kinds {
		for _, pol := range k.policies {
			if sid, ok := pol.match(req, "Deny"); ok {
				return Decision{Why: "with an explicit deny in " + k.name, Statement: sid}
			}
		}
	}
	allowedBy := ""
	for i, k := range kinds {
		allowed := false
		for _, pol := range k.policies {
			if sid, ok := pol.match(req, "Allow"); ok {
				allowed = true
				if i == 0 {
					allowedBy = sid
				}
				break
			}
		}
		if !allowed {
			return Decision{Why: "because no " + strings.TrimPrefix(strings.TrimPrefix(k.name, "an "), "a ") + " allows the " + req.Action + " action"}
		}
	}
	return Decision{Allowed: true, Statement: allowedBy}
}

// match reports whether a statement of the given effect applies to req, and which.
func (p Policy) match(req Request, effect string) (string, bool) {
	vars := p.Version == "2012-10-17"
	for i, st := range p.Statement {
		if st.Effect != effect || !st.applies(req, vars) {
			continue
		}
		if st.Sid != "" {
			return st.Sid, true
		}
		return strconv.Itoa(i), true
	}
	return "", false
}

func (st Statement) applies(req Request, vars bool) bool {
	if st.Action != nil && !anyAction(Strings(st.Action), req.Action) {
		return false
	}
	if st.NotAction != nil && anyAction(Strings(st.NotAction), req.Action) {
		return false
	}
	if st.Resource != nil && !anyResource(Strings(st.Resource), req, vars) {
		return false
	}
	if st.NotResource != nil && anyResource(Strings(st.NotResource), req, vars) {
		return false
	}
	for op, b := range st.Condition {
		if !condition(op, block(b), req.Context, vars) {
			return false
		}
	}
	return true
}

func anyAction(patterns []string, action string) bool {
	for _, p := range patterns {
		if globCase(p, action, true) {
			return true
		}
	}
	return false
}

func anyResource(patterns []string, req Request, vars bool) bool {
	for _, p := range patterns {
		p, ok := substitute(p, req.Context, vars)
		if ok && arnMatch(p, req.Resource) {
			return true
		}
	}
	return false
}

// arnMatch matches an ARN pattern against an ARN part by part: wildcards match
// within the partition, service, region and account parts, and anywhere in the
// resource part. "*" matches everything, including the "*" of actions that name no
// resource; an ARN pattern never matches "*".
func arnMatch(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	pp := strings.SplitN(pattern, ":", 6)
	ap := strings.SplitN(arn, ":", 6)
	if len(pp) != 6 || len(ap) != 6 {
		return false
	}
	for i := range pp {
		if !glob(pp[i], ap[i]) {
			return false
		}
	}
	return true
}

// glob matches s against a pattern where * is any run of characters and ? is one.
func glob(pattern, s string) bool { return globCase(pattern, s, false) }

// globCase is glob, with ASCII letters compared without regard to case when fold
// is set (action names), without allocating.
func globCase(pattern, s string, fold bool) bool {
	eq := func(a, b byte) bool {
		if fold && 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if fold && 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && (pattern[px] == '?' || eq(pattern[px], s[sx])):
			px++
			sx++
		case px < len(pattern) && pattern[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// substitute replaces policy variables (${aws:PrincipalTag/labdash:student}, and
// the escapes ${*}, ${?}, ${$}) with values from the context. A variable whose key
// is absent or has more than one value cannot be resolved: ok is false and the
// element it is in matches nothing, as in IAM. Policies of the 2008-10-17 language
// (vars false) have no variables: ${...} is matched as written.
func substitute(s string, ctx Context, vars bool) (string, bool) {
	if !vars || !strings.Contains(s, "${") {
		return s, true
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		j := strings.Index(s[i:], "}")
		if j < 0 {
			return "", false
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		switch name {
		case "*", "?", "$":
			// An escaped character stands for itself, not a wildcard; the simulator's
			// matcher has no escape, so a literal * or ? here is matched as a wildcard
			// (no labdash policy uses these escapes).
			b.WriteString(name)
		default:
			v, ok := ctx.Get(strings.TrimSpace(name))
			if !ok || len(v) != 1 {
				return "", false
			}
			b.WriteString(v[0])
		}
		s = s[i+j+1:]
	}
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its set qualifier,
// base operator and IfExists suffix.
func parseOperator(op string) (qual, base string, ifExists bool, err error) {
	base = op
	if q, rest, ok := strings.Cut(op, ":"); ok {
		if q != "ForAnyValue" && q != "ForAllValues" {
			return "", "", false, fmt.Errorf("condition operator %q: unknown set qualifier %q", op, q)
		}
		qual, base = q, rest
	}
	if strings.HasSuffix(base, "IfExists") && base != "IfExists" {
		base, ifExists = strings.TrimSuffix(base, "IfExists"), true
	}
	if _, ok := operators[base]; !ok {
		return "", "", false, fmt.Errorf("condition operator %q is not one IAM has (or the simulator evaluates)", op)
	}
	if base == "Null" && (qual != "" || ifExists) {
		return "", "", false, fmt.Errorf("condition operator %q: Null takes no qualifier or IfExists", op)
	}
	return qual, base, ifExists, nil
}

// operators maps each base operator to its positive form and whether it is negated.
var operators = map[string]struct {
	positive string
	negated  bool
}{
	"StringEquals": {"StringEquals", false}, "StringNotEquals": {"StringEquals", true},
	"StringEqualsIgnoreCase": {"StringEqualsIgnoreCase", false}, "StringNotEqualsIgnoreCase": {"StringEqualsIgnoreCase", true},
	"StringLike": {"StringLike", false}, "StringNotLike": {"StringLike", true},
	"ArnEquals": {"ArnLike", false}, "ArnLike": {"ArnLike", false}, "ArnNotEquals": {"ArnLike", true}, "ArnNotLike": {"ArnLike", true},
	"Bool": {"Bool", false}, "Null": {"Null", false},
	"NumericEquals": {"NumericEquals", false}, "NumericNotEquals": {"NumericEquals", true},
	"NumericLessThan": {"NumericLessThan", false}, "NumericLessThanEquals": {"NumericLessThanEquals", false},
	"NumericGreaterThan": {"NumericGreaterThan", false}, "NumericGreaterThanEquals": {"NumericGreaterThanEquals", false},
}

// condition evaluates one operator's block: every key must hold (AND); for a key,
// any of the policy's values may match (OR).
func condition(op string, keys map[string][]string, ctx Context, vars bool) bool {
	qual, base, ifExists, err := parseOperator(op)
	if err != nil {
		return false // Check rejects such a policy before it is ever evaluated
	}
	o := operators[base]
	for key, vals := range keys {
		got, present := ctx.Get(key)
		if base == "Null" {
			want := len(vals) > 0 && strings.EqualFold(vals[0], "true")
			if present == want { // Null true: the key must be absent
				return false
			}
			continue
		}
		if !present || len(got) == 0 {
			switch {
			case ifExists, qual == "ForAllValues", o.negated && qual == "":
				continue
			default:
				return false
			}
		}
		var want []string
		for _, v := range vals {
			if s, ok := substitute(v, ctx, vars); ok {
				want = append(want, s)
			}
		}
		// one reports whether a single context value satisfies the operator.
		one := func(c string) bool {
			hit := false
			for _, w := range want {
				if compare(o.positive, c, w) {
					hit = true
					break
				}
			}
			return hit != o.negated
		}
		var ok bool
		switch qual {
		case "ForAllValues":
			ok = true
			for _, c := range got {
				ok = ok && one(c)
			}
		case "ForAnyValue":
			for _, c := range got {
				ok = ok || one(c)
			}
		default:
			if o.negated { // no value of the key may match
				ok = true
				for _, c := range got {
					ok = ok && one(c)
				}
			} else {
				for _, c := range got {
					ok = ok || one(c)
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func compare(op, got, want string) bool {
	switch op {
	case "StringEquals":
		return got == want
	case "StringEqualsIgnoreCase":
		return strings.EqualFold(got, want)
	case "StringLike":
		return glob(want, got)
	case "ArnLike":
		return arnMatch(want, got)
	case "Bool":
		return strings.EqualFold(got, want)
	}
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(want, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	switch op {
	case "NumericEquals":
		return g == w
	case "NumericLessThan":
		return g < w
	case "NumericLessThanEquals":
		return g <= w
	case "NumericGreaterThan":
		return g > w
	case "NumericGreaterThanEquals":
		return g >= w
	}
	return false
}
