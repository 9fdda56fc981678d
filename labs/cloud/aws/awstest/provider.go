package awstest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
)

// CloudWatchJSON and S3PathStyle are the provider's hooks moto needs.
var (
	CloudWatchJSON = awsprovider.CloudWatchJSON
	S3PathStyle    = awsprovider.S3PathStyle
)

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
