package sim

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cloud"
)

func TestPatternMatching(t *testing.T) {
	ev := map[string]any{}
	_ = json.Unmarshal([]byte(`{"source":"aws.ec2","detail-type":"EC2 Spot Instance Interruption Warning","region":"us-east-1",
		"resources":["arn:aws:ec2:us-east-1a:instance/i-1"],"detail":{"instance-id":"i-1","instance-action":"terminate","count":3,"flag":true,"nothing":null}}`), &ev)
	for _, c := range []struct {
		pattern string
		want    bool
	}{
		{`{"source":["aws.ec2"]}`, true},
		{`{"source":["aws.ec2x"]}`, false}, // near miss: exact means exact
		{`{"source":["aws.ec"]}`, false},   // a prefix of the value is not the value
		{`{"source":["AWS.EC2"]}`, false},  // case-sensitive
		{`{"source":["aws.autoscaling","aws.ec2"]}`, true},
		{`{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"]}`, false}, // every field must match
		{`{"detail":{"instance-id":["i-1"]}}`, true},
		{`{"detail":{"instance-id":["i-10"]}}`, false},
		{`{"detail":{"instance-id":[{"prefix":"i-"}]}}`, true},
		{`{"detail":{"instance-id":[{"prefix":"i-2"}]}}`, false},
		{`{"detail":{"count":[3]}}`, true},
		{`{"detail":{"count":["3"]}}`, false}, // a string is not a number
		{`{"detail":{"flag":[true]}}`, true},
		{`{"detail":{"nothing":[null]}}`, true},
		{`{"detail":{"missing":["x"]}}`, false},
		{`{"detail":{"instance-id":{"nested":["x"]}}}`, false},          // the event's value is no object
		{`{"resources":["arn:aws:ec2:us-east-1a:instance/i-1"]}`, true}, // any element of an array
		{`{"resources":[{"prefix":"arn:aws:ec2:us-east-1b"}]}`, false},
	} {
		p, err := parsePattern(c.pattern)
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		if got := matchPattern(p, ev); got != c.want {
			t.Errorf("%s: match %v, want %v", c.pattern, got, c.want)
		}
	}
	for _, bad := range []string{``, `[]`, `{}`, `{"source":"aws.ec2"}`, `{"source":[]}`, `{"detail":{}}`,
		`{"source":[{"anything-but":"aws.ec2"}]}`, `{"source":[{"prefix":""}]}`, `{"source":[{"prefix":"a","suffix":"b"}]}`} {
		if _, err := parsePattern(bad); err == nil {
			t.Errorf("pattern %q accepted", bad)
		}
	}
}

// eventRig is an account with a queue and a rule targeting it.
type eventRig struct {
	ctx         context.Context
	clock       *ManualClock
	w           *World
	c           *cloud.Clients
	url, arn    string
	rule, ruleN string
}

func newEventRig(t testing.TB) *eventRig {
	t.Helper()
	ctx := context.Background()
	clock := NewManualClock(time.Unix(1_800_000_000, 0))
	w := New(Options{Clock: clock, DefaultAccount: "111122223333"})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("labdash-c42-events")})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("labdash-c42-pca"), EventPattern: aws.String(`{"source":["aws.acm-pca"],"detail-type":["ACM Private CA Creation"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	qarn := c.ARN("sqs", "labdash-c42-events")
	if _, err := c.Events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("labdash-c42-pca"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(qarn)}}}); err != nil {
		t.Fatal(err)
	}
	return &eventRig{ctx: ctx, clock: clock, w: w, c: c, url: aws.ToString(q.QueueUrl), arn: qarn, rule: aws.ToString(r.RuleArn), ruleN: "labdash-c42-pca"}
}

func (g *eventRig) policy(t *testing.T, doc string) {
	t.Helper()
	if _, err := g.c.SQS.SetQueueAttributes(g.ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(g.url), Attributes: map[string]string{"Policy": doc}}); err != nil {
		t.Fatal(err)
	}
}

func (g *eventRig) createCA(t *testing.T) string {
	t.Helper()
	out, err := g.c.PCA.CreateCertificateAuthority(g.ctx, &acmpca.CreateCertificateAuthorityInput{CertificateAuthorityType: pcatypes.CertificateAuthorityTypeRoot,
		CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmRsa2048,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withrsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String("root")}}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.CertificateAuthorityArn)
}

func (g *eventRig) receive(t *testing.T) []sqstypes.Message {
	t.Helper()
	out, err := g.c.SQS.ReceiveMessage(g.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(g.url), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

func queuePolicyDoc(principal, action, resource, cond string) string {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"` + action + `","Resource":"` + resource + `"`
	if cond != "" {
		doc += `,"Condition":` + cond
	}
	return doc + `}]}`
}

