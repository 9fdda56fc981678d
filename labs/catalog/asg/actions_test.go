package asg

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/labdash/labdash/labs"
)

// offered is which of the lab's actions a rehearsal would offer for e now, by
// id, with the state each read ("error: …" when the state could not be read:
// the button is then not offered).
func offered(t *testing.T, s *simLab, e *labs.Env) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, a := range Lab().Actions {
		st, err := a.State(s.ctx, e)
		switch {
		case err != nil:
			out[a.ID] = "error: " + err.Error()
		case a.Offered(st):
			out[a.ID] = "offered at " + st
		default:
			out[a.ID] = "not offered at " + st
		}
	}
	return out
}

func wantOffered(t *testing.T, when string, got map[string]string, want map[string]string) {
	t.Helper()
	for id, w := range want {
		if !strings.HasPrefix(got[id], w) {
			t.Errorf("%s: %s is %q, want %q…", when, id, got[id], w)
		}
	}
}

// TestActionAvailability: each rehearsal action is offered only while its state
// allows it. Interrupt: while the group has a running Spot instance without a
// notice (not with every Spot instance under notice, not for a group of no Spot
// instances, not for a student with no group); the percentage pair: 75 % only at
// 50 %, 50 % only at 75 %, neither at another percentage, without a mixed policy
// or without a group. A press the state does not allow fails with the reason.
func TestActionAvailability(t *testing.T) {
	s := newSimLab(t)
	e := s.student("c42", "s01")
	s.clock.Advance(time.Minute)
	acts := map[string]labs.Action{}
	for _, a := range Lab().Actions {
		acts[a.ID] = a
	}
	wantOffered(t, "finished student", offered(t, s, e), map[string]string{
		"interrupt-spot": "offered at running", "percentage-wrong": "offered at 50 %", "percentage-right": "not offered at 50 %"})

	// Both Spot instances under notice: nothing left to interrupt until the group replaces them.
	for range wantSpot {
		if err := acts["interrupt-spot"].Do(s.ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	s.clock.Advance(5 * time.Second)
	wantOffered(t, "both Spot instances under notice", offered(t, s, e), map[string]string{"interrupt-spot": "not offered at none running"})
	if err := acts["interrupt-spot"].Do(s.ctx, e); err == nil || !strings.Contains(err.Error(), "no running Spot instance") {
		t.Errorf("a third interruption: %v, want refused for want of a running Spot instance", err)
	}
	s.clock.Advance(4 * time.Minute) // reclaimed, replaced, the replacements running
	wantOffered(t, "after the replacements", offered(t, s, e), map[string]string{"interrupt-spot": "offered at running"})

	// The percentage pair: 75 % then back.
	if err := acts["percentage-wrong"].Do(s.ctx, e); err != nil {
		t.Fatal(err)
	}
	wantOffered(t, "at 75 %", offered(t, s, e), map[string]string{"percentage-wrong": "not offered at 75 %", "percentage-right": "offered at 75 %"})
	if err := acts["percentage-right"].Do(s.ctx, e); err != nil {
		t.Fatal(err)
	}
	wantOffered(t, "back at 50 %", offered(t, s, e), map[string]string{"percentage-wrong": "offered at 50 %", "percentage-right": "not offered at 50 %"})

	// Another percentage (the student's own 100 %): no Spot instances, and neither percentage button.
	if _, err := s.c.ASG.UpdateAutoScalingGroup(s.ctx, &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: aws.String(groupName(e.T)),
		MixedInstancesPolicy: &astypes.MixedInstancesPolicy{InstancesDistribution: &astypes.InstancesDistribution{OnDemandPercentageAboveBaseCapacity: aws.Int32(100)}}}); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(10 * time.Minute) // rebalanced, one instance at a time, to 4 On-Demand
	wantOffered(t, "at 100 %", offered(t, s, e), map[string]string{
		"interrupt-spot": "not offered at none running", "percentage-wrong": "not offered at 100 %", "percentage-right": "not offered at 100 %"})

	// A group launched from a plain launch template (no mixed policy).
	plain := s.student("c42", "s02")
	if _, err := s.c.ASG.DeleteAutoScalingGroup(s.ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String(groupName(plain.T)), ForceDelete: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(2 * time.Minute)
	if _, err := s.c.ASG.CreateAutoScalingGroup(s.ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String(groupName(plain.T)),
		MinSize: aws.Int32(1), MaxSize: aws.Int32(1), DesiredCapacity: aws.Int32(1), VPCZoneIdentifier: aws.String(plain.Stack["SubnetIds"]),
		LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String(ltName(plain.T)), Version: aws.String("$Latest")}}); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(time.Minute)
	wantOffered(t, "no mixed policy", offered(t, s, plain), map[string]string{
		"interrupt-spot": "not offered at none running", "percentage-wrong": "not offered at no mixed policy", "percentage-right": "not offered at no mixed policy"})

	// A student who has no group yet: nothing is offered, the percentage says why.
	none := &labs.Env{C: s.c, T: labs.NewTarget("c42", "s03", "111122223333", "us-east-1"), Load: e.Load}
	got := offered(t, s, none)
	wantOffered(t, "no group", got, map[string]string{"interrupt-spot": "not offered at none running",
		"percentage-wrong": "error: the student has no group c42s03-asg yet", "percentage-right": "error: the student has no group c42s03-asg yet"})

	// Off the simulator (no load tool) the interruption is refused with the reason.
	off := *e
	off.Load = nil
	if err := acts["interrupt-spot"].Do(s.ctx, &off); err == nil || !strings.Contains(err.Error(), "simulator only") {
		t.Errorf("interrupt without the simulator's load tool: %v", err)
	}
}
