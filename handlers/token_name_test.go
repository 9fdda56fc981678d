package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestTokenNamesGetTheNameCheck: an API token's name is shown on the Account page
// and in the audit of what it did, so it is refused as other names are when it has
// no visible character or reverses the text around it, and nothing is created.
func TestTokenNamesGetTheNameCheck(t *testing.T) {
	h := newHarness(t)
	c := h.as(h.instructor)
	for name, in := range map[string]string{
		"empty":          "",
		"zero-width":     "\u200b\u200b",
		"bidi override":  "ci\u202egnp.exe",
		"control":        "ci\x00",
		"61 characters":  strings.Repeat("t", 61),
		"only soft hyph": "\u00ad",
	} {
		before, _ := h.store.APITokens(t.Context(), h.instructor.ID)
		r := c.postForm("/account/tokens", url.Values{"name": {in}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Give the token a name") {
			t.Errorf("%s: %d, want 422 naming the problem\n%.300s", name, r.status, r.body)
		}
		after, _ := h.store.APITokens(t.Context(), h.instructor.ID)
		if len(after) != len(before) {
			t.Errorf("%s: a token was created (%d → %d)", name, len(before), len(after))
		}
	}
	if r := c.postForm("/account/tokens", url.Values{"name": {"Zoë’s laptop"}}); r.status != http.StatusSeeOther {
		t.Errorf("a plain name: %d, want 303", r.status)
	}
}
