package resources

// What keeps a resource in use, for the engine's "blocked by …" report: when AWS
// keeps answering that a resource is in use, the engine asks its type's Blockers
// and reports any that lies outside the plan (another class's listener rule, an
// instance of someone else) instead of retrying until its deadline. labdash
// never changes a blocker outside the plan.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs/cloud"
)

// Within returns the resources an ARN is part of, innermost first: an ELB
// listener rule is part of its listener and its load balancer. A blocker within a
// planned resource goes with it.
func Within(arn string) []string {
	if Service(arn) != "elasticloadbalancing" {
		return nil
	}
	res := Resource(arn)
	kind, rest, ok := strings.Cut(res, "/")
	if !ok {
		return nil
	}
	parts := strings.Split(rest, "/") // app/NAME/LBID[/LISTENERID[/RULEID]]
	prefix := strings.TrimSuffix(arn, res)
	switch {
	case kind == "listener-rule" && len(parts) == 5:
		return []string{prefix + "listener/" + strings.Join(parts[:4], "/"), prefix + "loadbalancer/" + strings.Join(parts[:3], "/")}
	case kind == "listener" && len(parts) == 4:
		return []string{prefix + "loadbalancer/" + strings.Join(parts[:3], "/")}
	}
	return nil
}

// tgBlockers names the listeners and listener rules that forward to a target
// group: AWS refuses to delete it (ResourceInUse) until none does.
func tgBlockers(ctx context.Context, c *cloud.Clients, r Ref) ([]Blocker, error) {
	tgs, err := c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: []string{r.ARN}})
	if err != nil {
		return nil, err
	}
	forwards := func(actions []elbtypes.Action) bool {
		for _, a := range actions {
			if aws.ToString(a.TargetGroupArn) == r.ARN {
				return true
			}
			if a.ForwardConfig != nil {
				for _, t := range a.ForwardConfig.TargetGroups {
					if aws.ToString(t.TargetGroupArn) == r.ARN {
						return true
					}
				}
			}
		}
		return false
	}
	var out []Blocker
	for _, tg := range tgs.TargetGroups {
		for _, lb := range tg.LoadBalancerArns {
			ls, err := c.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(lb)})
			if err != nil {
				return nil, err
			}
			for _, l := range ls.Listeners {
				rules, err := c.ELBv2.DescribeRules(ctx, &elbv2.DescribeRulesInput{ListenerArn: l.ListenerArn})
				if err != nil {
					return nil, err
				}
				for _, rule := range rules.Rules {
					if !forwards(rule.Actions) {
						continue
					}
					if aws.ToBool(rule.IsDefault) {
						out = append(out, Blocker{ARN: aws.ToString(l.ListenerArn), Why: "the listener's default action forwards to the target group"})
					} else {
						out = append(out, Blocker{ARN: aws.ToString(rule.RuleArn), Why: "the listener rule forwards to the target group"})
					}
				}
			}
		}
	}
	return out, nil
}

// sgBlockers names what keeps a security group in use: the network interfaces in
// it (by their owner: an instance, a load balancer; a task's or a function's
// interface, which AWS releases on its own, is passing) and the other groups whose
// rules refer to it.
func sgBlockers(ctx context.Context, c *cloud.Clients, r Ref) ([]Blocker, error) {
	id := sgID(r.ARN)
	var out []Blocker
	var token *string
	for {
		enis, err := c.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NextToken: token,
			Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{id}}}})
		if err != nil {
			return nil, err
		}
		for _, n := range enis.NetworkInterfaces {
			out = append(out, eniBlocker(c, n))
		}
		if token = enis.NextToken; aws.ToString(token) == "" {
			break
		}
	}
	for _, filter := range []string{"ip-permission.group-id", "egress.ip-permission.group-id"} {
		groups, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String(filter), Values: []string{id}}}})
		if err != nil {
			return nil, err
		}
		for _, g := range groups.SecurityGroups {
			if gid := aws.ToString(g.GroupId); gid != id {
				out = append(out, Blocker{ARN: c.ARN("ec2", "security-group/"+gid), Why: "a rule of the security group refers to it"})
			}
		}
	}
	return out, nil
}

// eniBlocker says whose a network interface is.
func eniBlocker(c *cloud.Clients, n ec2types.NetworkInterface) Blocker {
	id, desc := aws.ToString(n.NetworkInterfaceId), aws.ToString(n.Description)
	switch {
	case n.Attachment != nil && aws.ToString(n.Attachment.InstanceId) != "":
		return Blocker{ARN: c.ARN("ec2", "instance/"+aws.ToString(n.Attachment.InstanceId)), Why: "the instance's network interface " + id + " is in the group"}
	case strings.HasPrefix(desc, "ELB "):
		return Blocker{ARN: c.ARN("elasticloadbalancing", "loadbalancer/"+strings.TrimPrefix(desc, "ELB ")), Why: "the load balancer's network interface " + id + " is in the group"}
	case aws.ToBool(n.RequesterManaged):
		return Blocker{ARN: c.ARN("ec2", "network-interface/"+id), Why: "network interface " + id + " (" + desc + ") is in the group; AWS releases it after its task or function stops", Passing: true}
	}
	return Blocker{ARN: c.ARN("ec2", "network-interface/"+id), Why: "network interface " + id + " (" + desc + ") is in the group"}
}
