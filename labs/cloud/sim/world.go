// Package sim is labdash's simulated AWS: a world of accounts → regions →
// resources behind the same narrow interfaces as the real SDK clients
// (labs/cloud). It is a product feature — the demo and rehearsal mode, where a
// class of virtual students runs the labs on a sped-up clock — and it is the fake
// that every unit test of checks, widgets, provisioning and cleanup runs against.
//
// The simulator models behaviour, not just storage: ECS places Fargate tasks that
// move PROVISIONING → PENDING → RUNNING and registers them with their target
// group; the ALB health-checks targets against what the container really listens
// on; simulated HTTP load (World.SetLoad) becomes CloudWatch datapoints; target-
// tracking alarms fire after 3 (high) or 15 (low) one-minute datapoints and
// Application Auto Scaling changes the service's desired count; CloudFormation
// deploys the labs' prerequisite templates. Names, states, ARNs, event messages
// and error codes are AWS's, so code that passes against the simulator reads
// real AWS the same way.
//
// Time is lazy: every API call (and SetLoad) first brings the world up to
// Clock.Now() in fixed one-second steps, so a ManualClock makes every test
// deterministic and a ScaledClock makes a demo class move at any speed. One mutex
// guards a World; all methods are safe for concurrent use.
//
// The other labs' services (S3, RDS, Route 53, Lambda, DynamoDB, SNS, SQS, Cognito,
// Elastic Beanstalk, Macie, Private CA, EC2 instances and Auto Scaling groups,
// Global Accelerator, CloudWatch Logs) join through registerService (services.go);
// each file says what it models. Faults (faults.go) injects AWS's errors.
//
// What is not modelled: IAM policy evaluation (every call is allowed), API
// throttling unless Faults injects it, quotas beyond SetQuota, costs, RunTask outside services, capacity
// providers, matching requests against listener rules, HTTPS listeners, metric
// math and percentile statistics. Each file's comment lists its own
// simplifications.
package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"

	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// maxCatchUp bounds the simulated time one call replays step by step; if the
// clock jumped further the world skips ahead (timers then fire at once).
const maxCatchUp = 2 * time.Hour

// Options configures a World.
type Options struct {
	// Clock is the simulated time source; required (nil means wall time).
	Clock Clock
	// Counter counts every API call by service and operation; may be nil.
	Counter *cloud.CallCounter
	// DefaultAccount is the account Clients uses for account "".
	DefaultAccount string
	// Seed makes ids, IP addresses and jitter reproducible.
	Seed int64
}

// World is the simulated AWS. It implements cloud.Provider. The zero value is
// not usable; call New.
type World struct {
	mu      sync.Mutex // guards everything below
	clock   Clock
	counter *cloud.CallCounter
	// dnsAt is where ServeDNS listens (a string; unset while it does not).
	dnsAt   atomic.Value
	webAt   atomic.Value // where ServeWebsite listens, likewise
	defAcct string
	seed    int64
	rng     *rand.Rand
	now     time.Time // the simulated time the world has been stepped to

	accounts map[string]*account
	regions  map[regionKey]*region
	order    []*region               // creation order: stepping must not depend on map order
	quotas   map[string]float64      // "account/region/service/code" → applied value (SetQuota)
	gaDeploy time.Duration           // SetGADeployTime's fixed deploy time; 0 means 2–4 minutes
	ctDelay  time.Duration           // SetCloudTrailDelay's delay before an event is visible (cloudtrail.go)
	parsed   map[string]authz.Policy // policy documents as IAM evaluation reads them (authz.go)
	tls      map[string]*tlsPort     // HTTPS listeners' loopback ports, by listener ARN (elbv2_tls.go)
	// templates are parsed template bodies by the sha256 of the body
	// (cfntemplate.go). A cached template is shared by every stack made from
	// it and is never written: resolve copies every map and list it returns.
	templates map[[32]byte]map[string]any
	patterns  map[string]*regexp.Regexp // compiled parameter AllowedPatterns (nil: invalid)
	creds     map[string]*simCreds      // temporary credentials the simulator issued, by access key id (credentials.go)
	webTokens map[string]*webToken      // Cognito OpenID tokens GetOpenIdToken issued (cognitoidentity.go)
	// credsPruned is when expired credentials and tokens were last forgotten.
	credsPruned time.Time
}

type regionKey struct{ account, region string }

