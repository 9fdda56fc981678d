package fargate

import (
	"fmt"
	"testing"

	"github.com/labdash/labdash/labs"
)

// TestPrefixOwnerNearMisses: a resource belongs to the student whose whole prefix
// (class id, student id, dash) starts its name, and to nobody on a near miss.
func TestPrefixOwnerNearMisses(t *testing.T) {
	byPrefix := map[string]*Observation{}
	for _, slug := range []string{"s1", "s10", "s01"} {
		tg := labs.NewTarget("c42", slug, "111122223333", "us-east-1")
		byPrefix[tg.Prefix] = &Observation{Target: tg}
	}
	for name, want := range map[string]string{
		"c42s1-cluster":      "s1",
		"c42s10-cluster":     "s10",
		"c42s01-svc-blue":    "s01",
		"c42s1-x-y-z":        "s1",
		"c42s100-cluster":    "", // a student the group does not hold
		"c42s1cluster":       "", // no dash after the id
		"c42s1":              "",
		"c4s21-cluster":      "", // another class whose id and slug run together alike
		"xc42s1-cluster":     "",
		"C42S1-cluster":      "",
		"":                   "",
		"-":                  "",
		"c43s1-cluster":      "",
		"c42s1\u2010cluster": "", // a Unicode hyphen is not the dash
	} {
		got := ""
		if o := prefixOwner(byPrefix, name); o != nil {
			got = o.Target.StudentID
		}
		if got != want {
			t.Errorf("owner of %q = %q, want %q", name, got, want)
		}
	}
}

// BenchmarkPrefixOwner: one look-up in a 2,000-student group (was a walk of the group).
func BenchmarkPrefixOwner(b *testing.B) {
	byPrefix := map[string]*Observation{}
	for i := 1; i <= 2000; i++ {
		tg := labs.NewTarget("c42", fmt.Sprintf("s%04d", i), "111122223333", "us-east-1")
		byPrefix[tg.Prefix] = &Observation{Target: tg}
	}
	for b.Loop() {
		if prefixOwner(byPrefix, "c42s1999-cluster") == nil {
			b.Fatal("not found")
		}
	}
}
