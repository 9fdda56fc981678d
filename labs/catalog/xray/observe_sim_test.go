package xray

import (
	"context"
	"strings"
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
	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestObserveOnTheSimulator builds one student's lab by hand on the simulator, runs
// auto signups and checks Observe's reads judge checkpoints 1–5 as passed, and that
// the X-Ray reads respect their cadence.
func TestObserveOnTheSimulator(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 3})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	tg := labs.NewTarget("c42", "s07", "111122223333", "us-east-1")
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.DynamoDB.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("c42s07-signups"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("email"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("email"), KeyType: ddbtypes.KeyTypeHash}}}))
	top, err := c.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("c42s07-signups")})
	must(top, err)
	must(c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(roleName(tg)), Path: aws.String("/labdash/c42/s07/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	must(c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName(tg)), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sns:Publish","dynamodb:PutItem"],"Resource":"*"}]}`)}))
	must(c.ElasticBeanstalk.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String(appName(tg))}))
	opt := func(ns, name, v string) ebtypes.ConfigurationOptionSetting {
		return ebtypes.ConfigurationOptionSetting{Namespace: aws.String(ns), OptionName: aws.String(name), Value: aws.String(v)}
	}
	must(c.ElasticBeanstalk.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String(appName(tg)), EnvironmentName: aws.String(envName(tg)),
		SolutionStackName: aws.String("64bit Amazon Linux 2023 v6.6.0 running Node.js 22"),
		OptionSettings: []ebtypes.ConfigurationOptionSetting{opt("aws:elasticbeanstalk:xray", "XRayEnabled", "true"),
			opt("aws:autoscaling:launchconfiguration", "IamInstanceProfile", roleName(tg)),
			opt("aws:elasticbeanstalk:application:environment", "AWS_XRAY_TRACING_NAME", tracingName(tg)),
			opt("aws:elasticbeanstalk:application:environment", "STARTUP_SIGNUP_TABLE", "c42s07-signups"),
			opt("aws:elasticbeanstalk:application:environment", "NEW_SIGNUP_TOPIC", aws.ToString(top.TopicArn))}}))
	must(c.XRay.CreateGroup(ctx, &xray.CreateGroupInput{GroupName: aws.String(groupName(tg)), FilterExpression: aws.String(`service("c42s07-signup")`)}))
	clock.Advance(7 * time.Minute)
	if err := w.SetAutoSignups("", "us-east-1", envName(tg), true); err != nil {
		t.Fatal(err)
	}
	clock.Advance(4 * time.Minute)

	cache := labs.NewCache() // the monitor's, for this group
	got, err := Observe(ctx, c, cache, []labs.Target{tg})
	if err != nil {
		t.Fatal(err)
	}
	o := got["s07"].(*Observation)
	for _, cp := range Lab().Checkpoints[:5] {
		if r := cp.Check(o); r.Status != labs.Pass {
			t.Errorf("%s: %s %q (problems %v)", cp.ID, r.Status, r.Evidence, o.Problems)
		}
	}
	if rs := o.Resources(); len(rs) != 3 {
		t.Errorf("resources: %+v", rs)
	}
	// A second cycle 10 s later reuses the X-Ray reads.
	clock.Advance(10 * time.Second)
	before := len(o.Summaries)
	got, _ = Observe(ctx, c, cache, []labs.Target{tg})
	if o2 := got["s07"].(*Observation); len(o2.Summaries) != before || len(o2.Graph) == 0 {
		t.Errorf("second cycle: %d summaries (want the cached %d), %d graph nodes", len(o2.Summaries), before, len(o2.Graph))
	}
	// Throttled reads keep the last environment, graph and summaries, marked stale,
	// and the next good cycle clears the mark.
	throttled := cloud.Intercept(c, func(_ context.Context, call cloud.Call) error {
		switch call.Op {
		case "DescribeEnvironments", "GetServiceGraph", "GetTraceSummaries":
			return &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
		}
		return nil
	})
	clock.Advance(graphEvery) // both X-Ray reads are due
	got, err = Observe(ctx, throttled, cache, []labs.Target{tg})
	if err != nil {
		t.Fatal(err)
	}
	held := got["s07"].(*Observation)
	if r := labs.Typed(checkEnvUp)(held); r.Status != labs.Pass || len(held.Summaries) == 0 || len(held.Graph) == 0 ||
		strings.Join(held.StaleParts(), ",") != "environment,graph,summaries" {
		t.Errorf("throttled: env-up %s %q, %d summaries, %d graph nodes, stale %v", r.Status, r.Evidence, len(held.Summaries), len(held.Graph), held.StaleParts())
	}
	clock.Advance(2 * time.Second)
	got, _ = Observe(ctx, c, cache, []labs.Target{tg})
	if back := got["s07"].(*Observation); len(back.StaleParts()) > 0 || back.Env == nil {
		t.Errorf("recovered: stale %v, environment %v", back.StaleParts(), back.Env != nil)
	}
	// Basic health: DescribeEnvironmentHealth answers InvalidRequestException, and
	// the environment checkpoint still passes from DescribeEnvironments' colour.
	// It is asked again only after basicHealthEvery.
	healthCalls := 0
	basic := cloud.Intercept(c, func(_ context.Context, call cloud.Call) error {
		if call.Op == "DescribeEnvironmentHealth" {
			healthCalls++
			return &smithy.GenericAPIError{Code: "InvalidRequestException", Message: "DescribeEnvironmentHealth is not supported."}
		}
		return nil
	})
	// Within healthEvery of the last enhanced answer it is reused, not asked.
	if got, _ = Observe(ctx, basic, cache, []labs.Target{tg}); healthCalls != 0 || got["s07"].(*Observation).Health == nil {
		t.Fatalf("within %s: %d DescribeEnvironmentHealth calls, health %v; want the last answer reused", healthEvery, healthCalls, got["s07"].(*Observation).Health)
	}
	clock.Advance(healthEvery)
	got, err = Observe(ctx, basic, cache, []labs.Target{tg})
	if err != nil {
		t.Fatal(err)
	}
	if healthCalls != 1 {
		t.Fatalf("after %s: %d DescribeEnvironmentHealth calls, want 1", healthEvery, healthCalls)
	}
	o3 := got["s07"].(*Observation)
	if r := labs.Typed(checkEnvUp)(o3); r.Status != labs.Pass || o3.Health != nil || len(o3.Problems) > 0 {
		t.Errorf("basic health: env-up %s %q, health %v, problems %v", r.Status, r.Evidence, o3.Health, o3.Problems)
	}
	if v := ebHealth(o3, nil); v.Tile == nil || !strings.Contains(v.Tile.Badge, "Green") {
		t.Errorf("basic health widget: %+v", v)
	}
	for _, step := range []struct {
		advance time.Duration
		calls   int
	}{{2 * time.Second, 1}, {basicHealthEvery, 2}} {
		clock.Advance(step.advance)
		if _, err := Observe(ctx, basic, cache, []labs.Target{tg}); err != nil {
			t.Fatal(err)
		}
		if healthCalls != step.calls {
			t.Errorf("after %s: %d DescribeEnvironmentHealth calls, want %d", step.advance, healthCalls, step.calls)
		}
	}
	if _, err := Observe(ctx, nil, nil, nil); err == nil {
		t.Error("Observe without clients succeeded")
	}
}
