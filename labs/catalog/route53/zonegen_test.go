package route53

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestZoneMadeAgainAfterItsDeletion: a caller reference stays used after its zone
// is deleted (the simulator, like Route 53, answers HostedZoneAlreadyExists), so
// a class provisioned again after its cleanup gets its zone under the next
// generation of the reference; when several provisioners race to remake it, they
// all end with the one zone, never two zones of the same name.
func TestZoneMadeAgainAfterItsDeletion(t *testing.T) {
	ctx := context.Background()
	w := sim.New(sim.Options{Clock: sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)), DefaultAccount: "111122223333", Seed: 4})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	name := classZone("c42")
	zones := func() (ids, refs []string) {
		t.Helper()
		out, err := c.Route53.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, z := range out.HostedZones {
			if aws.ToString(z.Name) == name {
				ids = append(ids, strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/"))
				refs = append(refs, aws.ToString(z.CallerReference))
			}
		}
		return ids, refs
	}
	var seen []string
	for round := 1; round <= 3; round++ {
		const racers = 6
		got := make([]string, racers)
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = ensureZone(ctx, c, name, "c42", "shared")
			}()
		}
		wg.Wait()
		for i := range racers {
			if errs[i] != nil {
				t.Fatalf("round %d racer %d: %v", round, i, errs[i])
			}
			if got[i] != got[0] {
				t.Fatalf("round %d: racers got zones %v, want one", round, got)
			}
		}
		ids, refs := zones()
		if len(ids) != 1 || ids[0] != got[0] {
			t.Fatalf("round %d: zones named %s: %v (refs %v), want the one %s", round, name, ids, refs, got[0])
		}
		for _, old := range seen {
			if old == ids[0] {
				t.Fatalf("round %d: the deleted zone %s came back", round, old)
			}
		}
		seen = append(seen, ids[0])
		if _, err := c.Route53.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(ids[0])}); err != nil {
			t.Fatal(err)
		}
	}
}
