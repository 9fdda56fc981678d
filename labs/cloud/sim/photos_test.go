package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rktypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/xray"
)

const (
	photoBucket = "c42s07-photos"
	photoFn     = "c42s07-photos-labels"
	photoDBID   = "c42s07-photos-db"
	photoQueue  = "c42s07-print"
)

var jpeg = []byte("\xFF\xD8\xFF\xE0 a photo")

// photoLab is one student's Lab 1 pipeline; the options leave a piece out.
type photoLab struct {
	topic, queueURL, queueArn, fnArn string
}

type photoOpts struct {
	noTopicPolicy, noLambdaPermission, noRekognition, noDB, passThrough bool
	permissionSource                                                    string // AddPermission's SourceArn ("" = the topic)
}

func (e *env) photoLab(o photoOpts) photoLab {
	e.t.Helper()
	c, ctx := e.c, e.ctx
	must := func(_ any, err error) {
		e.t.Helper()
		if err != nil {
			e.t.Fatal(err)
		}
	}
	var l photoLab
	must(c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(photoBucket)}))
	top, err := c.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("c42s07-photos-topic")})
	must(top, err)
	l.topic = aws.ToString(top.TopicArn)
	q, err := c.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(photoQueue)})
	must(q, err)
	l.queueURL, l.queueArn = aws.ToString(q.QueueUrl), "arn:aws:sqs:us-east-1:111122223333:"+photoQueue
	if !o.noTopicPolicy {
		must(c.SNS.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: top.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"SNS:Publish","Resource":"` + l.topic +
				`","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::` + photoBucket + `"},"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`)}))
	}
	role, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("c42s07-lambda-labels"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	must(role, err)
	actions := `["s3:GetObject","rekognition:DetectLabels"]`
	if o.noRekognition {
		actions = `["s3:GetObject"]`
	}
	must(c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("c42s07-lambda-labels"), PolicyName: aws.String("labels"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + actions + `,"Resource":["arn:aws:s3:::` + photoBucket + `/*","*"]}]}`)}))
	mode := lambdatypes.TracingModeActive
	if o.passThrough {
		mode = lambdatypes.TracingModePassThrough
	}
	fn, err := c.Lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(photoFn), Runtime: lambdatypes.RuntimePython312,
		Role: role.Role.Arn, Handler: aws.String("lambda_function.lambda_handler"), Code: &lambdatypes.FunctionCode{ZipFile: []byte("PK\x03\x04")},
		TracingConfig: &lambdatypes.TracingConfig{Mode: mode}})
	must(fn, err)
	l.fnArn = aws.ToString(fn.FunctionArn)
	if !o.noLambdaPermission {
		src := o.permissionSource
		if src == "" {
			src = l.topic
		}
		must(c.Lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(photoFn), StatementId: aws.String("sns"),
			Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com"), SourceArn: aws.String(src)}))
	}
	must(c.SNS.Subscribe(ctx, &sns.SubscribeInput{TopicArn: top.TopicArn, Protocol: aws.String("lambda"), Endpoint: aws.String(l.fnArn)}))
	must(c.SNS.Subscribe(ctx, &sns.SubscribeInput{TopicArn: top.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(l.queueArn)}))
	if !o.noDB {
		must(c.RDS.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(photoDBID), DBInstanceClass: aws.String("db.t3.micro"),
			Engine: aws.String("mysql"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-pw-1"), AllocatedStorage: aws.Int32(20)}))
	}
	e.clock.Advance(10 * time.Minute) // the function and the instance become available
	if !o.noTopicPolicy {
		e.notifyPhotos(l.topic, "photos/")
	}
	return l
}

// notifyPhotos configures the bucket to notify topic of objects created under prefix.
func (e *env) notifyPhotos(topic, prefix string) {
	e.t.Helper()
	if _, err := e.c.S3.PutBucketNotificationConfiguration(e.ctx, e.notification(topic, prefix)); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) notification(topic, prefix string) *s3.PutBucketNotificationConfigurationInput {
	return &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(photoBucket), NotificationConfiguration: &s3types.NotificationConfiguration{
		TopicConfigurations: []s3types.TopicConfiguration{{TopicArn: aws.String(topic), Events: []s3types.Event{"s3:ObjectCreated:*"},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{{Name: s3types.FilterRuleNamePrefix, Value: aws.String(prefix)}}}}}}}}
}

