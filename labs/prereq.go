package labs

// Prerequisite stacks: where a lab's template is deployed for a student, under
// which name, with which parameters. Provisioning (labs/sandbox) and the virtual
// students (labs/virtual) both deploy them this way.

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/goccy/go-yaml"

	"github.com/labdash/labdash/labs/cloud"
)

// StackRegions are the regions the lab's prerequisite stack goes to for a class
// whose first region is home: the lab's own Regions, or home.
func (l Lab) StackRegions(home string) []string {
	if len(l.Regions) > 0 {
		return l.Regions
	}
	return []string{home}
}

// MissingRegions are the regions the lab needs (its own Regions) that a class with
// regions lacks, in the lab's order; none for a lab that runs in the class's first
// region. A class missing one would run the lab in a region it never chose.
func (l Lab) MissingRegions(regions []string) []string {
	var out []string
	for _, r := range l.Regions {
		if !slices.Contains(regions, r) {
			out = append(out, r)
		}
	}
	return out
}

// StackName is a student's prerequisite stack of the lab in region (LABS.md §0):
// <prefix><lab>-pre, and <prefix><lab>-pre-<region> for a lab spanning regions.
func (l Lab) StackName(prefix, region string) string {
	if len(l.Regions) > 1 {
		return prefix + l.ID + "-pre-" + region
	}
	return prefix + l.ID + "-pre"
}

// StackTags are a prerequisite stack's tags (LABS.md §0); CloudFormation passes
// them on to every resource the stack makes.
func (l Lab) StackTags(classID, student string) []cfntypes.Tag {
	return []cfntypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(classID)}, {Key: aws.String("labdash:student"), Value: aws.String(student)},
		{Key: aws.String("labdash:lab"), Value: aws.String(l.ID)}, {Key: aws.String("labdash:managed-by"), Value: aws.String("dashboard")}}
}

// StackEnv is what a lab's StackParams may use: the clients of the account and
// region the stack goes to, and the student it is for.
type StackEnv struct {
	C *cloud.Clients
	T Target
}

// parsedParameters holds, by the template's sha256, the names of the parameters
// it declares: provisioning a class asks once per student, and parsing the YAML
// each time cost a tenth of a 2,000-student rehearsal's CPU. Templates are
// embedded, so the map holds one entry per lab.
var parsedParameters sync.Map // [32]byte → map[string]bool

// templateParameters returns the names of the parameters template declares.
func templateParameters(template []byte) (map[string]bool, error) {
	key := sha256.Sum256(template)
	if v, ok := parsedParameters.Load(key); ok {
		return v.(map[string]bool), nil
	}
	var tmpl struct {
		Parameters map[string]any `yaml:"Parameters"`
	}
	if err := yaml.Unmarshal(template, &tmpl); err != nil {
		return nil, err
	}
	names := make(map[string]bool, len(tmpl.Parameters))
	for k := range tmpl.Parameters {
		names[k] = true
	}
	parsedParameters.Store(key, names)
	return names, nil
}

