package resources_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

func TestRoute53RecordSetSim(t *testing.T)  { testRoute53RecordSet(t, simEnv(t)) }
func TestRoute53RecordSetMoto(t *testing.T) { testRoute53RecordSet(t, motoEnv(t)) }

// r53World is three zones: example.com (nobody's: untagged), the class zone
// c7k2q.labs.example.com (tagged for the class, student "shared") and another
// class's zone, each holding the class's records and decoys.
type r53World struct {
	public, class, foreign string // zone ids
}

func (e *env) r53Zone(name string, tags map[string]string) string {
	e.t.Helper()
	out, err := e.c.Route53.CreateHostedZone(e.ctx, &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(name)})
	if err != nil {
		e.t.Fatalf("create zone %s: %v", name, err)
	}
	id := strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")
	if len(tags) > 0 {
		var add []r53types.Tag
		for k, v := range tags {
			add = append(add, r53types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		if _, err := e.c.Route53.ChangeTagsForResource(e.ctx, &route53.ChangeTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone,
			ResourceId: aws.String(id), AddTags: add}); err != nil {
			e.t.Fatal(err)
		}
	}
	return id
}

func r53A(name string, ttl int64, ips ...string) *r53types.ResourceRecordSet {
	rr := &r53types.ResourceRecordSet{Name: aws.String(name), Type: r53types.RRTypeA, TTL: aws.Int64(ttl)}
	for _, ip := range ips {
		rr.ResourceRecords = append(rr.ResourceRecords, r53types.ResourceRecord{Value: aws.String(ip)})
	}
	return rr
}

func (e *env) r53Create(zone string, sets ...*r53types.ResourceRecordSet) {
	e.t.Helper()
	var changes []r53types.Change
	for _, rr := range sets {
		changes = append(changes, r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: rr})
	}
	if _, err := e.c.Route53.ChangeResourceRecordSets(e.ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone),
		ChangeBatch: &r53types.ChangeBatch{Changes: changes}}); err != nil {
		e.t.Fatalf("create records in %s: %v", zone, err)
	}
}

// r53Names lists a zone's record sets as "name type[ setid]", names normalised.
func (e *env) r53Names(zone string) []string {
	e.t.Helper()
	out, err := e.c.Route53.ListResourceRecordSets(e.ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone)})
	if err != nil {
		e.t.Fatal(err)
	}
	var names []string
	for _, rr := range out.ResourceRecordSets {
		n := strings.ToLower(strings.ReplaceAll(aws.ToString(rr.Name), `\052`, "*")) + " " + string(rr.Type)
		if rr.SetIdentifier != nil {
			n += " " + *rr.SetIdentifier
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (e *env) r53Seed() r53World {
	w := r53World{
		public:  e.r53Zone("example.com", nil),
		class:   e.r53Zone(classID+".labs.example.com", map[string]string{"labdash:class": classID, "labdash:student": "shared"}),
		foreign: e.r53Zone("c9zzz.labs.example.com", map[string]string{"labdash:class": "c9zzz", "labdash:student": "shared"}),
	}
	weighted := r53A(classID+"s01-w.example.com", 60, "192.0.2.10")
	weighted.SetIdentifier, weighted.Weight = aws.String("blue"), aws.Int64(10)
	e.r53Create(w.public,
		&r53types.ResourceRecordSet{Name: aws.String(classID + "s01-app.example.com"), Type: r53types.RRTypeCname, TTL: aws.Int64(300),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("my-alb-1.us-east-1.elb.amazonaws.com")}}},
		r53A("*."+classID+"s01.example.com", 120, "192.0.2.1", "192.0.2.2"),
		weighted,
		&r53types.ResourceRecordSet{Name: aws.String(classID + "s02-alias.example.com"), Type: r53types.RRTypeA,
			AliasTarget: &r53types.AliasTarget{HostedZoneId: aws.String("Z35SXDOTRQ7X7K"), DNSName: aws.String("dualstack.my-alb-2.us-east-1.elb.amazonaws.com"), EvaluateTargetHealth: true}},
		// Decoys: another class's prefix, someone else's name.
		r53A("c9zzzs01-app.example.com", 60, "192.0.2.3"),
		r53A("www.example.com", 60, "192.0.2.4"),
	)
	e.r53Create(w.class,
		r53A("api."+classID+".labs.example.com", 60, "192.0.2.5"),
		r53A("www.s02."+classID+".labs.example.com", 60, "192.0.2.6"),
	)
	e.r53Create(w.foreign, r53A("www.c9zzz.labs.example.com", 60, "192.0.2.7"))
	return w
}