func (e *env) upload(key string) {
	e.t.Helper()
	if _, err := e.c.S3.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String(photoBucket), Key: aws.String(key), Body: strings.NewReader(string(jpeg))}); err != nil {
		e.t.Fatal(err)
	}
}

// metricSum is the sum of a metric's datapoints over the last 15 minutes.
func (e *env) metricSum(ns, name, dim, value string) (float64, int) {
	e.t.Helper()
	out, err := e.c.CloudWatch.GetMetricData(e.ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(e.clock.Now().Add(-15 * time.Minute)), EndTime: aws.Time(e.clock.Now().Add(time.Minute)),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("m"), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(name),
			Dimensions: []cwtypes.Dimension{{Name: aws.String(dim), Value: aws.String(value)}}}, Period: aws.Int32(60), Stat: aws.String("Sum")}}}})
	if err != nil {
		e.t.Fatal(err)
	}
	s := 0.0
	for _, v := range out.MetricDataResults[0].Values {
		s += v
	}
	return s, len(out.MetricDataResults[0].Values)
}

func (e *env) fnLog() string {
	e.t.Helper()
	out, err := e.c.Logs.FilterLogEvents(e.ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/" + photoFn)})
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, ev := range out.Events {
		b.WriteString(aws.ToString(ev.Message) + "\n")
	}
	return b.String()
}

func TestPhotoUploadFlowsThroughThePipeline(t *testing.T) {
	e := newEnv(t)
	l := e.photoLab(photoOpts{})
	got, err := e.c.S3.GetBucketNotificationConfiguration(e.ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(photoBucket)})
	if err != nil || len(got.TopicConfigurations) != 1 || aws.ToString(got.TopicConfigurations[0].TopicArn) != l.topic || aws.ToString(got.TopicConfigurations[0].Id) == "" {
		t.Fatalf("notification configuration: %+v %v; want the topic with an Id S3 gave it", got, err)
	}
	// Configuring the notification sent S3's test message through the topic: the
	// queue holds it before any upload, and the function ran on it without error.
	if d := e.w.QueueDepth("", "us-east-1", photoQueue); d != 1 {
		t.Fatalf("print queue holds %d after the configuration; want S3's test message", d)
	}
	if rows := e.w.PhotoRows("", "us-east-1", photoDBID); len(rows) != 0 {
		t.Fatalf("the test message stored rows: %+v", rows)
	}
	e.upload("photos/cat.jpg")
	e.upload("photo/dog.jpg")   // near miss: not under photos/
	e.upload("xphotos/owl.jpg") // a prefix is a prefix, not a substring
	rows := e.w.PhotoRows("", "us-east-1", photoDBID)
	if len(rows) != 1 || rows[0].ObjectKey != "photos/cat.jpg" || rows[0].Labels == "" {
		t.Fatalf("photo rows: %+v; want one row for photos/cat.jpg with labels", rows)
	}
	if e.w.PhotoRows("", "us-east-1", "c42s08-photos-db") != nil || e.w.PhotoRows("", "us-west-2", photoDBID) != nil {
		t.Error("a classmate's / another region's instance has rows")
	}
	if d := e.w.QueueDepth("", "us-east-1", photoQueue); d != 2 {
		t.Fatalf("print queue holds %d; want the test message and the one upload under photos/", d)
	}
	msg, err := e.c.SQS.ReceiveMessage(e.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(l.queueURL), MaxNumberOfMessages: 10})
	if err != nil || len(msg.Messages) != 2 {
		t.Fatalf("receive: %v %v", msg, err)
	}
	if body := aws.ToString(msg.Messages[0].Body); !strings.Contains(body, `s3:TestEvent`) || !strings.Contains(body, `"TopicArn":"`+l.topic) {
		t.Errorf("first queued message is not S3's test message through the topic: %s", body)
	}
	body := aws.ToString(msg.Messages[1].Body)
	for _, want := range []string{`"TopicArn":"` + l.topic, `ObjectCreated:Put`, `photos/cat.jpg`, `aws:s3`} {
		if !strings.Contains(body, want) {
			t.Errorf("queued notification lacks %q: %s", want, body)
		}
	}
	e.clock.Advance(time.Minute)
	if inv, _ := e.metricSum("AWS/Lambda", "Invocations", "FunctionName", photoFn); inv != 2 {
		t.Errorf("Invocations %v; want 2 (the test message and the upload)", inv)
	}
	if errs, n := e.metricSum("AWS/Lambda", "Errors", "FunctionName", photoFn); errs != 0 || n == 0 {
		t.Errorf("Errors %v (%d points); want 0", errs, n)
	}
	if pub, _ := e.metricSum("AWS/SNS", "NumberOfMessagesPublished", "TopicName", "c42s07-photos-topic"); pub != 2 {
		t.Errorf("NumberOfMessagesPublished %v; want 2", pub)
	}
	if _, n := e.metricSum("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", photoQueue); n == 0 {
		t.Error("no ApproximateNumberOfMessagesVisible datapoint for the print queue")
	}
	// The labels are the object's: the same key labels the same again.
	before := rows[0].Labels
	e.upload("photos/cat.jpg")
	rows = e.w.PhotoRows("", "us-east-1", photoDBID)
	if len(rows) != 2 || rows[1].Labels != before {
		t.Errorf("re-upload: %+v; want a second row with labels %q", rows, before)
	}
	if log := e.fnLog(); !strings.Contains(log, "labels for photos/cat.jpg") {
		t.Errorf("function log: %s", log)
	}
}

