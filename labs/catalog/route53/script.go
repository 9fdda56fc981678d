package route53

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
)

// The usual mistakes.
const (
	mistakeIPRecord   = "ip-record"
	mistakeCNAMEFirst = "cname-first"
	mistakeWrongName  = "wrong-name"
)

func script() []labs.Step {
	return []labs.Step{
		{Name: "wait for the web server to be healthy", Think: 45 * time.Second, Do: waitHealthy},
		{Name: "create the A/Alias record", Think: 90 * time.Second, Do: createAlias},
		{Name: "wait for INSYNC", Think: 20 * time.Second, Do: waitInsync},
		{Name: "test the alias's answer", Think: 30 * time.Second, Do: func(ctx context.Context, e *labs.Env) error { return testAnswer(ctx, e, r53types.RRTypeA) }},
		{Name: "replace the alias with a CNAME", Think: 90 * time.Second, Do: replaceWithCNAME},
		{Name: "wait for INSYNC again", Think: 20 * time.Second, Do: waitInsync},
		{Name: "test the CNAME's answer", Think: 30 * time.Second, Do: func(ctx context.Context, e *labs.Env) error { return testAnswer(ctx, e, r53types.RRTypeCname) }},
	}
}

// name is the record name this student types (the wrong one, for some).
func name(e *labs.Env) string {
	if e.Persona.Makes(mistakeWrongName) {
		return "web." + studentName(e.T)
	}
	return recordName(e.T)
}

func stack(e *labs.Env) (zoneID, dns, lbZone string, err error) {
	zoneID, dns, lbZone = e.Stack["HostedZoneId"], e.Stack["LoadBalancerDNSName"], e.Stack["CanonicalHostedZoneID"]
	if zoneID == "" || dns == "" || lbZone == "" {
		return "", "", "", fmt.Errorf("the prerequisite stack has no outputs yet: %w", labs.ErrNotYet)
	}
	return zoneID, dns, lbZone, nil
}

func waitHealthy(ctx context.Context, e *labs.Env) error {
	arn := e.Stack["TargetGroupArn"]
	if arn == "" {
		return labs.ErrNotYet
	}
	out, err := e.C.ELBv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn)})
	if err != nil {
		return err
	}
	for _, d := range out.TargetHealthDescriptions {
		if d.TargetHealth != nil && d.TargetHealth.State == elbtypes.TargetHealthStateEnumHealthy {
			return nil
		}
	}
	return labs.ErrNotYet
}

// change sends one change batch; a zone busy with another student's batch
// (PriorRequestNotComplete) is tried again later, as Route 53 advises.
func change(ctx context.Context, e *labs.Env, zoneID string, changes ...r53types.Change) error {
	out, err := e.C.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID),
		ChangeBatch: &r53types.ChangeBatch{Changes: changes}})
	var busy *r53types.PriorRequestNotComplete
	if errors.As(err, &busy) {
		return labs.ErrNotYet
	}
	if err != nil {
		return err
	}
	e.Memo["change"] = aws.ToString(out.ChangeInfo.Id)
	return nil
}

func createAlias(ctx context.Context, e *labs.Env) error {
	zoneID, dns, lbZone, err := stack(e)
	if err != nil {
		return err
	}
	rr := newRecord(e.T, dns, lbZone, false)
	rr.Name = aws.String(name(e))
	if e.Persona.Makes(mistakeIPRecord) {
		// The student looks the ALB up and pastes its addresses into a plain A record.
		ips := []string{"192.0.2.10"}
		if e.C.DNS != nil {
			if ans, err := e.C.DNS.Resolve(ctx, dns, "A"); err == nil && len(ans) > 0 {
				ips = ips[:0]
				for _, a := range ans {
					if a.Type == "A" {
						ips = append(ips, a.Data)
					}
				}
			}
		}
		rr = &r53types.ResourceRecordSet{Name: aws.String(name(e)), Type: r53types.RRTypeA, TTL: aws.Int64(300)}
		for _, ip := range ips {
			rr.ResourceRecords = append(rr.ResourceRecords, r53types.ResourceRecord{Value: aws.String(ip)})
		}
	}
	err = change(ctx, e, zoneID, r53types.Change{Action: r53types.ChangeActionUpsert, ResourceRecordSet: rr})
	return err
}

func waitInsync(ctx context.Context, e *labs.Env) error {
	id := e.Memo["change"]
	if id == "" {
		return nil
	}
	out, err := e.C.Route53.GetChange(ctx, &route53.GetChangeInput{Id: aws.String(id)})
	if err != nil {
		return err
	}
	if out.ChangeInfo.Status != r53types.ChangeStatusInsync {
		return labs.ErrNotYet
	}
	return nil
}

func testAnswer(ctx context.Context, e *labs.Env, typ r53types.RRType) error {
	zoneID, _, _, err := stack(e)
	if err != nil {
		return err
	}
	_, err = e.C.Route53.TestDNSAnswer(ctx, &route53.TestDNSAnswerInput{HostedZoneId: aws.String(zoneID),
		RecordName: aws.String(strings.TrimSuffix(name(e), ".")), RecordType: typ})
	if err == nil && e.C.DNS != nil {
		_, _ = e.C.DNS.Resolve(ctx, name(e), "A") // the student runs dig; what it says is on the dashboard
	}
	return err
}

// replaceWithCNAME deletes the A record and creates the CNAME in one batch; a
// student making the cname-first mistake creates the CNAME beside the A record,
// which Route 53 refuses (InvalidChangeBatch), and keeps trying that.
func replaceWithCNAME(ctx context.Context, e *labs.Env) error {
	zoneID, dns, lbZone, err := stack(e)
	if err != nil {
		return err
	}
	cname := newRecord(e.T, dns, lbZone, true)
	cname.Name = aws.String(name(e))
	if e.Persona.Makes(mistakeCNAMEFirst) {
		return change(ctx, e, zoneID, r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: cname})
	}
	out, err := e.C.Route53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID),
		StartRecordName: aws.String(name(e)), StartRecordType: r53types.RRTypeA, MaxItems: aws.Int32(1)})
	if err != nil {
		return err
	}
	var changes []r53types.Change
	for i := range out.ResourceRecordSets {
		rr := &out.ResourceRecordSets[i]
		if rr.Type == r53types.RRTypeA && strings.EqualFold(strings.TrimSuffix(aws.ToString(rr.Name), "."), strings.TrimSuffix(name(e), ".")) {
			changes = append(changes, r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: rr})
		}
	}
	return change(ctx, e, zoneID, append(changes, r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: cname})...)
}
