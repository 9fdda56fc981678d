package resources

// AWS::IAM::ManagedPolicy — the class's permissions boundary and identity policy
// (named <class>-student-…, tagged for the class as class-wide). Provisioning again
// after labdash's policies changed adds a version; cleanup deletes the other versions,
// then the policy. It is deleted after the class's roles; if IAM still
// answers DeleteConflict then, something outside the class uses it, and labdash
// will not detach it from that: the item is reported as blocked by it.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name: "AWS::IAM::ManagedPolicy",
		Gone: []NotFound{{Code: "NoSuchEntity"}},
		// The labs' stacks make roles that carry the class boundary (Lab 7's instance
		// role): the policy goes after them too.
		After:  []string{"AWS::IAM::Role", "AWS::IAM::InstanceProfile", "AWS::CloudFormation::Stack"},
		Global: true,
		Match:  MatchPrefix("iam", "policy/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			m := map[string]string{}
			var marker *string
			for {
				out, err := c.IAM.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(r.ARN), Marker: marker})
				if err != nil {
					return nil, err
				}
				for _, t := range out.Tags {
					m[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				if marker = out.Marker; !out.IsTruncated || aws.ToString(marker) == "" {
					return m, nil
				}
			}
		},
		// IAM answers DeleteConflict while a role, user or group still uses the
		// policy (attached, or as its permissions boundary). The class's own roles
		// are gone by then (After), so what is left is outside the class: the engine
		// names it (Blockers) and labdash never detaches it.
		// IAM deletes only a policy left with its default version: the versions a
		// re-provisioning made (after labdash's policies changed) go first.
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			versions, err := c.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(r.ARN)})
			if err != nil {
				return err
			}
			for _, v := range versions.Versions {
				if v.IsDefaultVersion {
					continue
				}
				if _, err := c.IAM.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(r.ARN), VersionId: v.VersionId}); err != nil && ErrorCode(err) != "NoSuchEntity" {
					return err
				}
			}
			_, err = c.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(r.ARN)})
			return err
		},
		Blockers: func(ctx context.Context, c *cloud.Clients, r Ref) ([]Blocker, error) {
			var out []Blocker
			for _, use := range []iamtypes.PolicyUsageType{iamtypes.PolicyUsageTypePermissionsPolicy, iamtypes.PolicyUsageTypePermissionsBoundary} {
				var marker *string
				for {
					page, err := c.IAM.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(r.ARN), PolicyUsageFilter: use, Marker: marker})
					if err != nil {
						return nil, err
					}
					why := "it has the policy attached"
					if use == iamtypes.PolicyUsageTypePermissionsBoundary {
						why = "it uses the policy as its permissions boundary"
					}
					for _, e := range page.PolicyRoles {
						out = append(out, Blocker{ARN: "arn:aws:iam::" + Account(r.ARN) + ":role/" + aws.ToString(e.RoleName), Why: why})
					}
					for _, e := range page.PolicyUsers {
						out = append(out, Blocker{ARN: "arn:aws:iam::" + Account(r.ARN) + ":user/" + aws.ToString(e.UserName), Why: why})
					}
					for _, e := range page.PolicyGroups {
						out = append(out, Blocker{ARN: "arn:aws:iam::" + Account(r.ARN) + ":group/" + aws.ToString(e.GroupName), Why: why})
					}
					if marker = page.Marker; !page.IsTruncated || aws.ToString(marker) == "" {
						break
					}
				}
			}
			return out, nil
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}
