package sim

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs/cloud"
)

func (e *env) zone(c *cloud.Clients, name string) string {
	e.t.Helper()
	out, err := c.Route53.CreateHostedZone(e.ctx, &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")
}

func (e *env) change(c *cloud.Clients, zone string, changes ...r53types.Change) error {
	_, err := c.Route53.ChangeResourceRecordSets(e.ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone),
		ChangeBatch: &r53types.ChangeBatch{Changes: changes}})
	return err
}

func (e *env) records(c *cloud.Clients, zone string, max int32) []r53types.ResourceRecordSet {
	e.t.Helper()
	var all []r53types.ResourceRecordSet
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone), MaxItems: aws.Int32(max)}
	for {
		out, err := c.Route53.ListResourceRecordSets(e.ctx, in)
		if err != nil {
			e.t.Fatal(err)
		}
		all = append(all, out.ResourceRecordSets...)
		if !out.IsTruncated {
			return all
		}
		in = &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone), MaxItems: aws.Int32(max),
			StartRecordName: out.NextRecordName, StartRecordType: out.NextRecordType, StartRecordIdentifier: out.NextRecordIdentifier}
	}
}

func aRecord(name string, ttl int64, ip string) *r53types.ResourceRecordSet {
	return &r53types.ResourceRecordSet{Name: aws.String(name), Type: r53types.RRTypeA, TTL: aws.Int64(ttl), ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(ip)}}}
}

