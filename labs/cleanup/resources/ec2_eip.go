package resources

// AWS::EC2::EIP — the Elastic IP of Lab 1's NAT gateway ($0.005/h per public IPv4
// address, LABS.md §2 Lab 1 "Cost"). An address a NAT gateway still holds answers
// InvalidIPAddress.InUse until the gateway is deleted, so it comes after
// AWS::EC2::NatGateway and the engine retries meanwhile.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::EC2::EIP",
		Gone:   []NotFound{{Code: "InvalidAllocationID.NotFound"}},
		Hourly: 0.005,
		After:  []string{"AWS::EC2::NatGateway", "AWS::EC2::Instance"},
		Match:  MatchPrefix("ec2", "elastic-ip/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{eipID(r.ARN)}})
			if err != nil {
				return nil, err
			}
			if len(out.Addresses) == 0 {
				return nil, ErrGone
			}
			return ec2Tags(out.Addresses[0].Tags), nil
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			out, err := c.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []ec2types.Filter{{Name: aws.String("domain"), Values: []string{"vpc"}}}})
			if err != nil {
				return nil, err
			}
			var found []Candidate
			for _, a := range out.Addresses {
				tags := ec2Tags(a.Tags)
				found = append(found, Candidate{ARN: c.ARN("ec2", "elastic-ip/"+aws.ToString(a.AllocationId)), Name: tags["Name"], Tags: tags})
			}
			return found, nil
		},
		Naming: NameTag,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.EC2.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(eipID(r.ARN))})
			if IsCode(err, "InvalidIPAddress.InUse") {
				return Waiting("waiting", "the address is still associated: %v", err)
			}
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, eipID(r.ARN)}, nil },
	})
}

func eipID(arn string) string { return Last(arn, "/") }
