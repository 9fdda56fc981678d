package awstest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"

	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
)

// CloudWatchJSON makes a CloudWatch client speak awsJson1_0 instead of the Go SDK's
// default Smithy RPC v2 CBOR, which moto 5.2.5 does not speak: with CBOR,
// DescribeAlarms fails with "StatusCode: 404 … failed to decode response body,
// decode argument: unexpected minor value 28". Real CloudWatch speaks all three of
// CBOR, JSON 1.0 and query, so production keeps the SDK's default.
func CloudWatchJSON(o *cloudwatch.Options) {
	o.Protocol = awsjson.New10(schemas.GraniteServiceVersion20100801)
}

// S3PathStyle addresses buckets as http://moto/bucket rather than as a virtual
// host (bucket.moto), which a loopback endpoint cannot resolve.
func S3PathStyle(o *s3.Options) { o.UsePathStyle = true }

// MotoClientOptions are the client hooks every provider talking to moto needs.
func MotoClientOptions() awsprovider.ClientOptions {
	return awsprovider.ClientOptions{CloudWatch: []func(*cloudwatch.Options){CloudWatchJSON},
		More: awsprovider.MoreClientOptions{S3: []func(*s3.Options){S3PathStyle}}}
}

// NewProvider returns a real AWS provider wired to the test binary's moto (see Moto)
// in test mode: Endpoint is moto, RequireEndpoint is on, MotoClientOptions are
// appended to opts.ClientOptions, and MaxAttempts is 2 unless opts sets it.
func NewProvider(t testing.TB, opts awsprovider.Options) *awsprovider.Provider {
	t.Helper()
	opts.Endpoint = Moto(t)
	opts.RequireEndpoint = true
	if opts.MaxAttempts == 0 {
		opts.MaxAttempts = 2
	}
	opts.ClientOptions.CloudWatch = append(opts.ClientOptions.CloudWatch, CloudWatchJSON)
	opts.ClientOptions.More.S3 = append(opts.ClientOptions.More.S3, S3PathStyle)
	p, err := awsprovider.New(context.Background(), opts)
	if err != nil {
		t.Fatalf("awstest: provider: %v", err)
	}
	return p
}
