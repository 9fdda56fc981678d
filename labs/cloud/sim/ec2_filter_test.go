package sim

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// EC2 filter wildcards: * is any run of characters, "/" included, ? one character.
func TestEC2FilterWildcards(t *testing.T) {
	e := newEnv(t)
	vpcID, _ := e.w.ClassVPC("", "us-east-1")
	if _, err := e.c.EC2.CreateSecurityGroup(e.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("labdash/c42/s07 web"), VpcId: aws.String(vpcID),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: []ec2types.Tag{{Key: aws.String("path"), Value: aws.String("/ecs/c42s07")}}}}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		filter, value string
		want          int
	}{
		{"description", "labdash/*", 1},
		{"description", "*/s07 web", 1},
		{"description", "labdash/c4?/s07 web", 1},
		{"description", "labdash/c4?", 0},
		{"tag:path", "/ecs/*", 1},
		{"group-name", "w*", 1},
		{"group-name", "[w]eb", 0}, // no character classes in EC2 filters
	} {
		out, err := e.c.EC2.DescribeSecurityGroups(e.ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String(tc.filter), Values: []string{tc.value}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.SecurityGroups) != tc.want {
			t.Errorf("%s=%q: %d groups, want %d", tc.filter, tc.value, len(out.SecurityGroups), tc.want)
		}
	}
}
