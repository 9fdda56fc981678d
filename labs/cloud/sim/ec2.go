package sim

// EC2 networking: every (account, region) has a default VPC 10.0.0.0/16 with two
// public subnets, 10.0.0.0/19 in AZ <region>a and 10.0.32.0/19 in <region>b,
// and the VPC's "default" security group. Security groups can be created,
// described (ids, names, filters), opened for ingress and deleted, with AWS's
// DependencyViolation while a network interface (of an instance that is not
// terminated, a load balancer, a task that is not STOPPED or a DB instance; see
// DescribeNetworkInterfaces, ec2_eni.go) or another group's ingress rule uses
// them. Egress rules are not modelled (every group allows all egress), so no
// egress rule can reference a group. The subnets are /19 rather than AWS-default-VPC /20 or the class
// template's /24 so that 2,000 simulated students' tasks fit in one region.
//
// Not modelled: creating VPCs or subnets, route tables, NAT, egress rule edits,
// and security-group enforcement on traffic (health checks ignore rules).

import (
	"context"
	"net/netip"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/labdash/labdash/labs/cloud"
)

// tagged is the bookkeeping every taggable resource embeds: its tags, and what
// the Resource Groups Tagging API reports about it.
type tagged struct {
	seq   uint64
	tags  tagList
	dead  bool
	arn   string // set by addTaggable
	rtype string // e.g. "ecs:cluster"
}

// addTaggable records t for GetResources, in creation order.
func (r *region) addTaggable(t *tagged, arn, rtype string) {
	r.tagSeq++
	t.seq, t.arn, t.rtype = r.tagSeq, arn, rtype
	r.taggables = append(r.taggables, t)
	if r.tagIndex == nil {
		r.tagIndex = map[string]*tagged{}
	}
	r.tagIndex[arn] = t
}

type vpc struct {
	tagged
	id        string
	cidr      netip.Prefix
	isDefault bool
	defaultSG *securityGroup
}

type subnet struct {
	tagged
	id    string
	vpc   *vpc
	az    string
	azID  string
	cidr  netip.Prefix
	first uint32 // first assignable address (AWS reserves the first four)
	size  uint32 // assignable addresses (and the broadcast address)
	used  map[uint32]bool
}

type securityGroup struct {
	tagged
	id, name, desc string
	vpc            *vpc
	ingress        []sgRule
	uses           int // task ENIs and load balancers using the group
}

type sgRule struct {
	proto    string
	from, to int32
	cidr     string
	srcSG    string
	desc     string
}

// azID gives the zone id AWS pairs with a zone name, e.g. use1-az1.
func azID(region string, i int) string {
	short := ""
	for _, p := range strings.Split(region, "-") {
		if p != "" {
			if _, err := strconv.Atoi(p); err == nil {
				short += p
			} else {
				short += p[:1]
			}
		}
	}
	return short + "-az" + strconv.Itoa(i+1)
}

// seedNetwork creates the default VPC, its subnets and its default group.
func (r *region) seedNetwork() {
	seed := strconv.FormatInt(r.w.seed, 10)
	v := &vpc{id: "vpc-" + hashID(17, seed, r.account, r.name, "vpc"), cidr: netip.MustParsePrefix("10.0.0.0/16"), isDefault: true}
	r.vpcs[v.id] = v
	r.vpcOrder = append(r.vpcOrder, v)
	for i, c := range []string{"10.0.0.0/19", "10.0.32.0/19"} {
		p := netip.MustParsePrefix(c)
		base := ipToU32(p.Addr())
		s := &subnet{
			id: "subnet-" + hashID(17, seed, r.account, r.name, "subnet", c), vpc: v,
			az: r.name + string(rune('a'+i)), azID: azID(r.name, i), cidr: p,
			first: base + 4, size: 1<<(32-p.Bits()) - 5, used: map[uint32]bool{},
		}
		r.subnets[s.id] = s
		r.subOrder = append(r.subOrder, s)
	}
	sg := &securityGroup{id: "sg-" + hashID(17, seed, r.account, r.name, "default-sg"), name: "default", desc: "default VPC security group", vpc: v}
	sg.ingress = []sgRule{{proto: "-1", from: -1, to: -1, srcSG: sg.id}}
	v.defaultSG = sg
	r.sgs[sg.id] = sg
	r.sgOrder = append(r.sgOrder, sg)
}

