package handlers

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var backRE = regexp.MustCompile(`<a href="([^"]*)" data-testid="error-back">`)

// TestErrorPageBackLink: an error page used to offer only "Back to labdash"; now it goes
// back to the page the visitor came from, but only when the Referer is a page of this
// site, since any site can send any Referer.
func TestErrorPageBackLink(t *testing.T) {
	h := newHarness(t)
	host := strings.TrimPrefix(h.ts.URL, "http://")
	console := "/classes/" + h.class.ID
	cases := map[string]struct {
		referer string
		want    string // "" means no Back link
	}{
		"same-origin page":            {h.ts.URL + console, console},
		"same-origin with a query":    {h.ts.URL + console + "/audit?page=2&action=link.issue", console + "/audit?page=2&action=link.issue"},
		"none":                        {"", ""},
		"other host":                  {"http://evil.example" + console, ""},
		"other port":                  {"http://" + strings.Split(host, ":")[0] + ":1" + console, ""},
		"host as user info":           {"http://" + host + "@evil.example/classes", ""},
		"user info before our host":   {"http://evil@" + host + console, ""},
		"scheme-relative":             {"//evil.example/classes", ""},
		"scheme-relative on our host": {"//" + host + console, ""},
		"path only":                   {console, ""},
		"javascript":                  {"javascript:alert(document.cookie)", ""},
		"javascript with our host":    {"javascript://" + host + "/%0aalert(1)", ""},
		"data":                        {"data:text/html,<script>alert(1)</script>", ""},
		"double slash path":           {h.ts.URL + "//evil.example/x", ""},
		"encoded double slash":        {h.ts.URL + "/%2F%2Fevil.example", ""},
		"backslash":                   {h.ts.URL + "/%5Cevil.example", ""},
		"tab":                         {h.ts.URL + "/%09/evil.example", ""},
		"dot segments":                {h.ts.URL + "/classes/../../evil", ""},
		"the failing page itself":     {h.ts.URL + "/classes/cnope", ""},
		"overlong":                    {h.ts.URL + "/classes?" + strings.Repeat("x", 3000), ""},
	}
	c := h.as(h.instructor)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.referer != "" {
				hdr["Referer"] = tc.referer
			}
			r := c.do(http.MethodGet, "/classes/cnope", nil, "", hdr)
			if r.status != http.StatusNotFound {
				t.Fatalf("status %d, want 404", r.status)
			}
			m := backRE.FindStringSubmatch(r.body)
			got := ""
			if m != nil {
				got = strings.ReplaceAll(m[1], "&amp;", "&")
			}
			if got != tc.want {
				t.Fatalf("Back goes to %q; want %q", got, tc.want)
			}
			if !strings.Contains(r.body, `<a href="/classes" data-testid="error-home">`) {
				t.Fatal("a signed-in visitor's error page has no link to the class list")
			}
			if strings.Contains(r.body, "evil.example") || strings.Contains(r.body, "<script>alert") {
				t.Fatal("the hostile Referer reached the page")
			}
		})
	}
	// Markup in a same-origin Referer's query is escaped, not echoed.
	r := c.do(http.MethodGet, "/classes/cnope", nil, "", map[string]string{"Referer": h.ts.URL + `/classes?q="><script>alert(1)</script>`})
	if strings.Contains(r.body, "<script>alert(1)") {
		t.Fatal("markup from the Referer is in the page unescaped")
	}
	// A form that fails on POST goes back to the form.
	r = c.do(http.MethodPost, "/classes/cnope/students", strings.NewReader("csrf_token="+c.csrf()), "application/x-www-form-urlencoded", map[string]string{"Referer": h.ts.URL + console})
	if m := backRE.FindStringSubmatch(r.body); r.status != http.StatusNotFound || m == nil || m[1] != console {
		t.Fatalf("POST error: %d, back %v", r.status, m)
	}
	// Anonymous visitors go home, not to the class list.
	r = h.anon().do(http.MethodGet, "/no-such-page", nil, "", map[string]string{"Referer": h.ts.URL + "/login"})
	if m := backRE.FindStringSubmatch(r.body); m == nil || m[1] != "/login" || !strings.Contains(r.body, `<a href="/" data-testid="error-home">`) {
		t.Fatalf("anonymous 404: back %v\n%s", m, r.body)
	}
}

// TestReferrerPolicy: the Back link needs the browser to send a Referer to this site
// (it sent none at all under no-referrer); no other site gets one, and a student's
// pages, whose path is their link, still send none.
func TestReferrerPolicy(t *testing.T) {
	h := newHarness(t)
	for path, want := range map[string]string{
		"/classes/" + h.class.ID:        "same-origin",
		"/login":                        "same-origin",
		"/no-such-page":                 "same-origin",
		"/s/" + h.a.token:               "no-referrer",
		"/s/" + strings.Repeat("0", 32): "no-referrer",
	} {
		r := h.as(h.instructor).get(path)
		if got := r.header.Get("Referrer-Policy"); got != want {
			t.Errorf("%s: Referrer-Policy %q, want %q", path, got, want)
		}
		if strings.Contains(r.body, `name="referrer"`) {
			t.Errorf("%s: a referrer meta tag overrides the header", path)
		}
	}
}

// TestBadStudentLinkPage: a student's unknown or revoked link said only that it was not
// valid; it now says how to get a new one, and staff who landed there can sign in.
func TestBadStudentLinkPage(t *testing.T) {
	h := newHarness(t)
	for name, path := range map[string]string{
		"unknown":       "/s/" + strings.Repeat("0", 32),
		"malformed":     "/s/x",
		"console route": "/s/" + strings.Repeat("0", 32) + "/console",
	} {
		t.Run(name, func(t *testing.T) {
			r := h.anon().get(path)
			if r.status != http.StatusNotFound {
				t.Fatalf("status %d", r.status)
			}
			for _, want := range []string{`data-testid="student-link-help"`, "ask your instructor for a new link", "this personal link is unknown, or it was revoked or replaced by a new one", `<a href="/login" data-testid="staff-sign-in">sign in</a>`} {
				if !strings.Contains(r.body, want) {
					t.Fatalf("bad link page lacks %q:\n%s", want, r.body)
				}
			}
		})
	}
	// Other 404s do not talk about personal links.
	if r := h.as(h.instructor).get("/classes/cnope"); strings.Contains(r.body, "student-link-help") {
		t.Fatal("a staff 404 shows the student's help")
	}
}
