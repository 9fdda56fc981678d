package sim

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	rgttypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
)

const fargateTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Description: prerequisites
Parameters:
  Prefix:
    Type: String
    AllowedPattern: "^[a-z0-9-]{1,20}$"
  VpcId:
    Type: AWS::EC2::VPC::Id
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
    Default: ""
Resources:
  AlbSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: !Sub "${Prefix}alb-sg"
      GroupDescription: HTTP from anywhere
      VpcId: !Ref VpcId
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          CidrIp: 0.0.0.0/0
  TaskSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: !Sub "${Prefix}task-sg"
      GroupDescription: HTTP from the ALB
      VpcId: !Ref VpcId
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          SourceSecurityGroupId: !GetAtt AlbSecurityGroup.GroupId
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "/ecs/${Prefix}hello-${AWS::Region}"
      RetentionInDays: 1
Outputs:
  AlbSecurityGroupId:
    Value: !GetAtt AlbSecurityGroup.GroupId
  TaskSecurityGroupId:
    Value: !GetAtt [TaskSecurityGroup, GroupId]
  LogGroupName:
    Value: !Ref LogGroup
  Stack:
    Value: !Join ["-", [!Ref "AWS::StackName", !Ref "AWS::AccountId"]]
`

func (e *env) stack(name string) cftypes.Stack {
	e.t.Helper()
	out, err := e.c.CloudFormation.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.Stacks[0]
}

func TestCloudFormation(t *testing.T) {
	e := newEnv(t)
	vpcID, _ := e.w.ClassVPC("", "us-east-1")
	params := []cftypes.Parameter{{ParameterKey: aws.String("Prefix"), ParameterValue: aws.String("c42s07-")}, {ParameterKey: aws.String("VpcId"), ParameterValue: aws.String(vpcID)}}
	out, err := e.c.CloudFormation.CreateStack(e.ctx, &cloudformation.CreateStackInput{StackName: aws.String("c42s07-fargate-pre"), TemplateBody: aws.String(fargateTemplate),
		Parameters: params, Tags: []cftypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(aws.ToString(out.StackId), "arn:aws:cloudformation:us-east-1:111122223333:stack/c42s07-fargate-pre/") {
		t.Errorf("stack id %s", aws.ToString(out.StackId))
	}
	if st := e.stack("c42s07-fargate-pre"); st.StackStatus != cftypes.StackStatusCreateInProgress {
		t.Errorf("status %s", st.StackStatus)
	}
	e.clock.Advance(2 * time.Minute)
	st := e.stack(aws.ToString(out.StackId))
	if st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("status %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	outputs := map[string]string{}
	for _, o := range st.Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if !strings.HasPrefix(outputs["AlbSecurityGroupId"], "sg-") || !strings.HasPrefix(outputs["TaskSecurityGroupId"], "sg-") ||
		outputs["LogGroupName"] != "/ecs/c42s07-hello-us-east-1" || outputs["Stack"] != "c42s07-fargate-pre-111122223333" {
		t.Errorf("outputs %v", outputs)
	}
	sgs, err := e.c.EC2.DescribeSecurityGroups(e.ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("tag:labdash:class"), Values: []string{"c42"}}}})
	if err != nil || len(sgs.SecurityGroups) != 2 {
		t.Fatalf("tagged groups: %v %d", err, len(sgs.SecurityGroups))
	}
	for _, g := range sgs.SecurityGroups {
		if aws.ToString(g.GroupName) == "c42s07-task-sg" && aws.ToString(g.IpPermissions[0].UserIdGroupPairs[0].GroupId) != outputs["AlbSecurityGroupId"] {
			t.Errorf("task SG rule %+v", g.IpPermissions)
		}
	}
	ev, _ := e.c.CloudFormation.DescribeStackEvents(e.ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("c42s07-fargate-pre")})
	if len(ev.StackEvents) != 8 || ev.StackEvents[0].ResourceStatus != cftypes.ResourceStatusCreateComplete || aws.ToString(ev.StackEvents[0].LogicalResourceId) != "c42s07-fargate-pre" {
		t.Errorf("%d events, newest %+v", len(ev.StackEvents), ev.StackEvents[0])
	}
	// A stack whose groups are in use cannot be deleted; once free, it can.
	if _, err := e.c.CloudFormation.DeleteStack(e.ctx, &cloudformation.DeleteStackInput{StackName: aws.String("c42s07-fargate-pre")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(30 * time.Second)
	if st := e.stack(aws.ToString(out.StackId)); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Errorf("after delete: %s", st.StackStatus)
	}
	if _, err := e.c.CloudFormation.DescribeStacks(e.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("c42s07-fargate-pre")}); apiCode(err) != "ValidationError" ||
		!strings.Contains(err.Error(), "Stack with id c42s07-fargate-pre does not exist") {
		t.Errorf("describe deleted stack by name: %v", err)
	}
	if sgs, _ := e.c.EC2.DescribeSecurityGroups(e.ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("tag:labdash:class"), Values: []string{"c42"}}}}); len(sgs.SecurityGroups) != 0 {
		t.Errorf("%d groups left after DeleteStack", len(sgs.SecurityGroups))
	}
	if _, err := e.c.CloudFormation.DeleteStack(e.ctx, &cloudformation.DeleteStackInput{StackName: aws.String("never-was")}); err != nil {
		t.Errorf("DeleteStack of a missing stack: %v", err)
	}
}

func TestCloudFormationFailures(t *testing.T) {
	e := newEnv(t)
	vpcID, _ := e.w.ClassVPC("", "us-east-1")
	unsupported := `{"Resources": {
		"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "VpcId": {"Ref": "Vpc"}}},
		"Zz": {"Type": "AWS::Foo::Bar", "DependsOn": "Sg", "Properties": {}}},
		"Parameters": {"Vpc": {"Type": "AWS::EC2::VPC::Id"}}}`
	_, err := e.c.CloudFormation.CreateStack(e.ctx, &cloudformation.CreateStackInput{StackName: aws.String("bad"), TemplateBody: aws.String(unsupported),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Vpc"), ParameterValue: aws.String(vpcID)}}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	st := e.stack("bad")
	if st.StackStatus != cftypes.StackStatusRollbackComplete || !strings.Contains(aws.ToString(st.StackStatusReason), "AWS::Foo::Bar") ||
		!strings.Contains(aws.ToString(st.StackStatusReason), "The following resource(s) failed to create: [Zz]") {
		t.Errorf("status %s reason %q", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	if sgs, _ := e.c.EC2.DescribeSecurityGroups(e.ctx, &ec2.DescribeSecurityGroupsInput{}); len(sgs.SecurityGroups) != 1 {
		t.Errorf("%d groups after rollback, want only the default", len(sgs.SecurityGroups))
	}
	for name, tc := range map[string]struct {
		body   string
		params []cftypes.Parameter
		want   string
	}{
		"unparsable":       {"Resources: [: nope", nil, "Template format error"},
		"no resources":     {`{"Resources": {}}`, nil, "At least one Resources member"},
		"missing param":    {fargateTemplate, nil, "must have values"},
		"unknown param":    {`{"Resources": {"L": {"Type": "AWS::Logs::LogGroup"}}}`, []cftypes.Parameter{{ParameterKey: aws.String("X"), ParameterValue: aws.String("y")}}, "do not exist in the template"},
		"bad pattern":      {fargateTemplate, []cftypes.Parameter{{ParameterKey: aws.String("Prefix"), ParameterValue: aws.String("UPPER")}, {ParameterKey: aws.String("VpcId"), ParameterValue: aws.String(vpcID)}}, "must match pattern"},
		"missing vpc":      {fargateTemplate, []cftypes.Parameter{{ParameterKey: aws.String("Prefix"), ParameterValue: aws.String("a-")}, {ParameterKey: aws.String("VpcId"), ParameterValue: aws.String("vpc-404")}}, "does not exist"},
		"undefined ref":    {`{"Resources": {"L": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Ref": "Nope"}}}}}`, nil, "Unresolved resource dependencies [Nope]"},
		"circular":         {`{"Resources": {"A": {"Type": "AWS::Logs::LogGroup", "DependsOn": "B"}, "B": {"Type": "AWS::Logs::LogGroup", "DependsOn": "A"}}}`, nil, "Circular dependency"},
		"not a mapping":    {`[1, 2]`, nil, "Template format error"},
		"bad intrinsic":    {`{"Resources": {"L": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::If": ["c", "a", "b"]}}}}}`, nil, "does not support"},
		"empty body":       {"", nil, "Template Body must be specified"},
		"deep yaml alias":  {"a: &x 1\nb: *x\nResources: {}", nil, "Template format error"},
		"iam needs a flag": {`{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x", "AssumeRolePolicyDocument": {"Statement": []}}}}}`, nil, "CAPABILITY_NAMED_IAM"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.c.CloudFormation.CreateStack(e.ctx, &cloudformation.CreateStackInput{StackName: aws.String("s" + fmt.Sprint(len(name))), TemplateBody: aws.String(tc.body), Parameters: tc.params})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := e.c.CloudFormation.CreateStack(e.ctx, &cloudformation.CreateStackInput{StackName: aws.String("bad"), TemplateBody: aws.String(unsupported)}); !errorsAs[*cftypes.AlreadyExistsException](err) {
		t.Errorf("duplicate stack: %v", err)
	}
}

func errorsAs[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

func TestErrorCodes(t *testing.T) {
	e := newEnv(t)
	l := e.fargate("c42s11", 80)
	ctx, c := e.ctx, e.c
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("svc%d", i)
	}
	long := strings.Repeat("a", 33)
	vpcID, subnets := e.w.ClassVPC("", "us-east-1")
	for name, tc := range map[string]struct {
		call func() error
		ok   func(error) bool
	}{
		"11 services": {func() error {
			_, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(l.cluster), Services: eleven})
			return err
		}, errorsAs[*ecstypes.InvalidParameterException]},
		"missing cluster": {func() error {
			_, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("nope"), Services: []string{"x"}})
			return err
		}, errorsAs[*ecstypes.ClusterNotFoundException]},
		"missing service fails MISSING": {func() error {
			out, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(l.cluster), Services: []string{"ghost", l.service}})
			if err == nil && (len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "MISSING" || len(out.Services) != 1) {
				return fmt.Errorf("failures %+v", out.Failures)
			}
			return err
		}, func(err error) bool { return err == nil }},
		"missing cluster in DescribeClusters": {func() error {
			out, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"ghost"}})
			if err == nil && (len(out.Failures) != 1 || aws.ToString(out.Failures[0].Reason) != "MISSING") {
				return fmt.Errorf("failures %+v", out.Failures)
			}
			return err
		}, func(err error) bool { return err == nil }},
		"duplicate LB name": {func() error {
			_, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("c42s11-alb"), Subnets: subnets})
			return err
		}, errorsAs[*elbtypes.DuplicateLoadBalancerNameException]},
		"LB name too long": {func() error {
			_, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(long), Subnets: subnets})
			return err
		}, func(err error) bool { return apiCode(err) == "ValidationError" }},
		"LB in one AZ": {func() error {
			_, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("one-az"), Subnets: subnets[:1]})
			return err
		}, func(err error) bool { return apiCode(err) == "ValidationError" }},
		"missing LB": {func() error {
			_, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{"ghost"}})
			return err
		}, errorsAs[*elbtypes.LoadBalancerNotFoundException]},
		"21 LB names": {func() error {
			_, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: make([]string, 21)})
			return err
		}, func(err error) bool { return apiCode(err) == "ValidationError" }},
		"TG in use": {func() error {
			_, err := c.ELBv2.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(l.tg)})
			return err
		}, errorsAs[*elbtypes.ResourceInUseException]},
		"deletion protection": {func() error {
			if _, err := c.ELBv2.ModifyLoadBalancerAttributes(ctx, &elbv2.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(l.lb),
				Attributes: []elbtypes.LoadBalancerAttribute{{Key: aws.String("deletion_protection.enabled"), Value: aws.String("true")}}}); err != nil {
				return err
			}
			_, err := c.ELBv2.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(l.lb)})
			return err
		}, errorsAs[*elbtypes.OperationNotPermittedException]},
		"policy without target": {func() error {
			_, err := c.AutoScaling.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("p"), ServiceNamespace: aastypes.ServiceNamespaceEcs,
				ResourceId: aws.String("service/" + l.cluster + "/" + l.service), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
				PolicyType: aastypes.PolicyTypeTargetTrackingScaling, TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(1)}})
			return err
		}, errorsAs[*aastypes.ObjectNotFoundException]},
		"501 metric queries": {func() error {
			qs := make([]cwtypes.MetricDataQuery, 501)
			_, err := c.CloudWatch.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{MetricDataQueries: qs, StartTime: aws.Time(start), EndTime: aws.Time(start.Add(time.Hour))})
			return err
		}, func(err error) bool { return apiCode(err) == "ValidationError" }},
		"missing role": {func() error {
			_, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ghost")})
			return err
		}, errorsAs[*iamtypes.NoSuchEntityException]},
		"duplicate role": {func() error {
			_, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ECSTaskExecutionRole"), AssumeRolePolicyDocument: aws.String(`{"Statement":[]}`)})
			return err
		}, errorsAs[*iamtypes.EntityAlreadyExistsException]},
		"role with policies": {func() error {
			_, err := c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("ecsTaskExecutionRole")})
			return err
		}, errorsAs[*iamtypes.DeleteConflictException]},
		"missing security group": {func() error {
			_, err := c.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String("sg-404")})
			return err
		}, func(err error) bool { return apiCode(err) == "InvalidGroup.NotFound" }},
		"duplicate security group": {func() error {
			for i := 0; i < 2; i++ {
				if _, err := c.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("dup"), Description: aws.String("d"), VpcId: aws.String(vpcID)}); err != nil {
					return err
				}
			}
			return nil
		}, func(err error) bool { return apiCode(err) == "InvalidGroup.Duplicate" }},
		"security group in use": {func() error {
			sgs, _ := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("group-name"), Values: []string{"default"}}}})
			_, err := c.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sgs.SecurityGroups[0].GroupId})
			return err
		}, func(err error) bool { return apiCode(err) == "CannotDelete" || apiCode(err) == "DependencyViolation" }},
		"missing stack": {func() error {
			_, err := c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("ghost")})
			return err
		}, func(err error) bool {
			return apiCode(err) == "ValidationError" && strings.Contains(err.Error(), "Stack with id ghost does not exist")
		}},
		"bad tag page size": {func() error {
			_, err := c.Tagging.GetResources(ctx, &rgt.GetResourcesInput{ResourcesPerPage: aws.Int32(101)})
			return err
		}, errorsAs[*rgttypes.InvalidParameterException]},
		"scale service above 0 without force": {func() error {
			_, err := c.ECS.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String(l.cluster), Service: aws.String(l.service)})
			return err
		}, errorsAs[*ecstypes.InvalidParameterException]},
		"cluster with services": {func() error {
			_, err := c.ECS.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String(l.cluster)})
			return err
		}, errorsAs[*ecstypes.ClusterContainsServicesException]},
		"unknown task definition": {func() error {
			_, err := c.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("ghost:3")})
			return err
		}, errorsAs[*ecstypes.ClientException]},
	} {
		t.Run(name, func(t *testing.T) {
			if err := tc.call(); !tc.ok(err) {
				t.Errorf("got %v (%T)", err, err)
			}
		})
	}
}

