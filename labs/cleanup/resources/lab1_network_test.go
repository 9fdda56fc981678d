package resources_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

func ec2TagSpec(rt ec2types.ResourceType, kv ...string) []ec2types.TagSpecification {
	if len(kv) == 0 {
		return nil
	}
	var tags []ec2types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, ec2types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: tags}}
}

// The decoys every type below is tested with: another class's tags under our
// prefix, a near-miss name (no separator after the student), untagged, and the
// student's own tags in another region (which the us-east-1 lister must not see).
var (
	mineTags      = []string{"labdash:class", classID, "labdash:student", "s01"}
	otherTags     = []string{"labdash:class", "c9zzz", "Name", classID + "s02-egress"}
	nearMissTags  = []string{"Name", classID + "s01egress"}
	untaggedTags  = []string(nil)
	decoyCaseName = map[int]string{0: "another class's", 1: "near-miss name", 2: "untagged"}
)

// checkJudged asserts that the lister reported mine proven for s01 and no decoy proven.
func checkJudged(t *testing.T, found []cleanup.Item, mine string, decoys []string, elsewhere string) resources.Ref {
	t.Helper()
	ref := findARN(t, found, mine)
	if ref.Proof == "" || ref.Student != "s01" {
		t.Errorf("own %s not proven: %+v", mine, ref)
	}
	for i, d := range decoys {
		for _, f := range found {
			if f.ARN == d && f.Proof != "" {
				t.Errorf("%s decoy %s proven owned: %+v", decoyCaseName[i], d, f)
			}
		}
	}
	for _, f := range found {
		if f.ARN == elsewhere {
			t.Errorf("the us-east-1 lister reported %s of another region", elsewhere)
		}
	}
	return ref.Ref
}

func scope() resources.Scope {
	return resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}, Owned: map[string]resources.Ref{}}
}

func TestNATGatewayAndEIPSim(t *testing.T) {
	e := simEnv(t)
	_, subnets := e.world.ClassVPC("", "us-east-1")
	alloc := func(c *cloud.Clients, kv ...string) string {
		out, err := c.EC2.AllocateAddress(e.ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc, TagSpecifications: ec2TagSpec(ec2types.ResourceTypeElasticIp, kv...)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.AllocationId)
	}
	nat := func(c *cloud.Clients, subnet, allocID string, kv ...string) string {
		out, err := c.EC2.CreateNatGateway(e.ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(subnet), AllocationId: aws.String(allocID),
			TagSpecifications: ec2TagSpec(ec2types.ResourceTypeNatgateway, kv...)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.NatGateway.NatGatewayId)
	}
	west := e.region("us-west-2")
	_, westSubnets := e.world.ClassVPC("", "us-west-2")
	mineEIP := alloc(e.c, mineTags...)
	mine := nat(e.c, subnets[0], mineEIP, mineTags...)
	var decoys, decoyEIPs []string
	for _, kv := range [][]string{otherTags, nearMissTags, untaggedTags} {
		a := alloc(e.c, kv...)
		decoyEIPs = append(decoyEIPs, a)
		decoys = append(decoys, nat(e.c, subnets[1], a, kv...))
	}
	westNAT := nat(west, westSubnets[0], alloc(west, mineTags...), mineTags...)
	e.wait(3 * time.Minute)

	arn := func(id string) string { return e.c.ARN("ec2", "natgateway/"+id) }
	var decoyARNs []string
	for _, d := range decoys {
		decoyARNs = append(decoyARNs, arn(d))
	}
	typ, _ := resources.Lookup("AWS::EC2::NatGateway")
	if typ.Hourly <= 0 {
		t.Error("a NAT gateway is hourly-billed")
	}
	found, err := judge(e.ctx, typ, e.c, scope())
	if err != nil {
		t.Fatal(err)
	}
	ref := checkJudged(t, found, arn(mine), decoyARNs, "arn:aws:ec2:us-west-2:111122223333:natgateway/"+westNAT)

	// The address cannot go while the gateway holds it: EIP comes after NatGateway.
	eipType, _ := resources.Lookup("AWS::EC2::EIP")
	if eipType.Rank() <= typ.Rank() {
		t.Errorf("EIP rank %d, NatGateway %d: the address must be released after the gateway", eipType.Rank(), typ.Rank())
	}
	eipFound, err := judge(e.ctx, eipType, e.c, scope())
	if err != nil {
		t.Fatal(err)
	}
	var decoyEIPARNs []string
	for _, d := range decoyEIPs {
		decoyEIPARNs = append(decoyEIPARNs, e.c.ARN("ec2", "elastic-ip/"+d))
	}
	eipRef := checkJudged(t, eipFound, e.c.ARN("ec2", "elastic-ip/"+mineEIP), decoyEIPARNs, "")
	if err := eipType.Delete(e.ctx, cloud.Intercept(e.c, resources.Guard([]resources.Ref{eipRef}, nil)), eipRef); !isWaiting(err) {
		t.Errorf("releasing the held address: %v, want Waiting", err)
	}

	if n := e.DeleteUntilGone(e.c, ref, 50); n < 3 {
		t.Errorf("gateway deleted in %d attempts: it is deleting for a minute or more", n)
	}
	e.Gone(e.c, ref)
	e.DeleteUntilGone(e.c, eipRef, 5)
	e.Gone(e.c, eipRef)

	out, err := e.c.EC2.DescribeNatGateways(e.ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: decoys})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range out.NatGateways {
		if g.State == ec2types.NatGatewayStateDeleting || g.State == ec2types.NatGatewayStateDeleted {
			t.Errorf("decoy %s %s", aws.ToString(g.NatGatewayId), g.State)
		}
	}
	if w, err := west.EC2.DescribeNatGateways(e.ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{westNAT}}); err != nil || w.NatGateways[0].State != "available" {
		t.Errorf("the other region's gateway: %+v %v", w, err)
	}
	if left, err := e.c.EC2.DescribeAddresses(e.ctx, &ec2.DescribeAddressesInput{AllocationIds: decoyEIPs}); err != nil || len(left.Addresses) != 3 {
		t.Errorf("decoy addresses: %+v %v", left, err)
	}
}

