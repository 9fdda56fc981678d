package ga

// Rehearsal actions (simulator only): the instructor stops or starts a virtual
// student's origin instance in one region, to show the class a failover live.

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/labdash/labdash/labs"
)

func actions() []labs.Action {
	var out []labs.Action
	for _, r := range Regions {
		subject := "Origin instance in " + r
		state := func(ctx context.Context, e *labs.Env) (string, error) { return instanceState(ctx, e, r) }
		out = append(out,
			labs.Action{ID: "stop-instance-" + r, Title: "Stop the instance in " + r, Done: "Stopped the origin instance in " + r,
				Subject: subject, From: []string{"pending", "running"}, State: state,
				Do: func(ctx context.Context, e *labs.Env) error { return setInstance(ctx, e, r, false) }},
			labs.Action{ID: "start-instance-" + r, Title: "Start the instance in " + r, Done: "Started the origin instance in " + r,
				Subject: subject, From: []string{"stopped"}, State: state,
				Do: func(ctx context.Context, e *labs.Env) error { return setInstance(ctx, e, r, true) }})
	}
	return out
}

// instanceState is the origin instance's EC2 state in region ("running", "stopping", "stopped" …).
func instanceState(ctx context.Context, e *labs.Env, region string) (string, error) {
	id, err := origin(ctx, e, region, "InstanceId")
	if err != nil {
		return "", fmt.Errorf("the student has no origin in %s yet: %w", region, err)
	}
	rc, err := e.C.InRegion(ctx, region)
	if err != nil {
		return "", err
	}
	out, err := rc.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		return "", err
	}
	for _, res := range out.Reservations {
		for _, in := range res.Instances {
			if in.State != nil {
				return string(in.State.Name), nil
			}
		}
	}
	return "", fmt.Errorf("instance %s not found in %s", id, region)
}

func setInstance(ctx context.Context, e *labs.Env, region string, start bool) error {
	id, err := origin(ctx, e, region, "InstanceId")
	if err != nil {
		return fmt.Errorf("the student has no origin in %s yet: %w", region, err)
	}
	rc, err := e.C.InRegion(ctx, region)
	if err != nil {
		return err
	}
	if start {
		_, err = rc.EC2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
	} else {
		_, err = rc.EC2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
	}
	return err
}

// Summary is the class grid's badge: the region answering the student's static
// IP (green at home, amber after a failover), or why nothing answers.
func Summary(obs labs.Observation) labs.Summary {
	s := labs.Summary{Running: -1}
	o, ok := obs.(*Observation)
	if !ok || o == nil || o.Accelerator == nil {
		return s
	}
	p := o.Probe
	switch {
	case p == nil:
	case p.Region() == "":
		s.Badge, s.BadgeTone, s.BadgeTitle = "no answer", "bad", "the static IP does not answer"
	case p.Region() == Regions[0]:
		s.Badge, s.BadgeTone, s.BadgeTitle = p.Region(), "ok", fmt.Sprintf("served from %s in %d ms", p.Region(), p.Latency.Milliseconds())
	default:
		s.Badge, s.BadgeTone, s.BadgeTitle = "→ "+p.Region(), "warn", fmt.Sprintf("failed over: served from %s in %d ms", p.Region(), p.Latency.Milliseconds())
	}
	return s
}
