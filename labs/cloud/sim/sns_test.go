package sim

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func TestSNSTopicsAndSubscriptions(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c.SNS
	tags := []snstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}}
	out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("c42s07-photos"), Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	topic := aws.ToString(out.TopicArn)
	if topic != "arn:aws:sns:us-east-1:111122223333:c42s07-photos" {
		t.Fatalf("topic ARN %s", topic)
	}
	if again, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("c42s07-photos"), Tags: tags}); err != nil || aws.ToString(again.TopicArn) != topic {
		t.Fatalf("idempotent CreateTopic: %v %v", again, err)
	}
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("c42s07-photos"), Tags: []snstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c9")}}})
	var inv *snstypes.InvalidParameterException
	if !errors.As(err, &inv) {
		t.Fatalf("CreateTopic with other tags: %v, want InvalidParameter", err)
	}
	got, err := e.c.Tagging.GetResources(ctx, &rgt.GetResourcesInput{ResourceTypeFilters: []string{"sns"}})
	if err != nil || len(got.ResourceTagMappingList) != 1 || aws.ToString(got.ResourceTagMappingList[0].ResourceARN) != topic {
		t.Fatalf("tagging API: %+v %v", got, err)
	}

	q, err := e.c.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("c42s07-print")})
	if err != nil {
		t.Fatal(err)
	}
	queueArn := "arn:aws:sqs:us-east-1:111122223333:c42s07-print"
	sq, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(queueArn)})
	if err != nil || !strings.HasPrefix(aws.ToString(sq.SubscriptionArn), topic+":") {
		t.Fatalf("sqs subscription: %v %v", sq, err)
	}
	em, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email"), Endpoint: aws.String("s07@example.com")})
	if err != nil || aws.ToString(em.SubscriptionArn) != "pending confirmation" {
		t.Fatalf("email subscription: %v %v, want pending confirmation", em, err)
	}
	emArn, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email"), Endpoint: aws.String("s07@example.com"), ReturnSubscriptionArn: true})
	if err != nil || !strings.HasPrefix(aws.ToString(emArn.SubscriptionArn), topic+":") {
		t.Fatalf("email subscription with ReturnSubscriptionArn: %v %v", emArn, err)
	}
	list, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	if err != nil || len(list.Subscriptions) != 2 || aws.ToString(list.Subscriptions[1].SubscriptionArn) != "PendingConfirmation" ||
		aws.ToString(list.Subscriptions[0].SubscriptionArn) != aws.ToString(sq.SubscriptionArn) {
		t.Fatalf("subscriptions: %+v %v", list, err)
	}

	// Publish reaches the queue as an SNS envelope.
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("photo.jpg uploaded"), Subject: aws.String("upload")}); err != nil {
		t.Fatal(err)
	}
	attrs, err := e.c.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil || attrs.Attributes["ApproximateNumberOfMessages"] != "1" {
		t.Fatalf("queue depth after Publish: %v %v", attrs, err)
	}
	var env map[string]string
	st := sqsOf(e.w.regions[regionKey{"111122223333", "us-east-1"}])
	if err := json.Unmarshal([]byte(st.queues["c42s07-print"].messages[0].body()), &env); err != nil || env["Type"] != "Notification" || env["Message"] != "photo.jpg uploaded" || env["TopicArn"] != topic {
		t.Fatalf("delivered body %v: %v", env, err)
	}

	// The authorization hook a later lab uses.
	snsOf(e.w.regions[regionKey{"111122223333", "us-east-1"}]).authorize = func(string) error {
		return &snstypes.AuthorizationErrorException{Message: aws.String("User is not authorized to perform: SNS:Publish")}
	}
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("x")})
	var denied *snstypes.AuthorizationErrorException
	if !errors.As(err, &denied) || denied.ErrorCode() != "AuthorizationError" {
		t.Fatalf("Publish with the hook denying: %v", err)
	}

	// A pending subscription cannot be unsubscribed; a confirmed one can, once.
	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: emArn.SubscriptionArn})
	if !errors.As(err, &inv) {
		t.Fatalf("unsubscribe pending: %v, want InvalidParameter", err)
	}
	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String("PendingConfirmation")})
	if !errors.As(err, &inv) || !strings.Contains(err.Error(), "at least 6 elements") {
		t.Fatalf("unsubscribe placeholder: %v", err)
	}
	if _, err := c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: sq.SubscriptionArn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: sq.SubscriptionArn})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("second unsubscribe: %v, want NotFound", err)
	}

	// DeleteTopic takes the pending subscription along, and is idempotent.
	if _, err := c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(topic)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(topic)}); err != nil {
		t.Fatalf("DeleteTopic of a deleted topic: %v, want no error", err)
	}
	if _, err := c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: emArn.SubscriptionArn}); !errors.As(err, &nf) {
		t.Fatalf("pending subscription after its topic: %v, want NotFound", err)
	}
	if _, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)}); !errors.As(err, &nf) {
		t.Fatalf("ListSubscriptionsByTopic of a deleted topic: %v, want NotFound", err)
	}
	var rnf *snstypes.ResourceNotFoundException
	if _, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(topic)}); !errors.As(err, &rnf) {
		t.Fatalf("ListTagsForResource of a deleted topic: %v", err)
	}
	got, _ = e.c.Tagging.GetResources(ctx, &rgt.GetResourcesInput{ResourceTypeFilters: []string{"sns"}})
	if len(got.ResourceTagMappingList) != 0 {
		t.Fatalf("deleted topic in the tagging API: %+v", got.ResourceTagMappingList)
	}
}

