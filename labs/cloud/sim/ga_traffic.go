package sim

// Global Accelerator's dynamics: endpoint health checks, where a request to a
// static IP goes, and the HTTP probe (cloud.Clients.HTTP) that follows it.
//
// Health. Every endpoint is checked every HealthCheckIntervalSeconds of its
// group (30 s by default), the first check one interval after it was added. An
// ALB endpoint passes a check while the load balancer (in the group's region of
// the same account) is active and at least one target of a group its listeners
// forward to is healthy; an EC2 instance endpoint while it is running; other
// endpoints always pass. The endpoint is INITIAL until ThresholdCount checks have
// run; after that ThresholdCount consecutive failures make it UNHEALTHY and as
// many passes make it HEALTHY again. This is a choice: on AWS an ALB endpoint's
// health comes from the ALB's own checks; here the accelerator adds its own
// interval × threshold on top, so after StopInstances an origin stops counting
// within TG interval × unhealthy threshold (+ the instance's answer stopping at
// once) + GA interval × threshold.
//
// Traffic. Each student's browser has a location, an AWS region (us-east-1
// unless World.SetStudentLocation says otherwise), looked up by the accelerator's
// labdash:student tag. A request to a static IP on a port goes to the accelerator
// holding that IP, if it is enabled and its first deployment has finished, then
// to the TCP listener covering the port, then to the nearest region (gaDistance)
// whose endpoint group has a traffic dial above 0 and a HEALTHY endpoint; the
// endpoint with the highest weight answers. No such group: the connection times
// out.
//
// The probe. Clients.HTTP.Get("http://<static ip>[:port]/…") answers what the
// origin serves: the ALB forwards to a healthy instance target, whose user data
// page ("Hello from us-east-1") is the body, with a latency from the student's
// location to the answering region (gaLatency). Any other URL, or no route,
// fails with a timeout error (net.Error with Timeout() true).

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	// Steps at order 50: accelerators deploy and route to the endpoints found healthy this second.
	registerService("globalaccelerator", func(b base, c *cloud.Clients) {
		b.region = "us-west-2" // Global Accelerator's API lives in us-west-2 only
		c.GlobalAccelerator = &gaClient{b}
		// No principal: an HTTP request is not an AWS API call, IAM does not see it.
		c.HTTP = &gaProber{base{w: b.w, account: b.account, region: "us-west-2"}}
	}, everySecond(50, stepGA))
}

// gaCoords are the regions' approximate locations (latitude, longitude), from
// which the fixed distance table is computed.
var gaCoords = map[string][2]float64{
	"us-east-1": {38.9, -77.4}, "us-east-2": {40.0, -83.0}, "us-west-1": {37.4, -121.9}, "us-west-2": {45.8, -119.7},
	"ca-central-1": {45.5, -73.6}, "sa-east-1": {-23.5, -46.6},
	"eu-west-1": {53.3, -6.3}, "eu-west-2": {51.5, -0.1}, "eu-west-3": {48.9, 2.4}, "eu-central-1": {50.1, 8.7}, "eu-north-1": {59.3, 18.1},
	"ap-south-1": {19.1, 72.9}, "ap-northeast-1": {35.7, 139.7}, "ap-northeast-2": {37.6, 127.0}, "ap-southeast-1": {1.35, 103.8}, "ap-southeast-2": {-33.9, 151.2},
}

// gaDistance is the great-circle distance in km between two regions; an
// unknown region is 20,000 km from everything but itself.
func gaDistance(a, b string) float64 {
	if a == b {
		return 0
	}
	p, ok1 := gaCoords[a]
	q, ok2 := gaCoords[b]
	if !ok1 || !ok2 {
		return 20000
	}
	rad := math.Pi / 180
	la1, la2, dl := p[0]*rad, q[0]*rad, (q[1]-p[1])*rad
	c := math.Sin(la1)*math.Sin(la2) + math.Cos(la1)*math.Cos(la2)*math.Cos(dl)
	return 6371 * math.Acos(max(-1, min(1, c)))
}

// gaLatency is a probe's round trip from a browser in region from to an origin
// in region to: 4 ms through the edge, plus 1 ms per 100 km, rounded to the ms.
func gaLatency(from, to string) time.Duration {
	return time.Duration(4+math.Round(gaDistance(from, to)/100)) * time.Millisecond
}

