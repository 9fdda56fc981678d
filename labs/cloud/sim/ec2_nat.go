package sim

// Elastic IP addresses, NAT gateways and VPC endpoints: Lab 1's private-subnet
// egress for the Lambda (one shared class NAT gateway, or endpoints for S3,
// Rekognition and SNS). Modelled as AWS shows them:
//   - AllocateAddress (Domain vpc) gives an eipalloc- id and a public address; the
//     region's "EC2-VPC Elastic IPs" quota (ec2/L-0263D0A3, 5 unless SetQuota says
//     otherwise) answers AddressLimitExceeded. ReleaseAddress of an address a NAT
//     gateway holds answers InvalidIPAddress.InUse.
//   - CreateNatGateway (public: an AllocationId is required; private: none
//     allowed) is "pending" for a minute or two, then "available" with a private
//     address in its subnet. As AWS, an allocation that does not exist or is
//     already associated does not fail the call: the gateway becomes "failed"
//     with FailureCode InvalidAllocationID.NotFound or Resource.AlreadyAssociated.
//     DeleteNatGateway makes it "deleting", then "deleted" (its address released
//     from it); a deleted gateway stays in DescribeNatGateways for an hour.
//   - CreateVpcEndpoint: Gateway endpoints (s3 and dynamodb only) take route table
//     ids, which the simulator does not check (it models no route tables);
//     Interface endpoints take subnets (at most one per zone) and security groups
//     (the VPC's default group when none), hold the groups (DeleteSecurityGroup
//     answers DependencyViolation) and have an ENI per subnet. "pending" for a
//     minute, then "available"; DeleteVpcEndpoints makes it "deleting" and a
//     minute or two later it is gone. DeleteVpcEndpoints reports unknown ids in
//     Unsuccessful (InvalidVpcEndpointId.NotFound), as AWS does. Endpoint states
//     are lower case on the wire ("available"), as the vpc-endpoint-state filter.
// Tags come from TagSpecifications (natgateway, elastic-ip, vpc-endpoint) and the
// tagging API lists the three as ec2:natgateway, ec2:elastic-ip and
// ec2:vpc-endpoint. Not modelled: secondary addresses of NAT gateways, traffic
// and bytes processed, endpoint policies' effect, endpoint services.

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	// Steps at order 35: NAT gateways and endpoints, then Lambda's ENIs releasing.
	registerService("ec2-network", nil, everySecond(35, stepNetwork))
}

type elasticIP struct {
	tagged
	id, ip string
	nat    *natGateway // the gateway holding it, nil when free
}

// held reports whether a NAT gateway still holds the address at now (one
// deleted or failed does not, even before stepNetwork has let go of it).
func (e *elasticIP) held(now time.Time) bool {
	if e.nat == nil {
		return false
	}
	s := e.nat.state(now)
	return s != "deleted" && s != "failed"
}

type natGateway struct {
	tagged
	id, ip           string
	subnet           *subnet
	public           bool
	eip              *elasticIP
	failure          string // FailureCode when it failed
	allocReq         string // the AllocationId asked for
	created, readyAt time.Time
	deleteAt, deadAt time.Time // deleting from deleteAt, deleted from deadAt
	forgetAt         time.Time // gone from DescribeNatGateways
}

type vpcEndpoint struct {
	tagged
	id, service, kind string // kind Gateway or Interface
	vpc               *vpc
	subnets           []*subnet
	sgs               []string
	ips               []string
	routeTables       []string
	privateDNS        bool
	policy            string
	created, readyAt  time.Time
	deleteAt, goneAt  time.Time
}

type netState struct {
	eips      map[string]*elasticIP
	eipOrder  []*elasticIP
	nats      map[string]*natGateway
	natOrder  []*natGateway
	vpces     map[string]*vpcEndpoint
	vpceOrder []*vpcEndpoint
	lambda    []*lambdaENIs // Lambda's VPC interfaces (ec2_eni.go)
}

