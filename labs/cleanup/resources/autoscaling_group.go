package resources

// AWS::AutoScaling::AutoScalingGroup — force-deleted (ForceDelete=true terminates
// its instances; without it AWS answers ResourceInUse or ScalingActivityInProgress
// while it has any), then the engine waits while it describes as "Delete in
// progress" until it no longer describes (LABS.md Lab 8: GroupNotExists). Its
// launch template, its Spot requests and any instances left over are types of
// their own that come after it. Its cost is its instances', which the plan lists
// as AWS::EC2::Instance (they carry its propagated tags, or are proven through
// aws:autoscaling:groupName), so the group itself adds none.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/labdash/labdash/labs/cloud"
)

const asgType = "AWS::AutoScaling::AutoScalingGroup"

func init() {
	Register(Type{
		Name:  asgType,
		Gone:  []NotFound{{Code: "ValidationError", Message: "AutoScalingGroup name not found"}}, // "AutoScalingGroup name not found - AutoScalingGroup 'x' not found"
		Match: MatchPrefix("autoscaling", "autoScalingGroup:"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			g, err := describeASG(ctx, c, asgName(r.ARN))
			if err != nil {
				return nil, err
			}
			return asgTags(g.Tags), nil
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var token *string
			for {
				out, err := c.ASG.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{MaxRecords: aws.Int32(100), NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, g := range out.AutoScalingGroups {
					name, tags := aws.ToString(g.AutoScalingGroupName), asgTags(g.Tags)
					if strings.HasPrefix(name, s.ClassID) { // the tagged ones come from the sweep
						found = append(found, Candidate{ARN: aws.ToString(g.AutoScalingGroupARN), Name: name, Tags: tags})
					}
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Naming: NamePrefix,
		NameOf: asgName,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			name := asgName(r.ARN)
			g, err := describeASG(ctx, c, name)
			if err != nil {
				return err
			}
			if aws.ToString(g.Status) != "" {
				return Waiting("deleting", "group is %q, %d instance(s) left", aws.ToString(g.Status), len(g.Instances))
			}
			if _, err := c.ASG.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String(name), ForceDelete: aws.Bool(true)}); err != nil {
				return err
			}
			return Waiting("deleting", "force delete started; %d instance(s) terminating", len(g.Instances))
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, asgName(r.ARN)}, nil },
	})
}

// asgName is the group name in …:autoScalingGroup:UUID:autoScalingGroupName/NAME.
func asgName(arn string) string {
	_, name, _ := strings.Cut(arn, ":autoScalingGroupName/")
	return name
}

func asgTags(tags []astypes.TagDescription) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// describeASG describes one group by name; a group that no longer describes is ErrGone.
func describeASG(ctx context.Context, c *cloud.Clients, name string) (*astypes.AutoScalingGroup, error) {
	out, err := c.ASG.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil {
		return nil, err
	}
	for i := range out.AutoScalingGroups {
		if aws.ToString(out.AutoScalingGroups[i].AutoScalingGroupName) == name {
			return &out.AutoScalingGroups[i], nil
		}
	}
	return nil, ErrGone
}
