package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/labdash/labdash/labs/catalog"
)

// TestClassLabsNeedTheirRegions: a lab that runs in regions of its own (Global
// Accelerator: us-east-1 and eu-west-1) refuses a class that lacks one, naming
// the lab and what it needs, because the class would otherwise run it in a region
// it never chose; with both regions it is accepted.
func TestClassLabsNeedTheirRegions(t *testing.T) {
	reg := catalog.New()
	for name, c := range map[string]struct {
		regions []string
		labs    []string
		want    []string // in errs["labs"]; none: accepted
	}{
		"ga in one region":                {[]string{"us-east-1"}, []string{"ga"}, []string{"ga (", "runs in us-east-1 and eu-west-1", "add eu-west-1"}},
		"ga in the other region only":     {[]string{"eu-west-1"}, []string{"ga"}, []string{"ga (", "add us-east-1"}},
		"ga in two regions, wrong pair":   {[]string{"us-east-1", "eu-central-1"}, []string{"ga"}, []string{"add eu-west-1"}},
		"ga in neither":                   {[]string{"ap-south-1"}, []string{"ga"}, []string{"add us-east-1 and eu-west-1"}},
		"ga in both regions":              {[]string{"us-east-1", "eu-west-1"}, []string{"ga"}, nil},
		"ga in both, other order":         {[]string{"eu-west-1", "us-east-1"}, []string{"ga", "fargate"}, nil},
		"fargate in one region":           {[]string{"us-east-1"}, []string{"fargate"}, nil},
		"ga beside fargate in one region": {[]string{"us-east-1"}, []string{"fargate", "ga"}, []string{"ga (", "add eu-west-1"}},
	} {
		t.Run(name, func(t *testing.T) {
			in := classInput{Name: "Regions", Regions: c.regions, Labs: c.labs}
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
		})
	}
}

// TestClassFormAndAPIRefuseGAInOneRegion: the form answers 422 with the reason
// beside the labs, the API 422 with it in the detail; nothing is created.
func TestClassFormAndAPIRefuseGAInOneRegion(t *testing.T) {
	h := newHarness(t)
	c := h.as(h.instructor)
	before, _ := h.store.ClassesFor(t.Context(), h.instructor)
	r := c.postForm("/classes", url.Values{"name": {"GA"}, "regions": {"us-east-1"}, "isolation": {"shared-account"}, "labs": {"ga"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "add eu-west-1") {
		t.Fatalf("form: %d, want 422 naming eu-west-1\n%.400s", r.status, r.body)
	}
	r = h.withToken(h.apiToken).postJSON("/api/v1/classes", `{"name":"GA","regions":["us-east-1"],"labs":["ga"]}`)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "ga (") || !strings.Contains(r.body, "eu-west-1") {
		t.Fatalf("API: %d %s", r.status, r.body)
	}
	after, _ := h.store.ClassesFor(t.Context(), h.instructor)
	if len(after) != len(before) {
		t.Fatalf("a refused class was created: %d → %d classes", len(before), len(after))
	}
	r = c.postForm("/classes", url.Values{"name": {"GA"}, "regions": {"us-east-1", "eu-west-1"}, "isolation": {"shared-account"}, "labs": {"ga"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("GA in both regions: %d\n%.400s", r.status, r.body)
	}
}
