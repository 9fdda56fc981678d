package resources

// AWS::EC2::VPCEndpoint — Lab 1's alternative to the NAT gateway: endpoints for
// S3 (Gateway, free) and Rekognition and SNS (Interface, billed hourly per zone).
// DeleteVpcEndpoints reports an unknown id in Unsuccessful rather than failing,
// so Delete reads that answer; the endpoint is "deleting" for a minute or so and
// Delete answers Waiting until it is no longer described. An Interface endpoint
// holds its security groups until then (AWS::EC2::SecurityGroup comes after).

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::EC2::VPCEndpoint",
		Gone:   []NotFound{{Code: "InvalidVpcEndpointId.NotFound"}},
		Hourly: 0.02, // an Interface endpoint in two zones ($0.01 per zone-hour); a Gateway endpoint is free
		After:  []string{"AWS::Lambda::Function"},
		Match:  MatchPrefix("ec2", "vpc-endpoint/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			e, err := describeVPCE(ctx, c, vpceID(r.ARN))
			if err != nil {
				return nil, err
			}
			return ec2Tags(e.Tags), nil
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var token *string
			for {
				out, err := c.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{NextToken: token})
				if err != nil {
					return found, err
				}
				for _, e := range out.VpcEndpoints {
					if e.State == "deleting" || e.State == "deleted" {
						continue
					}
					tags := ec2Tags(e.Tags)
					found = append(found, Candidate{ARN: c.ARN("ec2", "vpc-endpoint/"+aws.ToString(e.VpcEndpointId)), Name: tags["Name"], Tags: tags})
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Naming: NameTag,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			id := vpceID(r.ARN)
			e, err := describeVPCE(ctx, c, id)
			if err != nil {
				return err
			}
			if e.State == "deleting" || e.State == "Deleting" {
				return Waiting("deleting", "state deleting")
			}
			out, err := c.EC2.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{id}})
			if err != nil {
				return err
			}
			for _, u := range out.Unsuccessful {
				if aws.ToString(u.ResourceId) == id && u.Error != nil {
					// One failed item, as an API error so that Gone and the engine read its code.
					return &smithy.GenericAPIError{Code: aws.ToString(u.Error.Code), Message: aws.ToString(u.Error.Message), Fault: smithy.FaultClient}
				}
			}
			return Waiting("deleting", "DeleteVpcEndpoints accepted (was %s)", e.State)
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, vpceID(r.ARN)}, nil },
	})
}

func vpceID(arn string) string { return Last(arn, "/") }

func describeVPCE(ctx context.Context, c *cloud.Clients, id string) (*ec2types.VpcEndpoint, error) {
	out, err := c.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(out.VpcEndpoints) == 0 || out.VpcEndpoints[0].State == "deleted" || out.VpcEndpoints[0].State == "Deleted" {
		return nil, ErrGone
	}
	return &out.VpcEndpoints[0], nil
}
