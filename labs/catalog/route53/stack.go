package route53

// The lab's StackParams: the student's zone, found or made, and in an
// account-per-student class its delegation from the class zone in labdash's own
// account. Provisioning runs it (labs/ownpolicy scans this file for the
// provisioning policy, not the monitor's).

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// delegationTTL is the TTL of the NS record that delegates a student's zone.
// AWS's default for NS records is 172800 s (two days), right for a zone that
// never moves; a class's zones do: a student cleaned up and provisioned again
// gets a new zone with other name servers, and resolvers holding the old NS for
// two days would find nothing for the student's names (a lame delegation) until
// it expired. 300 s lets a remade zone resolve within five minutes, and a
// removed delegation stop resolving as soon, at the price of resolvers asking
// the parent again every five minutes during a class.
const delegationTTL = 300

// stackParams finds (or makes) the student's zone in the stack's account and
// gives the template its id and the student's record name. In an
// account-per-student class it also makes sure the class zone exists in
// labdash's own account and delegates the student's zone from it.
func stackParams(ctx context.Context, e labs.StackEnv) (map[string]string, error) {
	owner := "shared"
	if e.T.OwnAccount {
		owner = e.T.StudentID
	}
	id, err := ensureZone(ctx, e.C, zoneOf(e.T), e.T.ClassID, owner)
	if err != nil {
		return nil, err
	}
	if e.T.OwnAccount {
		if err := delegate(ctx, e, id); err != nil {
			return nil, err
		}
	}
	return map[string]string{"HostedZoneId": id, "RecordName": strings.TrimSuffix(recordName(e.T), ".")}, nil
}

// delegate writes, in the class zone in labdash's own account (made when there
// is none), the NS record <student>.<class zone> holding the name servers of the
// student's zone zoneID: UPSERT, so provisioning again after the student's zone
// was remade points the name at the new one.
func delegate(ctx context.Context, e labs.StackEnv, zoneID string) error {
	if e.C.Dashboard == nil {
		return fmt.Errorf("route53: the delegation of %s needs labdash's own account, where the class zone %s lives, and these clients have none",
			strings.TrimSuffix(zoneOf(e.T), "."), strings.TrimSuffix(classZone(e.T.ClassID), "."))
	}
	dash, err := e.C.Dashboard(ctx)
	if err != nil {
		return fmt.Errorf("route53: labdash's own account, for the class zone %s: %w", strings.TrimSuffix(classZone(e.T.ClassID), "."), err)
	}
	if dash.Account != "" && dash.Account == e.C.Account {
		return fmt.Errorf("route53: student %s's account %s is labdash's own: an account-per-student class needs each student in an account of their own", e.T.StudentID, e.C.Account)
	}
	parent, err := ensureZone(ctx, dash, classZone(e.T.ClassID), e.T.ClassID, "shared")
	if err != nil {
		return err
	}
	hz, err := e.C.Route53.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(zoneID)})
	if err != nil {
		return fmt.Errorf("route53: the name servers of %s: %w", strings.TrimSuffix(zoneOf(e.T), "."), err)
	}
	if hz.DelegationSet == nil || len(hz.DelegationSet.NameServers) == 0 {
		return fmt.Errorf("route53: %s (%s) has no name servers to delegate to", strings.TrimSuffix(zoneOf(e.T), "."), zoneID)
	}
	rr := &r53types.ResourceRecordSet{Name: aws.String(studentName(e.T)), Type: r53types.RRTypeNs, TTL: aws.Int64(delegationTTL)}
	for _, ns := range hz.DelegationSet.NameServers {
		rr.ResourceRecords = append(rr.ResourceRecords, r53types.ResourceRecord{Value: aws.String(ns)})
	}
	in := &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(parent), ChangeBatch: &r53types.ChangeBatch{
		Comment: aws.String("labdash: delegate " + studentName(e.T) + " to student " + e.T.StudentID + "'s account"),
		Changes: []r53types.Change{{Action: r53types.ChangeActionUpsert, ResourceRecordSet: rr}}}}
	// Provisioning writes a class's delegations from several workers at once, and
	// Route 53 applies one change batch of a zone at a time (changeBatch).
	err = changeBatch(ctx, dash, in)
	if err != nil {
		return fmt.Errorf("route53: write the delegation of %s into %s: %w", strings.TrimSuffix(studentName(e.T), "."), strings.TrimSuffix(classZone(e.T.ClassID), "."), err)
	}
	return nil
}

