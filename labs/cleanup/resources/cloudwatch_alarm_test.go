package resources_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

func TestAlarmSim(t *testing.T)  { testAlarm(t, simEnv(t)) }
func TestAlarmMoto(t *testing.T) { testAlarm(t, motoEnv(t)) }

// testAlarm: an alarm's tags are read from the alarm; once it is deleted, reading
// them says gone — also where the endpoint answers ListTagsForResource for a
// deleted alarm with no tags (moto), which must not read as "untagged".
func testAlarm(t *testing.T, e *env) {
	name := classID + "s01-high-cpu"
	if _, err := e.c.CloudWatch.PutMetricAlarm(e.ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), Namespace: aws.String("AWS/ECS"),
		MetricName: aws.String("CPUUtilization"), Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(80), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		Tags: []cwtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(classID)}}}); err != nil {
		t.Fatal(err)
	}
	typ := mustType(t, "AWS::CloudWatch::Alarm")
	ref := resources.Ref{ARN: e.c.ARN("cloudwatch", "alarm:"+name), Type: typ.Name, Region: e.c.Region, Account: e.c.Account}
	if tags, err := typ.Tags(e.ctx, e.c, ref); err != nil || tags["labdash:class"] != classID {
		t.Fatalf("tags: %v %v", tags, err)
	}
	e.DeleteUntilGone(e.c, ref, 3)
	if tags, err := typ.Tags(e.ctx, e.c, ref); !errors.Is(err, resources.ErrGone) {
		t.Fatalf("tags of the deleted alarm: %v %v, want gone", tags, err)
	}
	if got, err := typ.BatchTags(e.ctx, e.c, []resources.Ref{ref}); err != nil || len(got) != 0 {
		t.Fatalf("batch tags of the deleted alarm: %v %v, want it left out", got, err)
	}
	e.Gone(e.c, ref)
}