func ipToU32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func u32ToIP(u uint32) string {
	return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)}).String()
}

// allocIP returns a free private address in s, or "" when the subnet is full
// (as AWS, placement then fails).
func (r *region) allocIP(s *subnet) string {
	if uint32(len(s.used)) >= s.size {
		return ""
	}
	off := uint32(r.w.rng.Uint64() % uint64(s.size))
	for i := uint32(0); i < s.size; i++ {
		u := s.first + (off+i)%s.size
		if !s.used[u] {
			s.used[u] = true
			return u32ToIP(u)
		}
	}
	return ""
}

// freeIP returns an address to its subnet.
func (r *region) freeIP(s *subnet, ip string) {
	if s == nil || ip == "" {
		return
	}
	if a, err := netip.ParseAddr(ip); err == nil && a.Is4() {
		delete(s.used, ipToU32(a))
	}
}

// defaultVPC is the region's default VPC.
func (r *region) defaultVPC() *vpc { return r.vpcOrder[0] }

// useSGs counts a use (task ENI, load balancer) of each group; delta is +1 or -1.
func (r *region) useSGs(ids []string, delta int) {
	for _, id := range ids {
		if sg := r.sgs[id]; sg != nil {
			sg.uses += delta
		}
	}
}

// ec2Client implements cloud.EC2.
type ec2Client struct{ base }

// filterSet is an EC2 Filters list: AND across filters, OR across values,
// with * (any characters, "/" included) and ? (one character) wildcards.
type filterSet []ec2types.Filter

