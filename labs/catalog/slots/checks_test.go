package slots

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cleanup/resources"
)

var at = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

const testPool = "us-east-1:0f1e2d3c-4b5a-6978-8899-aabbccddeeff"

// correct is a student who finished the lab.
func correct() *Observation {
	t := labs.NewTarget("c42", "s07", "111122223333", "us-east-1")
	return &Observation{
		Target: t, At: at, MetricWindow: metricWindow,
		Site: &Site{Bucket: bucketName(t), Website: true, Index: "index.html", Block: &Block{BlockPublicAcls: true, IgnorePublicAcls: true},
			Policy: true, Public: true, HasIndex: true, Images: 8, Objects: 10},
		Pool:  &Pool{ID: testPool, Name: poolName(t), AllowUnauth: true, AllowClassic: true, RolesRead: true, UnauthRole: roleARN(t, guestRoleName(t)), Tags: tagMap(t)},
		Guest: &GuestRole{Arn: roleARN(t, guestRoleName(t)), Trusted: true, Aud: []string{testPool}, Amr: []string{"unauthenticated"}, Invoke: allowed},
		Table: &Table{Name: tableName(t), Status: "ACTIVE", KeyOK: true, Key: "slotPosition (N)", Count: 40, Counted: true},
		Func: &Function{Name: functionName(t), Arn: functionARN(t), Runtime: "nodejs22.x", Role: roleARN(t, execRoleName(t)),
			State: "Active", LastUpdateStatus: "Successful", GetItem: allowed},
		Metrics: &Metrics{Invocations: []float64{0, 2, 3}, Errors: []float64{0, 0, 0}, Duration: []float64{0, 41, 38}},
		Pulls:   []Pull{{At: at.Add(-time.Minute), Message: "START RequestId: 1"}, {At: at.Add(-time.Minute), Message: "pulled cherry, bell, seven"}},
		Probe:   &Probe{URL: websiteEndpoint(bucketName(t), "us-east-1"), At: at, Status: 200, Latency: 30 * time.Millisecond},
	}
}

func TestEveryCheckpointPassesOnACorrectState(t *testing.T) {
	o := correct()
	for _, cp := range Lab().Checkpoints {
		if r := cp.Check(o); r.Status != labs.Pass || r.Evidence == "" {
			t.Errorf("%s: %s %q; want pass with evidence", cp.ID, r.Status, r.Evidence)
		}
	}
}

