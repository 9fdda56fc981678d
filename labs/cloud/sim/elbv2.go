package sim

// Elastic Load Balancing v2, application load balancers only. A load balancer
// is "provisioning" for 2–3 minutes, then "active". Target groups health-check
// each registered target every HealthCheckIntervalSeconds once registration
// completes (10 s) and the load balancer is active and forwards to the group:
// a check passes only if the target is a running task whose container listens
// on the checked port and whose security groups admit that port from the load
// balancer's groups. HealthyThresholdCount consecutive passes make a target
// healthy, UnhealthyThresholdCount consecutive failures unhealthy
// (Target.FailedHealthChecks when nothing listens, Target.Timeout when nothing
// answers or a security group drops the check). Instance targets (TargetType
// instance) pass while the instance is running, its groups admit the port and
// its user data's web server answers on it (instanceServes); a stopped or
// pending instance fails with Target.InvalidState. Deregistered targets drain for
// deregistration_delay.timeout_seconds (300 s by default). A target group no
// listener forwards to reports its targets "unused" (Target.NotInUse).
//
// Listener rules (elbv2_rules.go): every listener has its default rule, whose
// actions are the listener's default actions; CreateRule adds rules with a
// priority unique per listener, conditions and actions, DeleteRule removes them
// (never the default rule), and rules go with their listener. A target group a
// rule forwards to is in use (DeleteTargetGroup answers ResourceInUse) and
// belongs to the rule's load balancer as a listener's would: it is health-checked,
// publishes metrics and lists the load balancer in LoadBalancerArns. Conditions
// are validated and stored, not matched: simulated load (World.SetLoad) goes to
// the default actions' target groups.
//
// Not modelled: network and gateway load balancers, matching requests against
// rule conditions, ModifyRule and SetRulePriorities, SNI (an HTTPS listener
// presents its default certificate; elbv2_tls.go), SSL policies (stored),
// health-check paths and matchers (nginx answers 200 on every path), slow start,
// stickiness, cross-zone settings, access logs.

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/labdash/labdash/labs/cloud"
)

const (
	lbProvisionTime   = 2 * time.Minute // plus up to lbProvisionJitter
	lbProvisionJitter = time.Minute
	registrationTime  = 10 * time.Second
)

type loadBalancer struct {
	tagged
	name, arn, id string
	dns           string
	scheme        elbtypes.LoadBalancerSchemeEnum
	state         elbtypes.LoadBalancerStateEnum
	activeAt      time.Time
	createdAt     time.Time
	vpc           *vpc
	subnets       []*subnet
	sgs           []string
	attrs         map[string]string
	listeners     []*listener
	rps           float64 // simulated load, requests per second
	reqAcc        float64 // requests this minute
}

type listener struct {
	tagged
	arn       string
	lb        *loadBalancer
	port      int32
	protocol  elbtypes.ProtocolEnum
	actions   []elbtypes.Action
	tgs       []*targetGroup // forwarded to by the default actions
	defRule   *rule          // the default rule: the default actions, priority "default"
	rules     []*rule        // the other rules, by priority
	certs     []string       // an HTTPS listener's ACM certificates, the default first
	sslPolicy string
}

type targetGroup struct {
	tagged
	// stepTargets looks at the group's targets only when something is due:
	// at wake (the earliest health check or end of draining), never while
	// asleep (nothing timed), every second while a target waits for its load
	// balancer. touch, called by whatever changes the group's targets or load
	// balancer, makes it look at the next second.
	wake          time.Time
	asleep        bool
	name, arn, id string
	port          int32
	protocol      elbtypes.ProtocolEnum
	targetType    string
	vpc           *vpc
	hcEnabled     bool
	hcProtocol    elbtypes.ProtocolEnum
	hcPort        string
	hcPath        string
	interval      int32
	timeout       int32
	healthyN      int32
	unhealthyN    int32
	matcher       string
	attrs         map[string]string
	targets       map[string]*target // by "id:port"
	targetOrder   []*target
	lbRef         *loadBalancer // the one load balancer whose listeners or rules forward here
	refs          int           // listener default actions and rules forwarding here
	reqAcc        float64
}

type target struct {
	tg           *targetGroup
	id           string
	port         int32
	az           string
	state        elbtypes.TargetHealthStateEnum
	reason       elbtypes.TargetHealthReasonEnum
	desc         string
	registeredAt time.Time
	nextCheck    time.Time
	drainUntil   time.Time
	passes       int32
	fails        int32
	task         *task
	gone         bool
}

// lb returns the load balancer forwarding to tg, or nil.
func (tg *targetGroup) lb() *loadBalancer { return tg.lbRef }

// forwardTGs returns the distinct target groups lb's listeners and their rules
// forward to.
func (lb *loadBalancer) forwardTGs() []*targetGroup {
	var lists [][]*targetGroup
	for _, l := range lb.listeners {
		lists = append(lists, l.tgs)
		for _, rl := range l.rules {
			lists = append(lists, rl.tgs)
		}
	}
	return distinctTGs(lists)
}

// defaultTGs returns the distinct target groups lb's listeners' default actions
// forward to: where simulated load goes, as rule conditions are not matched.
func (lb *loadBalancer) defaultTGs() []*targetGroup {
	var lists [][]*targetGroup
	for _, l := range lb.listeners {
		lists = append(lists, l.tgs)
	}
	return distinctTGs(lists)
}

func distinctTGs(lists [][]*targetGroup) []*targetGroup {
	var out []*targetGroup
	for _, list := range lists {
		for _, tg := range list {
			dup := false
			for _, x := range out {
				if x == tg {
					dup = true
				}
			}
			if !dup {
				out = append(out, tg)
			}
		}
	}
	return out
}

// elbClient implements cloud.ELBv2.
type elbClient struct{ base }

