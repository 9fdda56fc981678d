package sim

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"
)

const (
	xrPublishPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:111122223333:c42s07-*"}]}`
	xrTablePolicy   = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["dynamodb:PutItem"],"Resource":"*"}}`
)

// xrayLab builds Lab 7's resources through the interfaces and returns the role ARN
// and topic ARN once the environment is Ready.
func (e *env) xrayLab() (roleArn, topicArn string) {
	e.t.Helper()
	ctx, c := e.ctx, e.c
	must := func(err error) {
		e.t.Helper()
		if err != nil {
			e.t.Fatal(err)
		}
	}
	_, err := c.DynamoDB.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("c42s07-signups"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("email"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("email"), KeyType: ddbtypes.KeyTypeHash}}})
	must(err)
	top, err := c.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("c42s07-signups")})
	must(err)
	role, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("c42s07-xray-eb-role"), Path: aws.String("/labdash/c42/s07/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	must(err)
	_, err = c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("c42s07-xray-eb-role"), PolicyName: aws.String("publish"), PolicyDocument: aws.String(xrPublishPolicy)})
	must(err)
	_, err = c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("c42s07-xray-eb-role"), PolicyName: aws.String("table"), PolicyDocument: aws.String(xrTablePolicy)})
	must(err)
	_, err = c.ElasticBeanstalk.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("c42s07-xray")})
	must(err)
	opt := func(ns, name, v string) ebtypes.ConfigurationOptionSetting {
		return ebtypes.ConfigurationOptionSetting{Namespace: aws.String(ns), OptionName: aws.String(name), Value: aws.String(v)}
	}
	_, err = c.ElasticBeanstalk.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String("c42s07-xray"), EnvironmentName: aws.String("c42s07-xray"),
		SolutionStackName: aws.String("64bit Amazon Linux 2023 v6.1.0 running Node.js 20"),
		OptionSettings: []ebtypes.ConfigurationOptionSetting{
			opt("aws:elasticbeanstalk:environment", "EnvironmentType", "SingleInstance"),
			opt("aws:elasticbeanstalk:xray", "XRayEnabled", "true"),
			opt("aws:autoscaling:launchconfiguration", "IamInstanceProfile", "c42s07-xray-eb-role"),
			opt("aws:elasticbeanstalk:application:environment", "AWS_XRAY_TRACING_NAME", "c42s07-signup"),
			opt("aws:elasticbeanstalk:application:environment", "STARTUP_SIGNUP_TABLE", "c42s07-signups"),
			opt("aws:elasticbeanstalk:application:environment", "NEW_SIGNUP_TOPIC", aws.ToString(top.TopicArn)),
		}})
	must(err)
	h, err := c.ElasticBeanstalk.DescribeEnvironments(ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: []string{"c42s07-xray"}})
	must(err)
	if d := h.Environments[0]; d.Status != ebtypes.EnvironmentStatusLaunching || d.Health != ebtypes.EnvironmentHealthGrey {
		e.t.Fatalf("new environment is %s/%s, want Launching/Grey", d.Status, d.Health)
	}
	e.clock.Advance(7 * time.Minute)
	h, err = c.ElasticBeanstalk.DescribeEnvironments(ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: []string{"c42s07-xray"}})
	must(err)
	if d := h.Environments[0]; d.Status != ebtypes.EnvironmentStatusReady || d.Health != ebtypes.EnvironmentHealthGreen {
		e.t.Fatalf("environment is %s/%s after 7 min, want Ready/Green", d.Status, d.Health)
	}
	return aws.ToString(role.Role.Arn), aws.ToString(top.TopicArn)
}

func (e *env) summaries(filter string, since time.Duration) []xraytypes.TraceSummary {
	e.t.Helper()
	now := e.w.Now()
	var all []xraytypes.TraceSummary
	in := &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-since)), EndTime: aws.Time(now), FilterExpression: aws.String(filter)}
	for {
		out, err := e.c.XRay.GetTraceSummaries(e.ctx, in)
		if err != nil {
			e.t.Fatalf("GetTraceSummaries(%q): %v", filter, err)
		}
		all = append(all, out.TraceSummaries...)
		if out.NextToken == nil {
			return all
		}
		in.NextToken = out.NextToken
	}
}

func graphNode(svcs []xraytypes.Service, typPrefix string) *xraytypes.Service {
	for i := range svcs {
		if strings.HasPrefix(aws.ToString(svcs[i].Type), typPrefix) {
			return &svcs[i]
		}
	}
	return nil
}

func TestXRaySignupAppGraphCountsAndErrors(t *testing.T) {
	e := newEnv(t)
	roleArn, topicArn := e.xrayLab()
	if err := e.w.SetAutoSignups("", "us-east-1", "c42s07-xray", true); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Minute)
	all := e.summaries(`service("c42s07-signup")`, 10*time.Minute)
	if len(all) < 20 || len(all) > 40 {
		t.Fatalf("%d traces in 3 min of auto signups, want about 30", len(all))
	}
	dups := e.summaries(`service("c42s07-signup") AND http.status = 409`, 10*time.Minute)
	ok := e.summaries(`service("c42s07-signup") AND http.method = "POST" AND ok`, 10*time.Minute)
	if len(dups) == 0 || len(dups)+len(ok) != len(all) {
		t.Fatalf("%d 409s + %d ok != %d traces", len(dups), len(ok), len(all))
	}
	for _, s := range dups {
		if !aws.ToBool(s.HasError) || aws.ToBool(s.HasFault) || aws.ToInt32(s.Http.HttpStatus) != 409 {
			t.Fatalf("409 summary %+v", s.Http)
		}
	}
	if f := e.summaries(`fault`, 10*time.Minute); len(f) != 0 {
		t.Fatalf("%d faults before sns:Publish was removed", len(f))
	}

	// The service graph's counts are the segments emitted.
	now := e.w.Now()
	if _, err := e.c.XRay.CreateGroup(e.ctx, &xray.CreateGroupInput{GroupName: aws.String("c42s07"), FilterExpression: aws.String(`service("c42s07-signup")`)}); err != nil {
		t.Fatal(err)
	}
	g, err := e.c.XRay.GetServiceGraph(e.ctx, &xray.GetServiceGraphInput{StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now), GroupName: aws.String("c42s07")})
	if err != nil {
		t.Fatal(err)
	}
	app := graphNode(g.Services, "AWS::ElasticBeanstalk")
	ddb := graphNode(g.Services, "AWS::DynamoDB::Table")
	snsN := graphNode(g.Services, "AWS::SNS")
	client := graphNode(g.Services, "client")
	if app == nil || ddb == nil || snsN == nil || client == nil || len(g.Services) != 4 {
		t.Fatalf("graph has %d nodes, want client, app, DynamoDB, SNS", len(g.Services))
	}
	st := app.SummaryStatistics
	if aws.ToString(app.Name) != "c42s07-signup" || !aws.ToBool(app.Root) || aws.ToInt64(st.TotalCount) != int64(len(all)) ||
		aws.ToInt64(st.OkCount) != int64(len(ok)) || aws.ToInt64(st.ErrorStatistics.OtherCount) != int64(len(dups)) || aws.ToInt64(st.FaultStatistics.TotalCount) != 0 {
		t.Fatalf("app node %s: total %d ok %d err %d, want %d/%d/%d", aws.ToString(app.Name), aws.ToInt64(st.TotalCount), aws.ToInt64(st.OkCount),
			aws.ToInt64(st.ErrorStatistics.OtherCount), len(all), len(ok), len(dups))
	}
	if aws.ToString(ddb.Name) != "c42s07-signups" || aws.ToInt64(ddb.SummaryStatistics.ErrorStatistics.OtherCount) != int64(len(dups)) ||
		aws.ToInt64(ddb.SummaryStatistics.TotalCount) != int64(len(all)) || aws.ToInt64(snsN.SummaryStatistics.TotalCount) != int64(len(ok)) {
		t.Fatalf("downstream counts: ddb %d (%d errors), sns %d", aws.ToInt64(ddb.SummaryStatistics.TotalCount),
			aws.ToInt64(ddb.SummaryStatistics.ErrorStatistics.OtherCount), aws.ToInt64(snsN.SummaryStatistics.TotalCount))
	}
	if len(app.Edges) != 2 || len(client.Edges) != 1 || aws.ToInt32(client.Edges[0].ReferenceId) != aws.ToInt32(app.ReferenceId) ||
		aws.ToFloat64(st.TotalResponseTime) <= 0 {
		t.Fatalf("edges: app %d, client %d", len(app.Edges), len(client.Edges))
	}

	// A duplicate e-mail sent by hand is a 409, a new one a 200.
	if s, err := e.w.Signup("", "us-east-1", "c42s07-xray", "user00001@example.com"); err != nil || s != 409 {
		t.Fatalf("duplicate signup: %d %v", s, err)
	}
	if s, err := e.w.Signup("", "us-east-1", "c42s07-xray", "new@example.com"); err != nil || s != 200 {
		t.Fatalf("new signup: %d %v", s, err)
	}

	// Removing sns:Publish: 500s, with the cause in the trace.
	if _, err := e.c.IAM.DeleteRolePolicy(e.ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("c42s07-xray-eb-role"), PolicyName: aws.String("publish")}); err != nil {
		t.Fatal(err)
	}
	sim, err := e.c.IAM.SimulatePrincipalPolicy(e.ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(roleArn), ActionNames: []string{"sns:Publish"}, ResourceArns: []string{topicArn}})
	if err != nil || sim.EvaluationResults[0].EvalDecision != iamtypes.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Fatalf("simulate after removal: %v %+v", err, sim)
	}
	if s, _ := e.w.Signup("", "us-east-1", "c42s07-xray", "new2@example.com"); s != 500 {
		t.Fatalf("signup without sns:Publish: %d, want 500", s)
	}
	e.clock.Advance(2 * time.Minute)
	faults := e.summaries(`service("c42s07-signup") AND http.status = 500`, 2*time.Minute)
	if len(faults) < 5 {
		t.Fatalf("%d 500s in 2 min without sns:Publish", len(faults))
	}
	tr, err := e.c.XRay.BatchGetTraces(e.ctx, &xray.BatchGetTracesInput{TraceIds: []string{aws.ToString(faults[0].Id)}})
	if err != nil || len(tr.Traces) != 1 || !strings.Contains(aws.ToString(tr.Traces[0].Segments[0].Document), "not authorized to perform: SNS:Publish") {
		t.Fatalf("BatchGetTraces: %v", err)
	}
	var doc xrDoc
	if err := json.Unmarshal([]byte(aws.ToString(tr.Traces[0].Segments[0].Document)), &doc); err != nil || !doc.Fault || len(doc.Subsegments) != 2 ||
		doc.Subsegments[1].Namespace != "aws" || doc.Subsegments[1].status() != 403 || doc.Subsegments[1].Cause.Exceptions[0].Type != "AuthorizationError" {
		t.Fatalf("fault segment: %v %+v", err, doc)
	}
	health, err := e.c.ElasticBeanstalk.DescribeEnvironmentHealth(e.ctx, &eb.DescribeEnvironmentHealthInput{EnvironmentName: aws.String("c42s07-xray"), AttributeNames: []ebtypes.EnvironmentHealthAttribute{"All"}})
	if err != nil || aws.ToString(health.Color) != "Red" || aws.ToString(health.HealthStatus) != "Degraded" || aws.ToInt32(health.ApplicationMetrics.StatusCodes.Status5xx) == 0 {
		t.Fatalf("health while broken: %v %+v", err, health)
	}

	// Restored: the 500s stop.
	if _, err := e.c.IAM.PutRolePolicy(e.ctx, &iam.PutRolePolicyInput{RoleName: aws.String("c42s07-xray-eb-role"), PolicyName: aws.String("publish"), PolicyDocument: aws.String(xrPublishPolicy)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if f := e.summaries(`service("c42s07-signup") AND fault`, 2*time.Minute); len(f) != 0 {
		t.Fatalf("%d faults after sns:Publish was restored", len(f))
	}
	if n := len(e.summaries(`service("c42s07-signup") AND ok`, 2*time.Minute)); n < 10 {
		t.Fatalf("%d ok traces after restoring", n)
	}
	health, _ = e.c.ElasticBeanstalk.DescribeEnvironmentHealth(e.ctx, &eb.DescribeEnvironmentHealthInput{EnvironmentName: aws.String("c42s07-xray")})
	if aws.ToString(health.Color) != "Green" {
		t.Fatalf("health after restoring: %s", aws.ToString(health.Color))
	}
	// Auto mode off: no more traces.
	if err := e.w.SetAutoSignups("", "us-east-1", "c42s07-xray", false); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if n := len(e.summaries(`service("c42s07-signup")`, 50*time.Second)); n != 0 {
		t.Fatalf("%d traces with auto mode off", n)
	}
}

func TestXRayFilterExpressions(t *testing.T) {
	good := []string{``, `service("a")`, `service("a") AND http.status = 409`, `http.method = "POST" and fault`, `ok AND error`, `throttle`}
	for _, f := range good {
		if _, err := parseXRFilter(f); err != nil {
			t.Errorf("%q: %v", f, err)
		}
	}
	bad := []string{`error OR fault`, `service(a)`, `http.status > 400`, `responsetime > 1`, `(ok)`, `service("a") AND`, `http.status = abc`, `NOT ok`, `okay`, `service("a"`}
	for _, f := range bad {
		_, err := parseXRFilter(f)
		if errCodeOf(err) != "InvalidRequestException" {
			t.Errorf("%q: %v, want InvalidRequestException", f, err)
		}
	}
}

func TestXRayAPIValidation(t *testing.T) {
	e := newEnv(t)
	c, ctx := e.c.XRay, e.ctx
	now := e.w.Now()
	seg := func(id string, start float64) string {
		return `{"trace_id":"1-5e6f7a8b-0123456789abcdef01234567","id":"` + id + `","name":"svc","start_time":` + jsonNum(start) + `,"end_time":` + jsonNum(start+0.1) + `,"http":{"response":{"status":200}}}`
	}
	out, err := c.PutTraceSegments(ctx, &xray.PutTraceSegmentsInput{TraceSegmentDocuments: []string{seg("0123456789abcdef", float64(now.Unix()-5)), `{"id":"x"}`, `not json`}})
	if err != nil || len(out.UnprocessedTraceSegments) != 2 {
		t.Fatalf("PutTraceSegments: %v %+v", err, out)
	}
	if _, err := c.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{"a", "b", "c", "d", "e", "f"}}); errCodeOf(err) != "InvalidRequestException" {
		t.Fatalf("6 ids: %v", err)
	}
	bt, err := c.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{"1-5e6f7a8b-0123456789abcdef01234567", "1-00000000-000000000000000000000000"}})
	if err != nil || len(bt.Traces) != 1 || len(bt.UnprocessedTraceIds) != 1 {
		t.Fatalf("BatchGetTraces: %v %+v", err, bt)
	}
	if _, err := c.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Minute))}); errCodeOf(err) != "InvalidRequestException" {
		t.Fatalf("reversed window: %v", err)
	}
	if _, err := c.GetServiceGraph(ctx, &xray.GetServiceGraphInput{StartTime: aws.Time(now.Add(-time.Minute)), EndTime: aws.Time(now), GroupName: aws.String("nope")}); errCodeOf(err) != "InvalidRequestException" {
		t.Fatalf("unknown group: %v", err)
	}
	for _, in := range []*xray.CreateGroupInput{nil, {GroupName: aws.String("Default")}, {GroupName: aws.String("bad name")}, {GroupName: aws.String("g1"), FilterExpression: aws.String("error OR fault")}} {
		if _, err := c.CreateGroup(ctx, in); errCodeOf(err) != "InvalidRequestException" {
			t.Errorf("CreateGroup(%+v): %v", in, err)
		}
	}
	g, err := c.CreateGroup(ctx, &xray.CreateGroupInput{GroupName: aws.String("c42s07"), FilterExpression: aws.String(`service("svc")`),
		Tags: []xraytypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}}})
	if err != nil || !strings.HasPrefix(aws.ToString(g.Group.GroupARN), "arn:aws:xray:us-east-1:111122223333:group/c42s07/") {
		t.Fatalf("CreateGroup: %v %+v", err, g)
	}
	if _, err := c.CreateGroup(ctx, &xray.CreateGroupInput{GroupName: aws.String("c42s07")}); errCodeOf(err) != "InvalidRequestException" {
		t.Fatalf("duplicate group: %v", err)
	}
	gs, _ := c.GetGroups(ctx, &xray.GetGroupsInput{})
	if len(gs.Groups) != 2 || aws.ToString(gs.Groups[0].GroupName) != "Default" {
		t.Fatalf("GetGroups: %+v", gs.Groups)
	}
	tags, err := c.ListTagsForResource(ctx, &xray.ListTagsForResourceInput{ResourceARN: g.Group.GroupARN})
	if err != nil || len(tags.Tags) != 1 {
		t.Fatalf("ListTagsForResource: %v", err)
	}
	sg, err := c.GetServiceGraph(ctx, &xray.GetServiceGraphInput{StartTime: aws.Time(now.Add(-time.Minute)), EndTime: aws.Time(now), GroupARN: g.Group.GroupARN})
	if err != nil || len(sg.Services) != 2 || aws.ToInt64(sg.Services[1].SummaryStatistics.OkCount) != 1 {
		t.Fatalf("group graph: %v %+v", err, sg)
	}
	if _, err := c.DeleteGroup(ctx, &xray.DeleteGroupInput{GroupARN: g.Group.GroupARN}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetGroup(ctx, &xray.GetGroupInput{GroupName: aws.String("c42s07")}); errCodeOf(err) != "InvalidRequestException" {
		t.Fatalf("deleted group: %v", err)
	}
	if _, err := c.ListTagsForResource(ctx, &xray.ListTagsForResourceInput{ResourceARN: g.Group.GroupARN}); errCodeOf(err) != "ResourceNotFoundException" {
		t.Fatalf("deleted group tags: %v", err)
	}
}

func jsonNum(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	e := newEnv(t)
	c, ctx := e.c.IAM, e.ctx
	role, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := role.Role.Arn
	decide := func(action, res string) iamtypes.PolicyEvaluationDecisionType {
		t.Helper()
		out, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: arn, ActionNames: []string{action}, ResourceArns: []string{res}})
		if err != nil {
			t.Fatal(err)
		}
		return out.EvaluationResults[0].EvalDecision
	}
	topic := "arn:aws:sns:us-east-1:111122223333:c42s07-signups"
	if d := decide("sns:Publish", topic); d != iamtypes.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Fatalf("no policy: %s", d)
	}
	pol, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	if d := decide("SNS:Publish", topic); d != iamtypes.PolicyEvaluationDecisionTypeAllowed {
		t.Fatalf("managed allow: %s", d)
	}
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r1"), PolicyName: aws.String("deny"),
		PolicyDocument: aws.String(`{"Statement":[{"Effect":"Deny","Action":["sns:Pub*"],"Resource":"arn:aws:sns:*:*:c42s07-*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if d := decide("sns:Publish", topic); d != iamtypes.PolicyEvaluationDecisionTypeExplicitDeny {
		t.Fatalf("inline deny: %s", d)
	}
	if d := decide("sns:Publish", "arn:aws:sns:us-east-1:111122223333:other"); d != iamtypes.PolicyEvaluationDecisionTypeAllowed {
		t.Fatalf("deny scoped by resource: %s", d)
	}
	for _, in := range []*iam.SimulatePrincipalPolicyInput{nil, {PolicySourceArn: arn}, {PolicySourceArn: aws.String("arn:aws:iam::111122223333:role/nope"), ActionNames: []string{"sns:Publish"}},
		{PolicySourceArn: aws.String("arn:aws:iam::111122223333:user/u"), ActionNames: []string{"sns:Publish"}}} {
		if _, err := c.SimulatePrincipalPolicy(ctx, in); err == nil {
			t.Errorf("SimulatePrincipalPolicy(%+v) succeeded", in)
		}
	}
}
