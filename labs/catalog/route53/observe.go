package route53

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/batch"
	"github.com/labdash/labdash/labs/cloud"
)

// Cadences (LABS.md Lab 3): records every 30 s, target health every 15 s; the
// class zone's id is looked up again every 5 minutes; a TestDNSAnswer is asked
// again only when the record changed or 5 minutes passed; the resolver trace
// every minute (an alias answer's TTL).
const (
	recordsEvery = 30 * time.Second
	healthEvery  = 15 * time.Second
	zoneEvery    = 5 * time.Minute
	answerEvery  = 5 * time.Minute
	traceEvery   = time.Minute
	// delegationEvery is how often the class zone in labdash's account is listed
	// for the students' delegations (account-per-student classes), once per class:
	// only provisioning and cleanup write there.
	delegationEvery = time.Minute
	// answerBudget bounds the TestDNSAnswer calls of one Observe: Route 53 allows an
	// account 5 requests a second (10 under the newer limits) for every caller, so a
	// class starting at once is asked over a few cycles rather than in one burst;
	// the students not asked yet show "not asked yet".
	answerBudget = 20
	// recordPages bounds the record-set pages read per listing (300 records a page).
	recordPages = 40
)

// Observation is one student's Route 53 lab state as read in one cycle.
type Observation struct {
	Target labs.Target
	At     time.Time
	// Shared is true in a shared-account class (the zone and its apex are then the
	// class's, not the student's): the target's mode, not a guess from the batch.
	Shared bool
	ZoneID string // the student's zone: the class zone, or their own ("" when there is none)
	Zone   string // its name, absolute
	// Delegation is the state of the student's zone's delegation from the class
	// zone in labdash's own account (account-per-student classes; nil in a shared
	// one, whose class zone is delegated by the instructor, docs/aws-setup.md).
	Delegation *Delegation
	LB         *elbtypes.LoadBalancer
	TG         *elbtypes.TargetGroup
	// Targets are the target group's health descriptions.
	Targets []elbtypes.TargetHealthDescription
	// Records are the record sets at the student's name (www.<student>.<zone>).
	Records []r53types.ResourceRecordSet
	// Near are the student's other record sets (below <student>.<zone>).
	Near []r53types.ResourceRecordSet
	// Apex are the zone apex's A and AAAA record sets.
	Apex []r53types.ResourceRecordSet
	// Answer is TestDNSAnswer's answer for the student's record (nil when there was no record to ask about).
	Answer *Answer
	// Trace is the dashboard resolver's answer for the record, type A.
	Trace *Trace
	// Dig is the loopback DNS server labdash runs for the simulated zones ("127.0.0.1:8053"), "" on AWS.
	Dig string
	// AliasSeen and AliasAnswered are when the student's alias to their ALB was
	// last seen, and seen answering (checkpoints 2 and 3 stay passed once the
	// student has replaced it with the CNAME, step 4).
	AliasSeen, AliasAnswered time.Time
	// Changed is when the student's record last changed, as the monitor saw it.
	Changed  time.Time
	Problems []string
	// zoneNS are the name servers of the student's zone, from its apex NS record.
	zoneNS []string
	// Stale names the parts not read this cycle for a reason other than "not
	// found": "zone", "records", "load balancer", "health", "answer", "trace",
	// "changes".
	Stale []string
	// Changes are the student's recent change batches, newest first, from
	// CloudTrail and GetChange (observe_changes.go); ChangesRead is when the feed
	// last finished reading CloudTrail (zero: not yet).
	Changes     []Change
	ChangesRead time.Time
}

// The states of a Delegation.
const (
	Delegated    = "delegated"  // the parent's NS record names exactly the zone's name servers
	NotDelegated = "missing"    // the parent has no NS record at the zone's name
	Mismatched   = "mismatched" // it has one, naming other name servers (a zone made again, say)
	NoParent     = "no parent"  // there is no class zone in labdash's account to delegate from
	Unknown      = "unknown"    // not read: no access to labdash's account, or the read failed
)