// TestQueuePolicyRequired: EventBridge delivers only when the queue's policy lets
// the service principal send on behalf of this rule.
func TestQueuePolicyRequired(t *testing.T) {
	g := newEventRig(t)
	svc := `{"Service":"events.amazonaws.com"}`
	ruleCond := `{"ArnEquals":{"aws:SourceArn":"` + g.rule + `"}}`
	for _, c := range []struct {
		name, policy string
		delivered    bool
	}{
		{"no policy", "", false},
		{"another rule's ARN", queuePolicyDoc(svc, "sqs:SendMessage", g.arn, `{"ArnEquals":{"aws:SourceArn":"`+g.rule+`x"}}`), false},
		{"another service", queuePolicyDoc(`{"Service":"sns.amazonaws.com"}`, "sqs:SendMessage", g.arn, ruleCond), false},
		{"another action", queuePolicyDoc(svc, "sqs:ReceiveMessage", g.arn, ruleCond), false},
		{"another queue", queuePolicyDoc(svc, "sqs:SendMessage", g.arn+"-x", ruleCond), false},
		{"another condition key", queuePolicyDoc(svc, "sqs:SendMessage", g.arn, `{"StringEquals":{"aws:SourceAccount":"111122223333"}}`), false},
		{"the rule", queuePolicyDoc(svc, "sqs:SendMessage", g.arn, ruleCond), true},
		{"the rule among others, ArnLike", queuePolicyDoc(svc, "sqs:*", g.arn, `{"ArnLike":{"aws:SourceArn":["arn:aws:events:us-east-1:111122223333:rule/other","arn:aws:events:us-east-1:111122223333:rule/labdash-c42-*"]}}`), true},
		{"a Deny wins", `{"Statement":[` + strings.TrimSuffix(strings.TrimPrefix(queuePolicyDoc(svc, "sqs:SendMessage", g.arn, ruleCond), `{"Version":"2012-10-17","Statement":[`), `]}`) +
			`,{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}`, false},
	} {
		if c.policy != "" {
			g.policy(t, c.policy)
		}
		ca := g.createCA(t)
		msgs := g.receive(t)
		if got := len(msgs) == 1; got != c.delivered {
			t.Errorf("%s: %d messages, want delivered=%v", c.name, len(msgs), c.delivered)
			continue
		}
		if c.delivered {
			var ev map[string]any
			if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &ev); err != nil {
				t.Fatal(err)
			}
			if ev["source"] != "aws.acm-pca" || ev["detail-type"] != "ACM Private CA Creation" || ev["account"] != "111122223333" || ev["region"] != "us-east-1" ||
				ev["version"] != "0" || ev["id"] == "" || ev["time"] == "" {
				t.Errorf("%s: envelope %v", c.name, ev)
			}
			if rs, _ := ev["resources"].([]any); len(rs) != 1 || rs[0] != ca {
				t.Errorf("%s: resources %v, want [%s]", c.name, ev["resources"], ca)
			}
			if d, _ := ev["detail"].(map[string]any); d["result"] != "success" {
				t.Errorf("%s: detail %v", c.name, ev["detail"])
			}
			g.c.SQS.DeleteMessageBatch(g.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(g.url),
				Entries: []sqstypes.DeleteMessageBatchRequestEntry{{Id: aws.String("a"), ReceiptHandle: msgs[0].ReceiptHandle}}})
		}
	}
}