// account holds what is global to an account: IAM.
type account struct {
	id       string
	roles    map[string]*role            // by lower-case name
	policies map[string]*managedPolicy   // customer managed policies by ARN
	profiles map[string]*instanceProfile // by lower-case name
}

// region holds one (account, region)'s resources, each indexed by ARN or id and
// also kept in creation order for deterministic stepping and listing.
type region struct {
	w       *World
	acct    *account
	account string
	name    string

	// EC2
	vpcs     map[string]*vpc
	vpcOrder []*vpc
	subnets  map[string]*subnet
	subOrder []*subnet
	sgs      map[string]*securityGroup
	sgOrder  []*securityGroup

	// ECS
	clusters     map[string]*cluster // by name
	clusterOrder []*cluster
	families     map[string]*family
	famOrder     []*family
	tdDeleting   []*taskDef       // DELETE_IN_PROGRESS revisions not purged yet (expireECS)
	tasks        map[string]*task // by ARN
	taskOrder    []*task
	ipTasks      map[string]*task // private IP → the task holding it

	// ELBv2
	lbs       map[string]*loadBalancer // by ARN
	lbByName  map[string]*loadBalancer
	lbOrder   []*loadBalancer
	tgs       map[string]*targetGroup // by ARN
	tgByName  map[string]*targetGroup
	tgOrder   []*targetGroup
	listeners map[string]*listener
	rules     map[string]*rule // listener rules by ARN, default rules included

	// CloudWatch
	metrics    map[string]*series
	alarms     map[string]*alarm
	alarmNames []string // sorted, for prefix queries and paging

	// Application Auto Scaling
	scalables     map[string]*scalableTarget // by resource id + dimension
	scalableOrder []*scalableTarget
	policies      map[string]*scalingPolicy              // by ARN
	activities    map[string][]*aastypes.ScalingActivity // by resource id, oldest first

	// CloudFormation and CloudWatch Logs
	stacks     map[string]*stack // by stack id
	stackNames map[string]*stack // live stacks by name
	stackOrder []*stack
	stackWake  time.Time // stepStacks' next look; zero: the next second
	logGroups  map[string]*logGroup

	// Resource Groups Tagging API: every taggable resource in creation order.
	taggables []*tagged
	tagSeq    uint64
	tagIndex  map[string]*tagged // by ARN, the latest resource of each ARN (IAM evaluation reads aws:ResourceTag here)

	// ext holds the state of services registered with registerService, by name.
	ext map[string]any
}

// New returns an empty world: every (account, region) gets its default VPC the
// first time it is touched, every account its ecsTaskExecutionRole.
func New(opts Options) *World {
	clock := opts.Clock
	if clock == nil {
		clock = NewScaledClock(1)
	}
	acct := opts.DefaultAccount
	if acct == "" {
		acct = "111122223333"
	}
	w := &World{
		clock:    clock,
		counter:  opts.Counter,
		defAcct:  acct,
		seed:     opts.Seed,
		rng:      rand.New(rand.NewPCG(uint64(opts.Seed), 0x6c616264617368)),
		accounts: map[string]*account{},
		regions:  map[regionKey]*region{},
	}
	w.now = clock.Now().Truncate(time.Second)
	return w
}

// Name reports "sim": pages label everything from this provider as simulated.
func (w *World) Name() string { return "sim" }

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-[1-9]$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
)

// Clients returns the service clients of account (the default account for "")
// in region. Any well-formed AWS region name is valid.
func (w *World) Clients(ctx context.Context, acct, region string) (*cloud.Clients, error) {
	c, err := w.clients(ctx, acct, region, "")
	if err != nil {
		return nil, err
	}
	c.Dashboard = func(ctx context.Context) (*cloud.Clients, error) { return w.Clients(ctx, "", c.Region) }
	return c, nil
}

// clients builds the clients; principal is the session ARN of a ClientsAs caller
// ("" for labdash's own).
func (w *World) clients(ctx context.Context, acct, region, principal string) (*cloud.Clients, error) {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if acct == "" {
		acct = w.defAcct
	}
	if !accountRE.MatchString(acct) {
		return nil, fmt.Errorf("sim: invalid account id %q: want 12 digits", acct)
	}
	if !regionRE.MatchString(region) {
		return nil, fmt.Errorf("sim: invalid region %q", region)
	}
	w.mu.Lock()
	w.advanceLocked()
	w.regionLocked(acct, region)
	w.mu.Unlock()
	b := base{w: w, account: acct, region: region, principal: principal}
	c := &cloud.Clients{
		Account: acct,
		Region:  region,
		Now:     w.clock.Now,
	}
	c.InRegion = func(ctx context.Context, other string) (*cloud.Clients, error) { return w.Clients(ctx, acct, other) }
	c.Browse = w.browse
	for _, s := range services {
		if s.attach != nil {
			s.attach(b, c)
		}
	}
	return c, nil
}

