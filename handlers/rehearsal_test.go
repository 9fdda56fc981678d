package handlers

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
)

// fakeSimNow is the fake rehearsal's simulated clock: an hour and a day away
// from any wall clock, so a result line showing it can only have read it.
var fakeSimNow = time.Date(2027, 1, 2, 9, 14, 3, 0, time.UTC)

var fakeLabs = catalog.New()

// actLocked runs a rehearsal action on the fake sandbox as the real one does: an
// action whose subject is not in one of its From states is refused and not run;
// one that runs moves its subject to the state its counterpart starts from.
func (f *fakeRehearsal) actLocked(classID, slug, labID, actionID string) error {
	l, _ := fakeLabs.Lab(labID)
	a, ok := labAction(l, actionID)
	if !ok {
		return ErrNoAction
	}
	if a.State != nil {
		key := classID + "/" + slug + "/" + labID + "/" + a.Subject
		if now := f.stateLocked(key, l, a.Subject); !a.Offered(now) {
			return &NotOfferedError{Subject: a.Subject, State: now}
		}
		for _, b := range l.Actions {
			if b.Subject == a.Subject && b.ID != a.ID {
				if f.states == nil {
					f.states = map[string]string{}
				}
				f.states[key] = b.From[len(b.From)-1]
			}
		}
	}
	f.acts = append(f.acts, actionID)
	return nil
}

// stateLocked is a subject's fake state; a fresh sandbox has every pair in the
// state its first action starts from (instances running, sns:Publish allowed).
func (f *fakeRehearsal) stateLocked(key string, l labs.Lab, subject string) string {
	if v, ok := f.states[key]; ok {
		return v
	}
	for _, a := range l.Actions {
		if a.Subject == subject && len(a.From) > 0 {
			return a.From[len(a.From)-1]
		}
	}
	return ""
}

func (f *fakeRehearsal) State(_ context.Context, classID, slug, labID string) (map[string]string, time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped[classID] {
		return nil, time.Time{}, ErrNoAction
	}
	l, _ := fakeLabs.Lab(labID)
	out := map[string]string{}
	for _, a := range l.Actions {
		if a.State != nil {
			out[a.Subject] = f.stateLocked(classID+"/"+slug+"/"+labID+"/"+a.Subject, l, a.Subject)
		}
	}
	return out, fakeSimNow, nil
}

func (f *fakeRehearsal) actsSoFar() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.acts...)
}

// rehearsalClass makes a GA class (both of the lab's regions) with one student
// and returns the class and the student's staff page.
func rehearsalClass(t *testing.T, h *harness) (*db.Class, string) {
	t.Helper()
	ctx := context.Background()
	class := &db.Class{Name: "GA class", OwnerID: h.instructor.ID, Regions: []string{"us-east-1", "eu-west-1"}, Isolation: db.IsolationShared, Labs: []string{"ga"}}
	if err := h.store.CreateClass(ctx, class); err != nil {
		t.Fatal(err)
	}
	h.store.AddAssistant(ctx, class.ID, h.assistant.ID)
	sts, _, err := h.store.AddStudents(ctx, class.ID, []db.NewStudent{{Name: "Eve", Email: "eve@example.edu"}})
	if err != nil {
		t.Fatal(err)
	}
	return class, "/classes/" + class.ID + "/students/" + sts[0].Slug
}

var hxHeaders = map[string]string{"HX-Request": "true"}

