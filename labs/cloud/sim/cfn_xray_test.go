package sim

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	rgttypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/xray"
)

const xrStackName = "c42s07-xray-sample"

func xrayTemplate(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../catalog/xray/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func xrayStackParams() []cftypes.Parameter {
	p := func(k, v string) cftypes.Parameter {
		return cftypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)}
	}
	return []cftypes.Parameter{p("Prefix", "c42s07-"), p("GroupName", "c42s07"), p("RolePath", "/labdash/c42/s07/"), p("PermissionsBoundary", "arn:aws:iam::111122223333:policy/c42-student-boundary"),
		p("SourceBucket", "labdash-assets-us-east-1"), p("SourceKey", "xray/eb-node-express-sample.zip")}
}

// stackTagged lists the ARNs the tagging API shows with the stack's name tag.
func (e *env) stackTagged(stack string) []string {
	e.t.Helper()
	out, err := e.c.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{TagFilters: []rgttypes.TagFilter{{Key: aws.String("aws:cloudformation:stack-name"), Values: []string{stack}}}})
	if err != nil {
		e.t.Fatal(err)
	}
	var arns []string
	for _, m := range out.ResourceTagMappingList {
		arns = append(arns, aws.ToString(m.ResourceARN))
	}
	return arns
}

func (e *env) xrEnv(name string) ebtypes.EnvironmentDescription {
	e.t.Helper()
	out, err := e.c.ElasticBeanstalk.DescribeEnvironments(e.ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: []string{name}})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(out.Environments) != 1 {
		e.t.Fatalf("%d environments named %s", len(out.Environments), name)
	}
	return out.Environments[0]
}

