package sim

// Network interfaces, as DescribeNetworkInterfaces shows them. The simulator does
// not model ENIs as resources of their own (no CreateNetworkInterface): it
// synthesises the interfaces AWS would have made for what it does model, so that
// a caller can see what holds a security group, subnet or VPC:
//
//   - one per EC2 instance that is not terminated (pending, running, stopping,
//     stopped, shutting-down: AWS deletes the primary interface with the
//     instance): attached to it (Attachment.InstanceId, device 0), the instance's
//     subnet, address and groups, InterfaceType "interface", RequesterManaged false;
//   - one per subnet of each application load balancer: Description
//     "ELB app/NAME/ID", RequesterId "amazon-elb", RequesterManaged true, the load
//     balancer's groups (InterfaceType "interface", the simulator's reading);
//   - one per ECS task (awsvpc, as every Fargate task) that is not STOPPED: the
//     task's ENI id, subnet, address and groups, Description
//     "arn:aws:ecs:REGION:ACCOUNT:attachment/ATTACHMENT-ID" (the task's
//     ElasticNetworkInterface attachment), RequesterManaged true, InterfaceType
//     "interface";
//   - one per RDS DB instance until it is gone: Description "RDSNetworkInterface",
//     RequesterId "amazon-rds", RequesterManaged true, the instance's groups, in
//     the default VPC's subnet of its Availability Zone.
//
// These are exactly the uses of a security group that make DeleteSecurityGroup
// answer DependencyViolation (besides another group's rule naming it). Ids are
// stable for the same object (derived with hashID; a task's is the ENI id
// DescribeTasks reports). The simulator allocates no private address to load
// balancers and DB instances, so their interfaces have none. Filters: group-id,
// group-name, vpc-id, subnet-id, availability-zone, network-interface-id,
// attachment.instance-id, attachment.status, description, interface-type,
// private-ip-address, requester-id, requester-managed, status, owner-id, tag:KEY
// and tag-key (none of these interfaces has tags). Not modelled: creating,
// attaching or deleting interfaces, secondary addresses, IPv6, Elastic IPs.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// eni is one synthesised interface.
type eni struct {
	id, desc, ip string
	subnet       *subnet
	sgs          []string
	instanceID   string // attached instance, for instance interfaces
	attachID     string
	deviceIndex  int32
	requesterID  string
	managed      bool
	attachOwner  string // InstanceOwnerId of the attachment
	ifType       string // InterfaceType; "" is "interface"
}

func (e *eni) interfaceType() string {
	if e.ifType == "" {
		return "interface"
	}
	return e.ifType
}

// lambdaENIs are the interfaces Lambda made for one function's VPC configuration:
// one per subnet, holding the function's security groups. They outlive the
// function: after DeleteFunction (or a VpcConfig change) they stay "in-use" until
// releaseAt, as AWS takes many minutes to release them, and meanwhile the groups
// cannot be deleted (DependencyViolation).
type lambdaENIs struct {
	fn, arn   string
	subnets   []*subnet
	sgs       []string
	ips, ids  []string
	releaseAt time.Time // zero while the function uses them
}

// LambdaVPCAttach records that the function named fn (ARN arn) is configured with
// subnetIDs and sgIDs, making its ENIs; a function's earlier interfaces are
// released (they linger as after a delete). With no subnets it only releases.
// Lambda code calls it under the world's lock (from inside do) on CreateFunction
// and UpdateFunctionConfiguration with a VpcConfig. The error is a plain message
// for Lambda to wrap in InvalidParameterValueException.
func (r *region) LambdaVPCAttach(fn, arn string, subnetIDs, sgIDs []string) error {
	var subs []*subnet
	for _, id := range subnetIDs {
		s := r.subnets[id]
		if s == nil {
			return fmt.Errorf("Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID '%s' does not exist", id)
		}
		if len(subs) > 0 && s.vpc != subs[0].vpc {
			return fmt.Errorf("Subnets %s and %s are not in the same VPC.", subs[0].id, s.id)
		}
		subs = append(subs, s)
	}
	for _, id := range sgIDs {
		g := r.sgs[id]
		if g == nil {
			return fmt.Errorf("Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group '%s' does not exist", id)
		}
		if len(subs) > 0 && g.vpc != subs[0].vpc {
			return fmt.Errorf("Security group %s is not in the VPC of the subnets.", id)
		}
	}
	if len(subs) > 0 && len(sgIDs) == 0 {
		return fmt.Errorf("SecurityGroupIds must be given with SubnetIds.")
	}
	r.LambdaVPCRelease(arn)
	if len(subs) == 0 {
		return nil
	}
	st := netOf(r)
	l := &lambdaENIs{fn: fn, arn: arn, subnets: subs, sgs: append([]string(nil), sgIDs...)}
	for i, s := range subs {
		ip := r.allocIP(s)
		l.ips = append(l.ips, ip)
		l.ids = append(l.ids, "eni-"+hashID(17, arn, s.id, strconv.Itoa(len(st.lambda)), strconv.Itoa(i), r.w.now.String()))
	}
	r.useSGs(l.sgs, +1)
	st.lambda = append(st.lambda, l)
	return nil
}

