package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/sandbox"
)

// TestClassRefusesALabProvisioningWouldRefuse: in a shared account, a lab with no
// sandbox policy yet (photos) was accepted by the class form and API and only
// refused at "Provision"; it is refused at validation now, beside the labs, with
// the reason and what to do. In its own accounts it is accepted.
func TestClassRefusesALabProvisioningWouldRefuse(t *testing.T) {
	reg := catalog.New()
	for name, c := range map[string]struct {
		isolation string
		labs      []string
		stored    []string // an edited class's labs as stored
		want      []string // in errs["labs"]; none: accepted
	}{
		"photos, shared":                 {db.IsolationShared, []string{"photos"}, nil, []string{"photos cannot run in a shared account", "no sandbox policy", "give each student their own account"}},
		"photos, isolation left blank":   {"", []string{"photos"}, nil, []string{"photos cannot run in a shared account"}},
		"photos beside fargate, shared":  {db.IsolationShared, []string{"fargate", "photos"}, nil, []string{"photos cannot run"}},
		"slots, shared":                  {db.IsolationShared, []string{"slots"}, nil, nil}, // Lab 4 has grants: fenced by name and tag
		"route53, shared":                {db.IsolationShared, []string{"route53"}, nil, nil},
		"photos, own accounts":           {db.IsolationPerStudent, []string{"photos"}, nil, nil},
		"fargate, shared":                {db.IsolationShared, []string{"fargate"}, nil, nil},
		"macie, shared":                  {db.IsolationShared, []string{"macie"}, nil, []string{"macie cannot run in a shared account"}},
		"photos added by an edit":        {db.IsolationShared, []string{"fargate", "photos"}, []string{"fargate"}, []string{"photos cannot run"}},
		"photos stored before the check": {db.IsolationShared, []string{"fargate", "photos"}, []string{"fargate", "photos"}, nil},
		"macie stored, still refused":    {db.IsolationShared, []string{"macie"}, []string{"macie"}, []string{"macie cannot run"}},
	} {
		t.Run(name, func(t *testing.T) {
			in := classInput{Name: "Shared", Regions: []string{"us-east-1"}, Isolation: c.isolation, Labs: c.labs, storedLabs: c.stored}
			errs := in.validate(reg)
			if c.want == nil {
				if len(errs) > 0 {
					t.Fatalf("refused: %v", errs)
				}
				return
			}
			for _, w := range c.want {
				if !strings.Contains(errs["labs"], w) {
					t.Errorf("labs error %q lacks %q", errs["labs"], w)
				}
			}
			if strings.Contains(errs["labs"], "sandbox:") {
				t.Errorf("labs error %q carries the Go error prefix", errs["labs"])
			}
		})
	}
}

// TestClassValidationAgreesWithProvisioning: for every lab alone, in each
// isolation, the class form accepts it exactly when provisioning would.
func TestClassValidationAgreesWithProvisioning(t *testing.T) {
	reg := catalog.New()
	p := &sandbox.Provisioner{Registry: reg}
	for _, l := range reg.All() {
		for _, iso := range []string{db.IsolationShared, db.IsolationPerStudent} {
			regions := append([]string{"us-east-1"}, l.MissingRegions([]string{"us-east-1"})...)
			in := classInput{Name: "Agree", Regions: regions, Isolation: iso, Labs: []string{l.ID}}
			formErr := in.validate(reg)["labs"]
			provErr := p.CheckLabs(&db.Class{ID: "cabcd", Regions: regions, Isolation: iso, Labs: []string{l.ID}})
			if (formErr == "") != (provErr == nil) {
				t.Errorf("%s, %s: the form says %q, provisioning says %v", l.ID, iso, formErr, provErr)
			}
		}
	}
}

// TestClassFormAndAPIRefusePhotosInASharedAccount: the form answers 422 with the
// reason beside the labs, the API 422 naming the field; nothing is created, and a
// PATCH that adds the lab to a shared class is refused too.
func TestClassFormAndAPIRefusePhotosInASharedAccount(t *testing.T) {
	h := newHarness(t)
	c := h.as(h.instructor)
	before, _ := h.store.ClassesFor(t.Context(), h.instructor)
	r := c.postForm("/classes", url.Values{"name": {"Photos"}, "regions": {"us-east-1"}, "isolation": {"shared-account"}, "labs": {"photos"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "photos cannot run in a shared account") {
		t.Fatalf("form: %d, want 422 with the reason\n%.600s", r.status, r.body)
	}
	r = h.withToken(h.apiToken).postJSON("/api/v1/classes", `{"name":"Photos","regions":["us-east-1"],"labs":["photos"]}`)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "labs") || !strings.Contains(r.body, "no sandbox policy") {
		t.Fatalf("API: %d %s", r.status, r.body)
	}
	after, _ := h.store.ClassesFor(t.Context(), h.instructor)
	if len(after) != len(before) {
		t.Fatalf("a refused class was created: %d → %d classes", len(before), len(after))
	}
	// A shared class stored with route53 before the check: adding photos is refused,
	// a rename keeps route53 as it is.
	old := &db.Class{Name: "Stored", OwnerID: h.instructor.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate", "route53"}}
	if err := h.store.CreateClass(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	r = h.withToken(h.apiToken).do(http.MethodPatch, "/api/v1/classes/"+old.ID, strings.NewReader(`{"labs":["fargate","route53","photos"]}`), "application/json", nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "photos cannot run in a shared account") {
		t.Fatalf("API edit adding photos: %d %s", r.status, r.body)
	}
	if cl, _ := h.store.Class(t.Context(), old.ID); strings.Join(cl.Labs, ",") != "fargate,route53" {
		t.Fatalf("a refused edit changed the labs: %v", cl.Labs)
	}
	r = h.withToken(h.apiToken).do(http.MethodPatch, "/api/v1/classes/"+old.ID, strings.NewReader(`{"name":"Renamed"}`), "application/json", nil)
	if r.status != http.StatusOK {
		t.Fatalf("renaming a class stored with route53: %d %s", r.status, r.body)
	}
	r = c.postForm("/classes", url.Values{"name": {"Photos"}, "regions": {"us-east-1"}, "isolation": {"account-per-student"}, "labs": {"photos"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("photos in its own accounts: %d\n%.400s", r.status, r.body)
	}
}
