package pca

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// simLab deploys student s07's prerequisite stack on a fresh simulator and
// returns what a test needs to run the script and judge.
type simLab struct {
	t     *testing.T
	ctx   context.Context
	clock *sim.ManualClock
	w     *sim.World
	env   *labs.Env
	lab   labs.Lab
	cache *labs.Cache
}

func newSimLab(t *testing.T, mistakes ...string) *simLab {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 9})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	tg := labs.NewTarget("c42", "s07", "111122223333", "us-east-1")
	vpc, subnets := w.ClassVPC("", "us-east-1")
	name := tg.Prefix + "pca-pre"
	if _, err := c.CloudFormation.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(string(template)),
		Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Prefix"), ParameterValue: aws.String(tg.Prefix)}, {ParameterKey: aws.String("VpcId"), ParameterValue: aws.String(vpc)},
			{ParameterKey: aws.String("Subnets"), ParameterValue: aws.String(strings.Join(subnets, ","))}},
		Tags: Lab().StackTags("c42", "s07")}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Minute)
	out, err := labs.StackOutputs(ctx, c, name)
	if err != nil {
		t.Fatal(err)
	}
	p := &labs.Persona{Mistakes: map[string]bool{}}
	for _, m := range mistakes {
		p.Mistakes[m] = true
	}
	return &simLab{t: t, ctx: ctx, clock: clock, w: w, lab: Lab(), cache: labs.NewCache(),
		env: &labs.Env{C: c, T: tg, Persona: p, Stack: out, Memo: map[string]string{}}}
}

func (s *simLab) run(upto int) {
	s.t.Helper()
	for i := 0; i <= upto; i++ {
		st := s.lab.Script[i]
		for try := 0; ; try++ {
			err := st.Do(s.ctx, s.env)
			if err == nil {
				break
			}
			if !errors.Is(err, labs.ErrNotYet) || try > 40 {
				s.t.Fatalf("step %q: %v", st.Name, err)
			}
			s.clock.Advance(15 * time.Second)
		}
		s.clock.Advance(2 * time.Second)
	}
}

func (s *simLab) observe() *Observation {
	s.t.Helper()
	all, err := s.lab.Observe(s.ctx, s.env.C, s.cache, []labs.Target{s.env.T})
	if err != nil {
		s.t.Fatal(err)
	}
	return all["s07"].(*Observation)
}

func (s *simLab) judge() map[string]labs.Result {
	s.t.Helper()
	o := s.observe()
	got := map[string]labs.Result{}
	for _, cp := range s.lab.Checkpoints {
		got[cp.ID] = cp.Check(o)
		s.t.Logf("%s: %s %s", cp.ID, got[cp.ID].Status, got[cp.ID].Evidence)
	}
	return got
}

