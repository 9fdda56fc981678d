package resources

// AWS::Logs::LogGroup — the Fargate tasks' log groups (made by the lab's stack, or
// by hand with the class prefix).

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  "AWS::Logs::LogGroup",
		After: []string{"AWS::ECS::Service"},
		Match: MatchPrefix("logs", "log-group:"),
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Found, error) {
			var found []Found
			for _, prefix := range []string{s.ClassID, "/ecs/" + s.ClassID} {
				var token *string
				for {
					out, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(prefix), NextToken: token})
					if err != nil {
						return nil, err
					}
					for _, g := range out.LogGroups {
						name := aws.ToString(g.LogGroupName)
						if st := s.StudentOf(strings.TrimPrefix(name, "/ecs/")); st != "" {
							found = append(found, Found{Ref: Ref{ARN: c.ARN("logs", "log-group:"+name), Type: "AWS::Logs::LogGroup", Region: c.Region, Account: c.Account, Student: st},
								Proof: "name prefix " + s.Prefix(st)})
						}
					}
					if token = out.NextToken; aws.ToString(token) == "" {
						break
					}
				}
			}
			return found, nil
		},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.Logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(strings.TrimSuffix(r.ARN, ":*"))})
			if err != nil {
				return nil, GoneIf(err, "ResourceNotFoundException")
			}
			return out.Tags, nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.Logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(logGroupName(r.ARN))})
			return GoneIf(err, "ResourceNotFoundException")
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, logGroupName(r.ARN)}, nil },
	})
}

// logGroupName is the name in …:log-group:NAME (a trailing ":*" dropped).
func logGroupName(arn string) string {
	_, n, _ := strings.Cut(arn, ":log-group:")
	return strings.TrimSuffix(n, ":*")
}