func TestDefaultsAndLookups(t *testing.T) {
	e := newEnv(t)
	if e.w.Name() != "sim" {
		t.Errorf("Name %q", e.w.Name())
	}
	for _, r := range []string{"", "mars-1", "us-east", "US-EAST-1"} {
		if _, err := e.w.Clients(e.ctx, "", r); err == nil {
			t.Errorf("region %q accepted", r)
		}
	}
	eu, err := e.w.Clients(e.ctx, "", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := eu.IAM.GetRole(e.ctx, &iam.GetRoleInput{RoleName: aws.String("ecsTaskExecutionRole")}); err != nil || aws.ToString(r.Role.Arn) != "arn:aws:iam::111122223333:role/ecsTaskExecutionRole" {
		t.Errorf("ecsTaskExecutionRole: %v", err)
	}
	if _, err := e.c.IAM.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String("labdash-s07"), Path: aws.String("/labdash/c42/s07/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}); err != nil {
		t.Fatal(err)
	}
	if r, err := eu.IAM.GetRole(e.ctx, &iam.GetRoleInput{RoleName: aws.String("labdash-s07")}); err != nil || aws.ToString(r.Role.Arn) != "arn:aws:iam::111122223333:role/labdash/c42/s07/labdash-s07" {
		t.Errorf("IAM is not global: %v", err)
	}
	vpcID, subnets := e.w.ClassVPC("", "eu-west-1")
	if !strings.HasPrefix(vpcID, "vpc-") || len(subnets) != 2 {
		t.Fatalf("ClassVPC %s %v", vpcID, subnets)
	}
	sn, _ := eu.EC2.DescribeSubnets(e.ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}})
	azs, _ := eu.EC2.DescribeAvailabilityZones(e.ctx, &ec2.DescribeAvailabilityZonesInput{})
	if len(sn.Subnets) != 2 || aws.ToString(sn.Subnets[0].AvailabilityZone) != "eu-west-1a" || aws.ToString(sn.Subnets[1].AvailabilityZone) != "eu-west-1b" || len(azs.AvailabilityZones) != 2 {
		t.Errorf("subnets %+v, %d AZs", sn.Subnets, len(azs.AvailabilityZones))
	}
	if err := e.w.SetLoad("", "us-east-1", "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/x/0", 1); err == nil {
		t.Error("SetLoad on a missing LB succeeded")
	}

	// Task definitions: revisions, family lookups, deregistration.
	for i := 0; i < 3; i++ {
		if _, err := e.c.ECS.RegisterTaskDefinition(e.ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("fam"), NetworkMode: ecstypes.NetworkModeAwsvpc,
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("c"), Image: aws.String("busybox")}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.c.ECS.DeregisterTaskDefinition(e.ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("fam:3")}); err != nil {
		t.Fatal(err)
	}
	td, err := e.c.ECS.DescribeTaskDefinition(e.ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("fam")})
	if err != nil || td.TaskDefinition.Revision != 2 {
		t.Errorf("latest ACTIVE: %v %+v", err, td)
	}
	td, _ = e.c.ECS.DescribeTaskDefinition(e.ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("arn:aws:ecs:us-east-1:111122223333:task-definition/fam:3")})
	if td.TaskDefinition.Status != ecstypes.TaskDefinitionStatusInactive {
		t.Errorf("fam:3 status %s", td.TaskDefinition.Status)
	}
	list, _ := e.c.ECS.ListTaskDefinitions(e.ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("fam")})
	if len(list.TaskDefinitionArns) != 2 {
		t.Errorf("ListTaskDefinitions %v", list.TaskDefinitionArns)
	}
	// FamilyPrefix is the whole family name: a prefix of it lists nothing.
	list, _ = e.c.ECS.ListTaskDefinitions(e.ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("fa")})
	if len(list.TaskDefinitionArns) != 0 {
		t.Errorf("ListTaskDefinitions fa: %v", list.TaskDefinitionArns)
	}
}

