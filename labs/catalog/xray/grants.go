package xray

import (
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// grants are what an X-Ray student may do in a shared account: read traces and the
// service map, read their Elastic Beanstalk environment, and remove and restore the
// inline policies of their own instance role, the one role the step names (not
// their sandbox role, which lives under the same IAM path). The boundary's
// ForcedBoundary fence needs that role to carry the class boundary, which the
// prerequisite stack gives it.
func grants(g labs.GrantScope) []authz.Statement {
	return []authz.Statement{
		g.InRegions(labs.Allow("XRayRead", []string{"xray:GetServiceGraph", "xray:GetTraceSummaries", "xray:BatchGetTraces", "xray:GetTraceGraph", "xray:GetGroups",
			"elasticbeanstalk:DescribeEnvironments", "elasticbeanstalk:DescribeEnvironmentHealth", "elasticbeanstalk:DescribeEvents"}, "*")),
		labs.Allow("XRayMyInstanceRole", []string{"iam:ListRolePolicies", "iam:GetRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"},
			g.Global("iam", "role/labdash/"+g.ClassID+"/"+labs.StudentVar+"/"+g.Prefix()+"xray-eb-role")),
	}
}
