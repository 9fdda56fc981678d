package slots

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestCallsPerCycle: the group's listings are one call each whatever the class
// size; GetMetricData is one call per 166 students with a function (three queries
// each, 500 a call) and at most once a minute; the 30-s details and the 15-s log
// reads are not repeated sooner.
func TestCallsPerCycle(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	counter := cloud.NewCallCounter(nil, "sim")
	w := sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 3})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	role, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	const n = 170
	var targets []labs.Target
	for i := 0; i < n; i++ {
		tg := labs.NewTarget("c42", fmt.Sprintf("s%03d", i), "111122223333", "us-east-1")
		targets = append(targets, tg)
		if _, err := c.Lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(functionName(tg)), Role: role.Role.Arn,
			Runtime: lambdatypes.RuntimeNodejs22x, Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: handlerZip()}}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute)
	cache := labs.NewCache()
	cycle := func() map[string]int64 {
		t.Helper()
		before := counter.Snapshot()
		if _, err := Observe(ctx, c, cache, targets); err != nil {
			t.Fatal(err)
		}
		d := map[string]int64{}
		for k, v := range counter.Snapshot() {
			if v != before[k] {
				d[k] = v - before[k]
			}
		}
		return d
	}
	first := cycle()
	want := map[string]int64{"s3:ListBuckets": 1, "cognito-identity:ListIdentityPools": 1, "cloudwatch:GetMetricData": 2,
		"dynamodb:DescribeTable": n, "lambda:GetFunction": n, "iam:SimulatePrincipalPolicy": n, "logs:FilterLogEvents": n}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("first cycle: %s %d calls, want %d (all: %v)", k, first[k], v, first)
		}
	}
	clock.Advance(10 * time.Second)
	second := cycle()
	for _, k := range []string{"cloudwatch:GetMetricData", "iam:SimulatePrincipalPolicy", "logs:FilterLogEvents", "cognito-identity:ListIdentityPools"} {
		if second[k] != 0 {
			t.Errorf("10 s later: %s %d calls, want none (all: %v)", k, second[k], second)
		}
	}
	clock.Advance(time.Minute)
	if third := cycle(); third["cloudwatch:GetMetricData"] != 2 || third["logs:FilterLogEvents"] != n {
		t.Errorf("a minute later: %v", third)
	}
}
