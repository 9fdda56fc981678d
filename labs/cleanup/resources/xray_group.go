package resources

// AWS::XRay::Group — each student's X-Ray group (Lab 7), named <class><student>
// (c42s07, no dash) by the lab's stack or by hand, tagged when the stack made it.
// Deleting a group leaves its traces: they cannot be deleted and expire (LABS.md
// Lab 7). X-Ray answers InvalidRequestException "Group not found" for a group that
// is gone.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  "AWS::XRay::Group",
		Gone:  []NotFound{{Code: "InvalidRequestException", Message: "Group not found"}, {Code: "ResourceNotFoundException"}}, // DeleteGroup; ListTagsForResource
		Match: MatchPrefix("xray", "group/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.XRay.ListTagsForResource(ctx, &xray.ListTagsForResourceInput{ResourceARN: aws.String(r.ARN)})
			if err != nil {
				return nil, err
			}
			m := map[string]string{}
			for _, t := range out.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			return m, nil
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			in := &xray.GetGroupsInput{}
			for page := 0; page < 100; page++ {
				out, err := c.XRay.GetGroups(ctx, in)
				if err != nil {
					return nil, err
				}
				for _, g := range out.Groups {
					if name, arn := aws.ToString(g.GroupName), aws.ToString(g.GroupARN); arn != "" && strings.HasPrefix(name, s.ClassID) {
						found = append(found, Candidate{ARN: arn, Name: name})
					}
				}
				if aws.ToString(out.NextToken) == "" {
					break
				}
				in.NextToken = out.NextToken
			}
			return found, nil
		},
		Naming: NameStem,
		NameOf: xrayGroupName,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.XRay.DeleteGroup(ctx, &xray.DeleteGroupInput{GroupARN: aws.String(r.ARN)})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, xrayGroupName(r.ARN)}, nil },
	})
}

// xrayGroupName is NAME in arn:aws:xray:R:A:group/NAME/ID.
func xrayGroupName(arn string) string {
	parts := strings.Split(Resource(arn), "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}
