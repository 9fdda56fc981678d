package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func (e *env) natState(id string) (string, *ec2types.NatGateway) {
	e.t.Helper()
	out, err := e.c.EC2.DescribeNatGateways(e.ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{id}})
	if apiCode(err) == "NatGatewayNotFound" {
		return "gone", nil
	}
	if err != nil || len(out.NatGateways) != 1 {
		e.t.Fatalf("describe %s: %v %v", id, out, err)
	}
	return string(out.NatGateways[0].State), &out.NatGateways[0]
}

func TestNATGatewayLifecycle(t *testing.T) {
	e := newEnv(t)
	c, ctx := e.c.EC2, e.ctx
	_, subnets := e.w.ClassVPC("", "us-east-1")
	eip, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		t.Fatal(err)
	}
	alloc := aws.ToString(eip.AllocationId)
	mk := func(in *ec2.CreateNatGatewayInput) (string, error) {
		out, err := c.CreateNatGateway(ctx, in)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.NatGateway.NatGatewayId), nil
	}
	if _, err := mk(&ec2.CreateNatGatewayInput{SubnetId: aws.String(subnets[0])}); apiCode(err) != "MissingParameter" {
		t.Errorf("public without an allocation: %v", err)
	}
	if _, err := mk(&ec2.CreateNatGatewayInput{SubnetId: aws.String("subnet-0000000000000000"), AllocationId: aws.String(alloc)}); apiCode(err) != "InvalidSubnetID.NotFound" {
		t.Errorf("unknown subnet: %v", err)
	}
	if _, err := mk(&ec2.CreateNatGatewayInput{SubnetId: aws.String(subnets[0]), AllocationId: aws.String(alloc), ConnectivityType: ec2types.ConnectivityTypePrivate}); apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("private with an allocation: %v", err)
	}
	id, err := mk(&ec2.CreateNatGatewayInput{SubnetId: aws.String(subnets[0]), AllocationId: aws.String(alloc),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeNatgateway, Tags: []ec2types.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := e.natState(id); s != "pending" {
		t.Errorf("new: %s", s)
	}
	// The same allocation again: the call succeeds and the gateway fails, as AWS.
	dup, err := mk(&ec2.CreateNatGatewayInput{SubnetId: aws.String(subnets[1]), AllocationId: aws.String(alloc)})
	if err != nil {
		t.Fatal(err)
	}
	missing, err := mk(&ec2.CreateNatGatewayInput{SubnetId: aws.String(subnets[1]), AllocationId: aws.String("eipalloc-0123456789abcdef0")})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Minute)
	s, g := e.natState(id)
	if s != "available" || len(g.NatGatewayAddresses) != 1 || aws.ToString(g.NatGatewayAddresses[0].PublicIp) != aws.ToString(eip.PublicIp) ||
		aws.ToString(g.NatGatewayAddresses[0].PrivateIp) == "" {
		t.Fatalf("after 3 min: %s %+v", s, g)
	}
	if s, g := e.natState(dup); s != "failed" || aws.ToString(g.FailureCode) != "Resource.AlreadyAssociated" || aws.ToString(g.FailureMessage) != "Elastic IP address "+alloc+" is already associated" {
		t.Errorf("second gateway on the address: %s %+v", s, g)
	}
	if s, g := e.natState(missing); s != "failed" || aws.ToString(g.FailureCode) != "InvalidAllocationID.NotFound" {
		t.Errorf("unknown allocation: %s %+v", s, g)
	}
	// Its interface, as DescribeNetworkInterfaces shows it.
	enis, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{{Name: aws.String("interface-type"), Values: []string{"nat_gateway"}}}})
	if err != nil || len(enis.NetworkInterfaces) != 1 || aws.ToString(enis.NetworkInterfaces[0].Description) != "Interface for NAT Gateway "+id {
		t.Errorf("NAT ENIs %+v %v", enis, err)
	}
	// By tag, and not a near-miss tag value.
	for v, want := range map[string]int{"c42": 1, "c4": 0} {
		out, err := c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: []ec2types.Filter{{Name: aws.String("tag:labdash:class"), Values: []string{v}}}})
		if err != nil || len(out.NatGateways) != want {
			t.Errorf("tag %q: %d %v", v, len(out.NatGateways), err)
		}
	}
	if _, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(alloc)}); apiCode(err) != "InvalidIPAddress.InUse" {
		t.Errorf("release held address: %v", err)
	}
	if _, err := c.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: aws.String("nat-0123456789abcdef0")}); apiCode(err) != "NatGatewayNotFound" {
		t.Errorf("delete unknown: %v", err)
	}
	if _, err := c.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if s, _ := e.natState(id); s != "deleting" {
		t.Errorf("just deleted: %s", s)
	}
	e.clock.Advance(3 * time.Minute)
	if s, g := e.natState(id); s != "deleted" || g.DeleteTime == nil || len(g.NatGatewayAddresses) != 0 {
		t.Errorf("3 min after delete: %s %+v", s, g)
	}
	if _, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(alloc)}); err != nil {
		t.Errorf("release after the gateway is deleted: %v", err)
	}
	e.clock.Advance(time.Hour)
	if s, _ := e.natState(id); s != "gone" {
		t.Errorf("an hour after deleted: %s", s)
	}
}