// testRoute53RecordSet: the lister proves the records named for a student in any
// zone and every record of the class's zone (not its SOA and NS), and nothing else;
// each is deleted exactly as it exists through the guard; the zones and the decoys
// stay.
func testRoute53RecordSet(t *testing.T, e *env) {
	w := e.r53Seed()
	typ, _ := resources.Lookup("AWS::Route53::RecordSet")
	scope := resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}, Owned: map[string]resources.Ref{}}
	zones, err := judge(e.ctx, mustType(t, "AWS::Route53::HostedZone"), e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	own(scope, zones) // records are listed under the zones the plan owns
	found, err := judge(e.ctx, typ, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // record → student
		classID + "s01-app.example.com. CNAME":        "s01",
		"*." + classID + "s01.example.com. A":         "s01",
		classID + "s01-w.example.com. A blue":         "s01",
		classID + "s02-alias.example.com. A":          "s02",
		"api." + classID + ".labs.example.com. A":     "", // in the class's zone: class-wide
		"www.s02." + classID + ".labs.example.com. A": "s02",
	}
	got := map[string]cleanup.Item{}
	for _, f := range found {
		typ2, ok := resources.ForARN(f.ARN)
		if !ok || typ2.Name != "AWS::Route53::RecordSet" {
			t.Errorf("%s is not recognised as a record set", f.ARN)
		}
		_, rest, _ := strings.Cut(f.ARN, "/recordset/")
		parts := strings.SplitN(rest, "/", 3)
		key := strings.ToLower(strings.ReplaceAll(parts[0], `\052`, "*")) + " " + parts[1]
		if len(parts) == 3 {
			key += " " + parts[2]
		}
		got[key] = f
		st, ok := want[key]
		switch {
		case !ok:
			t.Errorf("lister found %s (%s), which is not the class's", key, f.Proof)
		case f.Proof == "" && st != "-":
			t.Errorf("%s: not proven: %s", key, f.Reason)
		case f.Student != st:
			t.Errorf("%s: proof %q student %q, want student %s", key, f.Proof, f.Student, st)
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("lister did not find %s", k)
		}
	}
	zoneType, _ := resources.Lookup("AWS::Route53::HostedZone")
	for _, f := range got {
		if !typ.Match(f.ARN) || zoneType.Match(f.ARN) {
			t.Errorf("Match(%s): a record set, not a zone", f.ARN)
		}
		e.DeleteUntilGone(e.c, f.Ref, 5)
		e.Gone(e.c, f.Ref)
	}
	for zone, left := range map[string][]string{
		w.public:  {"c9zzzs01-app.example.com. A", "example.com. NS", "example.com. SOA", "www.example.com. A"},
		w.class:   {classID + ".labs.example.com. NS", classID + ".labs.example.com. SOA"},
		w.foreign: {"c9zzz.labs.example.com. NS", "c9zzz.labs.example.com. SOA", "www.c9zzz.labs.example.com. A"},
	} {
		if names := e.r53Names(zone); strings.Join(names, ",") != strings.Join(left, ",") {
			t.Errorf("zone %s holds %v, want %v", zone, names, left)
		}
	}
	// The untagged zone is never claimed, though it held the class's records.
	zones, err = judge(e.ctx, zoneType, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zones {
		if strings.HasSuffix(f.ARN, "/"+w.public) {
			t.Errorf("zone lister reports the untagged zone: %+v", f)
		}
	}
}

func TestRoute53RecordSetBatchSim(t *testing.T)  { testRoute53RecordSetBatch(t, simEnv(t)) }
func TestRoute53RecordSetBatchMoto(t *testing.T) { testRoute53RecordSetBatch(t, motoEnv(t)) }

// testRoute53RecordSetBatch: DeleteBatch, through a guard holding only the
// batch's records, deletes them in one ChangeBatch, each as it exists (alias,
// weighted, TTL and values), reports one already gone as gone, and leaves the
// zone's other records; a batch with a record whose values it was given wrong
// (as when the record changed after the read) fails whole, applies nothing, and
// names that record.
func testRoute53RecordSetBatch(t *testing.T, e *env) {
	w := e.r53Seed()
	typ, _ := resources.Lookup("AWS::Route53::RecordSet")
	ref := func(zone, name, rtype, set string) resources.Ref {
		arn := "arn:aws:route53:::hostedzone/" + zone + "/recordset/" + name + "/" + rtype
		if set != "" {
			arn += "/" + set
		}
		return resources.Ref{ARN: arn, Type: typ.Name, Student: "s01"}
	}
	refs := []resources.Ref{
		ref(w.public, classID+"s01-app.example.com.", "CNAME", ""),
		ref(w.public, classID+"s01-w.example.com.", "A", "blue"),
		ref(w.public, classID+"s02-alias.example.com.", "A", ""),
		ref(w.public, classID+"s01-never.example.com.", "A", ""), // no such record
	}
	g := cloud.Intercept(e.c, resources.Guard(refs, nil))
	gone, err := typ.DeleteBatch(e.ctx, g, refs)
	if err != nil {
		t.Fatalf("DeleteBatch: %v", err)
	}
	if len(gone) != 4 || gone[0] || gone[1] || gone[2] || !gone[3] {
		t.Errorf("gone %v, want only the missing record", gone)
	}
	want := []string{"*." + classID + "s01.example.com. A", "c9zzzs01-app.example.com. A", "example.com. NS", "example.com. SOA", "www.example.com. A"}
	if names := e.r53Names(w.public); strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("zone holds %v, want %v", names, want)
	}

	// A record that changes between DeleteBatch's read and its batch: the whole
	// batch is refused, nothing is applied, and the error names that record.
	// Moto deletes a record set without comparing the values it is given (AWS
	// requires them to match), so this half runs on the simulator only.
	if e.world == nil {
		return
	}
	api := ref(w.class, "api."+classID+".labs.example.com.", "A", "")
	www := ref(w.class, "www.s02."+classID+".labs.example.com.", "A", "")
	before := e.r53Names(w.class)
	changed := false
	racing := cloud.Intercept(e.c, func(ctx context.Context, call cloud.Call) error {
		if call.Op == "ChangeResourceRecordSets" && !changed {
			changed = true
			e.r53Upsert(w.class, r53A("www.s02."+classID+".labs.example.com.", 300, "192.0.2.6"))
		}
		return nil
	})
	_, err = typ.DeleteBatch(e.ctx, racing, []resources.Ref{api, www})
	var be *resources.BatchError
	switch {
	case !errors.As(err, &be):
		t.Fatalf("DeleteBatch with a record changed meanwhile: %v, want a BatchError", err)
	case resources.ErrorCode(err) != "InvalidChangeBatch" || len(be.Named) != 1 || be.Named[0] != 1:
		t.Errorf("BatchError %q (code %s) names %v, want the changed record (index 1)", err, resources.ErrorCode(err), be.Named)
	case errors.Is(err, resources.ErrGone):
		t.Errorf("a refused batch reads as gone: %v", err)
	}
	if names := e.r53Names(w.class); strings.Join(names, ",") != strings.Join(before, ",") {
		t.Errorf("a refused batch changed the zone: %v, was %v", names, before)
	}
	// Read again, both go as they are now.
	gone, err = typ.DeleteBatch(e.ctx, cloud.Intercept(e.c, resources.Guard([]resources.Ref{api, www}, nil)), []resources.Ref{api, www})
	if err != nil || gone[0] || gone[1] {
		t.Fatalf("DeleteBatch of the class zone's records: %v %v", gone, err)
	}
	if names := e.r53Names(w.class); len(names) != 2 {
		t.Errorf("class zone holds %v, want its SOA and NS", names)
	}
}

