package sim

// Route 53 as DNS: what the simulated zones answer. One resolution (resolveLocked)
// serves TestDNSAnswer (Route 53's own name servers, the zone's records only), the
// clients' resolver (cloud.Clients.DNS: a recursive resolver that follows a CNAME
// out of the zone to a load balancer's name) and the loopback DNS server
// (ServeDNS, dnsserver.go), so a checkpoint, the dashboard's trace and `dig` see
// the same answer. As AWS:
//   - an alias A record answers the target's addresses under the record's own
//     name, with the target's TTL: 60 s for an Elastic Load Balancing name
//     ("dualstack." or not), and no TTL of its own; an alias to a record of the
//     same zone answers that record's values and TTL;
//   - a CNAME answers its target with the record's TTL, whatever type was asked;
//   - a load balancer's name answers one address per subnet, TTL 60, once it
//     exists (its addresses are derived from its ARN, so they are stable);
//   - a name with no records but records below it is NOERROR with no answer; a
//     name with nothing at or below it is NXDOMAIN;
//   - a change batch is PENDING until it reaches every name server, 20–60 s
//     later ("within 60 seconds", Route 53's documentation), then INSYNC;
//   - a zone still applying one caller's change batch rejects another caller's
//     with PriorRequestNotComplete (r53ZoneBusy): many students writing to one
//     shared class zone at once. A caller's own next batch waits for its answer,
//     so one writer never meets it.

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs/cloud"
)

const (
	// r53SyncMin and r53SyncSpread bound how long a change takes to reach every
	// name server.
	r53SyncMin, r53SyncSpread = 20 * time.Second, 40 * time.Second
	// r53ZoneBusy is how long a zone takes to apply a change batch, during which
	// another batch for it answers PriorRequestNotComplete.
	r53ZoneBusy = 200 * time.Millisecond
	// elbTTL is the TTL of a load balancer's A records, and so of an alias to one.
	elbTTL = 60
)

// r53ChangeRec is one submitted change and when it is in sync.
type r53ChangeRec struct {
	info   r53types.ChangeInfo
	insync time.Time
}

// change records a new change batch (CreateHostedZone, ChangeResourceRecordSets,
// DeleteHostedZone) and returns its ChangeInfo, PENDING.
func (st *r53State) change(w *World, comment *string) *r53types.ChangeInfo {
	info := w.r53Change(comment)
	if st.changes == nil {
		st.changes = map[string]*r53ChangeRec{}
	}
	for id, c := range st.changes { // AWS keeps a change's status for a while; a day is plenty here
		if w.now.Sub(c.insync) > 24*time.Hour {
			delete(st.changes, id)
		}
	}
	st.changes[strings.TrimPrefix(*info.Id, "/change/")] = &r53ChangeRec{info: *info, insync: w.now.Add(w.jitter(r53SyncMin, r53SyncSpread))}
	return info
}

// GetChange reports a change batch's status: PENDING until it has reached every
// name server, then INSYNC.
func (c *r53Client) GetChange(ctx context.Context, in *route53.GetChangeInput, _ ...func(*route53.Options)) (*route53.GetChangeOutput, error) {
	return do(ctx, c.home(), "route53", "GetChange", in, func(r *region) (*route53.GetChangeOutput, error) {
		st := r53StateOf(r)
		if in == nil || str(in.Id) == "" {
			return nil, &r53types.InvalidInput{Message: ptr("1 validation error detected: Value null at 'id' failed to satisfy constraint: Member must not be null")}
		}
		id := strings.TrimPrefix(str(in.Id), "/change/")
		ch := st.changes[id]
		if ch == nil {
			return nil, &r53types.NoSuchChange{Message: msg("A change with the specified change ID %s does not exist.", id)}
		}
		info := ch.info
		if !c.w.now.Before(ch.insync) {
			info.Status = r53types.ChangeStatusInsync
		}
		return &route53.GetChangeOutput{ChangeInfo: &info}, nil
	})
}

