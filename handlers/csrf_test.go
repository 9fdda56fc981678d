package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog"
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

// classCount is how many classes u sees, to check a refused form changed nothing.
func (h *harness) classCount(u *db.User) int {
	h.t.Helper()
	classes, err := h.store.ClassesFor(h.t.Context(), u)
	if err != nil {
		h.t.Fatal(err)
	}
	return len(classes)
}

func newClassForm(tok string) url.Values {
	return url.Values{"csrf_token": {tok}, "name": {"Planted"}, "regions": {"us-east-1"}, "labs": {"fargate"}}
}

// TestCSRFTokenFromBeforeSignInIsRefused: the cookie and token of the anonymous sign-in
// page, whether the victim's own from before signing in or an attacker's planted from a
// sibling subdomain, do not pass a signed-in form.
func TestCSRFTokenFromBeforeSignInIsRefused(t *testing.T) {
	h := newHarness(t)
	before := h.classCount(h.instructor)

	// The victim's own: loaded the sign-in page, signed in, then submits with that token.
	c := h.anon()
	anonTok := c.csrf()
	if r := c.postForm("/login", url.Values{"csrf_token": {anonTok}, "email": {"ana@example.edu"}, "password": {testPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign in with the sign-in page's token: %d, want 303", r.status)
	}
	r := c.postForm("/classes", newClassForm(anonTok))
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "issued before you signed in") {
		t.Fatalf("token from before sign-in: status %d; want 403 saying it was issued before sign-in: %.300s", r.status, r.body)
	}

	// An attacker's: its own anonymous cookie and token, the cookie planted in the victim's browser.
	victim := h.as(h.instructor)
	attacker := h.anon()
	plantedTok := attacker.csrf()
	base := mustURL(h.ts.URL)
	var planted []*http.Cookie
	for _, k := range attacker.http.Jar.Cookies(base) {
		if k.Name == csrfCookie {
			planted = append(planted, &http.Cookie{Name: k.Name, Value: k.Value, Path: "/"})
		}
	}
	if len(planted) != 1 {
		t.Fatalf("the sign-in page set %d CSRF cookies; want 1", len(planted))
	}
	victim.http.Jar.SetCookies(base, planted)
	r = victim.postForm("/classes", newClassForm(plantedTok))
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "issued before you signed in") {
		t.Fatalf("planted cookie and token: status %d; want 403 naming the token from before sign-in", r.status)
	}
	if got := h.classCount(h.instructor); got != before {
		t.Fatalf("a refused form created a class: %d classes, want %d", got, before)
	}

	// The signed-in page's own token passes, with or without the anonymous cookie.
	for _, cl := range []*client{c, victim} {
		if r := cl.postForm("/classes", newClassForm(cl.csrf())); r.status != http.StatusSeeOther {
			t.Fatalf("the session's own token: status %d, want 303: %.300s", r.status, r.body)
		}
	}
}

// TestCSRFTokenOfAnotherSessionIsRefused: a token is bound to the session whose page
// carried it, even for the same account signed in twice.
func TestCSRFTokenOfAnotherSessionIsRefused(t *testing.T) {
	h := newHarness(t)
	a, b, other := h.as(h.instructor), h.as(h.instructor), h.as(h.otherInstructor)
	tokA := a.csrf()
	if tokA == b.csrf() {
		t.Fatal("two sessions of one account got the same CSRF token")
	}
	before := h.classCount(h.instructor)
	for name, cl := range map[string]*client{"same account, another session": b, "another account": other} {
		r := cl.postForm("/classes", newClassForm(tokA))
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "does not belong to your session") {
			t.Errorf("%s: status %d; want 403 saying the token belongs to another session", name, r.status)
		}
	}
	if got := h.classCount(h.instructor); got != before {
		t.Fatalf("a refused form created a class: %d classes, want %d", got, before)
	}
	// A new session (sign-in again) gets a new token; the old session's is refused after sign-out.
	if r := a.postForm("/classes", newClassForm(tokA)); r.status != http.StatusSeeOther {
		t.Fatalf("session A with its own token: status %d, want 303", r.status)
	}
	if r := a.postForm("/logout", url.Values{"csrf_token": {tokA}}); r.status != http.StatusSeeOther {
		t.Fatalf("logout with the session's token: status %d, want 303", r.status)
	}
	if r := a.postForm("/login", url.Values{"csrf_token": {tokA}, "email": {"ana@example.edu"}, "password": {testPassword}}); r.status != http.StatusForbidden {
		t.Fatalf("sign-in form with the ended session's token: status %d, want 403", r.status)
	}
}

