package cleanup

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cloud"
)

// blockers makes, for class a, resources held by class b's: a target group of
// a's that b's listener rule forwards to, and (when sgRule) a security group of
// a's that b's security group lets in. It returns them, b's rule and b's group.
func blockers(t *testing.T, ctx context.Context, c *cloud.Clients, vpc string, a, b *db.Class, sgRule bool) (tg, rule, aSG, bSG string) {
	t.Helper()
	tag := func(class string) []elbtypes.Tag {
		return []elbtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(class)}, {Key: aws.String("labdash:student"), Value: aws.String("s01")}}
	}
	out, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(a.ID + "s01-spare"), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp,
		TargetType: elbtypes.TargetTypeEnumIp, VpcId: aws.String(vpc), Tags: tag(a.ID)})
	if err != nil {
		t.Fatal(err)
	}
	tg = aws.ToString(out.TargetGroups[0].TargetGroupArn)
	lbs, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{b.ID + "s01-alb"}})
	if err != nil || len(lbs.LoadBalancers) != 1 {
		t.Fatalf("class B's load balancer: %v", err)
	}
	ls, err := c.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil || len(ls.Listeners) == 0 {
		t.Fatalf("class B's listener: %v", err)
	}
	r, err := c.ELBv2.CreateRule(ctx, &elbv2.CreateRuleInput{ListenerArn: ls.Listeners[0].ListenerArn, Priority: aws.Int32(10),
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), PathPatternConfig: &elbtypes.PathPatternConditionConfig{Values: []string{"/borrowed/*"}}}},
		Actions:    []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tg)}}, Tags: tag(b.ID)})
	if err != nil {
		t.Fatal(err)
	}
	rule = aws.ToString(r.Rules[0].RuleArn)
	if !sgRule {
		return tg, rule, "", ""
	}
	mk := func(name, class string) string {
		out, err := c.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String("blocker"), VpcId: aws.String(vpc),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup,
				Tags: []ec2types.Tag{{Key: aws.String("labdash:class"), Value: aws.String(class)}, {Key: aws.String("labdash:student"), Value: aws.String("s01")}}}}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.GroupId)
	}
	aSG, bSG = mk(a.ID+"s01-db", a.ID), mk(b.ID+"s01-app", b.ID)
	if _, err := c.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(bSG),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
			UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(aSG)}}}}}); err != nil {
		t.Fatal(err)
	}
	return tg, rule, c.ARN("ec2", "security-group/"+aSG), c.ARN("ec2", "security-group/"+bSG)
}

// TestCleanupReportsWhatBlocksItFromOutside: class B's listener rule forwards to
// a target group of class A's, and B's security group lets A's in. AWS answers
// ResourceInUse and DependencyViolation for as long as those stand. The cleanup
// names each blocker within about two minutes (on the provider's clock), as
// "blocked by <ARN> (outside the class)", carries on with everything else, lists
// them in the report, and leaves B's rule and group exactly as they were.
func TestCleanupReportsWhatBlocksItFromOutside(t *testing.T) {
	f := newFixture(t)
	a, b := f.class("A", 1), f.class("B", 1)
	f.build(a, b)
	vpcs, _ := f.c.EC2.DescribeVpcs(f.ctx, &ec2.DescribeVpcsInput{})
	tg, rule, aSG, bSG := blockers(t, f.ctx, f.c, aws.ToString(vpcs.Vpcs[0].VpcId), a, b, true)
	describe := func() string {
		r, err := f.c.ELBv2.DescribeRules(f.ctx, &elbv2.DescribeRulesInput{RuleArns: []string{rule}})
		if err != nil {
			t.Fatal(err)
		}
		g, err := f.c.EC2.DescribeSecurityGroups(f.ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{bSG[strings.LastIndex(bSG, "/")+1:]}})
		if err != nil {
			t.Fatal(err)
		}
		return snapshot(t, r.Rules, g.SecurityGroups)
	}
	before := describe()
	x := f.executor()
	start := f.clock.Now()
	plan, job := f.confirmAndRun(x, a)
	elapsed := f.clock.Now().Sub(start)
	planned := map[string]bool{}
	for _, it := range plan.Items {
		planned[it.ARN] = true
	}
	if !planned[tg] || !planned[aSG] {
		t.Fatalf("the blocked resources are not in the plan: tg %v, sg %v", planned[tg], planned[aSG])
	}
	for _, ji := range job.Items {
		switch ji.Key {
		case tg:
			if ji.State != db.ItemFailed || ji.Step != "blocked" || !strings.Contains(ji.Detail, "blocked by "+rule+" (outside the class)") {
				t.Errorf("target group: %s %s %q, want blocked by %s", ji.State, ji.Step, ji.Detail, rule)
			}
		case aSG:
			if ji.State != db.ItemFailed || ji.Step != "blocked" || !strings.Contains(ji.Detail, "blocked by "+bSG+" (outside the class)") {
				t.Errorf("security group: %s %s %q, want blocked by %s", ji.State, ji.Step, ji.Detail, bSG)
			}
		default:
			if ji.State != db.ItemDone {
				t.Errorf("%s: %s %s %q: the rest must carry on", ji.Key, ji.State, ji.Step, ji.Detail)
			}
		}
	}
	// Reported within about two minutes of AWS first saying "in use", not at the
	// 20-minute deadline: the whole run (which also waits for the class's own
	// load balancer and tasks) takes well under the deadline.
	if elapsed > 4*time.Minute {
		t.Errorf("the run took %s of provider time: the blockers were waited for, not reported", elapsed)
	}
	if job.Outcome != db.OutcomeNotVerified || !strings.Contains(job.Error, "2 blocked by something outside the class") ||
		!strings.Contains(job.Error, rule) || !strings.Contains(job.Error, bSG) {
		t.Errorf("report %s %q, want not verified, naming both blockers", job.Outcome, job.Error)
	}
	if f.auditCount(a.ID, "cleanup.blocked", "") != 2 {
		t.Errorf("want two cleanup.blocked audit entries")
	}
	if got := describe(); got != before {
		t.Errorf("the outside blockers were changed:\nbefore %s\nafter  %s", before, got)
	}
	t.Logf("run took %s of provider time; report: %s", elapsed, job.Error)
}

