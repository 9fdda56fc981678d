package resources

// AWS::ElasticLoadBalancingV2::TargetGroup — deleted once no listener or rule
// forwards to it (ResourceInUse is retried).

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:     "AWS::ElasticLoadBalancingV2::TargetGroup",
		Gone:     []NotFound{{Code: "TargetGroupNotFound"}},
		After:    []string{"AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ECS::Service"},
		Match:    MatchPrefix("elasticloadbalancing", "targetgroup/"),
		Naming:   NamePrefix,
		NameOf:   func(arn string) string { return pathPart(arn, 1) }, // targetgroup/NAME/ID
		Blockers: tgBlockers,
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			return elbTags(ctx, c, r.ARN)
		},
		BatchTags: elbBatchTags,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.ELBv2.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(r.ARN)})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}
