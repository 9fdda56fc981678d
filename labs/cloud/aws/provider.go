// Package awsprovider is labdash's real AWS provider: the one place where AWS SDK
// clients are built (STYLE.md rule 16). It loads aws.Config once with the SDK's
// default chain (credentials, profiles, SSO, AWS_REGION, AWS_ENDPOINT_URL and the
// per-service AWS_ENDPOINT_URL_* variables), derives per-(account, region) clients
// from it, assumes a role in students' accounts, retries in adaptive mode, throttles
// every request with a token bucket per (account, region, service) sized below AWS's
// documented limits, and counts every request for /metrics. Labs receive the narrow
// interfaces of labs/cloud, never an aws.Config.
//
// The package is named awsprovider so it does not shadow the SDK's aws package.
package awsprovider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/labdash/labdash/labs/cloud"
)

// DefaultAssumeRoleName is the role labdash assumes in a student's own account.
const DefaultAssumeRoleName = "LabDashboardRole"

// DefaultMaxAttempts is how many times the adaptive retryer tries one call.
const DefaultMaxAttempts = 8

// ClientOptions are per-service hooks applied, in order, to every client of that
// service the provider builds, after the provider's own settings: tests use them to
// set BaseEndpoint, a protocol moto speaks or a shorter retry, for one service
// without reaching into the others. Typed fields, rather than one func(any), keep
// every hook checked by the compiler.
type ClientOptions struct {
	ECS            []func(*ecs.Options)
	ELBv2          []func(*elbv2.Options)
	CloudWatch     []func(*cloudwatch.Options)
	AutoScaling    []func(*applicationautoscaling.Options)
	EC2            []func(*ec2.Options)
	CloudFormation []func(*cloudformation.Options)
	IAM            []func(*iam.Options)
	Tagging        []func(*resourcegroupstaggingapi.Options)
	STS            []func(*sts.Options)
	Quotas         []func(*servicequotas.Options)
	GA             []func(*globalaccelerator.Options)
	// More holds the other labs' services' hooks.
	More MoreClientOptions
}

// Options configures New. The zero value is production: the default chain, no
// endpoint override, no counter, role LabDashboardRole without an ExternalId.
type Options struct {
	// ClientOptions are hooks applied to every client of a service (see ClientOptions).
	ClientOptions ClientOptions
	// LoadOptions are passed to config.LoadDefaultConfig after the provider's own
	// (retryer, region), so they win: a profile, shared config files, an HTTP client.
	LoadOptions []func(*config.LoadOptions) error
	// RequireEndpoint is test mode: New refuses unless a base endpoint is configured
	// (Endpoint, AWS_ENDPOINT_URL or a profile's endpoint_url), and Clients refuses
	// if any client, as finally configured (per-service variables and hooks
	// included), has no endpoint or an AWS one, so no test can reach AWS.
	RequireEndpoint bool
	// Endpoint, when set, is the base endpoint of every service (tests: moto's URL).
	// It overrides AWS_ENDPOINT_URL, the per-service AWS_ENDPOINT_URL_* variables
	// and profile endpoints; when empty, those apply as the SDK resolves them.
	Endpoint string
	// Region is the default region; empty means AWS_REGION / the profile's region.
	Region string
	// Counter counts every request by service and operation (labdash_aws_calls_total).
	// Nil counts nothing.
	Counter *cloud.CallCounter
	// AssumeRoleName is the role assumed in a student's account; "" means
	// DefaultAssumeRoleName.
	AssumeRoleName string
	// ExternalID returns the ExternalId of the AssumeRole into account (the id of
	// the class using it now); nil or "" sends none. It is asked on every Clients
	// call for another account, outside the provider's lock, so it must be cheap;
	// a changed answer makes Clients assume the role again with the new id.
	ExternalID func(account string) string
	// SessionName is the AssumeRole session name; "" means "labdash".
	SessionName string
	// S3PathStyle addresses buckets as ENDPOINT/BUCKET rather than as virtual hosts
	// (BUCKET.ENDPOINT): an AWS-compatible endpoint on a loopback or private
	// address (moto, LocalStack) cannot resolve bucket host names.
	S3PathStyle bool
	// CloudWatchProtocol is the protocol CloudWatch clients speak: "" or "cbor"
	// (the SDK's default, Smithy RPC v2 CBOR), "json" (awsJson1_0) or "query".
	// Real CloudWatch speaks all three; moto 5.2.5 does not speak CBOR.
	CloudWatchProtocol string
	// MaxAttempts bounds the adaptive retryer's attempts per call; 0 means
	// DefaultMaxAttempts. Tests against moto lower it: moto answers an operation it
	// lacks with a 500, which production would retry with backoff.
	MaxAttempts int
}

