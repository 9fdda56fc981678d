package resources_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

func TestSNSTopicSim(t *testing.T)  { testSNSTopic(t, simEnv(t)) }
func TestSNSTopicMoto(t *testing.T) { testSNSTopic(t, motoEnv(t)) }

// testSNSTopic: the lister finds the student's hand-made topic by its prefix and
// not the decoys; deletion removes it (and, on the simulator, the subscription
// pending confirmation that nothing else can remove) and leaves the decoys and
// their subscriptions; a second run is harmless.
func testSNSTopic(t *testing.T, e *env) {
	mk := func(name string, tags ...snstypes.Tag) string {
		out, err := e.c.SNS.CreateTopic(e.ctx, &sns.CreateTopicInput{Name: aws.String(name), Tags: tags})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.TopicArn)
	}
	mine := mk(classID + "s01-photos")
	other := mk("c9zzzs01-photos")
	lookalike := mk(classID+"s02-photos", snstypes.Tag{Key: aws.String("labdash:class"), Value: aws.String("c9zzz")})
	for _, topic := range []string{mine, other} {
		if _, err := e.c.SNS.Subscribe(e.ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email"), Endpoint: aws.String("s01@example.com")}); err != nil {
			t.Fatal(err)
		}
	}

	typ, _ := resources.Lookup("AWS::SNS::Topic")
	found, err := judge(e.ctx, typ, e.c, resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}})
	if err != nil {
		t.Fatal(err)
	}
	var ref resources.Ref
	for _, f := range found {
		switch f.ARN {
		case mine:
			if f.Proof == "" || f.Student != "s01" {
				t.Errorf("own topic not proven: %+v", f)
			}
			ref = f.Ref
		case lookalike:
			if f.Proof != "" || f.Reason == "" {
				t.Errorf("look-alike tagged for another class proven owned: %+v", f)
			}
		default:
			t.Errorf("lister found %s, which is not the class's", f.ARN)
		}
	}
	if ref.ARN == "" {
		t.Fatalf("lister did not find %s among %+v", mine, found)
	}
	if t2, ok := resources.ForARN(mine); !ok || t2.Name != "AWS::SNS::Topic" {
		t.Fatalf("ForARN(%s) = %v, %v", mine, t2.Name, ok)
	}
	if tags, err := typ.Tags(e.ctx, e.c, resources.Ref{ARN: lookalike}); err != nil || tags["labdash:class"] != "c9zzz" {
		t.Fatalf("Tags of the look-alike: %v %v", tags, err)
	}

	e.DeleteUntilGone(e.c, ref, 5)
	e.Gone(e.c, ref)
	if _, err := typ.Tags(e.ctx, e.c, ref); !errors.Is(err, resources.ErrGone) {
		t.Fatalf("Tags of the deleted topic: %v, want ErrGone", err)
	}
	if _, err := e.c.SNS.ListSubscriptionsByTopic(e.ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(mine)}); err == nil {
		t.Fatal("the deleted topic still lists subscriptions")
	}
	for _, topic := range []string{other, lookalike} {
		if _, err := e.c.SNS.ListTagsForResource(e.ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(topic)}); err != nil {
			t.Errorf("decoy %s: %v", topic, err)
		}
	}
	if subs, err := e.c.SNS.ListSubscriptionsByTopic(e.ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(other)}); err != nil || len(subs.Subscriptions) != 1 {
		t.Errorf("decoy's subscription: %+v %v", subs, err)
	}
}
