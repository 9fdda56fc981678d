package sim

// Amazon EventBridge: rules on each (account, region)'s default event bus, with
// SQS targets, and the service events the simulated services emit through one
// helper, region.emitEvent. Modelled as AWS does it:
//   - PutRule creates or updates a rule named 1–64 characters of letters,
//     digits, ".", "-" and "_", with an EventPattern (ScheduleExpression rules are
//     not modelled and are refused); its ARN is arn:aws:events:REGION:ACCOUNT:rule/NAME.
//     State is ENABLED unless DISABLED is asked. Tags are set only when the rule
//     is created (AWS leaves an existing rule's tags as they are). The event bus
//     is "default" (by name or ARN); any other is ResourceNotFoundException;
//   - an event pattern is a JSON object; each field holds an array of values
//     (a match if the event's value, or any element of it when it is an array,
//     equals one of them) or a nested object (matched against the event's object
//     of that name). Besides exact strings, numbers, booleans and null, a value
//     may be {"prefix": "…"}; any other matcher is InvalidEventPatternException
//     (not modelled: anything-but, numeric, exists, cidr, wildcard, suffix,
//     equals-ignore-case, $or);
//   - PutTargets takes 1–10 targets a call, at most 5 per rule
//     (LimitExceededException); RemoveTargets up to 10 ids (the API reference). DeleteRule refuses a
//     rule that still has targets ("Rule can't be deleted since it has targets.")
//     and succeeds on a rule that does not exist, as AWS does;
//   - an event reaches an SQS target only if the queue exists in the rule's
//     account and region and its policy allows the service principal
//     events.amazonaws.com sqs:SendMessage on the queue, with, when the statement
//     has a Condition, aws:SourceArn equal to (or ArnLike matching) the rule's ARN
//     (EventBridge user guide, "Amazon SQS permissions"); a Deny for the
//     principal wins. An event that cannot be delivered is dropped (AWS counts it
//     in the rule's FailedInvocations metric; here in rule.failed);
//   - events carry AWS's envelope: version "0", id, detail-type, source,
//     account, time, region, resources, detail.
//
// Not modelled: custom event buses and archives, PutEvents, input transformers,
// retry policies and dead-letter queues, targets other than SQS, managed rules,
// cross-account delivery.

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	// Order 90: after every service that changes instances has stepped.
	registerService("events", func(b base, c *cloud.Clients) { c.Events = &evClient{b} }, everySecond(90, stepInstanceEvents))
}

// evClient implements cloud.EventBridge.
type evClient struct{ base }

var _ cloud.EventBridge = (*evClient)(nil)

const (
	evKey           = "events"
	ebMaxTargets    = 5 // targets per rule
	ebTargetsPerPut = 10
)

type evState struct {
	rules map[string]*ebRule
	seen  map[string]ec2InstanceNote // instance id → the state last announced (instance state-change events)
}

type ec2InstanceNote struct{ state string }

type ebRule struct {
	tagged
	name, arn, description string
	pattern                string
	parsed                 map[string]any
	state                  ebtypes.RuleState
	targets                []ebtypes.Target // by Id, in the order put
	failed                 int              // events matched but not delivered (FailedInvocations)
}

func evOf(r *region) *evState {
	return state(r, evKey, func() *evState { return &evState{rules: map[string]*ebRule{}, seen: map[string]ec2InstanceNote{}} })
}

var ebNameRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

func ebNotFound(format string, a ...any) error {
	return &ebtypes.ResourceNotFoundException{Message: msg(format, a...)}
}

func ebValidation(format string, a ...any) error {
	return apiError("ValidationException", format, a...)
}

// bus checks the EventBusName: only the default bus is modelled.
func ebBus(r *region, name *string) error {
	switch n := str(name); n {
	case "", "default", "arn:aws:events:" + r.name + ":" + r.account + ":event-bus/default":
		return nil
	default:
		return ebNotFound("Event bus %s does not exist.", n)
	}
}