// match reports whether a resource passes; attr returns the resource's values
// for a filter name and whether the name is known.
func (fs filterSet) match(attr func(name string) ([]string, bool)) (bool, error) {
	for _, f := range fs {
		name := str(f.Name)
		have, known := attr(name)
		if !known {
			return false, apiError("InvalidParameterValue", "The filter '%s' is invalid", name)
		}
		if len(f.Values) == 0 {
			continue
		}
		ok := false
	values:
		for _, want := range f.Values {
			// AWS's * is any run of characters, "/" included (path.Match's is not);
			// a value without * or ? matches only itself.
			for _, h := range have {
				if want == h || isGlob(want) && globMatch(want, h) {
					ok = true
					break values
				}
			}
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// compiledFilters is a filterSet prepared once per call, for the describes that
// test many resources against many values (a monitor's 200 group names or
// instance ids): each filter's literal values in a set, its wildcard ones apart.
// It matches exactly as filterSet.match does.
type compiledFilters struct {
	fs    filterSet
	lit   []map[string]bool
	globs [][]string
}

func (fs filterSet) compile() *compiledFilters {
	c := &compiledFilters{fs: fs, lit: make([]map[string]bool, len(fs)), globs: make([][]string, len(fs))}
	for i, f := range fs {
		c.lit[i] = make(map[string]bool, len(f.Values))
		for _, v := range f.Values {
			if isGlob(v) {
				c.globs[i] = append(c.globs[i], v)
			} else {
				c.lit[i][v] = true
			}
		}
	}
	return c
}

func (c *compiledFilters) match(attr func(name string) ([]string, bool)) (bool, error) {
	for i, f := range c.fs {
		name := str(f.Name)
		have, known := attr(name)
		if !known {
			return false, apiError("InvalidParameterValue", "The filter '%s' is invalid", name)
		}
		if len(f.Values) == 0 {
			continue
		}
		ok := false
	values:
		for _, h := range have {
			if c.lit[i][h] {
				ok = true
				break
			}
			for _, g := range c.globs[i] {
				if globMatch(g, h) {
					ok = true
					break values
				}
			}
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// isGlob reports whether a filter value has a wildcard (* or ?).
func isGlob(v string) bool { return strings.IndexByte(v, '*') >= 0 || strings.IndexByte(v, '?') >= 0 }

// tagAttr answers the tag:<key> and tag-key filters.
func tagAttr(t tagList, name string) ([]string, bool) {
	if name == "tag-key" {
		var keys []string
		for _, x := range t {
			keys = append(keys, x.k)
		}
		return keys, true
	}
	if k, ok := strings.CutPrefix(name, "tag:"); ok {
		if v, ok := t.get(k); ok {
			return []string{v}, true
		}
		return nil, true
	}
	return nil, false
}

func ec2Tags(t tagList) []ec2types.Tag {
	var out []ec2types.Tag
	for _, x := range t {
		out = append(out, ec2types.Tag{Key: ptr(x.k), Value: ptr(x.v)})
	}
	return out
}

// DescribeVpcs lists VPCs by id and filters (vpc-id, is-default, cidr, state, tags).
func (c *ec2Client) DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeVpcs", in, func(r *region) (*ec2.DescribeVpcsOutput, error) {
		if in == nil {
			in = &ec2.DescribeVpcsInput{}
		}
		for _, id := range in.VpcIds {
			if r.vpcs[id] == nil {
				return nil, apiError("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
			}
		}
		out := &ec2.DescribeVpcsOutput{}
		for _, v := range r.vpcOrder {
			if len(in.VpcIds) > 0 && !contains(in.VpcIds, v.id) {
				continue
			}
			ok, err := filterSet(in.Filters).match(func(name string) ([]string, bool) {
				switch name {
				case "vpc-id":
					return []string{v.id}, true
				case "is-default":
					return []string{strconv.FormatBool(v.isDefault)}, true
				case "cidr", "cidr-block-association.cidr-block":
					return []string{v.cidr.String()}, true
				case "state":
					return []string{"available"}, true
				case "owner-id":
					return []string{r.account}, true
				}
				return tagAttr(v.tags, name)
			})
			if err != nil {
				return nil, err
			}
			if ok {
				out.Vpcs = append(out.Vpcs, ec2types.Vpc{
					VpcId: ptr(v.id), CidrBlock: ptr(v.cidr.String()), IsDefault: ptr(v.isDefault), State: ec2types.VpcStateAvailable,
					OwnerId: ptr(r.account), InstanceTenancy: ec2types.TenancyDefault, DhcpOptionsId: ptr("dopt-" + hashID(17, v.id)), Tags: ec2Tags(v.tags),
				})
			}
		}
		return out, nil
	})
}

// DescribeSubnets lists subnets by id and filters (vpc-id, subnet-id,
// availability-zone, default-for-az, state, tags).
func (c *ec2Client) DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeSubnets", in, func(r *region) (*ec2.DescribeSubnetsOutput, error) {
		if in == nil {
			in = &ec2.DescribeSubnetsInput{}
		}
		for _, id := range in.SubnetIds {
			if r.subnets[id] == nil {
				return nil, apiError("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
			}
		}
		out := &ec2.DescribeSubnetsOutput{}
		for _, s := range r.subOrder {
			if len(in.SubnetIds) > 0 && !contains(in.SubnetIds, s.id) {
				continue
			}
			ok, err := filterSet(in.Filters).match(func(name string) ([]string, bool) {
				switch name {
				case "vpc-id":
					return []string{s.vpc.id}, true
				case "subnet-id":
					return []string{s.id}, true
				case "availability-zone", "availabilityZone":
					return []string{s.az}, true
				case "availability-zone-id":
					return []string{s.azID}, true
				case "default-for-az", "defaultForAz":
					return []string{"true"}, true
				case "map-public-ip-on-launch":
					return []string{"true"}, true
				case "state":
					return []string{"available"}, true
				case "cidr-block", "cidr":
					return []string{s.cidr.String()}, true
				}
				return tagAttr(s.tags, name)
			})
			if err != nil {
				return nil, err
			}
			if ok {
				out.Subnets = append(out.Subnets, ec2types.Subnet{
					SubnetId: ptr(s.id), VpcId: ptr(s.vpc.id), AvailabilityZone: ptr(s.az), AvailabilityZoneId: ptr(s.azID),
					CidrBlock: ptr(s.cidr.String()), AvailableIpAddressCount: ptr(int32(s.size - uint32(len(s.used)))),
					DefaultForAz: ptr(true), MapPublicIpOnLaunch: ptr(true), State: ec2types.SubnetStateAvailable, OwnerId: ptr(r.account),
					SubnetArn: ptr(r.arn("ec2", "subnet/"+s.id)), Tags: ec2Tags(s.tags),
				})
			}
		}
		return out, nil
	})
}

// DescribeAvailabilityZones lists the region's zones, <region>a and <region>b.
func (c *ec2Client) DescribeAvailabilityZones(ctx context.Context, in *ec2.DescribeAvailabilityZonesInput, _ ...func(*ec2.Options)) (*ec2.DescribeAvailabilityZonesOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeAvailabilityZones", in, func(r *region) (*ec2.DescribeAvailabilityZonesOutput, error) {
		if in == nil {
			in = &ec2.DescribeAvailabilityZonesInput{}
		}
		out := &ec2.DescribeAvailabilityZonesOutput{}
		for _, s := range r.subOrder {
			if len(in.ZoneNames) > 0 && !contains(in.ZoneNames, s.az) {
				continue
			}
			if len(in.ZoneIds) > 0 && !contains(in.ZoneIds, s.azID) {
				continue
			}
			ok, err := filterSet(in.Filters).match(func(name string) ([]string, bool) {
				switch name {
				case "zone-name":
					return []string{s.az}, true
				case "zone-id":
					return []string{s.azID}, true
				case "region-name":
					return []string{r.name}, true
				case "state":
					return []string{"available"}, true
				case "zone-type":
					return []string{"availability-zone"}, true
				}
				return nil, false
			})
			if err != nil {
				return nil, err
			}
			if ok {
				out.AvailabilityZones = append(out.AvailabilityZones, ec2types.AvailabilityZone{
					ZoneName: ptr(s.az), ZoneId: ptr(s.azID), RegionName: ptr(r.name), State: ec2types.AvailabilityZoneStateAvailable,
					ZoneType: ptr("availability-zone"), OptInStatus: ec2types.AvailabilityZoneOptInStatusOptInNotRequired,
					GroupName: ptr(r.name), NetworkBorderGroup: ptr(r.name),
				})
			}
		}
		return out, nil
	})
}

