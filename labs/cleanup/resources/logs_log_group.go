package resources

// AWS::Logs::LogGroup — the Fargate tasks' log groups (made by the lab's stack, or
// by hand with the class prefix), Lambda's /aws/lambda/<function> groups, and any
// group a student named with their prefix in it.

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
		Gone:  []NotFound{{Code: "ResourceNotFoundException"}},
		After: []string{"AWS::ECS::Service"},
		Match: MatchPrefix("logs", "log-group:"),
		// Students may put their prefix anywhere in a log group's name (the
		// boundary's log-group:*<prefix>* pattern), and Lambda and ECS name theirs
		// /aws/lambda/<function>, /ecs/<family>: one listing of every group whose
		// name contains the class id (LogGroupNamePattern, a substring match; an
		// endpoint that ignores it returns every group, narrowed here).
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var token *string
			for {
				out, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String(s.ClassID), NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, g := range out.LogGroups {
					if name := aws.ToString(g.LogGroupName); strings.Contains(name, s.ClassID) {
						found = append(found, Candidate{ARN: c.ARN("logs", "log-group:"+name), Name: name})
					}
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Naming: NameSegment,
		NameOf: logGroupName,
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.Logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(strings.TrimSuffix(r.ARN, ":*"))})
			if err != nil {
				return nil, err
			}
			return out.Tags, nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.Logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(logGroupName(r.ARN))})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, logGroupName(r.ARN)}, nil },
	})
}

// logGroupName is the name in …:log-group:NAME (a trailing ":*" dropped).
func logGroupName(arn string) string {
	_, n, _ := strings.Cut(arn, ":log-group:")
	return strings.TrimSuffix(n, ":*")
}