// TestCookieNamesCarryHostPrefixOverTLS: over TLS (or with SecureCookies behind a TLS
// proxy) the session and CSRF cookies are Secure __Host- cookies, and only those are
// read back; over plain HTTP they keep their plain names.
func TestCookieNamesCarryHostPrefixOverTLS(t *testing.T) {
	h := newHarness(t)
	ts := httptest.NewTLSServer(h.srv.Handler())
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	hc := ts.Client()
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	do := func(method, path string, form url.Values) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(form.Encode()))
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	setCookie := func(resp *http.Response, name string) *http.Cookie {
		t.Helper()
		for _, k := range resp.Cookies() {
			if k.Name == name {
				if !k.Secure || k.Path != "/" || k.Domain != "" || !k.HttpOnly {
					t.Fatalf("%s: Secure %v Path %q Domain %q HttpOnly %v; __Host- needs Secure, Path=/ and no Domain", name, k.Secure, k.Path, k.Domain, k.HttpOnly)
				}
				return k
			}
			if strings.TrimPrefix(k.Name, hostPrefix) == strings.TrimPrefix(name, hostPrefix) {
				t.Fatalf("over TLS the cookie is named %q; want %q", k.Name, name)
			}
		}
		t.Fatalf("no %s cookie in %v", name, resp.Header["Set-Cookie"])
		return nil
	}

	page := do(http.MethodGet, "/login", nil)
	setCookie(page, "__Host-labdash_csrf")
	body, _ := io.ReadAll(page.Body)
	m := csrfRE.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatal("no CSRF token on the sign-in page over TLS")
	}
	r := do(http.MethodPost, "/login", url.Values{"csrf_token": {m[1]}, "email": {"ana@example.edu"}, "password": {testPassword}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in over TLS: %d, want 303", r.StatusCode)
	}
	session := setCookie(r, "__Host-labdash_session")
	if r := do(http.MethodGet, "/classes", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("signed in over TLS: GET /classes %d, want 200 (the __Host- session cookie read back)", r.StatusCode)
	}

	// A plain-named cookie, as a sibling domain could plant, is not read over TLS.
	plain, _ := cookiejar.New(nil)
	plain.SetCookies(mustURL(ts.URL), []*http.Cookie{{Name: sessionCookie, Value: session.Value, Path: "/"}})
	hc.Jar = plain
	if r := do(http.MethodGet, "/classes", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("over TLS with a plain-named session cookie: %d, want 303 to sign in", r.StatusCode)
	}

	// SecureCookies (behind a TLS proxy) names them __Host- on a plain connection too.
	srv, err := New(t.Context(), slog.New(slog.NewTextHandler(io.Discard, nil)), h.store, catalog.New(), Config{Cloud: "sim", SecureCookies: true, BcryptCost: bcrypt.MinCost}, prometheus.NewRegistry(), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/login", nil))
	setCookie(w.Result(), "__Host-labdash_csrf")

	// Plain HTTP keeps the plain names (browsers refuse __Host- cookies that are not Secure).
	resp := h.anon().get("/login")
	if got := resp.header.Get("Set-Cookie"); !strings.HasPrefix(got, csrfCookie+"=") || strings.Contains(got, "Secure") {
		t.Fatalf("plain HTTP Set-Cookie %q; want a plain, non-Secure %s", got, csrfCookie)
	}
}