// Delegation is what the class zone in labdash's own account says of the
// student's zone: Parent holds the NS record's values at the zone's name, Zone
// the student zone's own name servers (its apex NS), both normalised.
type Delegation struct {
	State      string
	ParentZone string // the class zone's name, absolute
	ParentID   string
	Parent     []string
	Zone       []string
	Err        string // why the state is Unknown
	At         time.Time
}

// Answer is one TestDNSAnswer.
type Answer struct {
	Type         string // the record type asked
	Nameserver   string
	ResponseCode string
	RecordData   []string
	Err          string // why it could not be asked
	Of           string // the record's fingerprint it answered for
	At           time.Time
}

// Trace is the dashboard resolver's answer.
type Trace struct {
	Answers []cloud.DNSAnswer
	Err     string
	Of      string
	At      time.Time
}

// StaleParts reports the parts carried over from the last cycle (labs.Staler).
func (o *Observation) StaleParts() []string { return o.Stale }

func (o *Observation) stale(part string, err error) {
	if !slices.Contains(o.Stale, part) {
		o.Stale = append(o.Stale, part)
		o.Problems = append(o.Problems, part+": "+err.Error())
	}
}

// Resources lists what the observation found of the student's, for the ledger:
// the records at and below the student's name (records carry no tags).
func (o *Observation) Resources() []labs.Resource {
	if o == nil || o.ZoneID == "" {
		return nil
	}
	var out []labs.Resource
	zone := "arn:aws:route53:::hostedzone/" + o.ZoneID
	for _, rr := range append(append([]r53types.ResourceRecordSet(nil), o.Records...), o.Near...) {
		arn := zone + "/recordset/" + aws.ToString(rr.Name) + "/" + string(rr.Type)
		if s := aws.ToString(rr.SetIdentifier); s != "" {
			arn += "/" + s
		}
		out = append(out, labs.Resource{ARN: arn, Type: "AWS::Route53::RecordSet", Region: "us-east-1", Parent: zone, FoundBy: "prefix"})
	}
	return out
}

// record is the student's record set of type typ at their name, or nil.
func (o *Observation) record(typ r53types.RRType) *r53types.ResourceRecordSet {
	for i := range o.Records {
		if o.Records[i].Type == typ {
			return &o.Records[i]
		}
	}
	return nil
}

// lbDNS is the ALB's DNS name, normalised ("" when there is none).
func (o *Observation) lbDNS() string {
	if o.LB == nil {
		return ""
	}
	return normDNS(aws.ToString(o.LB.DNSName))
}

// normDNS compares DNS names as the checkpoints do: lowercase, no trailing dot,
// no "dualstack." (consoles store alias targets as dualstack.<alb>.).
func normDNS(s string) string {
	s = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	return strings.TrimPrefix(s, "dualstack.")
}

// fingerprint identifies a record set's content: a changed record is asked again.
func fingerprint(rr *r53types.ResourceRecordSet) string {
	if rr == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(string(rr.Type))
	if a := rr.AliasTarget; a != nil {
		b.WriteString(" alias " + normDNS(aws.ToString(a.DNSName)) + " " + aws.ToString(a.HostedZoneId))
	}
	if rr.TTL != nil {
		b.WriteString(" ttl " + strconv.FormatInt(*rr.TTL, 10))
	}
	var vals []string
	for _, v := range rr.ResourceRecords {
		vals = append(vals, aws.ToString(v.Value))
	}
	sort.Strings(vals)
	b.WriteString(" " + strings.Join(vals, ","))
	return b.String()
}

// zoneRead is the group's last read of one zone's records (the class zone, or a
// student's own).
type zoneRead struct {
	id, name string
	idAt     time.Time
	at       time.Time
	records  []r53types.ResourceRecordSet
}