// Provider builds real AWS clients per (account, region) from one aws.Config.
// Clients are cached, so repeated calls share clients, credential caches and token
// buckets. It is safe for concurrent use.
type Provider struct {
	opts Options
	cfg  aws.Config // base configuration: the caller's own credentials

	mu      sync.Mutex
	clients map[[2]string]clientSet // per (account, region), with the ExternalId they were built for
	creds   map[string]assumed      // per student account: its assumed-role credentials, shared by its regions
	caller  *sts.GetCallerIdentityOutput
	baseSTS *sts.Client // the caller's STS client (its own region), for identity and AssumeRole
}

var _ cloud.Provider = (*Provider)(nil)

// CloudWatchJSON makes a CloudWatch client speak awsJson1_0 instead of the Go SDK's
// default Smithy RPC v2 CBOR, which moto 5.2.5 does not speak: with CBOR,
// DescribeAlarms fails with "StatusCode: 404 … failed to decode response body,
// decode argument: unexpected minor value 28".
func CloudWatchJSON(o *cloudwatch.Options) {
	o.Protocol = awsjson.New10(cwschemas.GraniteServiceVersion20100801)
}

// CloudWatchQuery makes a CloudWatch client speak the AWS query protocol.
func CloudWatchQuery(o *cloudwatch.Options) {
	o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
}

// S3PathStyle addresses buckets as ENDPOINT/BUCKET rather than as virtual hosts.
func S3PathStyle(o *s3.Options) { o.UsePathStyle = true }

// ErrNoEndpoint is returned by New in RequireEndpoint mode when no endpoint is set.
var ErrNoEndpoint = errors.New("awsprovider: RequireEndpoint is set but no endpoint is configured (set Options.Endpoint or AWS_ENDPOINT_URL); refusing to build clients that could reach real AWS")

// New loads the SDK's default configuration (environment, shared config and
// credentials files, SSO, IMDS) with adaptive retries of up to MaxAttempts (default
// 8) attempts.
// It does not call AWS: credentials are resolved on first use.
func New(ctx context.Context, opts Options) (*Provider, error) {
	switch opts.CloudWatchProtocol {
	case "", "cbor":
	case "json":
		opts.ClientOptions.CloudWatch = append([]func(*cloudwatch.Options){CloudWatchJSON}, opts.ClientOptions.CloudWatch...)
	case "query":
		opts.ClientOptions.CloudWatch = append([]func(*cloudwatch.Options){CloudWatchQuery}, opts.ClientOptions.CloudWatch...)
	default:
		return nil, fmt.Errorf("awsprovider: CloudWatch protocol %q: use cbor, json or query", opts.CloudWatchProtocol)
	}
	if opts.S3PathStyle {
		opts.ClientOptions.More.S3 = append([]func(*s3.Options){S3PathStyle}, opts.ClientOptions.More.S3...)
	}
	if opts.AssumeRoleName == "" {
		opts.AssumeRoleName = DefaultAssumeRoleName
	}
	if opts.SessionName == "" {
		opts.SessionName = "labdash"
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	load := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) { so.MaxAttempts = opts.MaxAttempts })
			})
		}),
	}
	if opts.Region != "" {
		load = append(load, config.WithRegion(opts.Region))
	}
	load = append(load, opts.LoadOptions...)
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("awsprovider: load config: %w", err)
	}
	if opts.Endpoint != "" {
		cfg.BaseEndpoint = aws.String(opts.Endpoint)
	}
	if opts.RequireEndpoint {
		if err := checkTestEndpoint(cfg.BaseEndpoint); errors.Is(err, ErrNoEndpoint) {
			return nil, err
		} else if err != nil {
			return nil, fmt.Errorf("awsprovider: RequireEndpoint: %w", err)
		}
	}
	p := &Provider{
		opts:    opts,
		cfg:     cfg,
		clients: map[[2]string]clientSet{},
		creds:   map[string]assumed{},
	}
	g := &endpointGuard{on: opts.RequireEndpoint}
	p.baseSTS = sts.NewFromConfig(cfg, p.stsOptions(g, cfg.Region)...)
	if g.err != nil {
		return nil, fmt.Errorf("awsprovider: RequireEndpoint: %w", g.err)
	}
	return p, nil
}

