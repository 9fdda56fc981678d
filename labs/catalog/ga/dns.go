package ga

// Checkpoint 7 (optional): a DNS name for the accelerator — an A record holding
// both static IPs, or an alias to the accelerator's DNS name. Route 53 is read
// once per batch: every hosted zone, every record set (paged, capped), and the
// records whose first label starts with a student's prefix go to that student.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// dnsPages bounds the record-set pages read per zone and read.
const dnsPages = 10

// dnsEvery is how often Route 53 is read (LABS.md Lab 3: "Refresh on demand or
// every 30 s"); between reads the last records stand.
const dnsEvery = 30 * time.Second

// dnsRead is the group's last Route 53 read: every A record of every zone.
type dnsRead struct {
	at      time.Time
	records []r53types.ResourceRecordSet
	problem string // why the last read failed ("" if it did not)
}

func observeDNS(ctx context.Context, c *cloud.Clients, cache *labs.Cache, targets []labs.Target, obs map[string]*Observation) {
	if c.Route53 == nil {
		return
	}
	now := c.Clock()
	last := labs.Keep[dnsRead](cache, "", "dns")
	if last.at.IsZero() || now.Sub(last.at) >= dnsEvery || now.Before(last.at) {
		if records, err := readARecords(ctx, c); err != nil {
			last.problem = "route 53: " + err.Error() // the last records stand
		} else {
			last.at, last.records, last.problem = now, records, ""
		}
	}
	for _, o := range obs {
		if last.problem != "" {
			o.Problems = append(o.Problems, last.problem)
		}
	}
	for _, rr := range last.records {
		first := strings.TrimPrefix(strings.ToLower(aws.ToString(rr.Name)), `\052.`)
		for _, t := range targets {
			if strings.HasPrefix(first, strings.ToLower(t.Prefix)) {
				obs[t.StudentID].Records = append(obs[t.StudentID].Records, rr)
			}
		}
	}
}

// readARecords reads the A records of every hosted zone, at most dnsPages pages a
// zone. A zone whose records cannot be read is skipped (its records are not the
// class's, or it went away); the zone list failing fails the read.
func readARecords(ctx context.Context, c *cloud.Clients) ([]r53types.ResourceRecordSet, error) {
	zones, err := c.Route53.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
	if err != nil {
		return nil, fmt.Errorf("zones: %w", err)
	}
	var out []r53types.ResourceRecordSet
	for _, z := range zones.HostedZones {
		p := route53.NewListResourceRecordSetsPaginator(c.Route53, &route53.ListResourceRecordSetsInput{HostedZoneId: z.Id})
		for page := 0; page < dnsPages && p.HasMorePages(); page++ {
			res, err := p.NextPage(ctx)
			if err != nil {
				break
			}
			for _, rr := range res.ResourceRecordSets {
				if rr.Type == r53types.RRTypeA {
					out = append(out, rr)
				}
			}
		}
	}
	return out, nil
}

func checkDNS(o *Observation) labs.Result {
	if len(o.Records) == 0 {
		return labs.Pendingf("no A record named %s… yet", o.Target.Prefix)
	}
	if o.Accelerator == nil {
		return labs.Failf("%s exists but there is no accelerator", aws.ToString(o.Records[0].Name))
	}
	want := ips(o.Accelerator)
	dnsName := strings.TrimSuffix(strings.ToLower(aws.ToString(o.Accelerator.DnsName)), ".")
	for _, rr := range o.Records {
		name := aws.ToString(rr.Name)
		if rr.AliasTarget != nil && dnsName != "" && strings.TrimSuffix(strings.ToLower(aws.ToString(rr.AliasTarget.DNSName)), ".") == dnsName {
			return labs.Passf("%s is an alias to %s", name, dnsName)
		}
		got := map[string]bool{}
		for _, v := range rr.ResourceRecords {
			got[aws.ToString(v.Value)] = true
		}
		all := len(want) > 0
		for _, ip := range want {
			all = all && got[ip]
		}
		if all {
			return labs.Passf("%s holds both static IPs %s", name, strings.Join(want, ", "))
		}
	}
	rr := o.Records[0]
	var vals []string
	for _, v := range rr.ResourceRecords {
		vals = append(vals, aws.ToString(v.Value))
	}
	if rr.AliasTarget != nil {
		vals = append(vals, "alias "+aws.ToString(rr.AliasTarget.DNSName))
	}
	return labs.Failf("%s points at %s, not at the accelerator (%s or both of %s)", aws.ToString(rr.Name), strings.Join(vals, ", "), dnsName, strings.Join(want, ", "))
}
