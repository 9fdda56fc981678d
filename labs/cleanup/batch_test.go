package cleanup

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/db"
	r53lab "github.com/labdash/labdash/labs/catalog/route53"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

// r53Batches records every change batch cleanup sends: its zone and its changes
// as "ACTION name type".
type r53Batches struct {
	mu    sync.Mutex
	calls [][]string
}

func (b *r53Batches) intercept(ctx context.Context, call cloud.Call) error {
	in, ok := call.Input.(*route53.ChangeResourceRecordSetsInput)
	if !ok || call.Op != "ChangeResourceRecordSets" {
		return nil
	}
	var ch []string
	for _, c := range in.ChangeBatch.Changes {
		ch = append(ch, string(c.Action)+" "+strings.ToLower(aws.ToString(c.ResourceRecordSet.Name))+" "+string(c.ResourceRecordSet.Type))
	}
	b.mu.Lock()
	b.calls = append(b.calls, ch)
	b.mu.Unlock()
	return nil
}

// batchWorld is two built classes of the Route 53 lab; s01 of the first gets
// three more records in the class zone, beside the decoys: s02's record in the
// same zone, a near-miss s011 record (nobody's student), and the other class's
// zone with its records.
type batchWorld struct {
	class, other   *db.Class
	zone, zoneName string
	s01            []string        // s01's record names, lowercase with the trailing dot
	decoys         string          // snapshot of the records that must stay
	planned        int             // s01's records in the plan (the ledger's gone ones too)
	live           map[string]bool // "name TYPE" of s01's records when the run starts
	mayStay        string          // a record of s01 the test expects cleanup to refuse
}

func newBatchWorld(f *fixture) *batchWorld {
	f.t.Helper()
	w := &batchWorld{class: f.classWithLabs("Batch", 2, r53lab.ID), other: f.classWithLabs("Other", 1, r53lab.ID)}
	f.build(w.class, w.other)
	zones, err := f.c.Route53.ListHostedZones(f.ctx, &route53.ListHostedZonesInput{})
	if err != nil {
		f.t.Fatal(err)
	}
	var otherZone string
	for _, z := range zones.HostedZones {
		id := strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/")
		switch {
		case strings.HasPrefix(aws.ToString(z.Name), strings.ToLower(w.class.ID)+"."):
			w.zone, w.zoneName = id, aws.ToString(z.Name)
		case strings.HasPrefix(aws.ToString(z.Name), strings.ToLower(w.other.ID)+"."):
			otherZone = id
		}
	}
	if w.zone == "" || otherZone == "" {
		f.t.Fatalf("class zones not found in %+v", zones.HostedZones)
	}
	a := func(name, ip string) r53types.Change {
		return r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String(name),
			Type: r53types.RRTypeA, TTL: aws.Int64(60), ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(ip)}}}}
	}
	txt := r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("txt.s01." + w.zoneName),
		Type: r53types.RRTypeTxt, TTL: aws.Int64(60), ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(`"v=1"`)}}}}
	if _, err := f.c.Route53.ChangeResourceRecordSets(f.ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(w.zone),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{a("api.s01."+w.zoneName, "192.0.2.1"), a("old.s01."+w.zoneName, "192.0.2.2"), txt,
			a("api.s011."+w.zoneName, "192.0.2.3")}}}); err != nil {
		f.t.Fatal(err)
	}
	w.s01 = []string{"api.s01." + w.zoneName, "old.s01." + w.zoneName, "txt.s01." + w.zoneName, "www.s01." + w.zoneName}
	w.decoys = snapshot(f.t, w.records(f, w.zone, "s02.", "s011."), w.records(f, otherZone, ""))
	return w
}

// records lists zone's record sets whose names hold one of subs ("" for all).
func (w *batchWorld) records(f *fixture, zone string, subs ...string) []r53types.ResourceRecordSet {
	f.t.Helper()
	out, err := f.c.Route53.ListResourceRecordSets(f.ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone)})
	if err != nil {
		f.t.Fatal(err)
	}
	var keep []r53types.ResourceRecordSet
	for _, rr := range out.ResourceRecordSets {
		for _, s := range subs {
			if strings.Contains(aws.ToString(rr.Name), s) {
				keep = append(keep, rr)
				break
			}
		}
	}
	return keep
}