func TestCheckpointsFailOrWaitOnWrongStates(t *testing.T) {
	cases := map[string]struct {
		check  func(*Observation) labs.Result
		mutate func(o *Observation)
		want   labs.Status
		says   string
	}{
		"no bucket":     {checkWebsite, func(o *Observation) { o.Site = nil }, labs.Pending, "no bucket c42s07-slots-site-111122223333-us-east-1"},
		"not a website": {checkWebsite, func(o *Observation) { o.Site.Website = false }, labs.Pending, "PutBucketWebsite"},
		"wrong index":   {checkWebsite, func(o *Observation) { o.Site.Index = "home.html" }, labs.Fail, `"home.html"`},
		"new bucket's BPA": {checkWebsite, func(o *Observation) {
			o.Site.Policy, o.Site.Public = false, false
			o.Site.Block = &Block{true, true, true, true}
		}, labs.Fail, "BlockPublicPolicy and RestrictPublicBuckets"},
		// The bucket-level block lifted only in part: a public policy still cannot go on.
		"BlockPublicPolicy alone": {checkWebsite, func(o *Observation) {
			o.Site.Policy, o.Site.Public = false, false
			o.Site.Block = &Block{BlockPublicPolicy: true}
		}, labs.Fail, "refuses the tutorial's public-read policy"},
		"policy in, Restrict still on": {checkWebsite, func(o *Observation) { o.Site.Block = &Block{RestrictPublicBuckets: true} }, labs.Fail, "RestrictPublicBuckets"},
		"no policy":                    {checkWebsite, func(o *Observation) { o.Site.Policy, o.Site.Public = false, false }, labs.Pending, "no bucket policy"},
		"private policy":               {checkWebsite, func(o *Observation) { o.Site.Public = false }, labs.Fail, "not public"},
		"no index.html":                {checkWebsite, func(o *Observation) { o.Site.HasIndex = false }, labs.Pending, "no index.html"},
		"no images":                    {checkWebsite, func(o *Observation) { o.Site.Images = 0 }, labs.Pending, "no wheel images"},
		"not probed":                   {checkWebsite, func(o *Observation) { o.Probe = nil }, labs.Pending, "not probed"},
		"probe 403":                    {checkWebsite, func(o *Observation) { o.Probe.Status = 403 }, labs.Fail, "account's Block Public Access"},
		"probe 404":                    {checkWebsite, func(o *Observation) { o.Probe.Status = 404 }, labs.Fail, "answered 404"},
		"probe error":                  {checkWebsite, func(o *Observation) { o.Probe.Err = "connection refused" }, labs.Fail, "connection refused"},

		"no pool":        {checkPool, func(o *Observation) { o.Pool = nil }, labs.Pending, "no identity pool c42s07_slots"},
		"no guests":      {checkPool, func(o *Observation) { o.Pool.AllowUnauth = false }, labs.Fail, "unauthenticated"},
		"no unauth role": {checkPool, func(o *Observation) { o.Pool.UnauthRole = "" }, labs.Pending, "SetIdentityPoolRoles"},
		// Another student's role set on this pool (SetIdentityPoolRoles cannot be fenced).
		"someone else's role": {checkPool, func(o *Observation) {
			o.Pool.UnauthRole = "arn:aws:iam::111122223333:role/labdash/c42/s08/c42s08-slots-guest-role"
		}, labs.Fail, "not one of yours"},
		"roles not read": {checkPool, func(o *Observation) { o.Pool.RolesRead = false }, labs.Pending, "not read"},

		"guest: no role":      {checkGuestInvoke, func(o *Observation) { o.Pool.UnauthRole = "" }, labs.Pending, "no guest role"},
		"guest: missing role": {checkGuestInvoke, func(o *Observation) { o.Guest.Missing = true }, labs.Fail, "does not exist"},
		"guest: untrusted":    {checkGuestInvoke, func(o *Observation) { o.Guest.Trusted = false }, labs.Fail, "cognito-identity.amazonaws.com"},
		// The template's placeholder, pasted unchanged.
		"guest: aud placeholder": {checkGuestInvoke, func(o *Observation) { o.Guest.Aud = []string{"POOL_ID"} }, labs.Fail, `"POOL_ID"`},
		// Another student's pool, a near miss of this one.
		"guest: other pool":    {checkGuestInvoke, func(o *Observation) { o.Guest.Aud = []string{testPool[:len(testPool)-1] + "0"} }, labs.Fail, "not this pool"},
		"guest: no amr":        {checkGuestInvoke, func(o *Observation) { o.Guest.Amr = []string{"authenticated"} }, labs.Fail, "amr"},
		"guest: denied":        {checkGuestInvoke, func(o *Observation) { o.Guest.Invoke = "implicitDeny" }, labs.Fail, "implicitDeny"},
		"guest: not evaluated": {checkGuestInvoke, func(o *Observation) { o.Guest.Invoke = "" }, labs.Pending, "not evaluated"},
		"guest: no function":   {checkGuestInvoke, func(o *Observation) { o.Func = nil }, labs.Pending, "no function"},
		// The trap: the role allows the call, the enhanced flow's session policy does not.
		"enhanced flow": {checkGuestInvoke, func(o *Observation) { o.Pool.AllowClassic = false }, labs.Fail, "AmazonCognitoUnAuthedIdentitiesSessionPolicy, which leaves out lambda:InvokeFunction"},

		"no table":     {checkTable, func(o *Observation) { o.Table = nil }, labs.Pending, "no table c42s07-slotWheels"},
		"creating":     {checkTable, func(o *Observation) { o.Table.Status = "CREATING" }, labs.Pending, "CREATING"},
		"deleting":     {checkTable, func(o *Observation) { o.Table.Status = "DELETING" }, labs.Fail, "DELETING"},
		"wrong key":    {checkTable, func(o *Observation) { o.Table.KeyOK, o.Table.Key = false, "slotPosition (S)" }, labs.Fail, "slotPosition (S)"},
		"not scanned":  {checkTable, func(o *Observation) { o.Table.Counted = false }, labs.Pending, "not scanned"},
		"empty table":  {checkTable, func(o *Observation) { o.Table.Count = 0 }, labs.Pending, "BatchWriteItem"},
		"no function":  {checkFunction, func(o *Observation) { o.Func = nil }, labs.Pending, "no function c42s07-slotPull"},
		"fn pending":   {checkFunction, func(o *Observation) { o.Func.State = "Pending" }, labs.Pending, "Pending"},
		"fn failed":    {checkFunction, func(o *Observation) { o.Func.State = "Failed" }, labs.Fail, "Failed"},
		"fn updating":  {checkFunction, func(o *Observation) { o.Func.LastUpdateStatus = "InProgress" }, labs.Pending, "being updated"},
		"update fail":  {checkFunction, func(o *Observation) { o.Func.LastUpdateStatus = "Failed" }, labs.Fail, "Failed"},
		"old runtime":  {checkFunction, func(o *Observation) { o.Func.Runtime = "nodejs20.x" }, labs.Fail, "deprecated"},
		"no GetItem":   {checkFunction, func(o *Observation) { o.Func.GetItem = "implicitDeny" }, labs.Fail, "cannot read the wheels"},
		"not evaluted": {checkFunction, func(o *Observation) { o.Func.GetItem = "" }, labs.Pending, "not evaluated"},
		"no metrics":   {checkPulled, func(o *Observation) { o.Metrics = nil }, labs.Pending, "no metrics"},
		"no pulls":     {checkPulled, func(o *Observation) { o.Metrics.Invocations = []float64{0, 0} }, labs.Pending, "pull the handle"},
		"errors": {checkPulled, func(o *Observation) {
			o.Metrics.Errors = []float64{0, 1, 1}
			o.Pulls = append(o.Pulls, Pull{At: at, Error: true, Message: "AccessDeniedException: not authorized to perform: dynamodb:GetItem"})
		}, labs.Fail, "2 errors in the last 15 min; last error: AccessDeniedException"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			o := correct()
			tc.mutate(o)
			r := labs.Typed(tc.check)(o)
			if r.Status != tc.want || !strings.Contains(r.Evidence, tc.says) {
				t.Errorf("%s %q; want %s saying %q", r.Status, r.Evidence, tc.want, tc.says)
			}
		})
	}
	for _, cp := range Lab().Checkpoints {
		if r := cp.Check(nil); r.Status != labs.Error {
			t.Errorf("%s on nil: %s", cp.ID, r.Status)
		}
		if r := cp.Check("junk"); r.Status != labs.Error {
			t.Errorf("%s on junk: %s", cp.ID, r.Status)
		}
		if r := cp.Check(&Observation{Target: labs.NewTarget("c42", "s07", "111122223333", "us-east-1")}); r.Status != labs.Pending {
			t.Errorf("%s on a fresh student: %s %q", cp.ID, r.Status, r.Evidence)
		}
	}
}

