package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// loginFrom signs in through the real handler as if from ip: it fetches the sign-in
// page for its CSRF cookie and token, then posts the form with RemoteAddr set to ip.
func (h *harness) loginFrom(ip, email, pw string) *httptest.ResponseRecorder {
	h.t.Helper()
	handler := h.srv.Handler()
	remote := ip + ":40000"
	if strings.Contains(ip, ":") {
		remote = "[" + ip + "]:40000"
	}
	get := httptest.NewRequest(http.MethodGet, "/login", nil)
	get.RemoteAddr = remote
	page := httptest.NewRecorder()
	handler.ServeHTTP(page, get)
	m := csrfRE.FindStringSubmatch(page.Body.String())
	if m == nil {
		h.t.Fatalf("no CSRF token on the sign-in page: %.200s", page.Body.String())
	}
	form := url.Values{"email": {email}, "password": {pw}, "csrf_token": {m[1]}}
	post := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	post.RemoteAddr = remote
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range page.Result().Cookies() {
		post.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, post)
	return rec
}

func TestStrangerCannotLockOutTheInstructor(t *testing.T) {
	h := newHarness(t)
	now := time.Unix(1_800_000_000, 0)
	h.srv.SetClock(func() time.Time { return now })
	for i := 0; i < 20; i++ {
		r := h.loginFrom("203.0.113.66", h.instructor.Email, "wrong-password-123")
		if r.Code != http.StatusUnauthorized && r.Code != http.StatusTooManyRequests {
			t.Fatalf("attacker try %d: status %d", i+1, r.Code)
		}
	}
	// The attacker's own address is now throttled for this account…
	if r := h.loginFrom("203.0.113.66", h.instructor.Email, testPassword); r.Code != http.StatusTooManyRequests {
		t.Fatalf("attacker after 20 failures: status %d, want 429", r.Code)
	}
	// …but the instructor, from their own address, signs in at once.
	if r := h.loginFrom("198.51.100.7", h.instructor.Email, testPassword); r.Code != http.StatusSeeOther {
		t.Fatalf("instructor from another address after a stranger's 20 wrong passwords: status %d, want 303: %.300s", r.Code, r.Body.String())
	}
}

func TestOneAddressGets429AfterItsBurst(t *testing.T) {
	h := newHarness(t)
	now := time.Unix(1_800_000_000, 0)
	h.srv.SetClock(func() time.Time { return now })
	t.Run("one account", func(t *testing.T) {
		for i := 0; i < acctBurst; i++ {
			if r := h.loginFrom("192.0.2.10", h.instructor.Email, "wrong-password-123"); r.Code != http.StatusUnauthorized {
				t.Fatalf("try %d: status %d, want 401", i+1, r.Code)
			}
		}
		r := h.loginFrom("192.0.2.10", h.instructor.Email, "wrong-password-123")
		body := r.Body.String()
		if r.Code != http.StatusTooManyRequests || r.Header().Get("Retry-After") != "30" ||
			!strings.Contains(body, "Too many sign-in attempts for this account from your address. Wait 30 seconds and try again.") {
			t.Fatalf("after %d tries: status %d Retry-After %q; want 429 naming the account limit and 30 seconds: %.2000s", acctBurst, r.Code, r.Header().Get("Retry-After"), body)
		}
	})
	t.Run("many accounts", func(t *testing.T) {
		for i := 0; i < ipBurst; i++ {
			if r := h.loginFrom("192.0.2.20", fmt.Sprintf("nobody%d@example.edu", i), "wrong-password-123"); r.Code != http.StatusUnauthorized {
				t.Fatalf("spray %d: status %d, want 401", i+1, r.Code)
			}
		}
		r := h.loginFrom("192.0.2.20", "yet-another@example.edu", "wrong-password-123")
		if r.Code != http.StatusTooManyRequests || !strings.Contains(r.Body.String(), "Too many sign-in attempts from your address. Wait 6 seconds and try again.") {
			t.Fatalf("spray past the burst: status %d; want 429 naming the address limit: %.2000s", r.Code, r.Body.String())
		}
		now = now.Add(6 * time.Second)
		if r := h.loginFrom("192.0.2.20", h.assistant.Email, testPassword); r.Code != http.StatusSeeOther {
			t.Fatalf("6 s later: status %d, want 303", r.Code)
		}
	})
	t.Run("an IPv6 client cannot hop addresses inside its /64", func(t *testing.T) {
		for i := 0; i < ipBurst; i++ {
			h.loginFrom(fmt.Sprintf("2001:db8:1:2::%x", i+1), fmt.Sprintf("v6-%d@example.edu", i), "wrong-password-123")
		}
		if r := h.loginFrom("2001:db8:1:2::ffff", "v6-last@example.edu", "wrong-password-123"); r.Code != http.StatusTooManyRequests {
			t.Fatalf("11th try from the same /64: status %d, want 429", r.Code)
		}
		if r := h.loginFrom("2001:db8:1:3::1", "v6-last@example.edu", "wrong-password-123"); r.Code != http.StatusUnauthorized {
			t.Fatalf("another /64: status %d, want 401", r.Code)
		}
	})
}

