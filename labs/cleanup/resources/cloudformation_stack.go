package resources

// AWS::CloudFormation::Stack — a lab's prerequisite stack, deleted after what the
// student built on top of it (their services hold its security groups and target
// groups). DELETE_FAILED is usually such a hand-made dependent; its own item
// deletes it, and the next attempt deletes the stack again. labdash never passes
// RetainResources: that would orphan a billable resource outside every stack and
// every plan. A stack still failing at the engine's deadline is reported with the
// resources that block it.

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/labdash/labdash/labs/cloud"
)

// stackAfter: everything a student may have built on a prerequisite stack.
var stackAfter = []string{
	"AWS::ECS::Service", "AWS::ECS::Cluster", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup",
	"AWS::EC2::SecurityGroup", "AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::Instance", "AWS::ElasticBeanstalk::Environment",
	"AWS::GlobalAccelerator::Accelerator", "AWS::Lambda::Function", "AWS::RDS::DBInstance", "AWS::Route53::RecordSet",
}

func init() {
	Register(Type{
		Name:   "AWS::CloudFormation::Stack",
		Gone:   []NotFound{{Code: "ValidationError", Message: "does not exist"}}, // "Stack with id … does not exist"
		After:  stackAfter,
		Match:  MatchPrefix("cloudformation", "stack/"),
		Naming: NamePrefix,
		NameOf: func(arn string) string { return pathPart(arn, 1) },
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(r.ARN)})
			if err != nil {
				return nil, err
			}
			if len(out.Stacks) == 0 || out.Stacks[0].StackStatus == cfntypes.StackStatusDeleteComplete {
				return nil, ErrGone
			}
			m := map[string]string{}
			for _, t := range out.Stacks[0].Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			return m, nil
		},
		BatchTags: func(ctx context.Context, c *cloud.Clients, refs []Ref) (map[string]map[string]string, error) {
			if len(refs) < 3 {
				return nil, ErrNoBatch
			}
			out := map[string]map[string]string{}
			var token *string
			for {
				d, err := c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, st := range d.Stacks {
					if st.StackStatus == cfntypes.StackStatusDeleteComplete {
						continue
					}
					m := map[string]string{}
					for _, t := range st.Tags {
						m[aws.ToString(t.Key)] = aws.ToString(t.Value)
					}
					out[aws.ToString(st.StackId)] = m
				}
				if token = d.NextToken; aws.ToString(token) == "" {
					return out, nil
				}
			}
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			out, err := c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(r.ARN)})
			if err != nil {
				return err
			}
			if len(out.Stacks) == 0 || out.Stacks[0].StackStatus == cfntypes.StackStatusDeleteComplete {
				return ErrGone
			}
			st := out.Stacks[0]
			if strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS") {
				return Waiting("deleting", "%s", st.StackStatus)
			}
			step, detail := "deleting", "delete requested"
			if st.StackStatus == cfntypes.StackStatusDeleteFailed {
				step, detail = "retrying", "DELETE_FAILED, trying again: "+blockers(ctx, c, r.ARN, aws.ToString(st.StackStatusReason))
			}
			if _, err := c.CloudFormation.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(r.ARN)}); err != nil {
				return err
			}
			return Waiting(step, "%s", detail)
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}

// blockers names the stack's resources whose deletion failed, and why.
func blockers(ctx context.Context, c *cloud.Clients, stack, reason string) string {
	out, err := c.CloudFormation.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(stack)})
	if err != nil {
		return reason
	}
	var b []string
	for _, rs := range out.StackResources {
		if rs.ResourceStatus == cfntypes.ResourceStatusDeleteFailed {
			b = append(b, fmt.Sprintf("%s %s (%s): %s", aws.ToString(rs.ResourceType), aws.ToString(rs.LogicalResourceId), aws.ToString(rs.PhysicalResourceId), aws.ToString(rs.ResourceStatusReason)))
		}
	}
	if len(b) == 0 {
		return reason
	}
	return strings.Join(b, "; ")
}