func netOf(r *region) *netState {
	return state(r, "ec2-network", func() *netState {
		return &netState{eips: map[string]*elasticIP{}, nats: map[string]*natGateway{}, vpces: map[string]*vpcEndpoint{}}
	})
}

func (g *natGateway) state(now time.Time) string {
	switch {
	case !g.deadAt.IsZero() && !now.Before(g.deadAt):
		return "deleted"
	case !g.deleteAt.IsZero():
		return "deleting"
	case now.Before(g.readyAt):
		return "pending"
	case g.failure != "":
		return "failed"
	}
	return "available"
}

func (e *vpcEndpoint) state(now time.Time) string {
	switch {
	case !e.deleteAt.IsZero():
		return "deleting"
	case now.Before(e.readyAt):
		return "pending"
	}
	return "available"
}

// stepNetwork releases deleted gateways' addresses, forgets old ones, removes
// deleted endpoints and releases Lambda interfaces whose time has come.
func stepNetwork(r *region, now time.Time) {
	st, ok := r.ext["ec2-network"].(*netState)
	if !ok {
		return
	}
	for _, g := range st.natOrder {
		if g.state(now) == "deleted" && g.ip != "" {
			r.freeIP(g.subnet, g.ip)
			g.ip = ""
			if g.eip != nil && g.eip.nat == g {
				g.eip.nat = nil
			}
		}
		if g.state(now) == "failed" && g.eip != nil && g.eip.nat == g {
			g.eip.nat = nil
		}
		if !g.forgetAt.IsZero() && !now.Before(g.forgetAt) {
			g.dead = true
			delete(st.nats, g.id)
		}
	}
	st.natOrder = compact(st.natOrder, func(g *natGateway) bool { return !g.dead })
	for _, e := range st.vpceOrder {
		if !e.goneAt.IsZero() && !now.Before(e.goneAt) {
			e.dead = true
			r.useSGs(e.sgs, -1)
			for i, ip := range e.ips {
				r.freeIP(e.subnets[i], ip)
			}
			delete(st.vpces, e.id)
		}
	}
	st.vpceOrder = compact(st.vpceOrder, func(e *vpcEndpoint) bool { return !e.dead })
	r.stepLambdaENIs(st, now)
}

func eipQuota(w *World, r *region) float64 {
	for _, k := range []string{r.account + "/" + r.name + "/ec2/L-0263D0A3", r.account + "/*/ec2/L-0263D0A3"} {
		if v, ok := w.quotas[k]; ok {
			return v
		}
	}
	return defaultQuotas["ec2/L-0263D0A3"].value
}

// AllocateAddress allocates an Elastic IP address for use in a VPC.
func (c *ec2Client) AllocateAddress(ctx context.Context, in *ec2.AllocateAddressInput, _ ...func(*ec2.Options)) (*ec2.AllocateAddressOutput, error) {
	return do(ctx, c.base, "ec2", "AllocateAddress", in, func(r *region) (*ec2.AllocateAddressOutput, error) { return allocateAddress(r, in) })
}

// allocateAddress is AllocateAddress's model, shared with CloudFormation. The world's lock must be held.
func allocateAddress(r *region, in *ec2.AllocateAddressInput) (*ec2.AllocateAddressOutput, error) {
	if in == nil {
		in = &ec2.AllocateAddressInput{}
	}
	if in.Domain != "" && in.Domain != ec2types.DomainTypeVpc {
		return nil, apiError("InvalidParameterValue", "Invalid value '%s' for domain.", in.Domain)
	}
	if in.Address != nil || in.PublicIpv4Pool != nil || in.CustomerOwnedIpv4Pool != nil {
		return nil, apiError("UnsupportedOperation", "The simulator allocates only Amazon's addresses.")
	}
	tags, err := tagsFromSpecs(in.TagSpecifications, ec2types.ResourceTypeElasticIp)
	if err != nil {
		return nil, err
	}
	st := netOf(r)
	if float64(len(st.eips)) >= eipQuota(r.w, r) {
		return nil, apiError("AddressLimitExceeded", "The maximum number of addresses has been reached.")
	}
	e := &elasticIP{id: "eipalloc-" + r.w.hexID(17)}
	h := hashID(6, r.account, r.name, e.id)
	n, _ := strconv.ParseUint(h, 16, 32)
	e.ip = fmt.Sprintf("52.%d.%d.%d", 10+(n>>16)%200, (n>>8)&0xff, 1+n&0xfe)
	e.tags = tags[ec2types.ResourceTypeElasticIp]
	st.eips[e.id] = e
	st.eipOrder = append(st.eipOrder, e)
	r.addTaggable(&e.tagged, r.arn("ec2", "elastic-ip/"+e.id), "ec2:elastic-ip")
	return &ec2.AllocateAddressOutput{AllocationId: ptr(e.id), PublicIp: ptr(e.ip), Domain: ec2types.DomainTypeVpc,
		NetworkBorderGroup: ptr(r.name), PublicIpv4Pool: ptr("amazon")}, nil
}

