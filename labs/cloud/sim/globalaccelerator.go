package sim

// Global Accelerator, served from us-west-2 only (World.Clients hangs a
// us-west-2 client on every Clients, whatever its region): accelerator →
// listeners → endpoint groups (one per region per listener) → endpoints.
//
// Accelerators: arn:aws:globalaccelerator::ACCOUNT:accelerator/UUID (the region
// is empty, as on AWS), two static IPv4 addresses from the documentation range
// 203.0.113.0/24, a DNS name a<16 hex>.awsglobalaccelerator.com, Enabled true
// unless created disabled. Every change — creating or updating the accelerator,
// creating or deleting a listener or an endpoint group — makes its Status
// IN_PROGRESS until the change has deployed, 2–4 simulated minutes later
// (World.SetGADeployTime fixes that time, e.g. to keep an accelerator
// IN_PROGRESS for a fault test), then DEPLOYED. The tagging API lists
// accelerators in us-west-2 as globalaccelerator:accelerator.
//
// Deletion follows AWS's rules, with its typed errors: DeleteAccelerator answers
// AcceleratorNotDisabledException while the accelerator is enabled, or disabled
// but the disable has not deployed yet; AssociatedListenerFoundException while it
// has listeners. DeleteListener answers AssociatedEndpointGroupFoundException
// while the listener has endpoint groups. Unknown ARNs are
// AcceleratorNotFoundException, ListenerNotFoundException and
// EndpointGroupNotFoundException.
//
// Endpoint health and traffic are in ga_traffic.go: the accelerator health-
// checks each endpoint every HealthCheckIntervalSeconds and needs ThresholdCount
// agreeing results to change its state; an ALB endpoint passes while the ALB is
// active and has at least one healthy target. Probes of a static IP (c.HTTP)
// reach the nearest healthy region with a traffic dial above 0.
//
// Not modelled: dual-stack accelerators and bring-your-own IPs, custom routing
// accelerators, cross-account attachments, UpdateAccelerator's and
// UpdateListener's siblings beyond UpdateEndpointGroup (cloud.GlobalAccelerator
// does not declare them), partial traffic dials (any dial above 0 takes all of
// its share), weights and client affinity (stored and reported only), flow
// logs, and the per-account accelerator quota.

import (
	"context"
	"regexp"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"
)

const (
	gaKey          = "globalaccelerator"
	gaDeployTime   = 2 * time.Minute // a change deploys in this long, plus up to gaDeployJitter
	gaDeployJitter = 2 * time.Minute
	gaPageDefault  = 10
)

// SetGADeployTime makes every later Global Accelerator change take exactly d to
// deploy (an accelerator stays IN_PROGRESS that long); d <= 0 restores the
// default of 2–4 minutes. Changes already under way keep their time.
func (w *World) SetGADeployTime(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.gaDeploy = max(d, 0)
}

// gaClient implements cloud.GlobalAccelerator.
type gaClient struct{ base }

type gaState struct {
	accs      map[string]*gaAccelerator // by ARN
	order     []*gaAccelerator
	listeners map[string]*gaListener
	groups    map[string]*gaEndpointGroup
	tokens    map[string]string // idempotency token → the ARN it created
	ips       map[string]bool   // static addresses in use
	locations map[string]string // student → the region their browser is in (SetStudentLocation)
}

func gaStateOf(r *region) *gaState {
	return state(r, gaKey, func() *gaState {
		return &gaState{accs: map[string]*gaAccelerator{}, listeners: map[string]*gaListener{}, groups: map[string]*gaEndpointGroup{},
			tokens: map[string]string{}, ips: map[string]bool{}}
	})
}

type gaAccelerator struct {
	tagged
	arn, name, dns    string
	enabled           bool
	ips               []string
	created, modified time.Time
	deployedAt        time.Time // the last change is deployed from then on
	firstDeployed     time.Time // traffic flows from then on (while enabled)
	listeners         []*gaListener
}

type gaListener struct {
	arn      string
	acc      *gaAccelerator
	ports    []gatypes.PortRange
	protocol gatypes.Protocol
	affinity gatypes.ClientAffinity
	groups   []*gaEndpointGroup
}

