package resources_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

// TestEventsRuleSim: the event mode's rule of the class (tagged) is found and
// deleted, targets first, through the guard; the decoys stay: another class's
// rule with a near-miss name, a look-alike named like the class's but tagged for
// another class, an untagged rule named labdash-<class>-asg (here, and in a region
// the class does not use), and a rule whose tags cannot be read. The queue it
// sends to is the class's too, and ranks after the rule.
func TestEventsRuleSim(t *testing.T) {
	e := simEnv(t)
	tag := func(class string) []ebtypes.Tag {
		if class == "" {
			return nil
		}
		return []ebtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(class)}, {Key: aws.String("labdash:managed-by"), Value: aws.String("dashboard")}}
	}
	q, err := e.c.SQS.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String("labdash-" + classID + "-events"),
		Tags: map[string]string{"labdash:class": classID, "labdash:managed-by": "dashboard"}})
	if err != nil {
		t.Fatal(err)
	}
	queueARN := e.c.ARN("sqs", "labdash-"+classID+"-events")
	mk := func(c *cloud.Clients, name, class string) string {
		t.Helper()
		out, err := c.Events.PutRule(e.ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(`{"source":["aws.autoscaling"]}`), Tags: tag(class)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Events.PutTargets(e.ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []ebtypes.Target{{Id: aws.String("labdash-events-queue"), Arn: aws.String(queueARN)}}}); err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.RuleArn)
	}
	mine := mk(e.c, "labdash-"+classID+"-asg", classID)
	nearMiss := mk(e.c, "labdash-"+classID+"x-asg", classID+"x")
	lookalike := mk(e.c, "labdash-"+classID+"-pca", "c9zzz")
	untagged := mk(e.c, "labdash-"+classID+"-xray", "")
	unreadable := mk(e.c, "labdash-"+classID+"-ga", classID)
	west, err := e.c.InRegion(e.ctx, "us-west-2")
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := mk(west, "labdash-"+classID+"-asg", "")

	typ, ok := resources.Lookup("AWS::Events::Rule")
	if !ok || !typ.Match(mine) || typ.Match("arn:aws:events:us-east-1:111122223333:event-bus/default") {
		t.Fatal("type not registered or Match wrong")
	}
	qt, _ := resources.Lookup("AWS::SQS::Queue")
	if typ.Rank() >= qt.Rank() {
		t.Errorf("rule rank %d, queue rank %d: the rules go first (LABS.md §4)", typ.Rank(), qt.Rank())
	}
	// The unreadable rule's tags answer AccessDenied.
	c := cloud.Intercept(e.c, func(_ context.Context, call cloud.Call) error {
		if in, ok := call.Input.(*eventbridge.ListTagsForResourceInput); ok && aws.ToString(in.ResourceARN) == unreadable {
			return &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: events:ListTagsForResource"}
		}
		return nil
	})
	scope := resources.Scope{ClassID: classID, Students: []string{"s01", "s07"}}
	found, err := judge(e.ctx, typ, c, scope)
	if err != nil {
		t.Fatal(err)
	}
	var ref resources.Ref
	seen := map[string]bool{}
	for _, f := range found {
		seen[f.ARN] = true
		switch f.ARN {
		case mine:
			if f.Proof == "" || f.Student != "" {
				t.Errorf("the class's rule not proven class-level: %+v", f)
			}
			ref = f.Ref
		case lookalike, untagged, unreadable:
			if f.Proof != "" {
				t.Errorf("decoy %s proven owned: %+v", f.ARN, f)
			}
		default:
			t.Errorf("lister found %s", f.ARN)
		}
	}
	if seen[nearMiss] || !seen[unreadable] || ref.ARN == "" {
		t.Fatalf("listed %v", seen)
	}
	// The rule in a region the class does not use: outside the class, whatever its name.
	o := &cleanup.Owner{ClassID: classID, Roster: map[string]bool{"s01": true}, Accounts: map[string]string{e.c.Account: ""}, Regions: map[string]bool{"us-east-1": true}}
	if v := o.Decide(typ, resources.Candidate{ARN: elsewhere, Account: e.c.Account, Region: "us-west-2", Name: "labdash-" + classID + "-asg", Tags: map[string]string{}}); v.Owned ||
		!strings.Contains(v.Reason, "outside the class") {
		t.Errorf("us-west-2 rule: %+v", v)
	}
	e.DeleteUntilGone(e.c, ref, 3)
	e.Gone(e.c, ref)
	for _, arn := range []string{nearMiss, lookalike, untagged, unreadable} {
		name := arn[strings.LastIndex(arn, "/")+1:]
		out, err := e.c.Events.ListTargetsByRule(e.ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
		if err != nil || len(out.Targets) != 1 {
			t.Errorf("decoy %s: %v %+v (its target must stay)", name, err, out)
		}
	}
	if _, err := west.Events.DescribeRule(e.ctx, &eventbridge.DescribeRuleInput{Name: aws.String("labdash-" + classID + "-asg")}); err != nil {
		t.Errorf("us-west-2 decoy: %v", err)
	}
	// The guard refuses the rule's deletion calls on a decoy while only the class's rule is planned.
	g := cloud.Intercept(e.c, resources.Guard([]resources.Ref{ref}, nil))
	if _, err := g.Events.RemoveTargets(e.ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("labdash-" + classID + "-pca"), Ids: []string{"labdash-events-queue"}}); err == nil {
		t.Error("the guard let RemoveTargets through on a rule outside the plan")
	}
	if _, err := g.Events.DeleteRule(e.ctx, &eventbridge.DeleteRuleInput{Name: aws.String("labdash-" + classID + "-xray")}); err == nil {
		t.Error("the guard let DeleteRule through on a rule outside the plan")
	}
	// The queue: listed by its labdash- name, owned class-level by its tags.
	qs, err := judge(e.ctx, qt, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 1 || qs[0].ARN != queueARN || qs[0].Proof == "" || aws.ToString(q.QueueUrl) == "" {
		t.Errorf("queue items %+v", qs)
	}
}