func TestCloudFormationXRayTemplate(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c
	body := xrayTemplate(t)
	in := &cloudformation.CreateStackInput{StackName: aws.String(xrStackName), TemplateBody: aws.String(body), Parameters: xrayStackParams(),
		Tags: []cftypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}}}
	if _, err := c.CloudFormation.CreateStack(ctx, in); !errorsAs[*cftypes.InsufficientCapabilitiesException](err) || !strings.Contains(err.Error(), "CAPABILITY_NAMED_IAM") {
		t.Fatalf("CreateStack without capabilities: %v", err)
	}
	in.Capabilities = []cftypes.Capability{cftypes.CapabilityCapabilityIam}
	if _, err := c.CloudFormation.CreateStack(ctx, in); !errorsAs[*cftypes.InsufficientCapabilitiesException](err) {
		t.Fatalf("CreateStack with CAPABILITY_IAM only (named role and profile): %v", err)
	}
	in.Capabilities = []cftypes.Capability{"CAPABILITY_EVERYTHING"}
	if _, err := c.CloudFormation.CreateStack(ctx, in); apiCode(err) != "ValidationError" {
		t.Fatalf("CreateStack with an unknown capability: %v", err)
	}
	in.Capabilities = []cftypes.Capability{cftypes.CapabilityCapabilityNamedIam}
	if _, err := c.CloudFormation.CreateStack(ctx, in); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	st := e.stack(xrStackName)
	if st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("stack %s: %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	outs := map[string]string{}
	for _, o := range st.Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	for k, want := range map[string]string{
		"EnvironmentName": "c42s07-xray",
		"InstanceRoleArn": "arn:aws:iam::111122223333:role/labdash/c42/s07/c42s07-xray-eb-role",
		"TopicArn":        "arn:aws:sns:us-east-1:111122223333:c42s07-signups",
		"TableName":       "c42s07-signups",
	} {
		if outs[k] != want {
			t.Errorf("output %s = %q, want %q", k, outs[k], want)
		}
	}
	if !strings.HasPrefix(outs["GroupArn"], "arn:aws:xray:us-east-1:111122223333:group/c42s07/") {
		t.Errorf("output GroupArn = %q", outs["GroupArn"])
	}
	res, err := c.CloudFormation.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(xrStackName)})
	if err != nil {
		t.Fatal(err)
	}
	phys := map[string]string{}
	for _, r := range res.StackResources {
		phys[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
	}
	if len(phys) != 13 || phys["SignupQueue"] != "https://sqs.us-east-1.amazonaws.com/111122223333/c42s07-signups" || phys["InstanceProfile"] != "c42s07-xray-eb-role" {
		t.Errorf("stack resources %v", phys)
	}

	// Each resource is where its own service's API sees it.
	tbl, err := c.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("c42s07-signups")})
	if err != nil || tbl.Table.TableStatus != ddbtypes.TableStatusActive || tbl.Table.BillingModeSummary == nil ||
		tbl.Table.BillingModeSummary.BillingMode != ddbtypes.BillingModePayPerRequest {
		t.Fatalf("table: %+v, %v", tbl, err)
	}
	subs, err := c.SNS.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(outs["TopicArn"])})
	if err != nil || len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].Endpoint) != "arn:aws:sqs:us-east-1:111122223333:c42s07-signups" ||
		aws.ToString(subs.Subscriptions[0].SubscriptionArn) != phys["SignupSubscription"] {
		t.Fatalf("subscriptions %+v, %v", subs, err)
	}
	pols, err := c.IAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("c42s07-xray-eb-role")})
	if err != nil || strings.Join(pols.PolicyNames, ",") != "dynamodb-put,sns-publish" {
		t.Fatalf("inline policies %+v, %v", pols, err)
	}
	att, err := c.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("c42s07-xray-eb-role")})
	if err != nil || len(att.AttachedPolicies) != 2 {
		t.Fatalf("attached policies %+v, %v", att, err)
	}
	grp, err := c.XRay.GetGroup(ctx, &xray.GetGroupInput{GroupName: aws.String("c42s07")})
	if err != nil || aws.ToString(grp.Group.FilterExpression) != `service("c42s07-signup")` || aws.ToString(grp.Group.GroupARN) != outs["GroupArn"] {
		t.Fatalf("group %+v, %v", grp, err)
	}
	d := e.xrEnv("c42s07-xray")
	if d.Status != ebtypes.EnvironmentStatusLaunching || aws.ToString(d.VersionLabel) != phys["AppVersion"] || aws.ToString(d.ApplicationName) != "c42s07-xray" ||
		aws.ToString(d.SolutionStackName) != "64bit Amazon Linux 2023 v6.6.0 running Node.js 22" {
		t.Fatalf("environment right after the stack: %+v", d)
	}
	tagged := strings.Join(e.stackTagged(xrStackName), " ")
	for _, want := range []string{":dynamodb:us-east-1:111122223333:table/c42s07-signups", ":sns:us-east-1:111122223333:c42s07-signups",
		":sqs:us-east-1:111122223333:c42s07-signups", ":elasticbeanstalk:us-east-1:111122223333:application/c42s07-xray",
		":elasticbeanstalk:us-east-1:111122223333:environment/c42s07-xray/c42s07-xray", outs["GroupArn"]} {
		if !strings.Contains(tagged, want) {
			t.Errorf("tagging API misses %s in %s", want, tagged)
		}
	}

	// The environment comes up and runs the signup app with the stack's settings.
	e.clock.Advance(7 * time.Minute)
	d = e.xrEnv("c42s07-xray")
	if d.Status != ebtypes.EnvironmentStatusReady || d.Health != ebtypes.EnvironmentHealthGreen || aws.ToString(d.EndpointURL) == "" {
		t.Fatalf("environment after 7 min: %s/%s endpoint %q", d.Status, d.Health, aws.ToString(d.EndpointURL))
	}
	if err := e.w.SetAutoSignups("", "us-east-1", "c42s07-xray", true); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Minute)
	now := e.w.Now()
	g, err := c.XRay.GetServiceGraph(ctx, &xray.GetServiceGraphInput{StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now), GroupName: aws.String("c42s07")})
	if err != nil {
		t.Fatal(err)
	}
	app := graphNode(g.Services, "AWS::ElasticBeanstalk::Environment")
	if app == nil || aws.ToString(app.Name) != "c42s07-signup" || graphNode(g.Services, "AWS::DynamoDB") == nil || graphNode(g.Services, "AWS::SNS") == nil {
		t.Fatalf("service graph of group c42s07: %d nodes, app %+v", len(g.Services), app)
	}
	if f := e.summaries(`fault`, 10*time.Minute); len(f) != 0 {
		t.Errorf("%d faults with the stack's policies", len(f))
	}
	if d = e.xrEnv("c42s07-xray"); d.Health != ebtypes.EnvironmentHealthGreen {
		t.Errorf("health with auto signups: %s", d.Health)
	}
	qa, err := c.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(phys["SignupQueue"]),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil || qa.Attributes["ApproximateNumberOfMessages"] == "0" || qa.Attributes["ApproximateNumberOfMessages"] == "" {
		t.Errorf("signup queue after 3 min of signups: %v, %v", qa, err)
	}
	if err := e.w.SetAutoSignups("", "us-east-1", "c42s07-xray", false); err != nil {
		t.Fatal(err)
	}

	// DeleteStack takes everything with it.
	if _, err := c.CloudFormation.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(xrStackName)}); err != nil {
		t.Fatal(err)
	}
	// CloudFormation waits for the environment to terminate (and the table to
	// leave DELETING) before the stack is DELETE_COMPLETE.
	e.clock.Advance(30 * time.Second)
	out, err := c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: st.StackId})
	if err != nil || out.Stacks[0].StackStatus != cftypes.StackStatusDeleteInProgress {
		t.Fatalf("30 s after DeleteStack, with its environment terminating: %+v, %v", out.Stacks[0].StackStatus, err)
	}
	if d = e.xrEnv("c42s07-xray"); d.Status != ebtypes.EnvironmentStatusTerminating {
		t.Errorf("environment right after DeleteStack: %s", d.Status)
	}
	e.clock.Advance(5 * time.Minute)
	out, err = c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: st.StackId})
	if err != nil || out.Stacks[0].StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("5 min after DeleteStack: %+v, %v", out.Stacks[0].StackStatus, err)
	}
	if d = e.xrEnv("c42s07-xray"); d.Status != ebtypes.EnvironmentStatusTerminated {
		t.Errorf("environment 5 min after DeleteStack: %s", d.Status)
	}
	if _, err := c.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("c42s07-signups")}); !errorsAs[*ddbtypes.ResourceNotFoundException](err) {
		t.Errorf("table after DeleteStack: %v", err)
	}
	if tl, err := c.SNS.ListTopics(ctx, &sns.ListTopicsInput{}); err != nil || len(tl.Topics) != 0 {
		t.Errorf("topics after DeleteStack: %+v, %v", tl, err)
	}
	if _, err := c.SQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("c42s07-signups")}); !errorsAs[*sqstypes.QueueDoesNotExist](err) {
		t.Errorf("queue after DeleteStack: %v", err)
	}
	if apps, err := c.ElasticBeanstalk.DescribeApplications(ctx, &eb.DescribeApplicationsInput{}); err != nil || len(apps.Applications) != 0 {
		t.Errorf("applications after DeleteStack: %+v, %v", apps, err)
	}
	if _, err := c.XRay.GetGroup(ctx, &xray.GetGroupInput{GroupName: aws.String("c42s07")}); err == nil {
		t.Error("X-Ray group still there after DeleteStack")
	}
	if _, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("c42s07-xray-eb-role")}); apiCode(err) != "NoSuchEntity" {
		t.Errorf("role after DeleteStack: %v", err)
	}
	if ps, err := c.IAM.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{}); err != nil || len(ps.InstanceProfiles) != 0 {
		t.Errorf("instance profiles after DeleteStack: %+v, %v", ps, err)
	}
	if left := e.stackTagged(xrStackName); len(left) != 0 {
		t.Errorf("tagging API still lists %v", left)
	}

	// The same stack deploys again once the old one is gone.
	in.StackName = aws.String("c42s07-xray-again")
	if _, err := c.CloudFormation.CreateStack(ctx, in); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if st := e.stack("c42s07-xray-again"); st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("second deployment: %s: %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
}