// TestRuleStateAndPattern: a DISABLED rule delivers nothing; an event of another
// detail type is not delivered; DeleteRule refuses a rule with targets.
func TestRuleStateAndPattern(t *testing.T) {
	g := newEventRig(t)
	g.policy(t, queuePolicyDoc(`{"Service":"events.amazonaws.com"}`, "sqs:SendMessage", g.arn, `{"ArnEquals":{"aws:SourceArn":"`+g.rule+`"}}`))
	if _, err := g.c.Events.PutRule(g.ctx, &eventbridge.PutRuleInput{Name: aws.String(g.ruleN), State: ebtypes.RuleStateDisabled,
		EventPattern: aws.String(`{"source":["aws.acm-pca"],"detail-type":["ACM Private CA Creation"]}`)}); err != nil {
		t.Fatal(err)
	}
	g.createCA(t)
	if n := len(g.receive(t)); n != 0 {
		t.Errorf("a disabled rule delivered %d", n)
	}
	if _, err := g.c.Events.PutRule(g.ctx, &eventbridge.PutRuleInput{Name: aws.String(g.ruleN),
		EventPattern: aws.String(`{"source":["aws.acm-pca"],"detail-type":["ACM Private CA Certificate Issuance"]}`)}); err != nil {
		t.Fatal(err)
	}
	g.createCA(t)
	if n := len(g.receive(t)); n != 0 {
		t.Errorf("a creation matched an issuance pattern: %d", n)
	}
	var ae smithy.APIError
	if _, err := g.c.Events.DeleteRule(g.ctx, &eventbridge.DeleteRuleInput{Name: aws.String(g.ruleN)}); !errors.As(err, &ae) || !strings.Contains(ae.ErrorMessage(), "has targets") {
		t.Errorf("DeleteRule with targets: %v", err)
	}
	if _, err := g.c.Events.RemoveTargets(g.ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(g.ruleN), Ids: []string{"q"}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // deleting a rule that is gone succeeds, as on AWS
		if _, err := g.c.Events.DeleteRule(g.ctx, &eventbridge.DeleteRuleInput{Name: aws.String(g.ruleN)}); err != nil {
			t.Errorf("DeleteRule %d: %v", i, err)
		}
	}
	var nf *ebtypes.ResourceNotFoundException
	if _, err := g.c.Events.ListTagsForResource(g.ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(g.rule)}); !errors.As(err, &nf) {
		t.Errorf("tags of a deleted rule: %v", err)
	}
	if _, err := g.c.Events.PutRule(g.ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), EventPattern: aws.String(`{"source":[{"numeric":[">",1]}]}`)}); err == nil {
		t.Error("an unmodelled matcher was accepted")
	}
	if _, err := g.c.Events.PutRule(g.ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), EventBusName: aws.String("custom"), EventPattern: aws.String(`{"source":["a"]}`)}); !errors.As(err, &nf) {
		t.Errorf("a custom bus: %v", err)
	}
}