var elbNameRE = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$`)

// hostedZones are the ALB canonical hosted zone ids by region.
var hostedZones = map[string]string{
	"us-east-1": "Z35SXDOTRQ7X7K", "us-east-2": "Z3AADJGX6KTTL2", "us-west-1": "Z368ELLRRE2KJ0", "us-west-2": "Z1H1FL5HABSF5",
	"ca-central-1": "ZQSVJUPU6J1EY", "sa-east-1": "Z2P70J7HTTTPLU", "eu-west-1": "Z32O12XQLNTSW2", "eu-west-2": "ZHURV8PSTC4K8",
	"eu-west-3": "Z3Q77PNBQS71R4", "eu-central-1": "Z215JYRZR1TBD5", "eu-north-1": "Z23TAZ7KS3FJBQ", "ap-south-1": "ZP97RAFLXTNZK",
	"ap-northeast-1": "Z14GRHDCWA56QT", "ap-northeast-2": "ZWKZPGTI48KDX", "ap-southeast-1": "Z1LMS91P8CMLE5", "ap-southeast-2": "Z1GM3OXH4ZPM65",
}

func elbTags(t tagList) []elbtypes.Tag {
	var out []elbtypes.Tag
	for _, x := range t {
		out = append(out, elbtypes.Tag{Key: ptr(x.k), Value: ptr(x.v)})
	}
	return out
}

func fromELBTags(in []elbtypes.Tag) (tagList, error) {
	var t tagList
	for _, x := range in {
		if _, dup := t.get(str(x.Key)); dup {
			return nil, &elbtypes.DuplicateTagKeysException{Message: msg("Tag key '%s' is duplicated", str(x.Key))}
		}
		t.set(str(x.Key), str(x.Value))
	}
	if err := validTags(t); err != nil {
		return nil, validationError("%v", err)
	}
	return t, nil
}

func lbNotFound() error {
	return &elbtypes.LoadBalancerNotFoundException{Message: ptr("One or more load balancers not found")}
}

func tgNotFound() error {
	return &elbtypes.TargetGroupNotFoundException{Message: ptr("One or more target groups not found")}
}

func validELBName(kind, name string) error {
	if name == "" {
		return validationError("%s name cannot be empty", kind)
	}
	if len(name) > 32 {
		return validationError("%s name '%s' cannot be longer than '32' characters", kind, name)
	}
	if !elbNameRE.MatchString(name) {
		return validationError("%s name '%s' can only contain characters that are alphanumeric characters or hyphens(-), and must not begin or end with a hyphen", kind, name)
	}
	if strings.HasPrefix(strings.ToLower(name), "internal-") {
		return validationError("%s name '%s' cannot begin with 'internal-'", kind, name)
	}
	return nil
}

// CreateLoadBalancer creates an application load balancer in at least two
// subnets of two AZs; it is "provisioning" for 2–3 minutes.
func (c *elbClient) CreateLoadBalancer(ctx context.Context, in *elbv2.CreateLoadBalancerInput, _ ...func(*elbv2.Options)) (*elbv2.CreateLoadBalancerOutput, error) {
	return do(ctx, c.base, "elbv2", "CreateLoadBalancer", in, func(r *region) (*elbv2.CreateLoadBalancerOutput, error) {
		if in == nil {
			in = &elbv2.CreateLoadBalancerInput{}
		}
		subnets := append([]string(nil), in.Subnets...)
		for _, m := range in.SubnetMappings {
			subnets = append(subnets, str(m.SubnetId))
		}
		tags, err := fromELBTags(in.Tags)
		if err != nil {
			return nil, err
		}
		lb, err := r.createLoadBalancer(str(in.Name), in.Type, in.Scheme, subnets, in.SecurityGroups, tags)
		if err != nil {
			return nil, err
		}
		return &elbv2.CreateLoadBalancerOutput{LoadBalancers: []elbtypes.LoadBalancer{r.lbOut(lb)}}, nil
	})
}

// createLoadBalancer is CreateLoadBalancer's model, shared with CloudFormation.
func (r *region) createLoadBalancer(name string, typ elbtypes.LoadBalancerTypeEnum, scheme elbtypes.LoadBalancerSchemeEnum, subnetIDs, sgIDs []string, tags tagList) (*loadBalancer, error) {
	if err := validELBName("Load balancer", name); err != nil {
		return nil, err
	}
	if typ != "" && typ != elbtypes.LoadBalancerTypeEnumApplication {
		return nil, validationError("The simulator supports only application load balancers, not '%s'", typ)
	}
	if scheme == "" {
		scheme = elbtypes.LoadBalancerSchemeEnumInternetFacing
	}
	if scheme != elbtypes.LoadBalancerSchemeEnumInternetFacing && scheme != elbtypes.LoadBalancerSchemeEnumInternal {
		return nil, validationError("Scheme '%s' is not valid", scheme)
	}
	if r.lbByName[name] != nil {
		return nil, &elbtypes.DuplicateLoadBalancerNameException{Message: msg("A load balancer with the same name '%s' exists, but with different settings", name)}
	}
	subs, err := r.validSubnets(subnetIDs, func(id string) error {
		return &elbtypes.SubnetNotFoundException{Message: msg("The subnet ID '%s' is not valid", id)}
	})
	if err != nil {
		return nil, err
	}
	azs := map[string]bool{}
	for _, s := range subs {
		if azs[s.az] {
			return nil, &elbtypes.InvalidConfigurationRequestException{Message: msg("A load balancer cannot be attached to multiple subnets in the same Availability Zone")}
		}
		azs[s.az] = true
	}
	if len(azs) < 2 {
		return nil, validationError("At least two subnets in two different Availability Zones must be specified")
	}
	v := subs[0].vpc
	for _, s := range subs {
		if s.vpc != v {
			return nil, &elbtypes.InvalidSubnetException{Message: ptr("The subnets must all be in the same VPC")}
		}
	}
	for _, id := range sgIDs {
		sg := r.sgs[id]
		if sg == nil || sg.dead {
			return nil, &elbtypes.InvalidSecurityGroupException{Message: msg("One or more security groups are invalid: '%s'", id)}
		}
		if sg.vpc != v {
			return nil, &elbtypes.InvalidSecurityGroupException{Message: msg("Security group '%s' does not belong to VPC '%s'", id, v.id)}
		}
	}
	if len(sgIDs) == 0 {
		sgIDs = []string{v.defaultSG.id}
	}
	id := r.w.hexID(16)
	lb := &loadBalancer{
		name: name, id: id, arn: r.arn("elasticloadbalancing", "loadbalancer/app/"+name+"/"+id), scheme: scheme,
		state: elbtypes.LoadBalancerStateEnumProvisioning, createdAt: r.w.now, activeAt: r.w.now.Add(r.w.jitter(lbProvisionTime, lbProvisionJitter)),
		vpc: v, subnets: subs, sgs: append([]string(nil), sgIDs...),
		attrs: map[string]string{
			"deletion_protection.enabled": "false", "idle_timeout.timeout_seconds": "60", "access_logs.s3.enabled": "false",
			"access_logs.s3.bucket": "", "access_logs.s3.prefix": "", "routing.http2.enabled": "true",
			"routing.http.drop_invalid_header_fields.enabled": "false", "routing.http.desync_mitigation_mode": "defensive",
			"routing.http.preserve_host_header.enabled": "false", "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
			"routing.http.xff_client_port.enabled": "false", "routing.http.xff_header_processing.mode": "append",
			"waf.fail_open.enabled": "false", "load_balancing.cross_zone.enabled": "true", "client_keep_alive.seconds": "3600",
			"connection_logs.s3.enabled": "false", "connection_logs.s3.bucket": "", "connection_logs.s3.prefix": "", "zonal_shift.config.enabled": "false",
		},
	}
	dnsPrefix := ""
	if scheme == elbtypes.LoadBalancerSchemeEnumInternal {
		dnsPrefix = "internal-"
	}
	lb.dns = fmt.Sprintf("%s%s-%d.%s.elb.amazonaws.com", dnsPrefix, name, 1000000000+r.w.rng.Int64N(999999999), r.name)
	lb.tags = tags.clone()
	r.useSGs(lb.sgs, +1)
	r.lbs[lb.arn] = lb
	r.lbByName[name] = lb
	r.lbOrder = append(r.lbOrder, lb)
	r.addTaggable(&lb.tagged, lb.arn, "elasticloadbalancing:loadbalancer")
	return lb, nil
}

func (r *region) lbOut(lb *loadBalancer) elbtypes.LoadBalancer {
	zone := hostedZones[r.name]
	if zone == "" {
		zone = "Z35SXDOTRQ7X7K"
	}
	out := elbtypes.LoadBalancer{
		LoadBalancerArn: ptr(lb.arn), LoadBalancerName: ptr(lb.name), DNSName: ptr(lb.dns), CanonicalHostedZoneId: ptr(zone),
		CreatedTime: ptr(lb.createdAt), Scheme: lb.scheme, VpcId: ptr(lb.vpc.id), Type: elbtypes.LoadBalancerTypeEnumApplication,
		State: &elbtypes.LoadBalancerState{Code: lb.state}, IpAddressType: elbtypes.IpAddressTypeIpv4, SecurityGroups: append([]string(nil), lb.sgs...),
	}
	for _, s := range lb.subnets {
		out.AvailabilityZones = append(out.AvailabilityZones, elbtypes.AvailabilityZone{ZoneName: ptr(s.az), SubnetId: ptr(s.id)})
	}
	return out
}

// DescribeLoadBalancers describes load balancers by ARNs or up to 20 names, or
// all of them a page (PageSize ≤ 400) at a time. Any unknown one fails the call.
func (c *elbClient) DescribeLoadBalancers(ctx context.Context, in *elbv2.DescribeLoadBalancersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error) {
	return do(ctx, c.base, "elbv2", "DescribeLoadBalancers", in, func(r *region) (*elbv2.DescribeLoadBalancersOutput, error) {
		if in == nil {
			in = &elbv2.DescribeLoadBalancersInput{}
		}
		if len(in.Names) > 0 && len(in.LoadBalancerArns) > 0 {
			return nil, validationError("Load balancer names and load balancer ARNs cannot be specified at the same time")
		}
		if len(in.Names) > 20 || len(in.LoadBalancerArns) > 20 {
			return nil, validationError("A maximum of 20 load balancers can be described at a time")
		}
		out := &elbv2.DescribeLoadBalancersOutput{}
		switch {
		case len(in.Names) > 0:
			for _, n := range in.Names {
				lb := r.lbByName[n]
				if lb == nil {
					return nil, &elbtypes.LoadBalancerNotFoundException{Message: msg("Load balancers '[%s]' not found", n)}
				}
				out.LoadBalancers = append(out.LoadBalancers, r.lbOut(lb))
			}
		case len(in.LoadBalancerArns) > 0:
			for _, a := range in.LoadBalancerArns {
				lb := r.lbs[a]
				if lb == nil {
					return nil, &elbtypes.LoadBalancerNotFoundException{Message: msg("Load balancers '[%s]' not found", a)}
				}
				out.LoadBalancers = append(out.LoadBalancers, r.lbOut(lb))
			}
		default:
			size, start, err := elbPage(in.PageSize, in.Marker)
			if err != nil {
				return nil, err
			}
			n := 0
			for i, lb := range r.lbOrder {
				if lb.dead || i < start {
					continue
				}
				if n == size {
					out.NextMarker = intToken(i)
					break
				}
				out.LoadBalancers = append(out.LoadBalancers, r.lbOut(lb))
				n++
			}
		}
		return out, nil
	})
}

// elbPage reads PageSize (1–400) and Marker.
func elbPage(pageSize *int32, marker *string) (size, start int, err error) {
	size = 400
	if pageSize != nil {
		size = int(*pageSize)
		if size < 1 || size > 400 {
			return 0, 0, validationError("Page size must be between 1 and 400")
		}
	}
	start, ok := readIntToken(marker)
	if !ok {
		return 0, 0, validationError("Invalid marker")
	}
	return size, start, nil
}

// DeleteLoadBalancer deletes a load balancer and its listeners; refused while
// deletion protection is on.
func (c *elbClient) DeleteLoadBalancer(ctx context.Context, in *elbv2.DeleteLoadBalancerInput, _ ...func(*elbv2.Options)) (*elbv2.DeleteLoadBalancerOutput, error) {
	return do(ctx, c.base, "elbv2", "DeleteLoadBalancer", in, func(r *region) (*elbv2.DeleteLoadBalancerOutput, error) {
		if in == nil || str(in.LoadBalancerArn) == "" {
			return nil, validationError("A load balancer ARN must be specified")
		}
		lb := r.lbs[str(in.LoadBalancerArn)]
		if lb == nil {
			return nil, lbNotFound()
		}
		if err := r.deleteLoadBalancer(lb); err != nil {
			return nil, err
		}
		return &elbv2.DeleteLoadBalancerOutput{}, nil
	})
}

// deleteLoadBalancer is DeleteLoadBalancer's model, shared with CloudFormation.
func (r *region) deleteLoadBalancer(lb *loadBalancer) error {
	if lb.attrs["deletion_protection.enabled"] == "true" {
		return &elbtypes.OperationNotPermittedException{Message: msg("Load balancer '%s' cannot be deleted because deletion protection is enabled", lb.arn)}
	}
	for _, l := range append([]*listener(nil), lb.listeners...) {
		r.deleteListener(l)
	}
	lb.dead = true
	lb.rps = 0
	r.useSGs(lb.sgs, -1)
	delete(r.lbs, lb.arn)
	delete(r.lbByName, lb.name)
	r.lbOrder = compact(r.lbOrder, func(x *loadBalancer) bool { return !x.dead })
	return nil
}

// CreateTargetGroup creates a target group (instance or ip); AWS's health-check
// defaults apply. The same name with the same settings returns the existing group.
func (c *elbClient) CreateTargetGroup(ctx context.Context, in *elbv2.CreateTargetGroupInput, _ ...func(*elbv2.Options)) (*elbv2.CreateTargetGroupOutput, error) {
	return do(ctx, c.base, "elbv2", "CreateTargetGroup", in, func(r *region) (*elbv2.CreateTargetGroupOutput, error) {
		if in == nil {
			in = &elbv2.CreateTargetGroupInput{}
		}
		tags, err := fromELBTags(in.Tags)
		if err != nil {
			return nil, err
		}
		tg, err := r.createTargetGroup(in, tags)
		if err != nil {
			return nil, err
		}
		return &elbv2.CreateTargetGroupOutput{TargetGroups: []elbtypes.TargetGroup{r.tgOut(tg)}}, nil
	})
}

// createTargetGroup is CreateTargetGroup's model, shared with CloudFormation.
func (r *region) createTargetGroup(in *elbv2.CreateTargetGroupInput, tags tagList) (*targetGroup, error) {
	name := str(in.Name)
	if err := validELBName("Target group", name); err != nil {
		return nil, err
	}
	tt := string(in.TargetType)
	if tt == "" {
		tt = "instance"
	}
	if tt != "instance" && tt != "ip" {
		return nil, validationError("The simulator supports target types 'instance' and 'ip', not '%s'", tt)
	}
	proto := in.Protocol
	if proto == "" {
		return nil, validationError("A protocol must be specified")
	}
	if proto != elbtypes.ProtocolEnumHttp && proto != elbtypes.ProtocolEnumHttps {
		return nil, validationError("Protocol '%s' is not supported for application load balancer target groups", proto)
	}
	if in.Port == nil {
		return nil, validationError("A port must be specified")
	}
	if p := *in.Port; p < 1 || p > 65535 {
		return nil, validationError("Port '%d' must be between 1 and 65535", p)
	}
	if str(in.VpcId) == "" {
		return nil, validationError("A VPC ID must be specified")
	}
	v := r.vpcs[str(in.VpcId)]
	if v == nil {
		return nil, validationError("The VPC ID '%s' is not found", str(in.VpcId))
	}
	interval := i32(in.HealthCheckIntervalSeconds, 30)
	timeout := i32(in.HealthCheckTimeoutSeconds, 5)
	healthy := i32(in.HealthyThresholdCount, 5)
	unhealthy := i32(in.UnhealthyThresholdCount, 2)
	switch {
	case interval < 5 || interval > 300:
		return nil, validationError("Health check interval must be between 5 and 300 seconds")
	case timeout < 2 || timeout > 120 || timeout >= interval:
		return nil, validationError("Health check timeout must be between 2 and 120 seconds and smaller than the interval")
	case healthy < 2 || healthy > 10:
		return nil, validationError("Healthy threshold count must be between 2 and 10")
	case unhealthy < 2 || unhealthy > 10:
		return nil, validationError("Unhealthy threshold count must be between 2 and 10")
	}
	path := str(in.HealthCheckPath)
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") || len(path) > 1024 {
		return nil, validationError("Health check path must begin with a '/' character and be at most 1024 characters")
	}
	hcPort := str(in.HealthCheckPort)
	if hcPort == "" {
		hcPort = "traffic-port"
	}
	if hcPort != "traffic-port" {
		if p, err := strconv.Atoi(hcPort); err != nil || p < 1 || p > 65535 {
			return nil, validationError("Health check port '%s' must be 'traffic-port' or a number between 1 and 65535", hcPort)
		}
	}
	hcProto := in.HealthCheckProtocol
	if hcProto == "" {
		hcProto = elbtypes.ProtocolEnumHttp
	}
	matcher := "200"
	if in.Matcher != nil && str(in.Matcher.HttpCode) != "" {
		matcher = str(in.Matcher.HttpCode)
	}
	if old := r.tgByName[name]; old != nil {
		if old.port == *in.Port && old.protocol == proto && old.vpc == v && old.targetType == tt {
			return old, nil
		}
		return nil, &elbtypes.DuplicateTargetGroupNameException{Message: msg("A target group with the same name '%s' exists, but with different settings", name)}
	}
	id := r.w.hexID(16)
	tg := &targetGroup{
		name: name, id: id, arn: r.arn("elasticloadbalancing", "targetgroup/"+name+"/"+id), port: *in.Port, protocol: proto,
		targetType: tt, vpc: v, hcEnabled: in.HealthCheckEnabled == nil || *in.HealthCheckEnabled, hcProtocol: hcProto, hcPort: hcPort, hcPath: path,
		interval: interval, timeout: timeout, healthyN: healthy, unhealthyN: unhealthy, matcher: matcher, targets: map[string]*target{},
		attrs: map[string]string{
			"deregistration_delay.timeout_seconds": "300", "stickiness.enabled": "false", "stickiness.type": "lb_cookie",
			"stickiness.lb_cookie.duration_seconds": "86400", "slow_start.duration_seconds": "0",
			"load_balancing.algorithm.type": "round_robin", "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
			"target_group_health.dns_failover.minimum_healthy_targets.count":            "1",
			"target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": "1",
		},
	}
	tg.tags = tags.clone()
	r.tgs[tg.arn] = tg
	r.tgByName[name] = tg
	r.tgOrder = append(r.tgOrder, tg)
	r.addTaggable(&tg.tagged, tg.arn, "elasticloadbalancing:targetgroup")
	return tg, nil
}

func (r *region) tgOut(tg *targetGroup) elbtypes.TargetGroup {
	out := elbtypes.TargetGroup{
		TargetGroupArn: ptr(tg.arn), TargetGroupName: ptr(tg.name), Port: ptr(tg.port), Protocol: tg.protocol, ProtocolVersion: ptr("HTTP1"),
		TargetType: elbtypes.TargetTypeEnum(tg.targetType), VpcId: ptr(tg.vpc.id), HealthCheckEnabled: ptr(tg.hcEnabled),
		HealthCheckProtocol: tg.hcProtocol, HealthCheckPort: ptr(tg.hcPort), HealthCheckPath: ptr(tg.hcPath),
		HealthCheckIntervalSeconds: ptr(tg.interval), HealthCheckTimeoutSeconds: ptr(tg.timeout),
		HealthyThresholdCount: ptr(tg.healthyN), UnhealthyThresholdCount: ptr(tg.unhealthyN),
		Matcher: &elbtypes.Matcher{HttpCode: ptr(tg.matcher)}, IpAddressType: elbtypes.TargetGroupIpAddressTypeEnumIpv4,
		LoadBalancerArns: []string{},
	}
	if lb := tg.lb(); lb != nil {
		out.LoadBalancerArns = []string{lb.arn}
	}
	return out
}

// DescribeTargetGroups describes target groups by load balancer, names or ARNs,
// or all of them a page at a time.
func (c *elbClient) DescribeTargetGroups(ctx context.Context, in *elbv2.DescribeTargetGroupsInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error) {
	return do(ctx, c.base, "elbv2", "DescribeTargetGroups", in, func(r *region) (*elbv2.DescribeTargetGroupsOutput, error) {
		if in == nil {
			in = &elbv2.DescribeTargetGroupsInput{}
		}
		set := 0
		for _, b := range []bool{str(in.LoadBalancerArn) != "", len(in.Names) > 0, len(in.TargetGroupArns) > 0} {
			if b {
				set++
			}
		}
		if set > 1 {
			return nil, validationError("Only one of LoadBalancerArn, Names or TargetGroupArns can be specified")
		}
		out := &elbv2.DescribeTargetGroupsOutput{}
		switch {
		case str(in.LoadBalancerArn) != "":
			lb := r.lbs[str(in.LoadBalancerArn)]
			if lb == nil {
				return nil, lbNotFound()
			}
			for _, tg := range lb.forwardTGs() {
				out.TargetGroups = append(out.TargetGroups, r.tgOut(tg))
			}
		case len(in.Names) > 0:
			for _, n := range in.Names {
				tg := r.tgByName[n]
				if tg == nil {
					return nil, &elbtypes.TargetGroupNotFoundException{Message: msg("Target groups '[%s]' not found", n)}
				}
				out.TargetGroups = append(out.TargetGroups, r.tgOut(tg))
			}
		case len(in.TargetGroupArns) > 0:
			for _, a := range in.TargetGroupArns {
				tg := r.tgs[a]
				if tg == nil {
					return nil, &elbtypes.TargetGroupNotFoundException{Message: msg("Target groups '[%s]' not found", a)}
				}
				out.TargetGroups = append(out.TargetGroups, r.tgOut(tg))
			}
		default:
			size, start, err := elbPage(in.PageSize, in.Marker)
			if err != nil {
				return nil, err
			}
			n := 0
			for i, tg := range r.tgOrder {
				if tg.dead || i < start {
					continue
				}
				if n == size {
					out.NextMarker = intToken(i)
					break
				}
				out.TargetGroups = append(out.TargetGroups, r.tgOut(tg))
				n++
			}
		}
		return out, nil
	})
}

// DeleteTargetGroup deletes a target group no listener's default action and no
// rule forwards to (ResourceInUse otherwise, whatever load balancer uses it).
func (c *elbClient) DeleteTargetGroup(ctx context.Context, in *elbv2.DeleteTargetGroupInput, _ ...func(*elbv2.Options)) (*elbv2.DeleteTargetGroupOutput, error) {
	return do(ctx, c.base, "elbv2", "DeleteTargetGroup", in, func(r *region) (*elbv2.DeleteTargetGroupOutput, error) {
		if in == nil || str(in.TargetGroupArn) == "" {
			return nil, validationError("A target group ARN must be specified")
		}
		tg := r.tgs[str(in.TargetGroupArn)]
		if tg == nil {
			return nil, tgNotFound()
		}
		if err := r.deleteTargetGroup(tg); err != nil {
			return nil, err
		}
		return &elbv2.DeleteTargetGroupOutput{}, nil
	})
}

// deleteTargetGroup is DeleteTargetGroup's model, shared with CloudFormation.
func (r *region) deleteTargetGroup(tg *targetGroup) error {
	if tg.refs > 0 {
		return &elbtypes.ResourceInUseException{Message: msg("Target group '%s' is currently in use by a listener or a rule", tg.arn)}
	}
	tg.dead = true
	for _, t := range tg.targetOrder {
		t.gone = true
		t.task.wake()
	}
	delete(r.tgs, tg.arn)
	delete(r.tgByName, tg.name)
	r.tgOrder = compact(r.tgOrder, func(x *targetGroup) bool { return !x.dead })
	return nil
}

// DescribeTargetGroupAttributes returns a target group's attributes.
func (c *elbClient) DescribeTargetGroupAttributes(ctx context.Context, in *elbv2.DescribeTargetGroupAttributesInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupAttributesOutput, error) {
	return do(ctx, c.base, "elbv2", "DescribeTargetGroupAttributes", in, func(r *region) (*elbv2.DescribeTargetGroupAttributesOutput, error) {
		if in == nil {
			in = &elbv2.DescribeTargetGroupAttributesInput{}
		}
		tg := r.tgs[str(in.TargetGroupArn)]
		if tg == nil {
			return nil, tgNotFound()
		}
		out := &elbv2.DescribeTargetGroupAttributesOutput{}
		for _, k := range sortedKeys(tg.attrs) {
			out.Attributes = append(out.Attributes, elbtypes.TargetGroupAttribute{Key: ptr(k), Value: ptr(tg.attrs[k])})
		}
		return out, nil
	})
}

// CreateListener adds a listener whose default action forwards to target
// groups (or answers fixed responses and redirects, which the simulator stores).
func (c *elbClient) CreateListener(ctx context.Context, in *elbv2.CreateListenerInput, _ ...func(*elbv2.Options)) (*elbv2.CreateListenerOutput, error) {
	return do(ctx, c.base, "elbv2", "CreateListener", in, func(r *region) (*elbv2.CreateListenerOutput, error) {
		if in == nil {
			in = &elbv2.CreateListenerInput{}
		}
		tags, err := fromELBTags(in.Tags)
		if err != nil {
			return nil, err
		}
		var certs []string
		for _, ct := range in.Certificates {
			certs = append(certs, str(ct.CertificateArn))
		}
		l, err := r.createListener(str(in.LoadBalancerArn), in.Port, in.Protocol, in.DefaultActions, certs, tags)
		if err != nil {
			return nil, err
		}
		return &elbv2.CreateListenerOutput{Listeners: []elbtypes.Listener{l.out()}}, nil
	})
}

// createListener is CreateListener's model, shared with CloudFormation.
func (r *region) createListener(lbArn string, port *int32, proto elbtypes.ProtocolEnum, actions []elbtypes.Action, certs []string, tags tagList) (*listener, error) {
	if lbArn == "" {
		return nil, validationError("A load balancer ARN must be specified")
	}
	lb := r.lbs[lbArn]
	if lb == nil {
		return nil, lbNotFound()
	}
	if port == nil || *port < 1 || *port > 65535 {
		return nil, validationError("A listener port between 1 and 65535 must be specified")
	}
	if proto == "" {
		proto = elbtypes.ProtocolEnumHttp
	}
	switch proto {
	case elbtypes.ProtocolEnumHttp:
	case elbtypes.ProtocolEnumHttps:
		if len(certs) == 0 {
			return nil, validationError("A certificate must be specified for HTTPS listeners")
		}
		for _, c := range certs {
			if err := r.usableCert(c); err != nil {
				return nil, err
			}
		}
	default:
		return nil, validationError("Protocol '%s' is not supported by application load balancers", proto)
	}
	for _, l := range lb.listeners {
		if l.port == *port {
			return nil, &elbtypes.DuplicateListenerException{Message: ptr("A listener already exists on this port for this load balancer")}
		}
	}
	if len(actions) == 0 {
		return nil, validationError("A default action must be specified")
	}
	tgs, err := r.actionTGs(lb, actions)
	if err != nil {
		return nil, err
	}
	l := &listener{arn: r.arn("elasticloadbalancing", "listener/app/"+lb.name+"/"+lb.id+"/"+r.w.hexID(16)), lb: lb, port: *port, protocol: proto,
		actions: cloneJSON(actions), tgs: tgs}
	if proto == elbtypes.ProtocolEnumHttps {
		l.certs, l.sslPolicy = append([]string(nil), certs...), "ELBSecurityPolicy-2016-08"
	}
	l.tags = tags.clone()
	r.useTGs(lb, tgs)
	lb.listeners = append(lb.listeners, l)
	r.listeners[l.arn] = l
	r.addTaggable(&l.tagged, l.arn, "elasticloadbalancing:listener")
	r.addDefaultRule(l)
	return l, nil
}

// actionTGs validates a listener's or rule's actions and returns the target
// groups they forward to: each must exist, be in lb's VPC and not belong to
// another load balancer ("You can use each target group with only one load
// balancer").
func (r *region) actionTGs(lb *loadBalancer, actions []elbtypes.Action) ([]*targetGroup, error) {
	var tgs []*targetGroup
	for _, a := range actions {
		var arns []string
		switch a.Type {
		case elbtypes.ActionTypeEnumForward:
			if str(a.TargetGroupArn) != "" {
				arns = append(arns, str(a.TargetGroupArn))
			}
			if a.ForwardConfig != nil {
				for _, t := range a.ForwardConfig.TargetGroups {
					arns = append(arns, str(t.TargetGroupArn))
				}
			}
			if len(arns) == 0 {
				return nil, validationError("A target group ARN must be specified for a forward action")
			}
		case elbtypes.ActionTypeEnumFixedResponse, elbtypes.ActionTypeEnumRedirect:
		case "":
			return nil, validationError("An action type must be specified")
		default:
			return nil, &elbtypes.InvalidLoadBalancerActionException{Message: msg("The simulator does not support '%s' actions", a.Type)}
		}
		for _, arn := range arns {
			tg := r.tgs[arn]
			if tg == nil {
				return nil, &elbtypes.TargetGroupNotFoundException{Message: msg("Target groups '[%s]' not found", arn)}
			}
			if other := tg.lb(); other != nil && other != lb {
				return nil, &elbtypes.TargetGroupAssociationLimitException{Message: msg("The following target groups cannot be associated with more than one load balancer: %s", arn)}
			}
			if tg.vpc != lb.vpc {
				return nil, validationError("Target group '%s' is not in the load balancer's VPC", arn)
			}
			tgs = append(tgs, tg)
		}
	}
	return tgs, nil
}

// useTGs records that an action of lb forwards to each of tgs.
func (r *region) useTGs(lb *loadBalancer, tgs []*targetGroup) {
	for _, tg := range tgs {
		tg.refs++
		tg.lbRef = lb
		tg.touch()
	}
}

// releaseTGs undoes useTGs: a group no action forwards to belongs to no load balancer.
func (r *region) releaseTGs(tgs []*targetGroup) {
	for _, tg := range tgs {
		tg.refs--
		if tg.refs <= 0 {
			tg.refs = 0
			tg.lbRef = nil
			tg.touch()
		}
	}
}

func (l *listener) out() elbtypes.Listener {
	out := elbtypes.Listener{ListenerArn: ptr(l.arn), LoadBalancerArn: ptr(l.lb.arn), Port: ptr(l.port), Protocol: l.protocol, DefaultActions: cloneJSON(l.actions)}
	if len(l.certs) > 0 {
		out.Certificates = []elbtypes.Certificate{{CertificateArn: ptr(l.certs[0])}}
		out.SslPolicy = ptr(l.sslPolicy)
	}
	return out
}

// usableCert reports whether an HTTPS listener can use certificate arn: an ACM
// certificate of this region that is ISSUED (ELB answers CertificateNotFound
// for any other, as it does for an ARN it cannot find).
func (r *region) usableCert(arn string) error {
	if chain, _ := r.servingCert(arn); chain == nil {
		return &elbtypes.CertificateNotFoundException{Message: msg("Certificate '%s' not found", arn)}
	}
	return nil
}

// DescribeListeners describes a load balancer's listeners, or listeners by ARN.
func (c *elbClient) DescribeListeners(ctx context.Context, in *elbv2.DescribeListenersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error) {
	return do(ctx, c.base, "elbv2", "DescribeListeners", in, func(r *region) (*elbv2.DescribeListenersOutput, error) {
		if in == nil {
			in = &elbv2.DescribeListenersInput{}
		}
		out := &elbv2.DescribeListenersOutput{}
		switch {
		case str(in.LoadBalancerArn) != "" && len(in.ListenerArns) > 0:
			return nil, validationError("Listener ARNs and a load balancer ARN cannot be specified at the same time")
		case str(in.LoadBalancerArn) != "":
			lb := r.lbs[str(in.LoadBalancerArn)]
			if lb == nil {
				return nil, lbNotFound()
			}
			for _, l := range lb.listeners {
				out.Listeners = append(out.Listeners, l.out())
			}
		case len(in.ListenerArns) > 0:
			for _, a := range in.ListenerArns {
				l := r.listeners[a]
				if l == nil {
					return nil, &elbtypes.ListenerNotFoundException{Message: ptr("One or more listeners not found")}
				}
				out.Listeners = append(out.Listeners, l.out())
			}
		default:
			return nil, validationError("You must specify either listener ARNs or a load balancer ARN")
		}
		return out, nil
	})
}

// DeleteListener deletes a listener; its target groups stop receiving traffic.
func (c *elbClient) DeleteListener(ctx context.Context, in *elbv2.DeleteListenerInput, _ ...func(*elbv2.Options)) (*elbv2.DeleteListenerOutput, error) {
	return do(ctx, c.base, "elbv2", "DeleteListener", in, func(r *region) (*elbv2.DeleteListenerOutput, error) {
		if in == nil || str(in.ListenerArn) == "" {
			return nil, validationError("A listener ARN must be specified")
		}
		l := r.listeners[str(in.ListenerArn)]
		if l == nil {
			return nil, &elbtypes.ListenerNotFoundException{Message: ptr("One or more listeners not found")}
		}
		r.deleteListener(l)
		return &elbv2.DeleteListenerOutput{}, nil
	})
}

// deleteListener deletes a listener and its rules, the default one included.
func (r *region) deleteListener(l *listener) {
	for _, rl := range append([]*rule(nil), l.rules...) {
		r.deleteRule(rl)
	}
	r.deleteRule(l.defRule)
	r.releaseTGs(l.tgs)
	r.w.closeTLS(l.arn)
	l.dead = true
	delete(r.listeners, l.arn)
	l.lb.listeners = compact(l.lb.listeners, func(x *listener) bool { return x != l })
}

// DescribeTargetHealth reports each target's state, reason and description.
func (c *elbClient) DescribeTargetHealth(ctx context.Context, in *elbv2.DescribeTargetHealthInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error) {
	return do(ctx, c.base, "elbv2", "DescribeTargetHealth", in, func(r *region) (*elbv2.DescribeTargetHealthOutput, error) {
		if in == nil {
			in = &elbv2.DescribeTargetHealthInput{}
		}
		tg := r.tgs[str(in.TargetGroupArn)]
		if tg == nil {
			return nil, tgNotFound()
		}
		out := &elbv2.DescribeTargetHealthOutput{}
		describe := func(t *target) elbtypes.TargetHealthDescription {
			hcPort := tg.hcPort
			if hcPort == "traffic-port" {
				hcPort = strconv.Itoa(int(t.port))
			}
			th := &elbtypes.TargetHealth{State: t.state, Reason: t.reason, Description: nilIfEmpty(t.desc)}
			return elbtypes.TargetHealthDescription{HealthCheckPort: ptr(hcPort), Target: &elbtypes.TargetDescription{Id: ptr(t.id), Port: ptr(t.port), AvailabilityZone: nilIfEmpty(t.az)}, TargetHealth: th}
		}
		if len(in.Targets) > 0 {
			for _, td := range in.Targets {
				port := i32(td.Port, tg.port)
				t := tg.targets[str(td.Id)+":"+strconv.Itoa(int(port))]
				if t == nil || t.gone {
					if str(td.Id) == "" {
						return nil, &elbtypes.InvalidTargetException{Message: ptr("A target ID must be specified")}
					}
					out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, elbtypes.TargetHealthDescription{
						Target:       &elbtypes.TargetDescription{Id: ptr(str(td.Id)), Port: ptr(port)},
						TargetHealth: &elbtypes.TargetHealth{State: elbtypes.TargetHealthStateEnumUnused, Reason: elbtypes.TargetHealthReasonEnumNotRegistered, Description: ptr("Target is not registered to the target group")},
					})
					continue
				}
				out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, describe(t))
			}
			return out, nil
		}
		for _, t := range tg.targetOrder {
			if !t.gone {
				out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, describe(t))
			}
		}
		return out, nil
	})
}

// RegisterTargets registers targets (IP addresses inside the VPC for ip groups).
func (c *elbClient) RegisterTargets(ctx context.Context, in *elbv2.RegisterTargetsInput, _ ...func(*elbv2.Options)) (*elbv2.RegisterTargetsOutput, error) {
	return do(ctx, c.base, "elbv2", "RegisterTargets", in, func(r *region) (*elbv2.RegisterTargetsOutput, error) {
		if in == nil {
			in = &elbv2.RegisterTargetsInput{}
		}
		tg := r.tgs[str(in.TargetGroupArn)]
		if tg == nil {
			return nil, tgNotFound()
		}
		if len(in.Targets) == 0 {
			return nil, validationError("At least one target must be specified")
		}
		for _, td := range in.Targets {
			id := str(td.Id)
			if id == "" {
				return nil, &elbtypes.InvalidTargetException{Message: ptr("A target ID must be specified")}
			}
			if p := i32(td.Port, tg.port); p < 1 || p > 65535 {
				return nil, validationError("Port '%d' must be between 1 and 65535", p)
			}
			if tg.targetType == "ip" {
				if !ipInVPC(id, tg.vpc) {
					return nil, validationError("The IP address '%s' is not within the VPC CIDR '%s'", id, tg.vpc.cidr)
				}
			} else if x := r.gaInstance(id); x == nil || x.spec.subnet.vpc != tg.vpc ||
				x.state == ec2types.InstanceStateNameShuttingDown || x.state == ec2types.InstanceStateNameTerminated {
				return nil, &elbtypes.InvalidTargetException{Message: msg("The following targets are not valid instances: '%s'", id)}
			}
		}
		for _, td := range in.Targets {
			az := ""
			if x := r.gaInstance(str(td.Id)); tg.targetType == "instance" && x != nil {
				az = x.spec.subnet.az
			}
			for _, s := range r.subOrder {
				if tg.targetType == "ip" && s.vpc == tg.vpc && ipInPrefix(str(td.Id), s) {
					az = s.az
				}
			}
			r.registerTarget(tg, str(td.Id), i32(td.Port, tg.port), az)
		}
		return &elbv2.RegisterTargetsOutput{}, nil
	})
}

func ipInVPC(ip string, v *vpc) bool {
	a, err := parseIPv4(ip)
	return err == nil && v.cidr.Contains(a)
}

func ipInPrefix(ip string, s *subnet) bool {
	a, err := parseIPv4(ip)
	return err == nil && s.cidr.Contains(a)
}

// registerTarget adds (or re-registers a draining) target in "initial".
func (r *region) registerTarget(tg *targetGroup, id string, port int32, az string) *target {
	key := id + ":" + strconv.Itoa(int(port))
	if t := tg.targets[key]; t != nil && !t.gone {
		if t.state == elbtypes.TargetHealthStateEnumDraining {
			t.setInitial(r.w.now)
		}
		return t
	}
	t := &target{tg: tg, id: id, port: port, az: az}
	t.setInitial(r.w.now)
	tg.targets[key] = t
	tg.targetOrder = append(tg.targetOrder, t)
	return t
}

// touch makes stepTargets look at tg's targets at the next second.
func (tg *targetGroup) touch() { tg.wake, tg.asleep = time.Time{}, false }

func (t *target) setInitial(now time.Time) {
	t.tg.touch()
	if t.state != elbtypes.TargetHealthStateEnumInitial {
		t.task.wake()
	}
	t.state, t.reason, t.desc = elbtypes.TargetHealthStateEnumInitial, elbtypes.TargetHealthReasonEnumRegistrationInProgress, "Target registration is in progress"
	t.registeredAt, t.nextCheck, t.passes, t.fails = now, time.Time{}, 0, 0
}

// deregisterTarget starts draining t for the group's deregistration delay.
func (r *region) deregisterTarget(t *target) {
	if t.gone || t.state == elbtypes.TargetHealthStateEnumDraining {
		return
	}
	delay, _ := strconv.Atoi(t.tg.attrs["deregistration_delay.timeout_seconds"])
	t.task.wake()
	t.tg.touch()
	t.state, t.reason, t.desc = elbtypes.TargetHealthStateEnumDraining, elbtypes.TargetHealthReasonEnumDeregistrationInProgress, "Target deregistration is in progress"
	t.drainUntil = r.w.now.Add(time.Duration(delay) * time.Second)
	if t.tg.lb() == nil {
		t.drainUntil = r.w.now // nothing to drain from
	}
}

// DeregisterTargets deregisters targets; they drain, then disappear.
func (c *elbClient) DeregisterTargets(ctx context.Context, in *elbv2.DeregisterTargetsInput, _ ...func(*elbv2.Options)) (*elbv2.DeregisterTargetsOutput, error) {
	return do(ctx, c.base, "elbv2", "DeregisterTargets", in, func(r *region) (*elbv2.DeregisterTargetsOutput, error) {
		if in == nil {
			in = &elbv2.DeregisterTargetsInput{}
		}
		tg := r.tgs[str(in.TargetGroupArn)]
		if tg == nil {
			return nil, tgNotFound()
		}
		if len(in.Targets) == 0 {
			return nil, validationError("At least one target must be specified")
		}
		for _, td := range in.Targets {
			if str(td.Id) == "" {
				return nil, &elbtypes.InvalidTargetException{Message: ptr("A target ID must be specified")}
			}
		}
		for _, td := range in.Targets {
			if t := tg.targets[str(td.Id)+":"+strconv.Itoa(int(i32(td.Port, tg.port)))]; t != nil {
				r.deregisterTarget(t)
			}
		}
		return &elbv2.DeregisterTargetsOutput{}, nil
	})
}

// DescribeTags returns the tags of up to 20 load balancers, target groups, listeners or rules.
func (c *elbClient) DescribeTags(ctx context.Context, in *elbv2.DescribeTagsInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error) {
	return do(ctx, c.base, "elbv2", "DescribeTags", in, func(r *region) (*elbv2.DescribeTagsOutput, error) {
		if in == nil || len(in.ResourceArns) == 0 {
			return nil, validationError("At least one resource ARN must be specified")
		}
		if len(in.ResourceArns) > 20 {
			return nil, validationError("A maximum of 20 resource ARNs can be described at a time")
		}
		out := &elbv2.DescribeTagsOutput{}
		for _, a := range in.ResourceArns {
			var tags tagList
			switch {
			case r.lbs[a] != nil:
				tags = r.lbs[a].tags
			case r.tgs[a] != nil:
				tags = r.tgs[a].tags
			case r.listeners[a] != nil:
				tags = r.listeners[a].tags
			case r.rules[a] != nil:
				tags = r.rules[a].tags
			case strings.Contains(a, ":listener-rule/"):
				return nil, ruleNotFound()
			case strings.Contains(a, ":targetgroup/"):
				return nil, tgNotFound()
			case strings.Contains(a, ":listener/"):
				return nil, &elbtypes.ListenerNotFoundException{Message: ptr("One or more listeners not found")}
			default:
				return nil, lbNotFound()
			}
			out.TagDescriptions = append(out.TagDescriptions, elbtypes.TagDescription{ResourceArn: ptr(a), Tags: elbTags(tags)})
		}
		return out, nil
	})
}

// ModifyLoadBalancerAttributes sets known attributes (deletion_protection.enabled …).
func (c *elbClient) ModifyLoadBalancerAttributes(ctx context.Context, in *elbv2.ModifyLoadBalancerAttributesInput, _ ...func(*elbv2.Options)) (*elbv2.ModifyLoadBalancerAttributesOutput, error) {
	return do(ctx, c.base, "elbv2", "ModifyLoadBalancerAttributes", in, func(r *region) (*elbv2.ModifyLoadBalancerAttributesOutput, error) {
		if in == nil {
			in = &elbv2.ModifyLoadBalancerAttributesInput{}
		}
		lb := r.lbs[str(in.LoadBalancerArn)]
		if lb == nil {
			return nil, lbNotFound()
		}
		if len(in.Attributes) == 0 {
			return nil, validationError("At least one attribute must be specified")
		}
		for _, a := range in.Attributes {
			k, v := str(a.Key), str(a.Value)
			if _, ok := lb.attrs[k]; !ok {
				return nil, &elbtypes.InvalidConfigurationRequestException{Message: msg("Load balancer attribute key '%s' is not recognized", k)}
			}
			if strings.HasSuffix(k, ".enabled") && v != "true" && v != "false" {
				return nil, &elbtypes.InvalidConfigurationRequestException{Message: msg("Load balancer attribute value '%s' for key '%s' is not valid; it must be 'true' or 'false'", v, k)}
			}
		}
		for _, a := range in.Attributes {
			lb.attrs[str(a.Key)] = str(a.Value)
		}
		out := &elbv2.ModifyLoadBalancerAttributesOutput{}
		for _, k := range sortedKeys(lb.attrs) {
			out.Attributes = append(out.Attributes, elbtypes.LoadBalancerAttribute{Key: ptr(k), Value: ptr(lb.attrs[k])})
		}
		return out, nil
	})
}

// stepLoadBalancers finishes provisioning.
func (r *region) stepLoadBalancers(now time.Time) {
	for _, lb := range r.lbOrder {
		if lb.state == elbtypes.LoadBalancerStateEnumProvisioning && !now.Before(lb.activeAt) {
			lb.state = elbtypes.LoadBalancerStateEnumActive
		}
	}
}

// stepTargets runs registration, health checks and draining for every target.
func (r *region) stepTargets(now time.Time) {
	for _, tg := range r.tgOrder {
		if tg.asleep || (!tg.wake.IsZero() && now.Before(tg.wake)) {
			continue
		}
		var wake time.Time // the earliest time a target is due; zero: none
		due := func(at time.Time) {
			if wake.IsZero() || at.Before(wake) {
				wake = at
			}
		}
		removed := false
		for _, t := range tg.targetOrder {
			if t.gone {
				continue
			}
			if t.state == elbtypes.TargetHealthStateEnumDraining {
				if now.Before(t.drainUntil) {
					due(t.drainUntil)
				} else {
					t.gone = true
					t.task.wake()
					delete(tg.targets, t.id+":"+strconv.Itoa(int(t.port)))
					removed = true
				}
				continue
			}
			lb := tg.lb()
			if lb == nil {
				if t.state != elbtypes.TargetHealthStateEnumUnused {
					t.task.wake()
				}
				t.state, t.reason, t.desc = elbtypes.TargetHealthStateEnumUnused, elbtypes.TargetHealthReasonEnumNotInUse, "Target group is not configured to receive traffic from the load balancer"
				t.nextCheck, t.passes, t.fails = time.Time{}, 0, 0
				continue
			}
			if t.state == elbtypes.TargetHealthStateEnumUnused || lb.state != elbtypes.LoadBalancerStateEnumActive {
				t.setInitial(now)
				due(now.Add(time.Second)) // registeredAt follows the clock until the load balancer is active
				continue
			}
			if t.nextCheck.IsZero() {
				t.nextCheck = t.registeredAt.Add(registrationTime)
				if t.nextCheck.Before(now) {
					t.nextCheck = now
				}
			}
			if now.Before(t.nextCheck) {
				due(t.nextCheck)
				continue
			}
			t.nextCheck = now.Add(time.Duration(tg.interval) * time.Second)
			due(t.nextCheck)
			ok, reason, desc := r.probe(t)
			if ok {
				t.passes, t.fails = t.passes+1, 0
			} else {
				t.passes, t.fails = 0, t.fails+1
			}
			prev := t.state
			switch {
			case ok && t.passes >= tg.healthyN:
				t.state, t.reason, t.desc = elbtypes.TargetHealthStateEnumHealthy, "", ""
			case !ok && t.fails >= tg.unhealthyN:
				t.state, t.reason, t.desc = elbtypes.TargetHealthStateEnumUnhealthy, reason, desc
			case t.state == elbtypes.TargetHealthStateEnumInitial:
				t.reason, t.desc = elbtypes.TargetHealthReasonEnumInitialHealthChecking, "Initial health checks in progress"
			}
			if t.state != prev {
				t.task.wake()
			}
		}
		if removed {
			tg.targetOrder = compact(tg.targetOrder, func(t *target) bool { return !t.gone })
		}
		tg.wake, tg.asleep = wake, wake.IsZero()
	}
}

// probe is one health check of t: does something listen on the port, and may
// the load balancer reach it?
func (r *region) probe(t *target) (bool, elbtypes.TargetHealthReasonEnum, string) {
	tg := t.tg
	if !tg.hcEnabled {
		return true, "", ""
	}
	if tg.targetType == "instance" {
		return r.probeInstance(t)
	}
	tk := t.task
	if tk == nil && tg.targetType == "ip" {
		tk = r.ipTasks[t.id]
	}
	if tk == nil || (tk.last != "RUNNING" && tk.last != "DEACTIVATING") {
		return false, elbtypes.TargetHealthReasonEnumTimeout, "Request timed out"
	}
	port := t.port
	if tg.hcPort != "traffic-port" {
		p, _ := strconv.Atoi(tg.hcPort)
		port = int32(p)
	}
	if !r.sgAdmits(tk.sgs, tg.lb().sgs, port) {
		return false, elbtypes.TargetHealthReasonEnumTimeout, "Request timed out"
	}
	for _, p := range tk.td.listens() {
		if p == port {
			return true, "", ""
		}
	}
	return false, elbtypes.TargetHealthReasonEnumFailedHealthChecks, "Health checks failed"
}

// probeInstance is one health check of an instance target: the instance must
// be running, its security groups must admit the checked port from the load
// balancer, and its web server (instanceServes) must answer on that port.
func (r *region) probeInstance(t *target) (bool, elbtypes.TargetHealthReasonEnum, string) {
	in := r.gaInstance(t.id)
	if in == nil || in.state == ec2types.InstanceStateNameTerminated || in.state == ec2types.InstanceStateNameShuttingDown {
		return false, elbtypes.TargetHealthReasonEnumInvalidState, "Target is in the terminated state"
	}
	if in.state != ec2types.InstanceStateNameRunning {
		return false, elbtypes.TargetHealthReasonEnumInvalidState, "Target is in the " + string(in.state) + " state"
	}
	port := t.port
	if t.tg.hcPort != "traffic-port" {
		p, _ := strconv.Atoi(t.tg.hcPort)
		port = int32(p)
	}
	if !r.sgAdmits(in.spec.sgs, t.tg.lb().sgs, port) {
		return false, elbtypes.TargetHealthReasonEnumTimeout, "Request timed out"
	}
	if _, ok := instanceServes(in, port); !ok {
		return false, elbtypes.TargetHealthReasonEnumFailedHealthChecks, "Health checks failed"
	}
	return true, "", ""
}

// sgAdmits reports whether any of the target's groups admits TCP port from the
// load balancer (by one of its groups, or by a CIDR covering the VPC's addresses).
func (r *region) sgAdmits(targetSGs, lbSGs []string, port int32) bool {
	for _, id := range targetSGs {
		sg := r.sgs[id]
		if sg == nil {
			continue
		}
		for _, rl := range sg.ingress {
			if rl.proto != "-1" && rl.proto != "tcp" && rl.proto != "6" {
				continue
			}
			if rl.proto != "-1" && (port < rl.from || port > rl.to) {
				continue
			}
			if rl.srcSG != "" && contains(lbSGs, rl.srcSG) {
				return true
			}
			if rl.cidr != "" {
				if p, err := parsePrefix(rl.cidr); err == nil && (p.Bits() == 0 || p.Overlaps(sg.vpc.cidr)) {
					return true
				}
			}
		}
	}
	return false
}

// stepLoad delivers one second of simulated requests.
func (r *region) stepLoad() {
	for _, lb := range r.lbOrder {
		if lb.rps <= 0 || lb.state != elbtypes.LoadBalancerStateEnumActive || len(lb.listeners) == 0 {
			continue
		}
		lb.reqAcc += lb.rps
		tgs := lb.defaultTGs()
		for _, tg := range tgs {
			tg.reqAcc += lb.rps / float64(len(tgs))
		}
	}
}

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::ElasticLoadBalancingV2::TargetGroup", cfnTargetGroup)
	registerCFN("AWS::ElasticLoadBalancingV2::LoadBalancer", cfnLoadBalancer)
	registerCFN("AWS::ElasticLoadBalancingV2::Listener", cfnListener)
}

// cfnTargetGroup creates an AWS::ElasticLoadBalancingV2::TargetGroup for a stack.
func cfnTargetGroup(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "Name")
	if name == "" {
		name = r.genName(st, logical, 32)
	}
	in := &elasticloadbalancingv2.CreateTargetGroupInput{Name: ptr(name), Protocol: elbtypes.ProtocolEnum(propStr(p, "Protocol")),
		TargetType: elbtypes.TargetTypeEnum(propStr(p, "TargetType")), VpcId: nilIfEmpty(propStr(p, "VpcId")),
		HealthCheckPath: nilIfEmpty(propStr(p, "HealthCheckPath")), HealthCheckPort: nilIfEmpty(propStr(p, "HealthCheckPort")),
		HealthCheckProtocol: elbtypes.ProtocolEnum(propStr(p, "HealthCheckProtocol"))}
	var err error
	for k, dst := range map[string]**int32{"Port": &in.Port, "HealthCheckIntervalSeconds": &in.HealthCheckIntervalSeconds,
		"HealthCheckTimeoutSeconds": &in.HealthCheckTimeoutSeconds, "HealthyThresholdCount": &in.HealthyThresholdCount,
		"UnhealthyThresholdCount": &in.UnhealthyThresholdCount} {
		if *dst, err = propInt(p, k); err != nil {
			return err
		}
	}
	if r.tgByName[name] != nil {
		return fmt.Errorf("Resource of type 'AWS::ElasticLoadBalancingV2::TargetGroup' with identifier '%s' already exists.", name)
	}
	tg, err := r.createTargetGroup(in, st.resourceTags(logical, propTags(p)))
	if err != nil {
		return err
	}
	for _, a := range propMaps(p, "TargetGroupAttributes") {
		k := propStr(a, "Key")
		if _, ok := tg.attrs[k]; !ok {
			_ = r.deleteTargetGroup(tg)
			return fmt.Errorf("Target group attribute key '%s' is not recognized", k)
		}
		tg.attrs[k] = propStr(a, "Value")
	}
	for _, td := range propMaps(p, "Targets") {
		port, err := propInt(td, "Port")
		if err != nil {
			_ = r.deleteTargetGroup(tg)
			return err
		}
		id := propStr(td, "Id")
		if x := r.gaInstance(id); tg.targetType != "instance" || x == nil || x.spec.subnet.vpc != tg.vpc {
			_ = r.deleteTargetGroup(tg)
			return fmt.Errorf("The following targets are not valid instances: '%s'", id)
		}
		r.registerTarget(tg, id, i32(port, tg.port), r.gaInstance(id).spec.subnet.az)
	}
	rs.physical = tg.arn
	rs.attrs["TargetGroupArn"], rs.attrs["TargetGroupName"], rs.attrs["TargetGroupFullName"] = tg.arn, tg.name, tgDim(tg)
	rs.attrs["LoadBalancerArns"] = []any{}
	rs.del = func() error {
		if tg.dead {
			return nil
		}
		return r.deleteTargetGroup(tg)
	}
	return nil
}

// cfnLoadBalancer creates an AWS::ElasticLoadBalancingV2::LoadBalancer for a stack.
func cfnLoadBalancer(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "Name")
	if name == "" {
		name = r.genName(st, logical, 32)
	}
	lb, err := r.createLoadBalancer(name, elbtypes.LoadBalancerTypeEnum(propStr(p, "Type")), elbtypes.LoadBalancerSchemeEnum(propStr(p, "Scheme")),
		propList(p, "Subnets"), propList(p, "SecurityGroups"), st.resourceTags(logical, propTags(p)))
	if err != nil {
		return err
	}
	rs.physical = lb.arn
	rs.attrs["DNSName"], rs.attrs["LoadBalancerName"], rs.attrs["LoadBalancerFullName"] = lb.dns, lb.name, lbDim(lb)
	rs.attrs["CanonicalHostedZoneID"] = hostedZones[r.name]
	var sgs []any
	for _, s := range lb.sgs {
		sgs = append(sgs, s)
	}
	rs.attrs["SecurityGroups"] = sgs
	rs.del = func() error {
		if lb.dead {
			return nil
		}
		return r.deleteLoadBalancer(lb)
	}
	return nil
}

// cfnListener creates an AWS::ElasticLoadBalancingV2::Listener for a stack.
func cfnListener(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	port, err := propInt(p, "Port")
	if err != nil {
		return err
	}
	var actions []elbtypes.Action
	for _, a := range propMaps(p, "DefaultActions") {
		actions = append(actions, elbtypes.Action{Type: elbtypes.ActionTypeEnum(strings.ToLower(propStr(a, "Type"))), TargetGroupArn: nilIfEmpty(propStr(a, "TargetGroupArn"))})
	}
	var certs []string
	for _, ct := range propMaps(p, "Certificates") {
		certs = append(certs, propStr(ct, "CertificateArn"))
	}
	l, err := r.createListener(propStr(p, "LoadBalancerArn"), port, elbtypes.ProtocolEnum(propStr(p, "Protocol")), actions, certs, st.resourceTags(logical, nil))
	if err != nil {
		return err
	}
	rs.physical = l.arn
	rs.attrs["ListenerArn"] = l.arn
	rs.del = func() error {
		if !l.dead {
			r.deleteListener(l)
		}
		return nil
	}
	return nil
}

func init() {
	// Load balancers finish provisioning (1), targets pass or fail health checks (3)
	// once the second's tasks have moved, and the load is spread over the healthy
	// ones (5).
	registerService("elbv2", func(b base, c *cloud.Clients) {
		c.ELBv2 = &elbClient{b}
		// No principal: a TLS connection is not an AWS API call.
		c.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			return b.w.dialListener(ctx, b.account, b.region, network, addr)
		}
	},
		everySecond(1, (*region).stepLoadBalancers), everySecond(3, (*region).stepTargets),
		everySecond(5, func(r *region, _ time.Time) { r.stepLoad() }))
}
