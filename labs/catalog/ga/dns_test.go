package ga

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestDNSCadence: Route 53 is read at most every 30 s whatever the cycle rate, and
// the records read last stand in between (LABS.md Lab 3).
func TestDNSCadence(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2031, 1, 2, 3, 0, 0, 0, time.UTC))
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 5})
	raw, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	tg := labs.NewTarget("c44", "s01", "111122223333", "us-east-1")
	z, err := raw.Route53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("example.edu"), CallerReference: aws.String("z1")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id,
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{
			Name: aws.String(tg.Prefix + "ga.example.edu."), Type: r53types.RRTypeA, TTL: aws.Int64(60),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("75.2.0.1")}}}}}}}); err != nil {
		t.Fatal(err)
	}
	reads := map[string]int{}
	count := func(_ context.Context, call cloud.Call) error {
		if call.Service == "Route53" {
			reads[call.Op]++
		}
		return nil
	}
	cache := labs.NewCache()
	for i, step := range []struct {
		advance time.Duration
		zones   int // ListHostedZones calls so far
	}{{0, 1}, {2 * time.Second, 1}, {20 * time.Second, 1}, {8 * time.Second, 2}, {29 * time.Second, 2}} {
		clock.Advance(step.advance)
		fresh, err := w.Clients(ctx, "", "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		obs := map[string]*Observation{tg.StudentID: {Target: tg, Origins: map[string]*Origin{}}}
		observeDNS(ctx, cloud.Intercept(fresh, count), cache, []labs.Target{tg}, obs)
		if reads["ListHostedZones"] != step.zones || reads["ListResourceRecordSets"] != step.zones {
			t.Fatalf("cycle %d: %v, want %d of each", i, reads, step.zones)
		}
		if got := obs[tg.StudentID].Records; len(got) != 1 {
			t.Fatalf("cycle %d: %d records, want the student's one (read or remembered)", i, len(got))
		}
	}
}