// LambdaVPCRelease is DeleteFunction's (and a VpcConfig removal's) side: the
// function's interfaces stay in-use for 10 to 30 simulated minutes more, then go.
func (r *region) LambdaVPCRelease(arn string) {
	st, ok := r.ext["ec2-network"].(*netState)
	if !ok {
		return
	}
	for _, l := range st.lambda {
		if l.arn == arn && l.releaseAt.IsZero() {
			l.releaseAt = r.w.now.Add(r.w.jitter(10*time.Minute, 20*time.Minute))
		}
	}
}

func (r *region) stepLambdaENIs(st *netState, now time.Time) {
	keep := st.lambda[:0]
	for _, l := range st.lambda {
		if !l.releaseAt.IsZero() && !now.Before(l.releaseAt) {
			r.useSGs(l.sgs, -1)
			for i, ip := range l.ips {
				if ip != "" {
					r.freeIP(l.subnets[i], ip)
				}
			}
			continue
		}
		keep = append(keep, l)
	}
	st.lambda = keep
}

func (r *region) instanceENIID(in *instance) string {
	return "eni-" + hashID(17, r.account, r.name, in.id, "eni")
}

// enis lists the region's interfaces in a stable order: instances, load
// balancers, tasks, DB instances, each in creation order.
func (r *region) enis() []*eni {
	var out []*eni
	if s, _ := r.ext[ec2InstKey].(*ec2InstState); s != nil {
		for _, in := range s.order {
			if in.state == ec2types.InstanceStateNameTerminated {
				continue
			}
			out = append(out, &eni{id: r.instanceENIID(in), ip: in.ip, subnet: in.spec.subnet, sgs: in.spec.sgs, instanceID: in.id,
				attachID: "eni-attach-" + hashID(17, r.account, r.name, in.id, "attach"), attachOwner: r.account})
		}
	}
	for _, lb := range r.lbOrder {
		if lb.dead {
			continue
		}
		for _, s := range lb.subnets {
			out = append(out, &eni{id: "eni-" + hashID(17, lb.arn, s.id), desc: "ELB " + lbDim(lb), subnet: s, sgs: lb.sgs,
				requesterID: "amazon-elb", managed: true, attachID: "ela-attach-" + hashID(17, lb.arn, s.id, "attach"), deviceIndex: 1, attachOwner: "amazon-elb"})
		}
	}
	for _, t := range r.taskOrder {
		if t.last == "STOPPED" || t.dead {
			continue
		}
		out = append(out, &eni{id: t.eni, desc: r.arn("ecs", "attachment/"+t.attachID), ip: t.ip, subnet: t.subnet, sgs: t.sgs, managed: true,
			attachID: "eni-attach-" + hashID(17, t.eni, "attach"), deviceIndex: 1})
	}
	if st, _ := r.ext["ec2-network"].(*netState); st != nil {
		for _, g := range st.natOrder {
			if g.ip == "" || g.state(r.w.now) == "failed" {
				continue
			}
			out = append(out, &eni{id: natENIID(g), desc: "Interface for NAT Gateway " + g.id, ip: g.ip, subnet: g.subnet, managed: true,
				requesterID: "amazon-nat-gateway", ifType: "nat_gateway", attachID: "ela-attach-" + hashID(17, g.id, "attach"), deviceIndex: 1, attachOwner: "amazon-aws"})
		}
		for _, e := range st.vpceOrder {
			for i, s := range e.subnets {
				out = append(out, &eni{id: vpceENIID(e, i), desc: "VPC Endpoint Interface " + e.id, ip: e.ips[i], subnet: s, sgs: e.sgs, managed: true,
					requesterID: "amazon-aws", ifType: "vpc_endpoint", attachID: "ela-attach-" + hashID(17, e.id, s.id), deviceIndex: 1, attachOwner: "amazon-aws"})
			}
		}
		for _, l := range st.lambda {
			for i, s := range l.subnets {
				out = append(out, &eni{id: l.ids[i], desc: "AWS Lambda VPC ENI-" + l.fn + "-" + hashID(8, l.ids[i])[:8] + "-" + hashID(4, l.ids[i], "b")[:4] + "-" + hashID(4, l.ids[i], "c")[:4] + "-" + hashID(4, l.ids[i], "d")[:4] + "-" + hashID(12, l.ids[i], "e")[:12],
					ip: l.ips[i], subnet: s, sgs: l.sgs, managed: true, requesterID: "AROA" + strings.ToUpper(hashID(17, l.arn, "role"))[:17] + ":" + l.fn,
					ifType: "lambda", attachID: "ela-attach-" + hashID(17, l.ids[i], "attach"), deviceIndex: 1, attachOwner: "amazon-aws"})
			}
		}
	}
	if st, _ := r.ext["rds"].(*rdsState); st != nil {
		for _, x := range st.order {
			if x.dead {
				continue
			}
			var sn *subnet
			subs := r.subOrder
			if x.subnetGroup != nil {
				subs = x.subnetGroup.subnets
			}
			for _, s := range subs {
				if (x.subnetGroup != nil || s.vpc == r.defaultVPC()) && s.az == x.az && sn == nil {
					sn = s
				}
			}
			if sn == nil {
				sn = r.subOrder[0]
			}
			out = append(out, &eni{id: "eni-" + hashID(17, x.arn, "eni"), desc: "RDSNetworkInterface", subnet: sn, sgs: x.sgs,
				requesterID: "amazon-rds", managed: true, attachID: "ela-attach-" + hashID(17, x.arn, "attach"), deviceIndex: 1, attachOwner: "amazon-rds"})
		}
	}
	return out
}