// TestRuntimes: a runtime is judged on the observation's clock, and one labdash
// does not know yet is taken as supported.
func TestRuntimes(t *testing.T) {
	for _, tc := range []struct {
		rt   string
		at   time.Time
		want bool
	}{
		{"nodejs20.x", day(2026, 4, 29), false}, {"nodejs20.x", day(2026, 4, 30), true}, {"NodeJS16.x", at, true},
		{"nodejs22.x", at, false}, {"nodejs22.x", day(2031, 1, 1), false}, {"nodejs24.x", at, false}, {"python3.13", at, false}, {"python3.9", at, true},
	} {
		if got := runtimeDeprecated(tc.rt, tc.at); got != tc.want {
			t.Errorf("runtimeDeprecated(%s, %s) = %t", tc.rt, tc.at.Format(time.DateOnly), got)
		}
	}
}

func TestNames(t *testing.T) {
	tg := labs.NewTarget("c42", "s07", "111122223333", "eu-central-1")
	if got := websiteEndpoint(bucketName(tg), tg.Region); got != "http://c42s07-slots-site-111122223333-eu-central-1.s3-website.eu-central-1.amazonaws.com/" {
		t.Errorf("eu-central-1 endpoint %s", got)
	}
	if got := websiteEndpoint("b", "us-east-1"); got != "http://b.s3-website-us-east-1.amazonaws.com/" {
		t.Errorf("us-east-1 endpoint %s", got)
	}
	// S3 bucket names are at most 63 characters: the longest prefix the
	// templates allow (20) with the longest region name still fits.
	long := labs.Target{Prefix: strings.Repeat("a", 20), Account: "111122223333", Region: "ap-southeast-5"}
	if n := len(bucketName(long)); n > 63 {
		t.Errorf("bucket name of %d characters", n)
	}
	for _, n := range []string{functionName(tg), tableName(tg), execRoleName(tg), guestRoleName(tg)} {
		if !strings.HasPrefix(n, tg.Prefix) {
			t.Errorf("%s does not start with the prefix", n)
		}
	}
	// The pool's name: the student's stem and an underscore, valid under both the
	// API's pattern and the simulator's older one; never another student's (s07
	// against s070).
	if got := poolName(tg); got != "c42s07_slots" || strings.HasPrefix(poolName(labs.NewTarget("c42", "s070", "1", "r")), got) {
		t.Errorf("pool name %s", got)
	}
}

