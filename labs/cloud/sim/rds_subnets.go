package sim

// RDS DB subnet groups: the subnets (of one VPC, covering at least two
// Availability Zones) a DB instance may be placed in. As AWS: names are stored in
// lowercase and may not be "default"; a group a DB instance uses (until the
// instance is gone) cannot be deleted (InvalidDBSubnetGroupStateFault); the
// tagging API lists groups as rds:subgrp. The simulator's only VPC is the default
// one, so every group is in it.

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

type rdsSubnetGroup struct {
	tagged
	name, arn, desc string
	vpc             *vpc
	subnets         []*subnet
}

func (g *rdsSubnetGroup) coversAZ(az string) bool {
	for _, s := range g.subnets {
		if s.az == az {
			return true
		}
	}
	return false
}

func (g *rdsSubnetGroup) out() *rdstypes.DBSubnetGroup {
	o := &rdstypes.DBSubnetGroup{DBSubnetGroupName: ptr(g.name), DBSubnetGroupArn: ptr(g.arn), DBSubnetGroupDescription: ptr(g.desc),
		VpcId: ptr(g.vpc.id), SubnetGroupStatus: ptr("Complete"), SupportedNetworkTypes: []string{"IPV4"}}
	for _, s := range g.subnets {
		o.Subnets = append(o.Subnets, rdstypes.Subnet{SubnetIdentifier: ptr(s.id), SubnetStatus: ptr("Active"),
			SubnetAvailabilityZone: &rdstypes.AvailabilityZone{Name: ptr(s.az)}})
	}
	return o
}

func rdsGroupNotFound(name string) error {
	return &rdstypes.DBSubnetGroupNotFoundFault{Message: msg("DB Subnet group '%s' not found.", name)}
}

// "Must contain no more than 255 letters, numbers, periods, underscores, spaces, or
// hyphens. Must not be default." (CreateDBSubnetGroup, RDS API reference)
var rdsGroupNameRE = regexp.MustCompile(`^[A-Za-z0-9._ -]{1,255}$`)

// CreateDBSubnetGroup creates a group of existing subnets of one VPC in at least two zones.
func (c *rdsClient) CreateDBSubnetGroup(ctx context.Context, in *rds.CreateDBSubnetGroupInput, _ ...func(*rds.Options)) (*rds.CreateDBSubnetGroupOutput, error) {
	return do(ctx, c.base, "rds", "CreateDBSubnetGroup", in, func(r *region) (*rds.CreateDBSubnetGroupOutput, error) { return createDBSubnetGroup(r, in) })
}

// createDBSubnetGroup is CreateDBSubnetGroup's model, shared with CloudFormation. The world's lock must be held.
func createDBSubnetGroup(r *region, in *rds.CreateDBSubnetGroupInput) (*rds.CreateDBSubnetGroupOutput, error) {
	if in == nil {
		in = &rds.CreateDBSubnetGroupInput{}
	}
	st := rdsOf(r)
	name := strings.ToLower(str(in.DBSubnetGroupName))
	if !rdsGroupNameRE.MatchString(name) || name == "default" {
		return nil, apiError("InvalidParameterValue", "The parameter DBSubnetGroupName is not a valid identifier. Identifiers must contain no more than 255 letters, numbers, periods, underscores, spaces, or hyphens, and must not be default.")
	}
	if str(in.DBSubnetGroupDescription) == "" {
		return nil, apiError("InvalidParameterValue", "The parameter DBSubnetGroupDescription must be provided and must not be blank.")
	}
	if st.groups[name] != nil {
		return nil, &rdstypes.DBSubnetGroupAlreadyExistsFault{Message: msg("The DB subnet group '%s' already exists.", name)}
	}
	var subnets []*subnet
	azs := map[string]bool{}
	for _, id := range in.SubnetIds {
		s := r.subnets[id]
		if s == nil {
			return nil, &rdstypes.InvalidSubnet{Message: msg("The subnet ID '%s' does not exist", id)}
		}
		if len(subnets) > 0 && s.vpc != subnets[0].vpc {
			return nil, &rdstypes.InvalidSubnet{Message: msg("Subnets must all be in the same VPC: %s is in %s, %s in %s.", subnets[0].id, subnets[0].vpc.id, s.id, s.vpc.id)}
		}
		subnets = append(subnets, s)
		azs[s.az] = true
	}
	if len(azs) < 2 {
		return nil, &rdstypes.DBSubnetGroupDoesNotCoverEnoughAZs{Message: msg("The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: %s. Add subnets to cover at least 2 AZs.", strings.Join(sortedKeys(azs), ", "))}
	}
	g := &rdsSubnetGroup{name: name, arn: r.arn("rds", "subgrp:"+name), desc: str(in.DBSubnetGroupDescription), vpc: subnets[0].vpc, subnets: subnets}
	for _, t := range in.Tags {
		g.tags.set(str(t.Key), str(t.Value))
	}
	if err := validTags(g.tags); err != nil {
		return nil, apiError("InvalidParameterValue", "%v", err)
	}
	st.groups[name] = g
	r.addTaggable(&g.tagged, g.arn, "rds:subgrp")
	return &rds.CreateDBSubnetGroupOutput{DBSubnetGroup: g.out()}, nil
}

