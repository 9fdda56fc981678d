package sim

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func (e *env) putAlarm(name string, threshold float64, tags map[string]string) {
	e.t.Helper()
	in := &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("AWS/ApplicationELB"), MetricName: aws.String("RequestCount"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(threshold),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}
	for _, k := range sortedKeys(tags) {
		in.Tags = append(in.Tags, cwtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	if _, err := e.c.CloudWatch.PutMetricAlarm(e.ctx, in); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) alarmTags(arn string) (map[string]string, error) {
	out, err := e.c.CloudWatch.ListTagsForResource(e.ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, t := range out.Tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m, nil
}

func TestCloudWatchAlarmTags(t *testing.T) {
	e := newEnv(t)
	const arnPrefix = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:"
	e.putAlarm("c42s07-high", 10, map[string]string{"labdash:class": "c42", "labdash:student": "s07"})
	e.putAlarm("untagged", 10, nil)
	// An update keeps the tags given at creation and ignores the new ones.
	e.putAlarm("c42s07-high", 20, map[string]string{"labdash:class": "other", "extra": "x"})
	if a := e.alarm("c42s07-high"); aws.ToFloat64(a.Threshold) != 20 || aws.ToString(a.AlarmArn) != arnPrefix+"c42s07-high" {
		t.Fatalf("updated alarm: %+v", a)
	}

	// Another region's alarm of the same name is another resource.
	west, err := e.w.Clients(e.ctx, "", "us-west-2")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		arn  string
		want map[string]string
		code string
	}{
		{"tags from creation, not from the update", arnPrefix + "c42s07-high", map[string]string{"labdash:class": "c42", "labdash:student": "s07"}, ""},
		{"no tags is an empty list", arnPrefix + "untagged", map[string]string{}, ""},
		{"unknown alarm", arnPrefix + "nope", nil, "ResourceNotFoundException"},
		{"alarm name is exact", arnPrefix + "c42s07", nil, "ResourceNotFoundException"},
		{"other region", "arn:aws:cloudwatch:us-west-2:111122223333:alarm:c42s07-high", nil, "ResourceNotFoundException"},
		{"other account", "arn:aws:cloudwatch:us-east-1:444455556666:alarm:c42s07-high", nil, "ResourceNotFoundException"},
		{"dashboard", "arn:aws:cloudwatch::111122223333:dashboard/c42s07-high", nil, "ResourceNotFoundException"},
		{"not an ARN", "c42s07-high", nil, "InvalidParameterValue"},
		{"missing", "", nil, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.alarmTags(tc.arn)
			if apiCode(err) != tc.code {
				t.Fatalf("err %v, want code %q", err, tc.code)
			}
			if tc.code == "" && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("tags %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := west.CloudWatch.ListTagsForResource(e.ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arnPrefix + "c42s07-high")}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("us-west-2 client reading a us-east-1 alarm: %v", err)
	}

	// Deleted, then recreated: the new alarm has only its own tags.
	if _, err := e.c.CloudWatch.DeleteAlarms(e.ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"c42s07-high"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.alarmTags(arnPrefix + "c42s07-high"); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("deleted alarm: %v", err)
	}
	e.putAlarm("c42s07-high", 5, map[string]string{"fresh": "1"})
	if got, err := e.alarmTags(arnPrefix + "c42s07-high"); err != nil || !reflect.DeepEqual(got, map[string]string{"fresh": "1"}) {
		t.Errorf("recreated alarm tags %v, %v", got, err)
	}

	// Too many tags at creation is refused.
	many := map[string]string{}
	for i := 0; i < 51; i++ {
		many[string(rune('A'+i%26))+string(rune('a'+i/26))] = "v"
	}
	in := &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("many"), Namespace: aws.String("N"), MetricName: aws.String("M"), Statistic: cwtypes.StatisticSum,
		Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}
	for k, v := range many {
		in.Tags = append(in.Tags, cwtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := e.c.CloudWatch.PutMetricAlarm(e.ctx, in); apiCode(err) != "ValidationError" {
		t.Errorf("51 tags: %v", err)
	}
}

// The alarms Application Auto Scaling creates for a target-tracking policy carry no tags.
func TestTargetTrackingAlarmsUntagged(t *testing.T) {
	e := newEnv(t)
	l := e.fargate("c42s07", 80)
	e.scaling(l)
	out, err := e.c.CloudWatch.DescribeAlarms(e.ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("TargetTracking-")})
	if err != nil || len(out.MetricAlarms) != 2 {
		t.Fatalf("target-tracking alarms: %v %+v", err, out)
	}
	for _, a := range out.MetricAlarms {
		tags, err := e.alarmTags(aws.ToString(a.AlarmArn))
		if err != nil || len(tags) != 0 {
			t.Errorf("%s: tags %v, %v", aws.ToString(a.AlarmName), tags, err)
		}
	}
}