// SetLoad sets the simulated HTTP load arriving at a load balancer, in requests
// per second (0 stops it). The ALB spreads it over the healthy targets of the
// target groups its listeners forward to; CloudWatch sees it as RequestCount and
// RequestCountPerTarget. Given an Elastic Beanstalk environment's ARN instead, it
// switches the environment's signup app to auto signups (any load above 0) or
// back off (World.SetAutoSignups); given a Spot instance's ARN and any load above
// 0, it gives the instance its interruption notice (World.InterruptSpot).
func (w *World) SetLoad(acct, regionName, loadBalancerArn string, requestsPerSecond float64) error {
	if !finite(requestsPerSecond) || requestsPerSecond < 0 {
		return fmt.Errorf("sim: load must be a non-negative number of requests per second, not %v", requestsPerSecond)
	}
	if acct == "" {
		acct = w.defAcct
	}
	if !regionRE.MatchString(regionName) {
		return fmt.Errorf("sim: invalid region %q", regionName)
	}
	if env, ok := ebEnvFromARN(loadBalancerArn); ok {
		return w.SetAutoSignups(acct, regionName, env, requestsPerSecond > 0) // takes w.mu itself
	}
	if id, ok := instanceFromARN(loadBalancerArn); ok {
		if requestsPerSecond <= 0 {
			return nil // an interruption cannot be taken back
		}
		return w.InterruptSpot(acct, regionName, id) // takes w.mu itself
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.advanceLocked()
	r := w.regionLocked(acct, regionName)
	lb := r.lbs[loadBalancerArn]
	if lb == nil {
		return fmt.Errorf("sim: set load: %w", &elbNotFound{arn: loadBalancerArn})
	}
	lb.rps = requestsPerSecond
	return nil
}

// instanceFromARN is the id of an EC2 instance ARN (arn:aws:ec2:REGION:ACCT:instance/ID).
func instanceFromARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "ec2" {
		return "", false
	}
	return strings.CutPrefix(parts[5], "instance/")
}

// elbNotFound is SetLoad's error for an unknown load balancer.
type elbNotFound struct{ arn string }

func (e *elbNotFound) Error() string { return "load balancer " + e.arn + " not found" }

// ClassVPC returns the default VPC of (account, region) and its two public
// subnets, in AZs a and b.
func (w *World) ClassVPC(acct, regionName string) (vpcID string, subnetIDs []string) {
	if acct == "" {
		acct = w.defAcct
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.advanceLocked()
	r := w.regionLocked(acct, regionName)
	v := r.vpcOrder[0]
	for _, s := range r.subOrder {
		if s.vpc == v {
			subnetIDs = append(subnetIDs, s.id)
		}
	}
	return v.id, subnetIDs
}

// Now returns the simulated time the world has been brought up to.
func (w *World) Now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.advanceLocked()
	return w.now
}

// advanceLocked steps the world to the clock's time, one second at a time.
func (w *World) advanceLocked() {
	target := w.clock.Now()
	if target.Sub(w.now) > maxCatchUp {
		w.now = target.Add(-maxCatchUp).Truncate(time.Second)
	}
	for {
		next := w.now.Add(time.Second)
		if next.After(target) {
			return
		}
		w.now = next
		minute := next.Unix()%60 == 0
		for _, r := range w.order {
			r.step(next, minute)
		}
	}
}

// accountLocked returns the account, creating it with its pre-made roles.
func (w *World) accountLocked(id string) *account {
	a := w.accounts[id]
	if a == nil {
		a = &account{id: id, roles: map[string]*role{}, policies: map[string]*managedPolicy{}, profiles: map[string]*instanceProfile{}}
		w.accounts[id] = a
		a.seedRoles(w)
	}
	return a
}