// SetStudentLocation places the browser of student (the labdash:student tag of
// their accelerator) of account ("" for the default account) in region;
// student "" sets the default for the account's students not placed, us-east-1
// at first. Probes of the student's accelerator start from there.
func (w *World) SetStudentLocation(acct, student, region string) error {
	if acct == "" {
		acct = w.defAcct
	}
	if !accountRE.MatchString(acct) {
		return fmt.Errorf("sim: invalid account id %q: want 12 digits", acct)
	}
	if !regionRE.MatchString(region) {
		return fmt.Errorf("sim: invalid region %q", region)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.advanceLocked()
	s := gaStateOf(w.regionLocked(acct, "us-west-2"))
	if s.locations == nil {
		s.locations = map[string]string{}
	}
	s.locations[student] = region
	return nil
}

// location is where student's browser is.
func (s *gaState) location(student string) string {
	if l := s.locations[student]; l != "" {
		return l
	}
	if l := s.locations[""]; l != "" {
		return l
	}
	return "us-east-1"
}

// stepGA runs the accelerators' endpoint health checks (GA state lives in the
// us-west-2 region of each account).
func stepGA(r *region, now time.Time) {
	s, _ := r.ext[gaKey].(*gaState)
	if s == nil {
		return
	}
	for _, a := range s.order {
		for _, l := range a.listeners {
			for _, g := range l.groups {
				for _, e := range g.endpoints {
					r.gaCheck(g, e, now)
				}
			}
		}
	}
}

// gaCheck runs one endpoint's health check when it is due.
func (r *region) gaCheck(g *gaEndpointGroup, e *gaEndpoint, now time.Time) {
	every := time.Duration(g.interval) * time.Second
	if e.nextCheck.IsZero() {
		e.nextCheck = e.added.Add(every)
	}
	if now.Before(e.nextCheck) {
		return
	}
	e.nextCheck = now.Add(every)
	ok, why := r.gaProbeEndpoint(g.region, e.id)
	e.checksSoFar++
	if ok {
		e.passes, e.fails = e.passes+1, 0
	} else {
		e.passes, e.fails = 0, e.fails+1
	}
	e.lastOK, e.lastWhy = ok, why
	switch {
	case e.state == "" && e.checksSoFar >= g.threshold:
		// The first verdict goes with the latest check.
		if ok {
			e.state, e.reason = gatypes.HealthStateHealthy, ""
		} else {
			e.state, e.reason = gatypes.HealthStateUnhealthy, why
		}
	case e.state != "" && ok && e.passes >= g.threshold:
		e.state, e.reason = gatypes.HealthStateHealthy, ""
	case e.state != "" && !ok && e.fails >= g.threshold:
		e.state, e.reason = gatypes.HealthStateUnhealthy, why
	}
}

// gaProbeEndpoint is one health check of an endpoint in region.
func (r *region) gaProbeEndpoint(regionName, id string) (bool, string) {
	er := r.w.regions[regionKey{r.account, regionName}]
	switch {
	case elbArnRE.MatchString(id):
		if er == nil || er.lbs[id] == nil || er.lbs[id].dead {
			return false, "Endpoint not found"
		}
		lb := er.lbs[id]
		if lb.state != elbtypes.LoadBalancerStateEnumActive {
			return false, "Endpoint is not active"
		}
		for _, tg := range lb.forwardTGs() {
			for _, t := range tg.targetOrder {
				if !t.gone && t.state == elbtypes.TargetHealthStateEnumHealthy {
					return true, ""
				}
			}
		}
		return false, "Health checks failed: no healthy targets behind the load balancer"
	case instanceIDRE.MatchString(id):
		in := er.gaInstance(id)
		if in == nil || in.state != ec2types.InstanceStateNameRunning {
			return false, "Endpoint is not running"
		}
	}
	return true, ""
}

// gaInstance is an instance of region r (nil r or unknown id: nil).
func (r *region) gaInstance(id string) *instance {
	if r == nil {
		return nil
	}
	if s, _ := r.ext[ec2InstKey].(*ec2InstState); s != nil {
		return s.instances[id]
	}
	return nil
}

// gaRoute is where a request to ip:port goes: the accelerator, the group that
// answers and its endpoint; ok false when the request goes nowhere.
type gaRoute struct {
	acc   *gaAccelerator
	group *gaEndpointGroup
	ep    *gaEndpoint
	from  string // the browser's region
}

func (r *region) gaRouteTo(s *gaState, ip string, port int32) (gaRoute, bool) {
	var acc *gaAccelerator
	for _, a := range s.order {
		if contains(a.ips, ip) {
			acc = a
		}
	}
	if acc == nil || !acc.enabled || r.w.now.Before(acc.firstDeployed) {
		return gaRoute{}, false
	}
	student, _ := acc.tags.get("labdash:student")
	rt := gaRoute{acc: acc, from: s.location(student)}
	for _, l := range acc.listeners {
		if l.protocol != gatypes.ProtocolTcp {
			continue
		}
		covers := false
		for _, p := range l.ports {
			covers = covers || (p.FromPort != nil && p.ToPort != nil && *p.FromPort <= port && port <= *p.ToPort)
		}
		if !covers {
			continue
		}
		best := -1.0
		for _, g := range l.groups {
			if !(g.dial > 0) {
				continue
			}
			var ep *gaEndpoint
			for _, e := range g.endpoints {
				if e.state == gatypes.HealthStateHealthy && e.weight > 0 && (ep == nil || e.weight > ep.weight) {
					ep = e
				}
			}
			if ep == nil {
				continue
			}
			if d := gaDistance(rt.from, g.region); best < 0 || d < best {
				best, rt.group, rt.ep = d, g, ep
			}
		}
		return rt, rt.group != nil
	}
	return gaRoute{}, false
}

// gaProber implements cloud.Prober over the simulated accelerators.
type gaProber struct{ base }

// probeTimeout is the probe's error when nothing answers; it is a net.Error.
type probeTimeout struct{ url string }

func (e *probeTimeout) Error() string   { return "Get \"" + e.url + "\": dial tcp: i/o timeout" }
func (e *probeTimeout) Timeout() bool   { return true }
func (e *probeTimeout) Temporary() bool { return true }

// Get fetches url through the simulated accelerators of the client's account.
func (p *gaProber) Get(ctx context.Context, raw string) (cloud.ProbeResult, error) {
	return do(ctx, p.base, "http", "GET", nil, func(r *region) (cloud.ProbeResult, error) {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "http" || u.Hostname() == "" {
			return cloud.ProbeResult{}, fmt.Errorf("sim: probe %q: only http://host[:port]/ URLs are simulated", raw)
		}
		port := int32(80)
		if ps := u.Port(); ps != "" {
			n, err := strconv.Atoi(ps)
			if err != nil || n < 1 || n > 65535 {
				return cloud.ProbeResult{}, fmt.Errorf("sim: probe %q: invalid port", raw)
			}
			port = int32(n)
		}
		if m := websiteHostRE.FindStringSubmatch(strings.ToLower(u.Hostname())); m != nil && port == 80 {
			// An S3 website endpoint (s3_website.go), answered from the bucket's region.
			p := u.Path
			if p == "" {
				p = "/"
			}
			a := r.w.websiteLocked(m[1], m[2], p)
			body := a.body
			if len(body) > 4096 {
				body = body[:4096]
			}
			return cloud.ProbeResult{Status: a.status, Body: string(body), Latency: 25 * time.Millisecond}, nil
		}
		s, _ := r.ext[gaKey].(*gaState)
		if s == nil {
			return cloud.ProbeResult{}, &probeTimeout{url: raw}
		}
		rt, ok := r.gaRouteTo(s, u.Hostname(), port)
		if !ok {
			return cloud.ProbeResult{}, &probeTimeout{url: raw}
		}
		for _, o := range rt.group.overrides {
			if o.ListenerPort != nil && *o.ListenerPort == port && o.EndpointPort != nil {
				port = *o.EndpointPort
			}
		}
		lat := gaLatency(rt.from, rt.group.region)
		status, body, ok := r.gaServe(rt.group.region, rt.ep.id, port)
		if !ok {
			return cloud.ProbeResult{}, &probeTimeout{url: raw}
		}
		return cloud.ProbeResult{Status: status, Body: body, Latency: lat}, nil
	})
}

// gaServe is what an endpoint answers on port: an ALB forwards to one of its
// healthy targets (the first, in registration order).
func (r *region) gaServe(regionName, id string, port int32) (int, string, bool) {
	er := r.w.regions[regionKey{r.account, regionName}]
	if er == nil {
		return 0, "", false
	}
	switch {
	case elbArnRE.MatchString(id):
		lb := er.lbs[id]
		if lb == nil || lb.dead || lb.state != elbtypes.LoadBalancerStateEnumActive {
			return 0, "", false
		}
		for _, l := range lb.listeners {
			if l.port != port || l.dead {
				continue
			}
			if len(l.tgs) == 0 {
				return 503, "", true
			}
			for _, tg := range l.tgs {
				for _, t := range tg.targetOrder {
					if t.gone || t.state != elbtypes.TargetHealthStateEnumHealthy {
						continue
					}
					if in := er.gaInstance(t.id); in != nil {
						if page, ok := instanceServes(in, t.port); ok {
							return 200, page, true
						}
						continue
					}
					return 200, "Server address: " + t.id + ":" + strconv.Itoa(int(t.port)), true
				}
			}
			return 503, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", true
		}
		return 0, "", false
	case instanceIDRE.MatchString(id):
		if page, ok := instanceServes(er.gaInstance(id), port); ok {
			return 200, page, true
		}
	}
	return 0, "", false
}

// DescribeListener describes one listener.
func (c *gaClient) DescribeListener(ctx context.Context, in *globalaccelerator.DescribeListenerInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.DescribeListenerOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "DescribeListener", in, func(r *region) (*globalaccelerator.DescribeListenerOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.DescribeListenerInput{}
		}
		l, err := s.listener(str(in.ListenerArn))
		if err != nil {
			return nil, err
		}
		return &globalaccelerator.DescribeListenerOutput{Listener: listenerOut(l)}, nil
	})
}

