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
	"errors"
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
		After:  []string{gaListenerType},
		Hourly: 0.025, // fixed fee per accelerator-hour (LABS.md Lab 5), billed until it is deleted
		Home:   gaHome,
		Match: func(arn string) bool {
			return Service(arn) == "globalaccelerator" && strings.HasPrefix(Resource(arn), "accelerator/") && !strings.Contains(arn, "/listener/")
		},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			return gaTags(ctx, c, r.ARN)
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Found, error) {
			accs, err := gaAccelerators(ctx, c, s)
			if err != nil {
				return nil, err
			}
			var found []Found
			for _, a := range accs {
				if a.proof != "" || a.reason != "" {
					found = append(found, Found{Ref: Ref{ARN: a.arn, Type: gaAcceleratorType, Region: gaHome, Account: c.Account, Student: a.student},
						Proof: a.proof, Reason: a.reason})
				}
			}
			return found, nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			out, err := c.GlobalAccelerator.DescribeAccelerator(ctx, &globalaccelerator.DescribeAcceleratorInput{AcceleratorArn: aws.String(r.ARN)})
			if err != nil {
				return gaGone(err)
			}
			a := out.Accelerator
			if aws.ToBool(a.Enabled) {
				if _, err := c.GlobalAccelerator.UpdateAccelerator(ctx, &globalaccelerator.UpdateAcceleratorInput{AcceleratorArn: aws.String(r.ARN), Enabled: aws.Bool(false)}); err != nil {
					return gaGone(err)
				}
				return Waiting("disabling", "accelerator disabled; waiting for the change to deploy")
			}
			if a.Status != gatypes.AcceleratorStatusDeployed {
				return Waiting("waiting", "accelerator is %s", a.Status)
			}
			_, err = c.GlobalAccelerator.DeleteAccelerator(ctx, &globalaccelerator.DeleteAcceleratorInput{AcceleratorArn: aws.String(r.ARN)})
			return gaGone(err)
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})

}

// gaGone maps Global Accelerator's not-found errors (of the resource or a parent) to ErrGone.
func gaGone(err error) error {
	return GoneIf(err, "AcceleratorNotFoundException", "ListenerNotFoundException", "EndpointGroupNotFoundException")
}

func gaTags(ctx context.Context, c *cloud.Clients, arn string) (map[string]string, error) {
	out, err := c.GlobalAccelerator.ListTagsForResource(ctx, &globalaccelerator.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, gaGone(err)
	}
	m := make(map[string]string, len(out.Tags))
	for _, t := range out.Tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m, nil
}

// gaCandidate is an accelerator that may be the class's: proof or reason set
// when it is (or looks like) one, both empty when it is unrelated.
type gaCandidate struct {
	arn, student, proof, reason string
}

// gaAccelerators lists the account's accelerators and decides each: already
// owned (Scope.Owned), tagged for the class, or named with a student's prefix
// and not tagged for another class.
func gaAccelerators(ctx context.Context, c *cloud.Clients, s Scope) ([]gaCandidate, error) {
	var out []gaCandidate
	var token *string
	for {
		page, err := c.GlobalAccelerator.ListAccelerators(ctx, &globalaccelerator.ListAcceleratorsInput{MaxResults: aws.Int32(100), NextToken: token})
		if err != nil {
			return nil, err
		}
		for _, a := range page.Accelerators {
			arn, name := aws.ToString(a.AcceleratorArn), aws.ToString(a.Name)
			tags, err := gaTags(ctx, c, arn)
			if errors.Is(err, ErrGone) {
				continue
			}
			if err != nil {
				return nil, err
			}
			x := gaCandidate{arn: arn, student: tags["labdash:student"]}
			prefixed := s.StudentOf(name)
			switch class := tags["labdash:class"]; {
			case s.Owned[arn].ARN != "":
				x.proof, x.student = "already proven the class's", s.Owned[arn].Student
			case class == s.ClassID:
				x.proof = "tag labdash:class=" + s.ClassID
			case class != "" && prefixed != "":
				x.reason = "named like the class but tagged for class " + class
			case class == "" && prefixed != "":
				x.proof, x.student = "name prefix "+s.Prefix(prefixed), prefixed
			}
			if x.student == "" {
				x.student = prefixed
			}
			out = append(out, x)
		}
		if token = page.NextToken; aws.ToString(token) == "" {
			return out, nil
		}
	}
}

// gaWalk calls fn for every listener of every proven accelerator.
func gaWalk(ctx context.Context, c *cloud.Clients, s Scope, fn func(a gaCandidate, l gatypes.Listener) error) error {
	accs, err := gaAccelerators(ctx, c, s)
	if err != nil {
		return err
	}
	for _, a := range accs {
		if a.proof == "" {
			continue
		}
		var token *string
		for {
			out, err := c.GlobalAccelerator.ListListeners(ctx, &globalaccelerator.ListListenersInput{AcceleratorArn: aws.String(a.arn), MaxResults: aws.Int32(100), NextToken: token})
			if errors.Is(gaGone(err), ErrGone) {
				break // deleted meanwhile
			}
			if err != nil {
				return err
			}
			for _, l := range out.Listeners {
				if err := fn(a, l); err != nil {
					return err
				}
			}
			if token = out.NextToken; aws.ToString(token) == "" {
				break
			}
		}
	}
	return nil
}
