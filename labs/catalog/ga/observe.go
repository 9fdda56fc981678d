package ga

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/batch"
	"github.com/labdash/labdash/labs/cloud"
)

// probeTimeout bounds one HTTP probe of a static IP: probes run in the monitor.
const probeTimeout = 2 * time.Second

// Observation is one student's Global Accelerator lab state as read in one cycle.
type Observation struct {
	Target      labs.Target
	At          time.Time
	Accelerator *gatypes.Accelerator
	Listeners   []gatypes.Listener
	Groups      []gatypes.EndpointGroup      // of every listener
	Origins     map[string]*Origin           // by endpoint region
	Probe       *Probe                       // nil when there was nothing to probe
	Records     []r53types.ResourceRecordSet // A records named with the student's prefix (checkpoint 7)
	Problems    []string                     // reads that failed for this student
	// Stale names the parts whose read failed this cycle for a reason other than
	// "not found" (throttling, an outage): they hold the last cycle's state.
	Stale []string

	last *Observation // the previous cycle's observation of this student, if any
}

// StaleParts reports the parts carried over from the last cycle (labs.Staler).
func (o *Observation) StaleParts() []string { return o.Stale }

// stale marks part as not read this cycle (err is neither success nor "not
// found") and carries the last cycle's state of it. Parts: "accelerator",
// "listeners", and per region "origin <region>", "health <region>",
// "instance <region>".
func (o *Observation) stale(part string, err error) {
	if slices.Contains(o.Stale, part) {
		return
	}
	o.Stale = append(o.Stale, part)
	o.Problems = append(o.Problems, part+": "+err.Error())
	l := o.last
	if l == nil {
		return
	}
	kind, region, _ := strings.Cut(part, " ")
	lo := l.Origins[region]
	origin := func() *Origin { // this cycle's origin in region, made from the last if need be
		or := o.Origins[region]
		if or == nil {
			or = &Origin{Region: region}
			if lo != nil {
				cp := *lo
				or = &cp
			}
			o.Origins[region] = or
		}
		return or
	}
	switch kind {
	case "accelerator":
		if o.Accelerator == nil {
			o.Accelerator = l.Accelerator
		}
	case "listeners":
		o.Listeners, o.Groups = l.Listeners, l.Groups
	case "origin":
		if lo != nil {
			origin()
		}
	case "health":
		if lo != nil {
			origin().Targets = lo.Targets
		}
	case "instance":
		if lo != nil {
			origin().Instance = lo.Instance
		}
	}
}

// Origin is one region's web server behind its ALB.
type Origin struct {
	Region          string
	TargetGroupArn  string
	LoadBalancerArn string
	Targets         []elbtypes.TargetHealthDescription
	Instance        *ec2types.Instance
}

// Probe is the dashboard's HTTP GET of http://<static ip>/.
type Probe struct {
	URL     string
	Status  int
	Body    string
	Latency time.Duration
	Err     string
}

// Region reports which lab region answered ("" when none did).
func (p *Probe) Region() string {
	if p == nil || p.Status != 200 {
		return ""
	}
	for _, r := range Regions {
		if strings.TrimSpace(p.Body) == "Hello from "+r {
			return r
		}
	}
	return ""
}

// Resources lists what the observation found of the student's, for the ledger.
func (o *Observation) Resources() []labs.Resource {
	if o == nil {
		return nil
	}
	var out []labs.Resource
	if a := o.Accelerator; a != nil {
		arn := aws.ToString(a.AcceleratorArn)
		out = append(out, labs.Resource{ARN: arn, Type: "AWS::GlobalAccelerator::Accelerator", Region: "us-west-2", FoundBy: "tag"})
		for _, l := range o.Listeners {
			out = append(out, labs.Resource{ARN: aws.ToString(l.ListenerArn), Type: "AWS::GlobalAccelerator::Listener", Region: "us-west-2", Parent: arn, FoundBy: "tag"})
		}
		for _, g := range o.Groups {
			parent := aws.ToString(g.EndpointGroupArn)
			if i := strings.Index(parent, "/endpoint-group/"); i > 0 {
				parent = parent[:i]
			}
			out = append(out, labs.Resource{ARN: aws.ToString(g.EndpointGroupArn), Type: "AWS::GlobalAccelerator::EndpointGroup", Region: "us-west-2", Parent: parent, FoundBy: "tag"})
		}
	}
	return out
}