func (r *region) eipOut(e *elasticIP) ec2types.Address {
	o := ec2types.Address{AllocationId: ptr(e.id), PublicIp: ptr(e.ip), Domain: ec2types.DomainTypeVpc, NetworkBorderGroup: ptr(r.name),
		PublicIpv4Pool: ptr("amazon"), Tags: ec2Tags(e.tags)}
	if g := e.nat; g != nil && e.held(r.w.now) {
		o.AssociationId = ptr("eipassoc-" + hashID(17, e.id, g.id))
		o.NetworkInterfaceId = ptr(natENIID(g))
		o.NetworkInterfaceOwnerId = ptr(r.account)
		o.PrivateIpAddress = optStr(g.ip)
	}
	return o
}

// DescribeAddresses lists the region's Elastic IPs, by allocation id and filters.
func (c *ec2Client) DescribeAddresses(ctx context.Context, in *ec2.DescribeAddressesInput, _ ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeAddresses", in, func(r *region) (*ec2.DescribeAddressesOutput, error) {
		if in == nil {
			in = &ec2.DescribeAddressesInput{}
		}
		st := netOf(r)
		for _, id := range in.AllocationIds {
			if st.eips[id] == nil {
				return nil, apiError("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", id)
			}
		}
		out := &ec2.DescribeAddressesOutput{Addresses: []ec2types.Address{}}
		for _, e := range st.eipOrder {
			if len(in.AllocationIds) > 0 && !contains(in.AllocationIds, e.id) {
				continue
			}
			if len(in.PublicIps) > 0 && !contains(in.PublicIps, e.ip) {
				continue
			}
			ok, err := filterSet(in.Filters).match(func(name string) ([]string, bool) {
				switch name {
				case "allocation-id":
					return []string{e.id}, true
				case "public-ip":
					return []string{e.ip}, true
				case "domain":
					return []string{"vpc"}, true
				}
				return tagAttr(e.tags, name)
			})
			if err != nil {
				return nil, err
			}
			if ok {
				out.Addresses = append(out.Addresses, r.eipOut(e))
			}
		}
		return out, nil
	})
}

// ReleaseAddress releases an Elastic IP no NAT gateway holds.
func (c *ec2Client) ReleaseAddress(ctx context.Context, in *ec2.ReleaseAddressInput, _ ...func(*ec2.Options)) (*ec2.ReleaseAddressOutput, error) {
	return do(ctx, c.base, "ec2", "ReleaseAddress", in, func(r *region) (*ec2.ReleaseAddressOutput, error) {
		if in == nil || str(in.AllocationId) == "" {
			return nil, apiError("MissingParameter", "The request must contain the parameter AllocationId")
		}
		st := netOf(r)
		e := st.eips[str(in.AllocationId)]
		if e == nil {
			return nil, apiError("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", str(in.AllocationId))
		}
		if e.held(c.w.now) {
			return nil, apiError("InvalidIPAddress.InUse", "Address %s is in use.", e.ip)
		}
		e.dead = true
		delete(st.eips, e.id)
		st.eipOrder = compact(st.eipOrder, func(x *elasticIP) bool { return !x.dead })
		return &ec2.ReleaseAddressOutput{}, nil
	})
}

