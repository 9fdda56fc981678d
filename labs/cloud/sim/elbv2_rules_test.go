package sim

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// albWithListener makes an ALB in the default subnets, a target group and a
// listener :80 forwarding to it; it returns the three ARNs.
func (e *env) albWithListener(name string) (lb, tg, listener string) {
	e.t.Helper()
	vpcID, subnets := e.w.ClassVPC("", "us-east-1")
	tg = e.mkTG(name+"-tg", vpcID)
	out, err := e.c.ELBv2.CreateLoadBalancer(e.ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(name), Subnets: subnets})
	if err != nil {
		e.t.Fatal(err)
	}
	lb = aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	l, err := e.c.ELBv2.CreateListener(e.ctx, &elbv2.CreateListenerInput{LoadBalancerArn: aws.String(lb), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tg)}}})
	if err != nil {
		e.t.Fatal(err)
	}
	return lb, tg, aws.ToString(l.Listeners[0].ListenerArn)
}

func (e *env) mkTG(name, vpcID string) string {
	e.t.Helper()
	out, err := e.c.ELBv2.CreateTargetGroup(e.ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(name), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
		TargetType: elbtypes.TargetTypeEnumIp, VpcId: aws.String(vpcID)})
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.TargetGroups[0].TargetGroupArn)
}

func pathRule(listener string, prio int32, path, tg string, tags ...elbtypes.Tag) *elbv2.CreateRuleInput {
	return &elbv2.CreateRuleInput{ListenerArn: aws.String(listener), Priority: aws.Int32(prio),
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{path}}},
		Actions:    []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tg)}}, Tags: tags}
}

func (e *env) rules(listener string, pageSize int32) ([]elbtypes.Rule, int) {
	e.t.Helper()
	var all []elbtypes.Rule
	in := &elbv2.DescribeRulesInput{ListenerArn: aws.String(listener)}
	if pageSize > 0 {
		in.PageSize = aws.Int32(pageSize)
	}
	for n := 1; ; n++ {
		out, err := e.c.ELBv2.DescribeRules(e.ctx, in)
		if err != nil {
			e.t.Fatal(err)
		}
		all = append(all, out.Rules...)
		if out.NextMarker == nil {
			return all, n
		}
		in.Marker = out.NextMarker
	}
}

func (e *env) tgLBs(tg string) []string {
	e.t.Helper()
	out, err := e.c.ELBv2.DescribeTargetGroups(e.ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{tg}})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.TargetGroups[0].LoadBalancerArns
}