func TestNotificationNeedsATopicPolicyAllowingS3(t *testing.T) {
	e := newEnv(t)
	l := e.photoLab(photoOpts{noTopicPolicy: true})
	attrs, err := e.c.SNS.GetTopicAttributes(e.ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(l.topic)})
	if err != nil || !strings.Contains(attrs.Attributes["Policy"], "AWS:SourceOwner") || attrs.Attributes["SubscriptionsConfirmed"] != "2" {
		t.Fatalf("default attributes: %v %v", attrs, err)
	}
	refused := func(what string) {
		t.Helper()
		_, err := e.c.S3.PutBucketNotificationConfiguration(e.ctx, e.notification(l.topic, "photos/"))
		if apiCode(err) != "InvalidArgument" || !strings.Contains(err.Error(), "Unable to validate the following destination configurations") {
			t.Fatalf("%s: %v; want InvalidArgument Unable to validate", what, err)
		}
	}
	refused("the default topic policy")
	setPolicy := func(doc string) {
		t.Helper()
		if _, err := e.c.SNS.SetTopicAttributes(e.ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(l.topic), AttributeName: aws.String("Policy"), AttributeValue: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	// S3 allowed, but only for a classmate's bucket.
	setPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"SNS:Publish","Resource":"` + l.topic +
		`","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::c42s08-photos"}}}]}`)
	refused("a policy for another bucket")
	// Another service allowed.
	setPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"SNS:Publish","Resource":"` + l.topic + `"}]}`)
	refused("a policy for EventBridge")
	// A deny wins.
	setPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"SNS:Publish","Resource":"` + l.topic + `"},` +
		`{"Effect":"Deny","Principal":{"Service":"s3.amazonaws.com"},"Action":"sns:Publish","Resource":"*"}]}`)
	refused("an explicit deny")
	got, _ := e.c.S3.GetBucketNotificationConfiguration(e.ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(photoBucket)})
	if len(got.TopicConfigurations) != 0 {
		t.Fatalf("a refused configuration was kept: %+v", got.TopicConfigurations)
	}
	if _, err := e.c.SNS.SetTopicAttributes(e.ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(l.topic), AttributeName: aws.String("Policy"), AttributeValue: aws.String("{not json")}); apiCode(err) != "InvalidParameter" {
		t.Errorf("bad policy JSON: %v", err)
	}
	if _, err := e.c.SNS.SetTopicAttributes(e.ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(l.topic), AttributeName: aws.String("Polcy"), AttributeValue: aws.String("{}")}); apiCode(err) != "InvalidParameter" {
		t.Errorf("misspelt attribute: %v", err)
	}
	// The fix; a near-miss prefix filter then does not fire.
	setPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"SNS:Publish","Resource":"` + l.topic +
		`","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::` + photoBucket + `"}}}]}`)
	e.notifyPhotos(l.topic, "photo/")
	if d := e.w.QueueDepth("", "us-east-1", photoQueue); d != 1 {
		t.Fatalf("queue %d after the configuration; want S3's test message", d)
	}
	e.upload("photos/cat.jpg")
	if d := e.w.QueueDepth("", "us-east-1", photoQueue); d != 1 {
		t.Errorf("a photos/ upload with a photo/ filter reached the queue (%d)", d)
	}
	// Bad configurations.
	bad := e.notification(l.topic, "photos/")
	bad.NotificationConfiguration.TopicConfigurations[0].Events = []s3types.Event{"s3:ObjectCreated:Upload"}
	if _, err := e.c.S3.PutBucketNotificationConfiguration(e.ctx, bad); apiCode(err) != "InvalidArgument" {
		t.Errorf("unknown event: %v", err)
	}
	dup := e.notification(l.topic, "photos/")
	dup.NotificationConfiguration.TopicConfigurations = append(dup.NotificationConfiguration.TopicConfigurations, dup.NotificationConfiguration.TopicConfigurations[0])
	if _, err := e.c.S3.PutBucketNotificationConfiguration(e.ctx, dup); apiCode(err) != "InvalidArgument" || !strings.Contains(err.Error(), "overlapping") {
		t.Errorf("overlapping configurations: %v", err)
	}
	// An empty configuration removes it (cleanup).
	if _, err := e.c.S3.PutBucketNotificationConfiguration(e.ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(photoBucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.c.S3.GetBucketNotificationConfiguration(e.ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(photoBucket)}); len(got.TopicConfigurations) != 0 {
		t.Error("an empty configuration left the topic")
	}
}

