package awsprovider_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53"

	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

// TestAccountWideBucketsAreShared: Route 53 throttles per account, so the calls of
// two Providers, each with clients in two regions, all draw on one bucket (4/s,
// burst 5): ten calls cannot finish in under (10-5)/4 s. With a bucket per
// Provider and region they would have four bursts of 5 and finish at once.
func TestAccountWideBucketsAreShared(t *testing.T) {
	awstest.Reset(t)
	ctx := t.Context()
	p1 := awstest.NewProvider(t, awsprovider.Options{})
	p2 := awstest.NewProvider(t, awsprovider.Options{})
	var r53 []*route53.Client
	for _, p := range []*awsprovider.Provider{p1, p2} {
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			c, err := p.Clients(ctx, "", region)
			if err != nil {
				t.Fatal(err)
			}
			r53 = append(r53, c.Route53.(*route53.Client))
		}
	}
	start := time.Now()
	for i := range 10 {
		if _, err := r53[i%len(r53)].ListHostedZones(ctx, &route53.ListHostedZonesInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if elapsed := time.Since(start); elapsed < 1200*time.Millisecond {
		t.Errorf("10 Route 53 calls over 2 providers × 2 regions took %v; one account bucket of 4/s, burst 5 needs ≥ 1.25 s", elapsed)
	}
}
