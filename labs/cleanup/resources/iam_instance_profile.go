package resources

// AWS::IAM::InstanceProfile — an instance profile a student made under their own
// path /labdash/<class>/<student>/ (the boundary's IAM path fence allows it), or
// one the lab's stack made (deleted with the stack). IAM deletes a profile only
// once it holds no role, so Delete first removes the role it holds (that changes
// the profile, not the role), then deletes it. It goes before the roles: a role
// still in a profile cannot be deleted. Global, like all of IAM.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::IAM::InstanceProfile",
		Gone:   []NotFound{{Code: "NoSuchEntity"}},
		After:  []string{"AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup", "AWS::ElasticBeanstalk::Environment"},
		Global: true,
		Match:  MatchPrefix("iam", "instance-profile/"),
		Naming: NameIAMPath,
		NameOf: iamPathName,
		// The profile's own description carries its tags (GetInstanceProfile), one
		// call, and an endpoint without ListInstanceProfileTags (moto) answers it.
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(roleName(r.ARN))})
			if err != nil {
				return nil, err
			}
			m := map[string]string{}
			for _, t := range out.InstanceProfile.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			return m, nil
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var marker *string
			for {
				out, err := c.IAM.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/labdash/" + s.ClassID + "/"), Marker: marker})
				if err != nil {
					return nil, err
				}
				for _, p := range out.InstanceProfiles {
					if strings.HasPrefix(aws.ToString(p.Path), "/labdash/"+s.ClassID+"/") { // an endpoint that ignores PathPrefix (moto) must not widen it
						found = append(found, Candidate{ARN: aws.ToString(p.Arn), Name: aws.ToString(p.Path) + aws.ToString(p.InstanceProfileName)})
					}
				}
				if marker = out.Marker; !out.IsTruncated || aws.ToString(marker) == "" {
					return found, nil
				}
			}
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			name := roleName(r.ARN)
			out, err := c.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)})
			if err != nil {
				return err
			}
			for _, role := range out.InstanceProfile.Roles {
				if _, err := c.IAM.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String(name), RoleName: role.RoleName}); err != nil && !IsCode(err, "NoSuchEntity") {
					return err
				}
			}
			_, err = c.IAM.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String(name)})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, roleName(r.ARN)}, nil },
	})
}
