package resources

// AWS::GlobalAccelerator::Accelerator, with its untaggable children
// AWS::GlobalAccelerator::Listener and AWS::GlobalAccelerator::EndpointGroup.
// Every call goes to us-west-2 (Home), the only region serving the API.
//
// The accelerator is disabled (UpdateAccelerator Enabled=false, "disabling"), the
// engine waits until the disable has deployed ("waiting" while IN_PROGRESS), and
// then it is deleted. AWS refuses to delete an accelerator that still has
// listeners, and a listener that still has endpoint groups, so the children are
// types of their own, ranked before it: endpoint groups, then listeners, then the
// accelerator. They are separate types, not steps of the accelerator's Delete,
// because the guard allows only identifiers known when the plan is confirmed: a
// listener's ARN must be a planned resource of its own (found by its lister under
// an owned accelerator) before cleanup may pass it to DeleteListener. A listener
// created after the plan therefore keeps its accelerator (AWS answers
// AssociatedListenerFoundException, retried until the deadline; the verify sweep
// reports it) rather than being deleted unconfirmed.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"

	"github.com/labdash/labdash/labs/cloud"
)

const (
	gaAcceleratorType   = "AWS::GlobalAccelerator::Accelerator"
	gaListenerType      = "AWS::GlobalAccelerator::Listener"
	gaEndpointGroupType = "AWS::GlobalAccelerator::EndpointGroup"
	gaHome              = "us-west-2"
)

func init() {
	Register(Type{
		Name:   gaAcceleratorType,
		Gone:   []NotFound{{Code: "AcceleratorNotFoundException"}},
		After:  []string{gaListenerType},
		Hourly: 0.025, // fixed fee per accelerator-hour (LABS.md Lab 5), billed until it is deleted
		Home:   gaHome,
		Match: func(arn string) bool {
			return Service(arn) == "globalaccelerator" && strings.HasPrefix(Resource(arn), "accelerator/") && !strings.Contains(arn, "/listener/")
		},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			return gaTags(ctx, c, r.ARN)
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var token *string
			for {
				page, err := c.GlobalAccelerator.ListAccelerators(ctx, &globalaccelerator.ListAcceleratorsInput{MaxResults: aws.Int32(100), NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, a := range page.Accelerators {
					if name := aws.ToString(a.Name); strings.HasPrefix(name, s.ClassID) {
						found = append(found, Candidate{ARN: aws.ToString(a.AcceleratorArn), Name: name})
					}
				}
				if token = page.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Naming: NamePrefix,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			out, err := c.GlobalAccelerator.DescribeAccelerator(ctx, &globalaccelerator.DescribeAcceleratorInput{AcceleratorArn: aws.String(r.ARN)})
			if err != nil {
				return err
			}
			a := out.Accelerator
			if aws.ToBool(a.Enabled) {
				if _, err := c.GlobalAccelerator.UpdateAccelerator(ctx, &globalaccelerator.UpdateAcceleratorInput{AcceleratorArn: aws.String(r.ARN), Enabled: aws.Bool(false)}); err != nil {
					return err
				}
				return Waiting("disabling", "accelerator disabled; waiting for the change to deploy")
			}
			if a.Status != gatypes.AcceleratorStatusDeployed {
				return Waiting("waiting", "accelerator is %s", a.Status)
			}
			_, err = c.GlobalAccelerator.DeleteAccelerator(ctx, &globalaccelerator.DeleteAcceleratorInput{AcceleratorArn: aws.String(r.ARN)})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})

}

func gaTags(ctx context.Context, c *cloud.Clients, arn string) (map[string]string, error) {
	out, err := c.GlobalAccelerator.ListTagsForResource(ctx, &globalaccelerator.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(out.Tags))
	for _, t := range out.Tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m, nil
}

// gaOwned calls fn for every owned resource of type typ in c's account.
func gaOwned(c *cloud.Clients, s Scope, typ string, fn func(o Ref) error) error {
	for _, o := range s.Owned {
		if o.Type == typ && o.Account == c.Account {
			if err := fn(o); err != nil {
				return err
			}
		}
	}
	return nil
}