// CreateSecurityGroup creates a group in a VPC (the default VPC when VpcId is
// empty); a duplicate name in the VPC is InvalidGroup.Duplicate.
func (c *ec2Client) CreateSecurityGroup(ctx context.Context, in *ec2.CreateSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error) {
	return do(ctx, c.base, "ec2", "CreateSecurityGroup", in, func(r *region) (*ec2.CreateSecurityGroupOutput, error) {
		if in == nil {
			in = &ec2.CreateSecurityGroupInput{}
		}
		var tags tagList
		for _, ts := range in.TagSpecifications {
			if ts.ResourceType != "" && ts.ResourceType != ec2types.ResourceTypeSecurityGroup {
				return nil, apiError("InvalidParameterValue", "'%s' is not a valid taggable resource type for this operation.", ts.ResourceType)
			}
			for _, t := range ts.Tags {
				tags.set(str(t.Key), str(t.Value))
			}
		}
		sg, err := r.createSecurityGroup(str(in.GroupName), str(in.Description), str(in.VpcId), tags)
		if err != nil {
			return nil, err
		}
		return &ec2.CreateSecurityGroupOutput{GroupId: ptr(sg.id), SecurityGroupArn: ptr(r.arn("ec2", "security-group/"+sg.id)), Tags: ec2Tags(sg.tags)}, nil
	})
}

