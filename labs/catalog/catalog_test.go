package catalog

import (
	"testing"

	"github.com/labdash/labdash/labs"
)

func TestCatalogHasTheTenLabs(t *testing.T) {
	r := labs.NewRegistry()
	Register(r) // panics on a duplicate or invalid id
	all := r.All()
	if len(all) != 10 {
		t.Fatalf("catalog has %d labs, want the 10 of LABS.md", len(all))
	}
	for i, l := range all {
		if l.Order != i+1 {
			t.Errorf("lab %s has order %d, want %d", l.ID, l.Order, i+1)
		}
		if l.Summary == "" {
			t.Errorf("lab %s has no summary", l.ID)
		}
		if l.AccountPerStudentOnly && l.Why == "" {
			t.Errorf("lab %s is account-per-student only but does not say why", l.ID)
		}
	}
}