// ensureZone returns the id of the account's public zone called name, creating
// it, tagged for the class and owner ("shared" for the class zone, the student
// for their own), when there is none. Many students provision at once: the
// caller reference is the zone's own (the class's, or the class's and the
// student's), so a second CreateHostedZone answers HostedZoneAlreadyExists and
// the zone is read again rather than made twice.
// zoneGenerations bounds how many times one zone is made again under a new
// caller reference (each try is one CreateHostedZone and one listing).
const zoneGenerations = 50

func ensureZone(ctx context.Context, c *cloud.Clients, name, classID, owner string) (string, error) {
	if c.Route53 == nil {
		return "", errors.New("route53: no Route 53 client")
	}
	if id, err := publicZone(ctx, c, name); err != nil || id != "" {
		return id, err
	}
	ref, what := "labdash-"+ID+"-"+classID, "the class zone"
	comment := "labdash class " + classID + " (Lab 3)"
	if owner != "shared" {
		ref, what = ref+"-"+owner, "the zone of student "+owner
		comment = "labdash class " + classID + ", student " + owner + " (Lab 3)"
	}
	// A caller reference stays used after its zone is deleted, so a zone made
	// again (a class provisioned after its cleanup, a student after theirs) takes
	// the next generation of it: -g2, -g3 … Everyone racing to make the zone tries
	// the same generation, so one wins and the others find its zone.
	base := ref
	var out *route53.CreateHostedZoneOutput
	for gen := 1; ; gen++ {
		if gen > 1 {
			ref = fmt.Sprintf("%s-g%d", base, gen)
		}
		var err error
		out, err = c.Route53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(ref),
			HostedZoneConfig: &r53types.HostedZoneConfig{Comment: aws.String(comment)}})
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "HostedZoneAlreadyExists" {
			id, ferr := publicZone(ctx, c, name)
			if ferr != nil || id != "" {
				return id, ferr
			}
			if gen < zoneGenerations {
				continue
			}
			return "", fmt.Errorf("route53: %s %s cannot be made again: its %d caller references (%s to %s) are used by zones since deleted; start a new class: %w", what, name, gen, base, ref, err)
		}
		if err != nil {
			return "", fmt.Errorf("route53: create %s %s: %w", what, name, err)
		}
		break
	}
	id := strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")
	_, err := c.Route53.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone, ResourceId: aws.String(id),
		AddTags: []r53types.Tag{{Key: aws.String("labdash:class"), Value: aws.String(classID)}, {Key: aws.String("labdash:student"), Value: aws.String(owner)},
			{Key: aws.String("labdash:lab"), Value: aws.String(ID)}, {Key: aws.String("labdash:managed-by"), Value: aws.String("dashboard")}}})
	if err != nil {
		return "", fmt.Errorf("route53: tag %s %s: %w", what, name, err)
	}
	return id, nil
}

// publicZone is the id of the public zone called name, or "" (its own listing:
// the provisioning policy reads this file's calls).
func publicZone(ctx context.Context, c *cloud.Clients, name string) (string, error) {
	p := route53.NewListHostedZonesPaginator(c.Route53, &route53.ListHostedZonesInput{})
	for page := 0; page < zonePages && p.HasMorePages(); page++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("route53: list hosted zones: %w", err)
		}
		for _, z := range out.HostedZones {
			if strings.EqualFold(aws.ToString(z.Name), name) && (z.Config == nil || !z.Config.PrivateZone) {
				return strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/"), nil
			}
		}
	}
	return "", nil
}

// sameServers reports whether two lists of name servers name the same servers:
// case, a trailing dot and order aside.
func sameServers(a, b []string) bool {
	na, nb := normServers(a), normServers(b)
	return len(na) > 0 && slices.Equal(na, nb)
}

// normServers is a list of name servers lowercase, without trailing dots, sorted
// and without repeats.
func normServers(ns []string) []string {
	out := make([]string, 0, len(ns))
	for _, s := range ns {
		out = append(out, strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "."))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// changeBatch sends one change batch, and while Route 53 answers
// PriorRequestNotComplete (another writer's batch of the same zone is still
// being applied: a shared class zone, many provisioning workers) tries again
// after 250 ms, 500 ms, 1 s, 2 s, as Route 53 advises; the SDK's retryer has
// already retried each attempt a few times.
func changeBatch(ctx context.Context, c *cloud.Clients, in *route53.ChangeResourceRecordSetsInput) error {
	for try := 0; ; try++ {
		_, err := c.Route53.ChangeResourceRecordSets(ctx, in)
		var busy *r53types.PriorRequestNotComplete
		if !errors.As(err, &busy) || try == 4 {
			return err
		}
		t := time.NewTimer(time.Duration(250<<try) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
