package resources

// AWS::CloudWatch::Alarm — alarms a student made by hand with the class prefix, and
// the target-tracking alarms Application Auto Scaling made for an owned service
// (those go with their scaling policy; deleting one first is harmless).

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
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Found, error) {
			var found []Found
			var token *string
			for {
				out, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(s.ClassID), NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, a := range out.MetricAlarms {
					name := aws.ToString(a.AlarmName)
					if st := s.StudentOf(name); st != "" {
						found = append(found, Found{Ref: Ref{ARN: aws.ToString(a.AlarmArn), Type: "AWS::CloudWatch::Alarm", Region: c.Region, Account: c.Account, Student: st},
							Proof: "name prefix " + s.Prefix(st)})
					}
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
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
