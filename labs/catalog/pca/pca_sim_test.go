package pca

import (
	"context"
	"errors"
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
	if v.Chain == nil || len(v.Chain.Nodes) != 4 || !v.Chain.TLSOK || v.Chain.Billed != 2 || v.Chain.Nodes[1].Detail != "pathlen 0" {
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
		})
	}
}