// regionLocked returns (account, region), creating it with its default VPC.
func (w *World) regionLocked(acct, name string) *region {
	k := regionKey{acct, name}
	if r := w.regions[k]; r != nil {
		return r
	}
	r := &region{
		w: w, acct: w.accountLocked(acct), account: acct, name: name,
		vpcs: map[string]*vpc{}, subnets: map[string]*subnet{}, sgs: map[string]*securityGroup{},
		clusters: map[string]*cluster{}, families: map[string]*family{}, tasks: map[string]*task{}, ipTasks: map[string]*task{},
		lbs: map[string]*loadBalancer{}, lbByName: map[string]*loadBalancer{}, tgs: map[string]*targetGroup{}, tgByName: map[string]*targetGroup{},
		listeners: map[string]*listener{}, rules: map[string]*rule{},
		metrics: map[string]*series{}, alarms: map[string]*alarm{},
		scalables: map[string]*scalableTarget{}, policies: map[string]*scalingPolicy{}, activities: map[string][]*aastypes.ScalingActivity{},
		stacks: map[string]*stack{}, stackNames: map[string]*stack{}, logGroups: map[string]*logGroup{},
	}
	r.seedNetwork()
	w.regions[k] = r
	w.order = append(w.order, r)
	return r
}

// step advances one region by one simulated second.
func (r *region) step(now time.Time, minute bool) {
	for _, f := range steps(false) {
		f(r, now)
	}
	if minute {
		for _, f := range steps(true) {
			f(r, now)
		}
	}
}

// arn builds an ARN in this region and account.
func (r *region) arn(service, resource string) string {
	return "arn:aws:" + service + ":" + r.name + ":" + r.account + ":" + resource
}

// base is what every service client carries: the world and its (account, region).
type base struct {
	w         *World
	account   string
	region    string
	principal string // the assumed-role session of ClientsAs clients; "" for labdash's own
	// session is the session policy of temporary credentials (ClientsWithCredentials:
	// Cognito's enhanced flow scopes guests down with one); nil for none.
	session *authz.Policy
	expires time.Time // when the credentials expire; zero for ClientsAs and labdash's own
	// internal marks calls that are not labdash's: a simulated function's own calls
	// as its execution role, a student's browser on a simulated website. The call
	// counter (labdash's AWS calls) does not count them.
	internal bool
}

// do runs one simulated API call, and every operation of every simulated client
// is one call of it (TestOneWrapper reads the source to hold that): it counts the
// call, returns ctx's error if ctx is done, locks the world, brings it up to date,
// authorizes the call if the clients act as an IAM role (ClientsAs: the IAM
// evaluation of authz.go, under the same lock as the call, so no state changes
// between the decision and the call), runs body in the call's region, records
// a successful write call in CloudTrail's event history (recordLocked,
// cloudtrail.go: the one place events are recorded) and unlocks. in is the
// operation's input, which authorization and CloudTrail read.
func do[O any](ctx context.Context, b base, service, op string, in any, body func(r *region) (O, error)) (O, error) {
	var zero O
	if !b.internal {
		b.w.counter.Inc(service, op)
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return zero, err
		}
	}
	b.w.mu.Lock()
	defer b.w.mu.Unlock()
	b.w.advanceLocked()
	if b.principal != "" {
		if err := b.w.authorizeLocked(b, service, op, in); err != nil {
			return zero, err
		}
	}
	out, err := body(b.w.regionLocked(b.account, b.region))
	if err == nil {
		b.w.recordLocked(b, service, op, in, out)
	}
	return out, err
}

// The simulator's clients satisfy labdash's interfaces, and World is a Provider.
var (
	_ cloud.ECS               = (*ecsClient)(nil)
	_ cloud.ELBv2             = (*elbClient)(nil)
	_ cloud.CloudWatch        = (*cwClient)(nil)
	_ cloud.AutoScaling       = (*aasClient)(nil)
	_ cloud.EC2               = (*ec2Client)(nil)
	_ cloud.CloudFormation    = (*cfnClient)(nil)
	_ cloud.IAM               = (*iamClient)(nil)
	_ cloud.STS               = (*stsClient)(nil)
	_ cloud.ServiceQuotas     = (*quotasClient)(nil)
	_ cloud.GlobalAccelerator = (*gaClient)(nil)
	_ cloud.Tagging           = (*taggingClient)(nil)
	_ cloud.CloudTrail        = (*ctClient)(nil)
	_ cloud.Provider          = (*World)(nil)
)