// createSecurityGroup is CreateSecurityGroup's model, shared with CloudFormation.
func (r *region) createSecurityGroup(name, desc, vpcID string, tags tagList) (*securityGroup, error) {
	if name == "" {
		return nil, apiError("MissingParameter", "The request must contain the parameter groupName")
	}
	if desc == "" {
		return nil, apiError("MissingParameter", "The request must contain the parameter groupDescription")
	}
	if len(name) > 255 || strings.HasPrefix(strings.ToLower(name), "sg-") {
		return nil, apiError("InvalidParameterValue", "Invalid value '%s' for groupName. You may not use names starting with sg- or longer than 255 characters", name)
	}
	if len(desc) > 255 {
		return nil, apiError("InvalidParameterValue", "Invalid value for groupDescription: at most 255 characters")
	}
	if err := validTags(tags); err != nil {
		return nil, apiError("InvalidParameterValue", "%v", err)
	}
	v := r.defaultVPC()
	if vpcID != "" {
		if v = r.vpcs[vpcID]; v == nil {
			return nil, apiError("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", vpcID)
		}
	}
	for _, g := range r.sgOrder {
		if !g.dead && g.vpc == v && g.name == name {
			return nil, apiError("InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", name, v.id)
		}
	}
	sg := &securityGroup{id: "sg-" + r.w.hexID(17), name: name, desc: desc, vpc: v}
	sg.tags = tags.clone()
	r.sgs[sg.id] = sg
	r.sgOrder = append(r.sgOrder, sg)
	r.addTaggable(&sg.tagged, r.arn("ec2", "security-group/"+sg.id), "ec2:security-group")
	return sg, nil
}

