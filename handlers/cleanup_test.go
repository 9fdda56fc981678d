package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/web"
)

// TestCleanupOneStudentScope: the plan page, the API plan and the confirmation take
// an optional student; a malformed one is a 422 naming the field, one not on the
// roster a 404, and the confirmed job carries the scope.
func TestCleanupOneStudentScope(t *testing.T) {
	h := newHarness(t)
	page := h.as(h.instructor).get("/classes/" + h.class.ID + "/cleanup?student=" + h.b.slug)
	// The form appears only when there is something to delete; the heading always does.
	if page.status != 200 || !strings.Contains(page.body, "Clean up student Bea Quillfeather ("+h.b.slug+")") {
		t.Fatalf("student plan page: %d %s", page.status, clip(page.body, 400))
	}
	api := h.withToken(h.apiToken)
	for _, tc := range []struct {
		student string
		status  int
		want    string
	}{
		{"s1; DROP TABLE", 422, "student:"},
		{"s99", 404, "no student s99"},
		{h.b.slug, 200, `"student":"` + h.b.slug + `"`},
	} {
		r := api.postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/plan?student="+url.QueryEscape(tc.student), "")
		if r.status != tc.status || !strings.Contains(r.body, tc.want) {
			t.Errorf("plan for %q: %d %s, want %d containing %q", tc.student, r.status, clip(r.body, 300), tc.status, tc.want)
		}
	}
	r := api.postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/plan?student="+h.b.slug, "")
	var plan cleanup.Plan
	if err := json.Unmarshal([]byte(r.body), &plan); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"hash":%q,"confirm":%q,"student":%q}`, plan.Hash, h.class.Name, h.b.slug)
	run := api.postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/run", body)
	if run.status != 202 {
		t.Fatalf("run for %s: %d %s", h.b.slug, run.status, run.body)
	}
	job, err := h.store.LatestJob(context.Background(), h.class.ID, cleanup.JobKind)
	if err != nil || job.Scope != h.b.slug {
		t.Fatalf("job scope %q (%v), want %s", job.Scope, err, h.b.slug)
	}
	// The class's hash does not confirm one student's cleanup.
	whole := api.postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/plan", "")
	json.Unmarshal([]byte(whole.body), &plan)
	body = fmt.Sprintf(`{"hash":%q,"confirm":%q,"student":%q}`, plan.Hash+"x", h.class.Name, h.b.slug)
	if r := api.postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/run", body); r.status != 409 {
		t.Errorf("stale hash for one student: %d %s, want 409", r.status, r.body)
	}
	// The form route takes the student too.
	form := h.as(h.instructor).postForm("/classes/"+h.class.ID+"/cleanup/run", url.Values{"hash": {"x"}, "confirm": {h.class.Name}, "student": {"bogus"}})
	if form.status != 422 {
		t.Errorf("form with a malformed student: %d, want 422", form.status)
	}
}

// TestCleanupNeverSaysVerifiedUnlessItIs: the progress page says "Verified" only
// for a job whose outcome is verified; a job that ended not verified is shown in
// the failure style with its report, and the API says verified=false; a plan
// whose lister failed shows what could not be checked before anyone confirms.
func TestCleanupNeverSaysVerifiedUnlessItIs(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, tc := range []struct {
		outcome, report string
		verified        bool
	}{
		{db.OutcomeVerified, "", true},
		{db.OutcomeNotVerified, "1 check(s) could not be made, so something of the class may be left: AWS::CloudWatch::Alarm in 111122223333/us-east-1: could not list them all", false},
		{db.OutcomeNotVerified, "1 failed: arn:aws:logs:us-east-1:111122223333:log-group:x: AccessDenied", false},
		{"", "", false}, // a job from before outcomes were recorded: never "verified"
	} {
		job, err := h.store.CreatePlannedJob(ctx, h.class.ID, cleanup.JobKind, "", "0123456789abcdef", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.store.FinishJob(ctx, job.ID, db.JobDone, tc.outcome, tc.report); err != nil {
			t.Fatal(err)
		}
		page := h.as(h.instructor).get("/classes/" + h.class.ID + "/cleanup/progress")
		says := strings.Contains(page.body, `data-testid="cleanup-verified"`)
		fails := strings.Contains(page.body, `data-testid="cleanup-leftovers"`) && strings.Contains(page.body, `class="error"`) && strings.Contains(page.body, "Not verified")
		if page.status != 200 || says != tc.verified || fails == tc.verified || (tc.report != "" && !strings.Contains(page.body, html.EscapeString(tc.report))) {
			t.Errorf("outcome %q: page says verified=%v, failure style=%v (%d)", tc.outcome, says, fails, page.status)
		}
		r := h.withToken(h.apiToken).get(fmt.Sprintf("/api/v1/jobs/%d", job.ID))
		var got struct {
			Verified bool
			Outcome  string
		}
		if err := json.Unmarshal([]byte(r.body), &got); err != nil || got.Verified != tc.verified || got.Outcome != tc.outcome {
			t.Errorf("outcome %q: API %s", tc.outcome, r.body)
		}
	}

	// A lister that fails: the plan page says so before anything is confirmed.
	world := sim.New(sim.Options{Clock: sim.NewManualClock(time.Unix(1_800_000_000, 0)), DefaultAccount: "111122223333"})
	failing := &cleanup.Planner{Store: h.store, Provider: world, Registry: catalog.New(), Intercept: func(_ context.Context, call cloud.Call) error {
		if call.Op == "DescribeAlarms" {
			return &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform cloudwatch:DescribeAlarms"}
		}
		return nil
	}}
	h.srv.WithCleanupPlanner(failing)
	page := h.as(h.instructor).get("/classes/" + h.class.ID + "/cleanup")
	if page.status != 200 || !strings.Contains(page.body, `data-testid="cleanup-unchecked"`) || !strings.Contains(page.body, "AWS::CloudWatch::Alarm") ||
		!strings.Contains(page.body, "Not everything could be checked") {
		t.Errorf("plan page with a failing lister: %d %s", page.status, clip(page.body, 600))
	}
	r := h.withToken(h.apiToken).postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/plan", "")
	var plan cleanup.Plan
	if err := json.Unmarshal([]byte(r.body), &plan); err != nil || plan.Complete() || len(plan.Unchecked) != 1 {
		t.Errorf("API plan with a failing lister: %s", clip(r.body, 600))
	}
}

// TestCleanupPlanViewChangesNothing: reading a cleanup plan (the class's or one
// student's) is a GET and changes nothing — no audit row, and the rehearsal's
// virtual students keep working, so a rehearsal action still runs afterwards. A
// mistyped confirmation stops nothing either. Only a confirmation with the class's
// name stops them, before it re-plans (so the job's plan is made once nothing of
// labdash's changes the class); a plan that changed meanwhile deletes nothing and
// sends the instructor back to the plan as it is now, saying so.
func TestCleanupPlanViewChangesNothing(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	class := &db.Class{Name: "GA class", OwnerID: h.instructor.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"ga"}}
	if err := h.store.CreateClass(ctx, class); err != nil {
		t.Fatal(err)
	}
	sts, _, err := h.store.AddStudents(ctx, class.ID, []db.NewStudent{{Name: "Eve", Email: "eve@example.edu"}})
	if err != nil {
		t.Fatal(err)
	}
	owner := h.as(h.instructor)
	before, _ := h.store.AuditLog(ctx, class.ID, 100)
	planPage := "/classes/" + class.ID + "/cleanup"
	var hash string
	for _, path := range []string{planPage, planPage + "?student=" + sts[0].Slug, planPage} {
		r := owner.get(path)
		m := regexp.MustCompile(`Plan ([0-9a-f]{16})\.`).FindStringSubmatch(r.body)
		if r.status != 200 || m == nil {
			t.Fatalf("GET %s: %d, no plan hash in %s", path, r.status, clip(r.body, 300))
		}
		hash = m[1] // the whole class's, from the last GET
		if !strings.Contains(r.body, `data-testid="cleanup-rehearsal-note"`) || strings.Contains(r.body, `data-testid="cleanup-plan-changed"`) {
			t.Errorf("GET %s: the rehearsal note is missing or a plan-changed notice shows unasked", path)
		}
	}
	if after, _ := h.store.AuditLog(ctx, class.ID, 100); len(after) != len(before) {
		t.Errorf("viewing the plan wrote %d audit row(s): %+v", len(after)-len(before), after[:len(after)-len(before)])
	}
	if calls := h.rehearsal.Calls(); len(calls) != 0 {
		t.Errorf("viewing the plan called %v", calls)
	}
	action := func() response {
		return owner.postForm("/classes/"+class.ID+"/students/"+sts[0].Slug+"/actions", url.Values{"lab": {"ga"}, "action": {"stop-instance-us-east-1"}})
	}
	if r := action(); r.status != 303 {
		t.Fatalf("rehearsal action after viewing the plan: %d %s, want 303", r.status, clip(r.body, 300))
	}

	run := "/classes/" + class.ID + "/cleanup/run"
	if r := owner.postForm(run, url.Values{"hash": {hash}, "confirm": {"GA clas"}}); r.status != 422 {
		t.Errorf("mistyped confirmation: %d, want 422", r.status)
	}
	if calls := h.rehearsal.Calls(); len(calls) != 0 {
		t.Fatalf("a mistyped confirmation called %v", calls)
	}

	// A stale hash: the students are stopped (the instructor means it), nothing is
	// deleted, and the plan page says the plan changed — for the same student scope.
	r := owner.postForm(run, url.Values{"hash": {"00000000000000ff"}, "confirm": {class.Name}, "student": {sts[0].Slug}})
	want := planPage + "?notice=plan-changed&student=" + sts[0].Slug
	if r.status != 303 || r.header.Get("Location") != want {
		t.Fatalf("confirming a changed plan: %d to %q, want 303 to %q", r.status, r.header.Get("Location"), want)
	}
	if page := owner.get(want); page.status != 200 || !strings.Contains(page.body, `data-testid="cleanup-plan-changed"`) || !strings.Contains(page.body, "Clean up student Eve ("+sts[0].Slug+")") {
		t.Errorf("the plan page after a changed plan: %d %s", page.status, clip(page.body, 400))
	}
	if _, err := h.store.LatestJob(ctx, class.ID, cleanup.JobKind); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("a changed plan started a job: %v", err)
	}
	if calls := h.rehearsal.Calls(); !slices.Equal(calls, []string{"quiesce " + class.ID, "confirm " + class.ID}) {
		t.Fatalf("confirming called %v, want quiesce then confirm", calls)
	}

	// The page's hash: the job starts, and the virtual students are stopped for good.
	if r := owner.postForm(run, url.Values{"hash": {hash}, "confirm": {class.Name}}); r.status != 303 || r.header.Get("Location") != "/classes/"+class.ID+"/cleanup/progress" {
		t.Fatalf("confirming the plan: %d to %q", r.status, r.header.Get("Location"))
	}
	job, err := h.store.LatestJob(ctx, class.ID, cleanup.JobKind)
	if err != nil || job.PlanHash != hash {
		t.Fatalf("the confirmed job: %+v %v, want plan %s", job, err, hash)
	}
	if calls := h.rehearsal.Calls(); len(calls) != 4 || calls[2] != "quiesce "+class.ID || calls[3] != "confirm "+class.ID {
		t.Fatalf("confirming called %v, want quiesce then confirm again", calls)
	}
	if r := action(); r.status != 303 || !strings.Contains(r.header.Get("Location"), "did=no-sandbox") {
		t.Errorf("rehearsal action after the cleanup was confirmed: %d to %q, want the no-sandbox note", r.status, r.header.Get("Location"))
	}
	log, _ := h.store.AuditLog(ctx, class.ID, 100)
	for _, e := range log {
		if e.Action == "cleanup.plan" {
			t.Errorf("an HTML plan view was audited: %+v", e)
		}
	}
}

// TestConcurrentCleanupConfirmations: 8 confirmations of one class's plan at
// once, 4 from the API and 4 from the plan page's form, against real SQLite,
// start exactly one job; every other one is a 409 that names the running job
// (the API's with a Location to it), never a 500 and never a second job.
func TestConcurrentCleanupConfirmations(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	// A plan that takes its time, as a real one does: once armed, every AWS call of
	// planning takes 30 ms, so all 8 confirmations pass the executor's early "is a
	// job open?" check long before any of them has planned and creates its job.
	var armed atomic.Bool
	world := sim.New(sim.Options{Clock: sim.NewManualClock(time.Unix(1_800_000_000, 0)), DefaultAccount: "111122223333"})
	planner := &cleanup.Planner{Store: h.store, Provider: world, Registry: catalog.New(), Intercept: func(ctx context.Context, _ cloud.Call) error {
		if armed.Load() {
			time.Sleep(30 * time.Millisecond)
		}
		return nil
	}}
	h.srv.WithCleanupPlanner(planner)
	h.srv.WithCleanupRunner(cleanupConfirmer{&cleanup.Executor{Log: h.srv.log, Store: h.store, Provider: world, Planner: planner}, h.rehearsal})
	api := h.withToken(h.apiToken)
	r := api.postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/plan", "")
	var plan cleanup.Plan
	if err := json.Unmarshal([]byte(r.body), &plan); err != nil {
		t.Fatalf("plan: %d %s", r.status, r.body)
	}
	browser := h.as(h.instructor)
	csrf := browser.csrf()
	body := fmt.Sprintf(`{"hash":%q,"confirm":%q}`, plan.Hash, h.class.Name)
	form := url.Values{"hash": {plan.Hash}, "confirm": {h.class.Name}, "csrf_token": {csrf}}
	armed.Store(true)
	// The window between the executor's last "is a job open?" check and its insert
	// is narrow, so the test holds it open: once all 8 are planning, it takes
	// SQLite's write lock for 400 ms. Every confirmation then finds no job open (reads
	// go on) and waits at its insert; released, they insert one after another.
	// Three rounds, each ending its job so the next can start one.
	confirms := func() int {
		n := 0
		for _, c := range h.rehearsal.Calls() {
			if strings.HasPrefix(c, "confirm ") {
				n++
			}
		}
		return n
	}
	for round := 1; round <= 3; round++ {
		base := confirms()
		start := make(chan struct{})
		got := make([]response, 8)
		var wg sync.WaitGroup
		for i := range got {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				if i%2 == 0 {
					got[i] = api.postJSON("/api/v1/classes/"+h.class.ID+"/cleanup/run", body)
				} else {
					got[i] = browser.postForm("/classes/"+h.class.ID+"/cleanup/run", form)
				}
			}(i)
		}
		close(start)
		eventually(t, 5*time.Second, func() bool { return confirms() == base+8 }, "all 8 confirmations to reach the executor")
		locked, held := make(chan struct{}), make(chan error, 1)
		go func() {
			held <- h.store.WithTx(ctx, func(*db.Store) error { close(locked); time.Sleep(400 * time.Millisecond); return nil })
		}()
		<-locked
		wg.Wait()
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		job, err := h.store.LatestJob(ctx, h.class.ID, cleanup.JobKind)
		if err != nil {
			t.Fatal(err)
		}
		started := 0
		for i, r := range got {
			switch {
			case i%2 == 0 && r.status == 202, i%2 == 1 && r.status == 303 && strings.HasSuffix(r.header.Get("Location"), "/cleanup/progress"):
				started++
			case r.status == 409:
				want := fmt.Sprintf("cleanup job %d of this class", job.ID)
				ok := strings.Contains(r.body, `"error":"cleanup already running"`) && strings.Contains(r.body, want)
				if i%2 == 1 { // the error page shows the detail
					ok = strings.Contains(html.UnescapeString(r.body), want+" (plan "+plan.Hash+") is already")
				}
				if !ok {
					t.Errorf("round %d, confirmation %d: 409 without naming job %d: %s", round, i, job.ID, clip(r.body, 400))
				}
				if loc := r.header.Get("Location"); i%2 == 0 && loc != fmt.Sprintf("/api/v1/jobs/%d", job.ID) {
					t.Errorf("round %d, confirmation %d: 409 with Location %q, want job %d", round, i, loc, job.ID)
				}
			default:
				t.Errorf("round %d, confirmation %d: %d %s", round, i, r.status, clip(r.body, 300))
			}
		}
		if n := countCleanupJobs(t, h); started != 1 || n != round {
			t.Fatalf("round %d: %d confirmations started a job, %d cleanup jobs exist; want exactly 1 new", round, started, n)
		}
		if err := h.store.FinishJob(ctx, job.ID, db.JobDone, db.OutcomeVerified, ""); err != nil {
			t.Fatal(err)
		}
	}
}

// countCleanupJobs counts the cleanup jobs of the harness's class, open or not.
func countCleanupJobs(t *testing.T, h *harness) int {
	t.Helper()
	ctx := context.Background()
	n := 0
	latest, err := h.store.LatestJob(ctx, h.class.ID, cleanup.JobKind)
	if errors.Is(err, db.ErrNotFound) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	for id := latest.ID; id > 0; id-- {
		if j, err := h.store.Job(ctx, id); err == nil && j.ClassID == h.class.ID && j.Kind == cleanup.JobKind {
			n++
		}
	}
	return n
}

// cleanupWorld gives the harness's cleanup a simulated account of its own holding,
// for each given student of class, one ECS cluster tagged as theirs, and returns it.
func cleanupWorld(t *testing.T, h *harness, class *db.Class, students ...string) *sim.World {
	t.Helper()
	ctx := context.Background()
	world := sim.New(sim.Options{Clock: sim.NewManualClock(time.Unix(1_800_000_000, 0)), DefaultAccount: "111122223333"})
	c, err := world.Clients(ctx, "", class.Regions[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range students {
		if _, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(class.ID + st + "-cluster"),
			Tags: []ecstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(class.ID)}, {Key: aws.String("labdash:student"), Value: aws.String(st)}}}); err != nil {
			t.Fatal(err)
		}
	}
	planner := &cleanup.Planner{Store: h.store, Provider: world, Registry: catalog.New()}
	h.srv.WithCleanupPlanner(planner)
	h.srv.WithCleanupRunner(cleanupConfirmer{&cleanup.Executor{Log: h.srv.log, Store: h.store, Provider: world, Planner: planner}, h.rehearsal})
	return world
}

// TestCleanupConfirmationNearMissesStayOnThePlan (issue 13 item 5): a confirmation
// that is not the class's name or id is refused on the plan page itself — 422, the
// field's error, what was typed kept, the plan still shown, nothing stopped and no
// job — for the whole class and for one student; the name in any case, with
// dashes, underscores or spaces alike, and the id, each start the job.
func TestCleanupConfirmationNearMissesStayOnThePlan(t *testing.T) {
	ctx := context.Background()
	for _, scope := range []string{"", "student"} {
		t.Run("scope="+scope, func(t *testing.T) {
			accepted := []string{"Spring Cohort", "spring-cohort", "SPRING_COHORT", "  spring   cohort  ", "Spring-_Cohort", "", "-spring-cohort-"}
			for i, typed := range accepted {
				h := newHarness(t)
				class := &db.Class{Name: "Spring Cohort", OwnerID: h.instructor.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
				if err := h.store.CreateClass(ctx, class); err != nil {
					t.Fatal(err)
				}
				sts, _, err := h.store.AddStudents(ctx, class.ID, []db.NewStudent{{Name: "Ada Zephyrine", Email: "ada@example.edu"}, {Name: "Bea Quill", Email: "bea@example.edu"}})
				if err != nil {
					t.Fatal(err)
				}
				if typed == "" {
					typed = strings.ToUpper(class.ID) // the id, in another case
				}
				cleanupWorld(t, h, class, sts[0].Slug, sts[1].Slug)
				owner := h.as(h.instructor)
				planPage := "/classes/" + class.ID + "/cleanup"
				form := url.Values{}
				if scope == "student" {
					planPage += "?student=" + sts[1].Slug
					form.Set("student", sts[1].Slug)
				}
				page := owner.get(planPage)
				m := regexp.MustCompile(`Plan ([0-9a-f]{16})\.`).FindStringSubmatch(page.body)
				if page.status != 200 || m == nil || !strings.Contains(page.body, `data-testid="cleanup-confirm"`) {
					t.Fatalf("GET %s: %d, no plan or form: %s", planPage, page.status, clip(page.body, 400))
				}
				form.Set("hash", m[1])
				if i == 0 { // the near misses, once per scope
					for _, miss := range []string{"spring cohor", "Spring Cohorts", "springcohort", "Spring.Cohort", "Autumn Cohort", class.ID + "x", "", "   ", `<b>Spring</b> "Cohort"`} {
						form.Set("confirm", miss)
						r := owner.postForm("/classes/"+class.ID+"/cleanup/run", form)
						body := html.UnescapeString(r.body)
						if r.status != 422 || !strings.Contains(r.body, `data-testid="cleanup-confirm-error"`) || !strings.Contains(r.body, `data-testid="cleanup-plan"`) ||
							!strings.Contains(r.body, `name="hash" value="`+m[1]+`"`) || !strings.Contains(r.body, `aria-invalid="true"`) {
							t.Errorf("near miss %q: %d, want 422 with the inline error and the plan: %s", miss, r.status, clip(r.body, 600))
						}
						if strings.TrimSpace(miss) != "" && !strings.Contains(body, `value="`+miss+`"`) {
							t.Errorf("near miss %q: the typed value is not kept in the field", miss)
						}
						if strings.Contains(r.body, "<b>Spring</b>") {
							t.Errorf("near miss %q: the typed value reaches the page unescaped", miss)
						}
						if strings.Contains(body, "Unprocessable Entity") {
							t.Errorf("near miss %q: the full-page error, not the plan", miss)
						}
						if scope == "student" && (!strings.Contains(body, "Clean up student Bea Quill ("+sts[1].Slug+")") || !strings.Contains(r.body, `name="student" value="`+sts[1].Slug+`"`)) {
							t.Errorf("near miss %q: the student's plan lost its scope: %s", miss, clip(r.body, 600))
						}
					}
					if calls := h.rehearsal.Calls(); len(calls) != 0 {
						t.Fatalf("near misses called %v", calls)
					}
					if _, err := h.store.LatestJob(ctx, class.ID, cleanup.JobKind); !errors.Is(err, db.ErrNotFound) {
						t.Fatalf("a near miss started a job: %v", err)
					}
				}
				form.Set("confirm", typed)
				r := owner.postForm("/classes/"+class.ID+"/cleanup/run", form)
				if r.status != 303 || r.header.Get("Location") != "/classes/"+class.ID+"/cleanup/progress" {
					t.Fatalf("confirming with %q: %d to %q: %s", typed, r.status, r.header.Get("Location"), clip(r.body, 400))
				}
				job, err := h.store.LatestJob(ctx, class.ID, cleanup.JobKind)
				if err != nil || job.PlanHash != m[1] || job.Scope != form.Get("student") {
					t.Fatalf("confirming with %q: job %+v %v", typed, job, err)
				}
			}
		})
	}
}

// etaJob is a cleanup job of n resources created at start, the first len(ends) of
// which finished at the given times.
func etaJob(start time.Time, n int, ends []time.Time) *db.Job {
	job := &db.Job{CreatedAt: start, State: db.JobRunning}
	for i := 0; i < n; i++ {
		it := db.JobItem{Key: fmt.Sprint(i), State: db.ItemPending}
		if i < len(ends) {
			it.State, it.UpdatedAt = db.ItemDone, ends[i]
		}
		job.Items = append(job.Items, it)
	}
	return job
}

var etaMinutesRE = regexp.MustCompile(`^about (?:(\d+) h ?)?(?:(\d+) min )?left$`)

// etaMinutes reads cleanupETA's answer as minutes: 0 for "under a minute", -1
// for the words before the first or after the last resource.
func etaMinutes(t *testing.T, s string) int {
	t.Helper()
	if s == "under a minute left" {
		return 0
	}
	if s == "finishing…" || s == "working out the time left…" {
		return -1
	}
	m := etaMinutesRE.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("ETA %q is not in words (about N min left, under a minute left, finishing…)", s)
	}
	h, _ := strconv.Atoi(m[1]) // "" is 0
	mins, _ := strconv.Atoi(m[2])
	if h == 0 && mins == 0 {
		t.Fatalf("ETA %q says zero", s)
	}
	return 60*h + mins
}

// TestCleanupETAIsSteady: polled every 2 s through a run, the estimate is in
// whole minutes and never goes up for an even pace, never by more than a minute
// between polls for an uneven one; it never says "0" before the end, says
// "finishing…" once everything is done, and a job resumed after hours stopped is
// estimated from its working pace, not from the hours.
func TestCleanupETAIsSteady(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	for name, step := range map[string]func(i int) time.Duration{
		"even": func(int) time.Duration { return 3 * time.Second },
		"uneven": func(i int) time.Duration {
			return []time.Duration{time.Second, 9 * time.Second, 2 * time.Second, 40 * time.Second}[i%4]
		},
	} {
		t.Run(name, func(t *testing.T) {
			const n = 150
			var ends []time.Time
			at := start
			for i := 0; i < n; i++ {
				at = at.Add(step(i))
				ends = append(ends, at)
			}
			prev, done := -2, 0
			for now := start.Add(time.Second); !now.After(ends[n-1]); now = now.Add(2 * time.Second) {
				for done < n && !ends[done].After(now) {
					done++
				}
				got := cleanupETA(etaJob(start, n, ends[:done]), now)
				if done < 5 {
					if got != "working out the time left…" {
						t.Fatalf("before any resource finished: %q", got)
					}
					continue
				}
				m := etaMinutes(t, got)
				if done < n && m < 0 {
					t.Fatalf("%d of %d done: %q", done, n, got)
				}
				limit := 0
				if name == "uneven" {
					limit = 1
				}
				if prev >= 0 && m > prev+limit {
					t.Fatalf("%d of %d done: the estimate rose from %d to %d min (%q)", done, n, prev, m, got)
				}
				prev = m
			}
			if got := cleanupETA(etaJob(start, n, ends), ends[n-1].Add(time.Second)); got != "finishing…" {
				t.Errorf("all done, still running (the verification): %q", got)
			}
		})
	}
	// Ten resources in the first minute, then the process was down for three
	// hours; resumed, ten are left: about a minute, not hours.
	var ends []time.Time
	for i := 1; i <= 10; i++ {
		ends = append(ends, start.Add(time.Duration(i)*6*time.Second))
	}
	resumed := start.Add(3 * time.Hour)
	ends = append(ends, resumed.Add(6*time.Second))
	if got := cleanupETA(etaJob(start, 20, ends), resumed.Add(7*time.Second)); etaMinutes(t, got) > 1 {
		t.Errorf("a resumed job with 9 resources left at 6 s each: %q, want a minute or less", got)
	}
}

// TestCleanupProgressSaysHowItEnded: a finished, verified cleanup is titled
// "Cleanup done" in the success style with "x of y deleted, 0 left"; one with a
// failure is titled not verified, in the failure style, listing the report; the
// running one names each resource's student and type.
func TestCleanupProgressSaysHowItEnded(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	item := func(arn, student string) db.JobItem {
		b, _ := json.Marshal(cleanup.Item{Ref: resources.Ref{ARN: arn, Type: "AWS::ECS::Cluster", Student: student}})
		return db.JobItem{Key: arn, Payload: string(b)}
	}
	arn := "arn:aws:ecs:us-east-1:111122223333:cluster/" + h.class.ID + h.a.slug + "-cluster"
	job, err := h.store.CreatePlannedJob(ctx, h.class.ID, cleanup.JobKind, "", "0123456789abcdef", []db.JobItem{item(arn, h.a.slug), item(arn+"2", "")})
	if err != nil {
		t.Fatal(err)
	}
	owner := h.as(h.instructor)
	page := owner.get("/classes/" + h.class.ID + "/cleanup/progress")
	if !strings.Contains(page.body, "<h2 data-testid=\"cleanup-title\">Cleaning up</h2>") || !strings.Contains(page.body, "working out the time left") {
		t.Errorf("a running job: %s", clip(page.body, 1500))
	}
	for _, it := range job.Items {
		if err := h.store.SetJobItem(ctx, job.ID, it.Key, db.ItemDone, "deleted", ""); err != nil {
			t.Fatal(err)
		}
	}
	page = owner.get("/classes/" + h.class.ID + "/cleanup/progress")
	if !strings.Contains(page.body, "Ada Zephyrine ("+h.a.slug+")</td><td>AWS::ECS::Cluster</td>") || !strings.Contains(page.body, "<td>Class-wide</td>") {
		t.Errorf("the per-resource table does not name the student and type: %s", clip(page.body, 3000))
	}
	if !strings.Contains(page.body, `<span data-testid="cleanup-eta">finishing…</span>`) {
		t.Errorf("everything deleted, verification running: %s", clip(page.body, 1500))
	}
	if err := h.store.FinishJob(ctx, job.ID, db.JobDone, db.OutcomeVerified, ""); err != nil {
		t.Fatal(err)
	}
	page = owner.get("/classes/" + h.class.ID + "/cleanup/progress")
	if !strings.Contains(page.body, `<h2 data-testid="cleanup-title">Cleanup done</h2>`) || !strings.Contains(page.body, `class="notice success"`) ||
		!strings.Contains(page.body, "Verified: 2 of 2 deleted, 0 left.") || !strings.Contains(page.body, "<title>Cleanup done · ") || strings.Contains(page.body, "cleanup-eta") {
		t.Errorf("a verified cleanup: %s", clip(page.body, 2000))
	}
	// The polled fragment carries the title, so the tab says it too.
	if frag := owner.do("GET", "/classes/"+h.class.ID+"/cleanup/progress", nil, "", map[string]string{"HX-Request": "true"}); !strings.HasPrefix(frag.body, "<title>Cleanup done · AWS 101 · labdash</title>") {
		t.Errorf("the polled fragment of a finished cleanup: %s", clip(frag.body, 300))
	}
	job2, err := h.store.CreatePlannedJob(ctx, h.class.ID, cleanup.JobKind, "", "0123456789abcdef", []db.JobItem{item(arn+"3", h.a.slug)})
	if err != nil {
		t.Fatal(err)
	}
	h.store.SetJobItem(ctx, job2.ID, arn+"3", db.ItemFailed, "delete", "AccessDenied")
	h.store.FinishJob(ctx, job2.ID, db.JobDone, db.OutcomeNotVerified, "1 failed: "+arn+"3: AccessDenied")
	page = owner.get("/classes/" + h.class.ID + "/cleanup/progress")
	if !strings.Contains(page.body, `<h2 data-testid="cleanup-title">Cleanup done, not verified</h2>`) || !strings.Contains(page.body, `class="error" role="alert" data-testid="cleanup-leftovers"`) ||
		!strings.Contains(page.body, "1 failed: "+arn+"3: AccessDenied") || strings.Contains(page.body, "cleanup-verified") {
		t.Errorf("a cleanup with a failure: %s", clip(page.body, 2000))
	}
}

// TestCleanupPlanSaysWhyEachRegion: the plan names why each region is read — the
// class's regions, the home region of a type a lab uses (Global Accelerator's
// us-west-2), and a region that holds a resource only because one was found
// there — and groups resources by student name, class-wide first.
func TestCleanupPlanSaysWhyEachRegion(t *testing.T) {
	class := &db.Class{ID: "cabcd", Name: "GA class", Regions: []string{"us-east-1", "eu-west-1"}, Labs: []string{"ga"}}
	plan := &cleanup.Plan{Regions: class.Regions, Items: []cleanup.Item{
		{Ref: resources.Ref{ARN: "arn:a", Type: "AWS::ECS::Cluster", Region: "us-east-1", Student: "s02"}},
		{Ref: resources.Ref{ARN: "arn:b", Type: "AWS::ECS::Cluster", Region: "ap-south-1", Student: "s01"}},
		{Ref: resources.Ref{ARN: "arn:c", Type: "AWS::IAM::Role", Region: "", Student: ""}},
		{Ref: resources.Ref{ARN: "arn:d", Type: "AWS::Logs::LogGroup", Region: "us-east-1", Student: "s02"}},
	}}
	got := map[string]string{}
	var order []string
	for _, r := range planRegions(catalog.New(), class, plan) {
		got[r.Region] = r.Why
		order = append(order, r.Region)
	}
	for region, want := range map[string]string{
		"us-east-1":  "one of the class's regions (us-east-1, eu-west-1)",
		"eu-west-1":  "one of the class's regions",
		"us-west-2":  "the only region Global Accelerator is served from",
		"ap-south-1": "listed only because a resource of the class was found there",
		"global":     "read once through us-east-1",
	} {
		if !strings.Contains(got[region], want) {
			t.Errorf("region %s: %q, want it to say %q (all: %v)", region, got[region], want, order)
		}
	}
	sts := planByStudent(plan.Items, map[string]string{"s01": "Zed Last", "s02": "Ada First"})
	var labels []string
	for _, st := range sts {
		labels = append(labels, fmt.Sprintf("%s:%d:%d", st.Label, st.Count, len(st.Types)))
	}
	if want := "Class-wide:1:1 Ada First (s02):2:2 Zed Last (s01):1:1"; strings.Join(labels, " ") != want {
		t.Errorf("grouped as %q, want %q", strings.Join(labels, " "), want)
	}
}

// TestCleanupPlanSaysWhatPrivateCAsCost: a plan holding private CAs says above
// its list how many bill and what they cost a month, that DISABLED still bills,
// and that deletion uses the 7-day window during which AWS does not charge; a
// plan without one (a certificate is not a CA) says nothing of it.
func TestCleanupPlanSaysWhatPrivateCAsCost(t *testing.T) {
	ca, _ := resources.Lookup(cleanup.PrivateCAType)
	cert, _ := resources.Lookup("AWS::CertificateManager::Certificate")
	item := func(arn, typ string, hourly float64) cleanup.Item {
		return cleanup.Item{Ref: resources.Ref{ARN: arn, Type: typ, Region: "us-east-1", Student: "s01"}, HourlyUSD: hourly}
	}
	render := func(plan *cleanup.Plan) string {
		v := web.CleanupPlanPage{Class: web.ClassView{ID: "cabcd", Name: "PCA class"}, Total: len(plan.Items), Students: planByStudent(plan.Items, nil)}
		v.PrivateCAs, v.PrivateCAMonthlyUSD = privateCANote(plan)
		var b strings.Builder
		if err := web.CleanupPlanView(v).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return html.UnescapeString(b.String())
	}
	with := render(&cleanup.Plan{Items: []cleanup.Item{
		item("arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/root", cleanup.PrivateCAType, ca.Hourly),
		item("arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/sub", cleanup.PrivateCAType, ca.Hourly),
		item("arn:aws:acm:us-east-1:111122223333:certificate/c", "AWS::CertificateManager::Certificate", cert.Hourly),
	}})
	note := regexp.MustCompile(`(?s)<div class="notice" role="note" data-testid="cleanup-private-cas">(.*?)</div>`).FindStringSubmatch(with)
	if note == nil {
		t.Fatalf("no private-CA note in a plan with two CAs:\n%s", with)
	}
	text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(note[1], "")
	for _, want := range []string{"2 private CAs bill $800 a month", "$400 a month each in general-purpose mode", "pro-rated",
		"A DISABLED CA still bills", "7 days (PermanentDeletionTimeInDays=7)", "during those 7 days it shows as DELETED and is not billed",
		"unless someone restores it"} {
		if !strings.Contains(text, want) {
			t.Errorf("note lacks %q: %s", want, text)
		}
	}
	if strings.Index(with, `data-testid="cleanup-private-cas"`) > strings.Index(with, `data-testid="cleanup-plan"`) {
		t.Error("the note is below the list, want it above")
	}
	one := render(&cleanup.Plan{Items: []cleanup.Item{item("arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/root", cleanup.PrivateCAType, ca.Hourly)}})
	if !strings.Contains(one, "1 private CA bills $400 a month") {
		t.Error("one CA: want the singular and $400")
	}
	without := render(&cleanup.Plan{Items: []cleanup.Item{item("arn:aws:acm:us-east-1:111122223333:certificate/c", "AWS::CertificateManager::Certificate", cert.Hourly),
		item("arn:aws:ecs:us-east-1:111122223333:cluster/cabcds01-cluster", "AWS::ECS::Cluster", 0)}})
	if strings.Contains(without, "cleanup-private-cas") || strings.Contains(without, "private CA") {
		t.Error("a plan without a CA mentions private CAs")
	}
}
