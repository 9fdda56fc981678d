package ownpolicy

// What CloudFormation needs to build and delete the labs' prerequisite stacks.
// labdash creates them without a service role, so CloudFormation acts with
// labdash's own permissions: every resource of every embedded template needs
// its create, tag, describe and delete actions in labdash's policy.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/labdash/labdash/labs"
)

// stackActions are what CloudFormation calls for one resource type of a template.
type stackActions struct {
	// Create: to create the resource, tag it with the stack's tags and read it
	// back until it is ready. Provisioning needs these and Delete (a failed
	// create rolls back; deprovisioning deletes the stack).
	Create []string
	// Delete: to delete it (and what it must undo or read first). Cleanup,
	// which deletes the stacks of a class, needs only these.
	Delete []string
}

// stackResources maps each resource type the labs' templates use to what
// CloudFormation does with it. A template type missing here fails
// TestOwnPolicyTemplateTypesAreInTheTable, naming the type.
var stackResources = map[string]stackActions{
	"AWS::EC2::SecurityGroup": {
		Create: []string{"ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:CreateTags", "ec2:DescribeSecurityGroups"},
		Delete: []string{"ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupIngress", "ec2:DescribeSecurityGroups"},
	},
	"AWS::EC2::Instance": {
		Create: []string{"ec2:RunInstances", "ec2:CreateTags", "ec2:DescribeInstances"},
		Delete: []string{"ec2:TerminateInstances", "ec2:DescribeInstances"},
	},
	"AWS::Logs::LogGroup": {
		Create: []string{"logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "logs:TagLogGroup", "logs:DescribeLogGroups"},
		Delete: []string{"logs:DeleteLogGroup", "logs:DescribeLogGroups"},
	},
	"AWS::ElasticLoadBalancingV2::LoadBalancer": {
		Create: []string{"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:AddTags",
			"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes"},
		Delete: []string{"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DescribeLoadBalancers"},
	},
	"AWS::ElasticLoadBalancingV2::TargetGroup": {
		Create: []string{"elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:RegisterTargets",
			"elasticloadbalancing:AddTags", "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes"},
		Delete: []string{"elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:DescribeTargetGroups"},
	},
	"AWS::ElasticLoadBalancingV2::Listener": {
		Create: []string{"elasticloadbalancing:CreateListener", "elasticloadbalancing:AddTags", "elasticloadbalancing:DescribeListeners"},
		Delete: []string{"elasticloadbalancing:DeleteListener", "elasticloadbalancing:DescribeListeners"},
	},
	"AWS::DynamoDB::Table": {
		Create: []string{"dynamodb:CreateTable", "dynamodb:TagResource", "dynamodb:DescribeTable", "dynamodb:ListTagsOfResource", "dynamodb:DescribeTimeToLive", "dynamodb:DescribeContinuousBackups"},
		Delete: []string{"dynamodb:DeleteTable", "dynamodb:DescribeTable"},
	},
	"AWS::SNS::Topic": {
		Create: []string{"sns:CreateTopic", "sns:TagResource", "sns:GetTopicAttributes", "sns:ListTagsForResource"},
		Delete: []string{"sns:DeleteTopic", "sns:GetTopicAttributes"},
	},
	"AWS::SNS::Subscription": {
		Create: []string{"sns:Subscribe", "sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic"},
		Delete: []string{"sns:Unsubscribe", "sns:GetSubscriptionAttributes"},
	},
	"AWS::SQS::Queue": {
		Create: []string{"sqs:CreateQueue", "sqs:TagQueue", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"},
		Delete: []string{"sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"},
	},
	"AWS::SQS::QueuePolicy": {
		Create: []string{"sqs:SetQueueAttributes", "sqs:GetQueueAttributes"},
		Delete: []string{"sqs:SetQueueAttributes"},
	},
	"AWS::IAM::Role": {
		Create: []string{"iam:CreateRole", "iam:TagRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:GetRole", "iam:ListAttachedRolePolicies"},
		Delete: []string{"iam:DeleteRole", "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies"},
	},
	"AWS::IAM::RolePolicy": {
		Create: []string{"iam:PutRolePolicy", "iam:GetRolePolicy"},
		Delete: []string{"iam:DeleteRolePolicy", "iam:GetRolePolicy"},
	},
	"AWS::IAM::InstanceProfile": {
		// AddRoleToInstanceProfile passes the role (the Service Authorization
		// Reference lists iam:PassRole as its dependent action).
		Create: []string{"iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile", "iam:PassRole", "iam:GetInstanceProfile"},
		Delete: []string{"iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile", "iam:GetInstanceProfile"},
	},
	"AWS::ElasticBeanstalk::Application": {
		Create: []string{"elasticbeanstalk:CreateApplication", "elasticbeanstalk:AddTags", "elasticbeanstalk:DescribeApplications"},
		Delete: []string{"elasticbeanstalk:DeleteApplication", "elasticbeanstalk:DescribeApplications"},
	},
	"AWS::ElasticBeanstalk::ApplicationVersion": {
		// Elastic Beanstalk reads the source bundle with the caller's permissions.
		Create: []string{"elasticbeanstalk:CreateApplicationVersion", "elasticbeanstalk:DescribeApplicationVersions", "s3:GetObject"},
		Delete: []string{"elasticbeanstalk:DeleteApplicationVersion", "elasticbeanstalk:DescribeApplicationVersions"},
	},
	// Elastic Beanstalk builds an environment with a CloudFormation stack of its
	// own (awseb-…), on the caller's permissions too: a single-instance
	// environment is an Auto Scaling group of one instance from a launch
	// template, a security group and an Elastic IP, and its files go to
	// Beanstalk's storage bucket. It passes the instance profile's role.
	"AWS::ElasticBeanstalk::Environment": {
		Create: []string{"elasticbeanstalk:CreateEnvironment", "elasticbeanstalk:AddTags", "elasticbeanstalk:CreateStorageLocation", "elasticbeanstalk:DescribeEnvironments",
			"elasticbeanstalk:DescribeEnvironmentResources", "elasticbeanstalk:DescribeEvents", "iam:PassRole", "iam:GetInstanceProfile",
			"cloudformation:CreateStack", "cloudformation:DescribeStacks", "cloudformation:DescribeStackResource", "cloudformation:DescribeStackResources", "cloudformation:DescribeStackEvents", "cloudformation:GetTemplate",
			"autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup", "autoscaling:CreateOrUpdateTags", "autoscaling:SuspendProcesses", "autoscaling:ResumeProcesses",
			"autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities",
			"ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions", "ec2:RunInstances", "ec2:DescribeInstances",
			"ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:DescribeSecurityGroups", "ec2:AllocateAddress", "ec2:AssociateAddress", "ec2:DescribeAddresses",
			"ec2:DescribeImages", "ec2:DescribeAccountAttributes", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:CreateTags",
			"s3:CreateBucket", "s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"},
		Delete: []string{"elasticbeanstalk:TerminateEnvironment", "elasticbeanstalk:DescribeEnvironments", "elasticbeanstalk:DescribeEvents",
			"cloudformation:DeleteStack", "cloudformation:DescribeStacks",
			"autoscaling:DeleteAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup", "autoscaling:DescribeAutoScalingGroups",
			"ec2:DeleteLaunchTemplate", "ec2:TerminateInstances", "ec2:DescribeInstances", "ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupIngress",
			"ec2:DescribeSecurityGroups", "ec2:DisassociateAddress", "ec2:ReleaseAddress", "ec2:DescribeAddresses"},
	},
	"AWS::XRay::Group": {
		Create: []string{"xray:CreateGroup", "xray:TagResource", "xray:GetGroup"},
		Delete: []string{"xray:DeleteGroup", "xray:GetGroup"},
	},
}

// stackParameters maps the AWS-specific parameter types the templates declare to
// what CloudFormation reads, with the caller's permissions, to check a value.
var stackParameters = map[string][]string{
	"AWS::EC2::VPC::Id":          {"ec2:DescribeVpcs"},
	"AWS::EC2::Subnet::Id":       {"ec2:DescribeSubnets"},
	"List<AWS::EC2::Subnet::Id>": {"ec2:DescribeSubnets"},
	// Lab 8's image: CloudFormation reads the parameter (its Default, AWS's public
	// AL2023 parameter) with the caller's ssm:GetParameters.
	"AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>": {"ssm:GetParameters"},
}

// stackReferences maps the dynamic references the templates use
// ({{resolve:ssm:/aws/service/…}}, an AMI id) to what CloudFormation calls to
// resolve them. Only AWS's public parameters are resolved: see publicParameters.
var stackReferences = map[string][]string{
	"ssm": {"ssm:GetParameters"},
}

// template is what the scanner reads of a prerequisite template.
type template struct {
	Parameters map[string]struct {
		Type string `yaml:"Type"`
	} `yaml:"Parameters"`
	Resources map[string]struct {
		Type string `yaml:"Type"`
	} `yaml:"Resources"`
}

// StackNeeds are the actions CloudFormation needs for the labs' templates, with
// the lab and template item that needs each: create (to create and roll back a
// stack) and delete (to delete one).
type StackNeeds struct {
	Create, Delete map[string][]string // action → "fargate: AlbSecurityGroup (AWS::EC2::SecurityGroup)", …
	// Unknown are the template items the tables have no entry for.
	Unknown []string
}

// Stacks reads every lab's template and maps its resources, AWS-specific
// parameters and dynamic references to actions.
func Stacks(ls []labs.Lab) (StackNeeds, error) {
	n := StackNeeds{Create: map[string][]string{}, Delete: map[string][]string{}}
	add := func(m map[string][]string, actions []string, why string) {
		for _, a := range actions {
			m[a] = append(m[a], why)
		}
	}
	for _, l := range ls {
		if len(l.Template) == 0 {
			continue
		}
		var t template
		if err := yaml.Unmarshal(l.Template, &t); err != nil {
			return n, fmt.Errorf("ownpolicy: lab %s: the prerequisite template does not parse: %w", l.ID, err)
		}
		for _, name := range sortedKeys(t.Resources) {
			typ := t.Resources[name].Type
			why := fmt.Sprintf("%s: %s (%s)", l.ID, name, typ)
			a, ok := stackResources[typ]
			if !ok {
				n.Unknown = append(n.Unknown, fmt.Sprintf("lab %s: resource %s of type %s", l.ID, name, typ))
				continue
			}
			add(n.Create, a.Create, why)
			add(n.Delete, a.Delete, why)
		}
		for _, name := range sortedKeys(t.Parameters) {
			typ := t.Parameters[name].Type
			if !strings.Contains(typ, "AWS::") {
				continue
			}
			a, ok := stackParameters[typ]
			if !ok {
				n.Unknown = append(n.Unknown, fmt.Sprintf("lab %s: parameter %s of type %s", l.ID, name, typ))
				continue
			}
			add(n.Create, a, fmt.Sprintf("%s: parameter %s (%s)", l.ID, name, typ))
		}
		for _, ref := range strings.Split(string(l.Template), "{{resolve:")[1:] {
			kind, rest, _ := strings.Cut(ref, ":")
			a, ok := stackReferences[kind]
			if !ok || (kind == "ssm" && !strings.HasPrefix(rest, publicParameterPath)) {
				n.Unknown = append(n.Unknown, fmt.Sprintf("lab %s: dynamic reference {{resolve:%s", l.ID, strings.SplitN(ref, "}}", 2)[0]))
				continue
			}
			add(n.Create, a, fmt.Sprintf("%s: {{resolve:%s", l.ID, strings.SplitN(ref, "}}", 2)[0]))
		}
	}
	return n, nil
}

// publicParameterPath is where AWS publishes its public SSM parameters (the
// latest Amazon Linux AMI ids); the templates resolve only those.
const publicParameterPath = "/aws/service/"

// TableActions lists every action of the template tables, sorted: each must
// name an action AWS has (TestOwnPolicyStackTableActionsExist).
func TableActions() []string {
	return tableActions(false)
}

// NamedActions lists every action the documents may name besides those of
// cloud.Operations: the template tables', the implied ones and the provider's,
// sorted. The action table (labs/cloud/authz's genactions) carries their facts.
func NamedActions() []string {
	return tableActions(true)
}

func tableActions(all bool) []string {
	seen := map[string]bool{}
	if all {
		for _, as := range implied {
			for _, a := range as {
				seen[a] = true
			}
		}
		for _, n := range providerNeeds {
			seen[n.action] = true
		}
	}
	for _, a := range stackResources {
		for _, x := range append(append([]string{}, a.Create...), a.Delete...) {
			seen[x] = true
		}
	}
	for _, m := range []map[string][]string{stackParameters, stackReferences} {
		for _, as := range m {
			for _, x := range as {
				seen[x] = true
			}
		}
	}
	return sortedKeys(seen)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
