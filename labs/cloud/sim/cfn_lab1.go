package sim

// CloudFormation handlers for Lab 1's prerequisite stack (c42s07-photos-pre):
// AWS::EC2::EIP, AWS::EC2::NatGateway, AWS::EC2::VPCEndpoint,
// AWS::RDS::DBSubnetGroup and AWS::RDS::DBInstance. Each makes the same object as
// its service's Create* (so Describe*, the tagging API and the service's own
// deletes see it) and carries the stack's tags. A property the simulator does
// not model fails the resource, as for the other types. As CloudFormation, a
// stack's deletion waits until a NAT gateway is deleted, an endpoint and a DB
// instance are gone; a DB instance with DeletionProtection fails its deletion
// (DELETE_FAILED) with RDS's message. Not modelled: the DB instance's default
// DeletionPolicy Snapshot (no snapshot is kept), and CloudFormation's wait for an
// instance to be available before CREATE_COMPLETE (the instance is "creating" for
// minutes after the stack is complete).

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

func init() {
	registerCFN("AWS::EC2::EIP", cfnEIP)
	registerCFN("AWS::EC2::NatGateway", cfnNatGateway)
	registerCFN("AWS::EC2::VPCEndpoint", cfnVPCEndpoint)
	registerCFN("AWS::RDS::DBSubnetGroup", cfnDBSubnetGroup)
	registerCFN("AWS::RDS::DBInstance", cfnDBInstance)
}

// cfnOnly fails on a property outside modelled.
func cfnOnly(typ string, p map[string]any, modelled ...string) error {
	for _, k := range sortedKeys(p) {
		if !contains(modelled, k) {
			return fmt.Errorf("The simulator does not model property %s of %s", k, typ)
		}
	}
	return nil
}

func cfnEIP(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	if err := cfnOnly("AWS::EC2::EIP", p, "Domain", "Tags"); err != nil {
		return err
	}
	out, err := allocateAddress(r, &ec2.AllocateAddressInput{Domain: ec2types.DomainType(propStr(p, "Domain"))})
	if err != nil {
		return err
	}
	e := netOf(r).eips[*out.AllocationId]
	e.tags = st.resourceTags(logical, propTags(p)) // with CloudFormation's aws: tags, which a caller may not set
	rs.physical = e.ip                             // Ref of an EIP is its address
	rs.attrs["AllocationId"], rs.attrs["PublicIp"] = e.id, e.ip
	rs.del = func() error {
		if e.dead {
			return nil
		}
		if e.held(r.w.now) {
			return fmt.Errorf("Address %s is in use.", e.ip)
		}
		ns := netOf(r)
		e.dead = true
		delete(ns.eips, e.id)
		ns.eipOrder = compact(ns.eipOrder, func(x *elasticIP) bool { return !x.dead })
		return nil
	}
	return nil
}

func cfnNatGateway(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	if err := cfnOnly("AWS::EC2::NatGateway", p, "AllocationId", "SubnetId", "ConnectivityType", "Tags"); err != nil {
		return err
	}
	in := &ec2.CreateNatGatewayInput{SubnetId: optStr(propStr(p, "SubnetId")), AllocationId: optStr(propStr(p, "AllocationId")),
		ConnectivityType: ec2types.ConnectivityType(propStr(p, "ConnectivityType"))}
	out, err := createNatGateway(r, in)
	if err != nil {
		return err
	}
	g := netOf(r).nats[*out.NatGateway.NatGatewayId]
	g.tags = st.resourceTags(logical, propTags(p))
	rs.physical = g.id
	rs.del = func() error {
		if g.deleteAt.IsZero() {
			g.deleteAt = r.w.now
			g.deadAt = r.w.now.Add(r.w.jitter(time.Minute, time.Minute))
			g.forgetAt = g.deadAt.Add(time.Hour)
		}
		return nil
	}
	rs.gone = func() bool { return g.dead || g.state(r.w.now) == "deleted" }
	return nil
}

func cfnVPCEndpoint(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	if err := cfnOnly("AWS::EC2::VPCEndpoint", p, "ServiceName", "VpcId", "VpcEndpointType", "SubnetIds", "SecurityGroupIds",
		"RouteTableIds", "PrivateDnsEnabled", "PolicyDocument", "Tags"); err != nil {
		return err
	}
	in := &ec2.CreateVpcEndpointInput{ServiceName: optStr(propStr(p, "ServiceName")), VpcId: optStr(propStr(p, "VpcId")),
		VpcEndpointType: ec2types.VpcEndpointType(propStr(p, "VpcEndpointType")), SubnetIds: propList(p, "SubnetIds"),
		SecurityGroupIds: propList(p, "SecurityGroupIds"), RouteTableIds: propList(p, "RouteTableIds"), PolicyDocument: optStr(cfnPolicyDoc(p["PolicyDocument"]))}
	if _, ok := p["PrivateDnsEnabled"]; ok {
		in.PrivateDnsEnabled = ptr(propBool(p, "PrivateDnsEnabled"))
	}
	out, err := createVpcEndpoint(r, in)
	if err != nil {
		return err
	}
	e := netOf(r).vpces[*out.VpcEndpoint.VpcEndpointId]
	e.tags = st.resourceTags(logical, propTags(p))
	rs.physical = e.id
	rs.attrs["Id"], rs.attrs["CreationTimestamp"] = e.id, e.created.UTC().Format(time.RFC3339)
	var enis []any
	for i := range e.subnets {
		enis = append(enis, vpceENIID(e, i))
	}
	rs.attrs["NetworkInterfaceIds"] = enis
	rs.del = func() error {
		if e.deleteAt.IsZero() && !e.dead {
			e.deleteAt = r.w.now
			e.goneAt = r.w.now.Add(r.w.jitter(time.Minute, time.Minute))
		}
		return nil
	}
	rs.gone = func() bool { return e.dead }
	return nil
}