func isWaiting(err error) bool {
	_, ok := err.(*resources.WaitError)
	return ok
}

func TestVPCEndpointSim(t *testing.T) {
	e := simEnv(t)
	vpcID, subnets := e.world.ClassVPC("", "us-east-1")
	sg, err := e.c.EC2.CreateSecurityGroup(e.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(classID + "s01-vpce"), Description: aws.String("x"), VpcId: aws.String(vpcID),
		TagSpecifications: ec2TagSpec(ec2types.ResourceTypeSecurityGroup, mineTags...)})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(c *cloud.Clients, vpc, service string, kv ...string) string {
		in := &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String(service), TagSpecifications: ec2TagSpec(ec2types.ResourceTypeVpcEndpoint, kv...)}
		if service == "com.amazonaws.us-east-1.rekognition" {
			in.VpcEndpointType, in.SubnetIds, in.SecurityGroupIds = ec2types.VpcEndpointTypeInterface, subnets, []string{aws.ToString(sg.GroupId)}
		}
		out, err := c.EC2.CreateVpcEndpoint(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.VpcEndpoint.VpcEndpointId)
	}
	mine := mk(e.c, vpcID, "com.amazonaws.us-east-1.rekognition", mineTags...)
	var decoys []string
	for _, kv := range [][]string{otherTags, nearMissTags, untaggedTags} {
		decoys = append(decoys, e.c.ARN("ec2", "vpc-endpoint/"+mk(e.c, vpcID, "com.amazonaws.us-east-1.s3", kv...)))
	}
	west := e.region("us-west-2")
	westVPC, _ := e.world.ClassVPC("", "us-west-2")
	westID := mk(west, westVPC, "com.amazonaws.us-west-2.s3", mineTags...)
	e.wait(2 * time.Minute)

	typ, _ := resources.Lookup("AWS::EC2::VPCEndpoint")
	sgType, _ := resources.Lookup("AWS::EC2::SecurityGroup")
	if sgType.Rank() <= typ.Rank() {
		t.Errorf("SecurityGroup rank %d, VPCEndpoint %d: an interface endpoint holds its groups", sgType.Rank(), typ.Rank())
	}
	found, err := judge(e.ctx, typ, e.c, scope())
	if err != nil {
		t.Fatal(err)
	}
	ref := checkJudged(t, found, e.c.ARN("ec2", "vpc-endpoint/"+mine), decoys, "arn:aws:ec2:us-west-2:111122223333:vpc-endpoint/"+westID)
	if n := e.DeleteUntilGone(e.c, ref, 50); n < 3 {
		t.Errorf("endpoint deleted in %d attempts: it is deleting for a minute or more", n)
	}
	e.Gone(e.c, ref)
	// The group it held can go now.
	if _, err := e.c.EC2.DeleteSecurityGroup(e.ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId}); err != nil {
		t.Errorf("group after its endpoint: %v", err)
	}
	left, err := e.c.EC2.DescribeVpcEndpoints(e.ctx, &ec2.DescribeVpcEndpointsInput{})
	if err != nil || len(left.VpcEndpoints) != 3 {
		t.Fatalf("decoys left: %+v %v", left, err)
	}
	for _, v := range left.VpcEndpoints {
		if v.State != "available" {
			t.Errorf("decoy %s %s", aws.ToString(v.VpcEndpointId), v.State)
		}
	}
}

