package route53

import (
	"strings"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// grants are what a Route 53 student may do in a shared account (LABS.md §1.1 and
// Lab 3): read the zones, their records and answers, and change records only at
// <student>.<class zone> and below. Route 53 record sets have no ARN and no tags;
// the fence is the route53:ChangeResourceRecordSetsNormalizedRecordNames condition
// key, which holds every name of the change batch, normalized (lowercase, no
// trailing dot): ForAllValues makes every one of them the student's, and Null
// refuses a request that carries none. The prerequisite stack (ALB, target group,
// web server) is labdash's; the student only reads it.
func grants(g labs.GrantScope) []authz.Statement {
	// Grants apply only in a shared account, where the zone is the class's.
	zone := strings.TrimSuffix(zoneOf(labs.Target{ClassID: g.ClassID}), ".")
	mine := labs.Allow("R53ChangeMyNames", []string{"route53:ChangeResourceRecordSets"}, "arn:aws:route53:::hostedzone/*")
	mine.Condition = map[string]any{
		"ForAllValues:StringLike": map[string]any{"route53:ChangeResourceRecordSetsNormalizedRecordNames": []string{
			labs.StudentVar + "." + zone, "*." + labs.StudentVar + "." + zone}},
		"Null": map[string]any{"route53:ChangeResourceRecordSetsNormalizedRecordNames": "false"},
	}
	return []authz.Statement{
		labs.Allow("R53Read", []string{"route53:ListHostedZones", "route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:GetChange", "route53:TestDNSAnswer"}, "*"),
		mine,
		g.InRegions(labs.Allow("R53ReadOrigin", []string{"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth", "ec2:DescribeInstances"}, "*")),
	}
}
