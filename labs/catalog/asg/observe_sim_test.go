package asg

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// simLab is one world with students of class c42 (and a decoy class) running the
// lab's script as labdash's own clients.
type simLab struct {
	t     *testing.T
	ctx   context.Context
	clock *sim.ManualClock
	w     *sim.World
	c     *cloud.Clients
	envs  map[string]*labs.Env
	cache *labs.Cache
}

func newSimLab(t *testing.T) *simLab {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 8})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return &simLab{t: t, ctx: ctx, clock: clock, w: w, c: c, envs: map[string]*labs.Env{}, cache: labs.NewCache()}
}

// student deploys a student's stack and runs the script to its end (or to the
// step a mistake stops it at), advancing the clock as the student thinks.
func (s *simLab) student(class, id string, mistakes ...string) *labs.Env {
	s.t.Helper()
	tg := labs.NewTarget(class, id, "111122223333", "us-east-1")
	if _, err := labs.CreatePrereqStack(s.ctx, s.c, Lab(), tg); err != nil {
		s.t.Fatal(err)
	}
	p := &labs.Persona{Pace: 1, Mistakes: map[string]bool{}, StuckAfter: -1}
	for _, m := range mistakes {
		p.Mistakes[m] = true
	}
	e := &labs.Env{C: s.c, T: tg, Persona: p, Stack: map[string]string{}, Memo: map[string]string{},
		Load: func(arn string, rps float64) error { return s.w.SetLoad("", "us-east-1", arn, rps) }}
	s.clock.Advance(time.Minute)
	for _, st := range Lab().Script {
		var err error
		for try := 0; try < 40; try++ {
			if err = st.Do(s.ctx, e); err != labs.ErrNotYet && !strings.Contains(errString(err), "not yet") {
				break
			}
			s.clock.Advance(15 * time.Second)
		}
		if err != nil {
			s.t.Fatalf("%s/%s: step %q: %v", class, id, st.Name, err)
		}
	}
	s.envs[class+id] = e
	return e
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// observe reads the class c42's students.
func (s *simLab) observe(ids ...string) map[string]*Observation {
	s.t.Helper()
	var targets []labs.Target
	for _, id := range ids {
		targets = append(targets, labs.NewTarget("c42", id, "", ""))
	}
	got, err := Observe(s.ctx, s.c, s.cache, targets)
	if err != nil {
		s.t.Fatal(err)
	}
	out := map[string]*Observation{}
	for k, v := range got {
		out[k] = v.(*Observation)
	}
	return out
}

func (s *simLab) results(o *Observation) map[string]labs.Result {
	out := map[string]labs.Result{}
	for _, cp := range Lab().Checkpoints {
		out[cp.ID] = cp.Check(o)
	}
	return out
}

// TestLabOnTheSimulator: a correct student passes every checkpoint; the usual
// mistakes fail the checkpoints they break, with the cause in the evidence; a
// student of another class with the same student id and a student who has not
// started are not confused with them; the class bar counts them all.
func TestLabOnTheSimulator(t *testing.T) {
	s := newSimLab(t)
	s.student("c42", "s01")
	s.student("c42", "s02", mistakeBase)
	s.student("c42", "s03", mistakePercentage)
	s.student("c42", "s04", mistakeSpotInTemplate)
	s.student("c9zz", "s05") // another class: its group is c9zzs05-asg
	if _, err := labs.CreatePrereqStack(s.ctx, s.c, Lab(), labs.NewTarget("c42", "s06", "", "us-east-1")); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(3 * time.Minute) // s03's rebalance, and everyone InService
	obs := s.observe("s01", "s02", "s03", "s04", "s05", "s06")
	for _, id := range []string{"s01", "s03", "s04"} {
		for cp, r := range s.results(obs[id]) {
			if r.Status != labs.Pass {
				t.Errorf("%s %s: %s %q (problems %v)", id, cp, r.Status, r.Evidence, obs[id].Problems)
			}
		}
	}
	r := s.results(obs["s02"])
	if r["asg-config"].Status != labs.Fail || !strings.Contains(r["asg-config"].Evidence, "OnDemandBaseCapacity is 2, want 0") {
		t.Errorf("s02 asg-config: %+v", r["asg-config"])
	}
	if r["mix-achieved"].Status != labs.Fail || !strings.Contains(r["mix-achieved"].Evidence, "3 On-Demand + 1 Spot") {
		t.Errorf("s02 mix-achieved: %+v", r["mix-achieved"])
	}
	if r["launch-template"].Status != labs.Pass {
		t.Errorf("s02 launch-template: %+v", r["launch-template"])
	}
	if obs["s05"].Group != nil || obs["s05"].Template != nil {
		t.Errorf("c42s05 has no lab; another class's c9zzs05 resources were taken for it")
	}
	for cp, r := range s.results(obs["s06"]) {
		if r.Status != labs.Pending {
			t.Errorf("s06 (not started) %s: %s %q, want pending", cp, r.Status, r.Evidence)
		}
	}
	if c := obs["s01"].Class; c.Total != 6 || c.Reached != 3 || c.Wrong != 1 || c.NoGroup != 2 {
		t.Errorf("class mix: %+v, want 3 reached, 1 wrong, 2 without a group of 6", c)
	}
	// The monitor reads a settled student's lab only every 30 s, so a cycle may
	// observe a few of the group: the bar still counts everyone it remembers.
	if c := s.observe("s02")["s02"].Class; c.Total != 6 || c.Reached != 3 || c.Wrong != 1 || c.NoGroup != 2 {
		t.Errorf("class mix observing s02 alone: %+v, want the same 3 reached, 1 wrong, 2 without a group of 6", c)
	}
	// An account-per-student class has one group per account, each with its own
	// cache; the bar counts the class across them through the class's cache.
	class := labs.NewCache()
	var total ClassMix
	for _, id := range []string{"s01", "s02"} {
		own := labs.NewCache()
		own.ShareClass(class)
		got, err := Observe(s.ctx, s.c, own, []labs.Target{labs.NewTarget("c42", id, "", "")})
		if err != nil {
			t.Fatal(err)
		}
		total = got[id].(*Observation).Class
	}
	if total.Total != 2 || total.Reached != 1 || total.Wrong != 1 {
		t.Errorf("class mix across two groups: %+v, want 1 reached and 1 wrong of 2", total)
	}
	if sm := Summary(obs["s01"]); sm.Badge != "2+2" || sm.BadgeTone != "ok" {
		t.Errorf("s01 badge: %+v", sm)
	}
	if sm := Summary(obs["s02"]); sm.Badge != "3+1" || sm.BadgeTone != "bad" {
		t.Errorf("s02 badge: %+v", sm)
	}
	// s03 corrected 75 % to 50 %: the feed shows the rebalancing termination.
	if !feedHas(obs["s03"], "Terminating EC2 instance", "On-Demand and Spot distribution") {
		t.Errorf("s03 activity feed has no rebalancing: %+v", obs["s03"].Activities)
	}
	var types []string
	for _, rs := range obs["s01"].Resources() {
		types = append(types, rs.Type)
	}
	if got := strings.Join(types, ","); strings.Count(got, "AWS::EC2::Instance") != 4 || strings.Count(got, "AWS::EC2::SpotInstanceRequest") != 2 ||
		!strings.Contains(got, "AWS::AutoScaling::AutoScalingGroup") || !strings.Contains(got, "AWS::EC2::LaunchTemplate") {
		t.Errorf("resources: %s", got)
	}
	for _, w := range Lab().Widgets {
		if w.ID == "events" { // fed by the monitor's event mode, not by the observation (monitor/events_test.go)
			if v := w.View(obs["s01"], labs.NewHistory()); !strings.Contains(v.Empty, "polling continues") {
				t.Errorf("events widget without event mode: %+v; want it to say polling continues", v)
			}
			continue
		}
		if v := w.View(obs["s01"], labs.NewHistory()); v.Empty != "" {
			t.Errorf("widget %s is empty for a finished student: %q", w.ID, v.Empty)
		}
	}
}

func feedHas(o *Observation, desc, cause string) bool {
	for _, a := range o.Activities {
		if strings.Contains(aws.ToString(a.Description), desc) && strings.Contains(aws.ToString(a.Cause), cause) {
			return true
		}
	}
	return false
}

// TestRehearsalInterruptsASpotInstance: the rehearsal's interruption gives a Spot
// instance its two-minute notice (the tile and the Spot-request check say so), then
// the instance is reclaimed (Server.SpotInstanceTermination), the feed records it,
// and the group launches a Spot replacement, back to 2 + 2.
func TestRehearsalInterruptsASpotInstance(t *testing.T) {
	s := newSimLab(t)
	e := s.student("c42", "s01")
	s.clock.Advance(time.Minute)
	acts := map[string]labs.Action{}
	for _, a := range Lab().Actions {
		acts[a.ID] = a
	}
	in := acts["interrupt-spot"]
	if st, err := in.State(s.ctx, e); err != nil || !in.Offered(st) {
		t.Fatalf("interrupt offered? state %q, %v", st, err)
	}
	ids, _ := runningSpot(s.ctx, e)
	victim := ids[0]
	if err := in.Do(s.ctx, e); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(5 * time.Second)
	o := s.observe("s01")["s01"]
	if r := s.results(o)["spot-requests"]; r.Status != labs.Pending || !strings.Contains(r.Evidence, "closed (instance-terminated-no-capacity): interruption notice") {
		t.Errorf("under notice, spot-requests: %+v", r)
	}
	tile := viewGroup(o, nil)
	if !strings.Contains(strings.Join(tile.Tile.Lines, "\n"), "interruption notice on "+victim) {
		t.Errorf("tile lines: %v", tile.Tile.Lines)
	}
	if sm := Summary(o); sm.BadgeTone != "warn" {
		t.Errorf("badge under notice: %+v", sm)
	}
	// A second press while the notice runs would interrupt the other instance; the
	// first stays marked and is not sent a second notice.
	if err := s.w.InterruptSpot("", "us-east-1", victim); err == nil {
		t.Error("a second notice for the same instance was accepted")
	}
	s.clock.Advance(2 * time.Minute)
	d, err := s.c.EC2.DescribeInstances(s.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{victim}})
	if err != nil {
		t.Fatal(err)
	}
	x := d.Reservations[0].Instances[0]
	if x.State.Name != ec2types.InstanceStateNameShuttingDown && x.State.Name != ec2types.InstanceStateNameTerminated ||
		aws.ToString(x.StateReason.Code) != "Server.SpotInstanceTermination" {
		t.Errorf("after the notice the instance is %s (%v), want reclaimed", x.State.Name, aws.ToString(x.StateReason.Code))
	}
	s.clock.Advance(20 * time.Second)
	o = s.observe("s01")["s01"]
	if !feedHas(o, "Terminating EC2 instance: "+victim, "EC2 health check indicating it has been terminated") {
		t.Errorf("feed has no termination of %s: %+v", victim, o.Activities)
	}
	if !feedHas(o, "Launching a new EC2 instance", "unhealthy instance needing to be replaced") {
		t.Errorf("feed has no replacement: %+v", o.Activities)
	}
	if sr := o.Spot[victim]; aws.ToString(sr.Status.Code) != "instance-terminated-no-capacity" || sr.State != ec2types.SpotInstanceStateClosed {
		t.Errorf("the reclaimed instance's request: %s %s", sr.State, aws.ToString(sr.Status.Code))
	}
	s.clock.Advance(90 * time.Second)
	o = s.observe("s01")["s01"]
	for cp, r := range s.results(o) {
		if r.Status != labs.Pass {
			t.Errorf("after the replacement %s: %s %q", cp, r.Status, r.Evidence)
		}
	}
	if _, ok := o.Instances[victim]; ok && len(o.groupSpot()) != 2 {
		t.Errorf("group spot instances: %v", o.groupSpot())
	}
}

