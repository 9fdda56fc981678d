// Package asg is LABS.md Lab 8: EC2 Auto Scaling purchase options. The student
// writes a launch template (an AMI and a type, no Spot market options) and an
// Auto Scaling group of exactly four instances whose mixed instances policy asks
// for OnDemandBaseCapacity 0 and OnDemandPercentageAboveBaseCapacity 50, so the
// group runs two On-Demand and two Spot instances, each Spot one with its own
// fulfilled Spot request; then compares Spot and On-Demand prices.
//
// The lab reads AWS in batches per (account, region) (observe.go): the groups by
// name, a hundred a call; every launch template's $Latest version in one paged
// call; the groups' instances by their aws:autoscaling:groupName tag and their
// Spot requests by instance id, two hundred a filter; the region's scaling
// activities every 15 s and its Spot price history every 5 min, once for the
// whole group of students. It judges five checkpoints (checks.go), builds the ASG
// tile, the class's mix bar, the activity feed and the savings (widgets.go),
// ships its prerequisite template (template.yaml), a virtual-student script
// (script.go) and two rehearsal actions (actions.go).
package asg

import (
	_ "embed"

	"github.com/labdash/labdash/labs"
)

// ID is the lab's id.
const ID = "asg"

//go:embed template.yaml
var template []byte

// What the lab asks for (LABS.md Lab 8).
const (
	wantSize       = 4  // MinSize, MaxSize and DesiredCapacity
	wantBase       = 0  // OnDemandBaseCapacity
	wantPercentage = 50 // OnDemandPercentageAboveBaseCapacity
	wantOnDemand   = 2
	wantSpot       = 2
)

// instanceTypes are the launch template's type, then the Spot overrides.
func instanceTypes() []string { return []string{"t3.micro", "t3a.micro", "t2.micro"} }

// Names of a student's resources, by the lab's convention (LABS.md Lab 8).
func ltName(t labs.Target) string    { return t.Prefix + "lt" }
func groupName(t labs.Target) string { return t.Prefix + "asg" }
func stackName(t labs.Target) string { return t.Prefix + ID + "-pre" } // labs.Lab.StackName: provisioning names it so

// The usual mistakes.
const (
	mistakeSpotInTemplate = "spot-in-template"
	mistakePercentage     = "wrong-percentage"
	mistakeBase           = "base-capacity"
)

// Lab returns the lab's registration.
func Lab() labs.Lab {
	return labs.Lab{
		ID: ID, Order: 8,
		Title:       "EC2 Auto Scaling with a spot and on-demand mix",
		Summary:     "Launch a 4-instance group that is half on-demand and half spot from a launch template.",
		Checkpoints: checkpoints(),
		Widgets:     widgets(),
		Observe:     Observe,
		Template:    template,
		Demo:        true,
		// Spot requests before their instances (a persistent request relaunches a
		// terminated instance until it is cancelled); the cleanup registry's ranks
		// order them so (cleanup_test.go checks).
		// The event mode's rule and queue are the class's (LABS.md §4: the lab-only
		// EventBridge rules go first, so the sweep makes no event noise).
		Cleanup: []string{"AWS::Events::Rule", "AWS::SQS::Queue", "AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::SpotInstanceRequest", "AWS::EC2::Instance",
			"AWS::EC2::LaunchTemplate", "AWS::EC2::SecurityGroup"},
		Events:    events(),
		Script:    script(),
		Grants:    grants,
		Summarize: Summary,
		Actions:   actions(),
		// AWS's quota names (Service Quotas' QuotaName); both count vCPUs, 2 per
		// t3.micro, t3a.micro or t2.micro, and both default to 5 in a new account.
		Quotas: []labs.QuotaNeed{
			{Service: "ec2", Code: "L-1216C47A", Name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", PerStudent: wantOnDemand * 2, Unit: "vCPUs"},
			{Service: "ec2", Code: "L-34B43A08", Name: "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests", PerStudent: wantSpot * 2, Unit: "vCPUs"},
		},
		Mistakes: map[string]string{
			mistakeSpotInTemplate: "puts Spot market options in the launch template, so the mixed-instances group is refused; then makes the template again without them",
			mistakePercentage:     "sets OnDemandPercentageAboveBaseCapacity to 75 (3 On-Demand + 1 Spot), sees the mix and corrects it to 50 with UpdateAutoScalingGroup",
			mistakeBase:           "sets OnDemandBaseCapacity to 2, so 3 of the 4 instances are On-Demand, and never notices",
		},
	}
}
