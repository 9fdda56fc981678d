package resources_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

// defaultNet is the default VPC and one default subnet per zone (two), through the API.
func defaultNet(t *testing.T, e *env, c *cloud.Clients) (string, []string) {
	t.Helper()
	v, err := c.EC2.DescribeVpcs(e.ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}})
	if err != nil || len(v.Vpcs) == 0 {
		t.Fatalf("default VPC: %v %v", v, err)
	}
	vpc := aws.ToString(v.Vpcs[0].VpcId)
	s, err := c.EC2.DescribeSubnets(e.ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}},
		{Name: aws.String("default-for-az"), Values: []string{"true"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	zones := map[string]bool{}
	for _, sn := range s.Subnets {
		if z := aws.ToString(sn.AvailabilityZone); !zones[z] && len(ids) < 2 {
			zones[z] = true
			ids = append(ids, aws.ToString(sn.SubnetId))
		}
	}
	if len(ids) < 2 {
		t.Fatalf("default subnets in two zones: %v", ids)
	}
	return vpc, ids
}

// The DB subnet group on moto: the lister proves the student's prefixed group
// and not the decoys; deletion removes it; a second run is harmless.
func TestDBSubnetGroupMoto(t *testing.T) {
	e := motoEnv(t)
	_, subnets := defaultNet(t, e, e.c)
	mk := func(name string, tags ...rdstypes.Tag) {
		if _, err := e.c.RDS.CreateDBSubnetGroup(e.ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: aws.String(name), DBSubnetGroupDescription: aws.String("photos"),
			SubnetIds: subnets, Tags: tags}); err != nil {
			t.Fatal(err)
		}
	}
	mine := classID + "s01-photos"
	mk(mine)
	mk(classID+"s02-photos", rdstypes.Tag{Key: aws.String("labdash:class"), Value: aws.String("c9zzz")})
	mk(classID + "s01photos")
	typ, _ := resources.Lookup("AWS::RDS::DBSubnetGroup")
	found, err := judge(e.ctx, typ, e.c, scope())
	if err != nil {
		t.Fatal(err)
	}
	arn := func(n string) string { return e.c.ARN("rds", "subgrp:"+n) }
	ref := checkJudged(t, found, arn(mine), []string{arn(classID + "s02-photos"), arn(classID + "s01photos")}, "")
	e.DeleteUntilGone(e.c, ref, 3)
	e.Gone(e.c, ref)
	left, err := e.c.RDS.DescribeDBSubnetGroups(e.ctx, &rds.DescribeDBSubnetGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range left.DBSubnetGroups {
		if name := aws.ToString(g.DBSubnetGroupName); name == classID+"s02-photos" || name == classID+"s01photos" {
			n++
		}
		if aws.ToString(g.DBSubnetGroupName) == mine {
			t.Errorf("own group still described")
		}
	}
	if n != 2 {
		t.Errorf("decoys left: %d, want 2", n)
	}
}

// NAT gateway and its address on moto: proven by tags, deleted, then the address released.
func TestNATGatewayAndEIPMoto(t *testing.T) {
	e := motoEnv(t)
	_, subnets := defaultNet(t, e, e.c)
	a, err := e.c.EC2.AllocateAddress(e.ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc, TagSpecifications: ec2TagSpec(ec2types.ResourceTypeElasticIp, mineTags...)})
	if err != nil {
		t.Fatal(err)
	}
	g, err := e.c.EC2.CreateNatGateway(e.ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(subnets[0]), AllocationId: a.AllocationId,
		TagSpecifications: ec2TagSpec(ec2types.ResourceTypeNatgateway, mineTags...)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.c.EC2.CreateNatGateway(e.ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(subnets[1]), ConnectivityType: ec2types.ConnectivityTypePrivate,
		TagSpecifications: ec2TagSpec(ec2types.ResourceTypeNatgateway, otherTags...)})
	if err != nil {
		t.Fatal(err)
	}
	typ, _ := resources.Lookup("AWS::EC2::NatGateway")
	found, err := judge(e.ctx, typ, e.c, scope())
	if err != nil {
		t.Fatal(err)
	}
	arn := func(id *string) string { return e.c.ARN("ec2", "natgateway/"+aws.ToString(id)) }
	ref := checkJudged(t, found, arn(g.NatGateway.NatGatewayId), []string{arn(d.NatGateway.NatGatewayId)}, "")
	e.DeleteUntilGone(e.c, ref, 20)
	e.Gone(e.c, ref)
	eipType, _ := resources.Lookup("AWS::EC2::EIP")
	eipRef := resources.Ref{Type: eipType.Name, ARN: e.c.ARN("ec2", "elastic-ip/"+aws.ToString(a.AllocationId)), Student: "s01"}
	e.DeleteUntilGone(e.c, eipRef, 20)
	e.Gone(e.c, eipRef)
	out, err := e.c.EC2.DescribeNatGateways(e.ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{aws.ToString(d.NatGateway.NatGatewayId)}})
	if err != nil || len(out.NatGateways) != 1 || out.NatGateways[0].State == ec2types.NatGatewayStateDeleted || out.NatGateways[0].State == ec2types.NatGatewayStateDeleting {
		t.Errorf("decoy gateway: %+v %v", out, err)
	}
}
