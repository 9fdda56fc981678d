package resources

// AWS::EC2::LaunchTemplate — deleted (all its versions) once the Auto Scaling
// groups that launch from it are gone. Hand-made templates that carry no tags are
// found by their class-prefixed name.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs/cloud"
)

const launchTemplateType = "AWS::EC2::LaunchTemplate"

func init() {
	Register(Type{
		Name:  launchTemplateType,
		Gone:  []NotFound{{Code: "InvalidLaunchTemplateId.NotFound"}, {Code: "InvalidLaunchTemplateName.NotFoundException"}},
		After: []string{asgType},
		Match: MatchPrefix("ec2", "launch-template/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{Last(r.ARN, "/")}})
			if err != nil {
				return nil, err
			}
			if len(out.LaunchTemplates) == 0 {
				return nil, ErrGone
			}
			return ec2Tags(out.LaunchTemplates[0].Tags), nil
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var token *string
			for {
				out, err := c.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{NextToken: token, MaxResults: aws.Int32(200),
					Filters: []ec2types.Filter{{Name: aws.String("launch-template-name"), Values: []string{s.ClassID + "*"}}}})
				if err != nil {
					return nil, err
				}
				for _, lt := range out.LaunchTemplates {
					found = append(found, Candidate{ARN: c.ARN("ec2", "launch-template/"+aws.ToString(lt.LaunchTemplateId)),
						Name: aws.ToString(lt.LaunchTemplateName), Tags: ec2Tags(lt.Tags)})
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Naming: NamePrefix,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.EC2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: aws.String(Last(r.ARN, "/"))})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, Last(r.ARN, "/")}, nil },
	})
}