// parentRead is the class's last read of its class zone in labdash's own
// account (account-per-student classes): every student's delegation, from one
// listing per class every delegationEvery, whichever student account's group
// reads it first. It lives in the class-wide cache (labs.Cache.Class), reached
// from every group: mu guards it.
type parentRead struct {
	mu       sync.Mutex
	id, name string
	idAt, at time.Time
	ns       map[string][]string // NS record name (absolute, lowercase) → its values, normalised
	err      string              // the last read's failure ("" when it succeeded)
}

// memory is what the lab keeps about one student between cycles.
type memory struct {
	healthAt                 time.Time
	health                   []elbtypes.TargetHealthDescription
	healthOf                 string // the target group ARN read
	lb                       *elbtypes.LoadBalancer
	tg                       *elbtypes.TargetGroup
	answer                   *Answer
	trace                    *Trace
	aliasSeen, aliasAnswered time.Time
	print                    string // the record's last fingerprint
	changed                  time.Time
}

func memoryOf(cache *labs.Cache, t labs.Target) *memory {
	return labs.Keep[memory](cache, t.StudentID, ID)
}

// Observe reads the lab for every target of one (account, region) batch.
func Observe(ctx context.Context, c *cloud.Clients, cache *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
	if c == nil || c.ELBv2 == nil {
		return nil, errors.New("route53: no Elastic Load Balancing client")
	}
	obs := map[string]*Observation{}
	for _, t := range targets {
		obs[t.StudentID] = &Observation{Target: t, At: c.Clock(), Shared: !t.OwnAccount}
	}
	if len(targets) == 0 {
		return map[string]labs.Observation{}, nil
	}
	if s, ok := c.DNS.(interface{ Server() string }); ok {
		for _, o := range obs {
			o.Dig = s.Server()
		}
	}
	observeOrigins(ctx, c, cache, targets, obs)
	if c.Route53 != nil {
		byZone := map[string][]labs.Target{}
		var zones []string
		for _, t := range targets {
			z := zoneOf(t)
			if byZone[z] == nil {
				zones = append(zones, z)
			}
			byZone[z] = append(byZone[z], t)
		}
		for _, z := range zones {
			observeRecords(ctx, c, cache, z, byZone[z], obs)
		}
		observeDelegations(ctx, c, cache, targets, obs)
	}
	observeChanges(ctx, c, cache, targets, obs)
	now := c.Clock()
	budget := answerBudget
	for _, t := range targets {
		o, mem := obs[t.StudentID], memoryOf(cache, t)
		observeAnswer(ctx, c, mem, o, now, &budget)
		remember(mem, o, now)
	}
	out := make(map[string]labs.Observation, len(obs))
	for k, v := range obs {
		out[k] = v
	}
	return out, nil
}