func (e *eni) mac() string {
	h := e.id[4:]
	return fmt.Sprintf("0e:%s:%s:%s:%s:%s", h[0:2], h[2:4], h[4:6], h[6:8], h[8:10])
}

func (r *region) dnsName(ip string) string {
	if ip == "" {
		return ""
	}
	if r.name == "us-east-1" {
		return "ip-" + strings.ReplaceAll(ip, ".", "-") + ".ec2.internal"
	}
	return "ip-" + strings.ReplaceAll(ip, ".", "-") + "." + r.name + ".compute.internal"
}

func (r *region) eniAttr(e *eni, name string) ([]string, bool) {
	switch name {
	case "group-id":
		return append([]string(nil), e.sgs...), true
	case "group-name":
		var names []string
		for _, id := range e.sgs {
			if sg := r.sgs[id]; sg != nil {
				names = append(names, sg.name)
			}
		}
		return names, true
	case "vpc-id":
		return []string{e.subnet.vpc.id}, true
	case "subnet-id":
		return []string{e.subnet.id}, true
	case "availability-zone":
		return []string{e.subnet.az}, true
	case "network-interface-id":
		return []string{e.id}, true
	case "attachment.instance-id":
		if e.instanceID == "" {
			return nil, true
		}
		return []string{e.instanceID}, true
	case "attachment.status":
		return []string{"attached"}, true
	case "description":
		return []string{e.desc}, true
	case "interface-type":
		return []string{e.interfaceType()}, true
	case "private-ip-address", "addresses.private-ip-address":
		if e.ip == "" {
			return nil, true
		}
		return []string{e.ip}, true
	case "requester-id":
		if e.requesterID == "" {
			return nil, true
		}
		return []string{e.requesterID}, true
	case "requester-managed":
		return []string{strconv.FormatBool(e.managed)}, true
	case "status":
		return []string{"in-use"}, true
	case "owner-id":
		return []string{r.account}, true
	case "mac-address":
		return []string{e.mac()}, true
	}
	return tagAttr(nil, name)
}

