package resources

// AWS::Route53::RecordSet — records cannot carry tags, so only the lister finds
// them. A record is the class's when
//   - its name is the student's: its first label (after a leading wildcard) starts
//     with the student's prefix (c42s07-app.example.com, *.c42s07.example.com), or
//     it lies under <student>.<class>. (www.s07.c42.labs.example.com, LABS.md
//     Lab 3's shared class zone) — in any zone, owned or not; or
//   - it lies in a hosted zone tagged labdash:class=<class> (or already proven
//     owned): all of such a zone's records go, so the zone can go after them.
// A zone's SOA and apex NS are never touched: they go with the zone. An NS record
// below a zone's apex delegates that name to another zone (account mode's
// <student>.<class>.labs.example.com in the class zone of labdash's account): it
// is the class's by the same rule, the student's its name names, and it is
// removed after the hosted zones it may delegate to (Candidate.After), so the
// student's zone goes first and the parent is updated after, as AWS advises.
//
// Route 53 deletes a record only when the DELETE gives it exactly as it exists, so
// Delete re-reads it and sends it back unchanged. A record has no ARN of its own;
// labdash names one arn:aws:route53:::hostedzone/ZONEID/recordset/NAME/TYPE[/SETID]
// with NAME as Route 53 lists it (lowercase, trailing dot, \052 for "*"). The
// guard sees the zone id (context) and the record's name and set identifier (own).
// Records tied to a health check, a traffic policy or a CIDR collection would name
// those too; they are reported, not planned.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::Route53::RecordSet",
		Gone:   []NotFound{{Code: "NoSuchHostedZone"}, {Code: "InvalidChangeBatch", Message: "but it was not found"}}, // its zone gone; "Tried to delete resource record set [name='…', type='A'] but it was not found"
		Global: true,
		Match: func(arn string) bool {
			_, _, _, _, ok := parseRecordARN(arn)
			return ok
		},
		Untaggable: true,
		// One change batch at a time per zone (PriorRequestNotComplete otherwise).
		OneWriter: func(arn string) string {
			zid, _, _, _, _ := parseRecordARN(arn)
			return zid
		},
		Under:  []string{"AWS::Route53::HostedZone"},
		Naming: NameDNS,
		// Candidates: every record of a zone the plan owns, and every record in any
		// zone whose name mentions the class (a student's name in a shared zone).
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			zones, err := listZones(ctx, c)
			if err != nil {
				return nil, err
			}
			var found []Candidate
			for _, z := range zones {
				id := strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/")
				zone := normName(aws.ToString(z.Name))
				_, owned := s.Owned[zoneARN(id)]
				records, err := listRecords(ctx, c, id)
				if isGone("AWS::Route53::HostedZone", err) {
					continue // deleted meanwhile
				}
				if err != nil {
					return nil, err
				}
				for _, rr := range records {
					name := aws.ToString(rr.Name)
					if normName(name) == zone && (rr.Type == r53types.RRTypeSoa || rr.Type == r53types.RRTypeNs) && rr.SetIdentifier == nil {
						continue // the zone's own SOA and NS go with the zone
					}
					if !owned && !strings.Contains(strings.ToLower(name), strings.ToLower(s.ClassID)) {
						continue // someone else's record in someone else's zone
					}
					f := Candidate{ARN: recordARN(id, name, rr.Type, aws.ToString(rr.SetIdentifier)), Name: name,
						Parents: []Link{{ARN: zoneARN(id), Tie: "a record in the hosted zone"}}}
					if rr.Type == r53types.RRTypeNs && rr.SetIdentifier == nil {
						// A delegation (LABS.md Lab 3, account mode: the class zone in
						// labdash's account hands <student>.<class zone> to the
						// student account's zone): removed after that zone is
						// deleted, as AWS advises, and its zone only after it.
						f.After = []string{"AWS::Route53::HostedZone"}
					}
					if extra := recordExtraIDs(&rr); extra != "" {
						f.Undeletable = "its deletion would also name " + extra + ", which cleanup does not handle: delete it by hand"
					}
					found = append(found, f)
				}
			}
			return found, nil
		},
		NameOf: func(arn string) string { _, name, _, _, _ := parseRecordARN(arn); return name },
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			zid, _, _, _, ok := parseRecordARN(r.ARN)
			if !ok {
				return fmt.Errorf("resources: %s is not a record set ARN", r.ARN)
			}
			del, err := currentRecord(ctx, c, r.ARN)
			if err != nil {
				return err
			}
			_, err = c.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zid),
				ChangeBatch: &r53types.ChangeBatch{Comment: aws.String("labdash cleanup"),
					Changes: []r53types.Change{{Action: r53types.ChangeActionDelete, ResourceRecordSet: del}}}})
			return err
		},
		// A student's records in one zone go in one ChangeBatch (LABS.md Lab 3
		// cleanup), each re-read just before and given back exactly as it is.
		// Route 53 takes at most 100 changes, 1,000 ResourceRecord elements and
		// 32,000 characters of values per request, and applies a batch all or
		// nothing: a record that changed or went between the read and the batch
		// fails the whole batch with InvalidChangeBatch, naming it.
		BatchMax: 100,
		DeleteBatch: func(ctx context.Context, c *cloud.Clients, refs []Ref) ([]bool, error) {
			gone := make([]bool, len(refs))
			zone := ""
			var changes []r53types.Change
			var sent []int // refs index of each change
			values, chars := 0, 0
			for i, r := range refs {
				zid, _, _, _, ok := parseRecordARN(r.ARN)
				if !ok {
					return gone, fmt.Errorf("resources: %s is not a record set ARN", r.ARN)
				}
				if zone != "" && zid != zone {
					return gone, fmt.Errorf("resources: one change batch cannot span hosted zones %s and %s", zone, zid)
				}
				zone = zid
				del, err := currentRecord(ctx, c, r.ARN)
				if errors.Is(err, ErrGone) {
					gone[i] = true
					continue
				}
				if err != nil {
					return gone, err
				}
				for _, v := range del.ResourceRecords {
					values++
					chars += len(aws.ToString(v.Value))
				}
				changes = append(changes, r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: del})
				sent = append(sent, i)
			}
			if len(changes) == 0 {
				return gone, nil
			}
			if len(changes) > 100 || values > 1000 || chars > 32000 {
				return gone, fmt.Errorf("resources: %d records with %d values (%d characters) exceed one change batch", len(changes), values, chars)
			}
			_, err := c.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone),
				ChangeBatch: &r53types.ChangeBatch{Comment: aws.String("labdash cleanup"), Changes: changes}})
			if err != nil {
				be := &BatchError{Err: err}
				for _, i := range batchNamed(err, changes) {
					be.Named = append(be.Named, sent[i])
				}
				return gone, be
			}
			return gone, nil
		},
		Targets: func(r Ref) (own, context []string) {
			zid, name, typ, set, ok := parseRecordARN(r.ARN)
			if !ok {
				return nil, nil
			}
			// The name alone is passed for the call's Name field; the call also
			// carries each record's name, type and set identifier together
			// (cloud.RecordSetID), and that must be this record's.
			own = []string{r.ARN, name, cloud.RecordSetID(name, typ, set)}
			if set != "" {
				own = append(own, set)
			}
			return own, []string{zid}
		},
	})
}