// TestRehearsalSetsThePercentageWrong: 75 % fails the configuration at once and,
// once the group has rebalanced, the mix (3 + 1); 50 % brings both back.
func TestRehearsalSetsThePercentageWrong(t *testing.T) {
	s := newSimLab(t)
	e := s.student("c42", "s01")
	s.clock.Advance(time.Minute)
	acts := map[string]labs.Action{}
	for _, a := range Lab().Actions {
		acts[a.ID] = a
	}
	wrong, right := acts["percentage-wrong"], acts["percentage-right"]
	st, err := wrong.State(s.ctx, e)
	if err != nil || st != "50 %" || !wrong.Offered(st) || right.Offered(st) {
		t.Fatalf("state %q %v: wrong offered %v, right offered %v", st, err, wrong.Offered(st), right.Offered(st))
	}
	if err := wrong.Do(s.ctx, e); err != nil {
		t.Fatal(err)
	}
	o := s.observe("s01")["s01"]
	if r := s.results(o)["asg-config"]; r.Status != labs.Fail || !strings.Contains(r.Evidence, "OnDemandPercentageAboveBaseCapacity is 75, want 50") {
		t.Errorf("asg-config at 75 %%: %+v", r)
	}
	s.clock.Advance(3 * time.Minute)
	o = s.observe("s01")["s01"]
	if r := s.results(o)["mix-achieved"]; r.Status != labs.Fail || !strings.Contains(r.Evidence, "3 On-Demand + 1 Spot") {
		t.Errorf("mix at 75 %%: %+v", r)
	}
	if err := right.Do(s.ctx, e); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(3 * time.Minute)
	o = s.observe("s01")["s01"]
	for cp, r := range s.results(o) {
		if r.Status != labs.Pass {
			t.Errorf("back at 50 %%, %s: %s %q", cp, r.Status, r.Evidence)
		}
	}
}

