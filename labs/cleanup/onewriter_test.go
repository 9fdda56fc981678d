package cleanup

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/labdash/labdash/db"
	r53lab "github.com/labdash/labdash/labs/catalog/route53"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// zoneWriters wraps Route 53 clients to see how many change batches are in
// flight per hosted zone at once; each batch holds the zone a few milliseconds,
// as a real round trip would.
type zoneWriters struct {
	mu       sync.Mutex
	inflight map[string]int
	most     int
	changes  int
}

type trackedR53 struct {
	cloud.Route53
	z *zoneWriters
}

func (t *trackedR53) ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, opts ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	zone := aws.ToString(in.HostedZoneId)
	t.z.mu.Lock()
	t.z.inflight[zone]++
	t.z.changes++
	t.z.most = max(t.z.most, t.z.inflight[zone])
	t.z.mu.Unlock()
	time.Sleep(3 * time.Millisecond)
	defer func() { t.z.mu.Lock(); t.z.inflight[zone]--; t.z.mu.Unlock() }()
	return t.Route53.ChangeResourceRecordSets(ctx, in, opts...)
}

type trackedProvider struct {
	*sim.World
	z *zoneWriters
}

func (p trackedProvider) Clients(ctx context.Context, acct, region string) (*cloud.Clients, error) {
	c, err := p.World.Clients(ctx, acct, region)
	if err == nil && c.Route53 != nil {
		c.Route53 = &trackedR53{c.Route53, p.z}
	}
	return c, err
}

// TestOneWriterPerZone: a shared class zone holding many students' records is
// cleaned by one writer at a time (Route 53 answers PriorRequestNotComplete to
// a change batch sent while the zone applies another), with the executor's
// usual 4 workers per service; every record and then the zone go.
func TestOneWriterPerZone(t *testing.T) {
	f := newFixture(t)
	class := f.classWithLabs("Zone", 6, r53lab.ID)
	f.build(class)
	z := &zoneWriters{inflight: map[string]int{}}
	x := f.executor()
	x.Provider = trackedProvider{f.world, z}
	_, job := f.confirmAndRun(x, class)
	if job.State != db.JobDone {
		t.Fatalf("cleanup %s: %+v", job.State, job.Items)
	}
	if z.changes < 6 {
		t.Fatalf("%d change batches: the students' records were not all cleaned through Route 53", z.changes)
	}
	if z.most != 1 {
		t.Errorf("%d change batches were in flight at once in one zone; want one writer per zone", z.most)
	}
	zones, _ := f.c.Route53.ListHostedZones(f.ctx, &route53.ListHostedZonesInput{})
	if len(zones.HostedZones) != 0 {
		t.Errorf("zones left: %+v", zones.HostedZones)
	}
}