func TestELBRules(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c
	vpcID, _ := e.w.ClassVPC("", "us-east-1")
	_, tgDefault, listener := e.albWithListener("c42s07-alb")
	tgAPI, tgImg := e.mkTG("c42s07-api", vpcID), e.mkTG("c42s07-img", vpcID)

	// A new listener has exactly its default rule, with its default actions.
	rs, _ := e.rules(listener, 0)
	if len(rs) != 1 || !aws.ToBool(rs[0].IsDefault) || aws.ToString(rs[0].Priority) != "default" || len(rs[0].Conditions) != 0 ||
		len(rs[0].Actions) != 1 || aws.ToString(rs[0].Actions[0].TargetGroupArn) != tgDefault {
		t.Fatalf("default rule: %+v", rs)
	}
	defaultRule := aws.ToString(rs[0].RuleArn)

	api, err := c.ELBv2.CreateRule(ctx, pathRule(listener, 10, "/api/*", tgAPI, elbtypes.Tag{Key: aws.String("labdash:student"), Value: aws.String("s07")}))
	if err != nil {
		t.Fatal(err)
	}
	apiRule := aws.ToString(api.Rules[0].RuleArn)
	if _, err := c.ELBv2.CreateRule(ctx, &elbv2.CreateRuleInput{ListenerArn: aws.String(listener), Priority: aws.Int32(5),
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("host-header"), HostHeaderConfig: &elbtypes.HostHeaderConditionConfig{Values: []string{"img.example.com"}}}},
		Actions:    []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgImg)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ELBv2.CreateRule(ctx, &elbv2.CreateRuleInput{ListenerArn: aws.String(listener), Priority: aws.Int32(7),
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("http-request-method"), HttpRequestMethodConfig: &elbtypes.HttpRequestMethodConditionConfig{Values: []string{"POST"}}}},
		Actions:    []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("403")}}}}); err != nil {
		t.Fatal(err)
	}

	// By priority, the default rule last, across pages.
	rs, n := e.rules(listener, 1)
	var prios []string
	for _, r := range rs {
		prios = append(prios, aws.ToString(r.Priority))
	}
	if !reflect.DeepEqual(prios, []string{"5", "7", "10", "default"}) || n != 4 {
		t.Errorf("priorities %q in %d pages", prios, n)
	}
	if c := rs[2].Conditions[0]; c.PathPatternConfig == nil || !reflect.DeepEqual(c.PathPatternConfig.Values, []string{"/api/*"}) || !reflect.DeepEqual(c.Values, []string{"/api/*"}) {
		t.Errorf("path-pattern condition as described: %+v", c)
	}
	if c := rs[0].Conditions[0]; !reflect.DeepEqual(c.Values, []string{"img.example.com"}) {
		t.Errorf("host-header condition as described: %+v", c)
	}
	byArn, err := c.ELBv2.DescribeRules(ctx, &elbv2.DescribeRulesInput{RuleArns: []string{apiRule, defaultRule}})
	if err != nil || len(byArn.Rules) != 2 || aws.ToString(byArn.Rules[0].Priority) != "10" || !aws.ToBool(byArn.Rules[1].IsDefault) {
		t.Errorf("DescribeRules by ARN: %+v, %v", byArn, err)
	}

	// Tags: the rule's, an untagged default rule's, an unknown rule's.
	tags, err := c.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{apiRule, defaultRule}})
	if err != nil || len(tags.TagDescriptions) != 2 || len(tags.TagDescriptions[0].Tags) != 1 || aws.ToString(tags.TagDescriptions[0].Tags[0].Value) != "s07" ||
		len(tags.TagDescriptions[1].Tags) != 0 {
		t.Errorf("DescribeTags of rules: %+v, %v", tags, err)
	}
	if !e.taggedARNs()[apiRule] {
		t.Errorf("tagging API does not list the tagged rule %s", apiRule)
	}

	// A second load balancer for the association rules.
	_, tgOther, otherListener := e.albWithListener("c42s08-alb")
	// A VPC of its own for a target group outside the load balancer's VPC.
	e.w.mu.Lock()
	r := e.w.regionLocked("111122223333", "us-east-1")
	v := &vpc{id: "vpc-0other", cidr: netip.MustParsePrefix("10.1.0.0/16")}
	r.vpcs[v.id] = v
	r.vpcOrder = append(r.vpcOrder, v)
	e.w.mu.Unlock()
	tgElsewhere := e.mkTG("c42s07-elsewhere", v.id)

	for _, tc := range []struct {
		name string
		in   *elbv2.CreateRuleInput
		code string
	}{
		{"priority in use", pathRule(listener, 10, "/other/*", tgAPI), "PriorityInUse"},
		{"priority 0", pathRule(listener, 0, "/x", tgAPI), "ValidationError"},
		{"priority 50001", pathRule(listener, 50001, "/x", tgAPI), "ValidationError"},
		{"no priority", &elbv2.CreateRuleInput{ListenerArn: aws.String(listener), Conditions: pathRule(listener, 1, "/x", tgAPI).Conditions, Actions: pathRule(listener, 1, "/x", tgAPI).Actions}, "ValidationError"},
		{"unknown listener", pathRule(listener+"0", 11, "/x", tgAPI), "ListenerNotFound"},
		{"no conditions", &elbv2.CreateRuleInput{ListenerArn: aws.String(listener), Priority: aws.Int32(11), Actions: pathRule(listener, 1, "/x", tgAPI).Actions}, "ValidationError"},
		{"unknown field", &elbv2.CreateRuleInput{ListenerArn: aws.String(listener), Priority: aws.Int32(11), Actions: pathRule(listener, 1, "/x", tgAPI).Actions,
			Conditions: []elbtypes.RuleCondition{{Field: aws.String("cookie"), Values: []string{"x"}}}}, "ValidationError"},
		{"two path patterns", &elbv2.CreateRuleInput{ListenerArn: aws.String(listener), Priority: aws.Int32(11), Actions: pathRule(listener, 1, "/x", tgAPI).Actions,
			Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/a"}}, {Field: aws.String("path-pattern"), Values: []string{"/b"}}}}, "ValidationError"},
		{"condition without values", &elbv2.CreateRuleInput{ListenerArn: aws.String(listener), Priority: aws.Int32(11), Actions: pathRule(listener, 1, "/x", tgAPI).Actions,
			Conditions: []elbtypes.RuleCondition{{Field: aws.String("host-header")}}}, "ValidationError"},
		{"no actions", &elbv2.CreateRuleInput{ListenerArn: aws.String(listener), Priority: aws.Int32(11), Conditions: pathRule(listener, 1, "/x", tgAPI).Conditions}, "ValidationError"},
		{"unknown target group", pathRule(listener, 11, "/x", tgAPI+"0"), "TargetGroupNotFound"},
		{"another load balancer's target group", pathRule(listener, 11, "/x", tgOther), "TargetGroupAssociationLimit"},
		{"target group in another VPC", pathRule(listener, 11, "/x", tgElsewhere), "ValidationError"},
	} {
		if _, err := c.ELBv2.CreateRule(ctx, tc.in); apiCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	// A rule's target group belongs to its load balancer: another one's listener cannot use it.
	if _, err := c.ELBv2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: aws.String(arnOfListenerLB(otherListener)), Port: aws.Int32(8080), Protocol: elbtypes.ProtocolEnumHttp,
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgAPI)}}}); apiCode(err) != "TargetGroupAssociationLimit" {
		t.Errorf("listener of c42s08-alb onto c42s07's rule target group: %v", err)
	}

	for _, tc := range []struct {
		name string
		in   *elbv2.DescribeRulesInput
		code string
	}{
		{"neither", &elbv2.DescribeRulesInput{}, "ValidationError"},
		{"both", &elbv2.DescribeRulesInput{ListenerArn: aws.String(listener), RuleArns: []string{apiRule}}, "ValidationError"},
		{"unknown listener", &elbv2.DescribeRulesInput{ListenerArn: aws.String(listener + "0")}, "ListenerNotFound"},
		{"unknown rule", &elbv2.DescribeRulesInput{RuleArns: []string{apiRule + "0"}}, "RuleNotFound"},
		{"bad page size", &elbv2.DescribeRulesInput{ListenerArn: aws.String(listener), PageSize: aws.Int32(0)}, "ValidationError"},
	} {
		if _, err := c.ELBv2.DescribeRules(ctx, tc.in); apiCode(err) != tc.code {
			t.Errorf("DescribeRules %s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if _, err := c.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{apiRule + "0"}}); apiCode(err) != "RuleNotFound" {
		t.Errorf("DescribeTags of an unknown rule: %v", err)
	}
	if _, err := c.ELBv2.DeleteRule(ctx, &elbv2.DeleteRuleInput{RuleArn: aws.String(defaultRule)}); apiCode(err) != "OperationNotPermitted" {
		t.Errorf("DeleteRule of the default rule: %v", err)
	}
	if _, err := c.ELBv2.DeleteRule(ctx, &elbv2.DeleteRuleInput{RuleArn: aws.String(apiRule + "0")}); apiCode(err) != "RuleNotFound" {
		t.Errorf("DeleteRule of an unknown rule: %v", err)
	}

	// Rules go with their listener, and free their target groups.
	if _, err := c.ELBv2.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: aws.String(listener)}); err != nil {
		t.Fatal(err)
	}
	for _, arn := range []string{apiRule, defaultRule} {
		if _, err := c.ELBv2.DescribeRules(ctx, &elbv2.DescribeRulesInput{RuleArns: []string{arn}}); apiCode(err) != "RuleNotFound" {
			t.Errorf("rule %s after DeleteListener: %v", arn, err)
		}
	}
	if e.taggedARNs()[apiRule] {
		t.Errorf("tagging API still lists %s after DeleteListener", apiRule)
	}
	for _, tg := range []string{tgAPI, tgImg, tgDefault} {
		if _, err := c.ELBv2.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(tg)}); err != nil {
			t.Errorf("DeleteTargetGroup after DeleteListener: %v", err)
		}
	}
}

