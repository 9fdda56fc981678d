package slots

import (
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// grants are what a slot-machine student may do in a shared account (LABS.md §1.1
// and Lab 4), fenced to their own resources:
//
//   - S3, Lambda, DynamoDB and Logs by name prefix: the bucket
//     <prefix>slots-site-…, the function <prefix>slotPull (any <prefix>*), the
//     tables <prefix>*, the log groups /aws/lambda/<prefix>*. The class boundary's
//     NameFenceWrites holds the same fence for their writes.
//   - Cognito identity pools by tag: the Service Authorization Reference gives
//     the identitypool resource aws:ResourceTag (parliament's data), so Describe,
//     Update, Delete, GetIdentityPoolRoles and ListTagsForResource are allowed only
//     on a pool tagged labdash:student=<caller> and labdash:class=<class>, and
//     CreateIdentityPool only with those tags in the request (aws:RequestTag).
//     cognito-identity:TagResource and UntagResource are not granted: tags go on
//     at creation.
//   - IAM by path: the trust of the guest role the prerequisite stack made
//     under /labdash/<class>/<student>/ (UpdateAssumeRolePolicy of that one role:
//     the student points it at their pool), and the inline policies of their
//     roles there; iam:PassRole of the execution and guest roles, to Lambda and
//     to Cognito. No CreateRole: a role the student made could not carry
//     labdash's tags, and the boundary's tag fences refuse an untagged principal.
//
// Gaps no fence closes, which do not force account-per-student since neither
// reaches another student's data:
//
//   - cognito-identity:SetIdentityPoolRoles has no resource type: IAM cannot
//     tell whose pool it is called on. It needs iam:PassRole of the roles it sets,
//     which the boundary allows only for the caller's own roles, so a student can
//     at worst point another student's pool at a role of their own (sabotage: the
//     victim's guests would get the attacker's role). The identity-pool
//     checkpoint fails, saying so, when a pool's guest role is not under its
//     owner's IAM path.
//   - UpdateIdentityPool carries IdentityPoolTags: a student may retag their own
//     pool (as another student's, say). That gives them nothing: the pool's name
//     still carries their prefix, and the monitor matches pools by name first.
//   - The guest credentials the pool hands out are the page's, unsigned calls
//     (GetId, GetOpenIdToken, GetCredentialsForIdentity, AssumeRoleWithWebIdentity)
//     that need no grant; what they may do is the guest role's policy, under the
//     class boundary.
func grants(g labs.GrantScope) []authz.Statement {
	p := g.Prefix()
	bucket := "arn:aws:s3:::" + p + "slots-*"
	roles := g.Global("iam", "role/labdash/"+g.ClassID+"/"+labs.StudentVar+"/"+p+"*")
	create := g.InRegions(g.CreateTagged("SlotsCreatePool", []string{"cognito-identity:CreateIdentityPool"}, "*"))
	pool := g.InRegions(g.OnTagged("SlotsMyPool", []string{"cognito-identity:DescribeIdentityPool", "cognito-identity:UpdateIdentityPool", "cognito-identity:DeleteIdentityPool",
		"cognito-identity:GetIdentityPoolRoles", "cognito-identity:ListTagsForResource"}, g.ARN("cognito-identity", "identitypool/*")))
	passExec := labs.Allow("SlotsPassExecRole", []string{"iam:PassRole"}, g.Global("iam", "role/labdash/"+g.ClassID+"/"+labs.StudentVar+"/"+p+"slotpull-role"))
	passExec.Condition = map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "lambda.amazonaws.com"}}
	passGuest := labs.Allow("SlotsPassGuestRole", []string{"iam:PassRole"}, g.Global("iam", "role/labdash/"+g.ClassID+"/"+labs.StudentVar+"/"+p+"slots-guest-role"))
	passGuest.Condition = map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "cognito-identity.amazonaws.com"}}
	return []authz.Statement{
		g.InRegions(labs.Allow("SlotsList", []string{"s3:ListAllMyBuckets", "lambda:ListFunctions", "dynamodb:ListTables", "logs:DescribeLogGroups",
			"cloudwatch:GetMetricData", "cognito-identity:ListIdentityPools"}, "*")),
		labs.Allow("SlotsMyBucket", []string{"s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucketLocation",
			"s3:PutBucketWebsite", "s3:GetBucketWebsite", "s3:DeleteBucketWebsite", "s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy",
			"s3:GetBucketPolicyStatus", "s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock", "s3:PutBucketTagging", "s3:GetBucketTagging"}, bucket),
		labs.Allow("SlotsMyObjects", []string{"s3:PutObject", "s3:GetObject", "s3:DeleteObject"}, bucket+"/*"),
		g.InRegions(labs.Allow("SlotsMyFunction", []string{"lambda:CreateFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:UpdateFunctionCode",
			"lambda:UpdateFunctionConfiguration", "lambda:DeleteFunction", "lambda:InvokeFunction", "lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy",
			"lambda:TagResource", "lambda:ListTags"}, g.ARN("lambda", "function:"+p+"*"))),
		g.InRegions(labs.Allow("SlotsMyTable", []string{"dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:DeleteTable", "dynamodb:UpdateTable",
			"dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:TagResource", "dynamodb:ListTagsOfResource"},
			g.ARN("dynamodb", "table/"+p+"*"))),
		g.InRegions(labs.Allow("SlotsMyLogs", []string{"logs:FilterLogEvents", "logs:GetLogEvents", "logs:DescribeLogStreams"},
			g.ARN("logs", "log-group:/aws/lambda/"+p+"*"), g.ARN("logs", "log-group:/aws/lambda/"+p+"*:*"))),
		create, pool,
		// No resource type: see the gap above.
		g.InRegions(labs.Allow("SlotsSetPoolRoles", []string{"cognito-identity:SetIdentityPoolRoles"}, "*")),
		labs.Allow("SlotsMyRoles", []string{"iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies",
			"iam:SimulatePrincipalPolicy"}, roles),
		labs.Allow("SlotsGuestTrust", []string{"iam:UpdateAssumeRolePolicy"}, g.Global("iam", "role/labdash/"+g.ClassID+"/"+labs.StudentVar+"/"+p+"slots-guest-role")),
		passExec, passGuest,
	}
}