func (e *env) r53Upsert(zone string, rr *r53types.ResourceRecordSet) {
	e.t.Helper()
	if _, err := e.c.Route53.ChangeResourceRecordSets(e.ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionUpsert, ResourceRecordSet: rr}}}}); err != nil {
		e.t.Fatalf("upsert in %s: %v", zone, err)
	}
}

// TestGuardNamesRecordSetsByType: a plan holding www's A record lets cleanup
// delete that record and nothing else of the same name. A TXT record at www (a
// student's or anyone's, made after the plan) is refused by the guard, as is a
// weighted A record of another set identifier.
func TestGuardNamesRecordSetsByType(t *testing.T) {
	e := simEnv(t)
	w := e.r53Seed()
	typ, _ := resources.Lookup("AWS::Route53::RecordSet")
	name := "www.s02." + classID + ".labs.example.com."
	plan := []resources.Ref{{ARN: "arn:aws:route53:::hostedzone/" + w.class + "/recordset/" + name + "/A", Type: typ.Name, Student: "s02"}}
	var refused []*resources.Refused
	g := cloud.Intercept(e.c, resources.Guard(plan, func(r *resources.Refused) { refused = append(refused, r) }))
	del := func(rr *r53types.ResourceRecordSet) error {
		_, err := g.Route53.ChangeResourceRecordSets(e.ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(w.class),
			ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionDelete, ResourceRecordSet: rr}}}})
		return err
	}
	txt := &r53types.ResourceRecordSet{Name: aws.String(name), Type: r53types.RRTypeTxt, TTL: aws.Int64(60), ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(`"not the class's"`)}}}
	e.r53Upsert(w.class, txt)
	var ge *resources.Refused
	if err := del(txt); !errors.As(err, &ge) {
		t.Fatalf("deleting the unplanned TXT at the planned name: %v, want the guard's refusal", err)
	}
	weighted := r53A(name, 60, "192.0.2.9")
	weighted.SetIdentifier, weighted.Weight = aws.String("green"), aws.Int64(1)
	if err := del(weighted); !errors.As(err, &ge) {
		t.Errorf("a weighted A of another set identifier at the planned name: %v, want the guard's refusal", err)
	}
	if len(refused) != 2 {
		t.Errorf("%d refusals reported, want 2", len(refused))
	}
	current, err := e.c.Route53.ListResourceRecordSets(e.ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(w.class),
		StartRecordName: aws.String(name), StartRecordType: r53types.RRTypeA, MaxItems: aws.Int32(1)})
	if err != nil || len(current.ResourceRecordSets) != 1 || current.ResourceRecordSets[0].Type != r53types.RRTypeA {
		t.Fatalf("the planned A record: %v %v", current, err)
	}
	if err := del(&current.ResourceRecordSets[0]); err != nil {
		t.Errorf("deleting the planned A record: %v", err)
	}
	if names := e.r53Names(w.class); !slices.Contains(names, name+" TXT") {
		t.Errorf("the TXT record is gone: zone holds %v", names)
	}
}