// hxPost presses a rehearsal button as htmx does: the form's fields, the CSRF
// token in its header as labdash.js sends it.
func hxPost(c *client, path string, vals url.Values) response {
	c.h.t.Helper()
	tok := c.csrf()
	vals = cloneValues(vals)
	vals.Set("csrf_token", tok)
	hdr := map[string]string{"HX-Request": "true", "X-CSRF-Token": tok}
	return c.do(http.MethodPost, path, strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded", hdr)
}

// button returns the rehearsal button tag with the given data-testid, or "".
func button(body, testid string) string {
	return regexp.MustCompile(`<button[^>]*data-testid="` + regexp.QuoteMeta(testid) + `"[^>]*>`).FindString(body)
}

// TestRehearsalAction: on the simulator the class owner sees a lab's rehearsal
// buttons on a student's page and pressing one (no JavaScript) runs it, audits it
// and comes back to the block (post/redirect/get) with what happened; an action
// the lab does not have is a 422, and an assistant may not press it.
func TestRehearsalAction(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	class, page := rehearsalClass(t, h)
	owner := h.as(h.instructor)
	r := owner.get(page)
	if r.status != 200 || button(r.body, "action-stop-instance-us-east-1") == "" {
		t.Fatalf("owner's student page: %d, no stop button", r.status)
	}
	if b := button(r.body, "action-start-instance-us-east-1"); !strings.Contains(b, "disabled") || !strings.Contains(b, `title="Origin instance in us-east-1 is running."`) {
		t.Errorf("start while running: %s, want disabled with the reason", b)
	}
	if !strings.Contains(r.body, `Origin instance in us-east-1: <strong data-state="running">running</strong>`) {
		t.Errorf("page does not show the instance's state")
	}
	if r := h.as(h.assistant).get(page); strings.Contains(r.body, "action-stop-instance") {
		t.Error("an assistant sees rehearsal buttons")
	}
	r = owner.postForm(page+"/actions", url.Values{"lab": {"ga"}, "action": {"stop-instance-us-east-1"}})
	if r.status != 303 {
		t.Fatalf("action: %d %s", r.status, r.body)
	}
	loc := r.header.Get("Location")
	if !strings.HasPrefix(loc, page+"?") || !strings.HasSuffix(loc, "#rehearsal-ga") {
		t.Fatalf("redirect to %q, want the student page at the rehearsal block", loc)
	}
	log, _ := h.store.AuditLog(ctx, class.ID, 10)
	if len(log) == 0 || log[0].Action != "rehearsal.action" || !strings.Contains(log[0].Detail, "stop-instance-us-east-1") {
		t.Errorf("audit: %+v", log)
	}
	r = owner.get(loc)
	if !strings.Contains(r.body, "Stopped the origin instance in us-east-1 at 09:14:03 (simulated time).") {
		t.Errorf("after the redirect the page does not say what happened:\n%s", r.body)
	}
	if b := button(r.body, "action-stop-instance-us-east-1"); !strings.Contains(b, "disabled") {
		t.Errorf("stop after stopping: %s, want disabled", b)
	}
	// Reloading the page it came back to runs nothing again.
	owner.get(loc)
	if got := h.rehearsal.actsSoFar(); len(got) != 1 {
		t.Errorf("actions run: %v, want one", got)
	}
	if r := owner.postForm(page+"/actions", url.Values{"lab": {"ga"}, "action": {"rm -rf"}}); r.status != 422 {
		t.Errorf("unknown action: %d, want 422", r.status)
	}
	if r := h.as(h.assistant).postForm(page+"/actions", url.Values{"lab": {"ga"}, "action": {"stop-instance-us-east-1"}}); r.status != 403 {
		t.Errorf("assistant pressing it: %d, want 403", r.status)
	}
}

// TestRehearsalInPlace: an htmx press answers the lab's rehearsal block alone,
// with the new state, its counterpart enabled, the pressed button disabled with
// the reason, and the result in a status line labelled with simulated time.
func TestRehearsalInPlace(t *testing.T) {
	h := newHarness(t)
	_, page := rehearsalClass(t, h)
	owner := h.as(h.instructor)
	r := hxPost(owner, page+"/actions", url.Values{"lab": {"ga"}, "action": {"stop-instance-eu-west-1"}})
	if r.status != 200 {
		t.Fatalf("hx press: %d %s", r.status, r.body)
	}
	if !strings.HasPrefix(strings.TrimSpace(r.body), `<div class="rehearsal" id="rehearsal-ga"`) || strings.Contains(r.body, "<html") {
		t.Fatalf("hx press did not answer the block alone:\n%s", r.body)
	}
	for _, want := range []string{
		`Origin instance in eu-west-1: <strong data-state="stopped">stopped</strong>`,
		`Origin instance in us-east-1: <strong data-state="running">running</strong>`,
		`role="status"`,
		"Stopped the origin instance in eu-west-1 at 09:14:03 (simulated time).",
		`data-testid="rehearsal-read-ga">Read from the sandbox at 09:14:03 (simulated time).</p>`,
		`hx-post="` + page + `/actions"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("block lacks %q:\n%s", want, r.body)
		}
	}
	stop, start := button(r.body, "action-stop-instance-eu-west-1"), button(r.body, "action-start-instance-eu-west-1")
	if !strings.Contains(stop, "disabled") || !strings.Contains(stop, `aria-describedby="why-ga-stop-instance-eu-west-1"`) ||
		!strings.Contains(r.body, `id="why-ga-stop-instance-eu-west-1">Origin instance in eu-west-1 is stopped.</span>`) {
		t.Errorf("stop button after stopping: %s, want disabled and described", stop)
	}
	if strings.Contains(start, "disabled") {
		t.Errorf("start button after stopping: %s, want enabled", start)
	}
	if strings.Contains(button(r.body, "action-stop-instance-us-east-1"), "disabled") {
		t.Error("the other region's stop button went off too")
	}

	// The same press again (a stale page, a double click) is refused, not run.
	r = hxPost(owner, page+"/actions", url.Values{"lab": {"ga"}, "action": {"stop-instance-eu-west-1"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "“Stop the instance in eu-west-1” was not run: Origin instance in eu-west-1 is stopped.") ||
		!strings.Contains(r.body, `id="rehearsal-ga"`) {
		t.Errorf("second stop: %d, want 409 with the block and the reason:\n%s", r.status, r.body)
	}
	r = owner.postForm(page+"/actions", url.Values{"lab": {"ga"}, "action": {"stop-instance-eu-west-1"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "was not run: Origin instance in eu-west-1 is stopped.") {
		t.Errorf("second stop without htmx: %d, want 409 naming why:\n%s", r.status, r.body)
	}
	if got := h.rehearsal.actsSoFar(); len(got) != 1 {
		t.Errorf("actions run: %v, want only the first stop", got)
	}
	r = hxPost(owner, page+"/actions", url.Values{"lab": {"ga"}, "action": {"start-instance-eu-west-1"}})
	if r.status != 200 || !strings.Contains(r.body, `Origin instance in eu-west-1: <strong data-state="running">`) || !strings.Contains(r.body, "Started the origin instance in eu-west-1") {
		t.Errorf("start after stop: %d\n%s", r.status, r.body)
	}
}

// TestRehearsalNoSandbox: before a virtual student has a sandbox the block says
// so and a press answers it in place (or on the page it comes back to), not a
// 409 page.
func TestRehearsalNoSandbox(t *testing.T) {
	h := newHarness(t)
	class, page := rehearsalClass(t, h)
	h.rehearsal.quiesce(class.ID)
	owner := h.as(h.instructor)
	if r := owner.get(page); r.status != 200 || !strings.Contains(r.body, noSandbox) || strings.Contains(r.body, "data-state=") {
		t.Errorf("page without a sandbox: %d, want the note and no state", r.status)
	}
	r := hxPost(owner, page+"/actions", url.Values{"lab": {"ga"}, "action": {"stop-instance-us-east-1"}})
	if r.status != 200 || !strings.Contains(r.body, `role="status" class="rehearsal-result notice"`) || !strings.Contains(r.body, "No sandbox yet — try again in a moment.") {
		t.Errorf("hx press without a sandbox: %d\n%s", r.status, r.body)
	}
	r = owner.postForm(page+"/actions", url.Values{"lab": {"ga"}, "action": {"stop-instance-us-east-1"}})
	if r.status != 303 || !strings.Contains(r.header.Get("Location"), "did=no-sandbox") {
		t.Fatalf("press without a sandbox: %d %s", r.status, r.header.Get("Location"))
	}
	if r := owner.get(r.header.Get("Location")); !strings.Contains(r.body, `data-testid="rehearsal-result-ga">No sandbox yet`) {
		t.Errorf("page after the redirect does not say there is no sandbox yet")
	}
	if log, _ := h.store.AuditLog(context.Background(), class.ID, 10); len(log) != 0 && log[0].Action == "rehearsal.action" {
		t.Errorf("an action that did not run was audited: %+v", log[0])
	}
}

// TestRehearsalHostileInput: a lab or action id that is not the lab's own, however
// crafted, is a 422 naming what was sent (escaped), never a 500 or a run; and a
// crafted result link shows only what an action's own result says.
func TestRehearsalHostileInput(t *testing.T) {
	h := newHarness(t)
	_, page := rehearsalClass(t, h)
	owner := h.as(h.instructor)
	for _, tc := range []struct{ name, lab, action string }{
		{"empty", "", ""},
		{"lab missing", "", "stop-instance-us-east-1"},
		{"near miss case", "ga", "Stop-Instance-us-east-1"},
		{"near miss region", "ga", "stop-instance-us-east-2"},
		{"path", "ga", "stop-instance-us-east-1/../start"},
		{"markup", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"},
		{"nul", "ga\x00", "stop-instance-us-east-1\x00"},
		{"bad utf-8", "ga\xff", "\xfe\xff"},
		{"long", strings.Repeat("g", 10_000), strings.Repeat("a", 100_000)},
		{"lab not in class", "xray", "remove-sns-publish"},
		{"unknown lab", "fargate", "stop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, hx := range []bool{false, true} {
				vals := url.Values{"lab": {tc.lab}, "action": {tc.action}}
				var r response
				if hx {
					r = hxPost(owner, page+"/actions", vals)
				} else {
					r = owner.postForm(page+"/actions", vals)
				}
				if r.status != 422 || !strings.Contains(r.body, "has no action") {
					t.Errorf("hx=%v: %d, want 422 naming the action:\n%.400s", hx, r.status, r.body)
				}
				if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") {
					t.Errorf("hx=%v: markup echoed unescaped", hx)
				}
			}
		})
	}
	if got := h.rehearsal.actsSoFar(); len(got) != 0 {
		t.Errorf("hostile presses ran %v", got)
	}
	for _, q := range []string{
		"?rehearsal=ga&did=%3Cscript%3E&at=1",
		"?rehearsal=ga&did=Stopped+everything",
		"?rehearsal=xray&did=remove-sns-publish&at=1",
		"?rehearsal=ga&did=stop-instance-us-east-1&at=-5",
		"?rehearsal=ga&did=stop-instance-us-east-1&at=99999999999999999999",
	} {
		r := owner.get(page + q)
		if r.status != 200 {
			t.Errorf("%s: %d", q, r.status)
		}
		res := regexp.MustCompile(`data-testid="rehearsal-result-ga">([^<]*)<`).FindStringSubmatch(r.body)
		if res == nil {
			t.Errorf("%s: no result line", q)
			continue
		}
		if res[1] != "" && res[1] != "Stopped the origin instance in us-east-1." {
			t.Errorf("%s: result line %q", q, res[1])
		}
	}
}

// TestRehearsalRefresh: while an instance is between states both its buttons are
// off and the block reads itself again (hx-get of the block alone); once it has
// stopped the reading stops and Start is offered. A bad lab is a 422.
func TestRehearsalRefresh(t *testing.T) {
	h := newHarness(t)
	class, page := rehearsalClass(t, h)
	owner := h.as(h.instructor)
	if r := owner.get(page); strings.Contains(r.body, "hx-get=") {
		t.Fatal("a settled block reads itself again")
	}
	slug := page[strings.LastIndex(page, "/")+1:]
	set := func(v string) {
		h.rehearsal.mu.Lock()
		defer h.rehearsal.mu.Unlock()
		if h.rehearsal.states == nil {
			h.rehearsal.states = map[string]string{}
		}
		h.rehearsal.states[class.ID+"/"+slug+"/ga/Origin instance in us-east-1"] = v
	}
	set("stopping")
	r := owner.get(page)
	refresh := `hx-get="` + page + `/actions?lab=ga"`
	if !strings.Contains(r.body, refresh) || !strings.Contains(r.body, `hx-select="#rehearsal-body-ga"`) || !strings.Contains(r.body, `hx-disinherit="*"`) {
		t.Errorf("a stopping instance's block does not read itself again")
	}
	for _, id := range []string{"action-stop-instance-us-east-1", "action-start-instance-us-east-1"} {
		if b := button(r.body, id); !strings.Contains(b, "disabled") || !strings.Contains(b, "is stopping.") {
			t.Errorf("%s while stopping: %s", id, b)
		}
	}
	set("stopped")
	r = owner.do(http.MethodGet, page+"/actions?lab=ga", nil, "", hxHeaders)
	if r.status != 200 || strings.Contains(r.body, "<html") || !strings.Contains(r.body, `id="rehearsal-body-ga"`) {
		t.Fatalf("the block alone: %d\n%.300s", r.status, r.body)
	}
	if strings.Contains(r.body, "hx-get=") || strings.Contains(button(r.body, "action-start-instance-us-east-1"), "disabled") {
		t.Errorf("once stopped: still reading, or Start still off:\n%s", r.body)
	}
	for _, q := range []string{"", "?lab=", "?lab=fargate", "?lab=xray", "?lab=%3Cscript%3E", "?lab=" + strings.Repeat("g", 5000)} {
		if r := owner.get(page + "/actions" + q); r.status != 422 || strings.Contains(r.body, "<script>") {
			t.Errorf("GET actions%.40s: %d, want 422", q, r.status)
		}
	}
	if r := h.as(h.assistant).get(page + "/actions?lab=ga"); r.status != 403 {
		t.Errorf("assistant reading the block: %d, want 403", r.status)
	}
	h.rehearsal.quiesce(class.ID)
	if r := owner.get(page); !strings.Contains(r.body, refresh) || !strings.Contains(r.body, noSandbox) {
		t.Errorf("without a sandbox the block does not try again by itself")
	}
}