type gaEndpointGroup struct {
	arn       string
	listener  *gaListener
	region    string
	interval  int32
	path      string // HTTP and HTTPS checks only
	port      int32
	protocol  gatypes.HealthCheckProtocol
	threshold int32
	dial      float32
	overrides []gatypes.PortOverride
	endpoints []*gaEndpoint
}

type gaEndpoint struct {
	id       string
	weight   int32
	clientIP bool
	added    time.Time

	// The accelerator's view of the endpoint's health (stepGA).
	state       gatypes.HealthState // "" until the first ThresholdCount checks have run
	reason      string
	nextCheck   time.Time
	passes      int32 // consecutive
	fails       int32
	lastOK      bool
	lastWhy     string
	checksSoFar int32
}

var (
	gaNameRE = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62}[a-zA-Z0-9])?$`)
	elbArnRE = regexp.MustCompile(`^arn:aws:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer/`)
)

func gaInvalid(format string, a ...any) error {
	return &gatypes.InvalidArgumentException{Message: msg(format, a...)}
}

func (a *gaAccelerator) status(now time.Time) gatypes.AcceleratorStatus {
	if now.Before(a.deployedAt) {
		return gatypes.AcceleratorStatusInProgress
	}
	return gatypes.AcceleratorStatusDeployed
}

// changed records a change to a: it is IN_PROGRESS until the change deploys.
func (r *region) gaChanged(a *gaAccelerator) {
	dt := r.w.gaDeploy
	if dt == 0 {
		dt = r.w.jitter(gaDeployTime, gaDeployJitter)
	}
	a.modified = r.w.now
	if t := r.w.now.Add(dt); t.After(a.deployedAt) {
		a.deployedAt = t
	}
}

func (s *gaState) accelerator(arn string) (*gaAccelerator, error) {
	if arn == "" {
		return nil, gaInvalid("AcceleratorArn is required.")
	}
	if a := s.accs[arn]; a != nil {
		return a, nil
	}
	return nil, &gatypes.AcceleratorNotFoundException{Message: msg("Accelerator %s not found.", arn)}
}

func (s *gaState) listener(arn string) (*gaListener, error) {
	if arn == "" {
		return nil, gaInvalid("ListenerArn is required.")
	}
	if l := s.listeners[arn]; l != nil {
		return l, nil
	}
	return nil, &gatypes.ListenerNotFoundException{Message: msg("Listener %s not found.", arn)}
}

func (s *gaState) group(arn string) (*gaEndpointGroup, error) {
	if arn == "" {
		return nil, gaInvalid("EndpointGroupArn is required.")
	}
	if g := s.groups[arn]; g != nil {
		return g, nil
	}
	return nil, &gatypes.EndpointGroupNotFoundException{Message: msg("Endpoint group %s not found.", arn)}
}

// page slices a listing by MaxResults (1–100) and NextToken.
func gaPage(max *int32, token *string, n int) (from, to int, next *string, err error) {
	size := int(i32(max, gaPageDefault))
	if size < 1 || size > 100 {
		return 0, 0, nil, gaInvalid("MaxResults must be between 1 and 100.")
	}
	from, ok := readIntToken(token)
	if !ok || from > n {
		return 0, 0, nil, &gatypes.InvalidNextTokenException{Message: ptr("There isn't another item to return.")}
	}
	to = min(from+size, n)
	if to < n {
		next = intToken(to)
	}
	return from, to, next, nil
}

// allocIPs picks two free addresses of 203.0.113.0/24.
func (r *region) gaAllocIPs(s *gaState) ([]string, bool) {
	var out []string
	off := int(r.w.rng.Uint64() % 254)
	for i := 0; i < 254 && len(out) < 2; i++ {
		ip := "203.0.113." + strconv.Itoa(1+(off+i*37)%254)
		if !s.ips[ip] {
			s.ips[ip] = true
			out = append(out, ip)
		}
	}
	if len(out) < 2 {
		for _, ip := range out {
			delete(s.ips, ip)
		}
		return nil, false
	}
	return out, true
}

func (r *region) acceleratorOut(a *gaAccelerator) *gatypes.Accelerator {
	return &gatypes.Accelerator{AcceleratorArn: ptr(a.arn), Name: ptr(a.name), Enabled: ptr(a.enabled),
		IpAddressType: gatypes.IpAddressTypeIpv4, DnsName: ptr(a.dns), Status: a.status(r.w.now),
		IpSets:      []gatypes.IpSet{{IpFamily: ptr("IPv4"), IpAddressFamily: gatypes.IpAddressFamilyIPv4, IpAddresses: append([]string(nil), a.ips...)}},
		CreatedTime: ptr(a.created), LastModifiedTime: ptr(a.modified)}
}

func listenerOut(l *gaListener) *gatypes.Listener {
	return &gatypes.Listener{ListenerArn: ptr(l.arn), Protocol: l.protocol, ClientAffinity: l.affinity, PortRanges: cloneJSON(l.ports)}
}

func (r *region) endpointGroupOut(g *gaEndpointGroup) *gatypes.EndpointGroup {
	out := &gatypes.EndpointGroup{EndpointGroupArn: ptr(g.arn), EndpointGroupRegion: ptr(g.region), HealthCheckIntervalSeconds: ptr(g.interval),
		HealthCheckPort: ptr(g.port), HealthCheckProtocol: g.protocol, ThresholdCount: ptr(g.threshold), TrafficDialPercentage: ptr(g.dial),
		PortOverrides: cloneJSON(g.overrides), EndpointDescriptions: []gatypes.EndpointDescription{}}
	if g.path != "" {
		out.HealthCheckPath = ptr(g.path)
	}
	for _, e := range g.endpoints {
		st, why := r.gaEndpointHealth(g, e)
		d := gatypes.EndpointDescription{EndpointId: ptr(e.id), Weight: ptr(e.weight), ClientIPPreservationEnabled: ptr(e.clientIP), HealthState: st}
		if why != "" {
			d.HealthReason = ptr(why)
		}
		out.EndpointDescriptions = append(out.EndpointDescriptions, d)
	}
	return out
}

// gaEndpointHealth is an endpoint's health as its group reports it: the state
// the accelerator's own health checks have settled on (stepGA, ga_traffic.go).
func (r *region) gaEndpointHealth(_ *gaEndpointGroup, e *gaEndpoint) (gatypes.HealthState, string) {
	if e.state == "" {
		return gatypes.HealthStateInitial, "Initial health checking"
	}
	return e.state, e.reason
}

// CreateAccelerator creates an enabled (unless Enabled is false) IPv4
// accelerator; it is IN_PROGRESS until deployed.
func (c *gaClient) CreateAccelerator(ctx context.Context, in *globalaccelerator.CreateAcceleratorInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.CreateAcceleratorOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "CreateAccelerator", in, func(r *region) (*globalaccelerator.CreateAcceleratorOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.CreateAcceleratorInput{}
		}
		token := str(in.IdempotencyToken)
		if arn, ok := s.tokens[token]; ok && token != "" {
			if a := s.accs[arn]; a != nil {
				return &globalaccelerator.CreateAcceleratorOutput{Accelerator: r.acceleratorOut(a)}, nil
			}
		}
		name := str(in.Name)
		if !gaNameRE.MatchString(name) {
			return nil, gaInvalid("The name can have a maximum of 64 characters, must contain only alphanumeric characters, periods (.), or hyphens (-), and must not begin or end with a hyphen or period.")
		}
		switch in.IpAddressType {
		case "", gatypes.IpAddressTypeIpv4:
		default:
			return nil, gaInvalid("The simulator models IPV4 accelerators only, not %s.", in.IpAddressType)
		}
		if len(in.IpAddresses) > 0 {
			return nil, gaInvalid("The simulator does not model bring-your-own IP addresses.")
		}
		var tags tagList
		for _, t := range in.Tags {
			tags.set(str(t.Key), str(t.Value))
		}
		if err := validTags(tags); err != nil {
			return nil, gaInvalid("%v", err)
		}
		ips, ok := r.gaAllocIPs(s)
		if !ok {
			return nil, &gatypes.LimitExceededException{Message: ptr("No static IP addresses are left to allocate.")}
		}
		a := &gaAccelerator{arn: "arn:aws:globalaccelerator::" + r.account + ":accelerator/" + r.w.uuid(), name: name,
			dns: "a" + r.w.hexID(16) + ".awsglobalaccelerator.com", enabled: in.Enabled == nil || *in.Enabled, ips: ips, created: r.w.now}
		a.tags = tags
		r.gaChanged(a)
		a.firstDeployed = a.deployedAt
		s.accs[a.arn] = a
		s.order = append(s.order, a)
		if token != "" {
			s.tokens[token] = a.arn
		}
		r.addTaggable(&a.tagged, a.arn, "globalaccelerator:accelerator")
		return &globalaccelerator.CreateAcceleratorOutput{Accelerator: r.acceleratorOut(a)}, nil
	})
}

// DescribeAccelerator describes one accelerator.
func (c *gaClient) DescribeAccelerator(ctx context.Context, in *globalaccelerator.DescribeAcceleratorInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.DescribeAcceleratorOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "DescribeAccelerator", in, func(r *region) (*globalaccelerator.DescribeAcceleratorOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.DescribeAcceleratorInput{}
		}
		a, err := s.accelerator(str(in.AcceleratorArn))
		if err != nil {
			return nil, err
		}
		return &globalaccelerator.DescribeAcceleratorOutput{Accelerator: r.acceleratorOut(a)}, nil
	})
}

// ListAccelerators lists the account's accelerators in creation order,
// MaxResults (1–100, default 10) a page.
func (c *gaClient) ListAccelerators(ctx context.Context, in *globalaccelerator.ListAcceleratorsInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListAcceleratorsOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "ListAccelerators", in, func(r *region) (*globalaccelerator.ListAcceleratorsOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.ListAcceleratorsInput{}
		}
		from, to, next, err := gaPage(in.MaxResults, in.NextToken, len(s.order))
		if err != nil {
			return nil, err
		}
		out := &globalaccelerator.ListAcceleratorsOutput{Accelerators: []gatypes.Accelerator{}, NextToken: next}
		for _, a := range s.order[from:to] {
			out.Accelerators = append(out.Accelerators, *r.acceleratorOut(a))
		}
		return out, nil
	})
}

// UpdateAccelerator changes the name or Enabled; the accelerator is IN_PROGRESS
// until the change deploys.
func (c *gaClient) UpdateAccelerator(ctx context.Context, in *globalaccelerator.UpdateAcceleratorInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.UpdateAcceleratorOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "UpdateAccelerator", in, func(r *region) (*globalaccelerator.UpdateAcceleratorOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.UpdateAcceleratorInput{}
		}
		a, err := s.accelerator(str(in.AcceleratorArn))
		if err != nil {
			return nil, err
		}
		if in.Name != nil && !gaNameRE.MatchString(*in.Name) {
			return nil, gaInvalid("The name can have a maximum of 64 characters, must contain only alphanumeric characters, periods (.), or hyphens (-), and must not begin or end with a hyphen or period.")
		}
		switch in.IpAddressType {
		case "", gatypes.IpAddressTypeIpv4:
		default:
			return nil, gaInvalid("The simulator models IPV4 accelerators only, not %s.", in.IpAddressType)
		}
		if len(in.IpAddresses) > 0 {
			return nil, gaInvalid("The simulator does not model bring-your-own IP addresses.")
		}
		if in.Name != nil {
			a.name = *in.Name
		}
		if in.Enabled != nil {
			a.enabled = *in.Enabled
		}
		r.gaChanged(a)
		return &globalaccelerator.UpdateAcceleratorOutput{Accelerator: r.acceleratorOut(a)}, nil
	})
}

// DeleteAccelerator deletes a disabled, deployed accelerator without listeners;
// its static addresses are released for good.
func (c *gaClient) DeleteAccelerator(ctx context.Context, in *globalaccelerator.DeleteAcceleratorInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.DeleteAcceleratorOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "DeleteAccelerator", in, func(r *region) (*globalaccelerator.DeleteAcceleratorOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.DeleteAcceleratorInput{}
		}
		a, err := s.accelerator(str(in.AcceleratorArn))
		if err != nil {
			return nil, err
		}
		switch {
		case a.enabled:
			return nil, &gatypes.AcceleratorNotDisabledException{Message: msg("The accelerator %s must be disabled before it can be deleted.", a.arn)}
		case len(a.listeners) > 0:
			return nil, &gatypes.AssociatedListenerFoundException{Message: msg("The accelerator %s has listeners; delete them first.", a.arn)}
		case a.status(r.w.now) != gatypes.AcceleratorStatusDeployed:
			return nil, &gatypes.AcceleratorNotDisabledException{Message: msg("The accelerator %s is not disabled yet: its last change is still IN_PROGRESS.", a.arn)}
		}
		a.dead = true
		for _, ip := range a.ips {
			delete(s.ips, ip)
		}
		delete(s.accs, a.arn)
		s.order = compact(s.order, func(x *gaAccelerator) bool { return !x.dead })
		return &globalaccelerator.DeleteAcceleratorOutput{}, nil
	})
}

// ListTagsForResource lists an accelerator's tags.
func (c *gaClient) ListTagsForResource(ctx context.Context, in *globalaccelerator.ListTagsForResourceInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListTagsForResourceOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "ListTagsForResource", in, func(r *region) (*globalaccelerator.ListTagsForResourceOutput, error) {
		s := gaStateOf(r)
		if in == nil || str(in.ResourceArn) == "" {
			return nil, gaInvalid("ResourceArn is required.")
		}
		a, err := s.accelerator(str(in.ResourceArn))
		if err != nil {
			return nil, err
		}
		out := &globalaccelerator.ListTagsForResourceOutput{Tags: []gatypes.Tag{}}
		for _, t := range a.tags {
			out.Tags = append(out.Tags, gatypes.Tag{Key: ptr(t.k), Value: ptr(t.v)})
		}
		return out, nil
	})
}

// CreateListener adds a listener (1–10 port ranges that overlap no other
// listener's, TCP or UDP) to an accelerator; at most 10 per accelerator.
func (c *gaClient) CreateListener(ctx context.Context, in *globalaccelerator.CreateListenerInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.CreateListenerOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "CreateListener", in, func(r *region) (*globalaccelerator.CreateListenerOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.CreateListenerInput{}
		}
		token := str(in.IdempotencyToken)
		if arn, ok := s.tokens[token]; ok && token != "" {
			if l := s.listeners[arn]; l != nil {
				return &globalaccelerator.CreateListenerOutput{Listener: listenerOut(l)}, nil
			}
		}
		a, err := s.accelerator(str(in.AcceleratorArn))
		if err != nil {
			return nil, err
		}
		switch in.Protocol {
		case gatypes.ProtocolTcp, gatypes.ProtocolUdp:
		default:
			return nil, gaInvalid("Protocol must be TCP or UDP.")
		}
		aff := in.ClientAffinity
		switch aff {
		case "":
			aff = gatypes.ClientAffinityNone
		case gatypes.ClientAffinityNone, gatypes.ClientAffinitySourceIp:
		default:
			return nil, gaInvalid("ClientAffinity must be NONE or SOURCE_IP.")
		}
		if len(in.PortRanges) < 1 || len(in.PortRanges) > 10 {
			return nil, gaInvalid("A listener must have between 1 and 10 port ranges.")
		}
		overlaps := func(p, q gatypes.PortRange) bool { return *p.FromPort <= *q.ToPort && *q.FromPort <= *p.ToPort }
		for i, p := range in.PortRanges {
			if p.FromPort == nil || p.ToPort == nil || *p.FromPort < 1 || *p.ToPort > 65535 || *p.FromPort > *p.ToPort {
				return nil, &gatypes.InvalidPortRangeException{Message: ptr("The port numbers must be between 1 and 65535, and FromPort must not exceed ToPort.")}
			}
			for _, q := range in.PortRanges[:i] {
				if overlaps(p, q) {
					return nil, &gatypes.InvalidPortRangeException{Message: ptr("The port ranges overlap.")}
				}
			}
			for _, l := range a.listeners {
				for _, q := range l.ports {
					if overlaps(p, q) {
						return nil, &gatypes.InvalidPortRangeException{Message: msg("The port range %d-%d overlaps a port range of listener %s.", *p.FromPort, *p.ToPort, l.arn)}
					}
				}
			}
		}
		if len(a.listeners) >= 10 {
			return nil, &gatypes.LimitExceededException{Message: ptr("An accelerator can have at most 10 listeners.")}
		}
		l := &gaListener{arn: a.arn + "/listener/" + r.w.hexID(8), acc: a, ports: cloneJSON(in.PortRanges), protocol: in.Protocol, affinity: aff}
		a.listeners = append(a.listeners, l)
		s.listeners[l.arn] = l
		if token != "" {
			s.tokens[token] = l.arn
		}
		r.gaChanged(a)
		return &globalaccelerator.CreateListenerOutput{Listener: listenerOut(l)}, nil
	})
}

// ListListeners lists an accelerator's listeners.
func (c *gaClient) ListListeners(ctx context.Context, in *globalaccelerator.ListListenersInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListListenersOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "ListListeners", in, func(r *region) (*globalaccelerator.ListListenersOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.ListListenersInput{}
		}
		a, err := s.accelerator(str(in.AcceleratorArn))
		if err != nil {
			return nil, err
		}
		from, to, next, err := gaPage(in.MaxResults, in.NextToken, len(a.listeners))
		if err != nil {
			return nil, err
		}
		out := &globalaccelerator.ListListenersOutput{Listeners: []gatypes.Listener{}, NextToken: next}
		for _, l := range a.listeners[from:to] {
			out.Listeners = append(out.Listeners, *listenerOut(l))
		}
		return out, nil
	})
}

// DeleteListener deletes a listener without endpoint groups.
func (c *gaClient) DeleteListener(ctx context.Context, in *globalaccelerator.DeleteListenerInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.DeleteListenerOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "DeleteListener", in, func(r *region) (*globalaccelerator.DeleteListenerOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.DeleteListenerInput{}
		}
		l, err := s.listener(str(in.ListenerArn))
		if err != nil {
			return nil, err
		}
		if len(l.groups) > 0 {
			return nil, &gatypes.AssociatedEndpointGroupFoundException{Message: msg("The listener %s has endpoint groups; delete them first.", l.arn)}
		}
		delete(s.listeners, l.arn)
		l.acc.listeners = compact(l.acc.listeners, func(x *gaListener) bool { return x != l })
		r.gaChanged(l.acc)
		return &globalaccelerator.DeleteListenerOutput{}, nil
	})
}

// CreateEndpointGroup adds a listener's endpoint group for one region, with up to
// 10 endpoints and AWS's health check defaults (TCP on the listener's first
// port, every 30 s, threshold 3, traffic dial 100 %).
func (c *gaClient) CreateEndpointGroup(ctx context.Context, in *globalaccelerator.CreateEndpointGroupInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.CreateEndpointGroupOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "CreateEndpointGroup", in, func(r *region) (*globalaccelerator.CreateEndpointGroupOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.CreateEndpointGroupInput{}
		}
		token := str(in.IdempotencyToken)
		if arn, ok := s.tokens[token]; ok && token != "" {
			if g := s.groups[arn]; g != nil {
				return &globalaccelerator.CreateEndpointGroupOutput{EndpointGroup: r.endpointGroupOut(g)}, nil
			}
		}
		l, err := s.listener(str(in.ListenerArn))
		if err != nil {
			return nil, err
		}
		reg := str(in.EndpointGroupRegion)
		if !regionRE.MatchString(reg) {
			return nil, gaInvalid("%q is not a valid endpoint group region.", reg)
		}
		for _, g := range l.groups {
			if g.region == reg {
				return nil, &gatypes.EndpointGroupAlreadyExistsException{Message: msg("The listener already has an endpoint group in %s.", reg)}
			}
		}
		g := &gaEndpointGroup{listener: l, region: reg, interval: i32(in.HealthCheckIntervalSeconds, 30), port: i32(in.HealthCheckPort, *l.ports[0].FromPort),
			protocol: in.HealthCheckProtocol, threshold: i32(in.ThresholdCount, 3), dial: 100, overrides: cloneJSON(in.PortOverrides)}
		if in.TrafficDialPercentage != nil {
			g.dial = *in.TrafficDialPercentage
		}
		if g.protocol == "" {
			g.protocol = gatypes.HealthCheckProtocolTcp
		}
		switch {
		case g.interval != 10 && g.interval != 30:
			return nil, gaInvalid("HealthCheckIntervalSeconds must be 10 or 30.")
		case g.threshold < 1 || g.threshold > 10:
			return nil, gaInvalid("ThresholdCount must be between 1 and 10.")
		case g.port < 1 || g.port > 65535:
			return nil, gaInvalid("HealthCheckPort must be between 1 and 65535.")
		case !(g.dial >= 0 && g.dial <= 100):
			return nil, gaInvalid("TrafficDialPercentage must be between 0 and 100.")
		case g.protocol != gatypes.HealthCheckProtocolTcp && g.protocol != gatypes.HealthCheckProtocolHttp && g.protocol != gatypes.HealthCheckProtocolHttps:
			return nil, gaInvalid("HealthCheckProtocol must be TCP, HTTP or HTTPS.")
		case len(in.EndpointConfigurations) > 10:
			return nil, &gatypes.LimitExceededException{Message: ptr("An endpoint group can have at most 10 endpoints.")}
		}
		if g.protocol != gatypes.HealthCheckProtocolTcp {
			g.path = "/"
			if p := str(in.HealthCheckPath); p != "" {
				if p[0] != '/' || len(p) > 255 {
					return nil, gaInvalid("HealthCheckPath must start with / and be at most 255 characters.")
				}
				g.path = p
			}
		}
		for _, ec := range in.EndpointConfigurations {
			id := str(ec.EndpointId)
			if id == "" {
				return nil, gaInvalid("EndpointId is required.")
			}
			for _, e := range g.endpoints {
				if e.id == id {
					return nil, gaInvalid("The endpoint %s is listed twice.", id)
				}
			}
			w := i32(ec.Weight, 128)
			if w < 0 || w > 255 {
				return nil, gaInvalid("Weight must be between 0 and 255.")
			}
			g.endpoints = append(g.endpoints, &gaEndpoint{id: id, weight: w, clientIP: ec.ClientIPPreservationEnabled == nil || *ec.ClientIPPreservationEnabled, added: r.w.now})
		}
		g.arn = l.arn + "/endpoint-group/" + r.w.hexID(12)
		l.groups = append(l.groups, g)
		s.groups[g.arn] = g
		if token != "" {
			s.tokens[token] = g.arn
		}
		r.gaChanged(l.acc)
		return &globalaccelerator.CreateEndpointGroupOutput{EndpointGroup: r.endpointGroupOut(g)}, nil
	})
}

// DescribeEndpointGroup describes one endpoint group with its endpoints' health.
func (c *gaClient) DescribeEndpointGroup(ctx context.Context, in *globalaccelerator.DescribeEndpointGroupInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.DescribeEndpointGroupOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "DescribeEndpointGroup", in, func(r *region) (*globalaccelerator.DescribeEndpointGroupOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.DescribeEndpointGroupInput{}
		}
		g, err := s.group(str(in.EndpointGroupArn))
		if err != nil {
			return nil, err
		}
		return &globalaccelerator.DescribeEndpointGroupOutput{EndpointGroup: r.endpointGroupOut(g)}, nil
	})
}

// ListEndpointGroups lists a listener's endpoint groups.
func (c *gaClient) ListEndpointGroups(ctx context.Context, in *globalaccelerator.ListEndpointGroupsInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.ListEndpointGroupsOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "ListEndpointGroups", in, func(r *region) (*globalaccelerator.ListEndpointGroupsOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.ListEndpointGroupsInput{}
		}
		l, err := s.listener(str(in.ListenerArn))
		if err != nil {
			return nil, err
		}
		from, to, next, err := gaPage(in.MaxResults, in.NextToken, len(l.groups))
		if err != nil {
			return nil, err
		}
		out := &globalaccelerator.ListEndpointGroupsOutput{EndpointGroups: []gatypes.EndpointGroup{}, NextToken: next}
		for _, g := range l.groups[from:to] {
			out.EndpointGroups = append(out.EndpointGroups, *r.endpointGroupOut(g))
		}
		return out, nil
	})
}

// DeleteEndpointGroup deletes an endpoint group.
func (c *gaClient) DeleteEndpointGroup(ctx context.Context, in *globalaccelerator.DeleteEndpointGroupInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.DeleteEndpointGroupOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "DeleteEndpointGroup", in, func(r *region) (*globalaccelerator.DeleteEndpointGroupOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.DeleteEndpointGroupInput{}
		}
		g, err := s.group(str(in.EndpointGroupArn))
		if err != nil {
			return nil, err
		}
		delete(s.groups, g.arn)
		g.listener.groups = compact(g.listener.groups, func(x *gaEndpointGroup) bool { return x != g })
		r.gaChanged(g.listener.acc)
		return &globalaccelerator.DeleteEndpointGroupOutput{}, nil
	})
}
