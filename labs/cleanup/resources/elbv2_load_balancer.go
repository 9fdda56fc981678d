package resources

// AWS::ElasticLoadBalancingV2::LoadBalancer — deletion protection is turned off
// first (it is the load balancer's own attribute), then it is deleted; the engine
// waits until it no longer describes, because its network interfaces hold its
// security groups until then.

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::ElasticLoadBalancingV2::LoadBalancer",
		Gone:   []NotFound{{Code: "LoadBalancerNotFound"}},
		After:  []string{"AWS::ElasticLoadBalancingV2::Listener", "AWS::ECS::Service"},
		Hourly: 0.0225 + 2*0.005, // ALB hour + 2 public IPv4 addresses
		Match:  MatchPrefix("elasticloadbalancing", "loadbalancer/"),
		Naming: NamePrefix,
		NameOf: func(arn string) string { return pathPart(arn, 2) }, // loadbalancer/app/NAME/ID
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			return elbTags(ctx, c, r.ARN)
		},
		BatchTags: elbBatchTags,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			out, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{r.ARN}})
			if err != nil {
				return err
			}
			if len(out.LoadBalancers) == 0 {
				return ErrGone
			}
			if _, err := c.ELBv2.ModifyLoadBalancerAttributes(ctx, &elbv2.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(r.ARN),
				Attributes: []elbtypes.LoadBalancerAttribute{{Key: aws.String("deletion_protection.enabled"), Value: aws.String("false")}}}); err != nil {
				return err
			}
			if _, err := c.ELBv2.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(r.ARN)}); err != nil {
				return err
			}
			return Waiting("deleting", "load balancer deleted; waiting until it no longer describes")
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}

// elbTags reads an Elastic Load Balancing resource's tags (its type's Gone reads
// a not-found answer).
func elbTags(ctx context.Context, c *cloud.Clients, arn string) (map[string]string, error) {
	out, err := c.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{arn}})
	if err != nil {
		return nil, err
	}
	if len(out.TagDescriptions) == 0 {
		return nil, ErrGone
	}
	m := map[string]string{}
	for _, t := range out.TagDescriptions[0].Tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m, nil
}

// elbBatchTags reads the tags of up to 20 Elastic Load Balancing resources per call;
// a resource that no longer exists makes DescribeTags fail for its whole call, so
// such a call falls back to one resource at a time, each read as its type's Tags
// (whose Gone says which answer means that resource is gone).
func elbBatchTags(ctx context.Context, c *cloud.Clients, refs []Ref) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, chunk := range Chunks(refs, 20) {
		arns := make([]string, len(chunk))
		for i, r := range chunk {
			arns[i] = r.ARN
		}
		d, err := c.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: arns})
		if IsCode(err, "LoadBalancerNotFound", "TargetGroupNotFound", "ListenerNotFound") {
			for _, r := range chunk {
				t, ok := ForARN(r.ARN)
				if !ok {
					return nil, fmt.Errorf("resources: %s is of no Elastic Load Balancing type", r.ARN)
				}
				tags, err := t.Tags(ctx, c, r)
				if errors.Is(err, ErrGone) {
					continue
				}
				if err != nil {
					return nil, err
				}
				out[r.ARN] = tags
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, td := range d.TagDescriptions {
			m := map[string]string{}
			for _, t := range td.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			out[aws.ToString(td.ResourceArn)] = m
		}
	}
	return out, nil
}