func TestCloudFormationXRayRollback(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c
	// The student made the table by hand: the stack's table fails, the rest rolls back.
	if _, err := c.DynamoDB.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("c42s07-signups"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("email"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("email"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CloudFormation.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(xrStackName), TemplateBody: aws.String(xrayTemplate(t)),
		Parameters: xrayStackParams(), Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityNamedIam}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	st := e.stack(xrStackName)
	if st.StackStatus != cftypes.StackStatusRollbackComplete || !strings.Contains(aws.ToString(st.StackStatusReason), "[SignupTable]") ||
		!strings.Contains(aws.ToString(st.StackStatusReason), "already exists") {
		t.Fatalf("stack %s: %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	if _, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("c42s07-xray-eb-role")}); apiCode(err) != "NoSuchEntity" {
		t.Errorf("role after rollback: %v", err)
	}
	if apps, err := c.ElasticBeanstalk.DescribeApplications(ctx, &eb.DescribeApplicationsInput{}); err != nil || len(apps.Applications) != 0 {
		t.Errorf("applications after rollback: %+v, %v", apps, err)
	}
	if _, err := c.SQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("c42s07-signups")}); !errorsAs[*sqstypes.QueueDoesNotExist](err) {
		t.Errorf("queue after rollback: %v", err)
	}
	if tbl, err := c.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("c42s07-signups")}); err != nil || tbl.Table.TableStatus != ddbtypes.TableStatusActive {
		t.Errorf("the student's own table after rollback: %+v, %v", tbl, err)
	}
}