// runS01 plans, confirms and runs the cleanup of s01 alone; between the
// confirmation and the run, before(job) may change the world.
func (w *batchWorld) runS01(f *fixture, x *Executor, before func()) *db.Job {
	f.t.Helper()
	plan, err := x.Planner.PlanFor(f.ctx, w.class.ID, "s01")
	if err != nil {
		f.t.Fatal(err)
	}
	n := 0
	for _, it := range plan.Items {
		if it.Type == "AWS::Route53::RecordSet" {
			n++
		}
	}
	if n < len(w.s01) {
		f.t.Fatalf("s01's plan holds %d records, want at least %v: %+v", n, w.s01, plan.Items)
	}
	w.planned = n
	job, err := x.ConfirmFor(f.ctx, w.class.ID, "s01", plan.Hash, w.class.Name)
	if err != nil {
		f.t.Fatal(err)
	}
	if before != nil {
		before()
	}
	w.live = map[string]bool{}
	for _, rr := range w.records(f, w.zone, "s01.") {
		if !strings.Contains(aws.ToString(rr.Name), "s011.") {
			w.live[strings.ToLower(aws.ToString(rr.Name))+" "+string(rr.Type)] = true
		}
	}
	if err := x.Run(f.ctx, job.ID); err != nil {
		f.t.Fatal(err)
	}
	done, err := f.store.Job(f.ctx, job.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	if done.State != db.JobDone {
		f.t.Fatalf("job %s: %+v", done.State, done.Items)
	}
	for _, rr := range w.records(f, w.zone, "s01.") {
		if !strings.Contains(aws.ToString(rr.Name), "s011.") && aws.ToString(rr.Name) != w.mayStay {
			f.t.Errorf("s01's record %s %s is left", aws.ToString(rr.Name), rr.Type)
		}
	}
	otherZone := ""
	zones, _ := f.c.Route53.ListHostedZones(f.ctx, &route53.ListHostedZonesInput{})
	for _, z := range zones.HostedZones {
		if strings.HasPrefix(aws.ToString(z.Name), strings.ToLower(w.other.ID)+".") {
			otherZone = strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/")
		}
	}
	if got := snapshot(f.t, w.records(f, w.zone, "s02.", "s011."), w.records(f, otherZone, "")); got != w.decoys {
		f.t.Errorf("decoys changed:\n%s\nwant\n%s", got, w.decoys)
	}
	return done
}

// recordItems are the job's record items by "name TYPE".
func recordItems(job *db.Job) map[string]db.JobItem {
	out := map[string]db.JobItem{}
	for _, it := range job.Items {
		if _, rest, ok := strings.Cut(it.Key, "/recordset/"); ok {
			name, typ, _ := strings.Cut(rest, "/")
			out[strings.ToLower(name)+" "+typ] = it
		}
	}
	return out
}

// TestStudentRecordsInOneChangeBatch: s01's records in the class zone go in one
// change batch (LABS.md Lab 3 cleanup), each item done with its own status; one
// deleted by hand after the confirmation is reported already gone and left out
// of the batch; s02's record in the same zone, a near-miss name and the other
// class's zone are untouched.
func TestStudentRecordsInOneChangeBatch(t *testing.T) {
	f := newFixture(t)
	w := newBatchWorld(f)
	b := &r53Batches{}
	x := f.executor()
	x.Intercept = b.intercept
	job := w.runS01(f, x, func() {
		if _, err := f.c.Route53.ChangeResourceRecordSets(f.ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(w.zone),
			ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionDelete, ResourceRecordSet: &r53types.ResourceRecordSet{
				Name: aws.String("old.s01." + w.zoneName), Type: r53types.RRTypeA, TTL: aws.Int64(60),
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("192.0.2.2")}}}}}}}); err != nil {
			t.Fatal(err)
		}
	})
	if len(b.calls) != 1 {
		t.Fatalf("%d change batches for s01's records, want 1: %v", len(b.calls), b.calls)
	}
	if got := strings.Join(b.calls[0], ","); len(b.calls[0]) != len(w.live) || strings.Contains(got, "old.s01") || strings.Contains(got, "s02.") || strings.Contains(got, "s011.") {
		t.Errorf("the batch holds %v, want DELETEs of s01's %d live records only", b.calls[0], len(w.live))
	}
	items := recordItems(job)
	if len(items) != w.planned {
		t.Errorf("%d record items, want %d", len(items), w.planned)
	}
	for key, it := range items {
		switch {
		case it.State != db.ItemDone:
			t.Errorf("%s: %s %s %q", key, it.State, it.Step, it.Detail)
		case !w.live[key] && !strings.Contains(it.Detail, "already gone"):
			t.Errorf("%s was gone before the run; its detail %q does not say so", key, it.Detail)
		case w.live[key] && it.Detail != fmt.Sprintf("deleted in one change batch of %d", w.planned):
			t.Errorf("%s: detail %q", key, it.Detail)
		}
	}
	if !w.live["api.s01."+w.zoneName+" A"] || w.live["old.s01."+w.zoneName+" A"] {
		t.Errorf("live records %v: the setup is not what the test means", w.live)
	}
}