// TestReceiveAndDeleteBounds: ReceiveMessage's and DeleteMessageBatch's limits,
// visibility, stale receipt handles and the queue's depth bound.
func TestReceiveAndDeleteBounds(t *testing.T) {
	g := newEventRig(t)
	var ae smithy.APIError
	if _, err := g.c.SQS.ReceiveMessage(g.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(g.url), MaxNumberOfMessages: 11}); !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("11 messages: %v", err)
	}
	g.w.mu.Lock()
	q := sqsOf(g.w.regionLocked("111122223333", "us-east-1")).queues["labdash-c42-events"]
	for i := 0; i < sqsMaxDepth+5; i++ {
		g.w.sqsPut(q, `{"n":`+itoa32(int32(i))+`}`, nil)
	}
	g.w.mu.Unlock()
	if n := g.w.QueueDepth("", "us-east-1", "labdash-c42-events"); n != sqsMaxDepth {
		t.Fatalf("depth %d, want the bound %d", n, sqsMaxDepth)
	}
	first := g.receive(t)
	if len(first) != 10 || aws.ToString(first[0].Body) != `{"n":5}` {
		t.Fatalf("first receive: %d, oldest %q (the 5 oldest were dropped)", len(first), aws.ToString(first[0].Body))
	}
	second := g.receive(t)
	if aws.ToString(second[0].Body) == aws.ToString(first[0].Body) {
		t.Error("a received message was visible again within its visibility timeout")
	}
	var entries []sqstypes.DeleteMessageBatchRequestEntry
	for i, m := range first {
		entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String("e" + itoa32(int32(i))), ReceiptHandle: m.ReceiptHandle})
	}
	too := append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String("x"), ReceiptHandle: first[0].ReceiptHandle})
	if _, err := g.c.SQS.DeleteMessageBatch(g.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(g.url), Entries: too}); !errors.As(err, &ae) ||
		ae.ErrorCode() != "AWS.SimpleQueueService.TooManyEntriesInBatchRequest" {
		t.Errorf("11 entries: %v", err)
	}
	dup := []sqstypes.DeleteMessageBatchRequestEntry{entries[0], entries[0]}
	if _, err := g.c.SQS.DeleteMessageBatch(g.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(g.url), Entries: dup}); !errors.As(err, &ae) ||
		ae.ErrorCode() != "AWS.SimpleQueueService.BatchEntryIdsNotDistinct" {
		t.Errorf("repeated ids: %v", err)
	}
	out, err := g.c.SQS.DeleteMessageBatch(g.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(g.url), Entries: entries})
	if err != nil || len(out.Successful) != 10 {
		t.Fatalf("delete: %v %+v", err, out)
	}
	out, err = g.c.SQS.DeleteMessageBatch(g.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(g.url), Entries: entries[:1]})
	if err != nil || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Errorf("deleting again: %v %+v", err, out)
	}
	if n := g.w.QueueDepth("", "us-east-1", "labdash-c42-events"); n != sqsMaxDepth-10 {
		t.Errorf("depth after deleting 10: %d", n)
	}
	// After the visibility timeout the second batch is visible again.
	g.clock.Advance(31 * time.Second)
	if again := g.receive(t); aws.ToString(again[0].Body) != aws.ToString(second[0].Body) {
		t.Errorf("after the visibility timeout: %q, want %q again", aws.ToString(again[0].Body), aws.ToString(second[0].Body))
	}
	// Retention: four days on, everything has expired.
	g.clock.Advance(4 * 24 * time.Hour)
	if n := len(g.receive(t)); n != 0 {
		t.Errorf("%d messages outlived the retention period", n)
	}
}