// TestDNSAnswer answers one question as the zone's name servers do: the zone's
// own records (an alias resolved to its target's addresses), no recursion.
func (c *r53Client) TestDNSAnswer(ctx context.Context, in *route53.TestDNSAnswerInput, _ ...func(*route53.Options)) (*route53.TestDNSAnswerOutput, error) {
	return do(ctx, c.home(), "route53", "TestDNSAnswer", in, func(r *region) (*route53.TestDNSAnswerOutput, error) {
		st := r53StateOf(r)
		if in == nil {
			in = &route53.TestDNSAnswerInput{}
		}
		if str(in.RecordName) == "" || in.RecordType == "" {
			return nil, &r53types.InvalidInput{Message: ptr("Invalid request: RecordName and RecordType are required.")}
		}
		if !r53Types[in.RecordType] {
			return nil, &r53types.InvalidInput{Message: msg("Invalid request: %q is not a valid record type.", in.RecordType)}
		}
		z, err := st.zone(str(in.HostedZoneId))
		if err != nil {
			return nil, err
		}
		name := r53Norm(str(in.RecordName))
		if name != z.name && !strings.HasSuffix(name, "."+z.name) {
			return nil, &r53types.InvalidInput{Message: msg("Invalid request: %s is not in hosted zone %s.", r53Show(name), z.name)}
		}
		ans, rcode := c.w.zoneAnswerLocked(r.account, z, name, string(in.RecordType))
		out := &route53.TestDNSAnswerOutput{Nameserver: ptr(z.ns[0]), RecordName: ptr(strings.TrimSuffix(name, ".")), RecordType: in.RecordType,
			ResponseCode: ptr(rcode), Protocol: ptr("UDP"), RecordData: []string{}}
		for _, a := range ans {
			out.RecordData = append(out.RecordData, a.Data)
		}
		return out, nil
	})
}

// r53Resolver is the clients' DNS resolver (cloud.Clients.DNS) on the simulator.
type r53Resolver struct{ base }

// Resolve answers as a public recursive resolver would (the system resolver on
// AWS): from the simulated public DNS (publicAcctsLocked, zoneForLocked), whatever
// account the clients are in, so a zone nothing delegates to does not answer
// here even for its own account. A CNAME chain first, then the records it ends at.
func (p *r53Resolver) Resolve(ctx context.Context, name, qtype string) ([]cloud.DNSAnswer, error) {
	return do(ctx, p.base, "dns", "Resolve", nil, func(r *region) ([]cloud.DNSAnswer, error) {
		ans, rcode := r.w.resolveLocked(r.w.publicAcctsLocked(), r53Norm(name), strings.ToUpper(qtype))
		switch rcode {
		case "NXDOMAIN":
			return nil, fmt.Errorf("%s: %w", name, cloud.ErrNXDomain)
		case "SERVFAIL":
			return nil, fmt.Errorf("%s: SERVFAIL (a lame delegation: the parent's NS record names name servers that do not serve the zone)", name)
		}
		return ans, nil
	})
}

// publicAcctsLocked are the accounts whose public zones make up the simulated
// public DNS, the default account (labdash's own) first, then the others in
// the order they appeared.
func (w *World) publicAcctsLocked() []string {
	accts := []string{w.defAcct}
	for _, r := range w.order {
		if r.name == r53Home && r.account != w.defAcct {
			accts = append(accts, r.account)
		}
	}
	return accts
}

// ResolveDNS answers one question for the loopback DNS server from the
// simulated public DNS (zoneForLocked: a zone answers only when it is a top
// zone or its parent delegates to it). rcode is NOERROR, NXDOMAIN, SERVFAIL (a
// lame delegation) or REFUSED (a name in no simulated zone and no load
// balancer's); authority is the zone's SOA when the answer is empty.
func (w *World) ResolveDNS(name, qtype string) (answers []cloud.DNSAnswer, rcode string, authority []cloud.DNSAnswer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.advanceLocked()
	accts := w.publicAcctsLocked()
	name = r53Norm(name)
	ans, rcode := w.resolveLocked(accts, name, strings.ToUpper(qtype))
	if len(ans) == 0 {
		if z, _, _ := w.zoneForLocked(accts, name); z != nil {
			for _, rr := range z.records {
				if rr.Type == r53types.RRTypeSoa && str(rr.Name) == z.name {
					authority = []cloud.DNSAnswer{{Name: z.name, Type: "SOA", TTL: uint32(*rr.TTL), Data: str(rr.ResourceRecords[0].Value)}}
				}
			}
		}
	}
	return ans, rcode, authority
}

