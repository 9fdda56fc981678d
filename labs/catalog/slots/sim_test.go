package slots

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// walk runs the students' scripts side by side, step by step, advancing the
// clock while a step answers ErrNotYet; it returns the first other error.
func walk(ctx context.Context, clock *sim.ManualClock, lab labs.Lab, envs map[string]*labs.Env) error {
	for _, st := range lab.Script {
		clock.Advance(st.Think)
		for s, e := range envs {
			for try := 0; ; try++ {
				err := st.Do(ctx, e)
				if err == nil {
					break
				}
				if try == 200 || !errors.Is(err, labs.ErrNotYet) {
					return fmt.Errorf("%s, step %q: %w", s, st.Name, err)
				}
				clock.Advance(5 * time.Second)
			}
		}
	}
	return nil
}

// prepare deploys each target's prerequisite stack and returns the students'
// envs by slug, with the stack's outputs, the persona's mistake (mistakes[slug],
// "" for none) and guest credentials acting through w, as the virtual-student
// runner gives them.
func prepare(t testing.TB, w *sim.World, c *cloud.Clients, clock *sim.ManualClock, lab labs.Lab, targets []labs.Target, mistakes map[string]string) map[string]*labs.Env {
	t.Helper()
	ctx := context.Background()
	envs := map[string]*labs.Env{}
	for _, tg := range targets {
		if _, err := labs.CreatePrereqStack(ctx, c, lab, tg); err != nil {
			t.Fatal(err)
		}
		m := mistakes[tg.StudentID]
		envs[tg.StudentID] = &labs.Env{C: c, T: tg, Persona: &labs.Persona{Mistakes: map[string]bool{m: m != ""}}, Memo: map[string]string{},
			AsCredentials: func(ctx context.Context, akid, secret, token string) (*cloud.Clients, error) {
				return w.ClientsWithCredentials(ctx, akid, secret, token, tg.Region)
			}}
	}
	clock.Advance(5 * time.Minute)
	for s, e := range envs {
		out, err := labs.StackOutputs(ctx, c, lab.StackName(e.T.Prefix, e.T.Region))
		if err != nil {
			t.Fatalf("%s stack: %v", s, err)
		}
		e.Stack = out
	}
	return envs
}

