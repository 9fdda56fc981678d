package route53

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// changeClass is a class zone on the simulator, with its students as targets
// (no ALBs: the feed does not need them).
func changeClass(t *testing.T, students ...string) (*sim.World, *cloud.Clients, *sim.ManualClock, string, []labs.Target) {
	t.Helper()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 9})
	c, err := w.Clients(context.Background(), "", "eu-west-1") // the lab's region is not us-east-1
	if err != nil {
		t.Fatal(err)
	}
	zid, err := ensureZone(context.Background(), c, classZone("c42"), "c42", "shared")
	if err != nil {
		t.Fatal(err)
	}
	var targets []labs.Target
	for _, s := range students {
		targets = append(targets, labs.NewTarget("c42", s, "111122223333", "eu-west-1"))
	}
	return w, c, clock, zid, targets
}

// upsert changes names (A records, 192.0.2.1) in zone in one batch.
func upsert(t *testing.T, c *cloud.Clients, zone string, names ...string) {
	t.Helper()
	var changes []r53types.Change
	for _, n := range names {
		changes = append(changes, r53types.Change{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{
			Name: aws.String(n), Type: r53types.RRTypeA, TTL: aws.Int64(60), ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("192.0.2.1")}}}})
	}
	if _, err := c.Route53.ChangeResourceRecordSets(context.Background(), &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone),
		ChangeBatch: &r53types.ChangeBatch{Changes: changes}}); err != nil {
		t.Fatal(err)
	}
}

func observeAll(t *testing.T, c *cloud.Clients, cache *labs.Cache, targets []labs.Target) map[string]*Observation {
	t.Helper()
	all, err := Observe(context.Background(), c, cache, targets)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*Observation{}
	for k, v := range all {
		out[k] = v.(*Observation)
	}
	return out
}

// TestChangeStatusPendingToInsync: a virtual student's alias step on the
// simulator shows in the widget as PENDING, then INSYNC with how long it took.
func TestChangeStatusPendingToInsync(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	counter := cloud.NewCallCounter(nil, "sim")
	w := sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 3})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	lab := Lab()
	tg := labs.NewTarget("c42", "s07", "111122223333", "us-east-1")
	if _, err := labs.CreatePrereqStack(ctx, c, lab, tg); err != nil {
		t.Fatal(err)
	}
	cache := labs.NewCache()
	targets := []labs.Target{tg}
	o := observeAll(t, c, cache, targets)["s07"]
	if v := viewChanges(o, nil); v.Empty == "" || !strings.Contains(v.Empty, "5–15 minutes") {
		t.Fatalf("before any change the widget says %q, want an empty state naming CloudTrail's delay", v.Empty)
	}
	clock.Advance(5 * time.Minute)
	e := &labs.Env{C: c, T: tg, Persona: &labs.Persona{}, Memo: map[string]string{}}
	if e.Stack, err = labs.StackOutputs(ctx, c, lab.StackName(tg.Prefix, "us-east-1")); err != nil {
		t.Fatal(err)
	}
	if err := walk(ctx, t, clock, lab, e, 0, 1); err != nil { // healthy, then the alias
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	o = observeAll(t, c, cache, targets)["s07"]
	v := viewChanges(o, nil)
	if v.Table == nil || len(v.Table.Rows) != 1 {
		t.Fatalf("after the alias: %+v", v)
	}
	row := v.Table.Rows[0]
	if row.Cells[1] != "UPSERT "+strings.TrimSuffix(recordName(tg), ".")+" A" || row.Cells[2] != "PENDING" || row.Tone != "warn" {
		t.Fatalf("after the alias, the row is %+v, want the UPSERT PENDING", row)
	}
	for i := 0; i < 12 && o.Changes[0].Status != "INSYNC"; i++ {
		clock.Advance(10 * time.Second)
		o = observeAll(t, c, cache, targets)["s07"]
	}
	row = viewChanges(o, nil).Table.Rows[0]
	if row.Cells[2] != "INSYNC" || row.Tone != "ok" || !strings.HasPrefix(row.Cells[3], "in ") {
		t.Fatalf("two minutes later the row is %+v, want INSYNC with its time", row)
	}
	ch := o.Changes[0]
	if d := ch.InsyncAt.Sub(ch.SubmittedAt); d < 20*time.Second || d > 70*time.Second {
		t.Errorf("synced after %v; Route 53 takes 20–60 s on the simulator", d)
	}
	// INSYNC is not asked again.
	before := counter.Count("route53", "GetChange")
	clock.Advance(10 * time.Second)
	observeAll(t, c, cache, targets)
	if n := counter.Count("route53", "GetChange") - before; n != 0 {
		t.Errorf("%d GetChange calls for a change already INSYNC", n)
	}
}

