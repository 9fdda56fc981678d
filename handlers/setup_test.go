package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/db"
)

// TestSetupFormKeepsTheNameGivenAhead: `labdash user add --name` made the account with a
// name, and the set-up form then asked for it again, empty.
func TestSetupFormKeepsTheNameGivenAhead(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	if err := h.store.CreateUser(ctx, &db.User{Email: "bo@example.edu", Name: `Bo "Quote" <b>`, Role: db.RoleAssistant}); err != nil {
		t.Fatal(err)
	}
	tok, err := h.store.CreateInvite(ctx, db.Invite{Role: db.RoleAssistant, Email: "bo@example.edu"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r := h.anon().get("/setup/" + tok)
	if r.status != http.StatusOK || !strings.Contains(r.body, `name="name" type="text" autocomplete="name" required maxlength="100" value="Bo &#34;Quote&#34; &lt;b&gt;"`) {
		t.Fatalf("setup form: %d; want the name from user add prefilled (escaped)\n%s", r.status, r.body)
	}
	// A set-up link without an account ahead (first start) has an empty name.
	first, _ := h.store.CreateInvite(ctx, db.Invite{Role: db.RoleInstructor}, time.Hour)
	if r := h.anon().get("/setup/" + first); r.status != http.StatusOK || !strings.Contains(r.body, `maxlength="100" value=""`) {
		t.Fatalf("first-start setup form: %d", r.status)
	}
	// The name can still be changed on the form.
	r = h.anon().postForm("/setup/"+tok, url.Values{"name": {"Bo Changed"}, "password": {testPassword}, "confirm": {testPassword}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("setup: %d", r.status)
	}
	if u, _ := h.store.UserByEmail(ctx, "bo@example.edu"); u.Name != "Bo Changed" {
		t.Fatalf("name after setup = %q", u.Name)
	}
}

// TestReinvitingSaysTheEarlierLinkStopped: inviting an e-mail that already had an open
// set-up link (from the CLI, or an earlier invitation) silently killed that link.
func TestReinvitingSaysTheEarlierLinkStopped(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	c := h.as(h.instructor)
	setupRE := regexp.MustCompile(`/setup/[0-9a-f]{32}`)
	invite := func() (string, bool) {
		t.Helper()
		r := c.postForm("/classes/"+h.class.ID+"/assistants", url.Values{"email": {"cy@example.edu"}})
		r = c.get(r.header.Get("Location"))
		if r.status != http.StatusOK || setupRE.FindString(r.body) == "" {
			t.Fatalf("invite: %d", r.status)
		}
		replaced := strings.Contains(r.body, `data-testid="invite-replaced"`)
		if replaced && !strings.Contains(r.body, "A set-up link had already been issued for cy@example.edu; it no longer works — this new one replaces it.") {
			t.Fatalf("replaced notice wording:\n%s", r.body)
		}
		return setupRE.FindString(r.body), replaced
	}
	first, replaced := invite()
	if replaced {
		t.Fatal("first invitation says it replaced a link")
	}
	second, replaced := invite()
	if !replaced {
		t.Fatal("second invitation does not say the first link stopped working")
	}
	if r := h.anon().get(first); r.status != http.StatusNotFound {
		t.Fatalf("the replaced link still answers %d", r.status)
	}
	if r := h.anon().get(second); r.status != http.StatusOK {
		t.Fatalf("the new link answers %d", r.status)
	}
	// A link from the CLI (`labdash user add --role assistant`) counts the same.
	if err := h.store.CreateUser(ctx, &db.User{Email: "di@example.edu", Name: "Di", Role: db.RoleAssistant}); err != nil {
		t.Fatal(err)
	}
	cli, _ := h.store.CreateInvite(ctx, db.Invite{Role: db.RoleAssistant, Email: "di@example.edu"}, time.Hour)
	r := c.postForm("/classes/"+h.class.ID+"/assistants", url.Values{"email": {"di@example.edu"}})
	r = c.get(r.header.Get("Location"))
	if !strings.Contains(r.body, "A set-up link had already been issued for di@example.edu; it no longer works") {
		t.Fatalf("CLI link replaced without notice:\n%s", r.body)
	}
	if r := h.anon().get("/setup/" + cli); r.status != http.StatusNotFound {
		t.Fatalf("CLI link after re-invite: %d", r.status)
	}
	// An expired or used earlier link is not "replaced".
	if err := h.store.CreateUser(ctx, &db.User{Email: "ed@example.edu", Role: db.RoleAssistant}); err != nil {
		t.Fatal(err)
	}
	h.store.CreateInvite(ctx, db.Invite{Role: db.RoleAssistant, Email: "ed@example.edu"}, -time.Minute)
	r = c.postForm("/classes/"+h.class.ID+"/assistants", url.Values{"email": {"ed@example.edu"}})
	if r = c.get(r.header.Get("Location")); strings.Contains(r.body, "invite-replaced") {
		t.Fatal("an expired link was reported as replaced")
	}
}