// zoneForLocked is the zone that answers for name in the simulated public DNS
// made of accts' public zones, found as a resolver finds it, from the top down:
//   - the top zone is the outermost zone name falls in that no zone of accts
//     encloses (the instructor delegated it from the real parent: docs/aws-setup.md);
//     of zones with that one name, the first account's (the default account's,
//     labdash's own) — with the first account holding records at name preferred;
//   - a zone holding an NS record at or above name, below its own apex, refers the
//     resolver on: to the zone of accts called that whose name servers are exactly
//     the record's; when none is, the delegation is lame and lame is true (SERVFAIL);
//   - otherwise the zone answers for name itself, whatever zones of that name or
//     below it exist elsewhere: a zone nothing delegates to is not found (in
//     Route 53 it still answers TestDNSAnswer, which asks its own name servers).
//
// It returns nil when name is in no zone of accts.
func (w *World) zoneForLocked(accts []string, name string) (z *r53Zone, acct string, lame bool) {
	type zoneAt struct {
		z    *r53Zone
		acct string
	}
	var all []zoneAt
	for _, a := range accts {
		r := w.regions[regionKey{a, r53Home}]
		if r == nil {
			continue
		}
		for _, z := range r53StateOf(r).order {
			if !z.private && (name == z.name || strings.HasSuffix(name, "."+z.name)) {
				all = append(all, zoneAt{z, a})
			}
		}
	}
	var top *zoneAt
	for i := range all {
		c := &all[i]
		if top == nil || len(c.z.name) < len(top.z.name) || (len(c.z.name) == len(top.z.name) && !top.z.has(name) && c.z.has(name)) {
			top = c
		}
	}
	if top == nil {
		return nil, "", false
	}
	cur := *top
	for hop := 0; hop < 16; hop++ {
		cut := cur.z.delegationFor(name)
		if cut == nil {
			return cur.z, cur.acct, false
		}
		var want []string
		for _, v := range cut.ResourceRecords {
			want = append(want, str(v.Value))
		}
		var next *zoneAt
		for i := range all {
			c := &all[i]
			if c.z.name == str(cut.Name) && r53SameServers(c.z.ns, want) {
				next = c
				break
			}
		}
		if next == nil {
			return nil, "", true
		}
		cur = *next
	}
	return nil, "", true
}

// delegationFor is the NS record set of z at or above name and below z's apex
// (the deepest, as a resolver meets it), or nil: the cut that hands name to
// another zone.
func (z *r53Zone) delegationFor(name string) *r53types.ResourceRecordSet {
	var best *r53types.ResourceRecordSet
	for _, rr := range z.records {
		n := str(rr.Name)
		if rr.Type != r53types.RRTypeNs || n == z.name || (name != n && !strings.HasSuffix(name, "."+n)) {
			continue
		}
		if best == nil || len(n) > len(str(best.Name)) {
			best = rr
		}
	}
	return best
}

// r53SameServers reports whether two lists name the same name servers (case,
// trailing dots and order aside).
func r53SameServers(a, b []string) bool {
	norm := func(l []string) []string {
		out := make([]string, 0, len(l))
		for _, s := range l {
			out = append(out, strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "."))
		}
		sort.Strings(out)
		return compactStrings(out)
	}
	na, nb := norm(a), norm(b)
	if len(na) == 0 || len(na) != len(nb) {
		return false
	}
	for i := range na {
		if na[i] != nb[i] {
			return false
		}
	}
	return true
}