// findSG finds a group by id, or by name in the default VPC.
func (r *region) findSG(id, name string) (*securityGroup, error) {
	if id != "" {
		if sg := r.sgs[id]; sg != nil {
			return sg, nil
		}
		return nil, apiError("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
	}
	if name != "" {
		for _, sg := range r.sgOrder {
			if !sg.dead && sg.vpc == r.defaultVPC() && sg.name == name {
				return sg, nil
			}
		}
		return nil, apiError("InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC '%s'", name, r.defaultVPC().id)
	}
	return nil, apiError("MissingParameter", "The request must contain the parameter groupId or groupName")
}

// AuthorizeSecurityGroupIngress adds ingress rules; an identical rule is
// InvalidPermission.Duplicate and an unknown source group InvalidGroup.NotFound.
func (c *ec2Client) AuthorizeSecurityGroupIngress(ctx context.Context, in *ec2.AuthorizeSecurityGroupIngressInput, _ ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupIngressOutput, error) {
	return do(ctx, c.base, "ec2", "AuthorizeSecurityGroupIngress", in, func(r *region) (*ec2.AuthorizeSecurityGroupIngressOutput, error) {
		if in == nil {
			in = &ec2.AuthorizeSecurityGroupIngressInput{}
		}
		sg, err := r.findSG(str(in.GroupId), str(in.GroupName))
		if err != nil {
			return nil, err
		}
		perms := in.IpPermissions
		if len(perms) == 0 {
			p := ec2types.IpPermission{IpProtocol: in.IpProtocol, FromPort: in.FromPort, ToPort: in.ToPort}
			if in.CidrIp != nil {
				p.IpRanges = []ec2types.IpRange{{CidrIp: in.CidrIp}}
			}
			if in.SourceSecurityGroupName != nil {
				src, err := r.findSG("", str(in.SourceSecurityGroupName))
				if err != nil {
					return nil, err
				}
				p.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: ptr(src.id)}}
			}
			perms = []ec2types.IpPermission{p}
		}
		rules, err := r.rulesOf(perms)
		if err != nil {
			return nil, err
		}
		if err := sg.authorize(rules); err != nil {
			return nil, err
		}
		out := &ec2.AuthorizeSecurityGroupIngressOutput{Return: ptr(true)}
		for _, rl := range rules {
			out.SecurityGroupRules = append(out.SecurityGroupRules, ec2types.SecurityGroupRule{
				SecurityGroupRuleId: ptr("sgr-" + r.w.hexID(17)), GroupId: ptr(sg.id), IpProtocol: ptr(rl.proto),
				FromPort: ptr(rl.from), ToPort: ptr(rl.to), CidrIpv4: nilIfEmpty(rl.cidr), IsEgress: ptr(false), GroupOwnerId: ptr(r.account),
			})
		}
		return out, nil
	})
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// rulesOf validates IpPermissions and flattens them into rules.
func (r *region) rulesOf(perms []ec2types.IpPermission) ([]sgRule, error) {
	var rules []sgRule
	for _, p := range perms {
		proto := strings.ToLower(str(p.IpProtocol))
		switch proto {
		case "tcp", "udp", "icmp", "-1", "all", "6", "17", "1":
		case "":
			return nil, apiError("MissingParameter", "The request must contain the parameter ipProtocol")
		default:
			return nil, apiError("InvalidParameterValue", "Invalid value '%s' for IP protocol. Unknown protocol.", proto)
		}
		if proto == "all" {
			proto = "-1"
		}
		from, to := i32(p.FromPort, -1), i32(p.ToPort, -1)
		if proto == "tcp" || proto == "udp" || proto == "6" || proto == "17" {
			if from < 0 || to > 65535 || from > to {
				return nil, apiError("InvalidParameterValue", "Invalid port range (%d-%d)", from, to)
			}
		}
		n := 0
		for _, rg := range p.IpRanges {
			cidr := str(rg.CidrIp)
			if _, err := netip.ParsePrefix(cidr); err != nil {
				return nil, apiError("InvalidParameterValue", "Value (%s) for parameter cidrIp is invalid. This is not a valid CIDR block.", cidr)
			}
			rules = append(rules, sgRule{proto: proto, from: from, to: to, cidr: cidr, desc: str(rg.Description)})
			n++
		}
		for _, pair := range p.UserIdGroupPairs {
			id := str(pair.GroupId)
			if r.sgs[id] == nil {
				return nil, apiError("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
			}
			rules = append(rules, sgRule{proto: proto, from: from, to: to, srcSG: id, desc: str(pair.Description)})
			n++
		}
		if n == 0 {
			return nil, apiError("MissingParameter", "The request must contain a CIDR range or a source security group")
		}
	}
	return rules, nil
}

// authorize adds rules, refusing duplicates.
func (sg *securityGroup) authorize(rules []sgRule) error {
	for _, nr := range rules {
		for _, old := range sg.ingress {
			if old.proto == nr.proto && old.from == nr.from && old.to == nr.to && old.cidr == nr.cidr && old.srcSG == nr.srcSG {
				src := nr.cidr
				if src == "" {
					src = nr.srcSG
				}
				return apiError("InvalidPermission.Duplicate", "the specified rule \"peer: %s, %s, from port: %d, to port: %d, ALLOW\" already exists", src, strings.ToUpper(nr.proto), nr.from, nr.to)
			}
		}
	}
	sg.ingress = append(sg.ingress, rules...)
	return nil
}

func (r *region) sgOut(sg *securityGroup) ec2types.SecurityGroup {
	out := ec2types.SecurityGroup{
		GroupId: ptr(sg.id), GroupName: ptr(sg.name), Description: ptr(sg.desc), VpcId: ptr(sg.vpc.id), OwnerId: ptr(r.account),
		SecurityGroupArn: ptr(r.arn("ec2", "security-group/"+sg.id)), Tags: ec2Tags(sg.tags),
		IpPermissionsEgress: []ec2types.IpPermission{{IpProtocol: ptr("-1"), IpRanges: []ec2types.IpRange{{CidrIp: ptr("0.0.0.0/0")}}}},
	}
	for _, rl := range sg.ingress {
		p := ec2types.IpPermission{IpProtocol: ptr(rl.proto)}
		if rl.proto != "-1" {
			p.FromPort, p.ToPort = ptr(rl.from), ptr(rl.to)
		}
		if rl.cidr != "" {
			p.IpRanges = []ec2types.IpRange{{CidrIp: ptr(rl.cidr), Description: nilIfEmpty(rl.desc)}}
		} else {
			p.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: ptr(rl.srcSG), UserId: ptr(r.account), Description: nilIfEmpty(rl.desc)}}
		}
		out.IpPermissions = append(out.IpPermissions, p)
	}
	return out
}