// TestChangedRecordFailsBatchOthersGo: one of s01's records changes between
// cleanup's read and its batch (the student edits it), so Route 53 refuses the
// whole batch (InvalidChangeBatch) and applies none of it: cleanup deletes each
// record on its own — the changed one as it is now — reports which one made the
// batch fail, audits it, and finishes the job; the decoys stay.
func TestChangedRecordFailsBatchOthersGo(t *testing.T) {
	f := newFixture(t)
	w := newBatchWorld(f)
	b := &r53Batches{}
	x := f.executor()
	var once sync.Once
	x.Intercept = func(ctx context.Context, call cloud.Call) error {
		if in, ok := call.Input.(*route53.ChangeResourceRecordSetsInput); ok && len(in.ChangeBatch.Changes) > 1 {
			once.Do(func() {
				if _, err := f.c.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(w.zone),
					ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{
						Name: aws.String("txt.s01." + w.zoneName), Type: r53types.RRTypeTxt, TTL: aws.Int64(300),
						ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(`"v=2"`)}}}}}}}); err != nil {
					t.Error(err)
				}
			})
		}
		return b.intercept(ctx, call)
	}
	job := w.runS01(f, x, nil)
	if len(b.calls) != 1+len(w.live) || len(b.calls[0]) != len(w.live) {
		t.Errorf("change batches %v: want one of %d refused, then one per live record", b.calls, len(w.live))
	}
	items := recordItems(job)
	txt := "txt.s01." + w.zoneName + " TXT"
	if _, ok := items[txt]; !ok {
		t.Fatalf("no item for %s in %v", txt, items)
	}
	for key, it := range items {
		switch {
		case it.State != db.ItemDone:
			t.Errorf("%s: %s %s %q; the batch's failure must not stop the others", key, it.State, it.Step, it.Detail)
		case key == txt && (!strings.Contains(it.Detail, "over this record") || !strings.Contains(it.Detail, "do not match")):
			t.Errorf("%s changed and failed the batch; its detail %q does not say so", key, it.Detail)
		case key != txt && (!strings.Contains(it.Detail, "not applied") || strings.Contains(it.Detail, "over this record")):
			t.Errorf("%s: detail %q, want that its batch was not applied and it went on its own", key, it.Detail)
		}
	}
	if n := f.auditCount(w.class.ID, "cleanup.batch", "txt.s01."); n != 1 {
		t.Errorf("%d cleanup.batch audit entries naming the changed record, want 1", n)
	}
}