// Observe reads the lab for every target of one (account, region) batch.
func Observe(ctx context.Context, c *cloud.Clients, cache *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
	if c == nil || c.GlobalAccelerator == nil {
		return nil, errors.New("ga: no Global Accelerator client")
	}
	obs := map[string]*Observation{}
	for _, t := range targets {
		obs[t.StudentID] = &Observation{Target: t, At: c.Clock(), Origins: map[string]*Origin{}, last: memoryOf(cache, t).last}
	}
	if len(targets) == 0 {
		return map[string]labs.Observation{}, nil
	}
	if err := observeAccelerators(ctx, c, targets, obs); err != nil {
		return nil, err
	}
	observeDNS(ctx, c, cache, targets, obs)
	for _, region := range Regions {
		rc := c
		if c.Region != region {
			if c.InRegion == nil {
				continue
			}
			var err error
			if rc, err = c.InRegion(ctx, region); err != nil {
				return nil, fmt.Errorf("ga: clients in %s: %w", region, err)
			}
		}
		observeOrigins(ctx, rc, cache, region, targets, obs)
	}
	if c.HTTP != nil {
		for _, t := range targets {
			o := obs[t.StudentID]
			if o.Accelerator == nil || len(o.Accelerator.IpSets) == 0 || len(o.Accelerator.IpSets[0].IpAddresses) == 0 {
				continue
			}
			p := &Probe{URL: "http://" + o.Accelerator.IpSets[0].IpAddresses[0] + "/"}
			pctx, cancel := context.WithTimeout(ctx, probeTimeout)
			res, err := c.HTTP.Get(pctx, p.URL)
			cancel()
			if err != nil {
				p.Err = err.Error()
			} else {
				p.Status, p.Body, p.Latency = res.Status, res.Body, res.Latency
			}
			o.Probe = p
		}
	}
	out := make(map[string]labs.Observation, len(obs))
	for k, v := range obs {
		v.last = nil // one cycle back is all a stale part needs
		memoryOf(cache, v.Target).last = v
		out[k] = v
	}
	return out, nil
}

// observeAccelerators lists the account's accelerators once, finds each student's
// by its labdash:class and labdash:student tags, then reads its listeners and groups.
func observeAccelerators(ctx context.Context, c *cloud.Clients, targets []labs.Target, obs map[string]*Observation) error {
	ga := c.GlobalAccelerator
	var accs []gatypes.Accelerator
	pages := globalaccelerator.NewListAcceleratorsPaginator(ga, &globalaccelerator.ListAcceleratorsInput{MaxResults: aws.Int32(100)})
	for page := 0; page < 20 && pages.HasMorePages(); page++ {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ga: list accelerators: %w", err)
		}
		accs = append(accs, out.Accelerators...)
	}
	class := targets[0].ClassID
	for i := range accs {
		a := accs[i]
		tags, err := ga.ListTagsForResource(ctx, &globalaccelerator.ListTagsForResourceInput{ResourceArn: a.AcceleratorArn})
		if err != nil {
			if batch.IsNotFound(err) {
				continue // deleted between the calls
			}
			for _, o := range obs { // the tags unread: the student it was last cycle's keeps it
				if o.last != nil && o.last.Accelerator != nil && aws.ToString(o.last.Accelerator.AcceleratorArn) == aws.ToString(a.AcceleratorArn) {
					o.Accelerator = &a
					o.stale("accelerator", err)
				}
			}
			continue
		}
		var cls, student string
		for _, tg := range tags.Tags {
			switch aws.ToString(tg.Key) {
			case "labdash:class":
				cls = aws.ToString(tg.Value)
			case "labdash:student":
				student = aws.ToString(tg.Value)
			}
		}
		o := obs[student]
		if o == nil || (cls != "" && cls != class) || o.Accelerator != nil {
			continue
		}
		o.Accelerator = &a
	}
	for _, t := range targets {
		o := obs[t.StudentID]
		if o.Accelerator == nil {
			continue
		}
		ls, err := ga.ListListeners(ctx, &globalaccelerator.ListListenersInput{AcceleratorArn: o.Accelerator.AcceleratorArn, MaxResults: aws.Int32(100)})
		if err != nil {
			o.stale("listeners", fmt.Errorf("ListListeners: %w", err))
			continue
		}
		o.Listeners = ls.Listeners
		for _, l := range ls.Listeners {
			gs, err := ga.ListEndpointGroups(ctx, &globalaccelerator.ListEndpointGroupsInput{ListenerArn: l.ListenerArn, MaxResults: aws.Int32(100)})
			if err != nil {
				o.stale("listeners", fmt.Errorf("ListEndpointGroups: %w", err))
				break
			}
			o.Groups = append(o.Groups, gs.EndpointGroups...)
		}
	}
	return nil
}

