package sandbox

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cloud"
)

// eventMode reads the class's queue and rules in c: the rules' names, each
// rule's targets, the queue's tags and the rule ARNs its policy lets send.
func eventMode(t *testing.T, c *cloud.Clients, classID string) (rules []string, targets map[string][]string, qtags map[string]string, allowed []string) {
	t.Helper()
	ctx := context.Background()
	out, err := c.Events.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("labdash-" + classID + "-")})
	if err != nil {
		t.Fatal(err)
	}
	targets = map[string][]string{}
	for _, r := range out.Rules {
		rules = append(rules, aws.ToString(r.Name))
		ts, err := c.Events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: r.Name})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ts.Targets {
			targets[aws.ToString(r.Name)] = append(targets[aws.ToString(r.Name)], aws.ToString(x.Arn))
		}
		tags, err := c.Events.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: r.Arn})
		if err != nil || len(tags.Tags) != 2 {
			t.Errorf("rule %s tags: %+v %v", aws.ToString(r.Name), tags, err)
		}
	}
	url := "https://sqs." + c.Region + ".amazonaws.com/" + c.Account + "/" + labs.EventsQueueName(classID)
	tq, err := c.SQS.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := c.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"Policy"}})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Principal map[string]string
			Action    string
			Resource  string
			Condition map[string]map[string][]string
		}
	}
	if err := json.Unmarshal([]byte(attrs.Attributes["Policy"]), &doc); err != nil || len(doc.Statement) != 1 {
		t.Fatalf("policy %q: %v", attrs.Attributes["Policy"], err)
	}
	st := doc.Statement[0]
	if st.Principal["Service"] != "events.amazonaws.com" || st.Action != "sqs:SendMessage" || st.Resource != c.ARN("sqs", labs.EventsQueueName(classID)) {
		t.Errorf("policy statement %+v", st)
	}
	return rules, targets, tq.Tags, st.Condition["ArnEquals"]["aws:SourceArn"]
}

// TestProvisionEventMode: a shared-account class with Labs 8 and 9 gets one
// queue and one rule per lab, tagged, sending to the queue, which lets exactly
// those rules send; provisioning again makes nothing twice. A class with no lab
// that has events gets neither.
func TestProvisionEventMode(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 2, func(c *db.Class) { c.Labs = []string{"asg", "pca"} })
	f.world.PrepareClassAccount("111122223333") // Lab 8's vCPUs
	p := f.provisioner()
	for run := 0; run < 2; run++ {
		job, err := p.Start(ctx, f.class.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Run(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		done, _ := f.store.Job(ctx, job.ID)
		var item *db.JobItem
		for i := range done.Items {
			if done.Items[i].Key == EventsItem {
				item = &done.Items[i]
			}
		}
		if item == nil || item.State != db.ItemDone {
			t.Fatalf("run %d: event mode item %+v (job %+v)", run, item, done)
		}
		c, _ := f.world.Clients(ctx, "", "us-east-1")
		rules, targets, qtags, allowed := eventMode(t, c, f.class.ID)
		want := []string{labs.EventsRuleName(f.class.ID, "asg"), labs.EventsRuleName(f.class.ID, "pca")}
		if !slices.Equal(rules, want) {
			t.Errorf("run %d: rules %v, want %v", run, rules, want)
		}
		queue := c.ARN("sqs", labs.EventsQueueName(f.class.ID))
		for _, r := range want {
			if !slices.Equal(targets[r], []string{queue}) {
				t.Errorf("run %d: %s targets %v", run, r, targets[r])
			}
			if !slices.Contains(allowed, c.ARN("events", "rule/"+r)) {
				t.Errorf("run %d: the queue policy does not let %s send (%v)", run, r, allowed)
			}
		}
		if len(allowed) != 2 || qtags["labdash:class"] != f.class.ID || qtags["labdash:managed-by"] != "dashboard" {
			t.Errorf("run %d: allowed %v, queue tags %v", run, allowed, qtags)
		}
		out, _ := c.SQS.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("labdash-")})
		if len(out.QueueUrls) != 1 {
			t.Errorf("run %d: queues %v", run, out.QueueUrls)
		}
	}

	g := newFixture(t, 1) // Fargate only: no lab with events
	job, err := g.provisioner().Start(ctx, g.class.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range job.Items {
		if it.Key == EventsItem {
			t.Errorf("a class without event labs has an event item")
		}
	}
}

// TestEventModeInAStudentAccount: in account-per-student mode the same queue and
// rules are made in the student's own account (the monitor reads each).
func TestEventModeInAStudentAccount(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 1)
	class := &db.Class{ID: "cacct", Regions: []string{"us-east-1"}, Isolation: db.IsolationPerStudent, Labs: []string{"asg"}}
	c, err := f.world.Clients(ctx, "444455556666", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := EnsureEvents(ctx, c, catalog.New(), class); err != nil {
		t.Fatal(err)
	}
	rules, targets, _, allowed := eventMode(t, c, "cacct")
	if len(rules) != 1 || len(targets[rules[0]]) != 1 || len(allowed) != 1 || allowed[0] != "arn:aws:events:us-east-1:444455556666:rule/labdash-cacct-asg" {
		t.Errorf("student account: rules %v targets %v allowed %v", rules, targets, allowed)
	}
	shared, _ := f.world.Clients(ctx, "", "us-east-1")
	if out, _ := shared.Events.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("labdash-cacct-")}); len(out.Rules) != 0 {
		t.Errorf("rules leaked into the default account: %+v", out.Rules)
	}
}