// currentRecord reads the record set arn names as it exists now, named as the
// plan (and the guard) spell it; ErrGone when it does not exist.
func currentRecord(ctx context.Context, c *cloud.Clients, arn string) (*r53types.ResourceRecordSet, error) {
	zid, name, typ, set, ok := parseRecordARN(arn)
	if !ok {
		return nil, fmt.Errorf("resources: %s is not a record set ARN", arn)
	}
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zid), StartRecordName: aws.String(name),
		StartRecordType: r53types.RRType(typ), MaxItems: aws.Int32(100)}
	if set != "" {
		in.StartRecordIdentifier = aws.String(set)
	}
	out, err := c.Route53.ListResourceRecordSets(ctx, in)
	if err != nil {
		return nil, err
	}
	for _, x := range out.ResourceRecordSets {
		if normName(aws.ToString(x.Name)) == normName(name) && string(x.Type) == typ && aws.ToString(x.SetIdentifier) == set {
			del := x
			del.Name = aws.String(name)
			return &del, nil
		}
	}
	return nil, ErrGone
}

// batchRecord finds the records an InvalidChangeBatch message names ("Tried to
// delete resource record set [name='www.s07.c42.labs.example.com.', type='A']
// but the values provided do not match the current values").
var batchRecord = regexp.MustCompile(`name='([^']*)', type='([^']*)'`)