// TestLabOnTheSimulator deploys four students' prerequisite stacks, runs their
// scripts — one without mistakes, one per usual mistake — and judges every
// checkpoint from Observe: each mistake fails the checkpoint it breaks, with its
// cause, and nothing else.
func TestLabOnTheSimulator(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	counter := cloud.NewCallCounter(nil, "sim")
	w := sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 3})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	lab := Lab()
	students := map[string]string{"s01": "", "s02": mistakeEnhanced, "s03": mistakeKeepsBPA, "s04": mistakeNoGetItem}
	var targets []labs.Target
	for _, s := range []string{"s01", "s02", "s03", "s04"} {
		targets = append(targets, labs.NewTarget("c42", s, "111122223333", "us-east-1"))
	}
	envs := prepare(t, w, c, clock, lab, targets, students)
	// Before anyone starts: every checkpoint pending.
	cache := labs.NewCache()
	all, err := lab.Observe(ctx, c, cache, targets)
	if err != nil {
		t.Fatal(err)
	}
	for _, cp := range lab.Checkpoints {
		if r := cp.Check(all["s01"]); r.Status != labs.Pending {
			t.Errorf("before the lab, %s: %s %q", cp.ID, r.Status, r.Evidence)
		}
	}
	if err := walk(ctx, clock, lab, envs); err != nil {
		t.Fatal(err)
	}
	// The enhanced flow's guest credentials were refused the Invoke itself, by
	// their session policy; the basic flow's got the wheels.
	if got := envs["s02"].Memo["last-pull"]; !strings.Contains(got, "AccessDeniedException") || !strings.Contains(got, "lambda:InvokeFunction") {
		t.Errorf("s02's pull in the enhanced flow: %q, want Invoke's AccessDeniedException for lambda:InvokeFunction", got)
	}
	if got := envs["s01"].Memo["last-pull"]; !strings.Contains(got, "leftWheelImage") {
		t.Errorf("s01's pull in the basic flow: %q, want the wheels", got)
	}
	if !strings.Contains(envs["s01"].Memo["policy"], "BlockPublicPolicy") {
		t.Errorf("s01's first PutBucketPolicy was not refused by Block Public Access: %q", envs["s01"].Memo["policy"])
	}
	clock.Advance(2 * time.Minute) // the metrics of the last minute are in
	all, err = lab.Observe(ctx, c, cache, targets)
	if err != nil {
		t.Fatal(err)
	}
	result := func(s, id string) labs.Result {
		for _, cp := range lab.Checkpoints {
			if cp.ID == id {
				return cp.Check(all[s])
			}
		}
		t.Fatalf("no checkpoint %s", id)
		return labs.Result{}
	}
	want := map[string]map[string]struct {
		status labs.Status
		says   string
	}{
		"s02": {"guest-invoke": {labs.Fail, "enhanced flow"}, "pulled": {labs.Pending, "no invocations"}},
		"s03": {"website": {labs.Fail, "Block Public Access is on"}},
		"s04": {"function": {labs.Fail, "cannot read the wheels"}, "pulled": {labs.Fail, "errors"}},
	}
	for s := range students {
		o := all[s].(*Observation)
		for _, cp := range lab.Checkpoints {
			r := cp.Check(o)
			w, broken := want[s][cp.ID]
			switch {
			case broken && (r.Status != w.status || !strings.Contains(r.Evidence, w.says)):
				t.Errorf("%s %s: %s %q; want %s saying %q", s, cp.ID, r.Status, r.Evidence, w.status, w.says)
			case !broken && r.Status != labs.Pass:
				t.Errorf("%s %s: %s %q; want pass (problems %v)", s, cp.ID, r.Status, r.Evidence, o.Problems)
			}
		}
	}
	if r := result("s01", "pulled"); !strings.Contains(r.Evidence, "pulls") {
		t.Errorf("pulled: %q", r.Evidence)
	}
	o := all["s01"].(*Observation)
	if len(o.Pulls) == 0 || o.Probe == nil || o.Probe.Status != 200 || !strings.Contains(o.Probe.Body, "Slot machine") {
		t.Errorf("s01: pulls %v, probe %+v", o.Pulls, o.Probe)
	}
	// While the simulator serves no websites there is nothing to open; once it
	// does, the website tile links to the student's own site on its loopback port.
	if o.Open != "" {
		t.Errorf("s01's site opens at %q with no website server", o.Open)
	}
	wctx, stopSites := context.WithCancel(ctx)
	defer stopSites()
	at, err := w.ServeWebsite(wctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if all, err = lab.Observe(ctx, c, cache, targets); err != nil {
		t.Fatal(err)
	}
	o = all["s01"].(*Observation)
	if want := "http://" + at + "/" + bucketName(envs["s01"].T) + "/"; o.Open != want {
		t.Errorf("s01's site opens at %q, want %q", o.Open, want)
	}
	if v := websiteTile(o, nil); v.Tile == nil || len(v.Tile.Links) != 1 || v.Tile.Links[0].URL != o.Open {
		t.Errorf("the website tile's links: %+v", v.Tile)
	} else if res, err := http.Get(o.Open); err != nil || res.StatusCode != 200 {
		t.Errorf("GET %s: %v %v", o.Open, res, err)
	} else {
		res.Body.Close()
	}
	// The page a student opens: served by the simulator's website handler, its
	// pull (the config the script baked in) answers the wheels in the basic flow
	// and the trap's denial in the enhanced one.
	site := httptest.NewServer(http.StripPrefix("/site", w.Website()))
	defer site.Close()
	for s, want := range map[string]string{"s01": "leftWheelImage", "s02": "session policy"} {
		b := bucketName(envs[s].T)
		res, err := http.Get(site.URL + "/site/" + b + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), "Pull the handle") {
			t.Fatalf("%s's page: %d %.200s", s, res.StatusCode, body)
		}
		i := strings.Index(string(body), "const config = ")
		cfg := string(body)[i+len("const config = "):]
		cfg = cfg[:strings.Index(cfg, ";\n")]
		res, err = http.Post(site.URL+"/site/"+b+"/_labdash/pull", "application/json", strings.NewReader(cfg))
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), want) {
			t.Errorf("%s's pull (%s): %d %.300s; want %q", s, cfg, res.StatusCode, body, want)
		}
	}
	if n := all["s04"].(*Observation); lastError(n.Pulls) == "" {
		t.Errorf("s04's failed pulls are not in the feed: %v", n.Pulls)
	}
	if len(o.Stale) > 0 || len(o.Problems) > 0 {
		t.Errorf("s01: stale %v, problems %v", o.Stale, o.Problems)
	}

	// The rehearsal actions bring the traps back on the student who got past
	// them, and take them away again.
	e := envs["s01"]
	act := func(id string) {
		t.Helper()
		for _, a := range lab.Actions {
			if a.ID != id {
				continue
			}
			st, err := a.State(ctx, e)
			if err != nil || !a.Offered(st) {
				t.Fatalf("%s in state %q (%v): not offered", id, st, err)
			}
			if err := a.Do(ctx, e); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			if after, _ := a.State(ctx, e); after == st {
				t.Errorf("%s left the state %q", id, st)
			}
			return
		}
		t.Fatalf("no action %s", id)
	}
	act("enhanced-flow")
	act("remove-getitem")
	clock.Advance(time.Minute)
	all, _ = lab.Observe(ctx, c, cache, targets)
	if r := result("s01", "guest-invoke"); r.Status != labs.Fail || !strings.Contains(r.Evidence, "enhanced flow") {
		t.Errorf("after the enhanced-flow action: %s %q", r.Status, r.Evidence)
	}
	if r := result("s01", "function"); r.Status != labs.Fail || !strings.Contains(r.Evidence, "cannot read the wheels") {
		t.Errorf("after the GetItem action: %s %q", r.Status, r.Evidence)
	}
	act("basic-flow")
	act("restore-getitem")
	clock.Advance(time.Minute)
	all, _ = lab.Observe(ctx, c, cache, targets)
	for _, id := range []string{"guest-invoke", "function"} {
		if r := result("s01", id); r.Status != labs.Pass {
			t.Errorf("after undoing the actions, %s: %s %q", id, r.Status, r.Evidence)
		}
	}
}
