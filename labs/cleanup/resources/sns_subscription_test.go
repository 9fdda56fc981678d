package resources_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

func TestSNSSubscriptionSim(t *testing.T)  { testSNSSubscription(t, simEnv(t)) }
func TestSNSSubscriptionMoto(t *testing.T) { testSNSSubscription(t, motoEnv(t)) }

// testSNSSubscription: subscriptions carry no tags, so the lister finds those of
// the class's topic and those (on another class's topic) that deliver into the
// class's queue — not the other class's subscription to its own queue; each is
// unsubscribed through the guard, and the decoy subscription stays. On the
// simulator an email subscription stays pending (moto confirms every subscription
// at once, so the pending case is the simulator's): the lister does not offer it,
// Unsubscribe cannot remove it, Delete reports it done, and it goes with its topic.
func testSNSSubscription(t *testing.T, e *env) {
	topic := func(name string) string {
		out, err := e.c.SNS.CreateTopic(e.ctx, &sns.CreateTopicInput{Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TopicArn)
	}
	queue := func(name string) string {
		if _, err := e.c.SQS.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		return e.c.ARN("sqs", name)
	}
	sub := func(topic, proto, endpoint string) string {
		out, err := e.c.SNS.Subscribe(e.ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String(proto), Endpoint: aws.String(endpoint), ReturnSubscriptionArn: true})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.SubscriptionArn)
	}
	mine := topic(classID + "s01-photos")
	theirs := topic("c9zzzs01-photos")
	myQueue := queue(classID + "s01-print")
	theirQueue := queue("c9zzzs01-print")
	mineToTheirQueue := sub(mine, "sqs", theirQueue)     // on the class's topic: the class's
	theirsToMyQueue := sub(theirs, "sqs", myQueue)       // into the class's queue: the class's
	theirsToTheirQueue := sub(theirs, "sqs", theirQueue) // decoy
	email := sub(mine, "email", "s01@example.com")       // pending on the simulator

	scope := resources.Scope{ClassID: classID, Students: []string{"s01"}, Owned: map[string]resources.Ref{
		mine:    {ARN: mine, Type: "AWS::SNS::Topic", Region: e.c.Region, Account: e.c.Account, Student: "s01"},
		myQueue: {ARN: myQueue, Type: "AWS::SQS::Queue", Region: e.c.Region, Account: e.c.Account, Student: "s01"},
	}}
	typ, _ := resources.Lookup("AWS::SNS::Subscription")
	found, err := judge(e.ctx, typ, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{mineToTheirQueue: mine, theirsToMyQueue: myQueue}
	if e.world == nil {
		want[email] = mine // moto has no pending state
	}
	var refs []resources.Ref
	for _, f := range found {
		parent, ok := want[f.ARN]
		switch {
		case !ok:
			t.Errorf("lister found %s, which is not the class's", f.ARN)
		case f.Proof == "" || f.Student != "s01" || f.Parent != parent:
			t.Errorf("subscription %s: %+v, want proven with parent %s", f.ARN, f, parent)
		}
		if !typ.Match(f.ARN) {
			t.Errorf("Match(%s) is false", f.ARN)
		}
		refs = append(refs, f.Ref)
	}
	if len(refs) != len(want) {
		t.Fatalf("lister found %d subscriptions, want %d: %+v", len(refs), len(want), found)
	}
	for _, r := range refs {
		e.DeleteUntilGone(e.c, r, 3)
		e.Gone(e.c, r)
	}
	left := func(topic string) map[string]bool {
		out, err := e.c.SNS.ListSubscriptionsByTopic(e.ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, s := range out.Subscriptions {
			m[aws.ToString(s.SubscriptionArn)] = true
		}
		return m
	}
	if l := left(theirs); len(l) != 1 || !l[theirsToTheirQueue] {
		t.Fatalf("the other class's topic has %v, want only its own subscription %s", l, theirsToTheirQueue)
	}
	if e.world == nil {
		return
	}
	// The pending email subscription: Delete reports it done (it cannot be removed),
	// and it goes with its topic, after which Delete reports it gone.
	if l := left(mine); len(l) != 1 || !l["PendingConfirmation"] {
		t.Fatalf("the class's topic has %v, want the pending subscription", l)
	}
	pending := resources.Ref{ARN: email, Type: "AWS::SNS::Subscription", Region: e.c.Region, Account: e.c.Account, Student: "s01", Parent: mine}
	e.DeleteUntilGone(e.c, pending, 1)
	topicRef := scope.Owned[mine]
	e.DeleteUntilGone(e.c, topicRef, 1)
	e.Gone(e.c, pending)
	if _, err := e.c.SNS.Unsubscribe(e.ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(email)}); err == nil {
		t.Fatal("the pending subscription survived its topic")
	} else if _, nf := err.(*snstypes.NotFoundException); !nf && resources.ErrorCode(err) != "NotFound" {
		t.Fatalf("pending subscription after its topic: %v, want NotFound", err)
	}
}
