package resources

// AWS::Events::Rule — the event mode's rules, labdash-<class>-<lab> on the
// default bus of each lab region, tagged labdash:class=<class> and
// labdash:managed-by=dashboard when provisioning made them: class-level, owned
// by tag alone (students are granted no EventBridge action, so no name rule
// applies). LABS.md §4 deletes them first, so the sweep makes no event noise:
// the type depends on nothing, which gives it the lowest rank, and the queue
// they send to waits for it (sqs_queue.go).
//
// EventBridge refuses to delete a rule that has targets ("Rule can't be deleted
// since it has targets."), so Delete removes every target first, then the rule.
// DeleteRule succeeds on a rule that is already gone; ListTargetsByRule and
// ListTagsForResource answer ResourceNotFoundException for one.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  "AWS::Events::Rule",
		Gone:  []NotFound{{Code: "ResourceNotFoundException"}},
		Match: MatchPrefix("events", "rule/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.Events.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(r.ARN)})
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
			in := &eventbridge.ListRulesInput{NamePrefix: aws.String("labdash-" + s.ClassID + "-"), Limit: aws.Int32(100)}
			for page := 0; page < 100; page++ {
				out, err := c.Events.ListRules(ctx, in)
				if err != nil {
					return found, err
				}
				for _, ru := range out.Rules {
					if arn := aws.ToString(ru.Arn); arn != "" {
						found = append(found, Candidate{ARN: arn, Name: aws.ToString(ru.Name)})
					}
				}
				if aws.ToString(out.NextToken) == "" {
					break
				}
				in.NextToken = out.NextToken
			}
			return found, nil
		},
		Naming: NameNone,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			name := eventsRuleName(r.ARN)
			for page := 0; page < 10; page++ {
				out, err := c.Events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name), Limit: aws.Int32(100)})
				if err != nil {
					return err
				}
				if len(out.Targets) == 0 {
					break
				}
				ids := make([]string, 0, len(out.Targets))
				for _, t := range out.Targets {
					ids = append(ids, aws.ToString(t.Id))
				}
				for len(ids) > 0 { // RemoveTargets takes 10 ids a call
					n := min(len(ids), 10)
					if _, err := c.Events.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(name), Ids: ids[:n]}); err != nil {
						return err
					}
					ids = ids[n:]
				}
			}
			_, err := c.Events.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(name)})
			return err
		},
		// RemoveTargets names the rule (Rule) and the targets' ids, which are the
		// rule's own parts (labs/cloud.Identifiers reads only the rule); DeleteRule
		// names the rule.
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, eventsRuleName(r.ARN)}, nil },
	})
}

// eventsRuleName is NAME in arn:aws:events:R:A:rule/NAME (default bus only).
func eventsRuleName(arn string) string {
	name, _ := strings.CutPrefix(Resource(arn), "rule/")
	if strings.Contains(name, "/") {
		return "" // a rule on a custom bus (rule/BUS/NAME): not labdash's
	}
	return name
}
