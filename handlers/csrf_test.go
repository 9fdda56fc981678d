package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestCSRFRefusesFormsWithoutTheToken(t *testing.T) {
	h := newHarness(t)
	c := h.as(h.instructor)
	good := c.csrf()
	other := h.anon().csrf() // a real token, but for another visitor's cookie
	cases := map[string]url.Values{
		"wrong":             {"csrf_token": {strings.Repeat("ab", 32)}, "name": {"X"}, "regions": {"us-east-1"}, "labs": {"fargate"}},
		"another visitor's": {"csrf_token": {other}, "name": {"X"}, "regions": {"us-east-1"}, "labs": {"fargate"}},
		"empty":             {"csrf_token": {""}, "name": {"X"}, "regions": {"us-east-1"}, "labs": {"fargate"}},
	}
	// No token at all (postForm would add one, so send the body by hand).
	if r := c.do(http.MethodPost, "/classes", strings.NewReader("name=X&regions=us-east-1&labs=fargate"), "application/x-www-form-urlencoded", nil); r.status != http.StatusForbidden {
		t.Fatalf("missing token: status %d, want 403", r.status)
	}
	for name, vals := range cases {
		t.Run(name, func(t *testing.T) {
			r := c.postForm("/classes", vals)
			if r.status != http.StatusForbidden || !strings.Contains(r.body, "security token") {
				t.Fatalf("status %d; want 403 naming the security token", r.status)
			}
		})
	}
	if classes, _ := h.store.ClassesFor(t.Context(), h.instructor); len(classes) != 1 {
		t.Fatalf("a refused form created a class: %d classes", len(classes))
	}
	r := c.postForm("/classes", url.Values{"csrf_token": {good}, "name": {"X"}, "regions": {"us-east-1"}, "labs": {"fargate"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("with the right token: status %d, want 303", r.status)
	}
	// The sign-in form is protected too.
	r = h.anon().do(http.MethodPost, "/login", strings.NewReader("email=ana%40example.edu&password="+testPassword), "application/x-www-form-urlencoded", nil)
	if r.status != http.StatusForbidden {
		t.Fatalf("login without CSRF: status %d, want 403", r.status)
	}
	// A header token works for htmx requests.
	c2 := h.as(h.instructor)
	tok := c2.csrf()
	r = c2.do(http.MethodPost, "/classes/"+h.class.ID+"/students/"+h.a.slug+"/link", nil, "", map[string]string{"X-CSRF-Token": tok, "HX-Request": "true"})
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="issued-link"`) || strings.Contains(r.body, "<html") {
		t.Fatalf("htmx reissue: status %d, want the link fragment: %.200s", r.status, r.body)
	}
}

func TestLoginRateLimitTriggersAndRecovers(t *testing.T) {
	h := newHarness(t)
	now := time.Unix(1_800_000_000, 0)
	h.srv.SetClock(func() time.Time { return now })
	c := h.anon()
	login := func(email, pw string) response {
		return c.postForm("/login", url.Values{"email": {email}, "password": {pw}})
	}
	// Per account: 5 tries in a burst, then refused even with the right password.
	for i := 0; i < acctBurst; i++ {
		if r := login("ana@example.edu", "wrong-password-123"); r.status != http.StatusUnauthorized {
			t.Fatalf("try %d: status %d, want 401", i+1, r.status)
		}
	}
	r := login("ana@example.edu", testPassword)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "Too many sign-in attempts") {
		t.Fatalf("after the burst: status %d Retry-After %q; want 429 with a wait", r.status, r.header.Get("Retry-After"))
	}
	// Recovers: after the refill time the right password works.
	now = now.Add(31 * time.Second)
	if r := login("ana@example.edu", testPassword); r.status != http.StatusSeeOther {
		t.Fatalf("after waiting: status %d, want 303", r.status)
	}
	// Per IP: spraying many accounts from one address is throttled too.
	now = now.Add(time.Hour)
	var last response
	for i := 0; i < ipBurst+1; i++ {
		last = login("nobody"+string(rune('a'+i))+"@example.edu", "wrong-password-123")
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("IP spray: last status %d, want 429", last.status)
	}
	now = now.Add(10 * time.Minute)
	if r := login("ta@example.edu", testPassword); r.status != http.StatusSeeOther {
		t.Fatalf("IP limit did not recover: %d", r.status)
	}
}