func TestWidgets(t *testing.T) {
	o := correct()
	views := map[string]labs.WidgetView{}
	for _, w := range Lab().Widgets {
		views[w.ID] = w.View(o, nil)
		if e := w.View(nil, nil); e.Empty == "" {
			t.Errorf("%s: no empty state for nil", w.ID)
		}
		if e := w.View(&Observation{Target: o.Target}, labs.NewHistory()); e.Empty == "" {
			t.Errorf("%s: no empty state for a fresh student", w.ID)
		}
	}
	if s := views["invocations"].Spark; s == nil || len(s.Points) != 3 || s.Last != 3 {
		t.Fatalf("invocations: %+v", s)
	}
	if s := views["duration"].Spark; s == nil || s.Unit != "ms" || s.Last != 38 {
		t.Fatalf("duration: %+v", s)
	}
	feed := views["last-pull"].Table
	if feed == nil || len(feed.Rows) != 2 || !strings.Contains(feed.Rows[0].Cells[1], "cherry") {
		t.Fatalf("feed: %+v", feed)
	}
	o.Pulls = append(o.Pulls, Pull{At: at, Error: true, Message: "Task timed out after 3.00 seconds"})
	if f := Lab().Widgets[3].View(o, nil).Table; f.Rows[0].Tone != "bad" {
		t.Errorf("error line not marked: %+v", f.Rows[0])
	}
	tile := views["website"].Tile
	if tile == nil || tile.Badge != "HTTP 200 · 30 ms" || !strings.Contains(strings.Join(tile.Lines, "|"), "bucket policy: public") {
		t.Fatalf("website tile: %+v", tile)
	}
	o.Site.Block = &Block{true, true, true, true}
	if tile := Lab().Widgets[4].View(o, nil).Tile; !strings.Contains(strings.Join(tile.Lines, "|"), "BlockPublicPolicy and RestrictPublicBuckets on") {
		t.Errorf("website tile does not show the block: %+v", tile.Lines)
	}
}

func TestSummary(t *testing.T) {
	o := correct()
	if s := Summary(o); s.Badge != "5 pulls" || s.BadgeTone != "ok" {
		t.Errorf("summary %+v", s)
	}
	o.Metrics.Errors = []float64{1}
	if s := Summary(o); s.BadgeTone != "bad" || !strings.Contains(s.Badge, "1 err") {
		t.Errorf("summary with errors %+v", s)
	}
	if s := Summary(nil); s.Badge != "" || s.Running != -1 {
		t.Errorf("summary of nil %+v", s)
	}
}

// TestResourcesAreCleanedUp: every resource the observation files in the ledger
// is of a type the lab's Cleanup names, and the cleanup engine recognises its ARN
// as that type.
func TestResourcesAreCleanedUp(t *testing.T) {
	o := correct()
	rs := o.Resources()
	if len(rs) != 6 {
		t.Fatalf("resources: %+v", rs)
	}
	for _, r := range rs {
		if !slices.Contains(Lab().Cleanup, r.Type) {
			t.Errorf("%s: type %s is not in the lab's Cleanup", r.ARN, r.Type)
		}
		if got, ok := resources.ForARN(r.ARN); !ok || got.Name != r.Type {
			t.Errorf("%s: cleanup takes it for %q (%v), want %s", r.ARN, got.Name, ok, r.Type)
		}
	}
	// A pool proven by its tags says so; one found by name only, too.
	for _, r := range rs {
		if r.Type == "AWS::Cognito::IdentityPool" && r.FoundBy != "tag" {
			t.Errorf("tagged pool found by %s", r.FoundBy)
		}
	}
	o.Pool.Tags = nil
	for _, r := range o.Resources() {
		if r.Type == "AWS::Cognito::IdentityPool" && r.FoundBy != "prefix" {
			t.Errorf("untagged pool found by %s", r.FoundBy)
		}
	}
	if len((&Observation{}).Resources()) != 0 {
		t.Error("an empty observation lists resources")
	}
}
