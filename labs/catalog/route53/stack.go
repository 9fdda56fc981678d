package route53

// The lab's StackParams: the class zone, found or made in the stack's account.
// Provisioning runs it (labs/ownpolicy scans this file for the provisioning
// policy, not the monitor's).

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// stackParams finds (or makes) the class zone in the stack's account and gives
// the template its id and the student's record name.
func stackParams(ctx context.Context, e labs.StackEnv) (map[string]string, error) {
	id, err := ensureZone(ctx, e.C, e.T.ClassID)
	if err != nil {
		return nil, err
	}
	return map[string]string{"HostedZoneId": id, "RecordName": strings.TrimSuffix(recordName(e.T), ".")}, nil
}

// ensureZone returns the id of the account's class zone, creating it, tagged,
// when there is none. Many students provision at once: the caller reference is
// the class's, so a second CreateHostedZone answers HostedZoneAlreadyExists and
// the zone is read again rather than made twice.
func ensureZone(ctx context.Context, c *cloud.Clients, classID string) (string, error) {
	if c.Route53 == nil {
		return "", errors.New("route53: no Route 53 client")
	}
	name := zoneName(classID)
	if id, err := classZone(ctx, c, name); err != nil || id != "" {
		return id, err
	}
	ref := "labdash-" + ID + "-" + classID
	out, err := c.Route53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(ref),
		HostedZoneConfig: &r53types.HostedZoneConfig{Comment: aws.String("labdash class " + classID + " (Lab 3)")}})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "HostedZoneAlreadyExists" {
		id, ferr := classZone(ctx, c, name)
		if ferr != nil || id != "" {
			return id, ferr
		}
		return "", fmt.Errorf("route53: the class zone %s was made with caller reference %s and is gone; it cannot be made again under it: %w", name, ref, err)
	}
	if err != nil {
		return "", fmt.Errorf("route53: create the class zone %s: %w", name, err)
	}
	id := strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")
	_, err = c.Route53.ChangeTagsForResource(ctx, &route53.ChangeTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone, ResourceId: aws.String(id),
		AddTags: []r53types.Tag{{Key: aws.String("labdash:class"), Value: aws.String(classID)}, {Key: aws.String("labdash:student"), Value: aws.String("shared")},
			{Key: aws.String("labdash:lab"), Value: aws.String(ID)}, {Key: aws.String("labdash:managed-by"), Value: aws.String("dashboard")}}})
	if err != nil {
		return "", fmt.Errorf("route53: tag the class zone %s: %w", name, err)
	}
	return id, nil
}

// classZone is the id of the public zone called name, or "" (its own listing:
// the provisioning policy reads this file's calls).
func classZone(ctx context.Context, c *cloud.Clients, name string) (string, error) {
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
