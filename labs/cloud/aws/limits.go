package awsprovider

import (
	"context"
	"strings"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"

	"github.com/labdash/labdash/labs/cloud"
)

// GlobalAcceleratorRegion is the only region Global Accelerator's API answers in
// (DESIGN.md §2), whatever region the accelerator's endpoints live in. When a
// GlobalAccelerator interface joins labs/cloud, its client must be built for this
// region regardless of the region Clients was asked for.
const GlobalAcceleratorRegion = "us-west-2"

// bucket is one token bucket's refill rate (requests per second) and burst.
type bucket struct {
	perSecond rate.Limit
	burst     int
}

// buckets sizes labdash's client-side token buckets, one per (account, region, key)
// for a regional service and one per (account, key) for an account-wide one (see
// accountWide),
// deliberately below AWS's documented limits (LABS.md §3) so labdash is throttled by
// itself, politely, before AWS throttles it and the adaptive retryer has to back off.
// A key is a canonical service name (see serviceNames) or "service:Operation"; an
// operation's bucket applies in addition to its service's.
//
//	key                      labdash       AWS documented
//	elbv2                    8/s,  30      Describe* bucket 40, refill 10/s
//	cloudwatch               7/s,   8      DescribeAlarms 9 TPS per region
//	cloudwatch:DeleteAlarms  2/s,   3      3 TPS
//	ecs                      15/s, 40      token bucket per account and region (20/s class)
//	tagging                  5/s,  10      GetResources per account and region
//	cloudtrail               1.5/s, 2      LookupEvents 2/s per account and region
//	route53                  4/s,   5      per account: 5 rps historically; bucket 50, refill 10/s since the 2025 update
//	globalaccelerator        5/s,  10      per account (us-west-2 only)
//	iam                      10/s, 20      per account (global; no published rate)
//	everything else          10/s, 20
var buckets = map[string]bucket{
	"elbv2":                   {8, 30},
	"cloudwatch":              {7, 8},
	"cloudwatch:DeleteAlarms": {2, 3},
	"ecs":                     {15, 40},
	"tagging":                 {5, 10},
	"cloudtrail":              {1.5, 2},
	"route53":                 {4, 5},
	"globalaccelerator":       {5, 10},
}

// accountWide are the services whose API AWS throttles per account, whatever
// region a client signs for: Route 53 and IAM are global, and Global Accelerator
// answers only in us-west-2. Their buckets are keyed by account alone.
var accountWide = map[string]bool{"route53": true, "iam": true, "globalaccelerator": true}

// shared holds the process's token buckets: one set per (account, region), and
// one per account ("" region) for the account-wide services. It is process-wide
// on purpose: AWS counts calls per account (and region), not per Provider, so the
// monitor's, provisioning's, cleanup's and a CLI command's Providers in one
// process draw on the same buckets, and a class's clients in six regions cannot
// add up to six times an account-wide rate. (A second labdash process has buckets
// of its own: the buckets sit below AWS's limits, and the SDK's adaptive retryer
// backs off on the Throttling errors that remain.)
var shared = struct {
	mu sync.Mutex
	m  map[[2]string]*limiters
}{m: map[[2]string]*limiters{}}

// limitersFor returns the buckets service's calls from account in region draw on.
func limitersFor(account, region, service string) *limiters {
	if accountWide[service] {
		region = ""
	}
	k := [2]string{account, region}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	l := shared.m[k]
	if l == nil {
		l = newLimiters()
		shared.m[k] = l
	}
	return l
}

// defaultBucket is the bucket of a service buckets does not name.
var defaultBucket = bucket{10, 20}

// serviceNames maps the SDK's service IDs to the short names the simulator counts
// calls under, so labdash_aws_calls_total reads the same on both providers.
var serviceNames = map[string]string{
	"Application Auto Scaling":    "application-autoscaling",
	"CloudFormation":              "cloudformation",
	"CloudWatch":                  "cloudwatch",
	"EC2":                         "ec2",
	"ECS":                         "ecs",
	"Elastic Load Balancing v2":   "elbv2",
	"IAM":                         "iam",
	"Resource Groups Tagging API": "tagging",
	"STS":                         "sts",
	"CloudTrail":                  "cloudtrail",
	"Route 53":                    "route53",
	"Global Accelerator":          "globalaccelerator",
	"Service Quotas":              "servicequotas",
	"CloudWatch Logs":             "logs", // as the simulator counts it (IAM's prefix), not "cloudwatch-logs"
}

// ServiceName returns the canonical short name of an SDK service ID ("Elastic Load
// Balancing v2" → "elbv2"); an unknown ID is lower-cased with dashes for spaces.
func ServiceName(serviceID string) string {
	if s, ok := serviceNames[serviceID]; ok {
		return s
	}
	return strings.ReplaceAll(strings.ToLower(serviceID), " ", "-")
}

// limiters is the set of token buckets of one (account, region), or of one
// account for the account-wide services: one per service
// and per operation with its own row in buckets, made on first use. It is safe for
// concurrent use; rate.Limiter is itself safe for concurrent use.
type limiters struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func newLimiters() *limiters { return &limiters{m: map[string]*rate.Limiter{}} }

// get returns the limiter of key, made from buckets (or the default when
// fallback is set); nil when key has no bucket and fallback is unset.
func (l *limiters) get(key string, fallback bool) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lim, ok := l.m[key]; ok {
		return lim
	}
	b, ok := buckets[key]
	if !ok {
		if !fallback {
			l.m[key] = nil
			return nil
		}
		b = defaultBucket
	}
	lim := rate.NewLimiter(b.perSecond, b.burst)
	l.m[key] = lim
	return lim
}

// wait blocks until service's bucket (and operation's, if it has one) grants a
// token, or ctx ends.
func (l *limiters) wait(ctx context.Context, service, operation string) error {
	if err := l.get(service, true).Wait(ctx); err != nil {
		return err
	}
	if lim := l.get(service+":"+operation, false); lim != nil {
		return lim.Wait(ctx)
	}
	return nil
}

// throttle is the Finalize-step middleware every client of one (account, region)
// carries. It sits right after the SDK's Retry middleware, so it runs once per
// attempt: every HTTP request AWS sees, first tries and retries alike, first waits
// for a token of its service's bucket (with the request's context, so a cancelled
// caller stops waiting at once) and is then counted by service and operation.
type throttle struct {
	account, region string
	counter         *cloud.CallCounter
}

// ID names the middleware in the stack.
func (*throttle) ID() string { return "labdash.Throttle" }

// HandleFinalize waits for a token, counts the request and passes it on.
func (t *throttle) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	service := ServiceName(awsmiddleware.GetServiceID(ctx))
	op := awsmiddleware.GetOperationName(ctx)
	if err := limitersFor(t.account, t.region, service).wait(ctx, service, op); err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	t.counter.Inc(service, op)
	return next.HandleFinalize(ctx, in)
}

// addThrottle is an APIOptions function that inserts t after the Retry middleware.
func (t *throttle) addThrottle(stack *middleware.Stack) error {
	if err := stack.Finalize.Insert(t, "Retry", middleware.After); err == nil {
		return nil
	}
	return stack.Finalize.Add(t, middleware.Before)
}