func TestTaggingGetResources(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 3; i++ {
		e.fargate(fmt.Sprintf("c42s%02d", i), 80)
	}
	get := func(in *rgt.GetResourcesInput) []string {
		var arns []string
		for {
			out, err := e.c.Tagging.GetResources(e.ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range out.ResourceTagMappingList {
				arns = append(arns, aws.ToString(m.ResourceARN))
			}
			if aws.ToString(out.PaginationToken) == "" {
				return arns
			}
			in.PaginationToken = out.PaginationToken
		}
	}
	// cluster, service, LB, TG per student.
	if got := get(&rgt.GetResourcesInput{ResourcesPerPage: aws.Int32(5)}); len(got) != 12 {
		t.Errorf("%d tagged resources, want 12: %v", len(got), got)
	}
	got := get(&rgt.GetResourcesInput{TagFilters: []rgttypes.TagFilter{{Key: aws.String("labdash:student"), Values: []string{"c42s01", "c42s02"}}},
		ResourceTypeFilters: []string{"ecs:cluster", "elasticloadbalancing"}})
	if len(got) != 6 {
		t.Errorf("filtered: %v", got)
	}
}

// TestNilAndEmptyInputs calls every method of every client with a nil input
// and an empty one: each must return (not panic), and an error or an output.
func TestNilAndEmptyInputs(t *testing.T) {
	e := newEnv(t)
	e.fargate("c42s12", 80)
	e.clock.Advance(5 * time.Minute)
	clients := reflect.ValueOf(*e.c)
	for i := 0; i < clients.NumField(); i++ {
		f := clients.Field(i)
		if f.Kind() != reflect.Interface || f.IsNil() {
			continue
		}
		svc := clients.Type().Field(i).Name
		for j := 0; j < f.NumMethod(); j++ {
			m := f.Method(j)
			name := f.Type().Method(j).Name
			inType := m.Type().In(1)
			if inType.Kind() != reflect.Pointer { // the HTTP prober takes a URL: TestProbeHostileURLs covers it
				continue
			}
			for _, in := range []reflect.Value{reflect.Zero(inType), reflect.New(inType.Elem())} {
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Errorf("%s.%s(%v) panicked: %v", svc, name, in, p)
						}
					}()
					out := m.Call([]reflect.Value{reflect.ValueOf(context.Background()), in})
					if out[0].IsNil() && out[1].IsNil() {
						t.Errorf("%s.%s returned neither output nor error", svc, name)
					}
				}()
			}
		}
	}
	// A cancelled context is honoured.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.c.ECS.ListServices(ctx, &ecs.ListServicesInput{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// TestConcurrentUse runs 50 goroutines creating and describing resources while
