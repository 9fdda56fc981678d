package labs

import (
	"testing"
	"time"
)

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

func TestCacheKeep(t *testing.T) {
	type mem struct{ n int }
	c := NewCache()
	Keep[mem](c, "s01", "m").n = 3
	Keep[mem](c, "", "m").n = 7
	if got := Keep[mem](c, "s01", "m").n; got != 3 {
		t.Errorf("s01: %d, want the 3 kept", got)
	}
	if got := Keep[mem](c, "s02", "m").n; got != 0 {
		t.Errorf("s02: %d, want a fresh entry", got)
	}
	if got := Keep[int](c, "s01", "m"); *got != 0 {
		t.Errorf("another type under the same key: %d, want a fresh value", *got)
	}
	if got := c.Students(); len(got) != 2 || got[0] != "s01" || got[1] != "s02" {
		t.Errorf("students: %v", got)
	}
	c.Forget("s01")
	if got := Keep[mem](c, "s01", "m").n; got != 0 {
		t.Errorf("s01 after Forget: %d, want a fresh entry", got)
	}
	if got := Keep[mem](c, "", "m").n; got != 7 {
		t.Errorf("group entry after Forget(s01): %d, want 7", got)
	}
	var none *Cache
	Keep[mem](none, "s01", "m").n = 5
	if got := Keep[mem](none, "s01", "m").n; got != 0 {
		t.Errorf("nil cache remembered %d", got)
	}
	none.Forget("s01")
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0 s", 45 * time.Second: "45 s", 10 * time.Minute: "10 min", 90 * time.Second: "1 min 30 s",
		2 * time.Hour: "2 h", 90 * time.Minute: "1 h 30 min", 1499 * time.Millisecond: "1 s",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
	if got := Plural(1, "task", "tasks") + ", " + Plural(0, "task", "tasks") + ", " + Plural(2, "task", "tasks"); got != "1 task, 0 tasks, 2 tasks" {
		t.Errorf("Plural: %q", got)
	}
}