// TestGuardRefusedBatchOthersGo: after the confirmation, s01's TXT record is
// tied to a health check, which is in no plan. Cleanup's re-read gives the
// record back with it, so the batch carries an identifier the guard refuses:
// the guard refuses the whole batch (nothing reaches Route 53), each record then
// goes on its own, the others are deleted, and that one alone is refused and
// reported. (The simulator does not model health checks; what is tested is the
// guard and the engine.)
func TestGuardRefusedBatchOthersGo(t *testing.T) {
	f := newFixture(t)
	w := newBatchWorld(f)
	txt := "txt.s01." + w.zoneName
	w.mayStay = txt
	b := &r53Batches{}
	x := f.executor()
	x.Intercept = b.intercept // after the guard: sees only what it let through
	job := w.runS01(f, x, func() {
		if _, err := f.c.Route53.ChangeResourceRecordSets(f.ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(w.zone),
			ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{
				Name: aws.String(txt), Type: r53types.RRTypeTxt, TTL: aws.Int64(60), HealthCheckId: aws.String("hc-outside-0001"),
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(`"v=1"`)}}}}}}}); err != nil {
			t.Fatal(err)
		}
	})
	for _, call := range b.calls {
		if len(call) > 1 || strings.Contains(strings.Join(call, ","), "txt.s01.") {
			t.Errorf("the guard let %v through", call)
		}
	}
	if len(b.calls) != len(w.live)-1 {
		t.Errorf("change batches %v: want one per live record but the refused one", b.calls)
	}
	for key, it := range recordItems(job) {
		switch {
		case key == txt+" TXT" && (it.State != db.ItemFailed || it.Step != "refused" || !strings.Contains(it.Detail, "hc-outside-0001")):
			t.Errorf("%s: %s %s %q, want refused naming the health check", key, it.State, it.Step, it.Detail)
		case key != txt+" TXT" && it.State != db.ItemDone:
			t.Errorf("%s: %s %s %q; the refused batch must not stop the others", key, it.State, it.Step, it.Detail)
		}
	}
	if job.Outcome != db.OutcomeNotVerified {
		t.Errorf("outcome %q with a record refused, want not verified", job.Outcome)
	}
}

// TestBatchesGroupByStudentAndZone: one group per student per zone, at most
// BatchMax records each; a lone record, and types without DeleteBatch, go alone.
func TestBatchesGroupByStudentAndZone(t *testing.T) {
	rec := func(zone, name, student string) Item {
		arn := "arn:aws:route53:::hostedzone/" + zone + "/recordset/" + name + "/A"
		return Item{Ref: resources.Ref{ARN: arn, Type: "AWS::Route53::RecordSet", Student: student, Account: "111122223333"}}
	}
	var todo []Item
	for i := 0; i < 205; i++ {
		todo = append(todo, rec("Z1", fmt.Sprintf("r%d.s01.c1.labs.example.com.", i), "s01"))
	}
	todo = append(todo, rec("Z1", "www.s02.c1.labs.example.com.", "s02"), rec("Z1", "api.s02.c1.labs.example.com.", "s02"),
		rec("Z2", "www.s01.c1.example.org.", "s01"),
		Item{Ref: resources.Ref{ARN: "arn:aws:sqs:us-east-1:111122223333:c1s01-q", Type: "AWS::SQS::Queue", Student: "s01"}})
	groups, singles := batches(todo)
	var sizes []string
	for _, g := range groups {
		zone, student := "", ""
		for _, it := range g {
			z := strings.SplitN(strings.TrimPrefix(it.ARN, "arn:aws:route53:::hostedzone/"), "/", 2)[0]
			if (zone != "" && z != zone) || (student != "" && it.Student != student) {
				t.Errorf("group mixes %s/%s with %s/%s", zone, student, z, it.Student)
			}
			zone, student = z, it.Student
		}
		sizes = append(sizes, fmt.Sprintf("%s/%s:%d", zone, student, len(g)))
	}
	if got := strings.Join(sizes, " "); got != "Z1/s01:100 Z1/s01:100 Z1/s01:5 Z1/s02:2" {
		t.Errorf("groups %s", got)
	}
	if len(singles) != 2 {
		t.Errorf("singles %+v, want the lone Z2 record and the queue", singles)
	}
}