// rule finds a rule of the default bus by name.
func (r *region) ebRule(name string) (*ebRule, error) {
	if name == "" {
		return nil, ebValidation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	ru := evOf(r).rules[name]
	if ru == nil {
		return nil, ebNotFound("Rule %s does not exist on EventBus default.", name)
	}
	return ru, nil
}

// PutRule creates or updates a rule on the default bus.
func (c *evClient) PutRule(ctx context.Context, in *eventbridge.PutRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error) {
	return do(ctx, c.base, "events", "PutRule", in, func(r *region) (*eventbridge.PutRuleOutput, error) {
		if in == nil {
			in = &eventbridge.PutRuleInput{}
		}
		name := str(in.Name)
		if !ebNameRE.MatchString(name) {
			return nil, ebValidation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", name)
		}
		if err := ebBus(r, in.EventBusName); err != nil {
			return nil, err
		}
		if in.ScheduleExpression != nil {
			return nil, ebValidation("The simulator models event-pattern rules only; ScheduleExpression is not supported.")
		}
		if str(in.EventPattern) == "" {
			return nil, ebValidation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
		}
		parsed, err := parsePattern(str(in.EventPattern))
		if err != nil {
			return nil, &ebtypes.InvalidEventPatternException{Message: msg("Event pattern is not valid. Reason: %v", err)}
		}
		st := in.State
		switch st {
		case "":
			st = ebtypes.RuleStateEnabled
		case ebtypes.RuleStateEnabled, ebtypes.RuleStateDisabled:
		default:
			return nil, ebValidation("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]", st)
		}
		s := evOf(r)
		ru := s.rules[name]
		if ru == nil {
			var tags tagList
			for _, t := range in.Tags {
				tags.set(str(t.Key), str(t.Value))
			}
			if err := validTags(tags); err != nil {
				return nil, ebValidation("%v", err)
			}
			if len(s.rules) == 0 {
				s.seedInstances(r) // state changes from now on, not the states instances already have
			}
			ru = &ebRule{name: name, arn: r.arn("events", "rule/"+name)}
			ru.tags = tags
			s.rules[name] = ru
			r.addTaggable(&ru.tagged, ru.arn, "events:rule")
		}
		ru.pattern, ru.parsed, ru.state, ru.description = str(in.EventPattern), parsed, st, str(in.Description)
		return &eventbridge.PutRuleOutput{RuleArn: ptr(ru.arn)}, nil
	})
}

// PutTargets adds or replaces (by Id) a rule's targets.
func (c *evClient) PutTargets(ctx context.Context, in *eventbridge.PutTargetsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error) {
	return do(ctx, c.base, "events", "PutTargets", in, func(r *region) (*eventbridge.PutTargetsOutput, error) {
		if in == nil {
			in = &eventbridge.PutTargetsInput{}
		}
		if err := ebBus(r, in.EventBusName); err != nil {
			return nil, err
		}
		if n := len(in.Targets); n < 1 || n > ebTargetsPerPut {
			return nil, ebValidation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1")
		}
		ru, err := r.ebRule(str(in.Rule))
		if err != nil {
			return nil, err
		}
		next := append([]ebtypes.Target(nil), ru.targets...)
		for _, t := range in.Targets {
			id, arn := str(t.Id), str(t.Arn)
			if id == "" || len(id) > 64 || arn == "" {
				return nil, ebValidation("1 validation error detected: Value null at 'targets.member.id' or 'targets.member.arn' failed to satisfy constraint: Member must not be null")
			}
			if !strings.HasPrefix(arn, "arn:") {
				return nil, ebValidation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", arn)
			}
			replaced := false
			for i := range next {
				if str(next[i].Id) == id {
					next[i], replaced = ebtypes.Target{Id: ptr(id), Arn: ptr(arn)}, true
				}
			}
			if !replaced {
				next = append(next, ebtypes.Target{Id: ptr(id), Arn: ptr(arn)})
			}
		}
		if len(next) > ebMaxTargets {
			return nil, &ebtypes.LimitExceededException{Message: msg("The requested resource exceeds the maximum number allowed.")}
		}
		ru.targets = next
		return &eventbridge.PutTargetsOutput{FailedEntryCount: 0, FailedEntries: []ebtypes.PutTargetsResultEntry{}}, nil
	})
}

// DescribeRule describes one rule.
func (c *evClient) DescribeRule(ctx context.Context, in *eventbridge.DescribeRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.DescribeRuleOutput, error) {
	return do(ctx, c.base, "events", "DescribeRule", in, func(r *region) (*eventbridge.DescribeRuleOutput, error) {
		if in == nil {
			in = &eventbridge.DescribeRuleInput{}
		}
		if err := ebBus(r, in.EventBusName); err != nil {
			return nil, err
		}
		ru, err := r.ebRule(str(in.Name))
		if err != nil {
			return nil, err
		}
		return &eventbridge.DescribeRuleOutput{Name: ptr(ru.name), Arn: ptr(ru.arn), EventPattern: ptr(ru.pattern), State: ru.state,
			EventBusName: ptr("default"), CreatedBy: ptr(r.account), Description: nilIfEmpty(ru.description)}, nil
	})
}

// ebPage pages names with Limit (1–100) and a token.
func ebPage(names []string, limit *int32, token *string) ([]string, *string, error) {
	n := 100
	if limit != nil {
		n = int(*limit)
		if n < 1 || n > 100 {
			return nil, nil, ebValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", n)
		}
	}
	after, ok := readToken(token)
	if !ok {
		return nil, nil, ebValidation("The nextToken provided is invalid.")
	}
	var out []string
	for _, name := range names {
		if name <= after && after != "" {
			continue
		}
		if len(out) == n {
			return out, pageToken(out[len(out)-1]), nil
		}
		out = append(out, name)
	}
	return out, nil, nil
}

// ListRules lists the default bus's rules by name prefix, in name order.
func (c *evClient) ListRules(ctx context.Context, in *eventbridge.ListRulesInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListRulesOutput, error) {
	return do(ctx, c.base, "events", "ListRules", in, func(r *region) (*eventbridge.ListRulesOutput, error) {
		if in == nil {
			in = &eventbridge.ListRulesInput{}
		}
		if err := ebBus(r, in.EventBusName); err != nil {
			return nil, err
		}
		s := evOf(r)
		var names []string
		for n := range s.rules {
			if strings.HasPrefix(n, str(in.NamePrefix)) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		page, next, err := ebPage(names, in.Limit, in.NextToken)
		if err != nil {
			return nil, err
		}
		out := &eventbridge.ListRulesOutput{NextToken: next, Rules: []ebtypes.Rule{}}
		for _, n := range page {
			ru := s.rules[n]
			out.Rules = append(out.Rules, ebtypes.Rule{Name: ptr(ru.name), Arn: ptr(ru.arn), EventPattern: ptr(ru.pattern), State: ru.state,
				EventBusName: ptr("default"), Description: nilIfEmpty(ru.description)})
		}
		return out, nil
	})
}

// ListTargetsByRule lists a rule's targets.
func (c *evClient) ListTargetsByRule(ctx context.Context, in *eventbridge.ListTargetsByRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error) {
	return do(ctx, c.base, "events", "ListTargetsByRule", in, func(r *region) (*eventbridge.ListTargetsByRuleOutput, error) {
		if in == nil {
			in = &eventbridge.ListTargetsByRuleInput{}
		}
		if err := ebBus(r, in.EventBusName); err != nil {
			return nil, err
		}
		ru, err := r.ebRule(str(in.Rule))
		if err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(ru.targets))
		byID := map[string]ebtypes.Target{}
		for _, t := range ru.targets {
			ids = append(ids, str(t.Id))
			byID[str(t.Id)] = t
		}
		sort.Strings(ids)
		page, next, err := ebPage(ids, in.Limit, in.NextToken)
		if err != nil {
			return nil, err
		}
		out := &eventbridge.ListTargetsByRuleOutput{NextToken: next, Targets: []ebtypes.Target{}}
		for _, id := range page {
			t := byID[id]
			out.Targets = append(out.Targets, ebtypes.Target{Id: ptr(str(t.Id)), Arn: ptr(str(t.Arn))})
		}
		return out, nil
	})
}

// RemoveTargets removes targets by id; an id the rule does not have is a failed entry.
func (c *evClient) RemoveTargets(ctx context.Context, in *eventbridge.RemoveTargetsInput, _ ...func(*eventbridge.Options)) (*eventbridge.RemoveTargetsOutput, error) {
	return do(ctx, c.base, "events", "RemoveTargets", in, func(r *region) (*eventbridge.RemoveTargetsOutput, error) {
		if in == nil {
			in = &eventbridge.RemoveTargetsInput{}
		}
		if err := ebBus(r, in.EventBusName); err != nil {
			return nil, err
		}
		// The API reference: "The maximum number of entries per request is 10."
		if n := len(in.Ids); n < 1 || n > 10 {
			return nil, ebValidation("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1")
		}
		ru, err := r.ebRule(str(in.Rule))
		if err != nil {
			return nil, err
		}
		out := &eventbridge.RemoveTargetsOutput{FailedEntries: []ebtypes.RemoveTargetsResultEntry{}}
		for _, id := range in.Ids {
			found := false
			kept := ru.targets[:0]
			for _, t := range ru.targets {
				if str(t.Id) == id {
					found = true
					continue
				}
				kept = append(kept, t)
			}
			ru.targets = kept
			if !found {
				out.FailedEntryCount++
				out.FailedEntries = append(out.FailedEntries, ebtypes.RemoveTargetsResultEntry{TargetId: ptr(id), ErrorCode: ptr("ResourceNotFoundException"),
					ErrorMessage: ptr("Target " + id + " does not exist on rule " + ru.name + ".")})
			}
		}
		return out, nil
	})
}

// DeleteRule deletes a rule without targets; a missing rule is not an error.
func (c *evClient) DeleteRule(ctx context.Context, in *eventbridge.DeleteRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.DeleteRuleOutput, error) {
	return do(ctx, c.base, "events", "DeleteRule", in, func(r *region) (*eventbridge.DeleteRuleOutput, error) {
		if in == nil {
			in = &eventbridge.DeleteRuleInput{}
		}
		if err := ebBus(r, in.EventBusName); err != nil {
			return nil, err
		}
		name := str(in.Name)
		if name == "" {
			return nil, ebValidation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
		}
		s := evOf(r)
		ru := s.rules[name]
		if ru == nil {
			return &eventbridge.DeleteRuleOutput{}, nil
		}
		if len(ru.targets) > 0 {
			return nil, ebValidation("Rule can't be deleted since it has targets.")
		}
		ru.dead = true
		delete(s.rules, name)
		if len(s.rules) == 0 {
			clear(s.seen)
		}
		return &eventbridge.DeleteRuleOutput{}, nil
	})
}

// ruleByARN finds a rule of this region by ARN.
func (r *region) ruleByARN(arn string) (*ebRule, error) {
	name, ok := strings.CutPrefix(arn, "arn:aws:events:"+r.name+":"+r.account+":rule/")
	if !ok || strings.Contains(name, "/") {
		return nil, ebNotFound("Rule %s does not exist on EventBus default.", arn)
	}
	return r.ebRule(name)
}

// TagResource adds or replaces a rule's tags.
func (c *evClient) TagResource(ctx context.Context, in *eventbridge.TagResourceInput, _ ...func(*eventbridge.Options)) (*eventbridge.TagResourceOutput, error) {
	return do(ctx, c.base, "events", "TagResource", in, func(r *region) (*eventbridge.TagResourceOutput, error) {
		if in == nil {
			in = &eventbridge.TagResourceInput{}
		}
		ru, err := r.ruleByARN(str(in.ResourceARN))
		if err != nil {
			return nil, err
		}
		tags := ru.tags.clone()
		for _, t := range in.Tags {
			tags.set(str(t.Key), str(t.Value))
		}
		if err := validTags(tags); err != nil {
			return nil, ebValidation("%v", err)
		}
		ru.tags = tags
		return &eventbridge.TagResourceOutput{}, nil
	})
}

// ListTagsForResource lists a rule's tags.
func (c *evClient) ListTagsForResource(ctx context.Context, in *eventbridge.ListTagsForResourceInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListTagsForResourceOutput, error) {
	return do(ctx, c.base, "events", "ListTagsForResource", in, func(r *region) (*eventbridge.ListTagsForResourceOutput, error) {
		if in == nil {
			in = &eventbridge.ListTagsForResourceInput{}
		}
		ru, err := r.ruleByARN(str(in.ResourceARN))
		if err != nil {
			return nil, err
		}
		out := &eventbridge.ListTagsForResourceOutput{Tags: []ebtypes.Tag{}}
		for _, t := range ru.tags {
			out.Tags = append(out.Tags, ebtypes.Tag{Key: ptr(t.k), Value: ptr(t.v)})
		}
		return out, nil
	})
}

// parsePattern reads an event pattern and checks it uses only what is modelled.
func parsePattern(s string) (map[string]any, error) {
	var p any
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("Filter is not an object")
	}
	m, ok := p.(map[string]any)
	if !ok || len(m) == 0 {
		return nil, fmt.Errorf("Filter is not an object")
	}
	if err := checkPattern(m); err != nil {
		return nil, err
	}
	return m, nil
}

