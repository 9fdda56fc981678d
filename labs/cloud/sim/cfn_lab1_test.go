package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
)

// photosPreTemplate is the networking and database part of Lab 1's prerequisite
// stack: an EIP and a NAT gateway, endpoints for S3 and Rekognition, the DB
// security group, subnet group and MySQL instance.
func photosPreTemplate(protection string) string {
	return `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  VpcId: {Type: String}
  SubnetA: {Type: String}
  SubnetB: {Type: String}
Resources:
  NatEip:
    Type: AWS::EC2::EIP
    Properties: {Domain: vpc}
  Nat:
    Type: AWS::EC2::NatGateway
    Properties:
      AllocationId: !GetAtt NatEip.AllocationId
      SubnetId: !Ref SubnetA
      Tags: [{Key: Name, Value: c42-photos-nat}]
  S3Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref VpcId
      ServiceName: !Sub "com.amazonaws.${AWS::Region}.s3"
      RouteTableIds: [rtb-0123456789abcdef0]
  DbSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: db
      VpcId: !Ref VpcId
  RekEndpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref VpcId
      ServiceName: !Sub "com.amazonaws.${AWS::Region}.rekognition"
      VpcEndpointType: Interface
      SubnetIds: [!Ref SubnetA, !Ref SubnetB]
      SecurityGroupIds: [!Ref DbSg]
      PrivateDnsEnabled: true
  DbSubnets:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: photos
      SubnetIds: [!Ref SubnetA, !Ref SubnetB]
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: c42s07-photos-db
      DBInstanceClass: db.t3.micro
      Engine: mysql
      AllocatedStorage: "20"
      DBName: Photos
      MasterUsername: admin
      MasterUserPassword: secret-pw-1
      DBSubnetGroupName: !Ref DbSubnets
      VPCSecurityGroups: [!GetAtt DbSg.GroupId]
      DeletionProtection: ` + protection + `
Outputs:
  DbHost: {Value: !GetAtt Db.Endpoint.Address}
  NatId: {Value: !Ref Nat}
  EipAddress: {Value: !Ref NatEip}
`
}

func (e *env) createPhotosPre(protection string) map[string]string {
	e.t.Helper()
	vpcID, subnets := e.w.ClassVPC("", "us-east-1")
	_, err := e.c.CloudFormation.CreateStack(e.ctx, &cloudformation.CreateStackInput{StackName: aws.String("c42s07-photos-pre"),
		TemplateBody: aws.String(photosPreTemplate(protection)), Tags: []cftypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}},
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("VpcId"), ParameterValue: aws.String(vpcID)},
			{ParameterKey: aws.String("SubnetA"), ParameterValue: aws.String(subnets[0])}, {ParameterKey: aws.String("SubnetB"), ParameterValue: aws.String(subnets[1])}}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	st := e.stack("c42s07-photos-pre")
	if st.StackStatus != cftypes.StackStatusCreateComplete {
		e.t.Fatalf("stack %s: %s\n%s", st.StackStatus, aws.ToString(st.StackStatusReason), e.stackEvents("c42s07-photos-pre"))
	}
	outs := map[string]string{}
	for _, o := range st.Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return outs
}

func TestPhotosPrerequisiteStack(t *testing.T) {
	e := newEnv(t)
	outs := e.createPhotosPre("false")
	e.clock.Advance(10 * time.Minute)
	db, err := e.c.RDS.DescribeDBInstances(e.ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("c42s07-photos-db")})
	if err != nil {
		t.Fatal(err)
	}
	x := db.DBInstances[0]
	if aws.ToString(x.DBInstanceStatus) != "available" || aws.ToString(x.Endpoint.Address) != outs["DbHost"] || x.DBSubnetGroup == nil ||
		!strings.HasPrefix(aws.ToString(x.DBSubnetGroup.DBSubnetGroupName), "c42s07-photos-pre-dbsubnets-") {
		t.Fatalf("instance %+v, outputs %v", x, outs)
	}
	nat, err := e.c.EC2.DescribeNatGateways(e.ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{outs["NatId"]}})
	if err != nil || nat.NatGateways[0].State != "available" || aws.ToString(nat.NatGateways[0].NatGatewayAddresses[0].PublicIp) != outs["EipAddress"] {
		t.Fatalf("NAT %+v %v", nat, err)
	}
	// The stack's tags are on what it made, for the tag sweep.
	tagged, err := e.c.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{ResourceTypeFilters: []string{"ec2:natgateway", "ec2:vpc-endpoint", "ec2:elastic-ip", "rds:subgrp", "rds:db"}})
	if err != nil || len(tagged.ResourceTagMappingList) != 6 {
		t.Errorf("tagged resources %d %v", len(tagged.ResourceTagMappingList), err)
	}
	if _, err := e.c.CloudFormation.DeleteStack(e.ctx, &cloudformation.DeleteStackInput{StackName: aws.String("c42s07-photos-pre")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if st := e.stack("c42s07-photos-pre"); st.StackStatus != cftypes.StackStatusDeleteInProgress {
		t.Errorf("a minute into the delete: %s (the instance takes minutes to go)", st.StackStatus)
	}
	e.clock.Advance(15 * time.Minute)
	if _, err := e.c.CloudFormation.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("c42s07-photos-pre")}); err == nil {
		if st := e.stack("c42s07-photos-pre"); st.StackStatus != cftypes.StackStatusDeleteComplete {
			t.Fatalf("after 16 min: %s %s\n%s", st.StackStatus, aws.ToString(st.StackStatusReason), e.stackEvents("c42s07-photos-pre"))
		}
	}
	if _, err := e.c.RDS.DescribeDBInstances(e.ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("c42s07-photos-db")}); !errorsAs[*rdstypes.DBInstanceNotFoundFault](err) {
		t.Errorf("instance after the stack: %v", err)
	}
	if out, err := e.c.RDS.DescribeDBSubnetGroups(e.ctx, &rds.DescribeDBSubnetGroupsInput{}); err != nil || len(out.DBSubnetGroups) != 0 {
		t.Errorf("subnet groups after the stack: %+v %v", out, err)
	}
	if out, err := e.c.EC2.DescribeAddresses(e.ctx, &ec2.DescribeAddressesInput{}); err != nil || len(out.Addresses) != 0 {
		t.Errorf("addresses after the stack: %+v %v", out, err)
	}
	if out, err := e.c.EC2.DescribeVpcEndpoints(e.ctx, &ec2.DescribeVpcEndpointsInput{}); err != nil || len(out.VpcEndpoints) != 0 {
		t.Errorf("endpoints after the stack: %+v %v", out, err)
	}
}

func TestPhotosPrerequisiteStackProtectedDB(t *testing.T) {
	e := newEnv(t)
	e.createPhotosPre("true")
	e.clock.Advance(10 * time.Minute)
	if _, err := e.c.CloudFormation.DeleteStack(e.ctx, &cloudformation.DeleteStackInput{StackName: aws.String("c42s07-photos-pre")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * time.Minute)
	if st := e.stack("c42s07-photos-pre"); st.StackStatus != cftypes.StackStatusDeleteFailed ||
		!strings.Contains(e.stackEvents("c42s07-photos-pre"), "Cannot delete protected DB Instance") {
		t.Errorf("delete with a protected instance: %s\n%s", st.StackStatus, e.stackEvents("c42s07-photos-pre"))
	}
	if s := e.dbStatus("c42s07-photos-db"); s != "available" {
		t.Errorf("the protected instance: %s", s)
	}
}