func TestRoute53ZonesAndRecords(t *testing.T) {
	e := newEnv(t)
	eu, _ := e.w.Clients(e.ctx, "", "eu-west-1")
	zid := e.zone(eu, "C42.Labs.Example.com")
	// Global: every region's client sees the zone.
	got, err := e.c.Route53.GetHostedZone(e.ctx, &route53.GetHostedZoneInput{Id: aws.String("/hostedzone/" + zid)})
	if err != nil || aws.ToString(got.HostedZone.Name) != "c42.labs.example.com." || len(got.DelegationSet.NameServers) != 4 {
		t.Fatalf("get zone: %+v %v", got, err)
	}
	if _, err := e.c.Route53.ChangeTagsForResource(e.ctx, &route53.ChangeTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone,
		ResourceId: aws.String(zid), AddTags: []r53types.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}}}); err != nil {
		t.Fatal(err)
	}
	// The tagging API lists the zone in us-east-1, not in eu-west-1.
	if out, _ := e.c.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{}); len(out.ResourceTagMappingList) != 1 ||
		aws.ToString(out.ResourceTagMappingList[0].ResourceARN) != "arn:aws:route53:::hostedzone/"+zid {
		t.Errorf("tagging API in us-east-1: %+v", out.ResourceTagMappingList)
	}
	if out, _ := eu.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{}); len(out.ResourceTagMappingList) != 0 {
		t.Errorf("tagging API in eu-west-1 lists the zone")
	}
	recs := e.records(e.c, zid, 300)
	if len(recs) != 2 || recs[0].Type != r53types.RRTypeNs || recs[1].Type != r53types.RRTypeSoa {
		t.Fatalf("new zone holds %+v, want NS and SOA", recs)
	}
	w10 := aRecord("w.c42.labs.example.com", 60, "192.0.2.1")
	w10.SetIdentifier, w10.Weight = aws.String("one"), aws.Int64(10)
	w20 := aRecord("w.c42.labs.example.com", 60, "192.0.2.2")
	w20.SetIdentifier, w20.Weight = aws.String("two"), aws.Int64(20)
	alias := &r53types.ResourceRecordSet{Name: aws.String("www.s07.c42.labs.example.com"), Type: r53types.RRTypeA,
		AliasTarget: &r53types.AliasTarget{HostedZoneId: aws.String("Z35SXDOTRQ7X7K"), DNSName: aws.String("My-ALB-1.us-east-1.elb.amazonaws.com")}}
	if err := e.change(e.c, zid,
		r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: aRecord("*.C42S07.c42.labs.example.com.", 300, "192.0.2.7")},
		r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: w10},
		r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: w20},
		r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: alias},
	); err != nil {
		t.Fatal(err)
	}
	recs = e.records(e.c, zid, 300)
	var names []string
	for _, r := range recs {
		names = append(names, aws.ToString(r.Name)+"/"+string(r.Type)+"/"+aws.ToString(r.SetIdentifier))
	}
	want := "c42.labs.example.com./NS/,c42.labs.example.com./SOA/,\\052.c42s07.c42.labs.example.com./A/,www.s07.c42.labs.example.com./A/,w.c42.labs.example.com./A/one,w.c42.labs.example.com./A/two"
	if strings.Join(names, ",") != want {
		t.Errorf("listing order:\n got %s\nwant %s", strings.Join(names, ","), want)
	}
	for _, size := range []int32{1, 2, 5} {
		if n := len(e.records(e.c, zid, size)); n != 6 {
			t.Errorf("MaxItems %d: %d records, want 6", size, n)
		}
	}
	// The zone is not empty.
	if _, err := e.c.Route53.DeleteHostedZone(e.ctx, &route53.DeleteHostedZoneInput{Id: aws.String(zid)}); !errorsAs[*r53types.HostedZoneNotEmpty](err) {
		t.Fatalf("delete non-empty zone: %v", err)
	}
	// A DELETE must match exactly; a batch is all or nothing.
	wrong := aRecord("*.c42s07.c42.labs.example.com", 60, "192.0.2.7")
	if err := e.change(e.c, zid, r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: wrong}); !errorsAs[*r53types.InvalidChangeBatch](err) {
		t.Errorf("delete with the wrong TTL: %v", err)
	}
	if err := e.change(e.c, zid,
		r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: w10},
		r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: w20}); !errorsAs[*r53types.InvalidChangeBatch](err) {
		t.Errorf("batch with a duplicate create: %v", err)
	}
	if n := len(e.records(e.c, zid, 300)); n != 6 {
		t.Errorf("failed batch changed the zone: %d records", n)
	}
	if err := e.change(e.c, zid, r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{
		Name: aws.String("www.s07.c42.labs.example.com"), Type: r53types.RRTypeCname, TTL: aws.Int64(300),
		ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("x.example.org")}}}}); !errorsAs[*r53types.InvalidChangeBatch](err) {
		t.Errorf("CNAME beside an A record: %v", err)
	}
	if err := e.change(e.c, zid, r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: aRecord("other.example.org", 60, "192.0.2.9")}); !errorsAs[*r53types.InvalidChangeBatch](err) {
		t.Errorf("name outside the zone: %v", err)
	}
	if err := e.change(e.c, zid, r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: &recs[1]}); !errorsAs[*r53types.InvalidChangeBatch](err) {
		t.Errorf("delete the SOA: %v", err)
	}
	ttlAlias := *alias
	ttlAlias.TTL = aws.Int64(60)
	if err := e.change(e.c, zid, r53types.Change{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &ttlAlias}); !errorsAs[*r53types.InvalidInput](err) {
		t.Errorf("alias with a TTL: %v", err)
	}
	// Deleting each record exactly as listed empties the zone; then it can go.
	var dels []r53types.Change
	for i := range recs {
		if recs[i].Type == r53types.RRTypeNs || recs[i].Type == r53types.RRTypeSoa {
			continue
		}
		dels = append(dels, r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: &recs[i]})
	}
	if err := e.change(e.c, zid, dels...); err != nil {
		t.Fatalf("delete as listed: %v", err)
	}
	if _, err := e.c.Route53.DeleteHostedZone(e.ctx, &route53.DeleteHostedZoneInput{Id: aws.String(zid)}); err != nil {
		t.Fatalf("delete emptied zone: %v", err)
	}
	if _, err := eu.Route53.GetHostedZone(e.ctx, &route53.GetHostedZoneInput{Id: aws.String(zid)}); !errorsAs[*r53types.NoSuchHostedZone](err) {
		t.Errorf("deleted zone: %v", err)
	}
	if out, _ := e.c.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{}); len(out.ResourceTagMappingList) != 0 {
		t.Errorf("deleted zone still in the tagging API")
	}
	if _, err := e.c.Route53.CreateHostedZone(e.ctx, &route53.CreateHostedZoneInput{Name: aws.String("again.example.com"), CallerReference: aws.String("C42.Labs.Example.com")}); !errorsAs[*r53types.HostedZoneAlreadyExists](err) {
		t.Errorf("reused caller reference: %v", err)
	}
}
