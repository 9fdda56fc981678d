package resources

// AWS::IAM::Role — a student's sandbox role (path /labdash/<class>/) or a role the
// lab's stack made. Its managed policies are detached and its inline policies
// deleted first: both are parts of the role, not things outside it. Global: IAM
// answers the same in every region.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::IAM::Role",
		After:  []string{"AWS::ElasticBeanstalk::Environment", "AWS::Lambda::Function", "AWS::ECS::Service", "AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup"},
		Global: true,
		Match:  MatchPrefix("iam", "role/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName(r.ARN))})
			if err != nil {
				return nil, GoneIf(err, "NoSuchEntity")
			}
			m := map[string]string{}
			for _, t := range out.Role.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			return m, nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			name := roleName(r.ARN)
			attached, err := c.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
			if err != nil {
				return GoneIf(err, "NoSuchEntity")
			}
			for _, p := range attached.AttachedPolicies {
				if _, err := c.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn}); err != nil && !IsCode(err, "NoSuchEntity") {
					return err
				}
			}
			inline, err := c.IAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
			if err != nil {
				return GoneIf(err, "NoSuchEntity")
			}
			for _, p := range inline.PolicyNames {
				if _, err := c.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)}); err != nil && !IsCode(err, "NoSuchEntity") {
					return err
				}
			}
			_, err = c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
			return GoneIf(err, "NoSuchEntity")
		},
		// DetachRolePolicy and DeleteRolePolicy change the role, not the policy they
		// name (the guard's parameterFields), so the role's own names cover them.
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, roleName(r.ARN)}, nil },
	})
}

func roleName(arn string) string { return Last(arn, "/") }
