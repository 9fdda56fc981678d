// Package cleanup deletes everything a class owns in AWS and nothing else:
// plan → confirm → execute → verify (DESIGN.md §5). This first part builds the plan,
// a dry run: what the class owns (from the ledger and a tag sweep), each candidate's
// proof of ownership, what is skipped and why, the deletion order and the hourly cost.
// Confirming and executing the plan are not built yet.
package cleanup

// kind is what the planner knows about one resource type.
type kind struct {
	// rank orders deletion: lower ranks go first (children before parents).
	rank int
	// hourly is the estimated cost in USD per hour while the resource exists (LABS.md §4).
	hourly float64
	// global types (IAM) live in no region.
	global bool
}

// kinds are the resource types the planner understands; anything else is skipped,
// because a type labdash cannot delete in the right order is a type it must not touch.
var kinds = map[string]kind{
	"AWS::CloudWatch::Alarm":                      {rank: 1, hourly: 0.10 / 730},
	"AWS::ApplicationAutoScaling::ScalingPolicy":  {rank: 1},
	"AWS::ApplicationAutoScaling::ScalableTarget": {rank: 2},
	"AWS::ECS::Service":                           {rank: 3, hourly: 2 * (0.25*0.04048 + 0.5*0.004445 + 0.005)}, // 2 tasks: vCPU, memory, public IPv4
	"AWS::ElasticLoadBalancingV2::Listener":       {rank: 4},
	"AWS::ElasticLoadBalancingV2::LoadBalancer":   {rank: 5, hourly: 0.0225 + 2*0.005}, // ALB hour + 2 public IPv4 addresses
	"AWS::ElasticLoadBalancingV2::TargetGroup":    {rank: 6},
	"AWS::ECS::TaskDefinition":                    {rank: 6},
	"AWS::ECS::Cluster":                           {rank: 7},
	"AWS::CloudFormation::Stack":                  {rank: 8},
	"AWS::IAM::Role":                              {rank: 9, global: true},
	"AWS::IAM::ManagedPolicy":                     {rank: 10, global: true},
}

// typeOfARN maps a tag-sweep ARN to its CloudFormation-style type name.
func typeOfARN(arn string) string {
	switch {
	case contains(arn, ":cloudwatch:") && contains(arn, ":alarm:"):
		return "AWS::CloudWatch::Alarm"
	case contains(arn, ":ecs:") && contains(arn, ":service/"):
		return "AWS::ECS::Service"
	case contains(arn, ":ecs:") && contains(arn, ":cluster/"):
		return "AWS::ECS::Cluster"
	case contains(arn, ":ecs:") && contains(arn, ":task-definition/"):
		return "AWS::ECS::TaskDefinition"
	case contains(arn, ":listener/"):
		return "AWS::ElasticLoadBalancingV2::Listener"
	case contains(arn, ":loadbalancer/app/"):
		return "AWS::ElasticLoadBalancingV2::LoadBalancer"
	case contains(arn, ":targetgroup/"):
		return "AWS::ElasticLoadBalancingV2::TargetGroup"
	case contains(arn, ":cloudformation:") && contains(arn, ":stack/"):
		return "AWS::CloudFormation::Stack"
	}
	return ""
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
