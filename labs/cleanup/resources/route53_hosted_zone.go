package resources

// AWS::Route53::HostedZone — a per-student zone (account mode) or the class zone,
// proven the class's only by its own tag labdash:class: a zone that is not tagged
// for the class is never deleted, whatever records under the class's names it
// holds (those are AWS::Route53::RecordSet's). Route 53 deletes a zone only when
// it holds nothing but its SOA and apex NS records, so the zone waits for its
// records (After) and answers Waiting while HostedZoneNotEmpty. Zones are global:
// the tagging API lists them in us-east-1 only, so the lister finds the class's
// zones (by their tags) when us-east-1 is not one of the class's regions.
// ARN: arn:aws:route53:::hostedzone/ZONEID.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::Route53::HostedZone",
		Gone:   []NotFound{{Code: "NoSuchHostedZone"}},
		After:  []string{"AWS::Route53::RecordSet"},
		Global: true,
		Match: func(arn string) bool {
			id, ok := strings.CutPrefix(Resource(arn), "hostedzone/")
			return Service(arn) == "route53" && ok && id != "" && !strings.Contains(id, "/")
		},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			// GetHostedZone first: moto answers ListTagsForResource for a deleted zone.
			if _, err := c.Route53.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(zoneID(r.ARN))}); err != nil {
				return nil, err
			}
			return zoneTags(ctx, c, zoneID(r.ARN))
		},
		// Zones are global: the tagging API lists them in us-east-1 only, so every
		// zone whose tags name a class is put forward (tags read here: the decision
		// keeps the class's and reports another class's).
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			zones, err := listZones(ctx, c)
			if err != nil {
				return nil, err
			}
			var found []Candidate
			for _, z := range zones {
				id := strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/")
				tags, err := zoneTags(ctx, c, id)
				switch {
				case isGone("AWS::Route53::HostedZone", err):
					continue // deleted meanwhile
				case err != nil:
					found = append(found, Candidate{ARN: zoneARN(id), TagsErr: err})
				case tags["labdash:class"] != "":
					found = append(found, Candidate{ARN: zoneARN(id), Tags: tags})
				}
			}
			return found, nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.Route53.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(zoneID(r.ARN))})
			if IsCode(err, "HostedZoneNotEmpty") {
				return Waiting("waiting", "the zone still holds record sets other than its SOA and NS: %v", err)
			}
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, zoneID(r.ARN)}, nil },
	})
}

func zoneARN(id string) string { return "arn:aws:route53:::hostedzone/" + id }

// zoneID is ZONEID in arn:aws:route53:::hostedzone/ZONEID[/…].
func zoneID(arn string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(Resource(arn), "hostedzone/"), "/")
	return id
}

func zoneTags(ctx context.Context, c *cloud.Clients, id string) (map[string]string, error) {
	out, err := c.Route53.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone, ResourceId: aws.String(id)})
	if err != nil {
		return nil, err
	}
	tags := map[string]string{}
	if out.ResourceTagSet != nil {
		for _, t := range out.ResourceTagSet.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

// listZones pages through every hosted zone of the account.
func listZones(ctx context.Context, c *cloud.Clients) ([]r53types.HostedZone, error) {
	var zones []r53types.HostedZone
	var marker *string
	for {
		out, err := c.Route53.ListHostedZones(ctx, &route53.ListHostedZonesInput{Marker: marker})
		if err != nil {
			return nil, err
		}
		zones = append(zones, out.HostedZones...)
		if !out.IsTruncated || aws.ToString(out.NextMarker) == "" {
			return zones, nil
		}
		marker = out.NextMarker
	}
}
