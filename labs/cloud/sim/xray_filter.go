package sim

// X-Ray filter expressions, the subset Lab 7 uses: service("name"),
// http.status = N, http.method = "VERB", the keywords ok, error, fault and
// throttle, joined by AND (case-insensitive). Anything else — OR, NOT,
// parentheses, other keys or comparators — is InvalidRequestException, so a
// check that relies on more fails loudly on the simulator instead of matching
// silently.

import (
	"strconv"
	"strings"
	"unicode"

	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"
)

// xrFilter is a parsed expression: every term must hold (AND).
type xrFilter struct {
	terms []xrTerm
}

type xrTerm struct {
	kind string // "service", "status", "method", "ok", "error", "fault", "throttle"
	s    string
	n    int
}

func xrInvalidFilter(expr string) error {
	return &xraytypes.InvalidRequestException{Message: msg("Invalid filter expression: %s", expr)}
}

// parseXRFilter parses expr; "" matches every trace.
func parseXRFilter(expr string) (*xrFilter, error) {
	f := &xrFilter{}
	rest := strings.TrimSpace(expr)
	if rest == "" {
		return f, nil
	}
	if len(expr) > 2000 {
		return nil, xrInvalidFilter("expression too long")
	}
	for {
		t, r, err := parseXRTerm(rest)
		if err != nil {
			return nil, xrInvalidFilter(expr)
		}
		f.terms = append(f.terms, t)
		r = strings.TrimSpace(r)
		if r == "" {
			return f, nil
		}
		if len(r) < 4 || !strings.EqualFold(r[:3], "AND") || !unicode.IsSpace(rune(r[3])) {
			return nil, xrInvalidFilter(expr)
		}
		rest = strings.TrimSpace(r[3:])
	}
}

// parseXRTerm reads one term from the start of s and returns the remainder.
func parseXRTerm(s string) (xrTerm, string, error) {
	low := strings.ToLower(s)
	bad := xrTerm{}
	word := func(w string) bool {
		return strings.HasPrefix(low, w) && (len(s) == len(w) || unicode.IsSpace(rune(s[len(w)])))
	}
	switch {
	case strings.HasPrefix(low, "service("):
		rest := strings.TrimSpace(s[len("service("):])
		name, rest, err := xrQuoted(rest)
		if err != nil {
			return bad, "", err
		}
		rest = strings.TrimSpace(rest)
		if !strings.HasPrefix(rest, ")") {
			return bad, "", errBadFilter
		}
		return xrTerm{kind: "service", s: name}, rest[1:], nil
	case strings.HasPrefix(low, "http.status"):
		rest := strings.TrimSpace(s[len("http.status"):])
		if !strings.HasPrefix(rest, "=") {
			return bad, "", errBadFilter
		}
		rest = strings.TrimSpace(rest[1:])
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n < 100 || n > 599 {
			return bad, "", errBadFilter
		}
		return xrTerm{kind: "status", n: n}, rest[i:], nil
	case strings.HasPrefix(low, "http.method"):
		rest := strings.TrimSpace(s[len("http.method"):])
		if !strings.HasPrefix(rest, "=") {
			return bad, "", errBadFilter
		}
		m, rest, err := xrQuoted(strings.TrimSpace(rest[1:]))
		if err != nil {
			return bad, "", err
		}
		return xrTerm{kind: "method", s: m}, rest, nil
	}
	for _, k := range []string{"ok", "error", "fault", "throttle"} {
		if word(k) {
			return xrTerm{kind: k}, s[len(k):], nil
		}
	}
	return bad, "", errBadFilter
}

var errBadFilter = xrInvalidFilter("")

// xrQuoted reads a double-quoted string (backslash escapes a quote).
func xrQuoted(s string) (string, string, error) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", errBadFilter
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", errBadFilter
}

// match reports whether trace t satisfies every term. Status, method and the
// ok/error/fault/throttle keywords are judged on the trace's root segment, as
// its summary's Http and Has* fields are.
func (f *xrFilter) match(t *xrTrace) bool {
	if f == nil {
		return true
	}
	root := t.root()
	for _, term := range f.terms {
		switch term.kind {
		case "service":
			if !t.hasService(term.s) {
				return false
			}
		case "status":
			if root == nil || root.status() != term.n {
				return false
			}
		case "method":
			if root == nil || root.HTTP == nil || root.HTTP.Request == nil || !strings.EqualFold(root.HTTP.Request.Method, term.s) {
				return false
			}
		case "ok":
			if root == nil || root.Error || root.Fault || root.Throttle {
				return false
			}
		case "error":
			if root == nil || !root.Error {
				return false
			}
		case "fault":
			if root == nil || !root.Fault {
				return false
			}
		case "throttle":
			if root == nil || !root.Throttle {
				return false
			}
		}
	}
	return true
}