func cfnDBSubnetGroup(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	if err := cfnOnly("AWS::RDS::DBSubnetGroup", p, "DBSubnetGroupName", "DBSubnetGroupDescription", "SubnetIds", "Tags"); err != nil {
		return err
	}
	name := propStr(p, "DBSubnetGroupName")
	if name == "" {
		name = strings.ToLower(r.genName(st, logical, 255))
	}
	in := &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: ptr(name), DBSubnetGroupDescription: optStr(propStr(p, "DBSubnetGroupDescription")),
		SubnetIds: propList(p, "SubnetIds")}
	out, err := createDBSubnetGroup(r, in)
	if err != nil {
		return err
	}
	g := rdsOf(r).groups[*out.DBSubnetGroup.DBSubnetGroupName]
	g.tags = st.resourceTags(logical, propTags(p))
	rs.physical = g.name
	rs.del = func() error {
		if g.dead {
			return nil
		}
		rst := rdsOf(r)
		for _, x := range rst.order {
			if x.subnetGroup == g && !x.dead {
				return fmt.Errorf("Cannot delete the subnet group '%s' because at least one database instance: %s is still using it.", g.name, x.id)
			}
		}
		delete(rst.groups, g.name)
		g.dead = true
		return nil
	}
	return nil
}

func cfnDBInstance(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	if err := cfnOnly("AWS::RDS::DBInstance", p, "DBInstanceIdentifier", "DBInstanceClass", "Engine", "EngineVersion", "MasterUsername",
		"MasterUserPassword", "ManageMasterUserPassword", "AllocatedStorage", "DBName", "VPCSecurityGroups", "DBSubnetGroupName",
		"DeletionProtection", "BackupRetentionPeriod", "PubliclyAccessible", "MultiAZ", "StorageType", "StorageEncrypted",
		"AvailabilityZone", "Port", "Tags"); err != nil {
		return err
	}
	id := propStr(p, "DBInstanceIdentifier")
	if id == "" {
		// CloudFormation's generated identifiers are lower case and within 63 characters.
		id = strings.ToLower(r.genName(st, logical, 63))
		id = strings.TrimLeft(id, "-0123456789")
	}
	in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: ptr(id), DBInstanceClass: optStr(propStr(p, "DBInstanceClass")),
		Engine: optStr(propStr(p, "Engine")), EngineVersion: optStr(propStr(p, "EngineVersion")), MasterUsername: optStr(propStr(p, "MasterUsername")),
		MasterUserPassword: optStr(propStr(p, "MasterUserPassword")), DBName: optStr(propStr(p, "DBName")),
		VpcSecurityGroupIds: propList(p, "VPCSecurityGroups"), DBSubnetGroupName: optStr(propStr(p, "DBSubnetGroupName")),
		AvailabilityZone: optStr(propStr(p, "AvailabilityZone")), StorageType: optStr(propStr(p, "StorageType"))}
	for k, dst := range map[string]**bool{"ManageMasterUserPassword": &in.ManageMasterUserPassword, "DeletionProtection": &in.DeletionProtection,
		"PubliclyAccessible": &in.PubliclyAccessible, "MultiAZ": &in.MultiAZ, "StorageEncrypted": &in.StorageEncrypted} {
		if _, ok := p[k]; ok {
			*dst = ptr(propBool(p, k))
		}
	}
	for k, dst := range map[string]**int32{"AllocatedStorage": &in.AllocatedStorage, "BackupRetentionPeriod": &in.BackupRetentionPeriod, "Port": &in.Port} {
		n, err := propInt(p, k)
		if err != nil {
			return err
		}
		*dst = n
	}
	out, err := createDBInstance(r, in)
	if err != nil {
		return err
	}
	x := rdsOf(r).instances[*out.DBInstance.DBInstanceIdentifier]
	x.tags = st.resourceTags(logical, propTags(p))
	rs.physical = x.id
	rs.attrs["DBInstanceArn"], rs.attrs["DbiResourceId"] = x.arn, x.resourceID
	// The endpoint the instance will have once it is available (DescribeDBInstances shows it then).
	if ep := x.out(r, x.availableAt).Endpoint; ep != nil {
		rs.attrs["Endpoint.Address"], rs.attrs["Endpoint.Port"] = *ep.Address, fmt.Sprint(*ep.Port)
	}
	rs.del = func() error {
		switch {
		case x.dead || !x.deletingAt.IsZero():
			return nil
		case x.protection:
			return fmt.Errorf("Cannot delete protected DB Instance, please disable deletion protection and try again.")
		}
		x.deletingAt = r.w.now
		x.goneAt = r.w.now.Add(r.w.jitter(3*time.Minute, 4*time.Minute))
		return nil
	}
	rs.gone = func() bool { return x.dead }
	return nil
}
