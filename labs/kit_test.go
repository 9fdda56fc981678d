package labs

import "testing"

type kitObs struct{ n int }

func TestTyped(t *testing.T) {
	check := Typed(func(o *kitObs) Result {
		if o.n > 0 {
			return Passf("n is %d", o.n)
		}
		return Failf("n is %d", o.n)
	})
	for _, tc := range []struct {
		name string
		obs  Observation
		want Result
	}{
		{"pass", &kitObs{n: 2}, Result{Status: Pass, Evidence: "n is 2"}},
		{"fail", &kitObs{}, Result{Status: Fail, Evidence: "n is 0"}},
		{"nil pointer", (*kitObs)(nil), Result{Status: Error, Evidence: "no observation"}},
		{"nil", nil, Result{Status: Error, Evidence: "no observation"}},
		{"other type", "x", Result{Status: Error, Evidence: "no observation"}},
	} {
		if got := check(tc.obs); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestResultHelpers(t *testing.T) {
	for _, tc := range []struct {
		got, want Result
	}{
		{Passf("a %s", "b"), Result{Status: Pass, Evidence: "a b"}},
		{Failf("%d", 3), Result{Status: Fail, Evidence: "3"}},
		{Pendingf("no %s yet", "x"), Result{Status: Pending, Evidence: "no x yet"}},
	} {
		if tc.got != tc.want {
			t.Errorf("got %+v, want %+v", tc.got, tc.want)
		}
	}
}
