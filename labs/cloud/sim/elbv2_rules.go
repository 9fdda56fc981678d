package sim

// Listener rules of application load balancers. Each listener has its default
// rule (IsDefault, Priority "default", the listener's default actions), created
// and deleted with it; CreateRule adds a rule with a priority (1–50,000, unique
// per listener: PriorityInUse), at least one condition and actions validated as
// a listener's are (forward to target groups of the load balancer's VPC that no
// other load balancer uses); a load balancer holds at most 100 rules besides its
// default ones (TooManyRules, AWS's default quota). DescribeRules lists a
// listener's rules by priority with the default rule last, or rules by ARN.
// DeleteRule refuses the default rule (OperationNotPermitted). Rules carry tags
// (DescribeTags; the tagging API lists them as elasticloadbalancing:listener-rule).
//
// Conditions are checked as AWS documents them — a known Field, at most one each
// of host-header, path-pattern, http-request-method and source-ip, values given
// through Values or the field's Config — and stored; for host-header and
// path-pattern, DescribeRules shows the values both as Values and in the Config,
// as AWS does. They are not matched against requests. Not modelled: ModifyRule,
// SetRulePriorities, transforms, authenticate actions, rule-count quotas beyond
// the 100 rules. Error messages are the simulator's where AWS's are not known.