func TestSNSDoesNotInvokeWithoutTheFunctionsPermission(t *testing.T) {
	for name, o := range map[string]photoOpts{"none": {noLambdaPermission: true}, "another topic": {permissionSource: "arn:aws:sns:us-east-1:111122223333:c42s08-photos-topic"}} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.photoLab(o)
			e.upload("photos/cat.jpg")
			if rows := e.w.PhotoRows("", "us-east-1", photoDBID); len(rows) != 0 {
				t.Fatalf("rows %+v without SNS's permission to invoke", rows)
			}
			if d := e.w.QueueDepth("", "us-east-1", photoQueue); d != 2 {
				t.Errorf("the queue subscription still receives the test message and the upload: depth %d", d)
			}
			e.clock.Advance(time.Minute)
			if inv, _ := e.metricSum("AWS/Lambda", "Invocations", "FunctionName", photoFn); inv != 0 {
				t.Errorf("Invocations %v; want 0", inv)
			}
			if f, _ := e.metricSum("AWS/SNS", "NumberOfNotificationsFailed", "TopicName", "c42s07-photos-topic"); f != 2 {
				t.Errorf("NumberOfNotificationsFailed %v; want 2 (the test message, the upload)", f)
			}
		})
	}
}

func TestLabelsFailAsAnError(t *testing.T) {
	for name, c := range map[string]struct {
		o    photoOpts
		want string
	}{
		"no rekognition:DetectLabels": {photoOpts{noRekognition: true}, "AccessDeniedException"},
		"no DB instance":              {photoOpts{noDB: true}, "OperationalError"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.photoLab(c.o)
			e.upload("photos/cat.jpg")
			if rows := e.w.PhotoRows("", "us-east-1", photoDBID); len(rows) != 0 {
				t.Fatalf("rows %+v", rows)
			}
			e.clock.Advance(time.Minute)
			if errs, _ := e.metricSum("AWS/Lambda", "Errors", "FunctionName", photoFn); errs != 1 {
				t.Errorf("Errors %v; want 1", errs)
			}
			if log := e.fnLog(); !strings.Contains(log, "[ERROR]") || !strings.Contains(log, c.want) {
				t.Errorf("log lacks [ERROR] %s: %s", c.want, log)
			}
		})
	}
}

