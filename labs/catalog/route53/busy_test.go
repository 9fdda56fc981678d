package route53

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs/cloud"
)

// busyZone answers PriorRequestNotComplete to the first busy change batches,
// then err (nil: applied).
type busyZone struct {
	cloud.Route53
	busy, calls int
	err         error
}

func (b *busyZone) ChangeResourceRecordSets(context.Context, *route53.ChangeResourceRecordSetsInput, ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	b.calls++
	if b.calls <= b.busy {
		return nil, &r53types.PriorRequestNotComplete{Message: aws.String("The request was rejected because Route 53 was still processing a prior request.")}
	}
	if b.err != nil {
		return nil, b.err
	}
	return &route53.ChangeResourceRecordSetsOutput{ChangeInfo: &r53types.ChangeInfo{Id: aws.String("/change/C1")}}, nil
}

// TestChangeBatchWaitsForABusyZone: a change batch to a shared zone another
// writer is still applying (a virtual student's step, another provisioning
// worker) is sent again until the zone takes it — the CI run in which an
// instructor's rehearsal button answered 502 PriorRequestNotComplete — but not
// forever, and no other error is retried.
func TestChangeBatchWaitsForABusyZone(t *testing.T) {
	in := &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String("Z1")}
	ctx := context.Background()
	z := &busyZone{busy: 2}
	if err := changeBatch(ctx, &cloud.Clients{Route53: z}, in); err != nil || z.calls != 3 {
		t.Errorf("busy twice: %v after %d calls, want applied on the third", err, z.calls)
	}
	z = &busyZone{busy: 100}
	var busy *r53types.PriorRequestNotComplete
	if err := changeBatch(ctx, &cloud.Clients{Route53: z}, in); !errors.As(err, &busy) || z.calls != 5 {
		t.Errorf("always busy: %v after %d calls, want PriorRequestNotComplete after 5", err, z.calls)
	}
	bad := &r53types.InvalidChangeBatch{Message: aws.String("RRSet of type CNAME … conflicts with other records")}
	z = &busyZone{err: bad}
	var invalid *r53types.InvalidChangeBatch
	if err := changeBatch(ctx, &cloud.Clients{Route53: z}, in); !errors.As(err, &invalid) || z.calls != 1 {
		t.Errorf("an invalid batch: %v after %d calls, want it returned at once", err, z.calls)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	z = &busyZone{busy: 100}
	if err := changeBatch(cctx, &cloud.Clients{Route53: z}, in); !errors.Is(err, context.Canceled) || z.calls != 1 {
		t.Errorf("cancelled while busy: %v after %d calls", err, z.calls)
	}
}
