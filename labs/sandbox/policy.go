// Package sandbox builds per-student sandboxes: the class permissions boundary and
// identity policy, a fenced role per student, prerequisite stacks and the ledger of
// everything created. This file holds the policy documents (LABS.md §1.1).
package sandbox

import (
	"fmt"
	"unicode"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// MaxManagedPolicyChars is IAM's size limit for a customer-managed policy, counted
// without white space.
const MaxManagedPolicyChars = 6144

// PolicyDocument is an IAM policy (the evaluator's own type, so the simulator judges
// exactly what labdash deploys).
type PolicyDocument = authz.Policy

// Statement is one IAM policy statement.
type Statement = authz.Statement

// ClassScope is what the class's policies are written for.
type ClassScope struct {
	ClassID string   // "c42"
	Account string   // 12 digits
	Regions []string // the class's regions
	// Labs are the class's labs: the identity policy grants what their steps need.
	Labs []labs.Lab
}

func (s ClassScope) grants() labs.GrantScope {
	return labs.GrantScope{ClassID: s.ClassID, Account: s.Account, Regions: s.Regions}
}

const studentTag = labs.StudentVar

// BoundaryName is the class boundary's policy name.
func BoundaryName(classID string) string { return classID + "-student-boundary" }

// LabPolicyName is the name of a lab's identity policy in a class.
func LabPolicyName(classID, labID string) string { return classID + "-student-" + labID }

// BoundaryARN is the class boundary's ARN in account.
func BoundaryARN(account, classID string) string { return labs.BoundaryARN(account, classID) }

// createActions are the create actions of billable or lab-visible resources whose
// resource types carry an ARN: each must tag the new resource as the caller's.
var createActions = []string{"ec2:RunInstances", "ec2:CreateSecurityGroup", "elasticloadbalancing:CreateLoadBalancer",
	"elasticloadbalancing:CreateTargetGroup", "ecs:CreateCluster", "ecs:CreateService", "ecs:RegisterTaskDefinition", "autoscaling:CreateAutoScalingGroup",
	"rds:CreateDBInstance"}

// createResources are the ARNs createActions make: the fence applies to the new
// resource, not to the subnets, images or VPCs the same request names.
// Launch templates are not among them: ec2:RunInstances names the launch template it
// launches from as a resource too, so a tag-on-create fence on launch-template/*
// here would deny every launch from a template (no request tag applies to that
// resource), and a fence of CreateLaunchTemplate alone does not fit in the
// boundary's 6,144 characters. A template is not billable; the identity policy's
// grant (Lab 8's ASGCreateTemplateTagged) is its tag fence.
var createResources = []string{"arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*:*:security-group/*",
	"arn:aws:elasticloadbalancing:*:*:*", "arn:aws:ecs:*:*:*", "arn:aws:autoscaling:*:*:*", "arn:aws:rds:*:*:db:*"}

// untypedCreates are create actions the Service Authorization Reference lists with no
// resource type: only Resource "*" matches them, so their tag fence is a statement of
// its own (an ARN pattern would never apply and the fence would silently not hold).
var untypedCreates = []string{"globalaccelerator:CreateAccelerator", "acm-pca:CreateCertificateAuthority", "acm:RequestCertificate"}

// fenced are the services of the labs' resources: any action on a resource tagged
// as another student's or another class's is denied, whatever the identity policy
// grants (reads included: a student has no business in another's resources).
// Untagged resources are left to the identity policy's name fences.
var fenced = []string{"ec2:*", "elasticloadbalancing:*", "ecs:*", "application-autoscaling:*", "cloudwatch:*", "logs:*", "autoscaling:*", "rds:*",
	"acm:*", "acm-pca:*", "globalaccelerator:*", "lambda:*", "dynamodb:*", "sns:*", "sqs:*", "s3:*", "elasticbeanstalk:*", "xray:*", "cloudformation:*", "iam:*"}

// tagging are the actions that add or remove tags after creation ("*TagResource"
// is TagResource and UntagResource).
var tagging = []string{"ec2:CreateTags", "ec2:DeleteTags", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "ecs:TagResource", "ecs:UntagResource",
	"application-autoscaling:*TagResource", "cloudwatch:*TagResource", "globalaccelerator:*TagResource", "acm-pca:*TagCertificateAuthority",
	"iam:*TagRole", "iam:*TagPolicy", "tag:*TagResources"}

// Boundary is the class permissions boundary every student role carries: deny
// fences (region; tag-on-create; nothing tagged as someone else's; labdash's tags
// are not the student's to change; name and IAM path fences; no boundary escape;
// cost) under an allow-everything ceiling. It only limits: the identity policy
// grants. Adapted from LABS.md §1.1.
func Boundary(s ClassScope) PolicyDocument {
	acct := s.Account
	pfx := s.ClassID + studentTag + "-"
	return PolicyDocument{Version: "2012-10-17", Statement: []Statement{
		{Sid: "RegionFence", Effect: "Deny",
			NotAction: []string{"iam:*", "sts:*", "route53:*", "globalaccelerator:*"}, // the global services the labs use
			Resource:  "*", Condition: map[string]any{"StringNotEquals": map[string]any{"aws:RequestedRegion": s.Regions}}},
		// One statement per tag: the keys of one condition operator are ANDed, so a
		// single statement would let a create tagged with this class and another
		// student's slug through.
		{Sid: "CreateTaggedMine", Effect: "Deny", Action: createActions, Resource: createResources,
			Condition: map[string]any{"StringNotEquals": map[string]any{"aws:RequestTag/labdash:student": studentTag}}},
		{Sid: "CreateTaggedMyClass", Effect: "Deny", Action: createActions, Resource: createResources,
			Condition: map[string]any{"StringNotEquals": map[string]any{"aws:RequestTag/labdash:class": s.ClassID}}},
		{Sid: "UntypedTaggedMine", Effect: "Deny", Action: untypedCreates, Resource: "*",
			Condition: map[string]any{"StringNotEquals": map[string]any{"aws:RequestTag/labdash:student": studentTag}}},
		{Sid: "UntypedTaggedMyClass", Effect: "Deny", Action: untypedCreates, Resource: "*",
			Condition: map[string]any{"StringNotEquals": map[string]any{"aws:RequestTag/labdash:class": s.ClassID}}},
		// A resource tagged as someone else's (Null false: the tag is there) is out of reach;
		// an untagged one is left to the identity policy's name fences.
		{Sid: "NotOtherStudents", Effect: "Deny", Action: fenced, Resource: "*",
			Condition: map[string]any{"StringNotEquals": map[string]any{"aws:ResourceTag/labdash:student": studentTag}, "Null": map[string]any{"aws:ResourceTag/labdash:student": "false"}}},
		{Sid: "NotOtherClasses", Effect: "Deny", Action: fenced, Resource: "*",
			Condition: map[string]any{"StringNotEquals": map[string]any{"aws:ResourceTag/labdash:class": s.ClassID}, "Null": map[string]any{"aws:ResourceTag/labdash:class": "false"}}},
		{Sid: "ProtectLabTags", Effect: "Deny", Action: tagging, Resource: "*",
			Condition: map[string]any{"ForAnyValue:StringLike": map[string]any{"aws:TagKeys": []string{"labdash:*"}},
				"Null": map[string]any{"ec2:CreateAction": "true", "elasticloadbalancing:CreateAction": "true", "ecs:CreateAction": "true"}}},
		{Sid: "NameFenceWrites", Effect: "Deny",
			Action: []string{"s3:CreateBucket", "s3:DeleteBucket", "s3:Put*", "s3:DeleteObject*", "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:Update*",
				"lambda:AddPermission", "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:UpdateTable", "dynamodb:PutItem", "dynamodb:BatchWriteItem",
				"sns:CreateTopic", "sns:DeleteTopic", "sns:Subscribe", "sns:SetTopicAttributes", "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes",
				"logs:CreateLogGroup", "logs:DeleteLogGroup"},
			NotResource: []string{"arn:aws:s3:::" + pfx + "*", "arn:aws:s3:::" + pfx + "*/*", "arn:aws:lambda:*:*:function:" + pfx + "*",
				"arn:aws:dynamodb:*:*:table/" + pfx + "*", "arn:aws:sns:*:*:" + pfx + "*", "arn:aws:sqs:*:*:" + pfx + "*", "arn:aws:logs:*:*:log-group:*" + pfx + "*"}},
		{Sid: "IamPathFence", Effect: "Deny",
			Action: []string{"iam:CreateRole", "iam:DeleteRole", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
				"iam:UpdateAssumeRolePolicy", "iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile"},
			NotResource: []string{"arn:aws:iam::" + acct + ":role/labdash/" + s.ClassID + "/" + studentTag + "/*", "arn:aws:iam::" + acct + ":instance-profile/labdash/" + s.ClassID + "/" + studentTag + "/*"}},
		{Sid: "ForcedBoundary", Effect: "Deny", Action: []string{"iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"},
			Resource: "*", Condition: map[string]any{"StringNotEquals": map[string]any{"iam:PermissionsBoundary": BoundaryARN(acct, s.ClassID)}}},
		{Sid: "NoBoundaryEscape", Effect: "Deny", Action: []string{"iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:SetDefaultPolicyVersion"},
			Resource: []string{"arn:aws:iam::" + acct + ":role/*", BoundaryARN(acct, s.ClassID)}},
		{Sid: "PassOnlyMyRoles", Effect: "Deny", Action: "iam:PassRole",
			NotResource: []string{"arn:aws:iam::" + acct + ":role/labdash/" + s.ClassID + "/" + studentTag + "/*", "arn:aws:iam::" + acct + ":role/ecsTaskExecutionRole"}},
		{Sid: "CostFence", Effect: "Deny", Action: "ec2:RunInstances", Resource: "arn:aws:ec2:*:*:instance/*",
			Condition: map[string]any{"StringNotEquals": map[string]any{"ec2:InstanceType": []string{"t3.micro", "t3a.micro", "t2.micro", "t3.small"}}}},
		{Sid: "Ceiling", Effect: "Allow", Action: "*", Resource: "*"},
	}}
}

// IdentityPolicy is the class's common identity policy: the reads and
// service-linked roles every lab needs. Each lab's own grants are a policy of their
// own (LabPolicy), so no policy outgrows IAM's 6,144 characters as labs are added.
func IdentityPolicy(s ClassScope) PolicyDocument {
	g := s.grants()
	return PolicyDocument{Version: "2012-10-17", Statement: []Statement{
		g.InRegions(labs.Allow("Read", []string{"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeAvailabilityZones",
			"cloudformation:ListStacks", "tag:GetResources"}, "*")),
		g.InRegions(labs.Allow("ReadMyStacks", []string{"cloudformation:DescribeStacks", "cloudformation:DescribeStackResources", "cloudformation:DescribeStackEvents"},
			g.ARN("cloudformation", "stack/"+g.Prefix()+"*/*"))),
		labs.Allow("ReadMyRole", []string{"iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies"},
			g.Global("iam", "role/labdash/"+s.ClassID+"/"+studentTag+"/*")),
		{Sid: "ServiceLinkedRolesExist", Effect: "Allow", Action: "iam:CreateServiceLinkedRole", Resource: "*",
			Condition: map[string]any{"StringLike": map[string]any{"iam:AWSServiceName": []string{"ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com",
				"ecs.application-autoscaling.amazonaws.com", "globalaccelerator.amazonaws.com"}}}},
	}}
}

// LabPolicy is one lab's identity policy in the class: what its steps need,
// fenced to the calling student's own resources (labs.Lab.Grants).
func LabPolicy(s ClassScope, l labs.Lab) PolicyDocument {
	return PolicyDocument{Version: "2012-10-17", Statement: l.Grants(s.grants())}
}

// StudentPolicy is one of the managed policies every student role of a class carries.
type StudentPolicy struct {
	Name     string
	Purpose  string
	Boundary bool   // the permissions boundary (the others are attached identity policies)
	Lab      string // the lab whose grants it holds, for a lab's identity policy
	Document PolicyDocument
}

// StudentPolicies are the class's policies in the order provisioning creates them:
// the permissions boundary, the common identity policy, then one identity policy
// per lab with grants.
func StudentPolicies(s ClassScope) []StudentPolicy {
	out := []StudentPolicy{
		{Name: BoundaryName(s.ClassID), Purpose: "the ceiling every student role carries: what it can never do", Boundary: true, Document: Boundary(s)},
		{Name: IdentityPolicyName(s.ClassID), Purpose: "what every student role may do whatever the lab, inside the boundary", Document: IdentityPolicy(s)},
	}
	for _, l := range s.Labs {
		if l.Grants != nil {
			out = append(out, StudentPolicy{Name: LabPolicyName(s.ClassID, l.ID), Purpose: "what a student may do for " + l.Title + ", inside the boundary", Lab: l.ID, Document: LabPolicy(s, l)})
		}
	}
	return out
}

// AllPolicies are the policies of a class that takes every one of ls that has
// grants, in two regions: what the action table's generator and the policy tests read.
func AllPolicies(ls []labs.Lab) []PolicyDocument {
	var all []labs.Lab
	for _, l := range ls {
		if l.Grants != nil {
			all = append(all, l)
		}
	}
	s := ClassScope{ClassID: "cabcd", Account: "111122223333", Regions: []string{"us-east-1", "eu-west-1"}, Labs: all}
	var out []PolicyDocument
	for _, p := range StudentPolicies(s) {
		out = append(out, p.Document)
	}
	return out
}

// PolicySize counts a policy's characters the way IAM does for its size limit: white space excluded.
func PolicySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// Validate reports whether doc is a policy IAM would store: well-formed (authz.ParsePolicy:
// six-part ARNs, service:Action names, known operators) and within IAM's
// managed-policy size limit.
func Validate(doc string) error {
	if _, err := authz.ParsePolicy(doc); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if n := PolicySize(doc); n > MaxManagedPolicyChars {
		return fmt.Errorf("sandbox: policy has %d characters; IAM allows %d for a managed policy", n, MaxManagedPolicyChars)
	}
	return nil
}
