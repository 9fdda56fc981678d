package xray

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// BenchmarkXRayObserve is Lab 7's observation of a class on the simulator: n
// students' environments (enhanced health, X-Ray on, a group each) with auto
// signups running for 16 simulated minutes, so every student has a full
// 15-minute trace window; then each iteration is one monitor cycle 10 simulated
// seconds after the last (labbench's 1 s interval at --sim-speed 10). The
// clock's advance (the signup traffic of those 10 s) is not timed, only
// Observe. It reports the simulated calls and the trace summaries returned per
// cycle; allocs/op and B/op are per cycle.
//
//	go test -run '^$' -bench XRayObserve -benchmem -benchtime 30x -count 3 ./labs/catalog/xray/
func BenchmarkXRayObserve(b *testing.B) {
	for _, n := range []int{500, 2000} {
		b.Run(fmt.Sprintf("students=%d", n), func(b *testing.B) {
			ctx := context.Background()
			w, clock, c, targets := xrayClass(b, n)
			calls := 0
			counted := cloud.Intercept(c, func(context.Context, cloud.Call) error { calls++; return nil })
			cache := labs.NewCache()
			// The first cycle reads everything; the benchmark is the steady state.
			if _, err := Observe(ctx, counted, cache, targets); err != nil {
				b.Fatal(err)
			}
			calls, sums := 0, 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				clock.Advance(10 * time.Second)
				w.Now()
				b.StartTimer()
				got, err := Observe(ctx, counted, cache, targets)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				for _, o := range got {
					sums += len(o.(*Observation).Summaries)
				}
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(calls)/float64(b.N), "calls/cycle")
			b.ReportMetric(float64(sums)/float64(b.N)/float64(n), "summaries/student")
			o := must1(Observe(ctx, c, cache, targets[len(targets)-1:]))[targets[len(targets)-1].StudentID].(*Observation)
			if len(o.Summaries) < 50 || len(o.Graph) == 0 {
				b.Fatalf("last student: %d summaries, %d graph nodes, problems %v", len(o.Summaries), len(o.Graph), o.Problems)
			}
		})
	}
}

func must1[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// xrayClass builds n students' Lab 7 by hand (as TestObserveOnTheSimulator does
// for one) in one account and region and runs their auto signups for 16 minutes.
func xrayClass(b testing.TB, n int) (*sim.World, *sim.ManualClock, *cloud.Clients, []labs.Target) {
	b.Helper()
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 3})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		b.Fatal(err)
	}
	must := func(_ any, err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	opt := func(ns, name, v string) ebtypes.ConfigurationOptionSetting {
		return ebtypes.ConfigurationOptionSetting{Namespace: aws.String(ns), OptionName: aws.String(name), Value: aws.String(v)}
	}
	var targets []labs.Target
	for i := range n {
		tg := labs.NewTarget("c42", fmt.Sprintf("s%04d", i), "111122223333", "us-east-1")
		targets = append(targets, tg)
		table := tg.Prefix + "signups"
		must(c.DynamoDB.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(table), BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("email"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("email"), KeyType: ddbtypes.KeyTypeHash}}}))
		top, err := c.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(table)})
		must(top, err)
		must(c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(roleName(tg)), Path: aws.String("/labdash/c42/" + tg.StudentID + "/"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
		must(c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName(tg)), PolicyName: aws.String("all"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sns:Publish","dynamodb:PutItem"],"Resource":"*"}]}`)}))
		must(c.ElasticBeanstalk.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String(appName(tg))}))
		must(c.ElasticBeanstalk.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String(appName(tg)), EnvironmentName: aws.String(envName(tg)),
			SolutionStackName: aws.String("64bit Amazon Linux 2023 v6.6.0 running Node.js 22"),
			OptionSettings: []ebtypes.ConfigurationOptionSetting{opt("aws:elasticbeanstalk:xray", "XRayEnabled", "true"),
				opt("aws:elasticbeanstalk:healthreporting:system", "SystemType", "enhanced"),
				opt("aws:autoscaling:launchconfiguration", "IamInstanceProfile", roleName(tg)),
				opt("aws:elasticbeanstalk:application:environment", "AWS_XRAY_TRACING_NAME", tracingName(tg)),
				opt("aws:elasticbeanstalk:application:environment", "STARTUP_SIGNUP_TABLE", table),
				opt("aws:elasticbeanstalk:application:environment", "NEW_SIGNUP_TOPIC", aws.ToString(top.TopicArn))}}))
		must(c.XRay.CreateGroup(ctx, &xray.CreateGroupInput{GroupName: aws.String(groupName(tg)), FilterExpression: aws.String(fmt.Sprintf("service(%q)", tracingName(tg)))}))
	}
	clock.Advance(7 * time.Minute)
	w.Now()
	for _, tg := range targets {
		if err := w.SetAutoSignups("", "us-east-1", envName(tg), true); err != nil {
			b.Fatal(err)
		}
	}
	for range 16 {
		clock.Advance(time.Minute)
		w.Now()
	}
	return w, clock, c, targets
}
