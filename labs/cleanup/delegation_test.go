package cleanup

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	r53lab "github.com/labdash/labdash/labs/catalog/route53"
)

// delegationClass is an account-per-student class in Lab 3 whose students s01
// and s02 each have an account and a zone of their own, delegated from the
// class zone in labdash's account (provisioned by the lab's StackParams), plus
// decoys in labdash's account: a near-miss delegation s010.<class> in the class
// zone (no such student), and another class's parent zone with a delegation of
// an s01 of its own.
func delegationClass(f *fixture) (class *db.Class, parentID, otherParent string, accounts map[string]string) {
	f.t.Helper()
	class = &db.Class{Name: "Dns", OwnerID: f.user.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationPerStudent, Labs: []string{r53lab.ID}}
	if err := f.store.CreateClass(f.ctx, class); err != nil {
		f.t.Fatal(err)
	}
	accounts = map[string]string{"s01": "222233334444", "s02": "333344445555"}
	sts, _, err := f.store.AddStudents(f.ctx, class.ID, []db.NewStudent{{Name: "A", Email: "a@example.edu", AccountID: accounts["s01"]}, {Name: "B", Email: "b@example.edu", AccountID: accounts["s02"]}})
	if err != nil {
		f.t.Fatal(err)
	}
	lab, _ := f.registry.Lab(r53lab.ID)
	for _, st := range sts {
		if st.AccountID != accounts[st.Slug] {
			f.t.Fatalf("student %s in %s, want %s", st.Slug, st.AccountID, accounts[st.Slug])
		}
		c, err := f.world.Clients(f.ctx, st.AccountID, "us-east-1")
		if err != nil {
			f.t.Fatal(err)
		}
		tg := labs.NewTarget(class.ID, st.Slug, st.AccountID, "us-east-1")
		tg.OwnAccount = true
		if _, err := lab.StackParams(f.ctx, labs.StackEnv{C: c, T: tg}); err != nil {
			f.t.Fatal(err)
		}
		f.clock.Advance(1e9)
	}
	parentID = f.zoneIn(f.c.Account, class.ID+".labs.example.com.")
	ns := func(zone, name string) {
		f.t.Helper()
		f.clock.Advance(1e9)
		if _, err := f.c.Route53.ChangeResourceRecordSets(f.ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone), ChangeBatch: &r53types.ChangeBatch{
			Changes: []r53types.Change{{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String(name), Type: r53types.RRTypeNs, TTL: aws.Int64(300),
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("ns-1.awsdns-01.org")}}}}}}}); err != nil {
			f.t.Fatal(err)
		}
	}
	ns(parentID, "s010."+class.ID+".labs.example.com")
	other := class.ID + "x"
	out, err := f.c.Route53.CreateHostedZone(f.ctx, &route53.CreateHostedZoneInput{Name: aws.String(other + ".labs.example.com"), CallerReference: aws.String("other")})
	if err != nil {
		f.t.Fatal(err)
	}
	otherParent = strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")
	if _, err := f.c.Route53.ChangeTagsForResource(f.ctx, &route53.ChangeTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone, ResourceId: aws.String(otherParent),
		AddTags: []r53types.Tag{{Key: aws.String("labdash:class"), Value: aws.String(other)}, {Key: aws.String("labdash:student"), Value: aws.String("shared")}}}); err != nil {
		f.t.Fatal(err)
	}
	ns(otherParent, "s01."+other+".labs.example.com")
	return class, parentID, otherParent, accounts
}

// zoneIn is the id of the zone called name in account, "" when there is none.
func (f *fixture) zoneIn(account, name string) string {
	f.t.Helper()
	c, err := f.world.Clients(f.ctx, account, "us-east-1")
	if err != nil {
		f.t.Fatal(err)
	}
	out, err := c.Route53.ListHostedZones(f.ctx, &route53.ListHostedZonesInput{})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, z := range out.HostedZones {
		if aws.ToString(z.Name) == name {
			return strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/")
		}
	}
	return ""
}

// nsNames lists the NS record names below zone's apex.
func (f *fixture) nsNames(zone string) []string {
	f.t.Helper()
	out, err := f.c.Route53.ListResourceRecordSets(f.ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone)})
	if err != nil {
		f.t.Fatal(err)
	}
	var names []string
	for _, rr := range out.ResourceRecordSets {
		if rr.Type == r53types.RRTypeNs && strings.Count(aws.ToString(rr.Name), ".") > 4 { // below <class>.labs.example.com.
			names = append(names, aws.ToString(rr.Name))
		}
	}
	return names
}