// TestThrottledReadsKeepTheLastState: a read that fails with throttling keeps the
// last cycle's group and instances, marked stale, instead of judging them gone.
func TestThrottledReadsKeepTheLastState(t *testing.T) {
	s := newSimLab(t)
	s.student("c42", "s01")
	s.clock.Advance(time.Minute)
	first := s.observe("s01")["s01"]
	if s.results(first)["mix-achieved"].Status != labs.Pass {
		t.Fatal("not finished")
	}
	s.c.ASG = throttledASG{s.c.ASG}
	o := s.observe("s01")["s01"]
	if o.Group == nil || len(o.Instances) != 4 || len(o.StaleParts()) == 0 {
		t.Fatalf("throttled cycle: group %v, %d instances, stale %v", o.Group != nil, len(o.Instances), o.StaleParts())
	}
	if r := s.results(o)["mix-achieved"]; r.Status != labs.Pass {
		t.Errorf("throttled cycle judged the mix: %+v", r)
	}
}

type throttledASG struct{ cloud.ASG }

func (throttledASG) DescribeAutoScalingGroups(context.Context, *autoscaling.DescribeAutoScalingGroupsInput, ...func(*autoscaling.Options)) (*autoscaling.DescribeAutoScalingGroupsOutput, error) {
	return nil, &astypes.ResourceContentionFault{Message: aws.String("Rate exceeded")}
}

// TestActivitiesOfAStudentNotDue: the monitor reads a settled student only every
// 30 s, so the group's activity read (which moves on past what it saw) may run in
// a cycle without them; the activities it saw of theirs are in their feed when
// they are next read.
func TestActivitiesOfAStudentNotDue(t *testing.T) {
	s := newSimLab(t)
	s.student("c42", "s01")
	e2 := s.student("c42", "s02")
	s.clock.Advance(3 * time.Minute)
	s.observe("s01", "s02")
	for _, a := range Lab().Actions {
		if a.ID == "percentage-wrong" {
			if err := a.Do(s.ctx, e2); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.clock.Advance(3 * time.Minute) // s02's group rebalances
	s.observe("s01")                 // the activity read, without s02
	s.clock.Advance(5 * time.Second) // before the next activity read is due
	if o := s.observe("s02")["s02"]; !feedHas(o, "Terminating EC2 instance", "On-Demand and Spot distribution") {
		t.Errorf("s02's feed lacks the rebalancing read in a cycle without them: %+v", o.Activities)
	}
}