func natENIID(g *natGateway) string { return "eni-" + hashID(17, g.id, "nat-eni") }

// CreateNatGateway creates a public (with an Elastic IP) or private NAT gateway in a subnet.
func (c *ec2Client) CreateNatGateway(ctx context.Context, in *ec2.CreateNatGatewayInput, _ ...func(*ec2.Options)) (*ec2.CreateNatGatewayOutput, error) {
	return do(ctx, c.base, "ec2", "CreateNatGateway", in, func(r *region) (*ec2.CreateNatGatewayOutput, error) { return createNatGateway(r, in) })
}

// createNatGateway is CreateNatGateway's model, shared with CloudFormation. The world's lock must be held.
func createNatGateway(r *region, in *ec2.CreateNatGatewayInput) (*ec2.CreateNatGatewayOutput, error) {
	if in == nil {
		in = &ec2.CreateNatGatewayInput{}
	}
	if str(in.SubnetId) == "" {
		return nil, apiError("MissingParameter", "The request must contain the parameter SubnetId")
	}
	s := r.subnets[str(in.SubnetId)]
	if s == nil {
		return nil, apiError("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", str(in.SubnetId))
	}
	public := in.ConnectivityType == "" || in.ConnectivityType == ec2types.ConnectivityTypePublic
	switch {
	case in.ConnectivityType != "" && in.ConnectivityType != ec2types.ConnectivityTypePublic && in.ConnectivityType != ec2types.ConnectivityTypePrivate:
		return nil, apiError("InvalidParameterValue", "Invalid value '%s' for connectivityType.", in.ConnectivityType)
	case public && str(in.AllocationId) == "":
		return nil, apiError("MissingParameter", "Public NAT gateways require an AllocationId.")
	case !public && str(in.AllocationId) != "":
		return nil, apiError("InvalidParameterCombination", "Private NAT gateways cannot have an AllocationId.")
	case len(in.SecondaryAllocationIds) > 0 || len(in.SecondaryPrivateIpAddresses) > 0 || in.SecondaryPrivateIpAddressCount != nil || in.PrivateIpAddress != nil:
		return nil, apiError("UnsupportedOperation", "The simulator does not model secondary or chosen NAT gateway addresses.")
	}
	tags, err := tagsFromSpecs(in.TagSpecifications, ec2types.ResourceTypeNatgateway)
	if err != nil {
		return nil, err
	}
	st := netOf(r)
	g := &natGateway{id: "nat-" + r.w.hexID(17), subnet: s, public: public, created: r.w.now,
		readyAt: r.w.now.Add(r.w.jitter(time.Minute, time.Minute))}
	g.tags = tags[ec2types.ResourceTypeNatgateway]
	g.allocReq = str(in.AllocationId)
	if public {
		switch e := st.eips[str(in.AllocationId)]; {
		case e == nil:
			g.failure = "InvalidAllocationID.NotFound"
		case e.held(r.w.now):
			g.failure = "Resource.AlreadyAssociated"
			g.eip = e
		default:
			g.eip, e.nat = e, g
		}
	}
	if g.failure == "" {
		g.ip = r.allocIP(s)
		if g.ip == "" {
			g.failure = "InsufficientFreeAddressesInSubnet"
		}
	}
	if g.failure == "Resource.AlreadyAssociated" {
		g.eip = nil
	}
	st.nats[g.id] = g
	st.natOrder = append(st.natOrder, g)
	r.addTaggable(&g.tagged, r.arn("ec2", "natgateway/"+g.id), "ec2:natgateway")
	return &ec2.CreateNatGatewayOutput{ClientToken: in.ClientToken, NatGateway: ptr(r.natOut(g, r.w.now))}, nil
}

