// Package route53 is LABS.md Lab 3: the student points a name at their ALB first
// with an A/Alias record and then with a CNAME, and sees the difference — one
// lookup step against two, the alias's fixed 60 s TTL against the CNAME's own,
// and that only an alias can sit at a zone apex.
//
// The names (zoneOf, one function of the target and the class's mode): in a
// shared-account class, the class zone <class>.labs.example.com in the shared
// account (made by the lab's StackParams on first use and tagged
// labdash:student=shared), in which a student may change only
// <student>.<class zone> and the names below it (grants.go, the
// route53:ChangeResourceRecordSetsNormalizedRecordNames condition key). In an
// account-per-student class, each student account's own zone
// <student>.<class>.labs.example.com, so the student owns its apex too
// (checkpoint 6), delegated from the class zone <class>.labs.example.com in
// labdash's own account: provisioning writes the NS record there (stack.go), and
// the lab reads it back once per class (observe.go). Either way the student's
// record is www.<student>.<class>.labs.example.com.
//
// The lab reads AWS in batches (observe.go): the zone's records in one
// paginated listing for all its students every 30 s (the whole class in a shared
// account; in account mode each student's zone, and the parent's delegations once
// per class a minute); the ALBs and target groups 20
// names a call; target health per target group every 15 s; and one TestDNSAnswer
// per student only when the student's record changed (or every 5 minutes), since
// Route 53's API allows an account 5–10 requests a second. The dashboard's own
// resolver (cloud.Clients.DNS) traces the answer step by step for the DNS panel
// (widgets.go).
//
// The "Change status" widget (LABS.md Lab 3's live widgets: GetChange until
// INSYNC) needs the ids of the students' change batches, which only CloudTrail
// tells: one LookupEvents poller per account in us-east-1 (Route 53's events are
// recorded there) finds the ChangeResourceRecordSets events, attributes each to
// the students whose names it changed, and GetChange follows each batch to
// INSYNC (observe_changes.go, widgets_changes.go). On AWS an event reaches the
// event history 5–15 minutes after the change, so the widget shows a change
// late, usually already in sync. The dashboard's own role needs
// cloudtrail:LookupEvents and route53:GetChange (the monitor policy); students
// need neither.
package route53

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// ID is the lab's id.
const ID = "route53"

// ZoneDomain is the parent of every class zone: <class>.labs.example.com. On AWS
// the zone answers Route 53's TestDNSAnswer whether or not the parent delegates
// to it; a public resolver finds it only once it does (docs/aws-setup.md).
const ZoneDomain = "labs.example.com"

//go:embed template.yaml
var template []byte

// Names of a student's resources, by the lab's convention (LABS.md Lab 3).
func lbName(t labs.Target) string { return t.Prefix + "r53-alb" }
func tgName(t labs.Target) string { return t.Prefix + "r53-tg" }

// classZone is the class zone <class>.labs.example.com, absolute and lowercase:
// the zone of a shared-account class, and in an account-per-student class the
// parent in labdash's own account that delegates to each student's zone.
func classZone(classID string) string { return strings.ToLower(classID) + "." + ZoneDomain + "." }

// studentName is the name the student owns, <student>.<class zone>: names below
// it in the class zone (shared account), or their own zone's apex (own account).
func studentName(t labs.Target) string {
	return strings.ToLower(t.StudentID) + "." + classZone(t.ClassID)
}

// zoneOf is the zone the student's records live in, absolute and lowercase: the
// class zone in a shared-account class, the student's own zone (their
// studentName, a sub-zone the class zone delegates to) in an account-per-student
// class. Every name the lab uses follows from it.
func zoneOf(t labs.Target) string {
	if t.OwnAccount {
		return studentName(t)
	}
	return classZone(t.ClassID)
}

// recordName is the student's record: www.<student>.<class zone>.
func recordName(t labs.Target) string { return "www." + studentName(t) }

// Lab returns the lab's registration.
func Lab() labs.Lab {
	return labs.Lab{
		ID: ID, Order: 3,
		Title:       "Route 53 alias vs CNAME",
		Summary:     "Point a name at an ALB with an alias record, then a CNAME, and compare the answers.",
		Checkpoints: checkpoints(),
		Widgets:     widgets(),
		Observe:     Observe,
		Template:    template,
		StackParams: stackParams,
		Demo:        true,
		Cleanup:     []string{"AWS::Route53::RecordSet", "AWS::Route53::HostedZone", "AWS::EC2::Instance", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::EC2::SecurityGroup"},
		Script:      script(),
		Grants:      grants,
		Summarize:   Summary,
		Actions:     actions(),
		Quotas: []labs.QuotaNeed{
			{Service: "elasticloadbalancing", Code: "L-53DA6B97", Name: "Application Load Balancers per Region", PerStudent: 1},
		},
		Mistakes: map[string]string{
			mistakeIPRecord:   "creates a plain A record holding an address instead of an alias, so it breaks when the ALB's addresses change",
			mistakeCNAMEFirst: "creates the CNAME while the A alias is still there, and Route 53 refuses it (a CNAME cannot share its name)",
			mistakeWrongName:  "names the record web.<student>… instead of www.<student>…",
		},
	}
}

// findZone is the id of the public zone called name, or "".
func findZone(ctx context.Context, c *cloud.Clients, name string) (string, error) {
	zones, err := listZones(ctx, c)
	if err != nil {
		return "", err
	}
	for _, z := range zones {
		if strings.EqualFold(aws.ToString(z.Name), name) && (z.Config == nil || !z.Config.PrivateZone) {
			return strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/"), nil
		}
	}
	return "", nil
}

// zonePages bounds ListHostedZones' pages (100 zones each).
const zonePages = 20

func listZones(ctx context.Context, c *cloud.Clients) ([]r53types.HostedZone, error) {
	var all []r53types.HostedZone
	p := route53.NewListHostedZonesPaginator(c.Route53, &route53.ListHostedZonesInput{})
	for page := 0; page < zonePages && p.HasMorePages(); page++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("route53: list hosted zones: %w", err)
		}
		all = append(all, out.HostedZones...)
	}
	return all, nil
}