// batchNamed returns the indexes of changes that err's messages name.
func batchNamed(err error, changes []r53types.Change) []int {
	var icb *r53types.InvalidChangeBatch
	if !errors.As(err, &icb) {
		return nil
	}
	msgs := append([]string{aws.ToString(icb.Message)}, icb.Messages...)
	seen := map[int]bool{}
	var out []int
	for _, m := range msgs {
		for _, sub := range batchRecord.FindAllStringSubmatch(m, -1) {
			for i, ch := range changes {
				rr := ch.ResourceRecordSet
				if !seen[i] && normName(aws.ToString(rr.Name)) == normName(sub[1]) && string(rr.Type) == sub[2] {
					seen[i] = true
					out = append(out, i)
				}
			}
		}
	}
	return out
}

// recordARN is labdash's name for a record set (Route 53 gives records none).
func recordARN(zoneID, name string, typ r53types.RRType, set string) string {
	arn := zoneARN(zoneID) + "/recordset/" + name + "/" + string(typ)
	if set != "" {
		arn += "/" + set
	}
	return arn
}

// parseRecordARN splits recordARN's result; the set identifier may hold "/".
func parseRecordARN(arn string) (zoneID, name, typ, set string, ok bool) {
	if Service(arn) != "route53" {
		return "", "", "", "", false
	}
	rest, found := strings.CutPrefix(Resource(arn), "hostedzone/")
	if !found {
		return "", "", "", "", false
	}
	zoneID, rest, found = strings.Cut(rest, "/recordset/")
	if !found || zoneID == "" || strings.Contains(zoneID, "/") {
		return "", "", "", "", false
	}
	name, rest, found = strings.Cut(rest, "/")
	if !found || name == "" {
		return "", "", "", "", false
	}
	typ, set, _ = strings.Cut(rest, "/")
	if typ == "" {
		return "", "", "", "", false
	}
	return zoneID, name, typ, set, true
}

// normName compares DNS names as Route 53 does: case-insensitive, absolute, with
// "*" and \052 the same.
func normName(name string) string {
	name = strings.ToLower(strings.ReplaceAll(name, `\052`, "*"))
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

// recordExtraIDs names what else a DELETE of rr would carry that the plan cannot
// cover (the guard would refuse it), or "".
func recordExtraIDs(rr *r53types.ResourceRecordSet) string {
	switch {
	case aws.ToString(rr.HealthCheckId) != "":
		return "health check " + aws.ToString(rr.HealthCheckId)
	case aws.ToString(rr.TrafficPolicyInstanceId) != "":
		return "traffic policy instance " + aws.ToString(rr.TrafficPolicyInstanceId)
	case rr.CidrRoutingConfig != nil:
		return "CIDR collection " + aws.ToString(rr.CidrRoutingConfig.CollectionId)
	}
	return ""
}

// listRecords pages through a zone's record sets.
func listRecords(ctx context.Context, c *cloud.Clients, zoneID string) ([]r53types.ResourceRecordSet, error) {
	var all []r53types.ResourceRecordSet
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)}
	for {
		out, err := c.Route53.ListResourceRecordSets(ctx, in)
		if err != nil {
			return nil, err
		}
		all = append(all, out.ResourceRecordSets...)
		if !out.IsTruncated {
			return all, nil
		}
		in = &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), StartRecordName: out.NextRecordName,
			StartRecordType: out.NextRecordType, StartRecordIdentifier: out.NextRecordIdentifier}
	}
}
