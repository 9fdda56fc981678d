package sim

// Resource models of Lab 1's writes (Service Authorization Reference, through
// parliament's data): Cognito user pool actions act on the pool
// (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID); RDS instance actions on the
// instance (db:ID) and subnet group actions on the group (subgrp:NAME); the EC2
// NAT gateway, Elastic IP and VPC endpoint actions on those resources and, for a
// create, on the subnet, address or VPC it names.

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

func init() {
	model(func(x *authzCall) error {
		v, ok := inputStruct(x.call.Input)
		id := ""
		if ok {
			if f := v.FieldByName("UserPoolId"); f.IsValid() {
				id = deref(f)
			}
		}
		x.on(x.r.arn("cognito-idp", "userpool/"+id), "userpool")
		return nil
	}, "cognito-idp:CreateUserPoolClient", "cognito-idp:AdminConfirmSignUp", "cognito-idp:AdminCreateUser",
		"cognito-idp:CreateUserPoolDomain", "cognito-idp:DeleteUserPoolDomain", "cognito-idp:DeleteUserPool", "cognito-idp:UpdateUserPool")

	model(func(x *authzCall) error {
		var id string
		switch in := x.call.Input.(type) {
		case *rds.CreateDBInstanceInput:
			id = str(in.DBInstanceIdentifier)
			x.requestTags(inputTags(in, "Tags"))
			if g := str(in.DBSubnetGroupName); g != "" {
				defer x.on(x.r.arn("rds", "subgrp:"+strings.ToLower(g)), "subgrp")
			}
		case *rds.ModifyDBInstanceInput:
			id = str(in.DBInstanceIdentifier)
		case *rds.DeleteDBInstanceInput:
			id = str(in.DBInstanceIdentifier)
		case *rds.StopDBInstanceInput:
			id = str(in.DBInstanceIdentifier)
		case *rds.StartDBInstanceInput:
			id = str(in.DBInstanceIdentifier)
		}
		if !strings.HasPrefix(id, "arn:") {
			id = x.r.arn("rds", "db:"+strings.ToLower(id))
		}
		x.on(id, "db")
		return nil
	}, "rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:DeleteDBInstance", "rds:StopDBInstance", "rds:StartDBInstance")

	model(func(x *authzCall) error {
		var name string
		switch in := x.call.Input.(type) {
		case *rds.CreateDBSubnetGroupInput:
			name = str(in.DBSubnetGroupName)
			x.requestTags(inputTags(in, "Tags"))
		case *rds.DeleteDBSubnetGroupInput:
			name = str(in.DBSubnetGroupName)
		}
		x.on(x.r.arn("rds", "subgrp:"+strings.ToLower(name)), "subgrp")
		return nil
	}, "rds:CreateDBSubnetGroup", "rds:DeleteDBSubnetGroup")

	model(func(x *authzCall) error {
		switch in := x.call.Input.(type) {
		case *ec2.AllocateAddressInput:
			for _, ts := range in.TagSpecifications {
				x.requestTags(inputTags(&ts, "Tags"))
			}
			x.on(x.r.arn("ec2", "elastic-ip/*"), "elastic-ip")
		case *ec2.ReleaseAddressInput:
			x.on(x.r.arn("ec2", "elastic-ip/"+str(in.AllocationId)), "elastic-ip")
		case *ec2.CreateNatGatewayInput:
			for _, ts := range in.TagSpecifications {
				x.requestTags(inputTags(&ts, "Tags"))
			}
			x.on(x.r.arn("ec2", "natgateway/*"), "natgateway")
			x.on(x.r.arn("ec2", "subnet/"+str(in.SubnetId)), "subnet")
			if a := str(in.AllocationId); a != "" {
				x.on(x.r.arn("ec2", "elastic-ip/"+a), "elastic-ip")
			}
		case *ec2.DeleteNatGatewayInput:
			x.on(x.r.arn("ec2", "natgateway/"+str(in.NatGatewayId)), "natgateway")
		case *ec2.CreateVpcEndpointInput:
			for _, ts := range in.TagSpecifications {
				x.requestTags(inputTags(&ts, "Tags"))
			}
			x.on(x.r.arn("ec2", "vpc/"+str(in.VpcId)), "vpc")
			x.on(x.r.arn("ec2", "vpc-endpoint/*"), "vpc-endpoint")
			for _, s := range in.SubnetIds {
				x.on(x.r.arn("ec2", "subnet/"+s), "subnet")
			}
			for _, g := range in.SecurityGroupIds {
				x.on(x.r.arn("ec2", "security-group/"+g), "security-group")
			}
			for _, rt := range in.RouteTableIds {
				x.on(x.r.arn("ec2", "route-table/"+rt), "route-table")
			}
		case *ec2.DeleteVpcEndpointsInput:
			for _, id := range in.VpcEndpointIds {
				x.on(x.r.arn("ec2", "vpc-endpoint/"+id), "vpc-endpoint")
			}
		}
		return nil
	}, "ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:CreateNatGateway", "ec2:DeleteNatGateway", "ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints")

}
