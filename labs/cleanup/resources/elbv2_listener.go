package resources

// AWS::ElasticLoadBalancingV2::Listener — deleted before its load balancer, which
// would take it along anyway; a listener of an owned load balancer is owned.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  "AWS::ElasticLoadBalancingV2::Listener",
		Gone:  []NotFound{{Code: "ListenerNotFound"}, {Code: "LoadBalancerNotFound"}}, // the listener, or its load balancer and the listener with it
		After: []string{"AWS::ECS::Service"},
		Match: MatchPrefix("elasticloadbalancing", "listener/"),
		Under: []string{"AWS::ElasticLoadBalancingV2::LoadBalancer"},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			for _, lb := range s.Owned {
				if lb.Type != "AWS::ElasticLoadBalancingV2::LoadBalancer" || Region(lb.ARN) != c.Region || lb.Account != c.Account {
					continue
				}
				out, err := c.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(lb.ARN)})
				if err != nil {
					if isGone("AWS::ElasticLoadBalancingV2::LoadBalancer", err) {
						continue // deleted meanwhile
					}
					return nil, err
				}
				for _, l := range out.Listeners {
					found = append(found, Candidate{ARN: aws.ToString(l.ListenerArn), Parents: []Link{{ARN: lb.ARN, Tie: "a listener of the load balancer"}}})
				}
			}
			return found, nil
		},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			return elbTags(ctx, c, r.ARN)
		},
		BatchTags: elbBatchTags,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.ELBv2.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: aws.String(r.ARN)})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}