func checkPattern(m map[string]any) error {
	for k, v := range m {
		switch v := v.(type) {
		case map[string]any:
			if len(v) == 0 {
				return fmt.Errorf("Empty objects are not allowed (field %q)", k)
			}
			if err := checkPattern(v); err != nil {
				return err
			}
		case []any:
			if len(v) == 0 {
				return fmt.Errorf("Empty arrays are not allowed (field %q)", k)
			}
			for _, e := range v {
				if o, ok := e.(map[string]any); ok {
					p, isPrefix := o["prefix"].(string)
					if len(o) != 1 || !isPrefix || p == "" {
						return fmt.Errorf("Unrecognized match type in field %q (the simulator models exact values and prefix)", k)
					}
				}
			}
		default:
			return fmt.Errorf("Match value must be String, number, true, false, or null (field %q must be an array)", k)
		}
	}
	return nil
}

// matchPattern reports whether an event (its JSON as decoded) matches a pattern.
func matchPattern(p map[string]any, ev map[string]any) bool {
	for k, want := range p {
		got, present := ev[k]
		switch want := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !ok || !matchPattern(want, sub) {
				return false
			}
		case []any:
			if !present {
				return false
			}
			vals := []any{got}
			if arr, ok := got.([]any); ok {
				vals = arr
			}
			if !matchAny(want, vals) {
				return false
			}
		}
	}
	return true
}

