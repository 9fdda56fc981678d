package labs

import "testing"

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	r.Register(Lab{ID: "zeta", Title: "Z", Order: 2})
	r.Register(Lab{ID: "alpha", Title: "A", Order: 1})
	all := r.All()
	if len(all) != 2 || all[0].ID != "alpha" || all[1].ID != "zeta" {
		t.Fatalf("All() = %+v; want alpha then zeta", all)
	}
	if _, ok := r.Lab("alpha"); !ok {
		t.Fatal("Lab(alpha) not found")
	}
	if _, ok := r.Lab("nope"); ok {
		t.Fatal("Lab(nope) found")
	}
	for name, l := range map[string]Lab{
		"duplicate": {ID: "alpha", Title: "again"},
		"bad id":    {ID: "Bad ID", Title: "x"},
		"no title":  {ID: "notitle"},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatalf("Register(%+v) did not panic", l)
				}
			}()
			r.Register(l)
		})
	}
}
