// Package ga is LABS.md Lab 5: a Global Accelerator with a TCP/80 listener and
// endpoint groups in us-east-1 and eu-west-1, each holding the student's ALB in
// front of a web server answering "Hello from <region>". The student browses to a
// static IP, stops the nearest instance, watches traffic fail over to the other
// region, and starts it again.
//
// The lab reads AWS in batches (observe.go): the accelerators once per batch from
// us-west-2, where Global Accelerator's API lives; the origins per endpoint region;
// and one HTTP probe of each student's static IP. It judges eight checkpoints
// (checks.go), draws the failover widget (widgets.go), ships the per-region
// prerequisite template (template.yaml) and a virtual-student script (script.go).
package ga

import (
	_ "embed"

	"github.com/labdash/labdash/labs"
)

// ID is the lab's id.
const ID = "ga"

// Regions are the two endpoint regions, the primary first.
var Regions = []string{"us-east-1", "eu-west-1"}

//go:embed template.yaml
var template []byte

// Names of a student's resources, by the lab's convention (LABS.md Lab 5).
func accName(t labs.Target) string                  { return t.Prefix + "ga" }
func lbName(t labs.Target) string                   { return t.Prefix + "ga-alb" }
func tgName(t labs.Target) string                   { return t.Prefix + "ga-tg" }
func stackName(t labs.Target, region string) string { return t.Prefix + "ga-pre-" + region }

// Lab returns the lab's registration.
func Lab() labs.Lab {
	return labs.Lab{
		ID: ID, Order: 5,
		Title:       "Global Accelerator failover across two regions",
		Summary:     "Front ALBs in two regions with an accelerator, stop one origin and watch traffic fail over.",
		Regions:     append([]string(nil), Regions...),
		Checkpoints: checkpoints(),
		Widgets:     widgets(),
		Observe:     Observe,
		Template:    template,
		Demo:        true,
		Cleanup:     []string{"AWS::GlobalAccelerator::Accelerator", "AWS::GlobalAccelerator::Listener", "AWS::GlobalAccelerator::EndpointGroup", "AWS::EC2::Instance", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::EC2::SecurityGroup", "AWS::Route53::RecordSet"},
		Script:      script(),
		Grants:      grants,
		Summarize:   Summary,
		Actions:     actions(),
		Quotas: []labs.QuotaNeed{
			{Service: "elasticloadbalancing", Code: "L-53DA6B97", Name: "Application Load Balancers per Region", PerStudent: 1},
		},
		Mistakes: map[string]string{
			mistakeWrongPort:   "creates the listener on port 8080, so nothing answers on the static IP's port 80",
			mistakeWrongRegion: "creates the second endpoint group in us-west-2 (the API region) instead of eu-west-1, so failover has nowhere to go",
			mistakeNoWait:      "adds the listener and groups and browses without waiting for DEPLOYED, and gives up on the first timeout",
		},
	}
}