// UpdateEndpointGroup changes a group's traffic dial, health check settings,
// port overrides and (when EndpointConfigurations is given) its endpoints;
// the accelerator is IN_PROGRESS until the change deploys, but a new dial or
// health setting takes effect at once.
func (c *gaClient) UpdateEndpointGroup(ctx context.Context, in *globalaccelerator.UpdateEndpointGroupInput, _ ...func(*globalaccelerator.Options)) (*globalaccelerator.UpdateEndpointGroupOutput, error) {
	return do(ctx, c.base, "globalaccelerator", "UpdateEndpointGroup", in, func(r *region) (*globalaccelerator.UpdateEndpointGroupOutput, error) {
		s := gaStateOf(r)
		if in == nil {
			in = &globalaccelerator.UpdateEndpointGroupInput{}
		}
		g, err := s.group(str(in.EndpointGroupArn))
		if err != nil {
			return nil, err
		}
		interval, threshold, port, dial := i32(in.HealthCheckIntervalSeconds, g.interval), i32(in.ThresholdCount, g.threshold), i32(in.HealthCheckPort, g.port), g.dial
		if in.TrafficDialPercentage != nil {
			dial = *in.TrafficDialPercentage
		}
		proto := g.protocol
		if in.HealthCheckProtocol != "" {
			proto = in.HealthCheckProtocol
		}
		switch {
		case interval != 10 && interval != 30:
			return nil, gaInvalid("HealthCheckIntervalSeconds must be 10 or 30.")
		case threshold < 1 || threshold > 10:
			return nil, gaInvalid("ThresholdCount must be between 1 and 10.")
		case port < 1 || port > 65535:
			return nil, gaInvalid("HealthCheckPort must be between 1 and 65535.")
		case !(dial >= 0 && dial <= 100):
			return nil, gaInvalid("TrafficDialPercentage must be between 0 and 100.")
		case proto != gatypes.HealthCheckProtocolTcp && proto != gatypes.HealthCheckProtocolHttp && proto != gatypes.HealthCheckProtocolHttps:
			return nil, gaInvalid("HealthCheckProtocol must be TCP, HTTP or HTTPS.")
		case len(in.EndpointConfigurations) > 10:
			return nil, &gatypes.LimitExceededException{Message: ptr("An endpoint group can have at most 10 endpoints.")}
		}
		path := g.path
		if proto == gatypes.HealthCheckProtocolTcp {
			path = ""
		} else if p := str(in.HealthCheckPath); p != "" {
			if p[0] != '/' || len(p) > 255 {
				return nil, gaInvalid("HealthCheckPath must start with / and be at most 255 characters.")
			}
			path = p
		} else if path == "" {
			path = "/"
		}
		var eps []*gaEndpoint
		if in.EndpointConfigurations != nil {
			for _, ec := range in.EndpointConfigurations {
				id := str(ec.EndpointId)
				if id == "" {
					return nil, gaInvalid("EndpointId is required.")
				}
				for _, e := range eps {
					if e.id == id {
						return nil, gaInvalid("The endpoint %s is listed twice.", id)
					}
				}
				w := i32(ec.Weight, 128)
				if w < 0 || w > 255 {
					return nil, gaInvalid("Weight must be between 0 and 255.")
				}
				var e *gaEndpoint
				for _, old := range g.endpoints {
					if old.id == id {
						e = old // keeps its health
					}
				}
				if e == nil {
					e = &gaEndpoint{id: id, added: r.w.now}
				}
				e.weight, e.clientIP = w, ec.ClientIPPreservationEnabled == nil || *ec.ClientIPPreservationEnabled
				eps = append(eps, e)
			}
			g.endpoints = eps
		}
		if in.PortOverrides != nil {
			g.overrides = cloneJSON(in.PortOverrides)
		}
		if interval != g.interval {
			for _, e := range g.endpoints {
				e.nextCheck = time.Time{}
				e.added = r.w.now
			}
		}
		g.interval, g.threshold, g.port, g.dial, g.protocol, g.path = interval, threshold, port, dial, proto, path
		r.gaChanged(g.listener.acc)
		return &globalaccelerator.UpdateEndpointGroupOutput{EndpointGroup: r.endpointGroupOut(g)}, nil
	})
}
