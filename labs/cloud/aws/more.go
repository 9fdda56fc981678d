package awsprovider

// The other labs' service clients, built the same way as the Fargate lab's:
// throttled and counted, pointed at Options.Endpoint, checked by RequireEndpoint.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	"github.com/aws/smithy-go/middleware"

	"github.com/labdash/labdash/labs/cloud"
)

// MoreClientOptions are ClientOptions' hooks for the other labs' services.
type MoreClientOptions struct {
	Logs             []func(*cloudwatchlogs.Options)
	S3               []func(*s3.Options)
	RDS              []func(*rds.Options)
	Route53          []func(*route53.Options)
	Lambda           []func(*lambda.Options)
	DynamoDB         []func(*dynamodb.Options)
	SNS              []func(*sns.Options)
	SQS              []func(*sqs.Options)
	Cognito          []func(*cognitoidentityprovider.Options)
	CognitoIdentity  []func(*cognitoidentity.Options)
	ElasticBeanstalk []func(*elasticbeanstalk.Options)
	Macie            []func(*macie2.Options)
	PCA              []func(*acmpca.Options)
	ACM              []func(*acm.Options)
	ASG              []func(*autoscaling.Options)
	XRay             []func(*xray.Options)
	CloudTrail       []func(*cloudtrail.Options)
	Events           []func(*eventbridge.Options)
	Rekognition      []func(*rekognition.Options)
}

// buildMore adds the other labs' clients to c. p.mu is held.
func (p *Provider) buildMore(cfg aws.Config, c *cloud.Clients, mw func(*middleware.Stack) error, g *endpointGuard) {
	ep, h := p.endpoint(), p.opts.ClientOptions.More
	c.Logs = cloudwatchlogs.NewFromConfig(cfg, svcOpts(mw, ep, g, "logs", func(o *cloudwatchlogs.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.Logs)...)
	c.S3 = s3.NewFromConfig(cfg, svcOpts(mw, ep, g, "s3", func(o *s3.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.S3)...)
	c.RDS = rds.NewFromConfig(cfg, svcOpts(mw, ep, g, "rds", func(o *rds.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.RDS)...)
	c.Route53 = route53.NewFromConfig(cfg, svcOpts(mw, ep, g, "route53", func(o *route53.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.Route53)...)
	c.Lambda = lambda.NewFromConfig(cfg, svcOpts(mw, ep, g, "lambda", func(o *lambda.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.Lambda)...)
	c.DynamoDB = dynamodb.NewFromConfig(cfg, svcOpts(mw, ep, g, "dynamodb", func(o *dynamodb.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.DynamoDB)...)
	c.SNS = sns.NewFromConfig(cfg, svcOpts(mw, ep, g, "sns", func(o *sns.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.SNS)...)
	c.SQS = sqs.NewFromConfig(cfg, svcOpts(mw, ep, g, "sqs", func(o *sqs.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.SQS)...)
	c.Cognito = cognitoidentityprovider.NewFromConfig(cfg, svcOpts(mw, ep, g, "cognito-idp", func(o *cognitoidentityprovider.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.Cognito)...)
	c.CognitoIdentity = cognitoidentity.NewFromConfig(cfg, svcOpts(mw, ep, g, "cognito-identity", func(o *cognitoidentity.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.CognitoIdentity)...)
	c.ElasticBeanstalk = elasticbeanstalk.NewFromConfig(cfg, svcOpts(mw, ep, g, "elasticbeanstalk", func(o *elasticbeanstalk.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.ElasticBeanstalk)...)
	c.Macie = macie2.NewFromConfig(cfg, svcOpts(mw, ep, g, "macie2", func(o *macie2.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.Macie)...)
	c.PCA = acmpca.NewFromConfig(cfg, svcOpts(mw, ep, g, "acm-pca", func(o *acmpca.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.PCA)...)
	c.ACM = acm.NewFromConfig(cfg, svcOpts(mw, ep, g, "acm", func(o *acm.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.ACM)...)
	c.XRay = xray.NewFromConfig(cfg, svcOpts(mw, ep, g, "xray", func(o *xray.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.XRay)...)
	c.CloudTrail = cloudtrail.NewFromConfig(cfg, svcOpts(mw, ep, g, "cloudtrail", func(o *cloudtrail.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.CloudTrail)...)
	c.Events = eventbridge.NewFromConfig(cfg, svcOpts(mw, ep, g, "events", func(o *eventbridge.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.Events)...)
	c.Rekognition = rekognition.NewFromConfig(cfg, svcOpts(mw, ep, g, "rekognition", func(o *rekognition.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.Rekognition)...)
	c.HTTP = httpProber{}
	if ep == nil && cfg.BaseEndpoint == nil && !p.opts.RequireEndpoint {
		// Real AWS only: against an AWS double (moto, a test endpoint) there is no
		// DNS to ask, and the machine's resolver is not one to send test names to.
		c.DNS = sysResolver{}
	}
	account := c.Account
	c.InRegion = func(ctx context.Context, region string) (*cloud.Clients, error) {
		return p.Clients(ctx, account, region)
	}
	region := c.Region
	c.Dashboard = func(ctx context.Context) (*cloud.Clients, error) { return p.Clients(ctx, "", region) }
	c.ASG = autoscaling.NewFromConfig(cfg, svcOpts(mw, ep, g, "autoscaling", func(o *autoscaling.Options) (*[]func(*middleware.Stack) error, **string) {
		return &o.APIOptions, &o.BaseEndpoint
	}, h.ASG)...)
}

// svcOpts is one client's options: the throttle and the endpoint first, then the
// caller's hooks, then the endpoint guard (see with).
func svcOpts[O any](mw func(*middleware.Stack) error, ep *string, g *endpointGuard, name string,
	fields func(*O) (*[]func(*middleware.Stack) error, **string), hooks []func(*O)) []func(*O) {
	return with(func(o *O) {
		api, base := fields(o)
		*api = append(*api, mw)
		setEndpoint(base, ep)
	}, hooks, func(o *O) {
		_, base := fields(o)
		g.check(name, *base)
	})
}

// httpProber is cloud.Prober over the network: one GET with a 3 s timeout, no
// redirects followed, at most 4 KiB of body read (Lab 5's probe of a static IP).
type httpProber struct{}

var probeClient = &http.Client{Timeout: 3 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (httpProber) Get(ctx context.Context, url string) (cloud.ProbeResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return cloud.ProbeResult{}, err
	}
	start := time.Now()
	resp, err := probeClient.Do(req)
	if err != nil {
		return cloud.ProbeResult{}, fmt.Errorf("probe %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return cloud.ProbeResult{Status: resp.StatusCode, Body: string(body), Latency: time.Since(start)}, nil
}