func (r *region) eniOut(e *eni) ec2types.NetworkInterface {
	out := ec2types.NetworkInterface{
		NetworkInterfaceId: ptr(e.id), SubnetId: ptr(e.subnet.id), VpcId: ptr(e.subnet.vpc.id), AvailabilityZone: ptr(e.subnet.az),
		AvailabilityZoneId: ptr(e.subnet.azID), Description: ptr(e.desc), InterfaceType: ec2types.NetworkInterfaceType(e.interfaceType()),
		MacAddress: ptr(e.mac()), OwnerId: ptr(r.account), RequesterManaged: ptr(e.managed), RequesterId: optStr(e.requesterID),
		SourceDestCheck: ptr(true), Status: ec2types.NetworkInterfaceStatusInUse, TagSet: []ec2types.Tag{}, Groups: []ec2types.GroupIdentifier{},
		Attachment: &ec2types.NetworkInterfaceAttachment{AttachmentId: ptr(e.attachID), DeviceIndex: ptr(e.deviceIndex),
			Status: ec2types.AttachmentStatusAttached, InstanceId: optStr(e.instanceID), InstanceOwnerId: optStr(e.attachOwner),
			DeleteOnTermination: ptr(e.instanceID != "")},
	}
	if e.ip != "" {
		out.PrivateIpAddress, out.PrivateDnsName = ptr(e.ip), ptr(r.dnsName(e.ip))
		out.PrivateIpAddresses = []ec2types.NetworkInterfacePrivateIpAddress{{Primary: ptr(true), PrivateIpAddress: ptr(e.ip), PrivateDnsName: ptr(r.dnsName(e.ip))}}
	}
	for _, id := range e.sgs {
		g := ec2types.GroupIdentifier{GroupId: ptr(id)}
		if sg := r.sgs[id]; sg != nil {
			g.GroupName = ptr(sg.name)
		}
		out.Groups = append(out.Groups, g)
	}
	return out
}

// DescribeNetworkInterfaces lists the synthesised interfaces by id and filters,
// MaxResults (5–1000) at a time.
func (c *ec2Client) DescribeNetworkInterfaces(ctx context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeNetworkInterfaces", in, func(r *region) (*ec2.DescribeNetworkInterfacesOutput, error) {
		if in == nil {
			in = &ec2.DescribeNetworkInterfacesInput{}
		}
		if in.MaxResults != nil && len(in.NetworkInterfaceIds) > 0 {
			return nil, apiError("InvalidParameterCombination", "The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults")
		}
		max := int(i32(in.MaxResults, 1000))
		if max < 5 || max > 1000 {
			return nil, apiError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.", max)
		}
		start, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, apiError("InvalidPaginationToken", "The pagination token is invalid")
		}
		all := r.enis()
		for _, id := range in.NetworkInterfaceIds {
			if !strings.HasPrefix(id, "eni-") {
				return nil, apiError("InvalidNetworkInterfaceID.Malformed", "Invalid id: \"%s\" (expecting \"eni-...\")", id)
			}
			found := false
			for _, e := range all {
				if e.id == id {
					found = true
				}
			}
			if !found {
				return nil, apiError("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", id)
			}
		}
		out := &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: []ec2types.NetworkInterface{}}
		for i := start; i < len(all); i++ {
			e := all[i]
			if len(in.NetworkInterfaceIds) > 0 && !contains(in.NetworkInterfaceIds, e.id) {
				continue
			}
			ok, err := filterSet(in.Filters).match(func(name string) ([]string, bool) { return r.eniAttr(e, name) })
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if len(out.NetworkInterfaces) == max {
				out.NextToken = intToken(i)
				break
			}
			out.NetworkInterfaces = append(out.NetworkInterfaces, r.eniOut(e))
		}
		return out, nil
	})
}
