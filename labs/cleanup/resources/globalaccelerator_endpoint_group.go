package resources

// AWS::GlobalAccelerator::EndpointGroup — an endpoint group under a listener of an
// owned accelerator (us-west-2); the first of the three to go.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name: gaEndpointGroupType,
		Gone: []NotFound{{Code: "EndpointGroupNotFoundException"}, {Code: "ListenerNotFoundException"}, {Code: "AcceleratorNotFoundException"}}, // it, its listener or its accelerator
		Home: gaHome,
		Match: func(arn string) bool {
			return Service(arn) == "globalaccelerator" && strings.Contains(arn, "/endpoint-group/")
		},
		Untaggable: true,
		Under:      []string{gaListenerType},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			err := gaOwned(c, s, gaListenerType, func(l Ref) error {
				var token *string
				for {
					out, err := c.GlobalAccelerator.ListEndpointGroups(ctx, &globalaccelerator.ListEndpointGroupsInput{ListenerArn: aws.String(l.ARN), MaxResults: aws.Int32(100), NextToken: token})
					if err != nil {
						if isGone(gaListenerType, err) {
							return nil // deleted meanwhile
						}
						return err
					}
					for _, g := range out.EndpointGroups {
						found = append(found, Candidate{ARN: aws.ToString(g.EndpointGroupArn), Region: gaHome, Parents: []Link{{ARN: l.ARN, Tie: "an endpoint group of the listener"}}})
					}
					if token = out.NextToken; aws.ToString(token) == "" {
						return nil
					}
				}
			})
			return found, err
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.GlobalAccelerator.DeleteEndpointGroup(ctx, &globalaccelerator.DeleteEndpointGroupInput{EndpointGroupArn: aws.String(r.ARN)})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}
