package sim

// Amazon Route 53: public and private hosted zones with their record sets and tags.
// Route 53 is global: every region's client sees the account's one set of zones,
// kept in its us-east-1 state, where the tagging API lists them
// (arn:aws:route53:::hostedzone/ZID, route53:hostedzone). As AWS:
//   - a new zone holds its SOA and apex NS records; DeleteHostedZone answers
//     HostedZoneNotEmpty while it holds anything else;
//   - names are stored in lowercase with a trailing dot, and listed with "*" as
//     \052; records are listed in Route 53's order (labels read right to left,
//     then type, then set identifier), at most 300 per page, resuming at
//     NextRecordName/NextRecordType/NextRecordIdentifier;
//   - a change batch is validated whole and applied all or nothing; DELETE must
//     give the record set exactly as it exists (TTL, values in any order, alias
//     target, set identifier and routing fields) or answers InvalidChangeBatch,
//     as does a CREATE of an existing set, a name outside the zone, a CNAME beside
//     other records or at the apex, and removing the SOA or the apex NS;
//   - record sets need exactly one of an alias target or a TTL with values, and a
//     SetIdentifier exactly when a routing policy is set (InvalidInput otherwise).
//
// What the zones answer as DNS (TestDNSAnswer, GetChange's PENDING → INSYNC,
// PriorRequestNotComplete, the clients' resolver) is in route53_dns.go.
//
// Not modelled: health checks (their tags answer NoSuchHealthCheck), traffic
// policies, DNSSEC, query logging, delegation sets, VPC association calls, other
// octal escapes than \052, per-type value syntax beyond A records' IPv4
// addresses, and Route 53's account-wide rate limit (labdash's own limiter,
// labs/cloud/aws/limits.go, keeps under it on AWS).

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	registerService("route53", func(b base, c *cloud.Clients) {
		c.Route53 = &r53Client{b}
		// No principal: a DNS lookup is not an AWS API call, IAM does not see it.
		c.DNS = &r53Resolver{base{w: b.w, account: b.account, region: r53Home}}
	})
}

// r53Client implements cloud.Route53.
type r53Client struct{ base }

var _ cloud.Route53 = (*r53Client)(nil)

// r53Home is the region whose state holds the account's (global) zones.
const r53Home = "us-east-1"

type r53State struct {
	zones map[string]*r53Zone // by id (Z…)
	order []*r53Zone
	refs  map[string]bool // caller references used
	// changes are the submitted change batches by id (without /change/).
	changes map[string]*r53ChangeRec
}

type r53Zone struct {
	tagged
	id, name, callerRef, comment string
	private                      bool
	ns                           []string
	records                      []*r53types.ResourceRecordSet // in listing order; names normalised, "*" unescaped
	busyUntil                    time.Time                     // the zone applies its last change batch until then,
	busyBy                       string                        // which came from this caller (a session ARN, "" for labdash)
}

// home is the client in the account's us-east-1, where Route 53's state lives
// whatever the client's region.
func (c *r53Client) home() base {
	b := c.base
	b.region = r53Home
	return b
}

// r53StateOf returns the account's Route 53 state (r is its us-east-1).
func r53StateOf(r *region) *r53State {
	return state(r, "route53", func() *r53State {
		return &r53State{zones: map[string]*r53Zone{}, refs: map[string]bool{}}
	})
}

func r53NoZone(id string) error {
	return &r53types.NoSuchHostedZone{Message: msg("No hosted zone found with ID: %s", id)}
}

// zone resolves "Z…" or "/hostedzone/Z…".
func (st *r53State) zone(id string) (*r53Zone, error) {
	id = strings.TrimPrefix(id, "/hostedzone/")
	z := st.zones[id]
	if z == nil {
		return nil, r53NoZone(id)
	}
	return z, nil
}

// r53Norm is a DNS name as Route 53 stores it: lowercase, absolute, "*" unescaped.
func r53Norm(name string) string {
	name = strings.ToLower(strings.ReplaceAll(name, `\052`, "*"))
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

// r53Show is a stored name as Route 53 lists it: "*" as \052.
func r53Show(name string) string { return strings.ReplaceAll(name, "*", `\052`) }

// r53ValidName checks a normalised name: labels of 1–63 bytes, 255 in all.
func r53ValidName(name string) bool {
	if len(name) > 255 || name == "." {
		return false
	}
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if l == "" || len(l) > 63 || strings.ContainsAny(l, " \t\n") {
			return false
		}
	}
	return true
}