// the clock moves; go test -race checks it.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t)
	vpcID, subnets := e.w.ClassVPC("", "us-east-1")
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx, c := context.Background(), e.c
			p := fmt.Sprintf("g%02d", i)
			steps := []func() error{
				func() error {
					_, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(p)})
					return err
				},
				func() error {
					_, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(p + "-tg"), Port: aws.Int32(80), Protocol: elbtypes.ProtocolEnumHttp, TargetType: elbtypes.TargetTypeEnumIp, VpcId: aws.String(vpcID)})
					return err
				},
				func() error {
					_, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(p + "-alb"), Subnets: subnets})
					return err
				},
				func() error {
					_, err := c.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(p), Description: aws.String("d")})
					return err
				},
				func() error {
					_, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{p}})
					return err
				},
				func() error {
					_, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
					return err
				},
				func() error {
					_, err := c.Tagging.GetResources(ctx, &rgt.GetResourcesInput{})
					return err
				},
				func() error {
					if i%10 == 0 {
						e.clock.Advance(time.Second)
					}
					_, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
					return err
				},
			}
			for _, s := range steps {
				if err := s(); err != nil {
					errs <- err
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	out, _ := e.c.ELBv2.DescribeLoadBalancers(e.ctx, &elbv2.DescribeLoadBalancersInput{})
	if len(out.LoadBalancers) != 50 {
		t.Errorf("%d load balancers", len(out.LoadBalancers))
	}
}

// TestDeterministic: the same seed and calls give the same ids.
func TestDeterministic(t *testing.T) {
	arns := func() string {
		e := newEnv(t)
		l := e.fargate("c42s13", 80)
		e.clock.Advance(10 * time.Minute)
		var ips []string
		for _, d := range e.health(l) {
			ips = append(ips, aws.ToString(d.Target.Id))
		}
		return l.lb + l.tg + strings.Join(ips, ",")
	}
	if a, b := arns(), arns(); a != b {
		t.Errorf("runs differ:\n%s\n%s", a, b)
	}
}

// TestProbeHostileURLs: the simulated prober refuses what is not an http URL of a
// known static IP with an error, never a panic or an answer.
func TestProbeHostileURLs(t *testing.T) {
	e := newEnv(t)
	if e.c.HTTP == nil {
		t.Fatal("the simulator has no HTTP prober")
	}
	for _, u := range []string{"", "not a url", "http://", "ftp://203.0.113.1/", "http://203.0.113.250/", "http://[::1/", "http://example.com/" + strings.Repeat("a", 10000)} {
		res, err := e.c.HTTP.Get(e.ctx, u)
		if err == nil {
			t.Errorf("Get(%.40q) = %+v, want an error", u, res)
		}
	}
}
