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

// The compiled filters (DescribeInstances, DescribeSpotInstanceRequests) match
// exactly as filterSet.match does: literal values, wildcards, several filters
// joined by AND, a resource with no value for a filter, an unknown filter name.
func TestCompiledFiltersMatchAsFilterSet(t *testing.T) {
	attrs := map[string][]string{"tag:aws:autoscaling:groupName": {"c42s07-asg"}, "instance-state-name": {"running"}, "tag:none": nil}
	attr := func(name string) ([]string, bool) { v, ok := attrs[name]; return v, ok }
	f := func(name string, values ...string) ec2types.Filter {
		return ec2types.Filter{Name: aws.String(name), Values: values}
	}
	for _, fs := range []filterSet{
		{f("tag:aws:autoscaling:groupName", "c42s07-asg")},
		{f("tag:aws:autoscaling:groupName", "c42s07-asgx", "c42s0-asg", "c42s07-as")}, // near misses
		{f("tag:aws:autoscaling:groupName", "c42s0?-asg")},
		{f("tag:aws:autoscaling:groupName", "c9zz*", "*s07-asg")},
		{f("tag:aws:autoscaling:groupName", "c42s07-asg"), f("instance-state-name", "stopped")},
		{f("tag:aws:autoscaling:groupName", "c42s07-asg"), f("instance-state-name", "running", "pending")},
		{f("tag:none", "x")},
		{f("tag:none")},
		{f("no-such-filter", "x")},
	} {
		want, wantErr := fs.match(attr)
		got, gotErr := fs.compile().match(attr)
		if got != want || (gotErr == nil) != (wantErr == nil) {
			t.Errorf("%v: compiled %v %v, filterSet %v %v", fs, got, gotErr, want, wantErr)
		}
	}
	if ok, _ := (filterSet{f("tag:aws:autoscaling:groupName", "c42s07-asgx", "c42s07-asg")}).compile().match(attr); !ok {
		t.Error("the second of two values did not match")
	}
}
