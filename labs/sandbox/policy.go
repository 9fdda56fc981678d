// Package sandbox builds per-student sandboxes: the class permissions boundary and
// identity policy, a fenced role per student, prerequisite stacks and the ledger of
// everything created. This file holds the policy documents (LABS.md §1.1).
package sandbox

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// MaxManagedPolicyChars is IAM's size limit for a customer-managed policy, counted
// without white space.
const MaxManagedPolicyChars = 6144

// PolicyDocument is an IAM policy.
type PolicyDocument struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one IAM policy statement.
type Statement struct {
	Sid         string         `json:"Sid,omitempty"`
	Effect      string         `json:"Effect"`
	Action      any            `json:"Action,omitempty"`
	NotAction   any            `json:"NotAction,omitempty"`
	Resource    any            `json:"Resource,omitempty"`
	NotResource any            `json:"NotResource,omitempty"`
	Condition   map[string]any `json:"Condition,omitempty"`
}

// ClassScope is what the class's policies are written for.
type ClassScope struct {
	ClassID string   // "c42"
	Account string   // 12 digits
	Regions []string // the class's regions
}

const studentTag = "${aws:PrincipalTag/labdash:student}"

// BoundaryName is the class boundary's policy name.
func BoundaryName(classID string) string { return classID + "-student-boundary" }

