package asg

import (
	"testing"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

// TestCleanupOrder: every type the lab declares is a registered cleanup type, and
// the registry's ranks delete the group before its Spot requests, the requests
// before their instances (a persistent request relaunches a terminated instance
// until it is cancelled, LABS.md Lab 8), the instances before the launch template
// and the security group.
func TestCleanupOrder(t *testing.T) {
	rank := map[string]int{}
	for _, name := range Lab().Cleanup {
		typ, ok := resources.Lookup(name)
		if !ok {
			t.Fatalf("cleanup type %s is not registered", name)
		}
		rank[name] = typ.Rank()
	}
	for _, pair := range [][2]string{
		{"AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::SpotInstanceRequest"},
		{"AWS::EC2::SpotInstanceRequest", "AWS::EC2::Instance"},
		{"AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::LaunchTemplate"},
		{"AWS::EC2::Instance", "AWS::EC2::SecurityGroup"},
	} {
		if rank[pair[0]] >= rank[pair[1]] {
			t.Errorf("%s (rank %d) is not deleted before %s (rank %d)", pair[0], rank[pair[0]], pair[1], rank[pair[1]])
		}
	}
}