// observeOrigins reads one region's origins: the students' target groups by name
// (20 a call, name by name when one is missing), their target health, and the
// web servers by the lab's tags in one DescribeInstances.
// healthEvery is how often a target group's health is read (LABS.md Lab 5: 10 s).
// DescribeTargetHealth has no batch form and is two calls per student per read,
// the lab's largest cost; between reads the last answer stands.
const healthEvery = 10 * time.Second

type healthRead struct {
	at      time.Time
	targets []elbtypes.TargetHealthDescription
}

// memory is what the lab keeps about one student between cycles, in the
// monitor's cache (labs.Cache): the last target-health read per region and target
// group.
type memory struct {
	health map[string]*healthRead // "region/target group ARN"
	last   *Observation           // the last cycle's observation, for the parts a read fails
}

func memoryOf(cache *labs.Cache, t labs.Target) *memory {
	m := labs.Keep[memory](cache, t.StudentID, "ga")
	if m.health == nil {
		m.health = map[string]*healthRead{}
	}
	return m
}

func observeOrigins(ctx context.Context, c *cloud.Clients, cache *labs.Cache, region string, targets []labs.Target, obs map[string]*Observation) {
	now := c.Clock()
	byName := map[string]*Observation{}
	var names []string
	for _, t := range targets {
		byName[tgName(t)] = obs[t.StudentID]
		names = append(names, tgName(t))
	}
	// 20 names a call; a name that does not exist yet fails its whole batch, so
	// batch.Describe drops the name the error gives (else halves the batch) rather
	// than asking name by name. Other errors keep the students' last origins, stale.
	var tgs []elbtypes.TargetGroup
	for i := 0; i < len(names); i += 20 {
		chunk := names[i:min(i+20, len(names))]
		res := batch.Describe(ctx, chunk, func(ctx context.Context, names []string) ([]elbtypes.TargetGroup, error) {
			out, err := c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: names})
			if err != nil {
				return nil, err
			}
			return out.TargetGroups, nil
		})
		tgs = append(tgs, res.Found...)
		for _, n := range res.Failed {
			byName[n].stale("origin "+region, fmt.Errorf("DescribeTargetGroups: %w", res.Err))
		}
	}
	for _, tg := range tgs {
		o := byName[aws.ToString(tg.TargetGroupName)]
		if o == nil {
			continue
		}
		or := &Origin{Region: region, TargetGroupArn: aws.ToString(tg.TargetGroupArn)}
		if len(tg.LoadBalancerArns) > 0 {
			or.LoadBalancerArn = tg.LoadBalancerArns[0]
		}
		mem, key := memoryOf(cache, o.Target), region+"/"+or.TargetGroupArn
		if r := mem.health[key]; r != nil && now.Sub(r.at) < healthEvery && !now.Before(r.at) {
			or.Targets = r.targets
		} else if th, err := c.ELBv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn}); err != nil {
			o.Origins[region] = or
			o.stale("health "+region, fmt.Errorf("DescribeTargetHealth: %w", err))
			or = o.Origins[region]
		} else {
			or.Targets = th.TargetHealthDescriptions
			for k, r := range mem.health { // a target group replaced leaves its old read behind
				if now.Sub(r.at) > time.Minute {
					delete(mem.health, k)
				}
			}
			mem.health[key] = &healthRead{at: now, targets: th.TargetHealthDescriptions}
		}
		o.Origins[region] = or
	}
	// The class's and lab's instances, matched to students by their student tag
	// below (a student not in targets is skipped). No filter on the student ids:
	// EC2 caps the values of one filter (200 in practice), and a class has more.
	pages := ec2.NewDescribeInstancesPaginator(c.EC2, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1000), Filters: []ec2types.Filter{
		{Name: aws.String("tag:labdash:class"), Values: []string{targets[0].ClassID}},
		{Name: aws.String("tag:labdash:lab"), Values: []string{ID}},
	}})
	for page := 0; page < 10 && pages.HasMorePages(); page++ {
		out, err := pages.NextPage(ctx)
		if err != nil {
			for _, t := range targets {
				obs[t.StudentID].stale("instance "+region, fmt.Errorf("DescribeInstances: %w", err))
			}
			return
		}
		for _, res := range out.Reservations {
			for i := range res.Instances {
				x := res.Instances[i]
				if x.State != nil && x.State.Name == ec2types.InstanceStateNameTerminated {
					continue
				}
				for _, tg := range x.Tags {
					if aws.ToString(tg.Key) != "labdash:student" {
						continue
					}
					if o := obs[aws.ToString(tg.Value)]; o != nil {
						or := o.Origins[region]
						if or == nil {
							or = &Origin{Region: region}
							o.Origins[region] = or
						}
						or.Instance = &x
					}
				}
			}
		}
	}
}