// Boundary is the class permissions boundary: deny fences that every student role
// carries (region fence, tag-on-create, mutate-only-mine, name and IAM path fences,
// no boundary escape, cost fence) under an allow-everything ceiling. Adapted from
// LABS.md §1.1; the identity policy grants the real permissions.
func Boundary(s ClassScope) PolicyDocument {
	acct := s.Account
	pfx := "${aws:PrincipalTag/labdash:class}" + studentTag + "-"
	return PolicyDocument{Version: "2012-10-17", Statement: []Statement{
		{Sid: "RegionFence", Effect: "Deny",
			NotAction: []string{"iam:*", "sts:*", "route53:*", "globalaccelerator:*", "cloudfront:*", "support:*", "health:*", "tag:GetResources"},
			Resource:  "*", Condition: map[string]any{"StringNotEquals": map[string]any{"aws:RequestedRegion": s.Regions}}},
		{Sid: "CreateMustCarryMyTag", Effect: "Deny",
			Action: []string{"ec2:RunInstances", "ec2:CreateSecurityGroup", "ec2:CreateLaunchTemplate", "elasticloadbalancing:CreateLoadBalancer",
				"elasticloadbalancing:CreateTargetGroup", "ecs:CreateCluster", "ecs:CreateService", "autoscaling:CreateAutoScalingGroup",
				"rds:CreateDBInstance", "acm:RequestCertificate", "acm-pca:CreateCertificateAuthority", "globalaccelerator:CreateAccelerator"},
			Resource: []string{"arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*:*:security-group/*", "arn:aws:ec2:*:*:launch-template/*",
				"arn:aws:elasticloadbalancing:*", "arn:aws:ecs:*", "arn:aws:autoscaling:*", "arn:aws:rds:*:*:db:*", "arn:aws:acm:*", "arn:aws:acm-pca:*", "arn:aws:globalaccelerator::*:*"},
			Condition: map[string]any{"StringNotEquals": map[string]any{"aws:RequestTag/labdash:student": studentTag}}},
		{Sid: "MutateOnlyMine", Effect: "Deny",
			Action: []string{"ec2:TerminateInstances", "ec2:StopInstances", "ec2:StartInstances", "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress",
				"ec2:DeleteSecurityGroup", "ec2:DeleteLaunchTemplate", "elasticloadbalancing:Delete*", "elasticloadbalancing:Modify*", "elasticloadbalancing:CreateListener",
				"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets", "ecs:UpdateService", "ecs:DeleteService", "ecs:StopTask", "ecs:DeleteCluster",
				"autoscaling:UpdateAutoScalingGroup", "autoscaling:DeleteAutoScalingGroup", "autoscaling:SetDesiredCapacity", "rds:DeleteDBInstance", "rds:ModifyDBInstance",
				"rds:StopDBInstance", "acm:DeleteCertificate", "acm-pca:UpdateCertificateAuthority", "acm-pca:DeleteCertificateAuthority", "acm-pca:IssueCertificate",
				"globalaccelerator:Update*", "globalaccelerator:Delete*", "globalaccelerator:CreateListener", "globalaccelerator:CreateEndpointGroup"},
			Resource: "*", Condition: map[string]any{"StringNotEquals": map[string]any{"aws:ResourceTag/labdash:student": studentTag}}},
		{Sid: "ProtectLabTags", Effect: "Deny",
			Action:   []string{"ec2:CreateTags", "ec2:DeleteTags", "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "ecs:TagResource", "ecs:UntagResource", "tag:TagResources", "tag:UntagResources"},
			Resource: "*", Condition: map[string]any{"ForAnyValue:StringLike": map[string]any{"aws:TagKeys": []string{"labdash:*"}},
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
		{Sid: "ForcedBoundary", Effect: "Deny", Action: []string{"iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:PutRolePolicy"},
			Resource: "*", Condition: map[string]any{"StringNotEquals": map[string]any{"iam:PermissionsBoundary": "arn:aws:iam::" + acct + ":policy/" + BoundaryName(s.ClassID)}}},
		{Sid: "NoBoundaryEscape", Effect: "Deny", Action: []string{"iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:SetDefaultPolicyVersion"},
			Resource: []string{"arn:aws:iam::" + acct + ":role/*", "arn:aws:iam::" + acct + ":policy/" + BoundaryName(s.ClassID)}},
		{Sid: "PassOnlyMyRoles", Effect: "Deny", Action: "iam:PassRole",
			NotResource: []string{"arn:aws:iam::" + acct + ":role/labdash/" + s.ClassID + "/" + studentTag + "/*", "arn:aws:iam::" + acct + ":role/ecsTaskExecutionRole"}},
		{Sid: "CostFence", Effect: "Deny", Action: "ec2:RunInstances", Resource: "arn:aws:ec2:*:*:instance/*",
			Condition: map[string]any{"StringNotEquals": map[string]any{"ec2:InstanceType": []string{"t3.micro", "t3a.micro", "t2.micro", "t3.small"}}}},
		{Sid: "Ceiling", Effect: "Allow", Action: "*", Resource: "*"},
	}}
}

// IdentityPolicy is the class identity policy every student role carries: the
// services the labs use, allowed, inside the boundary's fences.
func IdentityPolicy(s ClassScope) PolicyDocument {
	return PolicyDocument{Version: "2012-10-17", Statement: []Statement{
		{Sid: "LabServices", Effect: "Allow", Action: []string{"ecs:*", "elasticloadbalancing:*", "application-autoscaling:*", "cloudwatch:*", "logs:*",
			"ec2:Describe*", "ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup",
			"ec2:CreateTags", "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "tag:GetResources", "cloudformation:Describe*", "cloudformation:List*"},
			Resource: "*", Condition: map[string]any{"StringEquals": map[string]any{"aws:RequestedRegion": s.Regions}}},
		{Sid: "ReadIAMForConsoles", Effect: "Allow", Action: []string{"iam:GetRole", "iam:ListRoles", "iam:ListAttachedRolePolicies", "iam:PassRole"}, Resource: "*"},
		{Sid: "ServiceLinkedRolesExist", Effect: "Allow", Action: "iam:CreateServiceLinkedRole", Resource: "*",
			Condition: map[string]any{"StringLike": map[string]any{"iam:AWSServiceName": []string{"ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "ecs.application-autoscaling.amazonaws.com"}}}},
	}}
}

// JSON renders a policy compactly.
func (p PolicyDocument) JSON() (string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("sandbox: render policy: %w", err)
	}
	return string(b), nil
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

// Validate reports whether doc is a well-formed policy within IAM's managed-policy size limit.
func Validate(doc string) error {
	var p PolicyDocument
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("sandbox: policy is not valid JSON: %w", err)
	}
	if p.Version != "2012-10-17" {
		return fmt.Errorf("sandbox: policy version %q; want 2012-10-17", p.Version)
	}
	if len(p.Statement) == 0 {
		return fmt.Errorf("sandbox: policy has no statements")
	}
	for i, st := range p.Statement {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return fmt.Errorf("sandbox: statement %d has effect %q", i, st.Effect)
		}
		if (st.Action == nil) == (st.NotAction == nil) {
			return fmt.Errorf("sandbox: statement %d needs exactly one of Action and NotAction", i)
		}
		if (st.Resource == nil) == (st.NotResource == nil) {
			return fmt.Errorf("sandbox: statement %d needs exactly one of Resource and NotResource", i)
		}
	}
	if n := PolicySize(doc); n > MaxManagedPolicyChars {
		return fmt.Errorf("sandbox: policy has %d characters; IAM allows %d for a managed policy", n, MaxManagedPolicyChars)
	}
	return nil
}