func (r *region) natOut(g *natGateway, now time.Time) ec2types.NatGateway {
	s := g.state(now)
	o := ec2types.NatGateway{NatGatewayId: ptr(g.id), SubnetId: ptr(g.subnet.id), VpcId: ptr(g.subnet.vpc.id), State: ec2types.NatGatewayState(s),
		ConnectivityType: ec2types.ConnectivityTypePrivate, CreateTime: tptr(g.created), Tags: ec2Tags(g.tags), NatGatewayAddresses: []ec2types.NatGatewayAddress{}}
	if g.public {
		o.ConnectivityType = ec2types.ConnectivityTypePublic
	}
	if !g.deadAt.IsZero() && s == "deleted" {
		o.DeleteTime = tptr(g.deadAt)
	}
	if s == "failed" {
		o.FailureCode = ptr(g.failure)
		o.FailureMessage = ptr(natFailure(g))
		return o
	}
	if s != "deleted" && g.ip != "" {
		a := ec2types.NatGatewayAddress{NetworkInterfaceId: ptr(natENIID(g)), PrivateIp: ptr(g.ip), IsPrimary: ptr(true), Status: ec2types.NatGatewayAddressStatusSucceeded}
		if g.eip != nil {
			a.AllocationId, a.PublicIp = ptr(g.eip.id), ptr(g.eip.ip)
			a.AssociationId = ptr("eipassoc-" + hashID(17, g.eip.id, g.id))
		}
		o.NatGatewayAddresses = append(o.NatGatewayAddresses, a)
	}
	return o
}

// natFailure is AWS's FailureMessage for each FailureCode (NatGateway, EC2 API reference).
func natFailure(g *natGateway) string {
	switch g.failure {
	case "InvalidAllocationID.NotFound":
		return "Elastic IP address " + g.allocReq + " could not be associated with this NAT gateway"
	case "Resource.AlreadyAssociated":
		return "Elastic IP address " + g.allocReq + " is already associated"
	case "InsufficientFreeAddressesInSubnet":
		return "Subnet has insufficient free addresses to create this NAT gateway"
	}
	return g.failure
}

// DescribeNatGateways lists gateways by id and filters (nat-gateway-id, state,
// subnet-id, vpc-id, tag:KEY, tag-key), MaxResults (5–1000) at a time.
func (c *ec2Client) DescribeNatGateways(ctx context.Context, in *ec2.DescribeNatGatewaysInput, _ ...func(*ec2.Options)) (*ec2.DescribeNatGatewaysOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeNatGateways", in, func(r *region) (*ec2.DescribeNatGatewaysOutput, error) {
		if in == nil {
			in = &ec2.DescribeNatGatewaysInput{}
		}
		max := int(i32(in.MaxResults, 1000))
		if max < 5 || max > 1000 {
			return nil, apiError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.", max)
		}
		start, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, apiError("InvalidPaginationToken", "The pagination token is invalid")
		}
		st := netOf(r)
		for _, id := range in.NatGatewayIds {
			if st.nats[id] == nil {
				return nil, apiError("NatGatewayNotFound", "The Nat Gateway %s was not found", id)
			}
		}
		out := &ec2.DescribeNatGatewaysOutput{NatGateways: []ec2types.NatGateway{}}
		for i := start; i < len(st.natOrder); i++ {
			g := st.natOrder[i]
			if len(in.NatGatewayIds) > 0 && !contains(in.NatGatewayIds, g.id) {
				continue
			}
			ok, err := filterSet(in.Filter).match(func(name string) ([]string, bool) {
				switch name {
				case "nat-gateway-id":
					return []string{g.id}, true
				case "state":
					return []string{g.state(c.w.now)}, true
				case "subnet-id":
					return []string{g.subnet.id}, true
				case "vpc-id":
					return []string{g.subnet.vpc.id}, true
				}
				return tagAttr(g.tags, name)
			})
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if len(out.NatGateways) == max {
				out.NextToken = intToken(i)
				break
			}
			out.NatGateways = append(out.NatGateways, r.natOut(g, c.w.now))
		}
		return out, nil
	})
}