// observeOrigins reads the students' ALBs and target groups by name (20 a call;
// batch.Describe drops a name that does not exist yet rather than asking name by
// name), then each target group's health every healthEvery.
func observeOrigins(ctx context.Context, c *cloud.Clients, cache *labs.Cache, targets []labs.Target, obs map[string]*Observation) {
	now := c.Clock()
	lbOwner, tgOwner := map[string]*Observation{}, map[string]*Observation{}
	var lbNames, tgNames []string
	for _, t := range targets {
		lbOwner[lbName(t)], tgOwner[tgName(t)] = obs[t.StudentID], obs[t.StudentID]
		lbNames, tgNames = append(lbNames, lbName(t)), append(tgNames, tgName(t))
	}
	for i := 0; i < len(lbNames); i += 20 {
		res := batch.Describe(ctx, lbNames[i:min(i+20, len(lbNames))], func(ctx context.Context, names []string) ([]elbtypes.LoadBalancer, error) {
			out, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: names})
			if err != nil {
				return nil, err
			}
			return out.LoadBalancers, nil
		})
		for j := range res.Found {
			if o := lbOwner[aws.ToString(res.Found[j].LoadBalancerName)]; o != nil {
				o.LB = &res.Found[j]
			}
		}
		for _, n := range res.Failed {
			o := lbOwner[n]
			o.LB = memoryOf(cache, o.Target).lb
			o.stale("load balancer", fmt.Errorf("DescribeLoadBalancers: %w", res.Err))
		}
	}
	for i := 0; i < len(tgNames); i += 20 {
		res := batch.Describe(ctx, tgNames[i:min(i+20, len(tgNames))], func(ctx context.Context, names []string) ([]elbtypes.TargetGroup, error) {
			out, err := c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: names})
			if err != nil {
				return nil, err
			}
			return out.TargetGroups, nil
		})
		for j := range res.Found {
			if o := tgOwner[aws.ToString(res.Found[j].TargetGroupName)]; o != nil {
				o.TG = &res.Found[j]
			}
		}
		for _, n := range res.Failed {
			o := tgOwner[n]
			o.TG = memoryOf(cache, o.Target).tg
			o.stale("load balancer", fmt.Errorf("DescribeTargetGroups: %w", res.Err))
		}
	}
	for _, t := range targets {
		o, mem := obs[t.StudentID], memoryOf(cache, t)
		mem.lb, mem.tg = o.LB, o.TG
		if o.TG == nil {
			continue
		}
		arn := aws.ToString(o.TG.TargetGroupArn)
		if mem.healthOf == arn && now.Sub(mem.healthAt) < healthEvery && !now.Before(mem.healthAt) {
			o.Targets = mem.health
			continue
		}
		th, err := c.ELBv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: o.TG.TargetGroupArn})
		if err != nil {
			if mem.healthOf == arn {
				o.Targets = mem.health
			}
			o.stale("health", fmt.Errorf("DescribeTargetHealth: %w", err))
			continue
		}
		o.Targets, mem.health, mem.healthOf, mem.healthAt = th.TargetHealthDescriptions, th.TargetHealthDescriptions, arn, now
	}
}

// observeRecords finds the zone want (by name, every zoneEvery) and lists its
// records once for all its targets every recordsEvery — the whole class in a
// shared account, the one student in their own — handing each student the
// records at and below their name and everyone the apex's.
func observeRecords(ctx context.Context, c *cloud.Clients, cache *labs.Cache, want string, targets []labs.Target, obs map[string]*Observation) {
	now := c.Clock()
	key := ID
	if targets[0].OwnAccount {
		key = ID + " " + want // one zone per student: each remembered under its name
	}
	zr := labs.Keep[zoneRead](cache, "", key)
	if zr.name != want || zr.idAt.IsZero() || now.Sub(zr.idAt) >= zoneEvery || now.Before(zr.idAt) || zr.id == "" && now.Sub(zr.idAt) >= recordsEvery {
		id, err := findZone(ctx, c, want)
		if err != nil {
			for _, t := range targets {
				obs[t.StudentID].stale("zone", err)
			}
		} else {
			if id != zr.id {
				zr.at = time.Time{}
			}
			zr.id, zr.name, zr.idAt = id, want, now
		}
	}
	if zr.id == "" {
		return
	}
	if zr.at.IsZero() || now.Sub(zr.at) >= recordsEvery || now.Before(zr.at) {
		records, err := listRecords(ctx, c, zr.id)
		switch {
		case err != nil && batch.IsNotFound(err) || isCode(err, "NoSuchHostedZone"):
			zr.id, zr.records, zr.idAt = "", nil, now
			return
		case err != nil:
			for _, t := range targets {
				obs[t.StudentID].stale("records", err)
			}
		default:
			zr.records, zr.at = records, now
		}
	}
	for _, t := range targets {
		obs[t.StudentID].ZoneID, obs[t.StudentID].Zone = zr.id, zr.name
	}
	for _, rr := range zr.records {
		name := strings.ToLower(strings.ReplaceAll(aws.ToString(rr.Name), `\052`, "*"))
		if !strings.HasSuffix(name, ".") {
			name += "."
		}
		if name == zr.name && (rr.Type == r53types.RRTypeA || rr.Type == r53types.RRTypeAaaa) {
			for _, t := range targets {
				obs[t.StudentID].Apex = append(obs[t.StudentID].Apex, rr)
			}
			continue
		}
		if name == zr.name && rr.Type == r53types.RRTypeNs && rr.SetIdentifier == nil {
			var ns []string
			for _, v := range rr.ResourceRecords {
				ns = append(ns, aws.ToString(v.Value))
			}
			for _, t := range targets {
				obs[t.StudentID].zoneNS = ns
			}
			continue
		}
		for _, t := range targets {
			o := obs[t.StudentID]
			switch own := studentName(t); {
			case name == recordName(t):
				o.Records = append(o.Records, rr)
			case name == own || strings.HasSuffix(name, "."+own):
				o.Near = append(o.Near, rr)
			}
		}
	}
}

