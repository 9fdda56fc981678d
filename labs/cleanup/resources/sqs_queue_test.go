package resources_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

func TestSQSQueueSim(t *testing.T)  { testSQSQueue(t, simEnv(t)) }
func TestSQSQueueMoto(t *testing.T) { testSQSQueue(t, motoEnv(t)) }

// testSQSQueue: the lister finds the student's hand-made queue by its prefix and
// not the decoys (another class's prefix; a look-alike tagged for another class);
// the tags are re-read through ListQueueTags; deletion passes the canonical URL
// (which the guard allows, and moto and the simulator accept) and leaves the
// decoys; a second run is harmless.
func testSQSQueue(t *testing.T, e *env) {
	mk := func(name string, tags map[string]string) string {
		out, err := e.c.SQS.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Tags: tags})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.QueueUrl)
	}
	mk(classID+"s01-print", nil)
	mk(classID+"s01-tagged", map[string]string{"labdash:class": classID, "labdash:student": "s01"})
	other := mk("c9zzzs01-print", nil)
	lookalike := mk(classID+"s02-print", map[string]string{"labdash:class": "c9zzz"})

	typ, ok := resources.Lookup("AWS::SQS::Queue")
	if !ok {
		t.Fatal("AWS::SQS::Queue is not registered")
	}
	found, err := judge(e.ctx, typ, e.c, resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}})
	if err != nil {
		t.Fatal(err)
	}
	var ref resources.Ref
	for _, f := range found {
		switch f.ARN {
		case e.c.ARN("sqs", classID+"s01-print"):
			if f.Proof == "" || f.Student != "s01" {
				t.Errorf("own queue not proven: %+v", f)
			}
			ref = f.Ref
		case e.c.ARN("sqs", classID+"s01-tagged"):
			if f.Proof == "" {
				t.Errorf("own tagged queue not proven: %+v", f)
			}
		case e.c.ARN("sqs", classID+"s02-print"):
			if f.Proof != "" || f.Reason == "" {
				t.Errorf("look-alike tagged for another class proven owned: %+v", f)
			}
		default:
			t.Errorf("lister found %s, which is not the class's", f.ARN)
		}
	}
	if ref.ARN == "" {
		t.Fatalf("lister did not find the own queue among %+v", found)
	}
	if !typ.Match(ref.ARN) {
		t.Fatalf("Match(%s) is false", ref.ARN)
	}
	taggedRef := resources.Ref{ARN: e.c.ARN("sqs", classID+"s01-tagged"), Type: "AWS::SQS::Queue", Region: e.c.Region, Account: e.c.Account, Student: "s01"}
	if tags, err := typ.Tags(e.ctx, e.c, taggedRef); err != nil || tags["labdash:class"] != classID {
		t.Fatalf("Tags: %v %v", tags, err)
	}

	e.DeleteUntilGone(e.c, ref, 5)
	e.Gone(e.c, ref)
	if _, err := typ.Tags(e.ctx, e.c, ref); !errors.Is(err, resources.ErrGone) {
		t.Fatalf("Tags of the deleted queue: %v, want ErrGone", err)
	}
	e.DeleteUntilGone(e.c, taggedRef, 5)
	for _, u := range []string{other, lookalike} {
		if _, err := e.c.SQS.ListQueueTags(e.ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(u)}); err != nil {
			t.Errorf("decoy %s: %v", u, err)
		}
	}
	if tags, _ := e.c.SQS.ListQueueTags(e.ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(lookalike)}); tags == nil || tags.Tags["labdash:class"] != "c9zzz" {
		t.Errorf("look-alike's tags changed: %+v", tags)
	}
}