import (
	"context"
	"sort"
	"strconv"

	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

const maxRulesPerLB = 100

type rule struct {
	tagged
	arn        string
	l          *listener
	isDefault  bool
	priority   int32 // 0 for the default rule
	conditions []elbtypes.RuleCondition
	actions    []elbtypes.Action // nil for the default rule: the listener's
	tgs        []*targetGroup    // forwarded to; the default rule's are the listener's
}

func ruleNotFound() error {
	return &elbtypes.RuleNotFoundException{Message: ptr("One or more rules not found")}
}

// ruleArn is listener-rule/app/NAME/LBID/LISTENERID/RULEID.
func (r *region) ruleArn(l *listener, id string) string {
	return r.arn("elasticloadbalancing", "listener-rule/app/"+l.lb.name+"/"+l.lb.id+"/"+arnTail(l.arn, "listener/app/"+l.lb.name+"/"+l.lb.id+"/")+"/"+id)
}

// addDefaultRule gives a new listener its default rule, with a stable id.
func (r *region) addDefaultRule(l *listener) {
	rl := &rule{l: l, isDefault: true}
	rl.arn = r.ruleArn(l, hashID(16, l.arn, "default-rule"))
	l.defRule = rl
	r.rules[rl.arn] = rl
	r.addTaggable(&rl.tagged, rl.arn, "elasticloadbalancing:listener-rule")
}

// deleteRule removes a rule; the target groups it forwarded to are freed.
func (r *region) deleteRule(rl *rule) {
	if rl == nil || rl.dead {
		return
	}
	if !rl.isDefault {
		r.releaseTGs(rl.tgs)
		rl.l.rules = compact(rl.l.rules, func(x *rule) bool { return x != rl })
	}
	rl.dead = true
	delete(r.rules, rl.arn)
}

func (rl *rule) out() elbtypes.Rule {
	o := elbtypes.Rule{RuleArn: ptr(rl.arn), IsDefault: ptr(rl.isDefault), Conditions: cloneJSON(rl.conditions)}
	if o.Conditions == nil {
		o.Conditions = []elbtypes.RuleCondition{}
	}
	if rl.isDefault {
		o.Priority, o.Actions = ptr("default"), cloneJSON(rl.l.actions)
	} else {
		o.Priority, o.Actions = ptr(strconv.Itoa(int(rl.priority))), cloneJSON(rl.actions)
	}
	return o
}

// ruleFields are the condition fields of application load balancers; the ones
// mapped to true may appear at most once in a rule.
var ruleFields = map[string]bool{"host-header": true, "path-pattern": true, "http-request-method": true, "source-ip": true,
	"http-header": false, "query-string": false}

// ruleConditions validates conditions and fills in Values/Config as AWS shows them.
func ruleConditions(in []elbtypes.RuleCondition) ([]elbtypes.RuleCondition, error) {
	if len(in) == 0 {
		return nil, validationError("A rule must have at least one condition")
	}
	conds := cloneJSON(in)
	seen := map[string]bool{}
	for i := range conds {
		c := &conds[i]
		f := str(c.Field)
		once, known := ruleFields[f]
		if !known {
			return nil, validationError("Condition field '%s' must be one of '[http-header, http-request-method, host-header, path-pattern, query-string, source-ip]'", f)
		}
		if once && seen[f] {
			return nil, validationError("A rule can only have one '%s' condition", f)
		}
		seen[f] = true
		n := len(c.Values) + len(c.RegexValues)
		switch f {
		case "host-header":
			if c.HostHeaderConfig != nil {
				n += len(c.HostHeaderConfig.Values) + len(c.HostHeaderConfig.RegexValues)
			}
			if len(c.Values) > 0 && c.HostHeaderConfig == nil {
				c.HostHeaderConfig = &elbtypes.HostHeaderConditionConfig{Values: append([]string(nil), c.Values...)}
			} else if len(c.Values) == 0 && c.HostHeaderConfig != nil {
				c.Values = append([]string(nil), c.HostHeaderConfig.Values...)
			}
		case "path-pattern":
			if c.PathPatternConfig != nil {
				n += len(c.PathPatternConfig.Values) + len(c.PathPatternConfig.RegexValues)
			}
			if len(c.Values) > 0 && c.PathPatternConfig == nil {
				c.PathPatternConfig = &elbtypes.PathPatternConditionConfig{Values: append([]string(nil), c.Values...)}
			} else if len(c.Values) == 0 && c.PathPatternConfig != nil {
				c.Values = append([]string(nil), c.PathPatternConfig.Values...)
			}
		case "http-request-method":
			if c.HttpRequestMethodConfig != nil {
				n += len(c.HttpRequestMethodConfig.Values)
			}
		case "source-ip":
			if c.SourceIpConfig != nil {
				n += len(c.SourceIpConfig.Values)
			}
		case "http-header":
			if c.HttpHeaderConfig != nil {
				n += len(c.HttpHeaderConfig.Values) + len(c.HttpHeaderConfig.RegexValues)
			}
		case "query-string":
			if c.QueryStringConfig != nil {
				n += len(c.QueryStringConfig.Values)
			}
		}
		if n == 0 {
			return nil, validationError("A '%s' condition must have at least one value", f)
		}
	}
	return conds, nil
}

// CreateRule adds a rule to a listener.
func (c *elbClient) CreateRule(ctx context.Context, in *elbv2.CreateRuleInput, _ ...func(*elbv2.Options)) (*elbv2.CreateRuleOutput, error) {
	return do(ctx, c.base, "elbv2", "CreateRule", in, func(r *region) (*elbv2.CreateRuleOutput, error) {
		if in == nil || str(in.ListenerArn) == "" {
			return nil, validationError("A listener ARN must be specified")
		}
		l := r.listeners[str(in.ListenerArn)]
		if l == nil {
			return nil, &elbtypes.ListenerNotFoundException{Message: ptr("One or more listeners not found")}
		}
		if in.Priority == nil {
			return nil, validationError("A rule priority must be specified")
		}
		prio := *in.Priority
		if prio < 1 || prio > 50000 {
			return nil, validationError("1 validation error detected: Value '%d' at 'priority' failed to satisfy constraint: Member must have value between 1 and 50000", prio)
		}
		for _, x := range l.rules {
			if x.priority == prio {
				return nil, &elbtypes.PriorityInUseException{Message: msg("Priority '%d' is currently in use", prio)}
			}
		}
		conds, err := ruleConditions(in.Conditions)
		if err != nil {
			return nil, err
		}
		if len(in.Actions) == 0 {
			return nil, validationError("A rule must have at least one action")
		}
		tgs, err := r.actionTGs(l.lb, in.Actions)
		if err != nil {
			return nil, err
		}
		tags, err := fromELBTags(in.Tags)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, x := range l.lb.listeners {
			n += len(x.rules)
		}
		if n >= maxRulesPerLB {
			return nil, &elbtypes.TooManyRulesException{Message: msg("The load balancer already has the maximum number of rules (%d)", maxRulesPerLB)}
		}
		rl := &rule{l: l, priority: prio, conditions: conds, actions: cloneJSON(in.Actions), tgs: tgs}
		rl.arn = r.ruleArn(l, r.w.hexID(16))
		rl.tags = tags.clone()
		r.useTGs(l.lb, tgs)
		l.rules = append(l.rules, rl)
		sort.SliceStable(l.rules, func(i, j int) bool { return l.rules[i].priority < l.rules[j].priority })
		r.rules[rl.arn] = rl
		r.addTaggable(&rl.tagged, rl.arn, "elasticloadbalancing:listener-rule")
		return &elbv2.CreateRuleOutput{Rules: []elbtypes.Rule{rl.out()}}, nil
	})
}

// DescribeRules describes a listener's rules (by priority, the default rule
// last), a page at a time, or rules by ARN.
func (c *elbClient) DescribeRules(ctx context.Context, in *elbv2.DescribeRulesInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeRulesOutput, error) {
	return do(ctx, c.base, "elbv2", "DescribeRules", in, func(r *region) (*elbv2.DescribeRulesOutput, error) {
		if in == nil {
			in = &elbv2.DescribeRulesInput{}
		}
		out := &elbv2.DescribeRulesOutput{}
		switch {
		case str(in.ListenerArn) != "" && len(in.RuleArns) > 0:
			return nil, validationError("Listener ARN and rule ARNs cannot be specified at the same time")
		case str(in.ListenerArn) != "":
			l := r.listeners[str(in.ListenerArn)]
			if l == nil {
				return nil, &elbtypes.ListenerNotFoundException{Message: ptr("One or more listeners not found")}
			}
			size, start, err := elbPage(in.PageSize, in.Marker)
			if err != nil {
				return nil, err
			}
			all := append(append([]*rule(nil), l.rules...), l.defRule)
			for i := start; i < len(all); i++ {
				if len(out.Rules) == size {
					out.NextMarker = intToken(i)
					break
				}
				out.Rules = append(out.Rules, all[i].out())
			}
		case len(in.RuleArns) > 0:
			for _, a := range in.RuleArns {
				rl := r.rules[a]
				if rl == nil {
					return nil, ruleNotFound()
				}
				out.Rules = append(out.Rules, rl.out())
			}
		default:
			return nil, validationError("You must specify either listener ARN or rule ARNs")
		}
		return out, nil
	})
}

// DeleteRule deletes a rule that is not a listener's default rule.
func (c *elbClient) DeleteRule(ctx context.Context, in *elbv2.DeleteRuleInput, _ ...func(*elbv2.Options)) (*elbv2.DeleteRuleOutput, error) {
	return do(ctx, c.base, "elbv2", "DeleteRule", in, func(r *region) (*elbv2.DeleteRuleOutput, error) {
		if in == nil || str(in.RuleArn) == "" {
			return nil, validationError("A rule ARN must be specified")
		}
		rl := r.rules[str(in.RuleArn)]
		if rl == nil {
			return nil, ruleNotFound()
		}
		if rl.isDefault {
			return nil, &elbtypes.OperationNotPermittedException{Message: msg("Default rule '%s' cannot be deleted", rl.arn)}
		}
		r.deleteRule(rl)
		return &elbv2.DeleteRuleOutput{}, nil
	})
}