// arnOfListenerLB is the load balancer ARN a listener ARN belongs to:
// arn:…:listener/app/NAME/ID/LID → arn:…:loadbalancer/app/NAME/ID.
func arnOfListenerLB(listener string) string {
	return strings.Replace(listener[:strings.LastIndex(listener, "/")], ":listener/", ":loadbalancer/", 1)
}

// DeleteTargetGroup is ResourceInUse while a rule of any load balancer forwards
// to the group, and allowed once the rule is gone; the group lists the load
// balancer while the rule uses it.
func TestDeleteTargetGroupUsedByRule(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c
	vpcID, _ := e.w.ClassVPC("", "us-east-1")
	lbA, tgA, _ := e.albWithListener("c42s07-alb")
	lbB, tgB, listenerB := e.albWithListener("c42s08-alb")
	tgRule := e.mkTG("c42s07-rule", vpcID)
	if got := e.tgLBs(tgRule); len(got) != 0 {
		t.Fatalf("unused target group lists %q", got)
	}
	out, err := c.ELBv2.CreateRule(ctx, pathRule(listenerB, 1, "/api/*", tgRule))
	if err != nil {
		t.Fatal(err)
	}
	ruleArn := aws.ToString(out.Rules[0].RuleArn)
	if got := e.tgLBs(tgRule); !reflect.DeepEqual(got, []string{lbB}) {
		t.Errorf("LoadBalancerArns of the rule's group %q, want [%s]", got, lbB)
	}
	byLB, err := c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: aws.String(lbB)})
	if err != nil || len(byLB.TargetGroups) != 2 || aws.ToString(byLB.TargetGroups[0].TargetGroupArn) != tgB || aws.ToString(byLB.TargetGroups[1].TargetGroupArn) != tgRule {
		t.Errorf("DescribeTargetGroups of %s: %+v, %v", lbB, byLB, err)
	}
	if got := e.tgLBs(tgA); !reflect.DeepEqual(got, []string{lbA}) {
		t.Errorf("LoadBalancerArns of the default action's group %q", got)
	}

	// Its targets are health-checked, not "unused", while the rule forwards to it.
	if _, err := c.ELBv2.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: aws.String(tgRule), Targets: []elbtypes.TargetDescription{{Id: aws.String("10.0.1.9")}}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Minute)
	if h := e.health(lab{tg: tgRule}); len(h) != 1 || h[0].TargetHealth.State != elbtypes.TargetHealthStateEnumUnhealthy {
		t.Errorf("rule target with nothing listening: %+v", h[0].TargetHealth)
	}

	for _, tg := range []string{tgRule, tgB, tgA} {
		if _, err := c.ELBv2.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(tg)}); apiCode(err) != "ResourceInUse" {
			t.Errorf("DeleteTargetGroup of a group in use: %v, want ResourceInUse", err)
		}
	}
	if _, err := c.ELBv2.DeleteRule(ctx, &elbv2.DeleteRuleInput{RuleArn: aws.String(ruleArn)}); err != nil {
		t.Fatal(err)
	}
	if got := e.tgLBs(tgRule); len(got) != 0 {
		t.Errorf("after DeleteRule the group lists %q", got)
	}
	e.clock.Advance(time.Minute)
	if h := e.health(lab{tg: tgRule}); len(h) != 1 || h[0].TargetHealth.Reason != elbtypes.TargetHealthReasonEnumNotInUse {
		t.Errorf("target after DeleteRule: %+v", h[0].TargetHealth)
	}
	if _, err := c.ELBv2.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(tgRule)}); err != nil {
		t.Errorf("DeleteTargetGroup after DeleteRule: %v", err)
	}
	// Deleting a load balancer deletes its listeners and their rules.
	out, err = c.ELBv2.CreateRule(ctx, pathRule(listenerB, 2, "/b/*", e.mkTG("c42s08-rule", vpcID)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ELBv2.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(lbB)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ELBv2.DescribeRules(ctx, &elbv2.DescribeRulesInput{RuleArns: []string{aws.ToString(out.Rules[0].RuleArn)}}); apiCode(err) != "RuleNotFound" {
		t.Errorf("rule after DeleteLoadBalancer: %v", err)
	}
}

func TestELBRuleQuota(t *testing.T) {
	e := newEnv(t)
	vpcID, _ := e.w.ClassVPC("", "us-east-1")
	_, _, listener := e.albWithListener("c42s07-alb")
	tg := e.mkTG("c42s07-api", vpcID)
	for i := int32(1); i <= maxRulesPerLB; i++ {
		if _, err := e.c.ELBv2.CreateRule(e.ctx, pathRule(listener, i, "/x", tg)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.c.ELBv2.CreateRule(e.ctx, pathRule(listener, maxRulesPerLB+1, "/x", tg)); apiCode(err) != "TooManyRules" {
		t.Errorf("rule %d: %v, want TooManyRules", maxRulesPerLB+1, err)
	}
	if rs, _ := e.rules(listener, 0); len(rs) != maxRulesPerLB+1 {
		t.Errorf("%d rules described", len(rs))
	}
}
