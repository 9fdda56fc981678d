package route53

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// TestOnMoto runs the lab's provisioning of the class zone (twice, as two
// students' stacks would: one zone, tagged) and its read path through
// aws-sdk-go-v2 against moto: the ALB and target group by name, the zone's records
// in one listing, the alias judged, then the CNAME that replaces it, and another
// class's look-alike record left out.
func TestOnMoto(t *testing.T) {
	awstest.Reset(t)
	ctx := context.Background()
	c, err := awstest.NewProvider(t, awsprovider.Options{}).Clients(ctx, "", awstest.Region)
	if err != nil {
		t.Fatal(err)
	}
	if c.DNS != nil {
		t.Fatal("clients on an AWS double have a DNS resolver: the monitor would send the lab's names to the machine's resolver")
	}
	me := labs.NewTarget("c42", "s07", c.Account, awstest.Region)
	lab := Lab()
	p1, err := lab.StackParams(ctx, labs.StackEnv{C: c, T: me})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := lab.StackParams(ctx, labs.StackEnv{C: c, T: labs.NewTarget("c42", "s08", c.Account, awstest.Region)})
	if err != nil || p2["HostedZoneId"] != p1["HostedZoneId"] || p1["RecordName"] != "www.s07.c42.labs.example.com" {
		t.Fatalf("second student's params %v (first %v): %v", p2, p1, err)
	}
	zid := p1["HostedZoneId"]
	tags, err := c.Route53.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone, ResourceId: aws.String(zid)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tg := range tags.ResourceTagSet.Tags {
		got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if got["labdash:class"] != "c42" || got["labdash:student"] != "shared" {
		t.Errorf("class zone tags %v", got)
	}
	vpcs, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil || len(vpcs.Vpcs) == 0 {
		t.Fatalf("moto has no default VPC: %v", err)
	}
	vpc := aws.ToString(vpcs.Vpcs[0].VpcId)
	subs, _ := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	lbOut, err := c.ELBv2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(lbName(me)),
		Subnets: []string{aws.ToString(subs.Subnets[0].SubnetId), aws.ToString(subs.Subnets[1].SubnetId)}})
	if err != nil {
		t.Fatal(err)
	}
	lb := lbOut.LoadBalancers[0]
	if _, err := c.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(tgName(me)), Protocol: "HTTP", Port: aws.Int32(80), VpcId: aws.String(vpc)}); err != nil {
		t.Fatal(err)
	}
	change := func(chs ...r53types.Change) {
		t.Helper()
		if _, err := c.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zid), ChangeBatch: &r53types.ChangeBatch{Changes: chs}}); err != nil {
			t.Fatal(err)
		}
	}
	aliasRR := newRecord(me, aws.ToString(lb.DNSName), aws.ToString(lb.CanonicalHostedZoneId), false)
	change(r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: aliasRR},
		r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("www.s07x.c42.labs.example.com"), Type: r53types.RRTypeA,
			TTL: aws.Int64(60), ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("192.0.2.1")}}}})
	cache := labs.NewCache()
	judge := func(id string) labs.Result {
		t.Helper()
		all, err := lab.Observe(ctx, c, cache, []labs.Target{me})
		if err != nil {
			t.Fatal(err)
		}
		o := all["s07"].(*Observation)
		if len(o.Near) != 0 {
			t.Errorf("a look-alike name was taken for the student's: %+v", o.Near)
		}
		for _, cp := range lab.Checkpoints {
			if cp.ID == id {
				return cp.Check(o)
			}
		}
		t.Fatalf("no checkpoint %s", id)
		return labs.Result{}
	}
	if r := judge("alias-record"); r.Status != labs.Pass {
		t.Errorf("alias on moto: %s %s", r.Status, r.Evidence)
	}
	cur, err := c.Route53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zid), StartRecordName: aws.String(recordName(me)), StartRecordType: r53types.RRTypeA, MaxItems: aws.Int32(1)})
	if err != nil || len(cur.ResourceRecordSets) == 0 {
		t.Fatalf("read the alias back: %v", err)
	}
	change(r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: &cur.ResourceRecordSets[0]},
		r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: newRecord(me, aws.ToString(lb.DNSName), "", true)})
	clockSkip(cache, me)
	if r := judge("cname-record"); r.Status != labs.Pass {
		t.Errorf("CNAME on moto: %s %s", r.Status, r.Evidence)
	}
}

