package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/labdash/labdash/db"
)

// TestRosterExportImportsBack: the roster download could not be imported again (its id
// column was an "unknown column"), and a file with students already on the roster could
// only be refused whole. Now the download imports back, and the import can skip the
// students it already has, when asked.
func TestRosterExportImportsBack(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	c := h.as(h.instructor)
	const hostile = "=cmd|' /C calc'!A0"
	if _, _, err := h.store.AddStudents(ctx, h.class.ID, []db.NewStudent{{Name: hostile, Email: "eve@example.edu"}}); err != nil {
		t.Fatal(err)
	}
	r := c.get("/classes/" + h.class.ID + "/roster.csv")
	if r.status != http.StatusOK || !strings.HasPrefix(r.body, "id,name,email,account_id\n") {
		t.Fatalf("export: %d\n%s", r.status, r.body)
	}
	export := r.body
	if strings.Contains(export, ","+hostile) || !strings.Contains(export, ",'"+hostile) {
		t.Fatalf("the export does not neutralise a formula:\n%s", export)
	}
	count := func(classID string) int {
		sts, err := h.store.Students(ctx, classID)
		if err != nil {
			t.Fatal(err)
		}
		return len(sts)
	}
	before := count(h.class.ID)

	// The download itself, into the same class: every student is there already.
	r = c.postFile("/classes/"+h.class.ID+"/roster/preview", "roster", "roster.csv", []byte(export), nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `data-testid="roster-repeated"`) || strings.Contains(r.body, "unknown column") {
		t.Fatalf("preview of the download: %d\n%.3000s", r.status, r.body)
	}

	// The download with a new student added, as an instructor would edit it.
	edited := export + "s99,New Person,new.person@example.edu,\n"
	r = c.postFile("/classes/"+h.class.ID+"/roster/preview", "roster", "roster.csv", []byte(edited), nil)
	for _, want := range []string{`data-testid="roster-skip-offer"`, "The only problem: 3 students of this file are on the roster already", "import only the 1 new student",
		`<input type="checkbox" id="skip-existing" name="skip_existing" value="1">`, "Skip students already on the roster (matched by e-mail)", "ada.zephyrine@example.edu is already on the roster"} {
		if !strings.Contains(r.body, want) {
			t.Fatalf("preview of the edited download lacks %q: %d\n%.4000s", want, r.status, r.body)
		}
	}
	// Without the box ticked: refused as today, the existing students named.
	r = c.postForm("/classes/"+h.class.ID+"/roster/import", url.Values{"csv": {edited}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "bea.quillfeather@example.edu is already on the roster") || !strings.Contains(r.body, "roster-skip-offer") {
		t.Fatalf("import without skip: %d\n%.3000s", r.status, r.body)
	}
	if n := count(h.class.ID); n != before {
		t.Fatalf("a refused import wrote %d students", n-before)
	}
	// Ticked: only the new one is added; the others keep their links.
	r = c.postForm("/classes/"+h.class.ID+"/roster/import", url.Values{"csv": {edited}, "skip_existing": {"1"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/shown/") {
		t.Fatalf("import with skip: %d %s\n%.2000s", r.status, r.header.Get("Location"), r.body)
	}
	r = c.get(r.header.Get("Location"))
	if !strings.Contains(r.body, "1 student imported; 3 students were on the roster already and kept their links") || !strings.Contains(r.body, "new.person@example.edu") ||
		strings.Contains(r.body, "ada.zephyrine@example.edu") || len(linkRE.FindAllString(r.body, -1)) == 0 {
		t.Fatalf("links page:\n%.3000s", r.body)
	}
	if n := count(h.class.ID); n != before+1 {
		t.Fatalf("roster grew by %d, want 1", n-before)
	}
	if r := h.anon().get("/s/" + h.a.token); r.status != http.StatusOK {
		t.Fatalf("a skipped student's link stopped working: %d", r.status)
	}
	// The same form again: nothing new, said plainly.
	r = c.postForm("/classes/"+h.class.ID+"/roster/import", url.Values{"csv": {edited}, "skip_existing": {"1"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="roster-repeated"`) || count(h.class.ID) != before+1 {
		t.Fatalf("repeated skip import: %d, %d students\n%.2000s", r.status, count(h.class.ID), r.body)
	}

	// The download into an empty class: the same names come back, the formula without
	// the export's apostrophe, and the ids of the old class are not taken over.
	fresh := &db.Class{Name: "Fresh", OwnerID: h.instructor.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
	if err := h.store.CreateClass(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	r = c.postForm("/classes/"+fresh.ID+"/roster/import", url.Values{"csv": {export}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("import of the download into a new class: %d\n%.2000s", r.status, r.body)
	}
	old, _ := h.store.Students(ctx, h.class.ID)
	got, _ := h.store.Students(ctx, fresh.ID)
	if len(got) != 3 {
		t.Fatalf("new class has %d students, want 3", len(got))
	}
	byEmail := map[string]string{}
	for _, s := range old {
		byEmail[s.Email] = s.Name
	}
	for _, s := range got {
		if byEmail[s.Email] != s.Name {
			t.Fatalf("%s came back as %q, was %q", s.Email, s.Name, byEmail[s.Email])
		}
	}
	// Skip with a student whose account belongs to someone else: still refused.
	r = c.postForm("/classes/"+h.class.ID+"/roster/import", url.Values{"csv": {"name,email\nBad,bad@example.edu\nAda,ada.zephyrine@example.edu\n\"Unclosed,x@example.edu\n"}, "skip_existing": {"1"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "never closed") && !strings.Contains(r.body, "without being closed properly") {
		t.Fatalf("bad file with skip: %d\n%.2000s", r.status, r.body)
	}
}
