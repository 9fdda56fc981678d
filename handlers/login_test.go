package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// nextNearMisses are post-sign-in targets that look like paths on this site but that a
// browser, a redirect or a proxy takes somewhere else (or that are not paths at all).
var nextNearMisses = map[string]string{
	"empty":                      "",
	"scheme-relative":            "//evil.example",
	"backslash after slash":      `/\evil.example`,
	"backslash later":            `/classes\..\..\evil.example`,
	"encoded tab (decoded)":      "/\t/evil.example", // what c.Query makes of /%09/evil.example
	"encoded tab (literal)":      "/%09/evil.example",
	"encoded newline (literal)":  "/%0a/evil.example",
	"encoded newline (decoded)":  "/\n/evil.example",
	"carriage return":            "/\r/evil.example",
	"leading tab":                "\t//evil.example",
	"leading space":              " //evil.example",
	"absolute https":             "https://evil.example",
	"absolute with path":         "https://evil.example/classes",
	"user info":                  "//user@evil.example/",
	"encoded slashes":            "%2F%2Fevil.example",
	"encoded second slash":       "/%2Fevil.example",
	"encoded backslash":          "/%5Cevil.example",
	"javascript":                 "javascript:alert(1)",
	"data":                       "data:text/html,<script>alert(1)</script>",
	"dot segments to //":         "/classes/../..//evil.example",
	"dot segment":                "/./classes",
	"encoded dot segments":       "/classes/%2e%2e/%2e%2e//evil.example",
	"double slash inside":        "/classes//evil.example",
	"relative":                   "classes",
	"DEL":                        "/\x7f/evil.example",
	"C1 control":                 "/\u0085/evil.example",
	"invalid UTF-8":              "/\xff/evil.example",
	"NUL":                        "/\x00",
	"bad escape":                 "/%zz",
	"very long":                  "/" + strings.Repeat("a", maxNextLen),
	"fullwidth solidus tricks":   "/\\\uff0fevil.example",
	"backslash in the query":     `/classes?x=\`,
	"tab in the query":           "/classes?x=\t",
	"only a backslash":           `\`,
	"two backslashes":            `\\evil.example`,
	"slash backslash backslash":  `/\\evil.example`,
	"leading NUL then slashes":   "\x00//evil.example",
	"newline between slashes":    "/\n/evil.example",
	"trailing newline":           "/classes\n",
	"encoded NUL in the path":    "/classes%00",
	"encoded C1 in the path":     "/classes%C2%85",
	"scheme in upper case":       "HTTPS://evil.example",
	"mailto":                     "mailto:a@evil.example",
	"only a question mark":       "?next=//evil.example",
	"only a fragment":            "#//evil.example",
	"colon-led scheme-less host": "://evil.example",
}

func TestSafeNextRefusesNearMisses(t *testing.T) {
	for name, next := range nextNearMisses {
		t.Run(name, func(t *testing.T) {
			if got := safeNext(next); got != "/classes" {
				t.Fatalf("safeNext(%q) = %q; want the fallback /classes", next, got)
			}
		})
	}
}

func TestSafeNextKeepsPathsOnThisSite(t *testing.T) {
	for _, next := range []string{
		"/",
		"/classes",
		"/classes/",
		"/classes/abc123",
		"/classes/abc123/students/ada-zephyrine",
		"/classes/abc123?notice=removed",
		"/classes/abc123?next=//evil.example", // a query is not a host
		"/classes/abc123#sandboxes",
		"/account",
		"/" + strings.Repeat("a", maxNextLen-1),
	} {
		if got := safeNext(next); got != next {
			t.Errorf("safeNext(%q) = %q; want it kept", next, got)
		}
	}
}

// TestSignInRedirectStaysOnSite follows the probe's request: the sign-in page and the
// sign-in itself both fall back to /classes for an off-site next, and keep a local one.
func TestSignInRedirectStaysOnSite(t *testing.T) {
	h := newHarness(t)
	for _, next := range []string{"/\t/evil.example", `/\evil.example`, "//evil.example"} {
		r := h.as(h.instructor).get("/login?next=" + url.QueryEscape(next))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/classes" {
			t.Errorf("signed in, GET /login?next=%q: %d to %q; want 303 to /classes", next, r.status, r.header.Get("Location"))
		}
		page := h.anon().get("/login?next=" + url.QueryEscape(next))
		if strings.Contains(page.body, "evil.example") {
			t.Errorf("the sign-in form carries next=%q into its hidden field", next)
		}
		r = h.anon().postForm("/login", url.Values{"email": {"ana@example.edu"}, "password": {testPassword}, "next": {next}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/classes" {
			t.Errorf("sign in with next=%q: %d to %q; want 303 to /classes", next, r.status, r.header.Get("Location"))
		}
	}
	local := "/classes/" + h.class.ID + "?notice=removed"
	r := h.anon().postForm("/login", url.Values{"email": {"ana@example.edu"}, "password": {testPassword}, "next": {local}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != local {
		t.Fatalf("sign in with next=%q: %d to %q; want 303 back there", local, r.status, r.header.Get("Location"))
	}
}

// FuzzSafeNext checks that whatever safeNext accepts stays on this site, however it is
// read: by net/url, by a browser (which drops tab and newlines, trims leading controls
// and reads "\" as "/"), and after http.Redirect has rewritten it into a Location header.
func FuzzSafeNext(f *testing.F) {
	for _, next := range nextNearMisses {
		f.Add(next)
	}
	for _, next := range []string{"/classes", "/classes/abc?notice=x", "/a#b", "/a/", "/%2e", "/a?b=//c", "/a#/../..//evil"} {
		f.Add(next)
	}
	base := mustURL("https://labdash.example/")
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != next && got != "/classes" {
			t.Fatalf("safeNext(%q) = %q; want the input or /classes", next, got)
		}
		if strings.ContainsFunc(got, unicode.IsControl) {
			t.Fatalf("safeNext(%q) = %q holds a control character", next, got)
		}
		loc := redirectLocation(t, got)
		for _, view := range []string{got, asBrowserReads(got), loc, asBrowserReads(loc)} {
			u, err := url.Parse(view)
			if err != nil {
				t.Fatalf("safeNext(%q) = %q, read as %q: %v", next, got, view, err)
			}
			to := base.ResolveReference(u)
			if to.Scheme != "https" || to.Host != "labdash.example" || to.User != nil {
				t.Fatalf("safeNext(%q) = %q, read as %q, leads to %s", next, got, view, to)
			}
		}
	})
}

// redirectLocation is the Location header http.Redirect (which gin's c.Redirect calls)
// sends for to, from the sign-in page.
func redirectLocation(t *testing.T, to string) string {
	w := httptest.NewRecorder()
	http.Redirect(w, httptest.NewRequest(http.MethodPost, "/login", nil), to, http.StatusSeeOther)
	loc := w.Header().Get("Location")
	if loc == "" {
		t.Fatalf("no Location for %q", to)
	}
	return loc
}

// asBrowserReads applies what the WHATWG URL parser does before parsing an http(s)
// URL: trim leading and trailing C0 controls and spaces, drop every tab, CR and LF, and
// treat "\" as "/".
func asBrowserReads(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	s = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(s)
	return strings.ReplaceAll(s, `\`, "/")
}