// compactStrings drops adjacent repeats of a sorted list.
func compactStrings(l []string) []string {
	out := l[:0]
	for i, s := range l {
		if i == 0 || s != l[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// has reports whether the zone holds records at name or below it.
func (z *r53Zone) has(name string) bool {
	for _, rr := range z.records {
		if n := str(rr.Name); n == name || strings.HasSuffix(n, "."+name) {
			return true
		}
	}
	return false
}

// resolveLocked resolves name recursively: through the zones, CNAMEs followed
// (at most 8), load balancers' names answered with their addresses.
func (w *World) resolveLocked(accts []string, name, qtype string) ([]cloud.DNSAnswer, string) {
	var out []cloud.DNSAnswer
	for hop := 0; hop < 8; hop++ {
		if lb, _ := w.lbByDNSLocked(accts, name); lb != nil {
			if qtype == "A" {
				out = append(out, lbAnswers(name, lb)...)
			}
			return out, "NOERROR"
		}
		z, acct, lame := w.zoneForLocked(accts, name)
		if lame {
			return out, "SERVFAIL"
		}
		if z == nil {
			if hop == 0 {
				return nil, "REFUSED"
			}
			return out, "NOERROR" // a target outside the simulation: the chain ends here
		}
		ans, rcode := w.zoneAnswerLocked(acct, z, name, qtype)
		out = append(out, ans...)
		if rcode != "NOERROR" || len(ans) != 1 || ans[0].Type != "CNAME" || qtype == "CNAME" {
			if hop > 0 && rcode == "NXDOMAIN" {
				rcode = "NOERROR" // the chain's first name exists
			}
			return out, rcode
		}
		name = r53Norm(ans[0].Data)
	}
	return out, "SERVFAIL"
}

// zoneAnswerLocked is what z's name servers answer for (name, qtype), name in z.
func (w *World) zoneAnswerLocked(acct string, z *r53Zone, name, qtype string) ([]cloud.DNSAnswer, string) {
	var cname *r53types.ResourceRecordSet
	var match []*r53types.ResourceRecordSet
	for _, rr := range z.records {
		if str(rr.Name) != name {
			continue
		}
		if rr.Type == r53types.RRTypeCname {
			cname = rr
		}
		if string(rr.Type) == qtype {
			match = append(match, rr)
		}
	}
	if cname != nil {
		match = []*r53types.ResourceRecordSet{cname}
	}
	if len(match) == 0 {
		if z.has(name) {
			return nil, "NOERROR"
		}
		return nil, "NXDOMAIN"
	}
	var out []cloud.DNSAnswer
	for _, rr := range match {
		if rr.AliasTarget != nil {
			out = append(out, w.aliasAnswersLocked(acct, z, name, string(rr.Type), r53Norm(str(rr.AliasTarget.DNSName)))...)
			continue
		}
		for _, v := range rr.ResourceRecords {
			out = append(out, cloud.DNSAnswer{Name: name, Type: string(rr.Type), TTL: uint32(*rr.TTL), Data: str(v.Value)})
		}
	}
	return out, "NOERROR"
}

// aliasAnswersLocked resolves an alias target for an alias record at name: a load
// balancer's addresses with its TTL, or a record of the same zone.
func (w *World) aliasAnswersLocked(acct string, z *r53Zone, name, typ, target string) []cloud.DNSAnswer {
	if lb, _ := w.lbByDNSLocked([]string{acct}, target); lb != nil {
		if typ != "A" {
			return nil
		}
		return lbAnswers(name, lb)
	}
	if target != name && (target == z.name || strings.HasSuffix(target, "."+z.name)) {
		ans, _ := w.zoneAnswerLocked(acct, z, target, typ)
		for i := range ans {
			ans[i].Name = name
		}
		return ans
	}
	return nil
}

// lbByDNSLocked finds a load balancer by its DNS name ("dualstack." or not) in any
// region of accts.
func (w *World) lbByDNSLocked(accts []string, name string) (*loadBalancer, string) {
	name = strings.TrimPrefix(strings.TrimSuffix(name, "."), "dualstack.")
	if !strings.HasSuffix(name, ".elb.amazonaws.com") {
		return nil, ""
	}
	for _, a := range accts {
		for _, r := range w.order {
			if r.account != a {
				continue
			}
			for _, lb := range r.lbOrder {
				if lb.dns == name && lb.state != "" {
					return lb, a
				}
			}
		}
	}
	return nil, ""
}

// lbAnswers are a load balancer's A records under name: one address per subnet.
func lbAnswers(name string, lb *loadBalancer) []cloud.DNSAnswer {
	n := max(len(lb.subnets), 1)
	out := make([]cloud.DNSAnswer, 0, n)
	for i := 0; i < n; i++ {
		h := fnv.New32a()
		fmt.Fprintf(h, "%s/%d", lb.arn, i)
		v := h.Sum32()
		out = append(out, cloud.DNSAnswer{Name: name, Type: "A", TTL: elbTTL, Data: fmt.Sprintf("3.%d.%d.%d", 80+byte(v>>16)%150, byte(v>>8), 1+byte(v)%254)})
	}
	return out
}

// r53Busy is the error for a change batch that arrives while the zone applies the last one.
func r53Busy() error {
	return &r53types.PriorRequestNotComplete{Message: ptr("The request was rejected because Route 53 was still processing a prior request.")}
}