func TestGlobalAccountCeilingTripsUnderManyAddresses(t *testing.T) {
	h := newHarness(t)
	now := time.Unix(1_800_000_000, 0)
	h.srv.SetClock(func() time.Time { return now })
	for i := 0; i < globalBurst; i++ {
		if r := h.loginFrom(fmt.Sprintf("10.0.%d.%d", i/250, i%250+1), h.instructor.Email, "wrong-password-123"); r.Code != http.StatusUnauthorized {
			t.Fatalf("distributed try %d: status %d, want 401", i+1, r.Code)
		}
	}
	r := h.loginFrom("10.9.9.9", h.instructor.Email, "wrong-password-123")
	if r.Code != http.StatusTooManyRequests || !strings.Contains(r.Body.String(), "from many addresses") {
		t.Fatalf("try %d from a fresh address: status %d; want 429 naming the account-wide ceiling: %.2000s", globalBurst+1, r.Code, r.Body.String())
	}
	// Another account is not affected, and the ceiling refills at one try per 2 s.
	if r := h.loginFrom("10.9.9.9", h.assistant.Email, testPassword); r.Code != http.StatusSeeOther {
		t.Fatalf("another account: status %d, want 303", r.Code)
	}
	now = now.Add(2 * time.Second)
	if r := h.loginFrom("198.51.100.7", h.instructor.Email, testPassword); r.Code != http.StatusSeeOther {
		t.Fatalf("2 s later: status %d, want 303", r.Code)
	}
}

func TestLoginLimiterMemoryIsBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLoginLimiter(func() time.Time { return now })
	// Twice the bound of distinct addresses and accounts, each trying once, quickly.
	for i := 0; i < 2*maxLimiterEntries; i++ {
		l.allow(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), fmt.Sprintf("u%d@example.edu", i))
		now = now.Add(time.Millisecond)
	}
	for name, m := range map[string]limiterMap{"ip": l.ip, "account+ip": l.acctIP, "account": l.acct} {
		if n := len(m.m); n > maxLimiterEntries {
			t.Errorf("%s map holds %d entries, bound is %d", name, n, maxLimiterEntries)
		}
	}
	// Idle entries that have refilled are forgotten on the next sweep.
	now = now.Add(time.Hour)
	for i := 0; i < 256; i++ {
		l.allow("192.0.2.1", "same@example.edu")
	}
	for name, m := range map[string]limiterMap{"ip": l.ip, "account+ip": l.acctIP, "account": l.acct} {
		if n := len(m.m); n > 1 {
			t.Errorf("%s map: %d entries an hour later, want only the one still in use", name, n)
		}
	}
	// A refused attempt uses up nothing: the sweep never forgets a throttled address.
	if ok, _, _ := l.allow("192.0.2.1", "same@example.edu"); ok {
		t.Fatal("256 tries from one address in an instant were all allowed")
	}
}