// DeleteNatGateway starts deleting a gateway; deleting one already deleted or deleting succeeds again.
func (c *ec2Client) DeleteNatGateway(ctx context.Context, in *ec2.DeleteNatGatewayInput, _ ...func(*ec2.Options)) (*ec2.DeleteNatGatewayOutput, error) {
	return do(ctx, c.base, "ec2", "DeleteNatGateway", in, func(r *region) (*ec2.DeleteNatGatewayOutput, error) {
		if in == nil || str(in.NatGatewayId) == "" {
			return nil, apiError("MissingParameter", "The request must contain the parameter NatGatewayId")
		}
		id := str(in.NatGatewayId)
		if !strings.HasPrefix(id, "nat-") {
			return nil, apiError("NatGatewayMalformed", "The Nat Gateway ID '%s' is malformed", id)
		}
		g := netOf(r).nats[id]
		if g == nil {
			return nil, apiError("NatGatewayNotFound", "The Nat Gateway %s was not found", id)
		}
		if g.deleteAt.IsZero() {
			g.deleteAt = c.w.now
			g.deadAt = c.w.now.Add(c.w.jitter(time.Minute, time.Minute))
			g.forgetAt = g.deadAt.Add(time.Hour)
		}
		return &ec2.DeleteNatGatewayOutput{NatGatewayId: ptr(g.id)}, nil
	})
}

// vpceServices are the endpoint services the simulator knows, by short name;
// true where a Gateway endpoint exists.
var vpceServices = map[string]bool{"s3": true, "dynamodb": true, "rekognition": false, "sns": false, "sqs": false, "lambda": false,
	"secretsmanager": false, "xray": false, "logs": false, "monitoring": false, "ssm": false, "ssmmessages": false, "ec2messages": false,
	"sts": false, "kms": false, "ecr.api": false, "ecr.dkr": false, "rds": false}

// CreateVpcEndpoint creates a Gateway or Interface endpoint in a VPC.
func (c *ec2Client) CreateVpcEndpoint(ctx context.Context, in *ec2.CreateVpcEndpointInput, _ ...func(*ec2.Options)) (*ec2.CreateVpcEndpointOutput, error) {
	return do(ctx, c.base, "ec2", "CreateVpcEndpoint", in, func(r *region) (*ec2.CreateVpcEndpointOutput, error) { return createVpcEndpoint(r, in) })
}