// checkTestEndpoint enforces RequireEndpoint: an endpoint is set and is not AWS.
// A missing endpoint is ErrNoEndpoint.
func checkTestEndpoint(ep *string) error {
	if ep == nil || *ep == "" {
		return ErrNoEndpoint
	}
	u, err := url.Parse(*ep)
	if err != nil || u.Host == "" {
		return fmt.Errorf("endpoint %q is not a URL", *ep)
	}
	host := strings.ToLower(u.Hostname())
	if strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn") || strings.HasSuffix(host, ".api.aws") {
		return fmt.Errorf("endpoint %q is real AWS", *ep)
	}
	return nil
}

// Name reports "aws".
func (p *Provider) Name() string { return "aws" }

// String describes the provider without any credential.
func (p *Provider) String() string {
	ep := "default endpoints"
	if p.cfg.BaseEndpoint != nil {
		ep = *p.cfg.BaseEndpoint
	}
	return fmt.Sprintf("awsprovider(region %s, %s)", p.cfg.Region, ep)
}

// GoString keeps %#v from printing the configuration (and a static credential).
func (p *Provider) GoString() string { return p.String() }

// Region is the default region from the configuration.
func (p *Provider) Region() string { return p.cfg.Region }

// CallerAccount returns the account of the base credentials (STS
// GetCallerIdentity), read once and cached; a failure is not cached.
func (p *Provider) CallerAccount(ctx context.Context) (string, error) {
	id, err := p.callerIdentity(ctx)
	if err != nil {
		return "", err
	}
	return aws.ToString(id.Account), nil
}

func (p *Provider) callerIdentity(ctx context.Context) (*sts.GetCallerIdentityOutput, error) {
	p.mu.Lock()
	id := p.caller
	p.mu.Unlock()
	if id != nil {
		return id, nil
	}
	out, err := p.baseSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("awsprovider: who am I (sts GetCallerIdentity): %w", err)
	}
	p.mu.Lock()
	if p.caller == nil {
		p.caller = out
	}
	id = p.caller
	p.mu.Unlock()
	return id, nil
}

// clientSet is one (account, region)'s clients and the ExternalId their
// credentials were assumed with ("" for the caller's own account or none).
type clientSet struct {
	external string
	clients  *cloud.Clients
}

// assumed is a student account's assumed-role credentials for one ExternalId.
type assumed struct {
	external string
	creds    aws.CredentialsProvider
}

// Clients returns the clients of account in region, built once and cached. account
// "" or the caller's own account uses the base credentials; any other account is
// reached by assuming arn:<partition>:iam::ACCOUNT:role/<AssumeRoleName> with the
// ExternalId from Options.ExternalID, its temporary credentials cached (one cache
// per account, shared by its regions) and refreshed by aws.CredentialsCache.
// region "" means the configured region. Building makes no AWS call beyond the one
// cached GetCallerIdentity.
//
// Options.ExternalID is asked on every call for another account, outside the
// provider's lock: the ExternalId follows the class that uses the account now, so
// when an account moves to another class (a new ExternalId), its clients and
// credentials are built again and the role is assumed with the new id.
func (p *Provider) Clients(ctx context.Context, account, region string) (*cloud.Clients, error) {
	if region == "" {
		region = p.cfg.Region
	}
	if region == "" {
		return nil, errors.New("awsprovider: no region: set AWS_REGION or pass one")
	}
	id, err := p.callerIdentity(ctx)
	if err != nil {
		return nil, err
	}
	own := aws.ToString(id.Account)
	if account == "" {
		account = own
	}
	external := ""
	if account != own {
		external = p.externalID(account)
	}
	key := [2]string{account, region}

	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.clients[key]; ok && c.external == external {
		return c.clients, nil
	}
	cfg := p.cfg.Copy()
	cfg.Region = region
	if account != own {
		cfg.Credentials = p.assumedLocked(id, account, external)
	}
	c, err := p.build(cfg, account, region)
	if err != nil {
		return nil, err
	}
	p.clients[key] = clientSet{external: external, clients: c}
	return c, nil
}

