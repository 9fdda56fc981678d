package resources

// AWS::IAM::Role — a student's sandbox role (path /labdash/<class>/<student>/), a
// role a student made under that path, or a role the lab's stack made. Its managed policies are detached and its inline policies
// deleted first: both are parts of the role, not things outside it. Global: IAM
// answers the same in every region.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::IAM::Role",
		Gone:   []NotFound{{Code: "NoSuchEntity"}},
		After:  []string{"AWS::ElasticBeanstalk::Environment", "AWS::Lambda::Function", "AWS::ECS::Service", "AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup", "AWS::IAM::InstanceProfile"},
		Global: true,
		Match:  MatchPrefix("iam", "role/"),
		Naming: NameIAMPath,
		NameOf: iamPathName,
		// Students may create roles under their own path /labdash/<class>/<student>/
		// (the boundary's IAM path fence), often untagged.
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var marker *string
			for {
				out, err := c.IAM.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/labdash/" + s.ClassID + "/"), Marker: marker})
				if err != nil {
					return nil, err
				}
				for _, r := range out.Roles {
					if strings.HasPrefix(aws.ToString(r.Path), "/labdash/"+s.ClassID+"/") {
						found = append(found, Candidate{ARN: aws.ToString(r.Arn), Name: aws.ToString(r.Path) + aws.ToString(r.RoleName)})
					}
				}
				if marker = out.Marker; !out.IsTruncated || aws.ToString(marker) == "" {
					return found, nil
				}
			}
		},
		// A role still in an instance profile answers DeleteConflict; the class's
		// profiles go first (After), so one that still holds it is outside the class.
		Blockers: func(ctx context.Context, c *cloud.Clients, r Ref) ([]Blocker, error) {
			out, err := c.IAM.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String(roleName(r.ARN))})
			if err != nil {
				return nil, err
			}
			var b []Blocker
			for _, p := range out.InstanceProfiles {
				b = append(b, Blocker{ARN: aws.ToString(p.Arn), Why: "the instance profile holds the role"})
			}
			return b, nil
		},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName(r.ARN))})
			if err != nil {
				return nil, err
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
				return err
			}
			for _, p := range attached.AttachedPolicies {
				if _, err := c.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn}); err != nil && !IsCode(err, "NoSuchEntity") {
					return err
				}
			}
			inline, err := c.IAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
			if err != nil {
				return err
			}
			for _, p := range inline.PolicyNames {
				if _, err := c.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)}); err != nil && !IsCode(err, "NoSuchEntity") {
					return err
				}
			}
			_, err = c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
			return err
		},
		// DetachRolePolicy and DeleteRolePolicy change the role, not the policy they
		// name (the guard's parameterFields), so the role's own names cover them.
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, roleName(r.ARN)}, nil },
	})
}

func roleName(arn string) string { return Last(arn, "/") }

// iamPathName is the path and name of an IAM role or instance profile ARN:
// arn:aws:iam::A:role/labdash/c42/s07/NAME → /labdash/c42/s07/NAME.
func iamPathName(arn string) string {
	_, rest, ok := strings.Cut(Resource(arn), "/")
	if !ok {
		return ""
	}
	return "/" + rest
}
