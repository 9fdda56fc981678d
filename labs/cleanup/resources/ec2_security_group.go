package resources

// AWS::EC2::SecurityGroup — the groups a lab's stack makes and the ones students
// make by hand (found by the tag sweep when tagged, or by their class-prefixed name).
// A group is in use while a task ENI, a load balancer or another group's rule
// refers to it: AWS answers DependencyViolation, which the engine retries until
// those are gone (LABS.md §4: up to 20 minutes after an ENI is released).

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  "AWS::EC2::SecurityGroup",
		Gone:  []NotFound{{Code: "InvalidGroup.NotFound"}},
		After: []string{"AWS::ECS::Service", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup", "AWS::RDS::DBInstance", "AWS::Lambda::Function", "AWS::ElasticBeanstalk::Environment", "AWS::EC2::VPCEndpoint"},
		Match: MatchPrefix("ec2", "security-group/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			sg, err := describeSG(ctx, c, sgID(r.ARN))
			if err != nil {
				return nil, err
			}
			return ec2Tags(sg.Tags), nil
		},
		BatchTags: func(ctx context.Context, c *cloud.Clients, refs []Ref) (map[string]map[string]string, error) {
			out := map[string]map[string]string{}
			for _, chunk := range Chunks(refs, 200) {
				ids := make([]string, len(chunk))
				for i, r := range chunk {
					ids[i] = sgID(r.ARN)
				}
				d, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: ids}}})
				if err != nil {
					return nil, err
				}
				for _, g := range d.SecurityGroups {
					out[c.ARN("ec2", "security-group/"+aws.ToString(g.GroupId))] = ec2Tags(g.Tags)
				}
			}
			return out, nil
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			// Hand-made groups often carry no tags; their names start with the class prefix.
			var found []Candidate
			var token *string
			for {
				out, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{NextToken: token, Filters: []ec2types.Filter{
					{Name: aws.String("group-name"), Values: []string{s.ClassID + "*"}},
				}})
				if err != nil {
					return nil, err
				}
				for _, g := range out.SecurityGroups {
					found = append(found, Candidate{ARN: c.ARN("ec2", "security-group/"+aws.ToString(g.GroupId)), Name: aws.ToString(g.GroupName), Tags: ec2Tags(g.Tags)})
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Naming:   NamePrefix,
		Blockers: sgBlockers,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(sgID(r.ARN))})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, sgID(r.ARN)}, nil },
	})
}

func sgID(arn string) string { return Last(arn, "/") }

func describeSG(ctx context.Context, c *cloud.Clients, id string) (*ec2types.SecurityGroup, error) {
	out, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(out.SecurityGroups) == 0 {
		return nil, ErrGone
	}
	return &out.SecurityGroups[0], nil
}

func ec2Tags(tags []ec2types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
