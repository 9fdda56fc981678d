package route53

// Rehearsal actions (simulator only): the instructor turns a virtual student's
// record into the other kind — the alias into a CNAME, or back — to show the
// class the answer panel change from one step to two, and the TTL with it.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
)

func actions() []labs.Action {
	const subject = "The student's record"
	return []labs.Action{
		{ID: "make-cname", Title: "Replace the alias with a CNAME", Done: "Replaced the alias with a CNAME (TTL 300 s)",
			Subject: subject, From: []string{"alias", "A record"}, State: recordKind,
			Do: func(ctx context.Context, e *labs.Env) error { return swapRecord(ctx, e, true) }},
		{ID: "make-alias", Title: "Replace the CNAME with an alias", Done: "Replaced the CNAME with an A/Alias record",
			Subject: subject, From: []string{"CNAME", "none"}, State: recordKind,
			Do: func(ctx context.Context, e *labs.Env) error { return swapRecord(ctx, e, false) }},
	}
}

// current reads the student's record sets at their name.
func current(ctx context.Context, e *labs.Env) (zoneID string, rrs []r53types.ResourceRecordSet, err error) {
	zoneID = e.Stack["HostedZoneId"]
	if zoneID == "" {
		if zoneID, err = findZone(ctx, e.C, zoneOf(e.T)); err != nil {
			return "", nil, err
		}
		if zoneID == "" {
			return "", nil, errors.New("there is no zone " + strings.TrimSuffix(zoneOf(e.T), ".") + " yet")
		}
	}
	name := recordName(e.T)
	out, err := e.C.Route53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), StartRecordName: aws.String(name), MaxItems: aws.Int32(10)})
	if err != nil {
		return "", nil, err
	}
	for _, rr := range out.ResourceRecordSets {
		if strings.EqualFold(strings.TrimSuffix(aws.ToString(rr.Name), "."), strings.TrimSuffix(name, ".")) {
			rrs = append(rrs, rr)
		}
	}
	return zoneID, rrs, nil
}

// recordKind is "alias", "A record", "CNAME" or "none".
func recordKind(ctx context.Context, e *labs.Env) (string, error) {
	_, rrs, err := current(ctx, e)
	if err != nil {
		return "", err
	}
	for _, rr := range rrs {
		switch {
		case rr.Type == r53types.RRTypeCname:
			return "CNAME", nil
		case rr.Type == r53types.RRTypeA && rr.AliasTarget != nil:
			return "alias", nil
		case rr.Type == r53types.RRTypeA:
			return "A record", nil
		}
	}
	return "none", nil
}

// swapRecord deletes the student's A and CNAME records at their name and creates
// the other kind, in one change batch (applied all or nothing).
func swapRecord(ctx context.Context, e *labs.Env, toCNAME bool) error {
	zoneID, rrs, err := current(ctx, e)
	if err != nil {
		return err
	}
	dns, lbZone := e.Stack["LoadBalancerDNSName"], e.Stack["CanonicalHostedZoneID"]
	if dns == "" || lbZone == "" {
		return fmt.Errorf("the student has no ALB yet: %w", labs.ErrNotYet)
	}
	var changes []r53types.Change
	for i := range rrs {
		if rrs[i].Type == r53types.RRTypeA || rrs[i].Type == r53types.RRTypeCname {
			changes = append(changes, r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: &rrs[i]})
		}
	}
	changes = append(changes, r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: newRecord(e.T, dns, lbZone, toCNAME)})
	// The class zone is shared: a virtual student's own change may be applying
	// (PriorRequestNotComplete), which must not fail the instructor's button.
	return changeBatch(ctx, e.C, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID),
		ChangeBatch: &r53types.ChangeBatch{Comment: aws.String("labdash rehearsal"), Changes: changes}})
}

// newRecord is the lab's alias (or CNAME, TTL 300 s as the console's default) to the ALB.
func newRecord(t labs.Target, dns, lbZone string, cname bool) *r53types.ResourceRecordSet {
	if cname {
		return &r53types.ResourceRecordSet{Name: aws.String(recordName(t)), Type: r53types.RRTypeCname, TTL: aws.Int64(300),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(dns)}}}
	}
	return &r53types.ResourceRecordSet{Name: aws.String(recordName(t)), Type: r53types.RRTypeA,
		AliasTarget: &r53types.AliasTarget{DNSName: aws.String("dualstack." + dns), HostedZoneId: aws.String(lbZone), EvaluateTargetHealth: true}}
}
