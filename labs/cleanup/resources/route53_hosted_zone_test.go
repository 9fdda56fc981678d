package resources_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

func TestRoute53HostedZoneSim(t *testing.T)  { testRoute53HostedZone(t, simEnv(t)) }
func TestRoute53HostedZoneMoto(t *testing.T) { testRoute53HostedZone(t, motoEnv(t)) }

// testRoute53HostedZone: the lister proves the zone tagged for the class and
// reports another class's zone with its reason, never the untagged one; the
// class's zone waits while it holds records, and goes once the record-set type
// has deleted them (found under the owned zone); the other zones stay.
func testRoute53HostedZone(t *testing.T, e *env) {
	w := e.r53Seed()
	typ, _ := resources.Lookup("AWS::Route53::HostedZone")
	if !typ.Global || typ.Hourly != 0 {
		t.Errorf("Global %v Hourly %v", typ.Global, typ.Hourly)
	}
	scope := resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}, Owned: map[string]resources.Ref{}}
	found, err := judge(e.ctx, typ, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	var ref resources.Ref
	for _, f := range found {
		switch f.ARN {
		case "arn:aws:route53:::hostedzone/" + w.class:
			if f.Proof == "" || f.Student != "" { // tagged labdash:student=shared: class-wide
				t.Errorf("class zone not proven: %+v", f)
			}
			ref = f.Ref
		case "arn:aws:route53:::hostedzone/" + w.foreign:
			if f.Proof != "" || !strings.Contains(f.Reason, "c9zzz") {
				t.Errorf("another class's zone: %+v", f)
			}
		default:
			t.Errorf("lister found %s, which is not the class's", f.ARN)
		}
	}
	if ref.ARN == "" {
		t.Fatalf("lister did not find the class zone among %+v", found)
	}
	ref.Type = "AWS::Route53::HostedZone"
	if tags, err := typ.Tags(e.ctx, e.c, ref); err != nil || tags["labdash:class"] != classID {
		t.Errorf("Tags: %v %v", tags, err)
	}
	// Its records are still there: the zone waits.
	if err := typ.Delete(e.ctx, e.c, ref); !errors.Is(err, resources.ErrWaiting) {
		t.Fatalf("delete a zone with records: %v, want Waiting", err)
	}
	// The planner puts the zone in Owned; the record lister then finds all its records.
	scope.Owned[ref.ARN] = ref
	recType, _ := resources.Lookup("AWS::Route53::RecordSet")
	recs, err := judge(e.ctx, recType, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range recs {
		if f.Parent == ref.ARN && f.Proof != "" {
			e.DeleteUntilGone(e.c, f.Ref, 5)
			n++
		}
	}
	if n != 2 {
		t.Fatalf("deleted %d records of the class zone, want 2", n)
	}
	e.DeleteUntilGone(e.c, ref, 5)
	e.Gone(e.c, ref)
	if _, err := typ.Tags(e.ctx, e.c, ref); !errors.Is(err, resources.ErrGone) {
		t.Errorf("Tags of the deleted zone: %v, want ErrGone", err)
	}
	for _, id := range []string{w.public, w.foreign} {
		if _, err := e.c.Route53.GetHostedZone(e.ctx, &route53.GetHostedZoneInput{Id: aws.String(id)}); err != nil {
			t.Errorf("zone %s: %v", id, err)
		}
	}
}