// DescribeSecurityGroups lists groups by ids, names and filters (group-name,
// group-id, vpc-id, description, tag:<key>, tag-key), paged by MaxResults.
func (c *ec2Client) DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	return do(ctx, c.base, "ec2", "DescribeSecurityGroups", in, func(r *region) (*ec2.DescribeSecurityGroupsOutput, error) {
		if in == nil {
			in = &ec2.DescribeSecurityGroupsInput{}
		}
		for _, id := range in.GroupIds {
			if sg := r.sgs[id]; sg == nil || sg.dead {
				return nil, apiError("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
			}
		}
		for _, name := range in.GroupNames {
			if _, err := r.findSG("", name); err != nil {
				return nil, err
			}
		}
		max := int(i32(in.MaxResults, 1000))
		if in.MaxResults != nil && (max < 5 || max > 1000) {
			return nil, apiError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.", max)
		}
		if max > 0 && (len(in.GroupIds) > 0 || len(in.GroupNames) > 0) && in.MaxResults != nil {
			return nil, apiError("InvalidParameterCombination", "The parameter groupIds cannot be used with the parameter maxResults")
		}
		start, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, apiError("InvalidPaginationToken", "The pagination token is invalid")
		}
		out := &ec2.DescribeSecurityGroupsOutput{}
		i := 0
		for ; i < len(r.sgOrder); i++ {
			sg := r.sgOrder[i]
			if i < start || sg.dead {
				continue
			}
			if len(in.GroupIds) > 0 && !contains(in.GroupIds, sg.id) {
				continue
			}
			if len(in.GroupNames) > 0 && (!contains(in.GroupNames, sg.name) || sg.vpc != r.defaultVPC()) {
				continue
			}
			ok, err := filterSet(in.Filters).match(func(name string) ([]string, bool) {
				switch name {
				case "group-name":
					return []string{sg.name}, true
				case "group-id":
					return []string{sg.id}, true
				case "vpc-id":
					return []string{sg.vpc.id}, true
				case "description":
					return []string{sg.desc}, true
				case "owner-id":
					return []string{r.account}, true
				case "ip-permission.group-id": // groups an ingress rule lets in
					var ids []string
					for _, rule := range sg.ingress {
						if rule.srcSG != "" {
							ids = append(ids, rule.srcSG)
						}
					}
					return ids, true
				case "egress.ip-permission.group-id":
					return nil, true // egress rules are not modelled: none refers to a group
				}
				return tagAttr(sg.tags, name)
			})
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if len(out.SecurityGroups) == max {
				out.NextToken = intToken(i)
				break
			}
			out.SecurityGroups = append(out.SecurityGroups, r.sgOut(sg))
		}
		return out, nil
	})
}

