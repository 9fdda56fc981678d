package sandbox

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
	"github.com/labdash/labdash/labs/monitor"
)

// TestEventModeOnMoto runs event mode's provisioning and read paths through
// aws-sdk-go-v2 against moto: EnsureEvents (twice) makes one queue and one rule
// per lab, each rule's target the queue and the queue's policy naming exactly
// those rules; an Auto Scaling event put on the default bus reaches the queue
// through the Lab 8 rule, one that no rule matches does not, and the monitor's
// DrainQueue reads the event and deletes it. (moto does not evaluate the queue
// policy; the simulator's tests prove delivery needs it.)
func TestEventModeOnMoto(t *testing.T) {
	awstest.Reset(t)
	ctx := context.Background()
	c, err := awstest.NewProvider(t, awsprovider.Options{}).Clients(ctx, "", awstest.Region)
	if err != nil {
		t.Fatal(err)
	}
	class := &db.Class{ID: "c42", Labs: []string{"asg", "pca", "fargate"}, Regions: []string{awstest.Region}}
	reg := catalog.New()
	for range 2 { // provisioning again makes nothing twice
		if err := EnsureEvents(ctx, c, reg, class); err != nil {
			t.Fatal(err)
		}
	}
	rules, err := c.Events.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("labdash-c42-")})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rules.Rules {
		names = append(names, aws.ToString(r.Name))
		if r.State != ebtypes.RuleStateEnabled {
			t.Errorf("rule %s is %s", aws.ToString(r.Name), r.State)
		}
	}
	if strings.Join(names, ",") != "labdash-c42-asg,labdash-c42-pca" {
		t.Fatalf("rules %v, want one for each lab with events (asg, pca; not fargate)", names)
	}
	queueARN := c.ARN("sqs", labs.EventsQueueName("c42"))
	for _, n := range names {
		ts, err := c.Events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(n)})
		if err != nil {
			t.Fatal(err)
		}
		if len(ts.Targets) != 1 || aws.ToString(ts.Targets[0].Arn) != queueARN || aws.ToString(ts.Targets[0].Id) != EventsTargetID {
			t.Errorf("rule %s targets %+v, want only the queue %s", n, ts.Targets, queueARN)
		}
	}
	q, err := c.SQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(labs.EventsQueueName("c42"))})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := c.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNamePolicy}})
	if err != nil {
		t.Fatal(err)
	}
	policy := attrs.Attributes["Policy"]
	for _, n := range names {
		if !strings.Contains(policy, c.ARN("events", "rule/"+n)) {
			t.Errorf("queue policy does not name rule %s: %s", n, policy)
		}
	}
	if !strings.Contains(policy, "events.amazonaws.com") || !strings.Contains(policy, "aws:SourceArn") {
		t.Errorf("queue policy %s does not scope the EventBridge principal by aws:SourceArn", policy)
	}

	// Events on the default bus, as the services would put them.
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bus := eventbridge.NewFromConfig(cfg)
	group := "arn:aws:autoscaling:" + awstest.Region + ":" + c.Account + ":autoScalingGroup:1:autoScalingGroupName/c42s07-asg"
	out, err := bus.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("aws.autoscaling"), DetailType: aws.String("EC2 Instance Launch Successful"), Resources: []string{group},
			Detail: aws.String(`{"AutoScalingGroupName":"c42s07-asg","EC2InstanceId":"i-0123456789abcdef0","StatusCode":"InProgress"}`)},
		{Source: aws.String("aws.autoscaling"), DetailType: aws.String("Auto Scaling Group Lifecycle Hook"), Detail: aws.String(`{}`)}, // no rule wants it
	}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("put events: %v %+v", err, out)
	}
	got, err := monitor.DrainQueue(ctx, c, "c42")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].DetailType != "EC2 Instance Launch Successful" || len(got[0].Resources) != 1 || got[0].Resources[0] != group {
		t.Fatalf("drained %+v, want the one launch event", got)
	}
	// What was read is deleted, not merely hidden for the visibility timeout.
	left, err := c.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{
		sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	if v, h := left.Attributes["ApproximateNumberOfMessages"], left.Attributes["ApproximateNumberOfMessagesNotVisible"]; v != "0" || h != "0" {
		t.Errorf("after the drain the queue holds %s visible and %s in flight: what the monitor read was not deleted", v, h)
	}
}