// TestChangeAttribution is the adversary: near-miss names, another class's zone,
// a zone of the class zone's name with another id, upper case, and a batch that
// touches two students.
func TestChangeAttribution(t *testing.T) {
	ctx := context.Background()
	w, c, clock, zid, targets := changeClass(t, "s07", "s08")
	other, err := ensureZone(ctx, c, classZone("c43"), "c43", "shared") // another class in the same account
	if err != nil {
		t.Fatal(err)
	}
	vpc, _ := w.ClassVPC("", "eu-west-1")
	twin, err := c.Route53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("c42.labs.example.com"), CallerReference: aws.String("twin"),
		HostedZoneConfig: &r53types.HostedZoneConfig{PrivateZone: true, Comment: aws.String("a private zone of the class zone's name")},
		VPC:              &r53types.VPC{VPCId: aws.String(vpc), VPCRegion: r53types.VPCRegionEuWest1}})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		zone  string
		names []string
	}{
		{zid, []string{"www.s070.c42.labs.example.com", "s070.c42.labs.example.com", "xs07.c42.labs.example.com", "www-s07.c42.labs.example.com"}},
		{other, []string{"www.s07.c43.labs.example.com"}},
		{aws.ToString(twin.HostedZone.Id), []string{"www.s07.c42.labs.example.com"}},
		{zid, []string{"WWW.S07.C42.LABS.EXAMPLE.COM."}},
		{zid, []string{"deep.www.s08.c42.labs.example.com", "s07.c42.labs.example.com", "c42.labs.example.com"}},
	}
	for _, s := range steps {
		clock.Advance(5 * time.Second)
		upsert(t, c, s.zone, s.names...)
	}
	clock.Advance(time.Second)
	obs := observeAll(t, c, labs.NewCache(), targets)
	got := func(s string) []string {
		var out []string
		for _, ch := range obs[s].Changes {
			for _, it := range ch.Items {
				out = append(out, it.Name)
			}
		}
		return out
	}
	if g := strings.Join(got("s07"), ","); g != "s07.c42.labs.example.com,www.s07.c42.labs.example.com" {
		t.Errorf("s07's changes: %s; want only their own two (newest first): none of s070, xs07, www-s07, c43's zone, the twin zone, the apex", g)
	}
	if g := strings.Join(got("s08"), ","); g != "deep.www.s08.c42.labs.example.com" {
		t.Errorf("s08's changes: %s", g)
	}
	if len(obs["s07"].Changes) != 2 || obs["s07"].Changes[0].ID == obs["s07"].Changes[1].ID || obs["s07"].Changes[0].ID != obs["s08"].Changes[0].ID {
		t.Errorf("the shared batch is not one change for both students: %+v / %+v", obs["s07"].Changes, obs["s08"].Changes)
	}
}

