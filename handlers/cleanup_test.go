package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/labdash/labdash/labs/cleanup"
)

// TestCleanupOneStudentScope: the plan page, the API plan and the confirmation take
// an optional student; a malformed one is a 422 naming the field, one not on the
// roster a 404, and the confirmed job carries the scope.
func TestCleanupOneStudentScope(t *testing.T) {
	h := newHarness(t)
	page := h.as(h.instructor).get("/classes/" + h.class.ID + "/cleanup?student=" + h.b.slug)
	// The form appears only when there is something to delete; the heading always does.
	if page.status != 200 || !strings.Contains(page.body, "Clean up student "+h.b.slug) {
		t.Fatalf("student plan page: %d %s", page.status, clip(page.body, 400))
	}
	api := h.withToken(h.apiToken)
	for _, tc := range []struct {
		student string
		status  int
		want    string
	}{
		{"s1; DROP TABLE", 422, "student:"},
		{"s99", 404, "no student s99"},
		{h.b.slug, 200, `"student":"` + h.b.slug + `"`},
	} {
		r := api.postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/plan?student="+url.QueryEscape(tc.student), "")
		if r.status != tc.status || !strings.Contains(r.body, tc.want) {
			t.Errorf("plan for %q: %d %s, want %d containing %q", tc.student, r.status, clip(r.body, 300), tc.status, tc.want)
		}
	}
	r := api.postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/plan?student="+h.b.slug, "")
	var plan cleanup.Plan
	if err := json.Unmarshal([]byte(r.body), &plan); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"hash":%q,"confirm":%q,"student":%q}`, plan.Hash, h.class.Name, h.b.slug)
	run := api.postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/run", body)
	if run.status != 202 {
		t.Fatalf("run for %s: %d %s", h.b.slug, run.status, run.body)
	}
	job, err := h.store.LatestJob(context.Background(), h.class.ID, cleanup.JobKind)
	if err != nil || job.Scope != h.b.slug {
		t.Fatalf("job scope %q (%v), want %s", job.Scope, err, h.b.slug)
	}
	// The class's hash does not confirm one student's cleanup.
	whole := api.postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/plan", "")
	json.Unmarshal([]byte(whole.body), &plan)
	body = fmt.Sprintf(`{"hash":%q,"confirm":%q,"student":%q}`, plan.Hash+"x", h.class.Name, h.b.slug)
	if r := api.postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/run", body); r.status != 409 {
		t.Errorf("stale hash for one student: %d %s, want 409", r.status, r.body)
	}
	// The form route takes the student too.
	form := h.as(h.instructor).postForm("/classes/"+h.class.ID+"/cleanup/run", url.Values{"hash": {"x"}, "confirm": {h.class.Name}, "student": {"bogus"}})
	if form.status != 422 {
		t.Errorf("form with a malformed student: %d, want 422", form.status)
	}
}
