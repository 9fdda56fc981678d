package sim

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
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/labdash/labdash/labs/cloud"
)

func ctWorld(t testing.TB) (*World, *ManualClock) {
	t.Helper()
	clock := NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	return New(Options{Clock: clock, DefaultAccount: "111122223333", Seed: 3}), clock
}

func ctClients(t testing.TB, w *World, acct, region string) *cloud.Clients {
	t.Helper()
	c, err := w.Clients(context.Background(), acct, region)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func byName(name string) []cttypes.LookupAttribute {
	return []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(name)}}
}

// lookup reads every page (advancing the clock a second between pages, under the rate limit).
func lookup(t testing.TB, clock *ManualClock, c *cloud.Clients, in cloudtrail.LookupEventsInput) []cttypes.Event {
	t.Helper()
	var all []cttypes.Event
	for page := 0; page < 1000; page++ {
		clock.Advance(time.Second)
		out, err := c.CloudTrail.LookupEvents(context.Background(), &in)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.Events...)
		if out.NextToken == nil {
			return all
		}
		in.NextToken = out.NextToken
	}
	t.Fatal("LookupEvents did not finish paging")
	return nil
}

// ctZone makes a zone and n change batches in it, a second apart.
func ctZone(t testing.TB, clock *ManualClock, c *cloud.Clients, n int) string {
	t.Helper()
	ctx := context.Background()
	z, err := c.Route53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("c42.labs.example.com"), CallerReference: aws.String("ref")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(z.HostedZone.Id)
	for i := 0; i < n; i++ {
		clock.Advance(time.Second)
		if _, err := c.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(id),
			ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{
				Name: aws.String(fmt.Sprintf("www.s%02d.c42.labs.example.com", i)), Type: r53types.RRTypeA, TTL: aws.Int64(300),
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("192.0.2.1")}}}}}}}); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// TestCloudTrailRecordsRoute53Change reads one ChangeResourceRecordSets event as
// CloudTrail shows it: in us-east-1 whatever region the client signed for, with
// the request and response in CloudTrail's field casing.
func TestCloudTrailRecordsRoute53Change(t *testing.T) {
	w, clock := ctWorld(t)
	west := ctClients(t, w, "", "eu-west-1") // Route 53 is global: the call is made from another region
	zid := ctZone(t, clock, west, 1)
	east := ctClients(t, w, "", "us-east-1")
	evs := lookup(t, clock, east, cloudtrail.LookupEventsInput{LookupAttributes: byName("ChangeResourceRecordSets")})
	if len(evs) != 1 {
		t.Fatalf("us-east-1 has %d ChangeResourceRecordSets events, want 1", len(evs))
	}
	if got := lookup(t, clock, west, cloudtrail.LookupEventsInput{}); len(got) != 0 {
		t.Fatalf("eu-west-1's history holds %d events of a global service, want none: %v", len(got), aws.ToString(got[0].EventName))
	}
	e := evs[0]
	if aws.ToString(e.EventSource) != "route53.amazonaws.com" || aws.ToString(e.Username) != "labdash-simulated" || aws.ToString(e.ReadOnly) != "false" ||
		!aws.ToTime(e.EventTime).Equal(time.Date(2030, 3, 4, 9, 0, 1, 0, time.UTC)) {
		t.Fatalf("event = source %s user %s readOnly %s at %v", aws.ToString(e.EventSource), aws.ToString(e.Username), aws.ToString(e.ReadOnly), aws.ToTime(e.EventTime))
	}
	if len(e.Resources) != 1 || aws.ToString(e.Resources[0].ResourceType) != "AWS::Route53::HostedZone" || aws.ToString(e.Resources[0].ResourceName) != strings.TrimPrefix(zid, "/hostedzone/") {
		t.Fatalf("resources = %+v", e.Resources)
	}
	var ev struct {
		EventVersion, EventSource, EventName, AwsRegion, EventType, RecipientAccountId, EventID, RequestID string
		ReadOnly, ManagementEvent                                                                          bool
		UserIdentity                                                                                       struct{ Type, Arn, AccountId string }
		RequestParameters                                                                                  struct {
			HostedZoneId string
			ChangeBatch  struct {
				Changes []struct {
					Action            string
					ResourceRecordSet map[string]any
				}
			}
		}
		ResponseElements struct {
			ChangeInfo struct{ Id, Status, SubmittedAt string }
		}
	}
	raw := aws.ToString(e.CloudTrailEvent)
	if err := json.Unmarshal([]byte(raw), &ev); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"hostedZoneId"`, `"changeBatch"`, `"resourceRecordSet"`, `"tTL":300`, `"resourceRecords":[{"value":"192.0.2.1"}]`, `"changeInfo"`, `"submittedAt":"Mar 4, 2030 9:00:01 AM"`} {
		if !strings.Contains(raw, key) {
			t.Errorf("CloudTrailEvent lacks %s: %s", key, raw)
		}
	}
	rr := ev.RequestParameters.ChangeBatch.Changes
	if ev.EventSource != "route53.amazonaws.com" || ev.EventName != "ChangeResourceRecordSets" || ev.AwsRegion != "us-east-1" || ev.EventType != "AwsApiCall" ||
		!ev.ManagementEvent || ev.ReadOnly || ev.RecipientAccountId != "111122223333" || ev.EventID != aws.ToString(e.EventId) || ev.RequestID == "" || ev.EventVersion == "" ||
		ev.UserIdentity.Type != "IAMUser" || ev.UserIdentity.AccountId != "111122223333" || ev.RequestParameters.HostedZoneId != zid ||
		len(rr) != 1 || rr[0].Action != "UPSERT" || rr[0].ResourceRecordSet["name"] != "www.s00.c42.labs.example.com" || rr[0].ResourceRecordSet["type"] != "A" ||
		!strings.HasPrefix(ev.ResponseElements.ChangeInfo.Id, "/change/C") || ev.ResponseElements.ChangeInfo.Status != "PENDING" {
		t.Fatalf("CloudTrailEvent = %+v\n%s", ev, raw)
	}
	// Reads are not recorded; a failed write is not either.
	if _, err := east.Route53.ListHostedZones(context.Background(), &route53.ListHostedZonesInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := east.Route53.ChangeResourceRecordSets(context.Background(), &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String("ZNOSUCHZONE")}); err == nil {
		t.Fatal("a change in a zone that does not exist succeeded")
	}
	all := lookup(t, clock, east, cloudtrail.LookupEventsInput{})
	for _, e := range all {
		if n := aws.ToString(e.EventName); n == "ListHostedZones" || n == "GetChange" || n == "LookupEvents" {
			t.Errorf("a read, %s, was recorded", n)
		}
	}
	if len(all) != 2 { // CreateHostedZone, ChangeResourceRecordSets
		t.Errorf("us-east-1 holds %d events, want 2", len(all))
	}
}

// TestCloudTrailAssumedRole records a sandbox role's call with its session.
func TestCloudTrailAssumedRole(t *testing.T) {
	w, clock := ctWorld(t)
	ctx := context.Background()
	c := ctClients(t, w, "", "us-east-1")
	role, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("c42s07-student"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)})
	if err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:CreateCluster","Resource":"*"}]}`
	if _, err := c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("c42s07-student"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	as, err := w.ClientsAs(ctx, aws.ToString(role.Role.Arn), "s07", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := as.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("c42s07-cluster")}); err != nil {
		t.Fatal(err)
	}
	evs := lookup(t, clock, ctClients(t, w, "", "eu-west-1"), cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String("s07")}}})
	if len(evs) != 1 || aws.ToString(evs[0].EventName) != "CreateCluster" || aws.ToString(evs[0].EventSource) != "ecs.amazonaws.com" {
		t.Fatalf("s07's events in eu-west-1 = %d", len(evs))
	}
	var ev struct {
		UserIdentity struct {
			Type, Arn, PrincipalId string
			SessionContext         struct {
				SessionIssuer struct{ Type, Arn, UserName string }
			}
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(evs[0].CloudTrailEvent)), &ev); err != nil {
		t.Fatal(err)
	}
	u := ev.UserIdentity
	if u.Type != "AssumedRole" || u.Arn != "arn:aws:sts::111122223333:assumed-role/c42s07-student/s07" || !strings.HasSuffix(u.PrincipalId, ":s07") ||
		u.SessionContext.SessionIssuer.Arn != aws.ToString(role.Role.Arn) || u.SessionContext.SessionIssuer.UserName != "c42s07-student" {
		t.Fatalf("userIdentity = %+v", u)
	}
	// IAM's own events are in us-east-1, never eu-west-1.
	iamEvs := lookup(t, clock, ctClients(t, w, "", "us-east-1"), cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("iam.amazonaws.com")}}})
	if len(iamEvs) != 2 || aws.ToString(iamEvs[0].EventName) != "PutRolePolicy" || aws.ToString(iamEvs[1].EventName) != "CreateRole" {
		t.Fatalf("IAM's events in us-east-1: %d, want PutRolePolicy then CreateRole", len(iamEvs))
	}
	if got := lookup(t, clock, ctClients(t, w, "", "us-east-1"), cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: aws.String("c42s07-student")}}}); len(got) != 2 {
		t.Fatalf("events naming the role: %d, want 2", len(got))
	}
}