// DescribeDBSubnetGroups describes one group or pages through all of them (MaxRecords 20–100).
func (c *rdsClient) DescribeDBSubnetGroups(ctx context.Context, in *rds.DescribeDBSubnetGroupsInput, _ ...func(*rds.Options)) (*rds.DescribeDBSubnetGroupsOutput, error) {
	return do(ctx, c.base, "rds", "DescribeDBSubnetGroups", in, func(r *region) (*rds.DescribeDBSubnetGroupsOutput, error) {
		if in == nil {
			in = &rds.DescribeDBSubnetGroupsInput{}
		}
		st := rdsOf(r)
		if n := str(in.DBSubnetGroupName); n != "" {
			g := st.groups[strings.ToLower(n)]
			if g == nil {
				return nil, rdsGroupNotFound(n)
			}
			return &rds.DescribeDBSubnetGroupsOutput{DBSubnetGroups: []rdstypes.DBSubnetGroup{*g.out()}}, nil
		}
		if len(in.Filters) > 0 {
			return nil, apiError("InvalidParameterValue", "Unrecognized filter name: %s", str(in.Filters[0].Name))
		}
		limit := int(i32(in.MaxRecords, 100))
		if limit < 20 || limit > 100 {
			return nil, apiError("InvalidParameterValue", "Invalid value %d for MaxRecords. Must be between 20 and 100", limit)
		}
		after, ok := readToken(in.Marker)
		if !ok {
			return nil, apiError("InvalidParameterValue", "Invalid marker: %s", str(in.Marker))
		}
		var names []string
		for n := range st.groups {
			if n > after {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		out := &rds.DescribeDBSubnetGroupsOutput{DBSubnetGroups: []rdstypes.DBSubnetGroup{}}
		for i, n := range names {
			if i == limit {
				out.Marker = pageToken(names[i-1])
				break
			}
			out.DBSubnetGroups = append(out.DBSubnetGroups, *st.groups[n].out())
		}
		return out, nil
	})
}

// DeleteDBSubnetGroup deletes a group no DB instance uses.
func (c *rdsClient) DeleteDBSubnetGroup(ctx context.Context, in *rds.DeleteDBSubnetGroupInput, _ ...func(*rds.Options)) (*rds.DeleteDBSubnetGroupOutput, error) {
	return do(ctx, c.base, "rds", "DeleteDBSubnetGroup", in, func(r *region) (*rds.DeleteDBSubnetGroupOutput, error) {
		if in == nil {
			in = &rds.DeleteDBSubnetGroupInput{}
		}
		st := rdsOf(r)
		n := str(in.DBSubnetGroupName)
		if strings.EqualFold(n, "default") {
			return nil, apiError("InvalidParameterValue", "The parameter DBSubnetGroupName must not be default.")
		}
		g := st.groups[strings.ToLower(n)]
		if g == nil {
			return nil, rdsGroupNotFound(n)
		}
		for _, x := range st.order {
			if x.subnetGroup == g && !x.dead {
				return nil, &rdstypes.InvalidDBSubnetGroupStateFault{Message: msg("Cannot delete the subnet group '%s' because at least one database instance: %s is still using it.", g.name, x.id)}
			}
		}
		delete(st.groups, g.name)
		g.dead = true
		return &rds.DeleteDBSubnetGroupOutput{}, nil
	})
}