// createVpcEndpoint is CreateVpcEndpoint's model, shared with CloudFormation. The world's lock must be held.
func createVpcEndpoint(r *region, in *ec2.CreateVpcEndpointInput) (*ec2.CreateVpcEndpointOutput, error) {
	if in == nil {
		in = &ec2.CreateVpcEndpointInput{}
	}
	v := r.vpcs[str(in.VpcId)]
	if v == nil {
		return nil, apiError("InvalidVpcId.NotFound", "The vpc ID '%s' does not exist", str(in.VpcId))
	}
	name := str(in.ServiceName)
	short, ok := strings.CutPrefix(name, "com.amazonaws."+r.name+".")
	gw, known := vpceServices[short]
	if !ok || !known {
		return nil, apiError("InvalidServiceName", "The Vpc Endpoint Service '%s' does not exist", name)
	}
	kind := string(in.VpcEndpointType)
	if kind == "" {
		kind = "Gateway"
	}
	tags, err := tagsFromSpecs(in.TagSpecifications, ec2types.ResourceTypeVpcEndpoint)
	if err != nil {
		return nil, err
	}
	e := &vpcEndpoint{id: "vpce-" + r.w.hexID(17), service: name, kind: kind, vpc: v, created: r.w.now,
		readyAt: r.w.now.Add(r.w.jitter(time.Minute, 30*time.Second)), policy: str(in.PolicyDocument)}
	e.tags = tags[ec2types.ResourceTypeVpcEndpoint]
	switch kind {
	case "Gateway":
		if !gw {
			return nil, apiError("InvalidParameter", "Endpoint type (Gateway) does not match available service types ([Interface]).")
		}
		if len(in.SubnetIds) > 0 || len(in.SecurityGroupIds) > 0 {
			return nil, apiError("InvalidParameter", "Subnets and security groups are not supported for Gateway endpoints.")
		}
		e.routeTables = append([]string(nil), in.RouteTableIds...)
	case "Interface":
		if len(in.RouteTableIds) > 0 {
			return nil, apiError("InvalidParameter", "Route tables are not supported for Interface endpoints.")
		}
		zones := map[string]bool{}
		for _, id := range in.SubnetIds {
			s := r.subnets[id]
			if s == nil {
				return nil, apiError("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
			}
			if s.vpc != v {
				return nil, apiError("InvalidParameter", "The subnet %s does not belong to the vpc %s", id, v.id)
			}
			if zones[s.az] {
				return nil, apiError("DuplicateSubnetsInSameZone", "Found another VPC endpoint subnet in the availability zone of %s. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.", id)
			}
			zones[s.az] = true
			e.subnets = append(e.subnets, s)
		}
		for _, id := range in.SecurityGroupIds {
			g := r.sgs[id]
			if g == nil {
				return nil, apiError("InvalidSecurityGroupId.NotFound", "The security group '%s' does not exist", id)
			}
			if g.vpc != v {
				return nil, apiError("InvalidParameter", "The security group %s does not belong to the vpc %s", id, v.id)
			}
		}
		e.sgs = append([]string(nil), in.SecurityGroupIds...)
		if len(e.sgs) == 0 {
			e.sgs = []string{v.defaultSG.id}
		}
		e.privateDNS = in.PrivateDnsEnabled == nil || *in.PrivateDnsEnabled
		for _, s := range e.subnets {
			ip := r.allocIP(s)
			if ip == "" {
				for i, got := range e.ips {
					r.freeIP(e.subnets[i], got)
				}
				return nil, apiError("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '%s'.", s.id)
			}
			e.ips = append(e.ips, ip)
		}
		r.useSGs(e.sgs, +1)
	default:
		return nil, apiError("InvalidParameterValue", "Invalid value '%s' for VpcEndpointType.", kind)
	}
	st := netOf(r)
	st.vpces[e.id] = e
	st.vpceOrder = append(st.vpceOrder, e)
	r.addTaggable(&e.tagged, r.arn("ec2", "vpc-endpoint/"+e.id), "ec2:vpc-endpoint")
	return &ec2.CreateVpcEndpointOutput{ClientToken: in.ClientToken, VpcEndpoint: ptr(r.vpceOut(e, r.w.now))}, nil
}

func vpceENIID(e *vpcEndpoint, i int) string {
	return "eni-" + hashID(17, e.id, "vpce-eni", strconv.Itoa(i))
}

func (r *region) vpceOut(e *vpcEndpoint, now time.Time) ec2types.VpcEndpoint {
	o := ec2types.VpcEndpoint{VpcEndpointId: ptr(e.id), VpcEndpointType: ec2types.VpcEndpointType(e.kind), VpcId: ptr(e.vpc.id),
		ServiceName: ptr(e.service), State: ec2types.State(e.state(now)), CreationTimestamp: tptr(e.created), OwnerId: ptr(r.account),
		RequesterManaged: ptr(false), Tags: ec2Tags(e.tags), RouteTableIds: append([]string{}, e.routeTables...), SubnetIds: []string{},
		NetworkInterfaceIds: []string{}, Groups: []ec2types.SecurityGroupIdentifier{}, PrivateDnsEnabled: ptr(e.privateDNS)}
	if e.policy != "" {
		o.PolicyDocument = ptr(e.policy)
	} else {
		o.PolicyDocument = ptr(`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)
	}
	for i, s := range e.subnets {
		o.SubnetIds = append(o.SubnetIds, s.id)
		o.NetworkInterfaceIds = append(o.NetworkInterfaceIds, vpceENIID(e, i))
	}
	for _, id := range e.sgs {
		g := ec2types.SecurityGroupIdentifier{GroupId: ptr(id)}
		if sg := r.sgs[id]; sg != nil {
			g.GroupName = ptr(sg.name)
		}
		o.Groups = append(o.Groups, g)
	}
	return o
}

// DescribeVpcEndpoints lists endpoints by id and filters (vpc-endpoint-id,
// vpc-endpoint-state, vpc-id, service-name, vpc-endpoint-type, tag:KEY, tag-key).
func (c *ec2Client) DescribeVpcEndpoints(ctx context.Context, in *ec2.DescribeVpcEndpointsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointsOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeVpcEndpoints", in, func(r *region) (*ec2.DescribeVpcEndpointsOutput, error) {
		if in == nil {
			in = &ec2.DescribeVpcEndpointsInput{}
		}
		max := int(i32(in.MaxResults, 1000))
		if max < 5 || max > 1000 {
			return nil, apiError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.", max)
		}
		start, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, apiError("InvalidPaginationToken", "The pagination token is invalid")
		}
		st := netOf(r)
		for _, id := range in.VpcEndpointIds {
			if st.vpces[id] == nil {
				return nil, apiError("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '%s' does not exist", id)
			}
		}
		out := &ec2.DescribeVpcEndpointsOutput{VpcEndpoints: []ec2types.VpcEndpoint{}}
		for i := start; i < len(st.vpceOrder); i++ {
			e := st.vpceOrder[i]
			if len(in.VpcEndpointIds) > 0 && !contains(in.VpcEndpointIds, e.id) {
				continue
			}
			ok, err := filterSet(in.Filters).match(func(name string) ([]string, bool) {
				switch name {
				case "vpc-endpoint-id":
					return []string{e.id}, true
				case "vpc-endpoint-state":
					return []string{e.state(c.w.now)}, true
				case "vpc-id":
					return []string{e.vpc.id}, true
				case "service-name":
					return []string{e.service}, true
				case "vpc-endpoint-type":
					return []string{e.kind}, true
				}
				return tagAttr(e.tags, name)
			})
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if len(out.VpcEndpoints) == max {
				out.NextToken = intToken(i)
				break
			}
			out.VpcEndpoints = append(out.VpcEndpoints, r.vpceOut(e, c.w.now))
		}
		return out, nil
	})
}

// DeleteVpcEndpoints starts deleting endpoints; unknown ids are reported in Unsuccessful.
func (c *ec2Client) DeleteVpcEndpoints(ctx context.Context, in *ec2.DeleteVpcEndpointsInput, _ ...func(*ec2.Options)) (*ec2.DeleteVpcEndpointsOutput, error) {
	return do(ctx, c.base, "ec2", "DeleteVpcEndpoints", in, func(r *region) (*ec2.DeleteVpcEndpointsOutput, error) {
		if in == nil || len(in.VpcEndpointIds) == 0 {
			return nil, apiError("MissingParameter", "The request must contain the parameter VpcEndpointId")
		}
		st := netOf(r)
		out := &ec2.DeleteVpcEndpointsOutput{Unsuccessful: []ec2types.UnsuccessfulItem{}}
		ids := append([]string(nil), in.VpcEndpointIds...)
		sort.Strings(ids)
		for _, id := range ids {
			e := st.vpces[id]
			if e == nil {
				out.Unsuccessful = append(out.Unsuccessful, ec2types.UnsuccessfulItem{ResourceId: ptr(id),
					Error: &ec2types.UnsuccessfulItemError{Code: ptr("InvalidVpcEndpointId.NotFound"), Message: ptr("The VPC endpoint '" + id + "' does not exist")}})
				continue
			}
			if e.deleteAt.IsZero() {
				e.deleteAt = c.w.now
				e.goneAt = c.w.now.Add(c.w.jitter(time.Minute, time.Minute))
			}
		}
		return out, nil
	})
}

var _ cloud.EC2 = (*ec2Client)(nil)
