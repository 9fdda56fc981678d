package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/roster"
)

// TestFullClassRefusesEveryAddPath fills the class to roster.MaxStudents and checks
// that the form, the CSV preview and import, and the API all refuse one more.
func TestFullClassRefusesEveryAddPath(t *testing.T) {
	h := newHarness(t)
	have, err := h.store.Students(t.Context(), h.class.ID)
	if err != nil {
		t.Fatal(err)
	}
	news := make([]db.NewStudent, roster.MaxStudents-len(have))
	for i := range news {
		news[i] = db.NewStudent{Name: fmt.Sprintf("Filler %d", i), Email: fmt.Sprintf("filler%d@example.edu", i)}
	}
	if _, _, err := h.store.AddStudents(t.Context(), h.class.ID, news); err != nil {
		t.Fatal(err)
	}
	full := "already has 2000 students"
	owner := h.as(h.instructor)
	api := h.withToken(h.apiToken)
	page := "/classes/" + h.class.ID
	csv := []byte("name,email\nOne More,one.more@example.edu\n")

	if r := owner.postForm(page+"/students", url.Values{"name": {"One More"}, "email": {"one.more@example.edu"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, full) {
		t.Errorf("form add to a full class: status %d, want 422 saying %q", r.status, full)
	}
	if r := owner.postFile(page+"/roster/preview", "roster", "one.csv", csv, nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, full) {
		t.Errorf("preview for a full class: status %d, want 422 saying %q", r.status, full)
	}
	if r := owner.postForm(page+"/roster/import", url.Values{"csv": {string(csv)}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, full) {
		t.Errorf("import into a full class: status %d, want 422 saying %q: %.300s", r.status, full, r.body)
	}
	r := api.postJSON("/api/v1/classes/"+h.class.ID+"/students", `{"name":"One More","email":"one.more@example.edu"}`)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, full) {
		t.Errorf("API add to a full class: status %d, want 422 saying %q: %s", r.status, full, r.body)
	}
	r = api.do(http.MethodPost, "/api/v1/classes/"+h.class.ID+"/roster", strings.NewReader(string(csv)), "text/csv", nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, full) {
		t.Errorf("API import into a full class: status %d, want 422 saying %q: %s", r.status, full, r.body)
	}
	sts, _ := h.store.Students(t.Context(), h.class.ID)
	if len(sts) != roster.MaxStudents {
		t.Fatalf("roster holds %d students after the refusals, want %d", len(sts), roster.MaxStudents)
	}
}