func TestElasticIPQuota(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 5; i++ {
		if _, err := e.c.EC2.AllocateAddress(e.ctx, &ec2.AllocateAddressInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.c.EC2.AllocateAddress(e.ctx, &ec2.AllocateAddressInput{}); apiCode(err) != "AddressLimitExceeded" {
		t.Errorf("sixth address: %v", err)
	}
	// Another region has its own five.
	w, _ := e.w.Clients(e.ctx, "", "us-west-2")
	if _, err := w.EC2.AllocateAddress(e.ctx, &ec2.AllocateAddressInput{}); err != nil {
		t.Errorf("another region: %v", err)
	}
}

func TestVPCEndpoints(t *testing.T) {
	e := newEnv(t)
	c, ctx := e.c.EC2, e.ctx
	vpcID, subnets := e.w.ClassVPC("", "us-east-1")
	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("c42s07-vpce"), Description: aws.String("x"), VpcId: aws.String(vpcID)})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(in *ec2.CreateVpcEndpointInput) (string, error) {
		in.VpcId = aws.String(vpcID)
		out, err := c.CreateVpcEndpoint(ctx, in)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.VpcEndpoint.VpcEndpointId), nil
	}
	if _, err := mk(&ec2.CreateVpcEndpointInput{ServiceName: aws.String("com.amazonaws.us-west-2.s3")}); apiCode(err) != "InvalidServiceName" {
		t.Errorf("another region's service: %v", err)
	}
	if _, err := mk(&ec2.CreateVpcEndpointInput{ServiceName: aws.String("com.amazonaws.us-east-1.rekognition")}); apiCode(err) != "InvalidParameter" {
		t.Errorf("gateway endpoint for rekognition: %v", err)
	}
	if _, err := mk(&ec2.CreateVpcEndpointInput{ServiceName: aws.String("com.amazonaws.us-east-1.sns"), VpcEndpointType: ec2types.VpcEndpointTypeInterface,
		SubnetIds: []string{subnets[0], subnets[0]}}); apiCode(err) != "DuplicateSubnetsInSameZone" {
		t.Errorf("two subnets in one zone: %v", err)
	}
	gw, err := mk(&ec2.CreateVpcEndpointInput{ServiceName: aws.String("com.amazonaws.us-east-1.s3"), RouteTableIds: []string{"rtb-0123456789abcdef0"}})
	if err != nil {
		t.Fatal(err)
	}
	ifc, err := mk(&ec2.CreateVpcEndpointInput{ServiceName: aws.String("com.amazonaws.us-east-1.rekognition"), VpcEndpointType: ec2types.VpcEndpointTypeInterface,
		SubnetIds: subnets, SecurityGroupIds: []string{aws.ToString(sg.GroupId)}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	out, err := c.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{ifc}})
	if err != nil || out.VpcEndpoints[0].State != "available" || len(out.VpcEndpoints[0].NetworkInterfaceIds) != 2 {
		t.Fatalf("interface endpoint %+v %v", out, err)
	}
	if _, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId}); apiCode(err) != "DependencyViolation" {
		t.Errorf("delete the endpoint's group: %v", err)
	}
	del, err := c.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{gw, ifc, "vpce-0123456789abcdef0"}})
	if err != nil || len(del.Unsuccessful) != 1 || aws.ToString(del.Unsuccessful[0].ResourceId) != "vpce-0123456789abcdef0" {
		t.Errorf("delete %+v %v", del, err)
	}
	e.clock.Advance(3 * time.Minute)
	if out, err := c.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{}); err != nil || len(out.VpcEndpoints) != 0 {
		t.Errorf("after deletion %+v %v", out, err)
	}
	if _, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId}); err != nil {
		t.Errorf("delete the group after the endpoint: %v", err)
	}
}

// Lambda's VPC ENIs outlive the function and hold its security group meanwhile.
func TestLambdaVPCENIs(t *testing.T) {
	e := newEnv(t)
	c, ctx := e.c.EC2, e.ctx
	vpcID, subnets := e.w.ClassVPC("", "us-east-1")
	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("c42s07-lambda"), Description: aws.String("x"), VpcId: aws.String(vpcID)})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:lambda:us-east-1:111122223333:function:c42s07-labels"
	e.w.mu.Lock()
	r := e.w.regionLocked("111122223333", "us-east-1")
	if err := r.LambdaVPCAttach("c42s07-labels", arn, []string{"subnet-nope"}, []string{aws.ToString(sg.GroupId)}); err == nil || !strings.Contains(err.Error(), "InvalidSubnetID.NotFound") {
		t.Errorf("unknown subnet: %v", err)
	}
	err = r.LambdaVPCAttach("c42s07-labels", arn, subnets, []string{aws.ToString(sg.GroupId)})
	e.w.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	lambdaENIs := func() []ec2types.NetworkInterface {
		out, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{{Name: aws.String("interface-type"), Values: []string{"lambda"}}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.NetworkInterfaces
	}
	got := lambdaENIs()
	if len(got) != 2 || !strings.HasPrefix(aws.ToString(got[0].Description), "AWS Lambda VPC ENI-c42s07-labels-") || got[0].Status != "in-use" || got[0].InterfaceType != "lambda" {
		t.Fatalf("ENIs %+v", got)
	}
	if _, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId}); apiCode(err) != "DependencyViolation" {
		t.Errorf("delete while the function exists: %v", err)
	}
	e.w.mu.Lock()
	r.LambdaVPCRelease(arn + "x") // a near-miss ARN releases nothing
	r.LambdaVPCRelease(arn)
	e.w.mu.Unlock()
	e.clock.Advance(9 * time.Minute)
	if len(lambdaENIs()) != 2 {
		t.Errorf("9 min after the delete the ENIs are gone already")
	}
	if _, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId}); apiCode(err) != "DependencyViolation" {
		t.Errorf("delete while the ENIs linger: %v", err)
	}
	e.clock.Advance(25 * time.Minute)
	if n := len(lambdaENIs()); n != 0 {
		t.Errorf("34 min after: %d ENIs", n)
	}
	if _, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId}); err != nil {
		t.Errorf("delete after release: %v", err)
	}
}