func TestSNSPendingSubscriptionsExpire(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c.SNS
	out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: out.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("a@example.com")}); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		l, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: out.TopicArn})
		if err != nil {
			t.Fatal(err)
		}
		return len(l.Subscriptions)
	}
	e.clock.Advance(47 * time.Hour)
	if n := count(); n != 1 {
		t.Fatalf("after 47 h: %d subscriptions, want the pending one", n)
	}
	e.clock.Advance(time.Hour)
	if n := count(); n != 0 {
		t.Fatalf("after 48 h: %d subscriptions, want none", n)
	}
}

func TestSNSValidationAndPaging(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c.SNS
	var inv *snstypes.InvalidParameterException
	for _, bad := range []string{"", "has space", strings.Repeat("t", 257), "x.fifo"} {
		if _, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(bad)}); !errors.As(err, &inv) {
			t.Errorf("CreateTopic(%q): %v", bad, err)
		}
	}
	var topics []string
	for i := 0; i < 150; i++ {
		out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t" + strings.Repeat("x", i%3) + "-" + string(rune('a'+i%26)) + string(rune('a'+i/26)))})
		if err != nil {
			t.Fatal(err)
		}
		topics = append(topics, aws.ToString(out.TopicArn))
	}
	var seen []string
	var token *string
	pages := 0
	for {
		out, err := c.ListTopics(ctx, &sns.ListTopicsInput{NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, tp := range out.Topics {
			seen = append(seen, aws.ToString(tp.TopicArn))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if len(seen) != 150 || pages != 2 {
		t.Fatalf("ListTopics: %d topics in %d pages, want 150 in 2", len(seen), pages)
	}
	for _, s := range []struct{ proto, ep string }{{"carrier-pigeon", "x"}, {"sqs", "not-an-arn"}, {"email", "nobody"}, {"lambda", "arn:aws:sqs:us-east-1:1:q"}} {
		if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topics[0]), Protocol: aws.String(s.proto), Endpoint: aws.String(s.ep)}); !errors.As(err, &inv) {
			t.Errorf("Subscribe(%s, %s): %v", s.proto, s.ep, err)
		}
	}
	var nf *snstypes.NotFoundException
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String("arn:aws:sns:us-east-1:111122223333:nope"), Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:111122223333:q")}); !errors.As(err, &nf) {
		t.Errorf("Subscribe to a missing topic: %v", err)
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topics[0])}); !errors.As(err, &inv) {
		t.Errorf("empty Publish: %v", err)
	}
	// A queue in another account stays pending until its owner confirms.
	out, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topics[0]), Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:999999999999:q")})
	if err != nil || aws.ToString(out.SubscriptionArn) != "pending confirmation" {
		t.Errorf("cross-account queue: %v %v", out, err)
	}
}