// externalID is Options.ExternalID(account), or "" without one.
func (p *Provider) externalID(account string) string {
	if p.opts.ExternalID == nil {
		return ""
	}
	return p.opts.ExternalID(account)
}

// assumedLocked returns the credentials of account's role assumed with external,
// made once per (account, ExternalId): a changed id replaces the account's cache,
// so the next request assumes the role again with the new id. p.mu is held.
func (p *Provider) assumedLocked(id *sts.GetCallerIdentityOutput, account, external string) aws.CredentialsProvider {
	if a, ok := p.creds[account]; ok && a.external == external {
		return a.creds
	}
	partition := "aws"
	if a, err := arn.Parse(aws.ToString(id.Arn)); err == nil && a.Partition != "" {
		partition = a.Partition
	}
	role := fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, p.opts.AssumeRoleName)
	var x *string
	if external != "" {
		x = aws.String(external)
	}
	creds := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(p.baseSTS, role, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = x
		o.RoleSessionName = p.opts.SessionName
	}))
	p.creds[account] = assumed{external: external, creds: creds}
	return creds
}

// throttleLocked is the APIOptions entry that throttles and counts (account,
// region)'s requests. p.mu is held (or p not yet shared).
func (p *Provider) throttleLocked(account, region string) func(*middleware.Stack) error {
	t := &throttle{account: account, region: region, counter: p.opts.Counter}
	return t.addThrottle
}

// stsOptions are the options of the base STS client (identity and AssumeRole). Its
// requests are throttled under ("", region): the caller's account is not known
// before it answers. p is not yet shared.
func (p *Provider) stsOptions(g *endpointGuard, region string) []func(*sts.Options) {
	mw, ep := p.throttleLocked("", region), p.endpoint()
	return with(func(o *sts.Options) { o.APIOptions = append(o.APIOptions, mw); setEndpoint(&o.BaseEndpoint, ep) },
		p.opts.ClientOptions.STS, func(o *sts.Options) { g.check("sts", o.BaseEndpoint) })
}

// endpoint is Options.Endpoint, or nil.
func (p *Provider) endpoint() *string {
	if p.opts.Endpoint == "" {
		return nil
	}
	return aws.String(p.opts.Endpoint)
}

// setEndpoint makes Options.Endpoint win over the per-service AWS_ENDPOINT_URL_*
// variables and profile sections, which the SDK applies after cfg.BaseEndpoint.
func setEndpoint(dst **string, ep *string) {
	if ep != nil {
		*dst = ep
	}
}

// endpointGuard enforces RequireEndpoint on each client as finally configured
// (after the environment's per-service endpoints and the caller's hooks): the first
// client without a safe endpoint makes the whole build fail.
type endpointGuard struct {
	on  bool
	err error
}

func (g *endpointGuard) check(service string, ep *string) {
	if !g.on || g.err != nil {
		return
	}
	if err := checkTestEndpoint(ep); err != nil {
		g.err = fmt.Errorf("%s client: %w", service, err)
	}
}