// TestAttributeEvents feeds hand-made events: a refused call, an id with its
// /change/ prefix, junk JSON, a zone id with /hostedzone/.
func TestAttributeEvents(t *testing.T) {
	owners := map[string]string{"s07.c42.labs.example.com.": "s07"}
	feed := &changeFeed{zone: "ZCLASS", seen: map[string]time.Time{}, changes: map[string]*changeRec{}}
	at := time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)
	ev := func(id, body string) cttypes.Event {
		return cttypes.Event{EventId: aws.String(id), EventTime: aws.Time(at), CloudTrailEvent: aws.String(body)}
	}
	for _, e := range []cttypes.Event{
		ev("e1", `{"errorCode":"InvalidChangeBatch","requestParameters":{"hostedZoneId":"ZCLASS","changeBatch":{"changes":[{"action":"CREATE","resourceRecordSet":{"name":"www.s07.c42.labs.example.com.","type":"CNAME"}}]}},"responseElements":null}`),
		ev("e2", `{"requestParameters":{"hostedZoneId":"/hostedzone/ZCLASS","changeBatch":{"changes":[{"action":"DELETE","resourceRecordSet":{"name":"www.s07.c42.labs.example.com","type":"A"}}]}},"responseElements":{"changeInfo":{"id":"/change/C123","status":"PENDING"}}}`),
		ev("e3", `{not json`),
		ev("e4", `{"requestParameters":{"hostedZoneId":"ZOTHER","changeBatch":{"changes":[{"action":"UPSERT","resourceRecordSet":{"name":"www.s07.c42.labs.example.com","type":"A"}}]}},"responseElements":{"changeInfo":{"id":"/change/C999","status":"PENDING"}}}`),
		ev("e5", `{"requestParameters":{"hostedZoneId":"ZCLASS","changeBatch":{"changes":[{"action":"UPSERT","resourceRecordSet":{"name":"\\052.s07.c42.labs.example.com","type":"A"}}]}},"responseElements":{"changeInfo":{"id":"/change/C124","status":"INSYNC"}}}`),
	} {
		attribute(feed, owners, e)
	}
	if len(feed.changes) != 3 {
		t.Fatalf("%d changes, want the refused call, C123 and C124 (not the other zone's, not the junk)", len(feed.changes))
	}
	if r := feed.changes["event:e1"]; r == nil || r.Error != "InvalidChangeBatch" || r.ID != "" {
		t.Errorf("refused call: %+v", r)
	}
	if r := feed.changes["C123"]; r == nil || r.Status != "PENDING" || r.items["s07"][0] != (ChangeItem{"DELETE", "www.s07.c42.labs.example.com", "A"}) {
		t.Errorf("C123: %+v", r)
	}
	if r := feed.changes["C124"]; r == nil || r.items["s07"][0].Name != "*.s07.c42.labs.example.com" {
		t.Errorf("C124 (a wildcard, escaped as CloudTrail shows it): %+v", r)
	}
	row := func(ch Change) labs.Row {
		o := &Observation{Target: labs.NewTarget("c42", "s07", "111122223333", "us-east-1"), ZoneID: "ZCLASS", At: at, Changes: []Change{ch}}
		return viewChanges(o, nil).Table.Rows[0]
	}
	if r := row(feed.changes["event:e1"].Change); r.Cells[2] != "refused: InvalidChangeBatch" || r.Tone != "bad" {
		t.Errorf("refused row: %+v", r)
	}
	if r := row(Change{ID: "C1", SubmittedAt: at, Gone: true}); r.Cells[2] != "unknown" {
		t.Errorf("gone row: %+v", r)
	}
	sub := at.Add(-time.Minute)
	if r := row(Change{ID: "C2", SubmittedAt: sub, Status: "INSYNC", PendingAt: sub.Add(30 * time.Second), InsyncAt: sub.Add(45 * time.Second)}); r.Cells[3] != "in 30–45 s" || r.Tone != "ok" {
		t.Errorf("synced between two looks: %+v", r)
	}
	if r := row(Change{ID: "C3", SubmittedAt: sub, Status: "INSYNC", PendingAt: sub, InsyncAt: sub.Add(45 * time.Second)}); r.Cells[3] != "in ≤ 45 s" {
		t.Errorf("first seen INSYNC: %+v", r)
	}
	if r := row(Change{ID: "C4", SubmittedAt: sub, Status: "PENDING", PendingAt: sub}); r.Cells[3] != "not yet (60 s so far)" || r.Tone != "warn" {
		t.Errorf("pending: %+v", r)
	}
}