func matchAny(want, vals []any) bool {
	for _, w := range want {
		for _, v := range vals {
			switch w := w.(type) {
			case map[string]any:
				if s, ok := v.(string); ok && strings.HasPrefix(s, w["prefix"].(string)) {
					return true
				}
			default:
				if w == v { // strings, float64 numbers, bools and nil compare by value
					return true
				}
			}
		}
	}
	return false
}

// emitEvent is the one place a simulated service sends an event: it builds AWS's
// envelope and delivers it to every enabled rule of this account and region whose
// pattern matches, into each rule's SQS targets that allow it. The world's lock
// must be held.
func (r *region) emitEvent(source, detailType string, resources []string, detail map[string]any) {
	s, _ := r.ext[evKey].(*evState)
	if s == nil || len(s.rules) == 0 {
		return // no rule here: nothing would receive it
	}
	if resources == nil {
		resources = []string{}
	}
	env := map[string]any{"version": "0", "id": r.w.uuid(), "detail-type": detailType, "source": source, "account": r.account,
		"time": r.w.now.UTC().Format("2006-01-02T15:04:05Z"), "region": r.name, "resources": resources, "detail": detail}
	body, err := json.Marshal(env)
	if err != nil {
		return
	}
	var decoded map[string]any // matched as EventBridge sees it: the JSON, not Go values
	if json.Unmarshal(body, &decoded) != nil {
		return
	}
	names := make([]string, 0, len(s.rules))
	for n := range s.rules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ru := s.rules[n]
		if ru.state != ebtypes.RuleStateEnabled || !matchPattern(ru.parsed, decoded) {
			continue
		}
		for _, t := range ru.targets {
			if !r.ebDeliver(ru, str(t.Arn), string(body)) {
				ru.failed++
			}
		}
	}
}

