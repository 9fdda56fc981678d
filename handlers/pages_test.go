package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/crypto/bcrypt"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/sandbox"
)

var linkRE = regexp.MustCompile(`/s/([0-9a-f]{32})`)

func TestSetupLinkCreatesTheFirstInstructor(t *testing.T) {
	h := newHarness(t)
	tok, err := h.store.CreateInvite(t.Context(), db.Invite{Role: db.RoleInstructor}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := h.anon()
	if r := c.get("/setup/" + tok); r.status != http.StatusOK || !strings.Contains(r.body, "first instructor") {
		t.Fatalf("setup page: %d", r.status)
	}
	r := c.postForm("/setup/"+tok, url.Values{"email": {"new@example.edu"}, "name": {"New"}, "password": {"short"}, "confirm": {"short"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "at least 12 characters") {
		t.Fatalf("weak password: %d", r.status)
	}
	r = c.postForm("/setup/"+tok, url.Values{"email": {"new@example.edu"}, "name": {"New"}, "password": {testPassword}, "confirm": {testPassword}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/classes" {
		t.Fatalf("setup: %d %s", r.status, r.header.Get("Location"))
	}
	if r := c.get("/classes"); r.status != http.StatusOK || !strings.Contains(r.body, "new@example.edu") {
		t.Fatalf("signed in after setup: %d", r.status)
	}
	if r := h.anon().get("/setup/" + tok); r.status != http.StatusNotFound {
		t.Fatalf("setup link reused: %d, want 404", r.status)
	}
}

func TestLoginAndLogout(t *testing.T) {
	h := newHarness(t)
	c := h.anon()
	r := c.postForm("/login", url.Values{"email": {"ANA@example.edu"}, "password": {testPassword}, "next": {"//evil.example/x"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/classes" {
		t.Fatalf("login: %d to %q; want 303 to /classes (never off-site)", r.status, r.header.Get("Location"))
	}
	if !strings.Contains(r.header.Get("Set-Cookie"), "HttpOnly") || !strings.Contains(r.header.Get("Set-Cookie"), "SameSite=Lax") {
		t.Fatalf("session cookie attributes: %s", r.header.Get("Set-Cookie"))
	}
	if r := c.get("/classes/" + h.class.ID); r.status != http.StatusOK || !strings.Contains(r.body, h.a.email) {
		t.Fatalf("console after login: %d", r.status)
	}
	if r := c.postForm("/logout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	if r := c.get("/classes"); r.status != http.StatusSeeOther {
		t.Fatalf("after logout: %d, want a redirect to sign in", r.status)
	}
}

func TestRosterPreviewThenImport(t *testing.T) {
	h := newHarness(t)
	c := h.as(h.instructor)
	path := "/classes/" + h.class.ID + "/roster"
	bad := []byte("name,email\nDee,dee@example.edu\nEve,nope\nFay," + h.b.email + "\n")
	r := c.postFile(path+"/preview", "roster", "bad.csv", bad, nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Nothing was imported: 2 problems found") ||
		!strings.Contains(r.body, "is not a valid e-mail address") || !strings.Contains(r.body, "already on the roster") {
		t.Fatalf("bad preview: %d\n%.500s", r.status, r.body)
	}
	if strings.Contains(r.body, "roster-repeated") {
		t.Fatalf("a file with a bad e-mail beside a student already on the roster reads as 'already imported'")
	}
	// One new student beside one already on the roster is not a repeated import either.
	mixed := []byte("name,email\nGus,gus@example.edu\nFay," + h.b.email + "\n")
	if r := c.postFile(path+"/preview", "roster", "mixed.csv", mixed, nil); r.status != http.StatusUnprocessableEntity ||
		strings.Contains(r.body, "roster-repeated") || !strings.Contains(r.body, "roster-errors-summary") {
		t.Fatalf("mixed preview: %d, want the problem listed, not 'already imported'\n%.500s", r.status, r.body)
	}
	big := bytes.Repeat([]byte("x"), 10<<20)
	r = c.postFile(path+"/preview", "roster", "big.csv", big, nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "the file is 10.0 MB; a roster may be at most 1 MB") {
		t.Fatalf("10 MB preview: %d", r.status)
	}
	good := []byte("name,email\n\"=HYPERLINK(\"\"http://evil\"\")\",dee@example.edu\n@Eve,eve@example.edu\n")
	r = c.postFile(path+"/preview", "roster", "good.csv", good, nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "2 students are ready to import") {
		t.Fatalf("good preview: %d", r.status)
	}
	if sts, _ := h.store.Students(t.Context(), h.class.ID); len(sts) != 2 {
		t.Fatalf("the preview wrote students: %d", len(sts))
	}
	r = c.postForm(path+"/import", url.Values{"csv": {string(good)}})
	shown := r.header.Get("Location")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(shown, "/shown/") {
		t.Fatalf("import: %d to %q, want 303 to the shown-once page", r.status, shown)
	}
	r = c.get(shown)
	links := linkRE.FindAllStringSubmatch(r.body, -1)
	if r.status != http.StatusOK || len(links) < 2 || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("import: %d with %d links, Cache-Control %q", r.status, len(links), r.header.Get("Cache-Control"))
	}
	// A reload posts nothing and shows no link again: it says what happened.
	if again := c.get(shown); again.status != http.StatusOK || linkRE.MatchString(again.body) || !strings.Contains(again.body, `data-testid="already-shown"`) ||
		!strings.Contains(again.body, "2 students imported into") {
		t.Fatalf("reload of the import result: %d, links %v\n%.600s", again.status, linkRE.FindAllString(again.body, -1), again.body)
	}
	if other := h.as(h.assistant).get(shown); other.status != http.StatusNotFound || linkRE.MatchString(other.body) {
		t.Fatalf("another user opening the shown-once page: %d", other.status)
	}
	if sts, _ := h.store.Students(t.Context(), h.class.ID); len(sts) != 4 {
		t.Fatalf("%d students after import and reloads, want 4", len(sts))
	}
	if p := h.anon().get(links[0][0]); p.status != http.StatusOK || !strings.Contains(p.body, "HYPERLINK") {
		t.Fatalf("imported student's link: %d", p.status)
	}
	// Importing the same file again (the back button and the form again) is refused
	// whole, and says the roster was imported already.
	if r := c.postForm(path+"/import", url.Values{"csv": {string(good)}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `data-testid="roster-repeated"`) || strings.Contains(r.body, "roster-errors-summary") {
		t.Fatalf("re-import: %d, want 422 saying it was imported already\n%.600s", r.status, r.body)
	}
	// The export neutralises formula cells.
	r = c.get("/classes/" + h.class.ID + "/roster.csv")
	recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil || len(recs) != 5 {
		t.Fatalf("export: %v, %d records", err, len(recs))
	}
	for _, rec := range recs[1:] {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("exported cell %q can run as a formula", cell)
			}
		}
	}
	if !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export is not a download: %q", r.header.Get("Content-Disposition"))
	}
}

func TestPersonalLinkReissueAndRevoke(t *testing.T) {
	h := newHarness(t)
	c := h.as(h.instructor)
	base := "/classes/" + h.class.ID + "/students/" + h.a.slug
	r := c.postForm(base+"/link", nil)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/shown/") {
		t.Fatalf("reissue: %d to %q, want 303 to the shown-once page", r.status, r.header.Get("Location"))
	}
	shown := r.header.Get("Location")
	r = c.get(shown)
	m := linkRE.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("reissue page: %d", r.status)
	}
	if again := c.get(shown); linkRE.MatchString(again.body) {
		t.Fatalf("a reload of the reissue page shows the link again")
	}
	if p := h.anon().get("/s/" + h.a.token); p.status != http.StatusNotFound {
		t.Fatalf("old link after reissue: %d, want 404", p.status)
	}
	if p := h.anon().get(m[0]); p.status != http.StatusOK || !strings.Contains(p.body, h.a.name) || strings.Contains(p.body, h.b.name) {
		t.Fatalf("new link: %d", p.status)
	}
	if r := c.postForm(base+"/link/revoke", nil); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if p := h.anon().get(m[0]); p.status != http.StatusNotFound || !strings.Contains(p.body, "revoked") {
		t.Fatalf("revoked link: %d", p.status)
	}
	log, _ := h.store.AuditLog(t.Context(), h.class.ID, 10)
	if len(log) < 2 || log[0].Action != "link.revoke" || log[1].Action != "link.issue" {
		t.Fatalf("audit = %+v", log)
	}
}

func TestAssistantInviteAndReadOnlyConsole(t *testing.T) {
	h := newHarness(t)
	c := h.as(h.instructor)
	r := c.postForm("/classes/"+h.class.ID+"/assistants", url.Values{"email": {"New.TA@example.edu"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/shown/") {
		t.Fatalf("invite: %d to %q, want 303 to the shown-once page", r.status, r.header.Get("Location"))
	}
	r = c.get(r.header.Get("Location"))
	m := regexp.MustCompile(`/setup/([0-9a-f]{32})`).FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("invite: %d", r.status)
	}
	ta := h.anon()
	r = ta.postForm(m[0], url.Values{"name": {"New TA"}, "password": {testPassword}, "confirm": {testPassword}, "email": {"attacker@example.edu"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("assistant setup: %d\n%.300s", r.status, r.body)
	}
	u, err := h.store.UserByEmail(t.Context(), "new.ta@example.edu")
	if err != nil || u.Role != db.RoleAssistant || u.Name != "New TA" {
		t.Fatalf("assistant account = %+v, %v (the invited e-mail must win over the form)", u, err)
	}
	r = ta.get("/classes/" + h.class.ID)
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="read-only"`) || strings.Contains(r.body, `data-testid="add-student"`) || strings.Contains(r.body, "Reissue link") {
		t.Fatalf("assistant console: %d; want read-only without roster controls", r.status)
	}
	if r := ta.postForm("/classes/"+h.class.ID+"/students", url.Values{"name": {"X"}, "email": {"x@example.edu"}}); r.status != http.StatusForbidden {
		t.Fatalf("assistant add student: %d, want 403", r.status)
	}
	if r := ta.get("/classes/new"); r.status != http.StatusForbidden {
		t.Fatalf("assistant new class: %d, want 403", r.status)
	}
}

func TestCreateClassValidation(t *testing.T) {
	h := newHarness(t)
	c := h.as(h.instructor)
	r := c.postForm("/classes", url.Values{"name": {""}, "regions": {"mars-north-1"}, "isolation": {"shared-account"}, "labs": {"boundaries"}})
	for _, want := range []string{"name is required", "mars-north-1", "boundaries cannot run in a shared account"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("form errors lack %q", want)
		}
	}
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", r.status)
	}
	r = c.postForm("/classes", url.Values{"name": {"Per student"}, "regions": {"us-east-1", "eu-west-1"}, "isolation": {"account-per-student"}, "labs": {"macie", "fargate"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("valid class: %d", r.status)
	}
	id := strings.TrimPrefix(r.header.Get("Location"), "/classes/")
	cl, err := h.store.Class(t.Context(), id)
	if err != nil || cl.Labs[0] != "fargate" || cl.Labs[1] != "macie" || len(cl.Regions) != 2 {
		t.Fatalf("stored class = %+v, %v (labs in catalog order)", cl, err)
	}
	// In an account-per-student class every student needs an account id.
	r = c.postForm("/classes/"+id+"/students", url.Values{"name": {"Dee"}, "email": {"dee@example.edu"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "account_id is required") {
		t.Fatalf("student without account: %d", r.status)
	}
}

func TestStudentPageShowsOnlyThatStudent(t *testing.T) {
	h := newHarness(t)
	// A lab that is not built yet in the class (stored as a class made before the
	// isolation check could hold it): the page must say so.
	h.class.Labs = append(h.class.Labs, "photos")
	if err := h.store.UpdateClass(t.Context(), h.class); err != nil {
		t.Fatal(err)
	}
	r := h.anon().get("/s/" + h.b.token)
	if r.status != http.StatusOK || !strings.Contains(r.body, h.b.name) {
		t.Fatalf("student page: %d", r.status)
	}
	for _, other := range []string{h.a.name, h.a.email, h.c.name, h.instructor.Email, "Log out"} {
		if strings.Contains(r.body, other) {
			t.Errorf("student B's page shows %q", other)
		}
	}
	if !strings.Contains(r.body, "Simulated AWS") || !strings.Contains(r.body, "not built yet") {
		t.Errorf("student page must label the simulator and say what is not built")
	}
	if r.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy = %q; the link token must not leak in Referer", r.header.Get("Referrer-Policy"))
	}
	for _, bad := range []string{"/s/short", "/s/" + strings.Repeat("z", 32), "/s/" + strings.Repeat("0", 5000)} {
		if r := h.anon().get(bad); r.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad[:10], r.status)
		}
	}
}

// TestOperations checks /healthz, /readyz, /metrics and the access log.
func TestOperations(t *testing.T) {
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "ops.db"))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector())
	srv, err := New(ctx, slog.New(slog.NewJSONHandler(&logs, nil)), store, catalog.New(), Config{Cloud: "sim", BcryptCost: bcrypt.MinCost}, reg, reg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	get := func(p string, hdr ...string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+p, nil)
		if len(hdr) == 2 {
			req.Header.Set(hdr[0], hdr[1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if r, _ := get("/healthz"); r.StatusCode != 200 {
		t.Fatalf("healthz %d", r.StatusCode)
	}
	if r, _ := get("/readyz"); r.StatusCode != 200 {
		t.Fatalf("readyz %d", r.StatusCode)
	}
	r, _ := get("/login", "X-Request-ID", "req-abcdef123")
	if r.Header.Get("X-Request-ID") != "req-abcdef123" {
		t.Fatalf("request id not echoed: %q", r.Header.Get("X-Request-ID"))
	}
	get("/s/" + strings.Repeat("a", 32))
	_, metrics := get("/metrics")
	for _, want := range []string{`labdash_http_requests_total{method="GET",route="/login",status="200"} 1`, `route="/s/:token"`, "labdash_http_request_duration_seconds_bucket", "go_goroutines"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if !strings.Contains(logs.String(), `"request_id":"req-abcdef123"`) || !strings.Contains(logs.String(), `"route":"/login"`) {
		t.Errorf("access log lacks the request id or route:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), strings.Repeat("a", 32)) {
		t.Errorf("access log contains a personal-link token")
	}
	store.Close()
	if r, _ := get("/readyz"); r.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with the database closed: %d, want 503", r.StatusCode)
	}
}

// TestNewTokenIsShownOnceAfterARedirect: creating an API token answers with a
// redirect; the token is on the page the first time only, and a reload neither
// shows it again nor creates a second token.
func TestNewTokenIsShownOnceAfterARedirect(t *testing.T) {
	h := newHarness(t)
	c := h.as(h.instructor)
	before, err := h.store.APITokens(t.Context(), h.instructor.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := c.postForm("/account/tokens", url.Values{"name": {"laptop"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/shown/") {
		t.Fatalf("create token: %d to %q", r.status, r.header.Get("Location"))
	}
	shown := r.header.Get("Location")
	if r = c.get(shown); r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="new-token"`) {
		t.Fatalf("first view: %d\n%.500s", r.status, r.body)
	}
	if r = c.get(shown); r.status != http.StatusOK || strings.Contains(r.body, `data-testid="new-token"`) || !strings.Contains(r.body, "laptop") {
		t.Fatalf("reload: %d, want no token and what happened\n%.500s", r.status, r.body)
	}
	after, err := h.store.APITokens(t.Context(), h.instructor.ID)
	if err != nil || len(after) != len(before)+1 {
		t.Fatalf("tokens: %d before, %d after (%v); want exactly one more", len(before), len(after), err)
	}
}

// TestSimulatedClassesAreLabelled: on the simulated AWS a class that is not the
// demo says that its rows are virtual stand-ins, on the console (a note and a tag
// on every row) and on the student's page.
func TestSimulatedClassesAreLabelled(t *testing.T) {
	h := newHarness(t)
	r := h.as(h.instructor).get("/classes/" + h.class.ID)
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="sim-note"`) || !strings.Contains(r.body, "virtual stand-in") {
		t.Fatalf("console: %d, no simulated-class note\n%.800s", r.status, r.body)
	}
	if n := strings.Count(r.body, `data-testid="stand-in"`); n < 2 {
		t.Fatalf("%d grid rows tagged as virtual, want every student's", n)
	}
	if r := h.anon().get("/s/" + h.a.token); r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="sim-note"`) {
		t.Fatalf("student page: %d, no simulated note", r.status)
	}
}

// sandboxPanel is the console's sandboxes panel in body (the full page or its poll).
func sandboxPanel(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `id="sandboxes-panel"`)
	if i < 0 {
		t.Fatalf("no sandboxes panel in\n%.800s", body)
	}
	rest := body[i:]
	if j := strings.Index(rest, `data-testid="cleanup-link"`); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestConsoleAfterCleanupIsHistory: once a verified cleanup finished after the
// provisioning, the console says when, in the panel and the class header; the
// sandboxes read as gone, not "2 of 2 ready"; the button is a fresh start, not
// "Provision again"; the stand-ins are said to be paused; and the live poll says
// the same as the page.
func TestConsoleAfterCleanupIsHistory(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	owner := h.as(h.instructor)
	page := "/classes/" + h.class.ID
	for _, slug := range []string{h.a.slug, h.b.slug} {
		if err := h.store.SetJobItem(ctx, h.jobID, slug, db.ItemDone, "ready", ""); err != nil {
			t.Fatal(err)
		}
	}
	arn := finishProvisioning(t, h)
	before := owner.get(page).body
	if !strings.Contains(sandboxPanel(t, before), "2 of 2 ready") || !strings.Contains(before, "Provision again") {
		t.Fatalf("before the cleanup the panel should read as provisioned\n%.1500s", sandboxPanel(t, before))
	}
	finishCleanup(t, h, arn, db.OutcomeVerified)
	for _, path := range []string{page, page + "/provision/progress"} {
		body := owner.get(path).body
		panel := sandboxPanel(t, body)
		for _, want := range []string{"Cleaned up on ", "(verified)", `data-testid="sandboxes-gone"`, "Provision the class again", `data-testid="stand-ins-paused"`, "<td>gone</td>"} {
			if !strings.Contains(panel, want) {
				t.Errorf("%s: the panel lacks %q", path, want)
			}
		}
		for _, stale := range []string{"ready", "Provision again (creates only what is missing)", "(not verified)"} {
			if strings.Contains(panel, stale) {
				t.Errorf("%s: the panel still says %q after the cleanup\n%.1500s", path, stale, panel)
			}
		}
	}
	body := owner.get(page).body
	if !strings.Contains(body, `data-testid="class-cleaned"`) {
		t.Errorf("the class header does not say the class was cleaned up")
	}
	if strings.Contains(body, "/deprovision") {
		t.Errorf("the roster still offers to deprovision sandboxes that are gone")
	}
	if r := h.as(h.assistant).get(page); !strings.Contains(r.body, "Cleaned up on ") || strings.Contains(sandboxPanel(t, r.body), `data-testid="provision"`) {
		t.Errorf("the assistant's console does not say the class was cleaned up, or offers provisioning")
	}
	// Provisioning again makes the class live: the cleaned-up line goes.
	if r := owner.postForm(page+"/provision", nil); r.status != http.StatusSeeOther {
		t.Fatalf("provision again: %d %.300s", r.status, r.body)
	}
	if body := owner.get(page).body; strings.Contains(body, "Cleaned up on ") {
		t.Errorf("after provisioning again the console still says the class is cleaned up")
	}
}

// TestCleanupNotVerifiedIsSaid: a cleanup that could not verify says so.
func TestCleanupNotVerifiedIsSaid(t *testing.T) {
	h := newHarness(t)
	arn := finishProvisioning(t, h)
	finishCleanup(t, h, arn, db.OutcomeNotVerified)
	body := h.as(h.instructor).get("/classes/" + h.class.ID).body
	if !strings.Contains(sandboxPanel(t, body), "(not verified)") || !strings.Contains(body, "could not confirm that nothing is left") {
		t.Errorf("a cleanup that was not verified reads as verified\n%.1500s", sandboxPanel(t, body))
	}
}

// TestProvisionPanelPollKeepsActionsAndNames: the poll fragment an owner gets
// offers the same provision button as the page, and rows show names, slugs muted.
func TestProvisionPanelPollKeepsActionsAndNames(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	owner := h.as(h.instructor)
	page := "/classes/" + h.class.ID
	if err := h.store.SetJobItem(ctx, h.jobID, h.a.slug, db.ItemDone, "ready", ""); err != nil {
		t.Fatal(err)
	}
	if err := h.store.FinishJob(ctx, h.jobID, db.JobDone, "", ""); err != nil {
		t.Fatal(err)
	}
	full := sandboxPanel(t, owner.get(page).body)
	poll := owner.get(page + "/provision/progress").body
	for _, want := range []string{`data-testid="provision"`, "Provision again", `name="csrf_token"`, "Ada Zephyrine", `<span class="muted">` + h.a.slug + `</span>`} {
		if !strings.Contains(full, want) {
			t.Errorf("page panel lacks %q", want)
		}
		if !strings.Contains(poll, want) {
			t.Errorf("polled panel lacks %q (the page had it)", want)
		}
	}
	if poll := h.as(h.assistant).get(page + "/provision/progress").body; strings.Contains(poll, `data-testid="provision"`) {
		t.Errorf("the assistant's poll offers provisioning")
	}
}

// TestProvisionETANeverSaysZero: the estimate is "about N min left" or
// "finishing…", never "0s left".
func TestProvisionETANeverSaysZero(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	job := func(started time.Duration, done, total int) *db.Job {
		j := &db.Job{CreatedAt: now.Add(-started)}
		for i := 0; i < total; i++ {
			st := db.ItemPending
			if i < done {
				st = db.ItemDone
			}
			j.Items = append(j.Items, db.JobItem{Key: "s" + strconv.Itoa(i), State: st})
		}
		return j
	}
	for name, c := range map[string]struct {
		j    *db.Job
		want string
	}{
		"nothing finished":            {job(time.Minute, 0, 9), ""},
		"1 of 9 after 50 ms":          {job(50*time.Millisecond, 1, 9), "finishing…"},
		"1 of 9 after 1 min":          {job(time.Minute, 1, 9), "about 8 min left"},
		"2 of 3 after 90 s":           {job(90*time.Second, 2, 3), "about 45 s left"},
		"all finished, still running": {job(time.Minute, 9, 9), "finishing…"},
	} {
		if got := provisionETA(c.j, now); got != c.want {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
}

// TestEmptyClassIsNotProvisioned: a class with no students is refused with the
// hint to add students, and its panel says so instead of offering the button.
func TestEmptyClassIsNotProvisioned(t *testing.T) {
	h := newHarness(t)
	owner := h.as(h.instructor)
	empty := &db.Class{Name: "Empty", OwnerID: h.instructor.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
	if err := h.store.CreateClass(t.Context(), empty); err != nil {
		t.Fatal(err)
	}
	page := "/classes/" + empty.ID
	panel := sandboxPanel(t, owner.get(page).body)
	if !strings.Contains(panel, "Add students first") || strings.Contains(panel, `data-testid="provision"`) {
		t.Errorf("an empty class's panel offers provisioning or gives no hint\n%.800s", panel)
	}
	if r := owner.postForm(page+"/provision", nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Add students first") {
		t.Errorf("provision an empty class: %d %.300s", r.status, r.body)
	}
	if r := h.withToken(h.apiToken).do(http.MethodPost, "/api/v1/classes/"+empty.ID+"/provision", nil, "", nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Add students first") {
		t.Errorf("API provision of an empty class: %d %s", r.status, r.body)
	}
	if _, err := h.store.LatestJob(t.Context(), empty.ID, "provision"); err == nil {
		t.Errorf("a provisioning job was made for a class with no students")
	}
}

// TestProvisionPanelNamesTheEventsItem: a provisioning job's class-wide event
// mode item reads as the class's, not as a student who left the roster.
func TestProvisionPanelNamesTheEventsItem(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	if err := h.store.FinishJob(ctx, h.jobID, db.JobDone, "", ""); err != nil {
		t.Fatal(err)
	}
	job, err := h.store.CreateJob(ctx, h.class.ID, "provision", []string{sandbox.EventsItem, h.a.slug})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.SetJobItem(ctx, job.ID, sandbox.EventsItem, db.ItemDone, "ready", ""); err != nil {
		t.Fatal(err)
	}
	panel := sandboxPanel(t, h.as(h.instructor).get("/classes/"+h.class.ID).body)
	if !strings.Contains(panel, "Class event mode") || strings.Contains(panel, sandbox.EventsItem+" (no longer on the roster)") {
		t.Errorf("the events item reads as a student gone from the roster:\n%.1500s", panel)
	}
}
