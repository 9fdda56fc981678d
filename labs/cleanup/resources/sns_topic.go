package resources

// AWS::SNS::Topic — Lab 1's photo topic and Lab 7's signup topic, tagged when the
// dashboard made them, or made by hand with the class prefix (the boundary's name
// fence only lets a student create sns:…:<class><student>-* topics). Deleted after
// its subscriptions (LABS.md Lab 1 cleanup: "SNS subscriptions, then the topic");
// DeleteTopic takes any subscription still pending confirmation with it, which is
// the only way to remove one. DeleteTopic is idempotent on AWS: deleting a topic
// that no longer exists is no error, so a second run answers nil.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  "AWS::SNS::Topic",
		Gone:  []NotFound{{Code: "NotFound"}, {Code: "ResourceNotFound"}}, // "Topic does not exist"; ListTagsForResource
		After: []string{"AWS::SNS::Subscription"},
		Match: isSNSTopicARN,
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			return snsTopicTags(ctx, c, r.ARN)
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			err := snsEachTopic(ctx, c, func(arn string) error {
				if strings.HasPrefix(Resource(arn), s.ClassID) {
					found = append(found, Candidate{ARN: arn, Name: Resource(arn)})
				}
				return nil
			})
			return found, err
		},
		Naming: NamePrefix,
		NameOf: Resource,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.SNS.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(r.ARN)})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}

// isSNSTopicARN matches arn:aws:sns:REGION:ACCOUNT:NAME; a subscription's resource
// part carries a further ":UUID".
func isSNSTopicARN(arn string) bool {
	res := Resource(arn)
	return Service(arn) == "sns" && res != "" && !strings.Contains(res, ":")
}

func snsTopicTags(ctx context.Context, c *cloud.Clients, arn string) (map[string]string, error) {
	out, err := c.SNS.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(out.Tags))
	for _, t := range out.Tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m, nil
}

// snsEachTopic calls f with every topic ARN of the client's region.
func snsEachTopic(ctx context.Context, c *cloud.Clients, f func(arn string) error) error {
	var token *string
	for {
		out, err := c.SNS.ListTopics(ctx, &sns.ListTopicsInput{NextToken: token})
		if err != nil {
			return err
		}
		for _, t := range out.Topics {
			if err := f(aws.ToString(t.TopicArn)); err != nil {
				return err
			}
		}
		if token = out.NextToken; aws.ToString(token) == "" {
			return nil
		}
	}
}