// TestLabOnSimulator runs the virtual student's whole script on the simulator:
// every checkpoint passes, checkpoint 6 by a real TLS handshake whose chain
// crypto/x509 verifies against the root alone, and the widget and badge say so.
func TestLabOnSimulator(t *testing.T) {
	s := newSimLab(t)
	if got := s.judge(); got["root-ca"].Status != labs.Pending || got["chain"].Status != labs.Pending {
		t.Fatalf("before the script: %v", got)
	}
	s.run(0)
	if got := s.judge(); got["root-ca"].Status != labs.Pending || !strings.Contains(got["root-ca"].Evidence, "PENDING_CERTIFICATE") {
		t.Errorf("root created, no certificate: %+v", got["root-ca"])
	}
	s.run(len(s.lab.Script) - 1)
	s.clock.Advance(61 * time.Second) // past the 60 s detail cadence
	got := s.judge()
	for _, cp := range s.lab.Checkpoints {
		if got[cp.ID].Status != labs.Pass {
			t.Errorf("%s: %s %q", cp.ID, got[cp.ID].Status, got[cp.ID].Evidence)
		}
	}
	if !strings.Contains(got["chain"].Evidence, "myorg subordinate CA → myorg root CA") || !strings.Contains(got["chain"].Evidence, "fails, as expected") {
		t.Errorf("chain evidence: %q", got["chain"].Evidence)
	}
	o := s.observe()
	v := s.lab.Widgets[0].View(o, labs.NewHistory())
	if v.Chain == nil || len(v.Chain.Nodes) != 4 || !v.Chain.TLSOK || v.Chain.Billed != 2 || v.Chain.Nodes[1].Detail != "pathlen 0" || v.Chain.Nodes[2].Tone != "ok" {
		t.Fatalf("widget: %+v", v.Chain)
	}
	if b := Summary(o); b.Badge != "2 CA · TLS ✓" || b.BadgeTone != "ok" {
		t.Errorf("badge %+v", b)
	}
	if rs := o.Resources(); len(rs) != 4 {
		t.Errorf("resources: %+v", rs)
	}
	// Rehearsal: disabling the subordinate shows at once (its status changed).
	for _, a := range s.lab.Actions {
		if a.ID == "disable-sub-ca" {
			if err := a.Do(s.ctx, s.env); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.clock.Advance(time.Second)
	if got := s.judge(); got["sub-ca"].Status != labs.Fail || !strings.Contains(got["sub-ca"].Evidence, "DISABLED") {
		t.Errorf("after disabling the subordinate: %+v", got["sub-ca"])
	}
}

// TestMistakesOnSimulator: each usual mistake leaves its checkpoint failing with
// evidence that names the cause.
func TestMistakesOnSimulator(t *testing.T) {
	for _, tc := range []struct {
		mistake, checkpoint, want string
	}{
		{mistakePathLen1, "sub-ca", "path length 1"},
		{mistakePublic, "private-cert", "AMAZON_ISSUED"},
		{mistakeFromRoot, "private-cert", "from the root CA"},
		{mistakeHTTP443, "https-listener", "protocol is HTTP"},
		{mistakeHTTP443, "chain", "speaks HTTP, not TLS"},
	} {
		t.Run(tc.mistake+"/"+tc.checkpoint, func(t *testing.T) {
			s := newSimLab(t, tc.mistake)
			n := len(s.lab.Script) - 1
			if tc.mistake == mistakePublic {
				n = 5 // the listener refuses a certificate that is not ISSUED
			}
			s.run(n)
			s.clock.Advance(61 * time.Second)
			r := s.judge()[tc.checkpoint]
			if r.Status != labs.Fail || !strings.Contains(r.Evidence, tc.want) {
				t.Errorf("%s: %s %q, want fail naming %q", tc.checkpoint, r.Status, r.Evidence, tc.want)
			}
			if tc.mistake == mistakeFromRoot { // the widget's certificate box says so too, in red
				v := s.lab.Widgets[0].View(s.observe(), labs.NewHistory())
				if c := v.Chain.Nodes[2]; c.Tone != "bad" || c.Detail != "PRIVATE · from the root" || v.Chain.Nodes[1].InUse != "signs nothing yet" {
					t.Errorf("certificate from the root drawn as %+v (subordinate %+v)", c, v.Chain.Nodes[1])
				}
			}
		})
	}
}

func (s *simLab) action(id string) labs.Action {
	s.t.Helper()
	for _, a := range s.lab.Actions {
		if a.ID == id {
			return a
		}
	}
	s.t.Fatalf("no action %s", id)
	return labs.Action{}
}

// TestRehearsalActionsOnSimulator: each button reads the state it starts from,
// refuses where there is nothing to act on, and its change shows in the
// checkpoints and the widget: deleting the :443 listener fails the listener, in-use
// and chain checkpoints and dashes the listener box; recreating it brings the
// chain back; disabling and re-enabling the subordinate goes DISABLED → ACTIVE.
func TestRehearsalActionsOnSimulator(t *testing.T) {
	s := newSimLab(t)
	del, rec := s.action("delete-https-listener"), s.action("recreate-https-listener")
	dis, en := s.action("disable-sub-ca"), s.action("enable-sub-ca")
	// Before the student has a subordinate or a certificate, there is nothing to act on.
	if _, err := dis.State(s.ctx, s.env); err == nil || !strings.Contains(err.Error(), "no subordinate CA yet") {
		t.Errorf("disable before the subordinate exists: %v", err)
	}
	if _, err := del.State(s.ctx, s.env); err == nil || !strings.Contains(err.Error(), "no certificate yet") {
		t.Errorf("listener state before the certificate: %v", err)
	}
	s.run(len(s.lab.Script) - 1)
	s.clock.Advance(61 * time.Second)
	state := func(a labs.Action) string {
		t.Helper()
		st, err := a.State(s.ctx, s.env)
		if err != nil {
			t.Fatalf("%s state: %v", a.ID, err)
		}
		return st
	}
	if st := state(del); st != "present" || !slices.Contains(del.From, st) || slices.Contains(rec.From, st) {
		t.Fatalf("listener state %q: delete offered from %v, recreate from %v", st, del.From, rec.From)
	}
	if err := del.Do(s.ctx, s.env); err != nil {
		t.Fatal(err)
	}
	if st := state(del); st != "absent" || !slices.Contains(rec.From, st) {
		t.Errorf("after deleting: listener state %q", st)
	}
	if err := del.Do(s.ctx, s.env); err == nil || !strings.Contains(err.Error(), "no :443 listener to delete") {
		t.Errorf("deleting twice: %v", err)
	}
	s.clock.Advance(31 * time.Second) // past the probe's 30 s cadence
	got := s.judge()
	if got["https-listener"].Status == labs.Pass || got["in-use"].Status == labs.Pass || got["chain"].Status == labs.Pass {
		t.Errorf("after deleting the listener: https-listener %+v, in-use %+v, chain %+v", got["https-listener"], got["in-use"], got["chain"])
	}
	v := s.lab.Widgets[0].View(s.observe(), labs.NewHistory())
	if l := v.Chain.Nodes[3]; !l.Missing || l.State != "no :443 listener" || v.Chain.TLSOK {
		t.Errorf("widget after deleting: listener %+v, TLS ok %v (%s)", l, v.Chain.TLSOK, v.Chain.TLS)
	}
	if err := rec.Do(s.ctx, s.env); err != nil {
		t.Fatal(err)
	}
	if st := state(rec); st != "present" {
		t.Errorf("after recreating: listener state %q", st)
	}
	s.clock.Advance(61 * time.Second)
	got = s.judge()
	for _, id := range []string{"https-listener", "in-use", "chain"} {
		if got[id].Status != labs.Pass || strings.Contains(got[id].Evidence, "passed earlier") {
			t.Errorf("after recreating, %s: %s %q", id, got[id].Status, got[id].Evidence)
		}
	}
	v = s.lab.Widgets[0].View(s.observe(), labs.NewHistory())
	if l := v.Chain.Nodes[3]; l.Missing || l.State != "HTTPS:443" || !v.Chain.TLSOK {
		t.Errorf("widget after recreating: listener %+v, TLS %s", l, v.Chain.TLS)
	}
	// The subordinate: ACTIVE → DISABLED (still billed, the widget says so) → ACTIVE.
	if st := state(dis); st != "ACTIVE" || !slices.Contains(dis.From, st) || slices.Contains(en.From, st) {
		t.Fatalf("subordinate state %q", st)
	}
	if err := dis.Do(s.ctx, s.env); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	v = s.lab.Widgets[0].View(s.observe(), labs.NewHistory())
	if sub := v.Chain.Nodes[1]; state(dis) != "DISABLED" || sub.State != "DISABLED" || sub.Tone != "bad" || v.Chain.Billed != 2 {
		t.Errorf("after disabling: %+v, billed %d", sub, v.Chain.Billed)
	}
	if err := en.Do(s.ctx, s.env); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Second)
	if got := s.judge(); state(en) != "ACTIVE" || got["sub-ca"].Status != labs.Pass || strings.Contains(got["sub-ca"].Evidence, "passed earlier") {
		t.Errorf("after re-enabling: %+v", got["sub-ca"])
	}
}
