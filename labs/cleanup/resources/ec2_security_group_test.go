package resources_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

func TestSecurityGroupSim(t *testing.T)  { testSecurityGroup(t, simEnv(t)) }
func TestSecurityGroupMoto(t *testing.T) { testSecurityGroup(t, motoEnv(t)) }

// testSecurityGroup: the lister finds the student's hand-made group by its prefix
// and not the decoys (another class's prefix, a look-alike tagged for another
// class); deletion removes it and leaves the decoys; a second run is harmless.
func testSecurityGroup(t *testing.T, e *env) {
	vpcs, err := e.c.EC2.DescribeVpcs(e.ctx, &ec2.DescribeVpcsInput{})
	if err != nil || len(vpcs.Vpcs) == 0 {
		t.Fatalf("no VPC: %v", err)
	}
	vpc := vpcs.Vpcs[0].VpcId
	mk := func(name string, tags ...ec2types.Tag) string {
		in := &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String("test"), VpcId: vpc}
		if len(tags) > 0 {
			in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: tags}}
		}
		out, err := e.c.EC2.CreateSecurityGroup(e.ctx, in)
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.GroupId)
	}
	mine := mk(classID + "s01-web")
	other := mk("c9zzzs01-web")
	lookalike := mk(classID+"s02-web", ec2types.Tag{Key: aws.String("labdash:class"), Value: aws.String("c9zzz")})

	typ, _ := resources.Lookup("AWS::EC2::SecurityGroup")
	found, err := judge(e.ctx, typ, e.c, resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}})
	if err != nil {
		t.Fatal(err)
	}
	var ref resources.Ref
	for _, f := range found {
		switch {
		case f.ARN == e.c.ARN("ec2", "security-group/"+mine):
			if f.Proof == "" || f.Student != "s01" {
				t.Errorf("own group not proven: %+v", f)
			}
			ref = f.Ref
		case f.ARN == e.c.ARN("ec2", "security-group/"+lookalike):
			if f.Proof != "" {
				t.Errorf("look-alike tagged for another class proven owned: %+v", f)
			}
		default:
			t.Errorf("lister found %s, which is not the class's", f.ARN)
		}
	}
	if ref.ARN == "" {
		t.Fatalf("lister did not find %s among %+v", mine, found)
	}
	e.DeleteUntilGone(e.c, ref, 5)
	e.Gone(e.c, ref)
	left, err := e.c.EC2.DescribeSecurityGroups(e.ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{other, lookalike}})
	if err != nil || len(left.SecurityGroups) != 2 {
		t.Fatalf("decoys: %v, %d left, want 2", err, len(left.SecurityGroups))
	}
}

// TestAfterIsRegistered: every type a type waits for is registered (a typo would
// silently drop a dependency), and the ranks honour After.
func TestAfterIsRegistered(t *testing.T) {
	for _, typ := range resources.All() {
		for _, a := range typ.After {
			dep, ok := resources.Lookup(a)
			if !ok {
				t.Errorf("%s waits for %s, which is not a registered type", typ.Name, a)
				continue
			}
			if dep.Rank() >= typ.Rank() {
				t.Errorf("%s (rank %d) waits for %s (rank %d)", typ.Name, typ.Rank(), a, dep.Rank())
			}
		}
	}
	if n := len(resources.All()); n < 30 {
		t.Errorf("%d types registered; the Fargate lab, the sandboxes and the other labs' special cases need more", n)
	}
}