// DeleteSecurityGroup deletes a group: InvalidGroup.NotFound when missing,
// DependencyViolation while a task ENI, a load balancer or another group's rule
// uses it, CannotDelete for a VPC's default group.
func (c *ec2Client) DeleteSecurityGroup(ctx context.Context, in *ec2.DeleteSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error) {
	return do(ctx, c.base, "ec2", "DeleteSecurityGroup", in, func(r *region) (*ec2.DeleteSecurityGroupOutput, error) {
		if in == nil {
			in = &ec2.DeleteSecurityGroupInput{}
		}
		sg, err := r.findSG(str(in.GroupId), str(in.GroupName))
		if err != nil {
			return nil, err
		}
		if err := r.deleteSecurityGroup(sg); err != nil {
			return nil, err
		}
		return &ec2.DeleteSecurityGroupOutput{Return: ptr(true), GroupId: ptr(sg.id)}, nil
	})
}

// deleteSecurityGroup is DeleteSecurityGroup's model, shared with CloudFormation.
func (r *region) deleteSecurityGroup(sg *securityGroup) error {
	if sg.dead {
		return apiError("InvalidGroup.NotFound", "The security group '%s' does not exist", sg.id)
	}
	if sg.name == "default" && sg.vpc.defaultSG == sg {
		return apiError("CannotDelete", "the specified group: \"%s\" name: \"default\" cannot be deleted by a user", sg.id)
	}
	if sg.uses > 0 {
		return apiError("DependencyViolation", "resource %s has a dependent object", sg.id)
	}
	for _, other := range r.sgOrder {
		if other == sg || other.dead {
			continue
		}
		for _, rl := range other.ingress {
			if rl.srcSG == sg.id {
				return apiError("DependencyViolation", "resource %s has a dependent object", sg.id)
			}
		}
	}
	sg.dead = true
	delete(r.sgs, sg.id)
	r.sgOrder = compact(r.sgOrder, func(s *securityGroup) bool { return !s.dead })
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// validSubnets resolves subnet ids, with the error the calling service uses.
func (r *region) validSubnets(ids []string, notFound func(id string) error) ([]*subnet, error) {
	var out []*subnet
	for _, id := range ids {
		s := r.subnets[id]
		if s == nil {
			return nil, notFound(id)
		}
		out = append(out, s)
	}
	return out, nil
}

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::EC2::SecurityGroup", cfnSecurityGroup)
	registerCFN("AWS::EC2::SecurityGroupIngress", cfnSecurityGroupIngress)
}

// cfnSecurityGroup creates an AWS::EC2::SecurityGroup for a stack.
func cfnSecurityGroup(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "GroupName")
	if name == "" {
		name = r.genName(st, logical, 255)
	}
	sg, err := r.createSecurityGroup(name, propStr(p, "GroupDescription"), propStr(p, "VpcId"), st.resourceTags(logical, propTags(p)))
	if err != nil {
		return err
	}
	rules, err := r.cfnRules(propMaps(p, "SecurityGroupIngress"))
	if err == nil {
		err = sg.authorize(rules)
	}
	if err != nil {
		_ = r.deleteSecurityGroup(sg)
		return err
	}
	rs.physical = sg.id
	rs.attrs["GroupId"], rs.attrs["VpcId"] = sg.id, sg.vpc.id
	rs.del = func() error {
		if sg.dead {
			return nil
		}
		return r.deleteSecurityGroup(sg)
	}
	return nil
}

// cfnSecurityGroupIngress creates an AWS::EC2::SecurityGroupIngress for a stack.
func cfnSecurityGroupIngress(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	sg, err := r.findSG(propStr(p, "GroupId"), propStr(p, "GroupName"))
	if err != nil {
		return err
	}
	rules, err := r.cfnRules([]map[string]any{p})
	if err == nil {
		err = sg.authorize(rules)
	}
	if err != nil {
		return err
	}
	rs.physical = "sgr-" + r.w.hexID(17)
	rs.del = func() error {
		sg.ingress = compactRules(sg.ingress, rules)
		return nil
	}
	return nil
}

func init() {
	registerService("ec2", func(b base, c *cloud.Clients) { c.EC2 = &ec2Client{b} })
}
