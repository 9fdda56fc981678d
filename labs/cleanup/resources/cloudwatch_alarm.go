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
		Gone:   []NotFound{{Code: "ResourceNotFound"}, {Code: "ResourceNotFoundException"}}, // DeleteAlarms; ListTagsForResource
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
		// Tags first make sure the alarm exists (DescribeAlarms, 100 names a call):
		// an endpoint may answer ListTagsForResource for a deleted alarm with no tags
		// (moto does), which would read as "untagged" rather than gone.
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			got, err := alarmTags(ctx, c, []Ref{r})
			if err != nil {
				return nil, err
			}
			tags, ok := got[r.ARN]
			if !ok {
				return nil, ErrGone
			}
			return tags, nil
		},
		BatchTags: alarmTags,
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
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, alarmName(r.ARN)}, nil },
	})
}

func alarmName(arn string) string { _, n, _ := strings.Cut(arn, ":alarm:"); return n }

// alarmTags reads the tags of the alarms of refs that exist (one DescribeAlarms
// per 100 names, then ListTagsForResource for each); a missing one is left out.
func alarmTags(ctx context.Context, c *cloud.Clients, refs []Ref) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, chunk := range Chunks(refs, 100) {
		names := make([]string, len(chunk))
		for i, r := range chunk {
			names[i] = alarmName(r.ARN)
		}
		exists := map[string]bool{}
		var token *string
		for {
			d, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: names, NextToken: token})
			if err != nil {
				return nil, err
			}
			for _, a := range d.MetricAlarms {
				exists[aws.ToString(a.AlarmArn)] = true
			}
			for _, a := range d.CompositeAlarms {
				exists[aws.ToString(a.AlarmArn)] = true
			}
			if token = d.NextToken; aws.ToString(token) == "" {
				break
			}
		}
		for _, r := range chunk {
			if !exists[r.ARN] {
				continue
			}
			t, err := c.CloudWatch.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(r.ARN)})
			if isGone("AWS::CloudWatch::Alarm", err) { // deleted since DescribeAlarms
				continue
			}
			if err != nil {
				return nil, err
			}
			m := make(map[string]string, len(t.Tags))
			for _, tag := range t.Tags {
				m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			out[r.ARN] = m
		}
	}
	return out, nil
}
