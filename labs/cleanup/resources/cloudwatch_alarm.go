package resources

// AWS::CloudWatch::Alarm — alarms a student made by hand with their prefix, and
// the target-tracking alarms Application Auto Scaling made for a student's service
// (those go with their scaling policy; deleting one first is harmless). Alarms
// carry tags: one tagged for another class is never taken for its name.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::CloudWatch::Alarm",
		Hourly: 0.10 / 730,
		Match:  MatchPrefix("cloudwatch", "alarm:"),
		// Hand-made alarms start with the student's prefix; the alarms Application
		// Auto Scaling makes for a target-tracking policy are named
		// TargetTracking-service/<cluster>/<service>-AlarmHigh-…, with the
		// cluster's name (so the prefix) as a path segment.
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			for _, prefix := range []string{s.ClassID, "TargetTracking-service/" + s.ClassID} {
				var token *string
				for {
					out, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(prefix), NextToken: token})
					if err != nil {
						return nil, err
					}
					for _, a := range out.MetricAlarms {
						found = append(found, Candidate{ARN: aws.ToString(a.AlarmArn), Name: aws.ToString(a.AlarmName)})
					}
					for _, a := range out.CompositeAlarms {
						found = append(found, Candidate{ARN: aws.ToString(a.AlarmArn), Name: aws.ToString(a.AlarmName)})
					}
					if token = out.NextToken; aws.ToString(token) == "" {
						break
					}
				}
			}
			return found, nil
		},
		Naming: NameSegment,
		NameOf: alarmName,
		// After the scaling policies: a target-tracking policy the plan owns takes
		// its alarms with it, and those need no reading of their own.
		Under: []string{"AWS::ApplicationAutoScaling::ScalingPolicy"},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.CloudWatch.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(r.ARN)})
			if err != nil {
				return nil, GoneIf(err, "ResourceNotFoundException", "ResourceNotFound")
			}
			m := make(map[string]string, len(out.Tags))
			for _, t := range out.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			return m, nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			name := alarmName(r.ARN)
			out, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
			if err != nil {
				return err
			}
			if len(out.MetricAlarms)+len(out.CompositeAlarms) == 0 {
				return ErrGone
			}
			_, err = c.CloudWatch.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{name}})
			return GoneIf(err, "ResourceNotFound")
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, alarmName(r.ARN)}, nil },
	})
}

func alarmName(arn string) string { _, n, _ := strings.Cut(arn, ":alarm:"); return n }
