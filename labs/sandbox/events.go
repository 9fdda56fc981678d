package sandbox

// Event mode's provisioning (LABS.md §0 "Polling and streaming", DESIGN.md §4
// item 5): per class and lab region, ONE queue labdash-<class>-events and one
// rule per lab with events, labdash-<class>-<lab>, on the default bus, sending
// the lab's events (labs.Lab.Events) to the queue; both tagged
// labdash:class=<class> and labdash:managed-by=dashboard, and the queue's policy
// lets exactly those rules send to it (EventBridge user guide, "Amazon SQS
// permissions": the events.amazonaws.com principal with aws:SourceArn).
//
// Shared account: made once in the shared account, as the class-level job item
// EventsItem. Account per student: the same queue and rules in each student's
// account, as a step of that student's item, since the monitor already reads
// each account. LABS.md's central event bus in the dashboard account, with a bus
// policy restricted by aws:PrincipalOrgID, is not built.
//
// Every call is idempotent: CreateQueue of an existing queue with no attributes
// returns it, SetQueueAttributes and TagQueue set the same values again, PutRule
// updates the rule, TagResource sets the same tags and PutTargets replaces the
// target by its id. Provisioning twice makes nothing twice.

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// EventsItem is the job item of a shared-account class's event mode (no student
// slug has parentheses).
const EventsItem = "(events)"

// EventsTargetID is the rule's id for the queue target.
const EventsTargetID = "labdash-events-queue"

// ensureEvents makes (or confirms) the class's queue and rules in c's account,
// in every region of its labs with event mode.
func (p *Provisioner) ensureEvents(ctx context.Context, c *cloud.Clients, class *db.Class) error {
	return EnsureEvents(ctx, c, p.Registry, class)
}

// EnsureEvents is ensureEvents for a registry: the monitor's tests provision
// event mode with it.
func EnsureEvents(ctx context.Context, c *cloud.Clients, reg *labs.Registry, class *db.Class) error {
	byRegion := labs.EventRegions(reg, class.Labs, class.Regions)
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	for _, region := range regions {
		rc := c
		if region != c.Region {
			var err error
			if rc, err = c.InRegion(ctx, region); err != nil {
				return err
			}
		}
		if err := ensureEventsIn(ctx, rc, class.ID, byRegion[region]); err != nil {
			return fmt.Errorf("events in %s: %w", region, err)
		}
	}
	return nil
}

func ensureEventsIn(ctx context.Context, c *cloud.Clients, classID string, ls []labs.Lab) error {
	tags := map[string]string{"labdash:class": classID, "labdash:managed-by": "dashboard"}
	name := labs.EventsQueueName(classID)
	q, err := c.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Tags: tags})
	if err != nil {
		return fmt.Errorf("queue %s: %w", name, err)
	}
	url := aws.ToString(q.QueueUrl)
	if _, err := c.SQS.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: tags}); err != nil {
		return fmt.Errorf("queue %s: tags: %w", name, err)
	}
	queueARN := c.ARN("sqs", name)
	var rules []string
	for _, l := range ls {
		rules = append(rules, c.ARN("events", "rule/"+labs.EventsRuleName(classID, l.ID)))
	}
	if _, err := c.SQS.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url),
		Attributes: map[string]string{"Policy": EventsQueuePolicy(queueARN, rules)}}); err != nil {
		return fmt.Errorf("queue %s: policy: %w", name, err)
	}
	var ebTags []ebtypes.Tag
	for _, k := range []string{"labdash:class", "labdash:managed-by"} {
		ebTags = append(ebTags, ebtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	for _, l := range ls {
		rule := labs.EventsRuleName(classID, l.ID)
		out, err := c.Events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(l.Events.Pattern()),
			State: ebtypes.RuleStateEnabled, Tags: ebTags, Description: aws.String("labdash event mode: " + l.Title + " (class " + classID + ")")})
		if err != nil {
			return fmt.Errorf("rule %s: %w", rule, err)
		}
		if _, err := c.Events.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: out.RuleArn, Tags: ebTags}); err != nil {
			return fmt.Errorf("rule %s: tags: %w", rule, err)
		}
		t, err := c.Events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule),
			Targets: []ebtypes.Target{{Id: aws.String(EventsTargetID), Arn: aws.String(queueARN)}}})
		if err != nil {
			return fmt.Errorf("rule %s: target: %w", rule, err)
		}
		if t.FailedEntryCount > 0 {
			return fmt.Errorf("rule %s: target: %s", rule, aws.ToString(t.FailedEntries[0].ErrorMessage))
		}
	}
	return nil
}

// EventsQueuePolicy lets exactly the rules send to the queue.
func EventsQueuePolicy(queueARN string, rules []string) string {
	doc := map[string]any{"Version": "2012-10-17", "Statement": []map[string]any{{
		"Sid": "labdash-event-mode", "Effect": "Allow", "Principal": map[string]string{"Service": "events.amazonaws.com"},
		"Action": "sqs:SendMessage", "Resource": queueARN,
		"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": rules}},
	}}}
	b, _ := json.Marshal(doc)
	return string(b)
}