// TestChangeFeedCatchesUp: a burst of more events than a cycle's pages is read
// over the next cycles, not cut off; an event CloudTrail delivers late (10
// minutes) is still found; a throttled read keeps what was known.
func TestChangeFeedCatchesUp(t *testing.T) {
	var students []string
	for i := 1; i <= 130; i++ {
		students = append(students, fmt.Sprintf("s%03d", i))
	}
	w, c, clock, zid, targets := changeClass(t, students...)
	for _, s := range students {
		upsert(t, c, zid, "www."+s+".c42.labs.example.com")
		clock.Advance(time.Second)
	}
	cache := labs.NewCache()
	obs := observeAll(t, c, cache, targets)
	seen := func() int {
		n := 0
		for _, o := range obs {
			n += len(o.Changes)
		}
		return n
	}
	if n := seen(); n != 100 {
		t.Fatalf("first cycle: %d changes attributed, want 100 (two pages)", n)
	}
	clock.Advance(10 * time.Second) // less than changesEvery: the scan in progress goes on
	obs = observeAll(t, c, cache, targets)
	if n := seen(); n != 130 {
		t.Fatalf("second cycle: %d changes, want all 130", n)
	}
	// A change CloudTrail shows 10 minutes late.
	w.SetCloudTrailDelay(10 * time.Minute)
	clock.Advance(time.Second)
	upsert(t, c, zid, "web.s001.c42.labs.example.com")
	for i := 0; i < 30; i++ { // 15 minutes of 30 s cycles
		clock.Advance(30 * time.Second)
		obs = observeAll(t, c, cache, targets)
	}
	if o := obs["s001"]; len(o.Changes) != 2 || o.Changes[0].Items[0].Name != "web.s001.c42.labs.example.com" {
		t.Fatalf("the late event was lost: s001 has %+v", o.Changes)
	}
	// Throttled: the known changes stay, the part is stale.
	faults := &sim.Faults{Throttle: 1}
	tc := cloud.Intercept(c, faults.Intercept)
	clock.Advance(time.Minute)
	obs = observeAll(t, tc, cache, targets)
	if o := obs["s001"]; len(o.Changes) != 2 || !strings.Contains(strings.Join(o.Stale, ","), "changes") {
		t.Fatalf("throttled: %d changes, stale %v", len(o.Changes), o.Stale)
	}
}

// TestChangeFeedNeedsCloudTrailInUSEast1: the poller asks us-east-1 whatever
// the lab's region, with EventName = ChangeResourceRecordSets and a window.
func TestChangeFeedNeedsCloudTrailInUSEast1(t *testing.T) {
	_, c, clock, zid, targets := changeClass(t, "s07")
	upsert(t, c, zid, "www.s07.c42.labs.example.com")
	clock.Advance(time.Second)
	var seen []cloud.Call
	spy := cloud.Intercept(c, func(_ context.Context, call cloud.Call) error {
		if call.Service == "CloudTrail" {
			seen = append(seen, call)
		}
		return nil
	})
	o := observeAll(t, spy, labs.NewCache(), targets)["s07"]
	if len(o.Changes) != 1 {
		t.Fatalf("s07 has %d changes, want 1", len(o.Changes))
	}
	if len(seen) != 1 || seen[0].Region != "us-east-1" {
		t.Fatalf("CloudTrail calls: %+v, want one in us-east-1", seen)
	}
	in := seen[0].Input.(*cloudtrail.LookupEventsInput)
	b, _ := json.Marshal(in.LookupAttributes)
	if in.StartTime == nil || in.EndTime == nil || !strings.Contains(string(b), `"ChangeResourceRecordSets"`) {
		t.Fatalf("LookupEvents input: %s %v %v", b, in.StartTime, in.EndTime)
	}
}

// TestChangeFeedWhileAStudentIsNotDue: the monitor reads a settled student only
// every 30 s, so a cycle's targets may leave them out; an event about them read
// in such a cycle is still theirs when they are next read (its event id is not
// read again).
func TestChangeFeedWhileAStudentIsNotDue(t *testing.T) {
	_, c, clock, zid, targets := changeClass(t, "s01", "s02")
	cache := labs.NewCache()
	observeAll(t, c, cache, targets) // both read once
	upsert(t, c, zid, "www.s02.c42.labs.example.com.")
	clock.Advance(time.Minute)
	if o := observeAll(t, c, cache, targets[:1])["s01"]; len(o.Changes) != 0 { // s02 not due
		t.Fatalf("s01 got s02's change: %+v", o.Changes)
	}
	clock.Advance(time.Minute)
	o := observeAll(t, c, cache, targets[1:])["s02"]
	if len(o.Changes) != 1 || len(o.Changes[0].Items) != 1 || o.Changes[0].Items[0].Name != "www.s02.c42.labs.example.com" {
		t.Fatalf("s02's changes after a cycle without them: %+v", o.Changes)
	}
}