// observeDelegations reads, for the students in accounts of their own, the
// class zone in labdash's own account (c.Dashboard): its id every zoneEvery and
// its NS records every delegationEvery, once per class whatever the number of
// student accounts (the class-wide cache), and judges each student's
// delegation against their zone's own name servers.
func observeDelegations(ctx context.Context, c *cloud.Clients, cache *labs.Cache, targets []labs.Target, obs map[string]*Observation) {
	var own []labs.Target
	for _, t := range targets {
		if t.OwnAccount {
			own = append(own, t)
		}
	}
	if len(own) == 0 {
		return
	}
	now := c.Clock()
	pr := labs.Keep[parentRead](cache.Class(), "", ID+" parent")
	pr.mu.Lock()
	defer pr.mu.Unlock()
	want := classZone(own[0].ClassID)
	if pr.name != want || pr.at.IsZero() || now.Sub(pr.at) >= delegationEvery || now.Before(pr.at) {
		readParent(ctx, c, pr, want, now)
	}
	for _, t := range own {
		o := obs[t.StudentID]
		d := &Delegation{ParentZone: want, ParentID: pr.id, Zone: normServers(o.zoneNS), At: pr.at}
		o.Delegation = d
		switch got, ok := pr.ns[studentName(t)]; {
		case pr.err != "" && pr.ns == nil:
			d.State, d.Err = Unknown, pr.err
		case pr.id == "":
			d.State = NoParent
		case !ok:
			d.State = NotDelegated
		case sameServers(got, o.zoneNS):
			d.State, d.Parent = Delegated, got
		default:
			d.State, d.Parent = Mismatched, got
		}
		if pr.err != "" {
			o.stale("delegation", errors.New(pr.err))
		}
	}
}

// readParent reads the class zone in labdash's account into pr: the zone's id
// (every zoneEvery) and its NS records below the apex. A read that fails keeps
// the last one and says why.
func readParent(ctx context.Context, c *cloud.Clients, pr *parentRead, want string, now time.Time) {
	if c.Dashboard == nil {
		pr.err, pr.at = "these clients have no access to labdash's own account, where the class zone "+strings.TrimSuffix(want, ".")+" delegates to the students' zones", now
		return
	}
	dash, err := c.Dashboard(ctx)
	if err != nil || dash.Route53 == nil {
		if err == nil {
			err = errors.New("no Route 53 client")
		}
		pr.err, pr.at = "labdash's own account: "+err.Error(), now
		return
	}
	if pr.name != want || pr.idAt.IsZero() || now.Sub(pr.idAt) >= zoneEvery || now.Before(pr.idAt) || pr.id == "" {
		id, err := findZone(ctx, dash, want)
		if err != nil {
			pr.err, pr.at = err.Error(), now
			return
		}
		if pr.name != want {
			pr.ns = nil
		}
		pr.id, pr.name, pr.idAt = id, want, now
	}
	if pr.id == "" {
		pr.ns, pr.err, pr.at = map[string][]string{}, "", now
		return
	}
	records, err := listRecords(ctx, dash, pr.id)
	switch {
	case isCode(err, "NoSuchHostedZone"):
		pr.id, pr.ns, pr.err, pr.at, pr.idAt = "", map[string][]string{}, "", now, now
		return
	case err != nil:
		pr.err, pr.at = err.Error(), now
		return
	}
	ns := map[string][]string{}
	for i := range records {
		rr := &records[i]
		name := strings.ToLower(aws.ToString(rr.Name))
		if !strings.HasSuffix(name, ".") {
			name += "."
		}
		if rr.Type == r53types.RRTypeNs && name != want {
			for _, v := range rr.ResourceRecords {
				ns[name] = append(ns[name], aws.ToString(v.Value))
			}
			ns[name] = normServers(ns[name])
		}
	}
	pr.ns, pr.err, pr.at = ns, "", now
}