// clockSkip forgets the group's last record listing, so the next Observe lists
// again rather than waiting recordsEvery of wall time.
func clockSkip(cache *labs.Cache, t labs.Target) {
	zr := labs.Keep[zoneRead](cache, "", ID)
	zr.at = zr.at.Add(-2 * recordsEvery)
}

// TestAccountModeOnMoto runs account mode's provisioning through aws-sdk-go-v2
// against moto, across two accounts: the student's (reached by AssumeRole) gets
// its own zone, tagged for the student, and labdash's own account the class zone
// with the NS record naming the student zone's name servers (GetHostedZone's
// DelegationSet), TTL 300; provisioning twice leaves one of each; the lab's read
// of the parent from the student's clients finds the delegation.
func TestAccountModeOnMoto(t *testing.T) {
	awstest.Reset(t)
	ctx := context.Background()
	p := awstest.NewProvider(t, awsprovider.Options{})
	const student = "111122223333"
	c, err := p.Clients(ctx, student, awstest.Region)
	if err != nil {
		t.Fatal(err)
	}
	dash, err := c.Dashboard(ctx)
	if err != nil || dash.Account == student || dash.Account == "" {
		t.Fatalf("labdash's own account from the student's clients: %v %v", dash, err)
	}
	me := labs.NewTarget("c42", "s07", student, awstest.Region)
	me.OwnAccount = true
	lab := Lab()
	var params map[string]string
	for i := 0; i < 2; i++ {
		if params, err = lab.StackParams(ctx, labs.StackEnv{C: c, T: me}); err != nil {
			t.Fatal(err)
		}
	}
	if params["RecordName"] != "www.s07.c42.labs.example.com" {
		t.Errorf("params %v", params)
	}
	zones := func(c *cloud.Clients) []r53types.HostedZone {
		out, err := c.Route53.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out.HostedZones
	}
	sz, pz := zones(c), zones(dash)
	if len(sz) != 1 || aws.ToString(sz[0].Name) != "s07.c42.labs.example.com." || !strings.HasSuffix(aws.ToString(sz[0].Id), params["HostedZoneId"]) {
		t.Fatalf("student account zones %+v, params %v", sz, params)
	}
	if len(pz) != 1 || aws.ToString(pz[0].Name) != "c42.labs.example.com." {
		t.Fatalf("labdash's account zones %+v", pz)
	}
	hz, err := c.Route53.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(params["HostedZoneId"])})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := dash.Route53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: pz[0].Id})
	if err != nil {
		t.Fatal(err)
	}
	var ns []r53types.ResourceRecordSet
	for _, rr := range recs.ResourceRecordSets {
		if rr.Type == r53types.RRTypeNs && strings.EqualFold(aws.ToString(rr.Name), "s07.c42.labs.example.com.") {
			ns = append(ns, rr)
		}
	}
	if len(ns) != 1 || aws.ToInt64(ns[0].TTL) != 300 || !sameServers(values2(ns[0]), hz.DelegationSet.NameServers) {
		t.Fatalf("delegation %+v, want one NS record TTL 300 naming %v", ns, hz.DelegationSet.NameServers)
	}
	tags, err := c.Route53.ListTagsForResource(ctx, &route53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone, ResourceId: aws.String(params["HostedZoneId"])})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tg := range tags.ResourceTagSet.Tags {
		got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if got["labdash:class"] != "c42" || got["labdash:student"] != "s07" {
		t.Errorf("student zone tags %v", got)
	}
	all, err := lab.Observe(ctx, c, labs.NewCache(), []labs.Target{me})
	if err != nil {
		t.Fatal(err)
	}
	if d := all["s07"].(*Observation).Delegation; d == nil || d.State != Delegated {
		t.Errorf("the lab's read of the delegation on moto: %+v", d)
	}
}

func values2(rr r53types.ResourceRecordSet) []string {
	var out []string
	for _, v := range rr.ResourceRecords {
		out = append(out, aws.ToString(v.Value))
	}
	return out
}
