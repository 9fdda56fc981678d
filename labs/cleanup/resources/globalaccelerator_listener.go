package resources

// AWS::GlobalAccelerator::Listener — a listener of an owned accelerator (us-west-2),
// deleted after its endpoint groups and before its accelerator. Listener ARNs hold
// ids known only once listed, so each is its own plan item the guard can allow.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  gaListenerType,
		Gone:  []NotFound{{Code: "ListenerNotFoundException"}, {Code: "AcceleratorNotFoundException"}}, // the listener, or its accelerator and the listener with it
		After: []string{gaEndpointGroupType},
		Home:  gaHome,
		Match: func(arn string) bool {
			return Service(arn) == "globalaccelerator" && strings.Contains(arn, "/listener/") && !strings.Contains(arn, "/endpoint-group/")
		},
		Untaggable: true,
		Under:      []string{gaAcceleratorType},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			err := gaOwned(c, s, gaAcceleratorType, func(a Ref) error {
				var token *string
				for {
					out, err := c.GlobalAccelerator.ListListeners(ctx, &globalaccelerator.ListListenersInput{AcceleratorArn: aws.String(a.ARN), MaxResults: aws.Int32(100), NextToken: token})
					if isGone(gaAcceleratorType, err) {
						return nil // deleted meanwhile
					}
					if err != nil {
						return err
					}
					for _, l := range out.Listeners {
						found = append(found, Candidate{ARN: aws.ToString(l.ListenerArn), Region: gaHome, Parents: []Link{{ARN: a.ARN, Tie: "a listener of the accelerator"}}})
					}
					if token = out.NextToken; aws.ToString(token) == "" {
						return nil
					}
				}
			})
			return found, err
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.GlobalAccelerator.DeleteListener(ctx, &globalaccelerator.DeleteListenerInput{ListenerArn: aws.String(r.ARN)})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}