// build makes every service client of cfg, or fails in RequireEndpoint mode when
// one would reach AWS. p.mu is held.
func (p *Provider) build(cfg aws.Config, account, region string) (*cloud.Clients, error) {
	mw, ep := p.throttleLocked(account, region), p.endpoint()
	h := p.opts.ClientOptions
	g := &endpointGuard{on: p.opts.RequireEndpoint}
	c := &cloud.Clients{
		Account: account,
		Region:  region,
		Now:     time.Now,
		ECS: ecs.NewFromConfig(cfg, with(func(o *ecs.Options) { o.APIOptions = append(o.APIOptions, mw); setEndpoint(&o.BaseEndpoint, ep) },
			h.ECS, func(o *ecs.Options) { g.check("ecs", o.BaseEndpoint) })...),
		ELBv2: elbv2.NewFromConfig(cfg, with(func(o *elbv2.Options) { o.APIOptions = append(o.APIOptions, mw); setEndpoint(&o.BaseEndpoint, ep) },
			h.ELBv2, func(o *elbv2.Options) { g.check("elbv2", o.BaseEndpoint) })...),
		CloudWatch: cloudwatch.NewFromConfig(cfg, with(func(o *cloudwatch.Options) { o.APIOptions = append(o.APIOptions, mw); setEndpoint(&o.BaseEndpoint, ep) },
			h.CloudWatch, func(o *cloudwatch.Options) { g.check("cloudwatch", o.BaseEndpoint) })...),
		AutoScaling: applicationautoscaling.NewFromConfig(cfg, with(func(o *applicationautoscaling.Options) {
			o.APIOptions = append(o.APIOptions, mw)
			setEndpoint(&o.BaseEndpoint, ep)
		},
			h.AutoScaling, func(o *applicationautoscaling.Options) { g.check("application-autoscaling", o.BaseEndpoint) })...),
		EC2: ec2.NewFromConfig(cfg, with(func(o *ec2.Options) { o.APIOptions = append(o.APIOptions, mw); setEndpoint(&o.BaseEndpoint, ep) },
			h.EC2, func(o *ec2.Options) { g.check("ec2", o.BaseEndpoint) })...),
		CloudFormation: cloudformation.NewFromConfig(cfg, with(func(o *cloudformation.Options) {
			o.APIOptions = append(o.APIOptions, mw)
			setEndpoint(&o.BaseEndpoint, ep)
		},
			h.CloudFormation, func(o *cloudformation.Options) { g.check("cloudformation", o.BaseEndpoint) })...),
		IAM: iam.NewFromConfig(cfg, with(func(o *iam.Options) { o.APIOptions = append(o.APIOptions, mw); setEndpoint(&o.BaseEndpoint, ep) },
			h.IAM, func(o *iam.Options) { g.check("iam", o.BaseEndpoint) })...),
		Tagging: resourcegroupstaggingapi.NewFromConfig(cfg, with(func(o *resourcegroupstaggingapi.Options) {
			o.APIOptions = append(o.APIOptions, mw)
			setEndpoint(&o.BaseEndpoint, ep)
		},
			h.Tagging, func(o *resourcegroupstaggingapi.Options) { g.check("tagging", o.BaseEndpoint) })...),
		STS: sts.NewFromConfig(cfg, with(func(o *sts.Options) { o.APIOptions = append(o.APIOptions, mw); setEndpoint(&o.BaseEndpoint, ep) },
			h.STS, func(o *sts.Options) { g.check("sts", o.BaseEndpoint) })...),
		Quotas: servicequotas.NewFromConfig(cfg, with(func(o *servicequotas.Options) {
			o.APIOptions = append(o.APIOptions, mw)
			setEndpoint(&o.BaseEndpoint, ep)
		},
			h.Quotas, func(o *servicequotas.Options) { g.check("servicequotas", o.BaseEndpoint) })...),
		GlobalAccelerator: globalaccelerator.NewFromConfig(cfg, with(func(o *globalaccelerator.Options) {
			o.APIOptions = append(o.APIOptions, mw)
			setEndpoint(&o.BaseEndpoint, ep)
			o.Region = GlobalAcceleratorRegion // the only region that serves the API
		},
			h.GA, func(o *globalaccelerator.Options) { g.check("globalaccelerator", o.BaseEndpoint) })...),
	}
	p.buildMore(cfg, c, mw, g)
	if g.err != nil {
		return nil, fmt.Errorf("awsprovider: RequireEndpoint: %w", g.err)
	}
	return c, nil
}

// with orders a client's options: the provider's own first, then the caller's
// hooks (which see and may change them), then the endpoint guard, which sees the
// final result.
func with[O any](own func(*O), hooks []func(*O), guard func(*O)) []func(*O) {
	out := append([]func(*O){own}, hooks...)
	return append(out, guard)
}