func TestDBSubnetGroupSim(t *testing.T) {
	e := simEnv(t)
	_, subnets := e.world.ClassVPC("", "us-east-1")
	mk := func(c *cloud.Clients, subnetIDs []string, name string, kv ...string) {
		var tags []rdstypes.Tag
		for i := 0; i+1 < len(kv); i += 2 {
			tags = append(tags, rdstypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		if _, err := c.RDS.CreateDBSubnetGroup(e.ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: aws.String(name), DBSubnetGroupDescription: aws.String("photos"),
			SubnetIds: subnetIDs, Tags: tags}); err != nil {
			t.Fatal(err)
		}
	}
	mine := classID + "s01-photos"
	mk(e.c, subnets, mine)
	mk(e.c, subnets, classID+"s02-photos", "labdash:class", "c9zzz")
	mk(e.c, subnets, classID+"s01photos")
	mk(e.c, subnets, "c9zzzs01-photos")
	west := e.region("us-west-2")
	_, westSubnets := e.world.ClassVPC("", "us-west-2")
	mk(west, westSubnets, mine)
	// The instance in it keeps the group until the instance is gone.
	if _, err := e.c.RDS.CreateDBInstance(e.ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(classID + "s01-photos-db"), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("mysql"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-pw-1"), AllocatedStorage: aws.Int32(20),
		DBSubnetGroupName: aws.String(mine)}); err != nil {
		t.Fatal(err)
	}
	typ, _ := resources.Lookup("AWS::RDS::DBSubnetGroup")
	dbType, _ := resources.Lookup("AWS::RDS::DBInstance")
	if typ.Rank() <= dbType.Rank() {
		t.Errorf("DBSubnetGroup rank %d, DBInstance %d", typ.Rank(), dbType.Rank())
	}
	found, err := judge(e.ctx, typ, e.c, scope())
	if err != nil {
		t.Fatal(err)
	}
	arn := func(n string) string { return e.c.ARN("rds", "subgrp:"+n) }
	ref := checkJudged(t, found, arn(mine), []string{arn(classID + "s02-photos"), arn(classID + "s01photos")}, "arn:aws:rds:us-west-2:111122223333:subgrp:"+mine)
	for _, f := range found {
		if f.ARN == arn("c9zzzs01-photos") {
			t.Errorf("lister reported another class's group %+v", f)
		}
	}
	g := cloud.Intercept(e.c, resources.Guard([]resources.Ref{ref}, nil))
	if err := typ.Delete(e.ctx, g, ref); !isWaiting(err) {
		t.Errorf("delete while the instance uses it: %v, want Waiting", err)
	}
	dbRef := resources.Ref{Type: "AWS::RDS::DBInstance", ARN: e.c.ARN("rds", "db:"+classID+"s01-photos-db"), Student: "s01"}
	e.DeleteUntilGone(e.c, dbRef, 200)
	e.DeleteUntilGone(e.c, ref, 3)
	e.Gone(e.c, ref)
	left, err := e.c.RDS.DescribeDBSubnetGroups(e.ctx, &rds.DescribeDBSubnetGroupsInput{})
	if err != nil || len(left.DBSubnetGroups) != 3 {
		t.Errorf("decoys left %+v %v", left, err)
	}
	if _, err := west.RDS.DescribeDBSubnetGroups(e.ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String(mine)}); err != nil {
		t.Errorf("the other region's group: %v", err)
	}
}

// A stopped instance with deletion protection cannot be modified: cleanup starts
// it, turns protection off once it is available, and deletes it.
func TestRDSStoppedProtectedInstanceSim(t *testing.T) {
	e := simEnv(t)
	id := classID + "s01-photos-db"
	if _, err := e.c.RDS.CreateDBInstance(e.ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("mysql"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("secret-pw-1"), AllocatedStorage: aws.Int32(20),
		DeletionProtection: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	e.wait(10 * time.Minute)
	if _, err := e.c.RDS.StopDBInstance(e.ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	e.wait(5 * time.Minute)
	ref := resources.Ref{Type: "AWS::RDS::DBInstance", ARN: e.c.ARN("rds", "db:"+id), Student: "s01"}
	e.DeleteUntilGone(e.c, ref, 200)
	e.Gone(e.c, ref)
}
