package resources

// AWS::IAM::ManagedPolicy — the class's permissions boundary and students'
// identity policies (named <class>-student-…). Non-default versions go first, as
// IAM requires, are not made by labdash. It is deleted after the class's roles; if IAM still answers
// DeleteConflict then, something outside the class uses it, and labdash will not
// detach it from that: the item fails with the reason.

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::IAM::ManagedPolicy",
		After:  []string{"AWS::IAM::Role"},
		Global: true,
		Match:  MatchPrefix("iam", "policy/"),
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(r.ARN)})
			if IsCode(err, "DeleteConflict") {
				return &outsideUse{arn: r.ARN, err: err}
			}
			return GoneIf(err, "NoSuchEntity")
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}

// outsideUse is terminal: the class's own roles are gone by the time a policy is
// deleted, so whatever still uses it is not the class's.
type outsideUse struct {
	arn string
	err error
}

func (e *outsideUse) Error() string {
	return fmt.Sprintf("%s is still attached to a role, user or group outside the class; labdash will not detach it from them (%v)", e.arn, e.err)
}