func TestSetLoadBeanstalkEnvironment(t *testing.T) {
	e := newEnv(t)
	e.xrayLab()
	arn := aws.ToString(e.xrEnv("c42s07-xray").EnvironmentArn)
	if !strings.HasSuffix(arn, ":environment/c42s07-xray/c42s07-xray") {
		t.Fatalf("environment ARN %q", arn)
	}
	requests := func() int32 {
		t.Helper()
		h, err := e.c.ElasticBeanstalk.DescribeEnvironmentHealth(e.ctx, &eb.DescribeEnvironmentHealthInput{EnvironmentName: aws.String("c42s07-xray")})
		if err != nil {
			t.Fatal(err)
		}
		if h.ApplicationMetrics == nil {
			return 0
		}
		return h.ApplicationMetrics.RequestCount
	}
	if n := requests(); n != 0 {
		t.Fatalf("%d requests before any load", n)
	}
	if err := e.w.SetLoad("", "us-east-1", arn, 0.17); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if n := requests(); n < 5 || n > 15 {
		t.Fatalf("%d requests in the last minute with auto signups on, want about 10", n)
	}
	if err := e.w.SetLoad("", "us-east-1", arn, 0); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if n := requests(); n != 0 {
		t.Fatalf("%d requests in the last minute after load 0", n)
	}
	// An environment that is not there (or not Ready) is an error, as SetAutoSignups says.
	if err := e.w.SetLoad("", "us-east-1", "arn:aws:elasticbeanstalk:us-east-1:111122223333:environment/c42s07-xray/nope", 1); err == nil ||
		!strings.Contains(err.Error(), "nope") {
		t.Errorf("SetLoad of a missing environment: %v", err)
	}
	// Load balancers still go the old way.
	if err := e.w.SetLoad("", "us-east-1", "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/x/1", 1); err == nil {
		t.Error("SetLoad of a missing load balancer succeeded")
	}
}