// TestLookupEventsPagingAndFilters: newest first, 50 a page by default, a
// NextToken only with the same parameters, StartTime and EndTime inclusive.
func TestLookupEventsPagingAndFilters(t *testing.T) {
	w, clock := ctWorld(t)
	ctx := context.Background()
	c := ctClients(t, w, "", "us-east-1")
	ctZone(t, clock, c, 120) // at 9:00:01 … 9:02:00
	evs := lookup(t, clock, c, cloudtrail.LookupEventsInput{LookupAttributes: byName("ChangeResourceRecordSets")})
	if len(evs) != 120 {
		t.Fatalf("%d events, want 120", len(evs))
	}
	seen := map[string]bool{}
	for i := range evs {
		if seen[aws.ToString(evs[i].EventId)] {
			t.Fatalf("event %s returned twice", aws.ToString(evs[i].EventId))
		}
		seen[aws.ToString(evs[i].EventId)] = true
		if i > 0 && aws.ToTime(evs[i].EventTime).After(aws.ToTime(evs[i-1].EventTime)) {
			t.Fatalf("event %d is newer than event %d: not newest first", i, i-1)
		}
	}
	clock.Advance(time.Second)
	first, err := c.CloudTrail.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: byName("ChangeResourceRecordSets")})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Events) != 50 || first.NextToken == nil {
		t.Fatalf("first page: %d events, token %v; want 50 and a token", len(first.Events), first.NextToken != nil)
	}
	// The token with other parameters, and a token that is not one.
	for _, in := range []*cloudtrail.LookupEventsInput{
		{LookupAttributes: byName("CreateHostedZone"), NextToken: first.NextToken},
		{NextToken: first.NextToken},
		{LookupAttributes: byName("ChangeResourceRecordSets"), NextToken: aws.String("not-a-token")},
	} {
		clock.Advance(time.Second)
		if _, err := c.CloudTrail.LookupEvents(ctx, in); apiCode(err) != "InvalidNextTokenException" {
			t.Errorf("NextToken with other parameters: %v, want InvalidNextTokenException", err)
		}
	}
	// A window: 9:00:10 to 9:00:19, both ends included.
	from, to := time.Date(2030, 3, 4, 9, 0, 10, 0, time.UTC), time.Date(2030, 3, 4, 9, 0, 19, 0, time.UTC)
	win := lookup(t, clock, c, cloudtrail.LookupEventsInput{StartTime: &from, EndTime: &to, MaxResults: aws.Int32(3)})
	if len(win) != 10 || !aws.ToTime(win[0].EventTime).Equal(to) || !aws.ToTime(win[9].EventTime).Equal(from) {
		t.Fatalf("window: %d events (%v … %v), want 10 from %v to %v", len(win), aws.ToTime(win[0].EventTime), aws.ToTime(win[len(win)-1].EventTime), to, from)
	}
	one := lookup(t, clock, c, cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventId, AttributeValue: evs[7].EventId}}})
	if len(one) != 1 || aws.ToString(one[0].EventId) != aws.ToString(evs[7].EventId) {
		t.Fatalf("by EventId: %d events", len(one))
	}
	if none := lookup(t, clock, c, cloudtrail.LookupEventsInput{LookupAttributes: byName("changeresourcerecordsets")}); len(none) != 0 {
		t.Fatalf("EventName is case-sensitive on AWS; a lower-case name found %d", len(none))
	}
	bad := []struct {
		in   cloudtrail.LookupEventsInput
		code string
	}{
		{cloudtrail.LookupEventsInput{LookupAttributes: append(byName("A"), byName("B")...)}, "InvalidLookupAttributesException"},
		{cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: "Color", AttributeValue: aws.String("x")}}}, "InvalidLookupAttributesException"},
		{cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName}}}, "InvalidLookupAttributesException"},
		{cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}, "InvalidMaxResultsException"},
		{cloudtrail.LookupEventsInput{MaxResults: aws.Int32(0)}, "InvalidMaxResultsException"},
		{cloudtrail.LookupEventsInput{StartTime: &to, EndTime: &from}, "InvalidTimeRangeException"},
		{cloudtrail.LookupEventsInput{EventCategory: "management"}, "InvalidEventCategoryException"},
	}
	for _, b := range bad {
		clock.Advance(time.Second)
		if _, err := c.CloudTrail.LookupEvents(ctx, &b.in); apiCode(err) != b.code {
			t.Errorf("%+v: %v, want %s", b.in, err, b.code)
		}
	}
	if _, err := c.CloudTrail.LookupEvents(ctx, nil); err != nil {
		t.Errorf("nil input: %v", err)
	}
}

