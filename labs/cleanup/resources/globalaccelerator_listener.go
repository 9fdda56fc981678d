package resources

// AWS::GlobalAccelerator::Listener — a listener of an owned accelerator (us-west-2),
// deleted after its endpoint groups and before its accelerator. Listener ARNs hold
// ids known only once listed, so each is its own plan item the guard can allow.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  gaListenerType,
		After: []string{gaEndpointGroupType},
		Home:  gaHome,
		Match: func(arn string) bool {
			return Service(arn) == "globalaccelerator" && strings.Contains(arn, "/listener/") && !strings.Contains(arn, "/endpoint-group/")
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Found, error) {
			var found []Found
			err := gaWalk(ctx, c, s, func(a gaCandidate, l gatypes.Listener) error {
				found = append(found, Found{Ref: Ref{ARN: aws.ToString(l.ListenerArn), Type: gaListenerType, Region: gaHome, Account: c.Account,
					Student: a.student, Parent: a.arn}, Proof: "its accelerator " + a.arn + " is the class's (" + a.proof + ")"})
				return nil
			})
			return found, err
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.GlobalAccelerator.DeleteListener(ctx, &globalaccelerator.DeleteListenerInput{ListenerArn: aws.String(r.ARN)})
			return gaGone(err)
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}