func TestRekognitionThrottlesPerAccountAndRegion(t *testing.T) {
	e := newEnv(t)
	e.photoLab(photoOpts{})
	e.upload("photos/cat.jpg")
	e.w.SetRekognitionTPS("", "us-east-1", 2)
	in := &rekognition.DetectLabelsInput{Image: &rktypes.Image{S3Object: &rktypes.S3Object{Bucket: aws.String(photoBucket), Name: aws.String("photos/cat.jpg")}}}
	for i := 0; i < 2; i++ {
		if _, err := e.c.Rekognition.DetectLabels(e.ctx, in); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if _, err := e.c.Rekognition.DetectLabels(e.ctx, in); !errorsAs[*rktypes.ProvisionedThroughputExceededException](err) {
		t.Fatalf("third call in a second at 2 TPS: %v", err)
	}
	// The pipeline's run throttled: an error, and a throttle on the Rekognition edge.
	e.upload("photos/dog.jpg")
	if rows := e.w.PhotoRows("", "us-east-1", photoDBID); len(rows) != 1 {
		t.Errorf("rows %d; the throttled run stores nothing", len(rows))
	}
	west, err := e.c.InRegion(e.ctx, "us-west-2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := west.Rekognition.DetectLabels(e.ctx, &rekognition.DetectLabelsInput{Image: &rktypes.Image{Bytes: jpeg}}); err != nil {
		t.Errorf("another region is not throttled: %v", err)
	}
	e.clock.Advance(time.Second)
	if _, err := e.c.Rekognition.DetectLabels(e.ctx, in); err != nil {
		t.Errorf("a second later: %v", err)
	}
	if _, err := e.c.Rekognition.DetectLabels(e.ctx, &rekognition.DetectLabelsInput{Image: &rktypes.Image{Bytes: []byte("GIF89a")}}); !errorsAs[*rktypes.InvalidImageFormatException](err) {
		t.Errorf("a GIF: %v", err)
	}
	e.clock.Advance(time.Second)
	if _, err := e.c.Rekognition.DetectLabels(e.ctx, &rekognition.DetectLabelsInput{Image: &rktypes.Image{S3Object: &rktypes.S3Object{Bucket: aws.String(photoBucket), Name: aws.String("photos/nope.jpg")}}}); !errorsAs[*rktypes.InvalidS3ObjectException](err) {
		t.Errorf("a missing object: %v", err)
	}
	if _, err := west.Rekognition.DetectLabels(e.ctx, in); !errorsAs[*rktypes.InvalidS3ObjectException](err) {
		t.Errorf("a bucket in another region: %v", err)
	}
}

func TestPhotoTraceHasTheRekognitionEdge(t *testing.T) {
	graph := func(e *env) (fnNode *int32, rek map[int32]string, edges []int32) {
		out, err := e.c.XRay.GetServiceGraph(e.ctx, &xray.GetServiceGraphInput{StartTime: aws.Time(e.clock.Now().Add(-10 * time.Minute)), EndTime: aws.Time(e.clock.Now())})
		if err != nil {
			e.t.Fatal(err)
		}
		rek = map[int32]string{}
		for _, s := range out.Services {
			if strings.Contains(aws.ToString(s.Name), "Rekognition") {
				rek[aws.ToInt32(s.ReferenceId)] = aws.ToString(s.Type)
			}
			if aws.ToString(s.Name) == photoFn && aws.ToString(s.Type) == "AWS::Lambda::Function" {
				fnNode = s.ReferenceId
				for _, ed := range s.Edges {
					edges = append(edges, aws.ToInt32(ed.ReferenceId))
				}
			}
		}
		return
	}
	e := newEnv(t)
	e.photoLab(photoOpts{})
	e.upload("photos/cat.jpg")
	e.clock.Advance(time.Second)
	fn, rek, edges := graph(e)
	if fn == nil || len(rek) != 1 {
		t.Fatalf("service graph: function node %v, Rekognition nodes %v", fn, rek)
	}
	found := false
	for _, ref := range edges {
		found = found || rek[ref] == "AWS::Rekognition"
	}
	if !found {
		t.Errorf("no edge from the function to Rekognition: edges %v, Rekognition %v", edges, rek)
	}
	p := newEnv(t)
	p.photoLab(photoOpts{passThrough: true})
	p.upload("photos/cat.jpg")
	p.clock.Advance(time.Second)
	if fn, rek, _ := graph(p); fn != nil || len(rek) != 0 {
		t.Errorf("PassThrough tracing made a trace: %v %v", fn, rek)
	}
}

func TestNotificationToAQueueOrAFunctionNeedsTheirPolicies(t *testing.T) {
	e := newEnv(t)
	l := e.photoLab(photoOpts{noTopicPolicy: true})
	put := func(cfg s3types.NotificationConfiguration, skip bool) error {
		_, err := e.c.S3.PutBucketNotificationConfiguration(e.ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(photoBucket),
			NotificationConfiguration: &cfg, SkipDestinationValidation: aws.Bool(skip)})
		return err
	}
	queue := s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{QueueArn: aws.String(l.queueArn), Events: []s3types.Event{"s3:ObjectCreated:Put"}}}}
	fn := s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{LambdaFunctionArn: aws.String(l.fnArn), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}
	if err := put(queue, false); apiCode(err) != "InvalidArgument" {
		t.Errorf("queue without a policy: %v", err)
	}
	// The function's policy lets SNS, not S3, invoke it.
	if err := put(fn, false); apiCode(err) != "InvalidArgument" {
		t.Errorf("function without S3's permission: %v", err)
	}
	// A topic of the same name in another region is not the bucket's region's.
	west, err := e.c.InRegion(e.ctx, "us-west-2")
	if err != nil {
		t.Fatal(err)
	}
	wt, err := west.SNS.CreateTopic(e.ctx, &sns.CreateTopicInput{Name: aws.String("c42s07-photos-topic")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := west.SNS.SetTopicAttributes(e.ctx, &sns.SetTopicAttributesInput{TopicArn: wt.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"SNS:Publish","Resource":"` + aws.ToString(wt.TopicArn) + `"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.S3.PutBucketNotificationConfiguration(e.ctx, e.notification(aws.ToString(wt.TopicArn), "photos/")); apiCode(err) != "InvalidArgument" {
		t.Errorf("topic in another region: %v", err)
	}
	// SkipDestinationValidation stores it, but S3 still cannot deliver: nothing arrives.
	if err := put(queue, true); err != nil {
		t.Fatalf("skip validation: %v", err)
	}
	e.upload("photos/cat.jpg")
	if d := e.w.QueueDepth("", "us-east-1", photoQueue); d != 0 {
		t.Errorf("queue depth %d; S3 may not send to a queue whose policy does not let it", d)
	}
	// The queue policy and the function permission for S3: both validate.
	if _, err := e.c.SQS.SetQueueAttributes(e.ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(l.queueURL), Attributes: map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + l.queueArn +
		`","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::` + photoBucket + `"}}}]}`}}); err != nil {
		t.Fatal(err)
	}
	if err := put(queue, false); err != nil {
		t.Errorf("queue with S3's policy: %v", err)
	}
	if _, err := e.c.Lambda.AddPermission(e.ctx, &lambda.AddPermissionInput{FunctionName: aws.String(photoFn), StatementId: aws.String("s3"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::" + photoBucket), SourceAccount: aws.String("111122223333")}); err != nil {
		t.Fatal(err)
	}
	if err := put(fn, false); err != nil {
		t.Fatalf("function with S3's permission: %v", err)
	}
	// S3 invokes the function directly, with a key holding a space (URL-encoded in the event).
	e.upload("photos/red flower.jpg")
	rows := e.w.PhotoRows("", "us-east-1", photoDBID)
	if len(rows) != 1 || rows[0].ObjectKey != "photos/red flower.jpg" {
		t.Errorf("direct S3 → Lambda rows: %+v", rows)
	}
}

func TestLabelsWaitForTheDBInstance(t *testing.T) {
	e := newEnv(t)
	e.photoLab(photoOpts{noDB: true})
	if _, err := e.c.RDS.CreateDBInstance(e.ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(photoDBID), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("mysql"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-pw-1"), AllocatedStorage: aws.Int32(20)}); err != nil {
		t.Fatal(err)
	}
	e.upload("photos/cat.jpg") // still creating
	if rows := e.w.PhotoRows("", "us-east-1", photoDBID); len(rows) != 0 {
		t.Fatalf("rows stored in a creating instance: %+v", rows)
	}
	e.clock.Advance(10 * time.Minute)
	e.upload("photos/cat.jpg")
	if rows := e.w.PhotoRows("", "us-east-1", photoDBID); len(rows) != 1 {
		t.Fatalf("rows once available: %+v", rows)
	}
	if log := e.fnLog(); !strings.Contains(log, "OperationalError") || !strings.Contains(log, photoDBID+".") {
		t.Errorf("the creating instance's failure names its host: %s", log)
	}
}