// TestStudentCleanupRemovesTheirDelegationAfterTheirZone: cleaning up s01 of an
// account-per-student class deletes s01's zone in their account and then (a
// higher rank: AWS deletes the child zone first, then updates the parent) the
// NS record that delegated it from the class zone in labdash's account, through
// the one ownership decision (the record lies in the class's tagged zone and
// names s01). s02's delegation, the near-miss s010 and another class's parent
// zone with its own s01 are not in the plan and are untouched.
func TestStudentCleanupRemovesTheirDelegationAfterTheirZone(t *testing.T) {
	f := newFixture(t)
	class, parentID, otherParent, accounts := delegationClass(f)
	x := f.executor()
	plan, err := x.Planner.PlanFor(f.ctx, class.ID, "s01")
	if err != nil {
		t.Fatal(err)
	}
	zone := f.zoneIn(accounts["s01"], "s01."+class.ID+".labs.example.com.")
	var zoneRank, nsRank int
	for _, it := range plan.Items {
		switch {
		case it.Type == "AWS::Route53::HostedZone" && strings.HasSuffix(it.ARN, "/"+zone):
			zoneRank = it.Rank
		case it.Type == "AWS::Route53::RecordSet" && strings.Contains(it.ARN, "/s01."+class.ID+".labs.example.com./NS"):
			nsRank = it.Rank
			if it.Student != "s01" || !strings.Contains(it.ARN, parentID) {
				t.Errorf("s01's delegation planned as %+v", it)
			}
		case strings.Contains(it.ARN, parentID) && it.Type == "AWS::Route53::HostedZone", strings.Contains(it.ARN, otherParent),
			strings.Contains(it.ARN, "s010."), strings.Contains(it.ARN, "s02."):
			t.Errorf("s01's plan holds %s (%s)", it.ARN, it.Proof)
		}
	}
	if zoneRank == 0 || nsRank <= zoneRank {
		t.Fatalf("s01's zone rank %d, its delegation rank %d: the delegation must go after the zone\n%+v", zoneRank, nsRank, plan.Items)
	}
	job, err := x.ConfirmFor(f.ctx, class.ID, "s01", plan.Hash, class.Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Run(f.ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	if done, _ := f.store.Job(f.ctx, job.ID); done.State != db.JobDone {
		t.Fatalf("job %+v", done)
	}
	if z := f.zoneIn(accounts["s01"], "s01."+class.ID+".labs.example.com."); z != "" {
		t.Errorf("s01's zone %s is still there", z)
	}
	if z := f.zoneIn(accounts["s02"], "s02."+class.ID+".labs.example.com."); z == "" {
		t.Errorf("s02's zone went with s01's cleanup")
	}
	got := strings.Join(f.nsNames(parentID), " ")
	if strings.Contains(got, "s01.") || !strings.Contains(got, "s02."+class.ID) || !strings.Contains(got, "s010."+class.ID) {
		t.Errorf("the class zone's delegations after s01's cleanup: %s", got)
	}
	if got := f.nsNames(otherParent); len(got) != 1 {
		t.Errorf("another class's parent zone was touched: %v", got)
	}
}

// TestClassCleanupDeletesZonesThenDelegationsThenTheParent: the class's cleanup
// deletes each student's zone, then the delegations in the class zone, then the
// class zone itself (it can go only once empty); another class's parent zone in
// labdash's account, holding a delegation of an s01 of its own, is never
// touched. A delegation the class zone holds for no roster student (s010, a
// near-miss of s01) is the class's through its zone but no student's: s01's
// name rule does not take it.
func TestClassCleanupDeletesZonesThenDelegationsThenTheParent(t *testing.T) {
	f := newFixture(t)
	class, parentID, otherParent, accounts := delegationClass(f)
	x := f.executor()
	plan, err := x.Planner.Plan(f.ctx, class.ID)
	if err != nil {
		t.Fatal(err)
	}
	rank := map[string]int{}
	for _, it := range plan.Items {
		if strings.Contains(it.ARN, otherParent) {
			t.Errorf("another class's parent zone in the plan: %s", it.ARN)
		}
		switch {
		case strings.HasSuffix(it.ARN, "/"+parentID):
			rank["parent"] = it.Rank
		case strings.Contains(it.ARN, "/s010."):
			rank["s010"] = it.Rank
			if it.Student != "" {
				t.Errorf("the near-miss delegation credited to %s: %s", it.Student, it.Proof)
			}
		case strings.Contains(it.ARN, "/NS"):
			rank["ns"] = it.Rank
		case it.Type == "AWS::Route53::HostedZone":
			rank["zone"] = it.Rank
		}
	}
	if !(rank["zone"] > 0 && rank["ns"] > rank["zone"] && rank["parent"] > rank["ns"] && rank["parent"] > rank["s010"]) {
		t.Errorf("ranks %v: want student zones, then delegations, then the parent", rank)
	}
	foreign := false
	for _, s := range plan.Skipped {
		if strings.Contains(s.ARN, "/s01."+class.ID+"x.") {
			foreign = strings.Contains(s.Reason, "ownership not proven")
		}
	}
	if !foreign {
		t.Errorf("another class's delegation (its name holds this class's id) is not listed as skipped, ownership not proven: %+v", plan.Skipped)
	}
	job, err := x.Confirm(f.ctx, class.ID, plan.Hash, class.Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Run(f.ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	if done, _ := f.store.Job(f.ctx, job.ID); done.State != db.JobDone {
		t.Fatalf("job %+v", done)
	}
	for s, a := range accounts {
		if z := f.zoneIn(a, s+"."+class.ID+".labs.example.com."); z != "" {
			t.Errorf("%s's zone is still there", s)
		}
	}
	if z := f.zoneIn(f.c.Account, class.ID+".labs.example.com."); z != "" {
		t.Errorf("the class zone is still there")
	}
	if got := f.nsNames(otherParent); len(got) != 1 {
		t.Errorf("another class's parent zone was touched: %v", got)
	}
}