// r53Key orders record sets as Route 53 lists them.
func r53Key(name string, typ r53types.RRType, set string) []string {
	labels := strings.Split(strings.TrimSuffix(name, "."), ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	return []string{strings.Join(labels, "\x00"), string(typ), set}
}

func r53Less(a, b []string) bool {
	for i := range a {
		if i >= len(b) {
			return false
		}
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

func rrKey(rr *r53types.ResourceRecordSet) []string {
	return r53Key(str(rr.Name), rr.Type, str(rr.SetIdentifier))
}

// r53Alphanum returns n random characters from [A-Z0-9].
func (w *World) r53Alphanum(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[w.rng.IntN(len(alphabet))]
	}
	return string(b)
}

func (w *World) r53Change(comment *string) *r53types.ChangeInfo {
	return &r53types.ChangeInfo{Id: ptr("/change/C" + w.r53Alphanum(20)), Status: r53types.ChangeStatusPending,
		SubmittedAt: tptr(w.now), Comment: comment}
}

func (z *r53Zone) out() *r53types.HostedZone {
	return &r53types.HostedZone{Id: ptr("/hostedzone/" + z.id), Name: ptr(z.name), CallerReference: ptr(z.callerRef),
		Config: &r53types.HostedZoneConfig{Comment: optStr(z.comment), PrivateZone: z.private}, ResourceRecordSetCount: ptr(int64(len(z.records)))}
}

func (z *r53Zone) delegation() *r53types.DelegationSet {
	if z.private {
		return nil
	}
	return &r53types.DelegationSet{NameServers: append([]string(nil), z.ns...)}
}

// CreateHostedZone creates a zone with its SOA and NS records.
func (c *r53Client) CreateHostedZone(ctx context.Context, in *route53.CreateHostedZoneInput, _ ...func(*route53.Options)) (*route53.CreateHostedZoneOutput, error) {
	return do(ctx, c.home(), "route53", "CreateHostedZone", in, func(r *region) (*route53.CreateHostedZoneOutput, error) {
		st := r53StateOf(r)
		if in == nil {
			in = &route53.CreateHostedZoneInput{}
		}
		name := r53Norm(str(in.Name))
		if !r53ValidName(name) || strings.Contains(name, "*") {
			return nil, &r53types.InvalidDomainName{Message: msg("%s is not a valid domain name.", str(in.Name))}
		}
		if !strings.Contains(strings.TrimSuffix(name, "."), ".") {
			return nil, &r53types.InvalidDomainName{Message: msg("%s is reserved by AWS!", str(in.Name))}
		}
		ref := str(in.CallerReference)
		if ref == "" || len(ref) > 128 {
			return nil, &r53types.InvalidInput{Message: ptr("Invalid request: CallerReference must be 1 to 128 characters.")}
		}
		if st.refs[ref] {
			return nil, &r53types.HostedZoneAlreadyExists{Message: msg("A hosted zone has already been created with the specified caller reference.")}
		}
		z := &r53Zone{id: "Z" + c.w.r53Alphanum(20), name: name, callerRef: ref}
		if cfg := in.HostedZoneConfig; cfg != nil {
			z.comment, z.private = str(cfg.Comment), cfg.PrivateZone
		}
		if z.private && (in.VPC == nil || str(in.VPC.VPCId) == "") {
			return nil, &r53types.InvalidInput{Message: ptr("When you're creating a private hosted zone (when you specify true for PrivateZone), you must also specify values for VPCId and VPCRegion.")}
		}
		if !z.private && in.VPC != nil {
			return nil, &r53types.InvalidInput{Message: ptr("When you're creating a public hosted zone, you can't specify a VPC.")}
		}
		n := c.w.rng.IntN(2000)
		z.ns = []string{
			"ns-" + strconv.Itoa(n) + ".awsdns-" + strconv.Itoa(n%64) + ".org",
			"ns-" + strconv.Itoa(n+512) + ".awsdns-" + strconv.Itoa((n+1)%64) + ".co.uk",
			"ns-" + strconv.Itoa(n+1024) + ".awsdns-" + strconv.Itoa((n+2)%64) + ".com",
			"ns-" + strconv.Itoa(n+1536) + ".awsdns-" + strconv.Itoa((n+3)%64) + ".net",
		}
		nsRR := &r53types.ResourceRecordSet{Name: ptr(name), Type: r53types.RRTypeNs, TTL: ptr(int64(172800))}
		for _, s := range z.ns {
			nsRR.ResourceRecords = append(nsRR.ResourceRecords, r53types.ResourceRecord{Value: ptr(s + ".")})
		}
		if z.private {
			nsRR.ResourceRecords = []r53types.ResourceRecord{{Value: ptr("ns-0.awsdns-00.com.")}, {Value: ptr("ns-512.awsdns-00.net.")},
				{Value: ptr("ns-1024.awsdns-00.org.")}, {Value: ptr("ns-1536.awsdns-00.co.uk.")}}
		}
		soa := &r53types.ResourceRecordSet{Name: ptr(name), Type: r53types.RRTypeSoa, TTL: ptr(int64(900)),
			ResourceRecords: []r53types.ResourceRecord{{Value: ptr(str(nsRR.ResourceRecords[0].Value) + " awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400")}}}
		z.records = []*r53types.ResourceRecordSet{nsRR, soa}
		st.zones[z.id] = z
		st.order = append(st.order, z)
		st.refs[ref] = true
		r.addTaggable(&z.tagged, "arn:aws:route53:::hostedzone/"+z.id, "route53:hostedzone")
		out := &route53.CreateHostedZoneOutput{HostedZone: z.out(), ChangeInfo: st.change(c.w, nil), DelegationSet: z.delegation(),
			Location: ptr("https://route53.amazonaws.com/2013-04-01/hostedzone/" + z.id)}
		if in.VPC != nil {
			out.VPC = cloneJSON(in.VPC)
		}
		return out, nil
	})
}

// ListHostedZones lists zones in creation order, MaxItems (≤100) per page.
func (c *r53Client) ListHostedZones(ctx context.Context, in *route53.ListHostedZonesInput, _ ...func(*route53.Options)) (*route53.ListHostedZonesOutput, error) {
	return do(ctx, c.home(), "route53", "ListHostedZones", in, func(r *region) (*route53.ListHostedZonesOutput, error) {
		st := r53StateOf(r)
		if in == nil {
			in = &route53.ListHostedZonesInput{}
		}
		limit := int(i32(in.MaxItems, 100))
		if limit < 1 {
			return nil, &r53types.InvalidInput{Message: ptr("Invalid request: MaxItems must be at least 1.")}
		}
		limit = min(limit, 100)
		out := &route53.ListHostedZonesOutput{HostedZones: []r53types.HostedZone{}, Marker: in.Marker, MaxItems: ptr(int32(limit))}
		started := str(in.Marker) == ""
		if !started && st.zones[str(in.Marker)] == nil {
			return nil, &r53types.InvalidInput{Message: ptr("Invalid request: the marker is not a hosted zone ID.")}
		}
		for _, z := range st.order {
			if !started {
				if z.id != str(in.Marker) {
					continue
				}
				started = true
			}
			if in.HostedZoneType == r53types.HostedZoneTypePrivateHostedZone && !z.private {
				continue
			}
			if len(out.HostedZones) == limit {
				out.IsTruncated, out.NextMarker = true, ptr(z.id)
				break
			}
			out.HostedZones = append(out.HostedZones, *z.out())
		}
		return out, nil
	})
}

// GetHostedZone describes a zone and its name servers.
func (c *r53Client) GetHostedZone(ctx context.Context, in *route53.GetHostedZoneInput, _ ...func(*route53.Options)) (*route53.GetHostedZoneOutput, error) {
	return do(ctx, c.home(), "route53", "GetHostedZone", in, func(r *region) (*route53.GetHostedZoneOutput, error) {
		st := r53StateOf(r)
		if in == nil {
			in = &route53.GetHostedZoneInput{}
		}
		z, err := st.zone(str(in.Id))
		if err != nil {
			return nil, err
		}
		return &route53.GetHostedZoneOutput{HostedZone: z.out(), DelegationSet: z.delegation()}, nil
	})
}

// DeleteHostedZone deletes a zone that holds nothing but its SOA and apex NS.
func (c *r53Client) DeleteHostedZone(ctx context.Context, in *route53.DeleteHostedZoneInput, _ ...func(*route53.Options)) (*route53.DeleteHostedZoneOutput, error) {
	return do(ctx, c.home(), "route53", "DeleteHostedZone", in, func(r *region) (*route53.DeleteHostedZoneOutput, error) {
		st := r53StateOf(r)
		if in == nil {
			in = &route53.DeleteHostedZoneInput{}
		}
		z, err := st.zone(str(in.Id))
		if err != nil {
			return nil, err
		}
		for _, rr := range z.records {
			if !z.required(rr) {
				return nil, &r53types.HostedZoneNotEmpty{Message: ptr("The specified hosted zone contains non-required resource record sets and so cannot be deleted.")}
			}
		}
		z.dead = true
		delete(st.zones, z.id)
		st.order = compact(st.order, func(x *r53Zone) bool { return !x.dead })
		return &route53.DeleteHostedZoneOutput{ChangeInfo: st.change(c.w, nil)}, nil
	})
}

// required reports whether rr is the zone's SOA or apex NS.
func (z *r53Zone) required(rr *r53types.ResourceRecordSet) bool {
	return str(rr.Name) == z.name && (rr.Type == r53types.RRTypeSoa || rr.Type == r53types.RRTypeNs) && rr.SetIdentifier == nil
}

// ListResourceRecordSets lists a zone's record sets in Route 53's order.
func (c *r53Client) ListResourceRecordSets(ctx context.Context, in *route53.ListResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error) {
	return do(ctx, c.home(), "route53", "ListResourceRecordSets", in, func(r *region) (*route53.ListResourceRecordSetsOutput, error) {
		st := r53StateOf(r)
		if in == nil {
			in = &route53.ListResourceRecordSetsInput{}
		}
		z, err := st.zone(str(in.HostedZoneId))
		if err != nil {
			return nil, err
		}
		if in.StartRecordType != "" && str(in.StartRecordName) == "" {
			return nil, &r53types.InvalidInput{Message: ptr("The input is not valid: StartRecordType requires StartRecordName.")}
		}
		if str(in.StartRecordIdentifier) != "" && in.StartRecordType == "" {
			return nil, &r53types.InvalidInput{Message: ptr("The input is not valid: StartRecordIdentifier requires StartRecordType.")}
		}
		limit := int(i32(in.MaxItems, 300))
		if limit < 1 {
			return nil, &r53types.InvalidInput{Message: ptr("Invalid request: MaxItems must be at least 1.")}
		}
		limit = min(limit, 300)
		var start []string
		if n := str(in.StartRecordName); n != "" {
			start = r53Key(r53Norm(n), in.StartRecordType, str(in.StartRecordIdentifier))
			switch {
			case in.StartRecordType == "":
				start = start[:1]
			case str(in.StartRecordIdentifier) == "":
				start = start[:2]
			}
		}
		out := &route53.ListResourceRecordSetsOutput{ResourceRecordSets: []r53types.ResourceRecordSet{}, MaxItems: ptr(int32(limit))}
		for _, rr := range z.records {
			if start != nil && r53Less(rrKey(rr)[:len(start)], start) {
				continue
			}
			if len(out.ResourceRecordSets) == limit {
				out.IsTruncated = true
				out.NextRecordName, out.NextRecordType, out.NextRecordIdentifier = ptr(r53Show(str(rr.Name))), rr.Type, rr.SetIdentifier
				break
			}
			x := cloneJSON(*rr)
			x.Name = ptr(r53Show(str(rr.Name)))
			out.ResourceRecordSets = append(out.ResourceRecordSets, x)
		}
		return out, nil
	})
}

var r53Types = map[r53types.RRType]bool{"A": true, "AAAA": true, "CAA": true, "CNAME": true, "DS": true, "MX": true, "NAPTR": true, "NS": true,
	"PTR": true, "SOA": true, "SPF": true, "SRV": true, "TXT": true, "TLSA": true, "SSHFP": true, "SVCB": true, "HTTPS": true}

// r53Canon is a record set reduced to what identifies and defines it, for DELETE's
// exact match: values in order, the alias DNS name normalised.
func r53Canon(rr *r53types.ResourceRecordSet) string {
	x := cloneJSON(*rr)
	x.Name = ptr(r53Norm(str(rr.Name)))
	var vals []string
	for _, v := range x.ResourceRecords {
		vals = append(vals, str(v.Value))
	}
	sort.Strings(vals)
	x.ResourceRecords = nil
	for _, v := range vals {
		x.ResourceRecords = append(x.ResourceRecords, r53types.ResourceRecord{Value: ptr(v)})
	}
	if x.AliasTarget != nil {
		x.AliasTarget.DNSName = ptr(r53Norm(str(x.AliasTarget.DNSName)))
	}
	b, _ := json.Marshal(x)
	return string(b)
}

func r53Bad(format string, a ...any) error {
	m := msg(format, a...)
	return &r53types.InvalidChangeBatch{Message: m, Messages: []string{*m}}
}

// ChangeResourceRecordSets applies a change batch all or nothing.
func (c *r53Client) ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	return do(ctx, c.home(), "route53", "ChangeResourceRecordSets", in, func(r *region) (*route53.ChangeResourceRecordSetsOutput, error) {
		st := r53StateOf(r)
		if in == nil {
			in = &route53.ChangeResourceRecordSetsInput{}
		}
		z, err := st.zone(str(in.HostedZoneId))
		if err != nil {
			return nil, err
		}
		if c.w.now.Before(z.busyUntil) && z.busyBy != c.principal {
			return nil, r53Busy()
		}
		if in.ChangeBatch == nil || len(in.ChangeBatch.Changes) == 0 {
			return nil, &r53types.InvalidInput{Message: ptr("1 validation error detected: Value null at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1")}
		}
		recs := append([]*r53types.ResourceRecordSet(nil), z.records...)
		find := func(rr *r53types.ResourceRecordSet) int {
			for i, x := range recs {
				if str(x.Name) == str(rr.Name) && x.Type == rr.Type && str(x.SetIdentifier) == str(rr.SetIdentifier) {
					return i
				}
			}
			return -1
		}
		for _, ch := range in.ChangeBatch.Changes {
			if ch.ResourceRecordSet == nil {
				return nil, &r53types.InvalidInput{Message: ptr("Invalid request: a change has no ResourceRecordSet.")}
			}
			rr := cloneJSON(*ch.ResourceRecordSet)
			rr.Name = ptr(r53Norm(str(rr.Name)))
			if rr.AliasTarget != nil {
				rr.AliasTarget.DNSName = ptr(r53Norm(str(rr.AliasTarget.DNSName)))
			}
			where := "in Change with [Action=" + string(ch.Action) + ", Name=" + r53Show(str(rr.Name)) + ", Type=" + string(rr.Type) +
				", SetIdentifier=" + func() string {
				if rr.SetIdentifier == nil {
					return "null"
				}
				return *rr.SetIdentifier
			}() + "]"
			if err := z.validRR(&rr, where); err != nil {
				return nil, err
			}
			i := find(&rr)
			switch ch.Action {
			case r53types.ChangeActionCreate, r53types.ChangeActionUpsert:
				if i >= 0 && ch.Action == r53types.ChangeActionCreate {
					return nil, r53Bad("[Tried to create resource record set [name='%s', type='%s'] but it already exists]", r53Show(str(rr.Name)), rr.Type)
				}
				for _, x := range recs {
					if str(x.Name) != str(rr.Name) || (x.Type == rr.Type && str(x.SetIdentifier) == str(rr.SetIdentifier)) {
						continue
					}
					if x.Type != rr.Type && (x.Type == r53types.RRTypeCname || rr.Type == r53types.RRTypeCname) {
						return nil, r53Bad("[RRSet of type CNAME with DNS name %s is not permitted as it conflicts with other records with the same DNS name in zone %s.]", r53Show(str(rr.Name)), z.name)
					}
					if x.Type == rr.Type && (x.SetIdentifier == nil) != (rr.SetIdentifier == nil) {
						return nil, r53Bad("[RRSet with DNS name %s, type %s cannot be created as a non-weighted set exists with the same name and type.]", r53Show(str(rr.Name)), rr.Type)
					}
				}
				if i >= 0 {
					recs[i] = &rr
				} else {
					recs = append(recs, &rr)
				}
			case r53types.ChangeActionDelete:
				if i < 0 {
					return nil, r53Bad("[Tried to delete resource record set [name='%s', type='%s'] but it was not found]", r53Show(str(rr.Name)), rr.Type)
				}
				if z.required(recs[i]) {
					if rr.Type == r53types.RRTypeSoa {
						return nil, r53Bad("[A HostedZone must contain exactly one SOA record.]")
					}
					return nil, r53Bad("[A HostedZone must contain at least one NS record for the zone itself.]")
				}
				if r53Canon(recs[i]) != r53Canon(&rr) {
					return nil, r53Bad("[Tried to delete resource record set [name='%s', type='%s'] but the values provided do not match the current values]", r53Show(str(rr.Name)), rr.Type)
				}
				recs = append(recs[:i:i], recs[i+1:]...)
			default:
				return nil, &r53types.InvalidInput{Message: msg("Invalid request: Action %q is not CREATE, DELETE or UPSERT.", ch.Action)}
			}
		}
		sort.SliceStable(recs, func(i, j int) bool { return r53Less(rrKey(recs[i]), rrKey(recs[j])) })
		z.records = recs
		z.busyUntil, z.busyBy = c.w.now.Add(r53ZoneBusy), c.principal
		return &route53.ChangeResourceRecordSetsOutput{ChangeInfo: st.change(c.w, in.ChangeBatch.Comment)}, nil
	})
}

// validRR checks one record set of a change (its name already normalised).
func (z *r53Zone) validRR(rr *r53types.ResourceRecordSet, where string) error {
	name := str(rr.Name)
	if !r53ValidName(name) {
		return &r53types.InvalidInput{Message: msg("Invalid request: %s is not a valid DNS name %s", r53Show(name), where)}
	}
	if !r53Types[rr.Type] {
		return &r53types.InvalidInput{Message: msg("Invalid request: %q is not a valid record type %s", rr.Type, where)}
	}
	if name != z.name && !strings.HasSuffix(name, "."+z.name) {
		return r53Bad("[RRSet with DNS name %s is not permitted in zone %s]", r53Show(name), z.name)
	}
	if strings.HasPrefix(name, "*.") && rr.Type == r53types.RRTypeNs {
		return r53Bad("[RRSet of type NS with DNS name %s is not permitted: wildcards are not allowed for NS records]", r53Show(name))
	}
	if rr.Type == r53types.RRTypeCname && name == z.name {
		return r53Bad("[RRSet of type CNAME with DNS name %s is not permitted at apex in zone %s]", r53Show(name), z.name)
	}
	alias := rr.AliasTarget != nil
	plain := rr.TTL != nil || len(rr.ResourceRecords) > 0
	tp := str(rr.TrafficPolicyInstanceId) != ""
	switch n := btoi(alias) + btoi(plain) + btoi(tp); {
	case n == 0:
		return &r53types.InvalidInput{Message: msg("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none %s", where)}
	case n > 1:
		return &r53types.InvalidInput{Message: msg("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one %s", where)}
	case plain && (rr.TTL == nil || len(rr.ResourceRecords) == 0):
		return &r53types.InvalidInput{Message: msg("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none %s", where)}
	case alias && (str(rr.AliasTarget.HostedZoneId) == "" || str(rr.AliasTarget.DNSName) == "."):
		return &r53types.InvalidInput{Message: msg("Invalid request: an alias target needs HostedZoneId and DNSName %s", where)}
	}
	if plain && (*rr.TTL < 0 || *rr.TTL > 2147483647) {
		return &r53types.InvalidInput{Message: msg("Invalid request: TTL must be between 0 and 2147483647 %s", where)}
	}
	policy := rr.Weight != nil || rr.Failover != "" || rr.Region != "" || rr.GeoLocation != nil || rr.MultiValueAnswer != nil ||
		rr.CidrRoutingConfig != nil || rr.GeoProximityLocation != nil
	switch {
	case policy && rr.SetIdentifier == nil:
		return &r53types.InvalidInput{Message: msg("Invalid request: Missing field 'SetIdentifier' %s", where)}
	case !policy && rr.SetIdentifier != nil:
		return &r53types.InvalidInput{Message: msg("Invalid request: Missing field 'Weight', 'Region', 'Failover', 'GeoLocation', 'MultiValueAnswer', 'GeoProximityLocation', or 'CidrRoutingConfig' %s", where)}
	}
	if rr.Type == r53types.RRTypeCname && len(rr.ResourceRecords) > 1 {
		return r53Bad("[RRSet of type CNAME with DNS name %s has more than one resource record]", r53Show(name))
	}
	if rr.Type == r53types.RRTypeA {
		for _, v := range rr.ResourceRecords {
			if _, err := parseIPv4(str(v.Value)); err != nil {
				return r53Bad("[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '%s'']", str(v.Value))
			}
		}
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ListTagsForResource lists a hosted zone's tags.
func (c *r53Client) ListTagsForResource(ctx context.Context, in *route53.ListTagsForResourceInput, _ ...func(*route53.Options)) (*route53.ListTagsForResourceOutput, error) {
	return do(ctx, c.home(), "route53", "ListTagsForResource", in, func(r *region) (*route53.ListTagsForResourceOutput, error) {
		st := r53StateOf(r)
		if in == nil {
			in = &route53.ListTagsForResourceInput{}
		}
		z, err := st.tagTarget(in.ResourceType, str(in.ResourceId))
		if err != nil {
			return nil, err
		}
		set := &r53types.ResourceTagSet{ResourceType: in.ResourceType, ResourceId: ptr(z.id), Tags: []r53types.Tag{}}
		for _, t := range z.tags {
			set.Tags = append(set.Tags, r53types.Tag{Key: ptr(t.k), Value: ptr(t.v)})
		}
		return &route53.ListTagsForResourceOutput{ResourceTagSet: set}, nil
	})
}

func (st *r53State) tagTarget(typ r53types.TagResourceType, id string) (*r53Zone, error) {
	switch typ {
	case r53types.TagResourceTypeHostedzone:
		return st.zone(id)
	case r53types.TagResourceTypeHealthcheck:
		return nil, &r53types.NoSuchHealthCheck{Message: msg("No health check exists with the specified ID %s", id)}
	}
	return nil, &r53types.InvalidInput{Message: msg("Invalid request: ResourceType %q is not hostedzone or healthcheck.", typ)}
}

// ChangeTagsForResource adds and removes a hosted zone's tags.
func (c *r53Client) ChangeTagsForResource(ctx context.Context, in *route53.ChangeTagsForResourceInput, _ ...func(*route53.Options)) (*route53.ChangeTagsForResourceOutput, error) {
	return do(ctx, c.home(), "route53", "ChangeTagsForResource", in, func(r *region) (*route53.ChangeTagsForResourceOutput, error) {
		st := r53StateOf(r)
		if in == nil {
			in = &route53.ChangeTagsForResourceInput{}
		}
		z, err := st.tagTarget(in.ResourceType, str(in.ResourceId))
		if err != nil {
			return nil, err
		}
		if len(in.AddTags) > 10 || len(in.RemoveTagKeys) > 10 {
			return nil, &r53types.InvalidInput{Message: ptr("Invalid request: at most 10 tags can be added or removed per request.")}
		}
		tags := z.tags.clone()
		for _, k := range in.RemoveTagKeys {
			tags = compact(tags, func(t kv) bool { return t.k != k })
		}
		for _, t := range in.AddTags {
			tags.set(str(t.Key), str(t.Value))
		}
		if err := validTags(tags); err != nil {
			return nil, &r53types.InvalidInput{Message: msg("Invalid request: %v", err)}
		}
		z.tags = tags
		return &route53.ChangeTagsForResourceOutput{}, nil
	})
}