// listRecords pages through a zone's record sets, recordPages at most.
func listRecords(ctx context.Context, c *cloud.Clients, zoneID string) ([]r53types.ResourceRecordSet, error) {
	var all []r53types.ResourceRecordSet
	p := route53.NewListResourceRecordSetsPaginator(c.Route53, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)})
	for page := 0; page < recordPages && p.HasMorePages(); page++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ListResourceRecordSets: %w", err)
		}
		all = append(all, out.ResourceRecordSets...)
	}
	return all, nil
}

// observeAnswer asks TestDNSAnswer about the student's record when it changed or
// answerEvery passed, and traces it with the dashboard's resolver every traceEvery.
func observeAnswer(ctx context.Context, c *cloud.Clients, mem *memory, o *Observation, now time.Time, budget *int) {
	rr := o.record(r53types.RRTypeCname)
	if rr == nil {
		rr = o.record(r53types.RRTypeA)
	}
	if rr == nil || o.ZoneID == "" {
		return
	}
	print := fingerprint(rr)
	if a := mem.answer; a != nil && a.Of == print && (now.Sub(a.At) < answerEvery && !now.Before(a.At) || *budget <= 0) {
		o.Answer = a
	} else if *budget > 0 {
		*budget--
		ans := &Answer{Type: string(rr.Type), Of: print, At: now}
		out, err := c.Route53.TestDNSAnswer(ctx, &route53.TestDNSAnswerInput{HostedZoneId: aws.String(o.ZoneID),
			RecordName: aws.String(strings.TrimSuffix(recordName(o.Target), ".")), RecordType: rr.Type})
		if err != nil {
			o.stale("answer", fmt.Errorf("TestDNSAnswer: %w", err))
			if mem.answer != nil && mem.answer.Of == print {
				o.Answer = mem.answer // the last answer for this record stands
			}
		} else {
			ans.Nameserver, ans.ResponseCode, ans.RecordData = aws.ToString(out.Nameserver), aws.ToString(out.ResponseCode), out.RecordData
			o.Answer, mem.answer = ans, ans
		}
	}
	if c.DNS == nil {
		return
	}
	if tr := mem.trace; tr != nil && tr.Of == print && now.Sub(tr.At) < traceEvery && !now.Before(tr.At) {
		o.Trace = tr
		return
	}
	tr := &Trace{Of: print, At: now}
	ans, err := c.DNS.Resolve(ctx, recordName(o.Target), "A")
	if err != nil {
		tr.Err = err.Error()
	}
	tr.Answers = ans
	o.Trace, mem.trace = tr, tr
}

// remember carries what the checkpoints need across cycles: when the alias to the
// student's ALB was seen and seen answering, and when the record changed.
func remember(mem *memory, o *Observation, now time.Time) {
	if rr := o.record(r53types.RRTypeA); rr != nil && aliasOK(o, rr) == "" {
		mem.aliasSeen = now
		if a := o.Answer; a != nil && a.Type == "A" && answersIPv4(a) == "" {
			mem.aliasAnswered = now
		}
	}
	rr := o.record(r53types.RRTypeCname)
	if rr == nil {
		rr = o.record(r53types.RRTypeA)
	}
	if p := fingerprint(rr); p != mem.print {
		if mem.print != "" || p != "" {
			mem.changed = now
		}
		mem.print = p
	}
	o.AliasSeen, o.AliasAnswered, o.Changed = mem.aliasSeen, mem.aliasAnswered, mem.changed
}

// isCode reports whether err is an AWS error with code.
func isCode(err error, code string) bool {
	var ae interface{ ErrorCode() string }
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