// TestServicesEmitEvents: a Spot interruption's warning carries AWS's odd
// resource form (the AZ, no account) and the instance id in its detail.
func TestSpotInterruptionEvent(t *testing.T) {
	g := newEventRig(t)
	g.w.mu.Lock()
	r := g.w.regionLocked("111122223333", "us-east-1")
	in := &instance{id: "i-0123456789abcdef0", spec: launchSpec{subnet: &subnet{az: "us-east-1c"}}}
	if _, err := r.ebRuleFor(g); err != nil {
		t.Fatal(err)
	}
	r.spotInterruptionEvent(in, "terminate")
	g.w.mu.Unlock()
	msgs := g.receive(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	var ev struct {
		Resources []string          `json:"resources"`
		Detail    map[string]string `json:"detail"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Resources) != 1 || ev.Resources[0] != "arn:aws:ec2:us-east-1c:instance/i-0123456789abcdef0" ||
		ev.Detail["instance-id"] != "i-0123456789abcdef0" || ev.Detail["instance-action"] != "terminate" {
		t.Errorf("event %+v", ev)
	}
}

// ebRuleFor points the rig's rule at the Spot warning, with a policy for it. The
// world's lock must be held.
func (r *region) ebRuleFor(g *eventRig) (*ebRule, error) {
	ru, err := r.ebRule(g.ruleN)
	if err != nil {
		return nil, err
	}
	ru.parsed, _ = parsePattern(`{"source":["aws.ec2"],"detail-type":["EC2 Spot Instance Interruption Warning"]}`)
	q := sqsOf(r).queues["labdash-c42-events"]
	q.attrs["Policy"] = queuePolicyDoc(`{"Service":"events.amazonaws.com"}`, "sqs:SendMessage", g.arn, `{"ArnEquals":{"aws:SourceArn":"`+g.rule+`"}}`)
	return ru, nil
}

// TestSQSQueueActionsNameTheQueue: a role allowed sqs:SetQueueAttributes and
// sqs:DeleteMessage on one queue may use them there and nowhere else.
func TestSQSQueueActionsNameTheQueue(t *testing.T) {
	g := newEventRig(t)
	other, err := g.c.SQS.CreateQueue(g.ctx, &sqs.CreateQueueInput{QueueName: aws.String("labdash-c42-events-x")})
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := g.c.IAM.CreateRole(g.ctx, &iam.CreateRoleInput{RoleName: aws.String("drainer"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:SetQueueAttributes","sqs:DeleteMessage"],"Resource":"` + g.arn + `"}]}`
	if _, err := g.c.IAM.PutRolePolicy(g.ctx, &iam.PutRolePolicyInput{RoleName: aws.String("drainer"), PolicyName: aws.String("p"), PolicyDocument: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	as, err := g.w.ClientsAs(g.ctx, "arn:aws:iam::111122223333:role/drainer", "t", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{"VisibilityTimeout": "45"}
	if _, err := as.SQS.SetQueueAttributes(g.ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(g.url), Attributes: attrs}); err != nil {
		t.Errorf("on the granted queue: %v", err)
	}
	if _, err := as.SQS.SetQueueAttributes(g.ctx, &sqs.SetQueueAttributesInput{QueueUrl: other.QueueUrl, Attributes: attrs}); !isAccessDenied(err) {
		t.Errorf("on another queue: %v, want AccessDenied", err)
	}
	entry := []sqstypes.DeleteMessageBatchRequestEntry{{Id: aws.String("a"), ReceiptHandle: aws.String("stale")}}
	if _, err := as.SQS.DeleteMessageBatch(g.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(g.url), Entries: entry}); err != nil {
		t.Errorf("DeleteMessageBatch on the granted queue (authorized as sqs:DeleteMessage): %v", err)
	}
	if _, err := as.SQS.DeleteMessageBatch(g.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: other.QueueUrl, Entries: entry}); !isAccessDenied(err) {
		t.Errorf("DeleteMessageBatch on another queue: %v, want AccessDenied", err)
	}
}

// TestRetentionDropsOnlyTheExpired: four days after the first messages, those
// are gone and the ones sent two days later are still there, oldest first.
func TestRetentionDropsOnlyTheExpired(t *testing.T) {
	g := newEventRig(t)
	put := func(from, to int) {
		g.w.mu.Lock()
		defer g.w.mu.Unlock()
		g.w.advanceLocked() // sent now, not at the world's last call
		q := sqsOf(g.w.regionLocked("111122223333", "us-east-1")).queues["labdash-c42-events"]
		for i := from; i < to; i++ {
			g.w.sqsPut(q, `{"n":`+itoa32(int32(i))+`}`, nil)
		}
	}
	put(0, 5)
	g.clock.Advance(48 * time.Hour)
	put(5, 8)
	g.clock.Advance(48*time.Hour + time.Second)
	if n := g.w.QueueDepth("", "us-east-1", "labdash-c42-events"); n != 8 {
		t.Fatalf("depth before anything expires is counted: %d, want 8", n)
	}
	got := g.receive(t)
	var bodies []string
	for _, m := range got {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	if strings.Join(bodies, " ") != `{"n":5} {"n":6} {"n":7}` {
		t.Errorf("after 4 days and 1 s: %v, want the three sent two days later, in order", bodies)
	}
}

// BenchmarkSQSPutFullQueue is a put into a queue at its depth bound that nobody
// reads (the sample app's SNS → SQS subscription in a 2,000-student class).
func BenchmarkSQSPutFullQueue(b *testing.B) {
	g := newEventRig(b)
	g.w.mu.Lock()
	defer g.w.mu.Unlock()
	q := sqsOf(g.w.regionLocked("111122223333", "us-east-1")).queues["labdash-c42-events"]
	for i := 0; i < sqsMaxDepth; i++ {
		g.w.sqsPut(q, `{}`, nil)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g.w.sqsPut(q, `{}`, nil)
	}
}