// TestLookupEventsThrottled: 2 requests a second per account and region; a
// third in the same second is throttled, another account or region is not.
func TestLookupEventsThrottled(t *testing.T) {
	w, clock := ctWorld(t)
	ctx := context.Background()
	c := ctClients(t, w, "", "us-east-1")
	for i := 0; i < 2; i++ {
		if _, err := c.CloudTrail.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	if _, err := c.CloudTrail.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); apiCode(err) != "ThrottlingException" {
		t.Fatalf("third request in a second: %v, want ThrottlingException", err)
	}
	for _, other := range []*cloud.Clients{ctClients(t, w, "", "us-west-2"), ctClients(t, w, "444455556666", "us-east-1")} {
		if _, err := other.CloudTrail.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil {
			t.Fatalf("%s/%s shares %s/%s's rate: %v", other.Account, other.Region, c.Account, c.Region, err)
		}
	}
	clock.Advance(500 * time.Millisecond) // the world steps in seconds: half a second refills nothing yet
	if _, err := c.CloudTrail.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); apiCode(err) != "ThrottlingException" {
		t.Fatalf("after half a second: %v, want ThrottlingException", err)
	}
	clock.Advance(500 * time.Millisecond)
	for i := 0; i < 2; i++ {
		if _, err := c.CloudTrail.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil {
			t.Fatalf("a second later, request %d: %v", i+1, err)
		}
	}
	// A steady 2 a second is never throttled.
	for i := 0; i < 20; i++ {
		clock.Advance(time.Second)
		for j := 0; j < 2; j++ {
			if _, err := c.CloudTrail.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil {
				t.Fatalf("steady 2/s, second %d: %v", i, err)
			}
		}
	}
}

