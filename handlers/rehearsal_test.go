package handlers

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/labdash/labdash/db"
)

// TestRehearsalAction: on the simulator the class owner sees a lab's rehearsal
// buttons on a student's page and pressing one runs it and audits it; an action
// the lab does not have is a 422, and an assistant may not press it.
func TestRehearsalAction(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	class := &db.Class{Name: "GA class", OwnerID: h.instructor.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"ga"}}
	if err := h.store.CreateClass(ctx, class); err != nil {
		t.Fatal(err)
	}
	h.store.AddAssistant(ctx, class.ID, h.assistant.ID)
	sts, _, err := h.store.AddStudents(ctx, class.ID, []db.NewStudent{{Name: "Eve", Email: "eve@example.edu"}})
	if err != nil {
		t.Fatal(err)
	}
	page := "/classes/" + class.ID + "/students/" + sts[0].Slug
	owner := h.as(h.instructor)
	if r := owner.get(page); r.status != 200 || !strings.Contains(r.body, `data-testid="action-stop-instance-us-east-1"`) {
		t.Fatalf("owner's student page: %d, no stop button", r.status)
	}
	if r := h.as(h.assistant).get(page); strings.Contains(r.body, "action-stop-instance") {
		t.Error("an assistant sees rehearsal buttons")
	}
	r := owner.postForm(page+"/actions", url.Values{"lab": {"ga"}, "action": {"stop-instance-us-east-1"}})
	if r.status != 303 {
		t.Fatalf("action: %d %s", r.status, r.body)
	}
	log, _ := h.store.AuditLog(ctx, class.ID, 10)
	if len(log) == 0 || log[0].Action != "rehearsal.action" || !strings.Contains(log[0].Detail, "stop-instance-us-east-1") {
		t.Errorf("audit: %+v", log)
	}
	if r := owner.postForm(page+"/actions", url.Values{"lab": {"ga"}, "action": {"rm -rf"}}); r.status != 422 {
		t.Errorf("unknown action: %d, want 422", r.status)
	}
	if r := h.as(h.assistant).postForm(page+"/actions", url.Values{"lab": {"ga"}, "action": {"stop-instance-us-east-1"}}); r.status != 403 {
		t.Errorf("assistant pressing it: %d, want 403", r.status)
	}
}