// StackParameters are the values for the parameters the template declares: the
// common ones, Prefix (the student's name prefix), GroupName (class and student,
// e.g. c42s07), RolePath (/labdash/<class>/<student>/), PermissionsBoundary,
// VpcId (the region's default VPC) and Subnets (two of its subnets, in different
// Availability Zones), and those the lab's StackParams gives.
func StackParameters(ctx context.Context, c *cloud.Clients, l Lab, t Target) ([]cfntypes.Parameter, error) {
	prefix := t.Prefix
	declaredSet, err := templateParameters(l.Template)
	if err != nil {
		return nil, fmt.Errorf("the prerequisite template of %s does not parse: %w", l.ID, err)
	}
	var params []cfntypes.Parameter
	add := func(k, v string) {
		params = append(params, cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
	}
	declared := func(k string) bool { return declaredSet[k] }
	if declared("Prefix") {
		add("Prefix", prefix)
	}
	if declared("GroupName") {
		add("GroupName", t.ClassID+t.StudentID)
	}
	if declared("RolePath") {
		add("RolePath", "/labdash/"+t.ClassID+"/"+t.StudentID+"/")
	}
	if declared("PermissionsBoundary") {
		add("PermissionsBoundary", BoundaryARN(c.Account, t.ClassID))
	}
	if l.StackParams != nil {
		own, err := l.StackParams(ctx, StackEnv{C: c, T: t})
		if err != nil {
			return nil, fmt.Errorf("stack parameters of %s: %w", l.ID, err)
		}
		keys := make([]string, 0, len(own))
		for k := range own {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !declared(k) {
				return nil, fmt.Errorf("stack parameters of %s: the template declares no %s", l.ID, k)
			}
			add(k, own[k])
		}
	}
	needVPC, needSubnets := declared("VpcId"), declared("Subnets")
	if needVPC || needSubnets {
		vpcs, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}})
		if err != nil || len(vpcs.Vpcs) == 0 {
			vpcs, err = c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		}
		if err != nil || len(vpcs.Vpcs) == 0 {
			return nil, fmt.Errorf("no VPC in %s for the prerequisite stack: %v", c.Region, err)
		}
		vpc := aws.ToString(vpcs.Vpcs[0].VpcId)
		if needVPC {
			add("VpcId", vpc)
		}
		if needSubnets {
			subs, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
			if err != nil {
				return nil, fmt.Errorf("subnets of %s: %w", vpc, err)
			}
			sort.Slice(subs.Subnets, func(i, j int) bool {
				return aws.ToString(subs.Subnets[i].AvailabilityZone) < aws.ToString(subs.Subnets[j].AvailabilityZone)
			})
			var picked []string
			seen := map[string]bool{}
			for _, s := range subs.Subnets {
				if az := aws.ToString(s.AvailabilityZone); !seen[az] && len(picked) < 2 {
					seen[az] = true
					picked = append(picked, aws.ToString(s.SubnetId))
				}
			}
			if len(picked) < 2 {
				return nil, fmt.Errorf("the default VPC in %s has subnets in %d Availability Zone(s); the lab needs two", c.Region, len(picked))
			}
			add("Subnets", picked[0]+","+picked[1])
		}
	}
	return params, nil
}

// CreatePrereqStack starts the student's prerequisite stack of the lab in c's
// region: its name (StackName), parameters (StackParameters), the lab's
// Capabilities and the stack tags plus extra. A stack that already exists is
// left as it is. It returns the stack's name; StackOutputs waits for it.
func CreatePrereqStack(ctx context.Context, c *cloud.Clients, l Lab, t Target, extra ...cfntypes.Tag) (string, error) {
	name := l.StackName(t.Prefix, c.Region)
	params, err := StackParameters(ctx, c, l, t)
	if err != nil {
		return name, err
	}
	_, err = c.CloudFormation.CreateStack(ctx, &cloudformation.CreateStackInput{
		StackName: aws.String(name), TemplateBody: aws.String(string(l.Template)), Parameters: params,
		Capabilities: l.Capabilities, Tags: append(l.StackTags(t.ClassID, t.StudentID), extra...),
	})
	var ae smithy.APIError
	if err != nil && !(errors.As(err, &ae) && ae.ErrorCode() == "AlreadyExistsException") {
		return name, fmt.Errorf("create stack %s: %w", name, err)
	}
	return name, nil
}

// DescribeStack returns the stack called name, or nil when CloudFormation says it
// does not exist (ValidationError "… does not exist"); any other error (throttling,
// an outage) is returned, never read as "missing", so no caller creates a stack
// that is there.
func DescribeStack(ctx context.Context, c *cloud.Clients, name string) (*cfntypes.Stack, error) {
	out, err := c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist") {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe stack %s: %w", name, err)
	}
	if len(out.Stacks) == 0 {
		return nil, nil
	}
	return &out.Stacks[0], nil
}

// StackOutputs returns a finished stack's outputs by key, and ErrNotYet while the
// stack is missing or still being created.
func StackOutputs(ctx context.Context, c *cloud.Clients, name string) (map[string]string, error) {
	out, err := c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		return nil, err
	}
	if len(out.Stacks) == 0 || out.Stacks[0].StackStatus != cfntypes.StackStatusCreateComplete {
		return nil, ErrNotYet
	}
	m := map[string]string{}
	for _, o := range out.Stacks[0].Outputs {
		m[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return m, nil
}

// BoundaryARN is the class's student permissions boundary in account (the sandbox
// package creates it; roles the labs' stacks make carry it).
func BoundaryARN(account, classID string) string {
	return "arn:aws:iam::" + account + ":policy/" + classID + "-student-boundary"
}
