// Package fargate is LABS.md Lab 2: nginxdemos/hello as a Fargate service with two
// tasks in two AZs behind an ALB, a stopped task replaced, and target-tracking scaling
// on ALBRequestCountPerTarget (min 1, desired 2, max 4, target 1).
//
// The lab reads AWS in batches for every student of a class (observe.go), judges ten
// checkpoints from that observation (checks.go), builds five live widgets (widgets.go),
// ships its prerequisite template (template.yaml) and a virtual-student script (script.go).
package fargate

import (
	_ "embed"

	"github.com/labdash/labdash/labs"
)

// ID is the lab's id.
const ID = "fargate"

//go:embed template.yaml
var template []byte

// Names of a student's resources, by the lab's convention (LABS.md Lab 2).
func clusterName(t labs.Target) string { return t.Prefix + "cluster" }
func family(t labs.Target) string      { return t.Prefix + "hello" }
func lbName(t labs.Target) string      { return t.Prefix + "alb" }
func tgName(t labs.Target) string      { return t.Prefix + "tg" }
func serviceName(t labs.Target) string { return t.Prefix + "svc" }

// Lab returns the lab's registration.
func Lab() labs.Lab {
	return labs.Lab{
		ID: ID, Order: 2,
		Title:       "Fargate behind an ALB with service auto scaling",
		Summarize:   Summary,
		Summary:     "Run nginxdemos/hello as a 2-task Fargate service behind an ALB and watch target tracking scale it.",
		Checkpoints: checkpoints(),
		Widgets:     widgets(),
		Observe:     Observe,
		Template:    template,
		Demo:        true,
		Cleanup:     []string{"AWS::CloudWatch::Alarm", "AWS::ApplicationAutoScaling::ScalingPolicy", "AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ECS::Service", "AWS::ECS::Cluster", "AWS::ECS::TaskDefinition", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::EC2::SecurityGroup", "AWS::Logs::LogGroup"},
		Script:      script(),
		Grants:      grants,
		Quotas: []labs.QuotaNeed{
			{Service: "elasticloadbalancing", Code: "L-53DA6B97", Name: "Application Load Balancers per Region", PerStudent: 1},
			{Service: "fargate", Code: "L-3032A538", Name: "Fargate On-Demand vCPU", PerStudent: 1}, // 4 tasks × 0.25 vCPU at scale-out
		},
		Mistakes: map[string]string{
			mistakeWrongPort: "registers container port 8080 with the load balancer, so targets never turn healthy",
			mistakeNoMinMax:  "skips the scalable target's min and max, so the policy has nothing to scale",
			mistakeNoLoad:    "never starts the load test, so the alarm never fires",
		},
	}
}
