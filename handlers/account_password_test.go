package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/db"
)

// TestChangePassword: the Account page had no way to change a password.
func TestChangePassword(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	me := h.as(h.instructor)
	other := h.as(h.instructor)    // another browser of the same account
	colleague := h.as(h.assistant) // another account: untouched
	if r := me.get("/account"); r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="password-form"`) {
		t.Fatalf("account page: %d, no password form", r.status)
	}
	const newPW = "a-new-password-456"
	bad := map[string]struct {
		vals        url.Values
		field, want string
	}{
		"wrong current":       {url.Values{"current": {"wrong-password-123"}, "password": {newPW}, "confirm": {newPW}}, "current", "the current password is wrong"},
		"near-miss current":   {url.Values{"current": {testPassword + " "}, "password": {newPW}, "confirm": {newPW}}, "current", "the current password is wrong"},
		"no current":          {url.Values{"password": {newPW}, "confirm": {newPW}}, "current", "enter your current password"},
		"huge current":        {url.Values{"current": {strings.Repeat("x", 5000)}, "password": {newPW}, "confirm": {newPW}}, "current", "the current password is wrong"},
		"too short":           {url.Values{"current": {testPassword}, "password": {"short-pw"}, "confirm": {"short-pw"}}, "password", "at least 12 characters"},
		"11 runes":            {url.Values{"current": {testPassword}, "password": {"ééééééééééé"}, "confirm": {"ééééééééééé"}}, "password", "at least 12 characters"},
		"over 72 bytes":       {url.Values{"current": {testPassword}, "password": {strings.Repeat("é", 40)}, "confirm": {strings.Repeat("é", 40)}}, "password", "at most 72 bytes"},
		"confirm differs":     {url.Values{"current": {testPassword}, "password": {newPW}, "confirm": {newPW + "x"}}, "confirm", "the two passwords differ"},
		"same as the current": {url.Values{"current": {testPassword}, "password": {testPassword}, "confirm": {testPassword}}, "password", "same as the current one"},
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			r := me.postForm("/account/password", tc.vals)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `data-field="`+tc.field+`">`) || !strings.Contains(r.body, tc.want) {
				t.Fatalf("%d; want 422 with %q on %s\n%.2000s", r.status, tc.want, tc.field, r.body)
			}
			if strings.Contains(r.body, testPassword) || strings.Contains(r.body, newPW) {
				t.Fatal("a password is echoed back into the page")
			}
			if u, _ := h.store.User(ctx, h.instructor.ID); !db.CheckPassword(u.PasswordHash, testPassword, 4) {
				t.Fatal("the password changed on a refused form")
			}
		})
	}
	// Without the CSRF token: refused.
	if r := me.do(http.MethodPost, "/account/password", strings.NewReader(url.Values{"current": {testPassword}, "password": {newPW}, "confirm": {newPW}}.Encode()), "application/x-www-form-urlencoded", nil); r.status != http.StatusForbidden {
		t.Fatalf("without CSRF: %d, want 403", r.status)
	}

	r := me.postForm("/account/password", url.Values{"current": {testPassword}, "password": {newPW}, "confirm": {newPW}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account?password=changed&ended=1" {
		t.Fatalf("change: %d to %q", r.status, r.header.Get("Location"))
	}
	r = me.get(r.header.Get("Location"))
	if r.status != http.StatusOK || !strings.Contains(r.body, "Your password was changed, and 1 other sign-in of your account was signed out.") {
		t.Fatalf("after the change: %d\n%.2000s", r.status, r.body)
	}
	if r := me.get("/classes"); r.status != http.StatusOK {
		t.Fatalf("the session that changed the password was signed out: %d", r.status)
	}
	if r := other.get("/classes"); r.status != http.StatusSeeOther {
		t.Fatalf("another session of the account still works: %d", r.status)
	}
	if r := colleague.get("/classes"); r.status != http.StatusOK {
		t.Fatalf("another account's session was signed out: %d", r.status)
	}
	// The new password signs in; the old one does not.
	if r := h.anon().postForm("/login", url.Values{"email": {h.instructor.Email}, "password": {testPassword}}); r.status != http.StatusUnauthorized {
		t.Fatalf("old password: %d", r.status)
	}
	if r := h.anon().postForm("/login", url.Values{"email": {h.instructor.Email}, "password": {newPW}}); r.status != http.StatusSeeOther {
		t.Fatalf("new password: %d", r.status)
	}
	// The notice only says what a change could say; a crafted count is not echoed.
	if r := me.get("/account?password=changed&ended=<b>x</b>"); !strings.Contains(r.body, "Your password was changed.</p>") || strings.Contains(r.body, "<b>x") {
		t.Fatal("crafted notice")
	}
	if r := me.get("/account?password=nope"); strings.Contains(r.body, "password-changed") {
		t.Fatal("notice without a change")
	}
}

// TestChangePasswordIsRateLimited: the form checks a password, so it must not be a way
// around the sign-in limits for guessing it.
func TestChangePasswordIsRateLimited(t *testing.T) {
	h := newHarness(t)
	me := h.as(h.instructor)
	limited := false
	for i := 0; i < 20 && !limited; i++ {
		r := me.postForm("/account/password", url.Values{"current": {"guess-number-" + string(rune('a'+i))}, "password": {"a-new-password-456"}, "confirm": {"a-new-password-456"}})
		switch r.status {
		case http.StatusUnprocessableEntity:
		case http.StatusTooManyRequests:
			limited = true
			if !strings.Contains(r.body, "too many password attempts; wait") || r.header.Get("Retry-After") == "" {
				t.Fatalf("limited answer:\n%.1500s", r.body)
			}
		default:
			t.Fatalf("attempt %d: %d", i, r.status)
		}
	}
	if !limited {
		t.Fatal("20 wrong current passwords in a row were all checked")
	}
	// Even the right password waits once limited.
	if r := me.postForm("/account/password", url.Values{"current": {testPassword}, "password": {"a-new-password-456"}, "confirm": {"a-new-password-456"}}); r.status != http.StatusTooManyRequests {
		t.Fatalf("right password while limited: %d", r.status)
	}
}

// TestDeleteOtherSessions keeps the named session and returns the ended ones.
func TestDeleteOtherSessions(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, tok := range []string{"keep", "a", "b"} {
		h.store.CreateSession(ctx, tok, h.instructor.ID, time.Hour)
	}
	h.store.CreateSession(ctx, "theirs", h.assistant.ID, time.Hour)
	ended, err := h.store.DeleteOtherSessions(ctx, h.instructor.ID, "keep")
	if err != nil || len(ended) != 2 {
		t.Fatalf("ended %v, %v", ended, err)
	}
	for tok, alive := range map[string]bool{"keep": true, "a": false, "b": false, "theirs": true} {
		if _, err := h.store.SessionUser(ctx, tok); (err == nil) != alive {
			t.Fatalf("session %s alive = %v, want %v", tok, err == nil, alive)
		}
	}
}
