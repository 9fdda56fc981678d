package resources

// AWS::ApplicationAutoScaling::ScalableTarget — an ECS service registered with
// Application Auto Scaling. Its ARN is the scalable-target ARN, or, from APIs that
// have none, "ecs:service/CLUSTER/SERVICE". Deregistering it deletes its policies.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  "AWS::ApplicationAutoScaling::ScalableTarget",
		Gone:  aasTargetGone,
		After: []string{"AWS::ApplicationAutoScaling::ScalingPolicy"},
		Match: func(arn string) bool {
			return strings.HasPrefix(arn, "ecs:service/") || (Service(arn) == "application-autoscaling" && strings.HasPrefix(Resource(arn), "scalable-target/"))
		},
		// AWS lets scalable targets carry tags since 2023, but a target is its ECS
		// service's and nothing else: its ownership follows the service (or the
		// service's cluster name), never a tag of its own.
		Untaggable: true,
		Under:      []string{"AWS::ECS::Service"},
		Naming:     NameSegment,
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var token *string
			for {
				out, err := c.AutoScaling.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, t := range out.ScalableTargets {
					arn := aws.ToString(t.ScalableTargetARN)
					if arn == "" {
						arn = "ecs:" + aws.ToString(t.ResourceId)
					}
					if f, ok := ecsScaled(c, s, aws.ToString(t.ResourceId), arn); ok {
						found = append(found, f)
					}
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.AutoScaling.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
				ResourceId: aws.String(scalableResource(r)), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, scalableResource(r)}, nil },
	})
}

// scalableResource is the target's resource id, service/CLUSTER/SERVICE: from the
// fallback ARN, or from the service it scales (its Parent).
func scalableResource(r Ref) string {
	if id, ok := strings.CutPrefix(r.ARN, "ecs:"); ok {
		return id
	}
	_, svc, _ := strings.Cut(r.Parent, ":service/")
	return "service/" + svc
}