// TestCloudTrailIsolation: an account never sees another's events, a region
// never another region's.
func TestCloudTrailIsolation(t *testing.T) {
	w, clock := ctWorld(t)
	ctx := context.Background()
	a := ctClients(t, w, "111122223333", "eu-west-1")
	b := ctClients(t, w, "444455556666", "eu-west-1")
	aEast := ctClients(t, w, "111122223333", "us-east-2")
	for _, c := range []*cloud.Clients{a, b, aEast} {
		if _, err := c.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q-" + c.Account + "-" + c.Region)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*cloud.Clients{a, b, aEast} {
		evs := lookup(t, clock, c, cloudtrail.LookupEventsInput{})
		if len(evs) != 1 {
			t.Fatalf("%s/%s: %d events, want its own 1", c.Account, c.Region, len(evs))
		}
		raw := aws.ToString(evs[0].CloudTrailEvent)
		if !strings.Contains(raw, `"q-`+c.Account+"-"+c.Region+`"`) || !strings.Contains(raw, `"recipientAccountId":"`+c.Account+`"`) || !strings.Contains(raw, `"awsRegion":"`+c.Region+`"`) {
			t.Fatalf("%s/%s sees another's event: %s", c.Account, c.Region, raw)
		}
	}
	// B's Route 53 change is in B's us-east-1, not A's.
	ctZone(t, clock, b, 1)
	if evs := lookup(t, clock, ctClients(t, w, "111122223333", "us-east-1"), cloudtrail.LookupEventsInput{LookupAttributes: byName("ChangeResourceRecordSets")}); len(evs) != 0 {
		t.Fatalf("account A sees %d of B's Route 53 changes", len(evs))
	}
}

