package resources

// AWS::EC2::NatGateway — Lab 1's private-subnet egress (one shared class gateway,
// or a student's own), billed hourly and per GB. DeleteNatGateway starts the
// deletion; the gateway is "deleting" for a minute or two, then "deleted" (and
// still described for about an hour): Delete answers Waiting until it is deleted.
// Its Elastic IP is released by AWS::EC2::EIP afterwards. Ownership is by tag or
// by a Name tag with the student's prefix: gateways have no name of their own.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::EC2::NatGateway",
		Gone:   []NotFound{{Code: "NatGatewayNotFound"}},
		Hourly: 0.045, // us-east-1 and us-west-2, before data processing
		After:  []string{"AWS::Lambda::Function"},
		Match:  MatchPrefix("ec2", "natgateway/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			g, err := describeNAT(ctx, c, natID(r.ARN))
			if err != nil {
				return nil, err
			}
			return ec2Tags(g.Tags), nil
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var token *string
			for {
				out, err := c.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NextToken: token, Filter: []ec2types.Filter{
					{Name: aws.String("state"), Values: []string{"pending", "available", "failed"}},
				}})
				if err != nil {
					return found, err
				}
				for _, g := range out.NatGateways {
					tags := ec2Tags(g.Tags)
					found = append(found, Candidate{ARN: c.ARN("ec2", "natgateway/"+aws.ToString(g.NatGatewayId)), Name: tags["Name"], Tags: tags})
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Naming: NameTag,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			g, err := describeNAT(ctx, c, natID(r.ARN))
			if err != nil {
				return err
			}
			if g.State == ec2types.NatGatewayStateDeleting {
				return Waiting("deleting", "state deleting")
			}
			if _, err := c.EC2.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: aws.String(natID(r.ARN))}); err != nil {
				return err
			}
			return Waiting("deleting", "DeleteNatGateway accepted (was %s)", g.State)
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, natID(r.ARN)}, nil },
	})
}

func natID(arn string) string { return Last(arn, "/") }

// describeNAT describes one gateway; a deleted one is gone.
func describeNAT(ctx context.Context, c *cloud.Clients, id string) (*ec2types.NatGateway, error) {
	out, err := c.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(out.NatGateways) == 0 || out.NatGateways[0].State == ec2types.NatGatewayStateDeleted {
		return nil, ErrGone
	}
	return &out.NatGateways[0], nil
}
