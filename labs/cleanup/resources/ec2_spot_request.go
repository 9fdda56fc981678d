package resources

// AWS::EC2::SpotInstanceRequest — cancelled (CancelSpotInstanceRequests), which
// is immediate; a cancelled, closed or failed request counts as gone. It comes
// before AWS::EC2::Instance because a persistent request relaunches its instance
// whenever that instance is terminated, until the request is cancelled; and
// cancelling never terminates the instance, which the instance type then does.
// A request is the class's when it is tagged for the class, or, untagged, when its
// instance is (tagged for the class, or launched by an owned Auto Scaling group).

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs/cloud"
)

const spotRequestType = "AWS::EC2::SpotInstanceRequest"

func init() {
	Register(Type{
		Name:   spotRequestType,
		Gone:   []NotFound{{Code: "InvalidSpotInstanceRequestID.NotFound"}},
		After:  []string{asgType},
		Hourly: 0.0035, // its instance at a t3.micro Spot price
		Match:  MatchPrefix("ec2", "spot-instances-request/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			sr, err := describeSpot(ctx, c, Last(r.ARN, "/"))
			if err != nil {
				return nil, err
			}
			return ec2Tags(sr.Tags), nil
		},
		Under: []string{asgType, instanceType},
		// Candidates: the open requests tagged for the class (the sweep lags behind
		// a launch) and those whose instance the plan owns (tagged for the class,
		// or launched by its Auto Scaling group).
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var token *string
			for {
				out, err := c.EC2.DescribeSpotInstanceRequests(ctx, &ec2.DescribeSpotInstanceRequestsInput{NextToken: token, MaxResults: aws.Int32(1000),
					Filters: []ec2types.Filter{{Name: aws.String("state"), Values: []string{"open", "active", "disabled"}}}})
				if err != nil {
					return nil, err
				}
				for _, sr := range out.SpotInstanceRequests {
					inst := c.ARN("ec2", "instance/"+aws.ToString(sr.InstanceId))
					_, owned := s.Owned[inst]
					owned = owned && aws.ToString(sr.InstanceId) != ""
					if tags := ec2Tags(sr.Tags); owned || tags["labdash:class"] == s.ClassID {
						f := Candidate{ARN: c.ARN("ec2", "spot-instances-request/"+aws.ToString(sr.SpotInstanceRequestId)), Tags: tags}
						if owned {
							f.Parents = []Link{{ARN: inst, Tie: "it launched the instance"}}
						}
						found = append(found, f)
					}
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			id := Last(r.ARN, "/")
			if _, err := describeSpot(ctx, c, id); err != nil {
				return err
			}
			_, err := c.EC2.CancelSpotInstanceRequests(ctx, &ec2.CancelSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{id}})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, Last(r.ARN, "/")}, nil },
	})
}

// describeSpot describes one request; a missing, cancelled, closed or failed one is ErrGone.
func describeSpot(ctx context.Context, c *cloud.Clients, id string) (*ec2types.SpotInstanceRequest, error) {
	out, err := c.EC2.DescribeSpotInstanceRequests(ctx, &ec2.DescribeSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(out.SpotInstanceRequests) == 0 {
		return nil, ErrGone
	}
	sr := &out.SpotInstanceRequests[0]
	switch sr.State {
	case ec2types.SpotInstanceStateCancelled, ec2types.SpotInstanceStateClosed, ec2types.SpotInstanceStateFailed:
		return nil, ErrGone
	}
	return sr, nil
}

// ownedGroups is the class's Auto Scaling groups in c's account and region, by name.
func ownedGroups(c *cloud.Clients, s Scope) map[string]Ref {
	m := map[string]Ref{}
	for arn, ref := range s.Owned {
		if Service(arn) == "autoscaling" && Region(arn) == c.Region && Account(arn) == c.Account && asgName(arn) != "" {
			m[asgName(arn)] = ref
		}
	}
	return m
}

// describeInstances lists the instances matching filters, every page.
func describeInstances(ctx context.Context, c *cloud.Clients, filters []ec2types.Filter) ([]ec2types.Instance, error) {
	var out []ec2types.Instance
	var token *string
	for {
		page, err := c.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: filters, NextToken: token, MaxResults: aws.Int32(1000)})
		if err != nil {
			return nil, err
		}
		for _, r := range page.Reservations {
			out = append(out, r.Instances...)
		}
		if token = page.NextToken; aws.ToString(token) == "" {
			return out, nil
		}
	}
}