// ebDeliver sends body to an SQS target if the queue's policy lets the rule do so.
func (r *region) ebDeliver(ru *ebRule, target, body string) bool {
	parts := strings.SplitN(target, ":", 6)
	if len(parts) != 6 || parts[2] != "sqs" || parts[3] != r.name || parts[4] != r.account {
		return false // other targets and cross-account delivery are not modelled
	}
	q := sqsOf(r).queues[parts[5]]
	if q == nil || !queueAllowsRule(q.attrs["Policy"], q.arn, ru.arn) {
		return false
	}
	r.w.sqsPut(q, body, nil)
	return true
}

// queueAllowsRule evaluates a queue policy for EventBridge's delivery on behalf
// of ruleARN: an Allow for events.amazonaws.com of sqs:SendMessage on the queue,
// whose Condition (if any) holds only aws:SourceArn keys that the rule's ARN
// satisfies, and no Deny for that principal and action.
func queueAllowsRule(policy, queueARN, ruleARN string) bool {
	if policy == "" {
		return false
	}
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(doc.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(doc.Statement, &one) != nil {
			return false
		}
		stmts = []map[string]json.RawMessage{one}
	}
	allowed := false
	for _, st := range stmts {
		var effect string
		_ = json.Unmarshal(st["Effect"], &effect)
		if !policyPrincipal(st["Principal"], "events.amazonaws.com") || !anyGlob(st["Action"], "sqs:SendMessage", true) || !anyGlob(st["Resource"], queueARN, false) {
			continue
		}
		cond := policyConditionHolds(st["Condition"], ruleARN)
		switch {
		case effect == "Deny" && cond:
			return false
		case effect == "Allow" && cond:
			allowed = true
		}
	}
	return allowed
}

