package asg

// Event mode for Lab 8 (LABS.md Lab 8, "Live widgets"): Auto Scaling's instance
// launch and termination events and EC2's Spot interruption warning, rebalance
// recommendation and instance state changes feed the student's "Events" widget.
// Each event names its student only through the ARNs below, which the monitor
// matches against what the class's observations discovered.

import (
	"strings"

	"github.com/labdash/labdash/labs"
)

func events() *labs.Events {
	return &labs.Events{
		Sources: []labs.EventSource{
			{Source: "aws.autoscaling", DetailTypes: []string{"EC2 Instance Launch Successful", "EC2 Instance Launch Unsuccessful", "EC2 Instance Terminate Successful"}},
			{Source: "aws.ec2", DetailTypes: []string{"EC2 Spot Instance Interruption Warning", "EC2 Instance Rebalance Recommendation", "EC2 Instance State-change Notification"}},
		},
		Describe: describeEvent,
	}
}

// describeEvent is one event's feed line and the ARNs that name its student: the
// group's ARN (an Auto Scaling event's first resource) and the instance's ARN,
// always built from the detail's instance id in the event's account and region
// (the Spot warning's own resource is arn:aws:ec2:AZ:instance/ID, without an
// account, which matches nothing a class discovered).
func describeEvent(ev labs.Event) (labs.EventLine, []string) {
	l := labs.EventLine{At: ev.Time, ID: ev.ID, Event: ev.DetailType}
	var ids []string
	instance := ev.Field("instance-id")
	switch ev.Source {
	case "aws.autoscaling":
		instance = ev.Field("EC2InstanceId")
		l.Where = ev.Sub("Details", "Availability Zone")
		l.Note = clip(lastSentence(ev.Field("Cause")), 140)
		for _, r := range ev.Resources {
			if strings.HasPrefix(r, "arn:aws:autoscaling:"+ev.Region+":"+ev.Account+":autoScalingGroup:") {
				ids = append(ids, r)
			}
		}
		switch ev.DetailType {
		case "EC2 Instance Launch Successful":
			l.Event, l.Tone = "Launched", "ok"
		case "EC2 Instance Launch Unsuccessful":
			l.Event, l.Tone = "Launch failed", "bad"
			if m := ev.Field("StatusMessage"); m != "" {
				l.Note = clip(m, 140)
			}
		case "EC2 Instance Terminate Successful":
			l.Event, l.Tone = "Terminated", "warn"
		}
	case "aws.ec2":
		switch ev.DetailType {
		case "EC2 Spot Instance Interruption Warning":
			l.Event, l.Tone = "Spot interruption warning", "bad"
			l.Note = "instance-action " + ev.Field("instance-action") + " in 2 min"
			for _, r := range ev.Resources { // arn:aws:ec2:us-east-1a:instance/i-…: the AZ
				if p := strings.Split(r, ":"); len(p) >= 5 && strings.HasPrefix(p[3], ev.Region) && p[3] != ev.Region {
					l.Where = p[3]
				}
			}
		case "EC2 Instance Rebalance Recommendation":
			l.Event, l.Tone = "Rebalance recommendation", "warn"
		case "EC2 Instance State-change Notification":
			st := ev.Field("state")
			l.Event, l.Note = "State change", st
			switch st {
			case "running":
				l.Tone = "ok"
			case "shutting-down", "terminated", "stopping", "stopped":
				l.Tone = "warn"
			}
		}
	}
	if instance != "" {
		l.Subject = instance
		ids = append(ids, ev.ARN("ec2", "instance/"+instance))
	}
	return l, ids
}

// viewEvents is the "Events" feed: what EventBridge said about the student's
// instances and group, newest first.
func viewEvents(_ labs.Observation, h *labs.History) labs.WidgetView {
	return labs.EventFeed(h)
}
