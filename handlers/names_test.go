package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/db"
)

// adversarialNames are names with nothing visible, or with characters that reverse
// how the rest displays; every path that takes a name must refuse each with a field
// error, and store nothing.
var adversarialNames = map[string]string{
	"zero-width space":     "\u200B",
	"zero-width mix":       "\u200B\u200C\u200D\uFEFF\u2060",
	"soft hyphens":         "\u00AD\u00AD",
	"LRM and RLM":          "\u200E\u200F",
	"right-to-left reveal": "\u202Eevil",
	"isolate in a name":    "Ada \u2067Lovelace\u2069",
	"Hangul filler":        "\u3164",
	"tag characters":       "\U000E0041\U000E0042",
}

func TestEveryNamePathRefusesInvisibleAndReversingNames(t *testing.T) {
	h := newHarness(t)
	owner := h.as(h.instructor)
	api := h.withToken(h.apiToken)
	page := "/classes/" + h.class.ID
	students := func() int {
		sts, err := h.store.Students(t.Context(), h.class.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(sts)
	}
	wantRefusal := func(t *testing.T, what string, r response) {
		t.Helper()
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d, want 422: %.400s", what, r.status, r.body)
		}
		if !strings.Contains(r.body, "no visible character") && !strings.Contains(r.body, "direction control") {
			t.Fatalf("%s: the refusal does not say what is wrong with the name: %.1500s", what, r.body)
		}
	}
	for label, name := range adversarialNames {
		t.Run(label, func(t *testing.T) {
			before, classes := students(), h.classCount(h.instructor)
			wantRefusal(t, "form add", owner.postForm(page+"/students", url.Values{"name": {name}, "email": {"new.one@example.edu"}}))
			csv := "name,email\n" + name + ",new.one@example.edu\n"
			wantRefusal(t, "CSV preview", owner.postFile(page+"/roster/preview", "roster", "r.csv", []byte(csv), nil))
			wantRefusal(t, "CSV import", owner.postForm(page+"/roster/import", url.Values{"csv": {csv}}))
			body, _ := json.Marshal(map[string]string{"name": name, "email": "new.one@example.edu"})
			wantRefusal(t, "API add", api.postJSON("/api/v1/classes/"+h.class.ID+"/students", string(body)))
			wantRefusal(t, "API import", api.do(http.MethodPost, "/api/v1/classes/"+h.class.ID+"/roster", strings.NewReader(csv), "text/csv", nil))
			wantRefusal(t, "class form", owner.postForm("/classes", url.Values{"name": {name}, "regions": {"us-east-1"}, "isolation": {"shared"}, "labs": {"fargate"}}))
			body, _ = json.Marshal(map[string]any{"name": name, "regions": []string{"us-east-1"}, "isolation": "shared", "labs": []string{"fargate"}})
			wantRefusal(t, "API class", api.postJSON("/api/v1/classes", string(body)))
			tok, err := h.store.CreateInvite(t.Context(), db.Invite{Role: db.RoleAssistant, Email: "new.ta@example.edu"}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			wantRefusal(t, "assistant set-up", h.anon().postForm("/setup/"+tok, url.Values{"name": {name}, "password": {testPassword}, "confirm": {testPassword}}))
			if _, err := h.store.UserByEmail(t.Context(), "new.ta@example.edu"); err == nil {
				t.Errorf("the set-up form made an account named %+q", name)
			}
			if after := students(); after != before {
				t.Errorf("roster went from %d to %d students", before, after)
			}
			if after := h.classCount(h.instructor); after != classes {
				t.Errorf("instructor's classes went from %d to %d", classes, after)
			}
		})
	}
}