// policyPrincipal reports whether a statement's Principal covers service:
// "*", {"AWS": "*"}, or {"Service": service or a list holding it}.
func policyPrincipal(raw json.RawMessage, service string) bool {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		return star == "*"
	}
	var p map[string]json.RawMessage
	if json.Unmarshal(raw, &p) != nil {
		return false
	}
	for _, v := range stringsOf(p["AWS"]) {
		if v == "*" {
			return true
		}
	}
	for _, v := range stringsOf(p["Service"]) {
		if v == service {
			return true
		}
	}
	return false
}

// anyGlob reports whether one of the strings (a string or a list) matches value
// with IAM's * and ? wildcards; fold compares case-insensitively (action names).
func anyGlob(raw json.RawMessage, value string, fold bool) bool {
	for _, p := range stringsOf(raw) {
		if fold {
			p, value = strings.ToLower(p), strings.ToLower(value)
		}
		if ok, _ := path.Match(strings.ReplaceAll(p, "/", "\x00"), strings.ReplaceAll(value, "/", "\x00")); ok {
			return true
		}
	}
	return false
}

func stringsOf(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

// policyConditionHolds evaluates a statement's Condition for a delivery from
// ruleARN: only aws:SourceArn is in the request's context, so a condition on any
// other key does not hold (fail closed).
func policyConditionHolds(raw json.RawMessage, ruleARN string) bool {
	if len(raw) == 0 {
		return true
	}
	var cond map[string]map[string]json.RawMessage
	if json.Unmarshal(raw, &cond) != nil {
		return false
	}
	for op, keys := range cond {
		for k, v := range keys {
			if !strings.EqualFold(k, "aws:SourceArn") {
				return false
			}
			ok := false
			for _, want := range stringsOf(v) {
				switch op {
				case "ArnEquals", "StringEquals":
					ok = ok || want == ruleARN
				case "ArnLike", "StringLike":
					m, _ := path.Match(want, ruleARN)
					ok = ok || m
				}
			}
			if !ok {
				return false
			}
		}
	}
	return true
}

// The events the simulated services emit (each through emitEvent).

// asgEvent is an Auto Scaling group's EC2 instance launch or termination event
// (EC2 Auto Scaling user guide, "Amazon EC2 Auto Scaling event reference").
func (r *region) asgEvent(g *asGroup, a *asActivity, detailType string) {
	resources := []string{g.arn}
	detail := map[string]any{"StatusCode": string(a.status), "Description": a.desc, "AutoScalingGroupName": g.name, "ActivityId": a.id,
		"RequestId": a.id, "StatusMessage": a.message, "StartTime": at(a.start), "EndTime": at(r.w.now), "Cause": a.cause,
		"Details": map[string]any{}}
	if in := a.inst; in != nil {
		resources = append(resources, r.arn("ec2", "instance/"+in.id))
		detail["EC2InstanceId"] = in.id
		if in.spec.subnet != nil {
			detail["Details"] = map[string]any{"Availability Zone": in.spec.subnet.az, "Subnet ID": in.spec.subnet.id}
		}
	}
	r.emitEvent("aws.autoscaling", detailType, resources, detail)
}

// spotInterruptionEvent is EC2's two-minute warning. Its resource ARN has AWS's
// odd form, arn:aws:ec2:AVAILABILITY-ZONE:instance/ID, with no account (EC2 user
// guide, "Spot Instance interruption notices"): a consumer must read
// detail.instance-id.
func (r *region) spotInterruptionEvent(in *instance, action string) {
	az := r.name
	if in.spec.subnet != nil {
		az = in.spec.subnet.az
	}
	r.emitEvent("aws.ec2", "EC2 Spot Instance Interruption Warning", []string{"arn:aws:ec2:" + az + ":instance/" + in.id},
		map[string]any{"instance-id": in.id, "instance-action": action})
}

// seedInstances records every instance's current state as already announced.
func (s *evState) seedInstances(r *region) {
	is, _ := r.ext[ec2InstKey].(*ec2InstState)
	if is == nil {
		return
	}
	for id, in := range is.instances {
		s.seen[id] = ec2InstanceNote{state: string(in.state)}
	}
}

// stepInstanceEvents announces each instance's state changes ("EC2 Instance
// State-change Notification") once a second, only where a rule exists.
func stepInstanceEvents(r *region, _ time.Time) {
	s, _ := r.ext[evKey].(*evState)
	if s == nil || len(s.rules) == 0 {
		return
	}
	is, _ := r.ext[ec2InstKey].(*ec2InstState)
	if is == nil {
		return
	}
	ids := make([]string, 0, len(is.instances))
	for id := range is.instances {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for id := range s.seen {
		if is.instances[id] == nil {
			delete(s.seen, id) // purged: nothing more to announce
		}
	}
	for _, id := range ids {
		in := is.instances[id]
		st := string(in.state)
		if prev, ok := s.seen[id]; ok && prev.state == st {
			continue
		}
		s.seen[id] = ec2InstanceNote{state: st}
		r.emitEvent("aws.ec2", "EC2 Instance State-change Notification", []string{r.arn("ec2", "instance/"+id)},
			map[string]any{"instance-id": id, "state": st})
	}
}
