package ga

// Checkpoint 7 (optional): a DNS name for the accelerator — an A record holding
// both static IPs, or an alias to the accelerator's DNS name. Route 53 is read
// once per batch: every hosted zone, every record set (paged, capped), and the
// records whose first label starts with a student's prefix go to that student.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// dnsPages bounds the record-set pages read per zone and cycle.
const dnsPages = 10

func observeDNS(ctx context.Context, c *cloud.Clients, targets []labs.Target, obs map[string]*Observation) {
	if c.Route53 == nil {
		return
	}
	zones, err := c.Route53.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
	if err != nil {
		for _, o := range obs {
			o.Problems = append(o.Problems, "route 53 zones: "+err.Error())
		}
		return
	}
	for _, z := range zones.HostedZones {
		in := &route53.ListResourceRecordSetsInput{HostedZoneId: z.Id}
		for page := 0; page < dnsPages; page++ {
			out, err := c.Route53.ListResourceRecordSets(ctx, in)
			if err != nil {
				break
			}
			for _, rr := range out.ResourceRecordSets {
				if rr.Type != r53types.RRTypeA {
					continue
				}
				first := strings.TrimPrefix(strings.ToLower(aws.ToString(rr.Name)), `\052.`)
				for _, t := range targets {
					if strings.HasPrefix(first, strings.ToLower(t.Prefix)) {
						obs[t.StudentID].Records = append(obs[t.StudentID].Records, rr)
					}
				}
			}
			if !out.IsTruncated {
				break
			}
			in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = out.NextRecordName, out.NextRecordType, out.NextRecordIdentifier
		}
	}
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