// TestCloudTrailRingBound: at most ctMaxEvents events, and none older than
// ctKeep; the oldest go first (1 + 20,005 writes: the zone and q0–q4 are gone).
func TestCloudTrailRingBound(t *testing.T) {
	if testing.Short() {
		t.Skip("records 20,000 events")
	}
	w, clock := ctWorld(t)
	ctx := context.Background()
	c := ctClients(t, w, "", "us-east-1")
	ctZone(t, clock, c, 0) // CreateHostedZone, the oldest event
	z := ctStateOf(w.regions[regionKey{"111122223333", "us-east-1"}])
	for i := 0; i < ctMaxEvents+5; i++ {
		if _, err := c.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("q%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	w.mu.Lock()
	n, oldest, bytes := z.n, z.at(0).raw, z.bytes
	w.mu.Unlock()
	if n != ctMaxEvents || !strings.Contains(oldest, `"q5"`) || bytes > ctMaxBytes {
		t.Fatalf("ring holds %d events (want %d), the oldest %s, %d bytes", n, ctMaxEvents, oldest, bytes)
	}
	if evs := lookup(t, clock, c, cloudtrail.LookupEventsInput{LookupAttributes: byName("CreateHostedZone")}); len(evs) != 0 {
		t.Fatal("the oldest event outlived the ring's bound")
	}
	clock.Advance(ctKeep + time.Minute)
	if evs := lookup(t, clock, c, cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1)}); len(evs) != 0 {
		t.Fatalf("%d events older than %v are still returned", len(evs), ctKeep)
	}
	w.mu.Lock()
	n = z.n
	w.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d expired events still held", n)
	}
}

// TestCloudTrailDelay: with a delay set, an event is not returned before it.
func TestCloudTrailDelay(t *testing.T) {
	w, clock := ctWorld(t)
	w.SetCloudTrailDelay(5 * time.Minute)
	c := ctClients(t, w, "", "us-east-1")
	ctZone(t, clock, c, 1)
	clock.Advance(4 * time.Minute)
	if evs := lookup(t, clock, c, cloudtrail.LookupEventsInput{LookupAttributes: byName("ChangeResourceRecordSets")}); len(evs) != 0 {
		t.Fatal("an event was visible before CloudTrail's delay")
	}
	clock.Advance(time.Minute)
	if evs := lookup(t, clock, c, cloudtrail.LookupEventsInput{LookupAttributes: byName("ChangeResourceRecordSets")}); len(evs) != 1 {
		t.Fatalf("after the delay: %d events, want 1", len(evs))
	}
}