// TestCleanupReportsAnOutsideRuleOnMoto: the same target group, on moto through the
// real SDK client (moto answers ResourceInUse for a group a rule forwards to; it
// never answers DependencyViolation for a security group, so that case is the
// simulator's).
func TestCleanupReportsAnOutsideRuleOnMoto(t *testing.T) {
	w := motoWorld(t)
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "blocked.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	store.CreateUser(ctx, u)
	var classes []*db.Class
	for _, name := range []string{"A", "B"} {
		cl := &db.Class{Name: name, OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
		if err := store.CreateClass(ctx, cl); err != nil {
			t.Fatal(err)
		}
		sts, _, err := store.AddStudents(ctx, cl.ID, []db.NewStudent{{Name: name + "1", Email: strings.ToLower(name) + "1@example.edu"}})
		if err != nil {
			t.Fatal(err)
		}
		motoSeed(t, ctx, w.c, w.vpc[w.c.Account+"/us-east-1"], w.subnets, cl.ID, sts[0].Slug)
		classes = append(classes, cl)
	}
	a, b := classes[0], classes[1]
	tg, rule, _, _ := blockers(t, ctx, w.c, w.vpc[w.c.Account+"/us-east-1"], a, b, false)
	ruleBefore, _ := w.c.ELBv2.DescribeRules(ctx, &elbv2.DescribeRulesInput{RuleArns: []string{rule}})
	planner := &Planner{Store: store, Provider: w.provider, Registry: testRegistry()}
	x := &Executor{Log: log, Store: store, Provider: w.provider, Planner: planner, Sleep: w.sleep, BlockedAfter: time.Second}
	plan, err := planner.Plan(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	job, err := x.Confirm(ctx, a.ID, plan.Hash, a.Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Run(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	done, _ := store.Job(ctx, job.ID)
	found := false
	for _, ji := range done.Items {
		if ji.Key == tg {
			found = true
			if ji.Step != "blocked" || !strings.Contains(ji.Detail, rule+" (outside the class)") {
				t.Errorf("target group on moto: %s %s %q", ji.State, ji.Step, ji.Detail)
			}
		}
	}
	if !found {
		t.Fatalf("the target group is not in the job")
	}
	ruleAfter, _ := w.c.ELBv2.DescribeRules(ctx, &elbv2.DescribeRulesInput{RuleArns: []string{rule}})
	if b1, b2 := mustJSON(t, ruleBefore.Rules), mustJSON(t, ruleAfter.Rules); b1 != b2 {
		t.Errorf("class B's rule changed:\n%s\n%s", b1, b2)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
