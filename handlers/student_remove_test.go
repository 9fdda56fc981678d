package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
)

// stoppingRehearsal is the harness's rehearsal that also records StopStudent, as the
// simulator's live stack does.
type stoppingRehearsal struct {
	*fakeRehearsal
	mu      sync.Mutex
	stopped []string
}

func (r *stoppingRehearsal) StopStudent(classID, slug string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = append(r.stopped, classID+"/"+slug)
}

func (r *stoppingRehearsal) Stopped() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.stopped...)
}

// TestRemovingAStudentStopsTheirStandIn: the console's and the API's removal stop the
// student's virtual stand-in at once; a refused removal stops nothing.
func TestRemovingAStudentStopsTheirStandIn(t *testing.T) {
	h := newHarness(t)
	r := &stoppingRehearsal{fakeRehearsal: h.rehearsal}
	h.srv.WithRehearsal(r)
	page := "/classes/" + h.class.ID + "/students/"

	if resp := h.as(h.assistant).postForm(page+h.a.slug+"/remove", url.Values{}); resp.status != http.StatusForbidden {
		t.Fatalf("assistant removal: status %d, want 403", resp.status)
	}
	if resp := h.as(h.instructor).postForm(page+"nobody/remove", url.Values{}); resp.status != http.StatusNotFound {
		t.Fatalf("removing an unknown student: status %d, want 404", resp.status)
	}
	if got := r.Stopped(); len(got) != 0 {
		t.Fatalf("refused removals stopped stand-ins: %v", got)
	}
	if resp := h.as(h.instructor).postForm(page+h.a.slug+"/remove", url.Values{}); resp.status != http.StatusSeeOther {
		t.Fatalf("console removal: status %d", resp.status)
	}
	resp := h.withToken(h.apiToken).do(http.MethodDelete, "/api/v1/classes/"+h.class.ID+"/students/"+h.b.slug, nil, "", nil)
	if resp.status != http.StatusNoContent {
		t.Fatalf("API removal: status %d: %s", resp.status, resp.body)
	}
	want := []string{h.class.ID + "/" + h.a.slug, h.class.ID + "/" + h.b.slug}
	if got := r.Stopped(); !slices.Equal(got, want) {
		t.Fatalf("stand-ins stopped: %v, want %v", got, want)
	}
}
