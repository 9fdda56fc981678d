package sim

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

func (e *env) logGroupNames(in cloudwatchlogs.DescribeLogGroupsInput) ([]string, []lgFields, error) {
	var names []string
	var groups []lgFields
	for {
		out, err := e.c.Logs.DescribeLogGroups(e.ctx, &in)
		if err != nil {
			return nil, nil, err
		}
		for _, g := range out.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
			groups = append(groups, lgFields{arn: g.Arn != nil, groupArn: g.LogGroupArn != nil, retention: g.RetentionInDays != nil, created: aws.ToInt64(g.CreationTime)})
		}
		if out.NextToken == nil {
			return names, groups, nil
		}
		in.NextToken = out.NextToken
	}
}

// lgFields is which fields DescribeLogGroups filled in.
type lgFields struct {
	arn, groupArn, retention bool
	created                  int64
}

func TestDescribeLogGroupsPattern(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"DataLogs", "aws/DataLogs", "GroupDataLogs", "datalogs", "Data/log/s", "Groupdata", "/ecs/c42s07-web", "/ecs/c42s08-web"} {
		if _, err := e.c.Logs.CreateLogGroup(e.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		in      cloudwatchlogs.DescribeLogGroupsInput
		want    []string
		wantErr string
	}{
		// The API reference's own example: DataLogs matches DataLogs, aws/DataLogs and
		// GroupDataLogs, not datalogs, Data/log/s or Groupdata.
		{"pattern is a case-sensitive substring", cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("DataLogs")},
			[]string{"DataLogs", "GroupDataLogs", "aws/DataLogs"}, ""},
		{"pattern in the middle", cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("s07")}, []string{"/ecs/c42s07-web"}, ""},
		{"prefix is a prefix", cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("Data")}, []string{"Data/log/s", "DataLogs"}, ""},
		{"prefix does not match inside", cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("s07")}, nil, ""},
		{"pattern pages", cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("web"), Limit: aws.Int32(1)}, []string{"/ecs/c42s07-web", "/ecs/c42s08-web"}, ""},
		{"both", cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("Data"), LogGroupNamePattern: aws.String("Logs")}, nil, "InvalidParameterException"},
		{"both, even empty", cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(""), LogGroupNamePattern: aws.String("")}, nil, "InvalidParameterException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := e.logGroupNames(tc.in)
			if apiCode(err) != tc.wantErr {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}

	// With a pattern only arn, creationTime and logGroupName come back.
	created := e.clock.Now().UnixMilli()
	e.clock.Advance(time.Minute)
	_, withPattern, err := e.logGroupNames(cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("c42s07")})
	if err != nil || len(withPattern) != 1 {
		t.Fatalf("%v %+v", err, withPattern)
	}
	if g := withPattern[0]; !g.arn || g.groupArn || g.retention || g.created != created {
		t.Errorf("with a pattern: %+v, want arn and creationTime %d only", g, created)
	}
	_, withPrefix, _ := e.logGroupNames(cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/ecs/c42s07")})
	if len(withPrefix) != 1 || !withPrefix[0].groupArn || withPrefix[0].created != created {
		t.Errorf("with a prefix: %+v", withPrefix)
	}
}
