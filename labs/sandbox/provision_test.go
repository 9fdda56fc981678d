package sandbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

type fixture struct {
	store   *db.Store
	world   *sim.World
	clock   *sim.ManualClock
	counter *cloud.CallCounter
	class   *db.Class
}

func newFixture(t *testing.T, students int, opts ...func(*db.Class)) *fixture {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	store.CreateUser(ctx, u)
	class := &db.Class{Name: "p", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
	for _, o := range opts {
		o(class)
	}
	if err := store.CreateClass(ctx, class); err != nil {
		t.Fatal(err)
	}
	var rows []db.NewStudent
	for i := 1; i <= students; i++ {
		rows = append(rows, db.NewStudent{Name: fmt.Sprintf("S%d", i), Email: fmt.Sprintf("s%d@example.edu", i)})
	}
	if _, _, err := store.AddStudents(ctx, class.ID, rows); err != nil {
		t.Fatal(err)
	}
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	counter := cloud.NewCallCounter(nil, "sim")
	return &fixture{store: store, world: sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333"}), clock: clock, counter: counter, class: class}
}

func (f *fixture) provisioner() *Provisioner {
	return &Provisioner{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Store: f.store, Registry: catalog.New(), Provider: f.world, Workers: 3,
		Sleep: func(ctx context.Context, d time.Duration) error { f.clock.Advance(d); return ctx.Err() }}
}

// check asserts the class's sandboxes exist as the ledger says, with nothing extra.
func (f *fixture) check(t *testing.T, students int) {
	t.Helper()
	checkSandboxes(t, f.store, f.world, f.class, students)
}

func checkSandboxes(t *testing.T, store *db.Store, provider cloud.Provider, class *db.Class, students int) {
	t.Helper()
	ctx := context.Background()
	c, err := provider.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	f := struct {
		store *db.Store
		class *db.Class
	}{store, class}
	ledger, err := f.store.Ledger(ctx, f.class.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string]int{}
	for _, e := range ledger {
		byType[e.Type]++
	}
	// The boundary, the common identity policy and one per lab with grants.
	policies := 2
	for _, id := range class.Labs {
		if l, ok := catalog.New().Lab(id); ok && l.Grants != nil {
			policies++
		}
	}
	if byType["AWS::IAM::Role"] != students || byType["AWS::CloudFormation::Stack"] != students || byType["AWS::IAM::ManagedPolicy"] != policies || len(ledger) != 2*students+policies {
		t.Fatalf("ledger = %v (%d entries); want %d policies", byType, len(ledger), policies)
	}
	for i := 1; i <= students; i++ {
		slug := fmt.Sprintf("s%02d", i)
		role, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(RoleName(f.class.ID, slug))})
		if err != nil {
			t.Fatalf("role of %s: %v", slug, err)
		}
		if role.Role.PermissionsBoundary == nil || !strings.HasSuffix(aws.ToString(role.Role.PermissionsBoundary.PermissionsBoundaryArn), BoundaryName(f.class.ID)) {
			t.Errorf("role of %s has no class boundary", slug)
		}
		if trust, _ := url.QueryUnescape(aws.ToString(role.Role.AssumeRolePolicyDocument)); strings.Contains(trust, "TagSession") {
			t.Errorf("role of %s lets its callers set session tags, which would override labdash:student: %s", slug, trust)
		}
		attached, err := c.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(RoleName(f.class.ID, slug))})
		if err != nil || len(attached.AttachedPolicies) != policies-1 {
			t.Errorf("role of %s has %d identity policies attached (%v); want %d", slug, len(attached.AttachedPolicies), err, policies-1)
		}
		if aws.ToString(role.Role.Path) != "/labdash/"+f.class.ID+"/"+slug+"/" {
			t.Errorf("role of %s has path %s", slug, aws.ToString(role.Role.Path))
		}
		roleTags := map[string]string{}
		for _, tg := range role.Role.Tags {
			roleTags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		if roleTags["labdash:class"] != f.class.ID || roleTags["labdash:student"] != slug {
			t.Errorf("role of %s tags = %v", slug, roleTags)
		}
		out, err := c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(StackName(f.class.ID, slug, "fargate"))})
		if err != nil || out.Stacks[0].StackStatus != cfntypes.StackStatusCreateComplete || len(out.Stacks[0].Outputs) == 0 {
			t.Fatalf("stack of %s: %v %+v", slug, err, out)
		}
		tags := map[string]string{}
		for _, tg := range out.Stacks[0].Tags {
			tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		if tags["labdash:class"] != f.class.ID || tags["labdash:student"] != slug {
			t.Errorf("stack of %s tags = %v", slug, tags)
		}
	}
	for _, e := range ledger {
		if e.Type == "AWS::CloudFormation::Stack" && !strings.Contains(e.Detail, "TaskSecurityGroupId") {
			t.Errorf("stack outputs not recorded for %s: %q", e.Student, e.Detail)
		}
	}
}

func TestProvisionSharedAccountClass(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 5)
	p := f.provisioner()
	job, err := p.Start(ctx, f.class.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	done, _ := f.store.Job(ctx, job.ID)
	if done.State != db.JobDone || done.Counts()[db.ItemDone] != 5 || done.Error != "" {
		t.Fatalf("job = %+v", done)
	}
	f.check(t, 5)

	// Running it again creates nothing new.
	before := f.counter.Snapshot()
	again, err := p.Start(ctx, f.class.ID)
	if err != nil || again.ID == job.ID {
		t.Fatalf("second job: %+v, %v", again, err)
	}
	if err := p.Run(ctx, again.ID); err != nil {
		t.Fatal(err)
	}
	after := f.counter.Snapshot()
	if d := after["cloudformation:CreateStack"] - before["cloudformation:CreateStack"]; d != 0 {
		t.Errorf("second run created %d stacks", d)
	}
	f.check(t, 5)
}

// TestProvisionResumesAfterAKill cancels the job while students are half done, drops the
// provisioner, and runs the job again from the database: same end state, no duplicates.
func TestProvisionResumesAfterAKill(t *testing.T) {
	f := newFixture(t, 5)
	p := f.provisioner()
	ctx, cancel := context.WithCancel(context.Background())
	job, err := p.Start(ctx, f.class.ID)
	if err != nil {
		t.Fatal(err)
	}
	var progress atomic.Int32
	p.OnProgress = func(int64) {
		if progress.Add(1) == 6 { // a few steps in: some roles made, stacks in flight
			cancel()
		}
	}
	if err := p.Run(ctx, job.ID); err == nil {
		t.Fatal("the interrupted run reported success")
	}
	half, _ := f.store.Job(context.Background(), job.ID)
	if half.State != db.JobRunning || half.Counts()[db.ItemDone] == 5 {
		t.Fatalf("after the kill: %+v", half)
	}
	// A fresh process: a new provisioner, the job found in SQLite.
	p2 := f.provisioner()
	open, err := p2.Start(context.Background(), f.class.ID)
	if err != nil || open.ID != job.ID {
		t.Fatalf("resume found job %+v, %v; want %d", open, err, job.ID)
	}
	if err := p2.Run(context.Background(), job.ID); err != nil {
		t.Fatal(err)
	}
	done, _ := f.store.Job(context.Background(), job.ID)
	if done.State != db.JobDone || done.Counts()[db.ItemDone] != 5 {
		t.Fatalf("resumed job = %+v", done)
	}
	f.check(t, 5)
	if n := f.counter.Count("cloudformation", "CreateStack"); n != 5 {
		t.Errorf("CreateStack called %d times for 5 students; a resumed stack must not be created twice", n)
	}
}

func TestProvisionRefusesUnisolatableLabs(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 1)
	if _, err := f.store.Class(ctx, f.class.ID); err != nil {
		t.Fatal(err)
	}
	c := &db.Class{Name: "macie", OwnerID: f.class.OwnerID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"macie"}}
	if err := f.store.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	_, err := f.provisioner().Start(ctx, c.ID)
	if err == nil || !strings.Contains(err.Error(), "account-per-student") {
		t.Fatalf("Start = %v; want a refusal that says to use account-per-student", err)
	}
}

// TestPreflightReportsQuotaShortfall: a shared account whose ALB quota is below what the
// class needs fails before anything is created, with the numbers and the fix.
func TestPreflightReportsQuotaShortfall(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 5)
	f.world.SetQuota("111122223333", "us-east-1", "elasticloadbalancing", "L-53DA6B97", 3)
	p := f.provisioner()
	job, err := p.Start(ctx, f.class.ID)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Run(ctx, job.ID)
	if err == nil {
		t.Fatal("provisioning ran with a quota shortfall")
	}
	failed, _ := f.store.Job(ctx, job.ID)
	for _, want := range []string{"Application Load Balancers per Region", "is 3", "needs 5", "L-53DA6B97", "request an increase"} {
		if !strings.Contains(failed.Error, want) {
			t.Errorf("job error %q lacks %q", failed.Error, want)
		}
	}
	if failed.State != db.JobFailed || f.counter.Count("iam", "CreateRole") != 0 || f.counter.Count("cloudformation", "CreateStack") != 0 {
		t.Fatalf("a failed preflight created resources: %+v", failed)
	}
	// Raised quota: the same class provisions.
	f.world.SetQuota("111122223333", "us-east-1", "elasticloadbalancing", "L-53DA6B97", 50)
	job, _ = p.Start(ctx, f.class.ID)
	if err := p.Run(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	f.check(t, 5)
}

// TestPreflightReportsAccountMismatch: credentials for another account stop provisioning.
func TestPreflightReportsAccountMismatch(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 2)
	c := &db.Class{Name: "elsewhere", OwnerID: f.class.OwnerID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}, AccountID: "999988887777"}
	if err := f.store.CreateClass(ctx, c); err != nil {
		t.Fatal(err)
	}
	f.store.AddStudents(ctx, c.ID, []db.NewStudent{{Name: "A", Email: "a@example.edu"}})
	p := f.provisioner()
	job, err := p.Start(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx, job.ID); err == nil {
		t.Fatal("provisioning ran in the wrong account")
	}
	failed, _ := f.store.Job(ctx, job.ID)
	if failed.State != db.JobFailed || !strings.Contains(failed.Error, "signed in to account 111122223333") || !strings.Contains(failed.Error, "runs in account 999988887777") {
		t.Fatalf("job = %+v", failed)
	}
	if n := f.counter.Count("iam", "CreatePolicy"); n != 0 {
		t.Fatalf("a refused preflight created %d policies", n)
	}
}

// TestConcurrentStartsShareOneJob: 8 presses of "Provision" at once start one
// job: every Start returns it, none fails on the database's one-open-job rule.
// The test holds SQLite's write lock while they start, so all 8 find no job open
// and wait at their insert: the race the database then decides.
func TestConcurrentStartsShareOneJob(t *testing.T) {
	f := newFixture(t, 3)
	p := f.provisioner()
	locked, release, held := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		held <- f.store.WithTx(context.Background(), func(*db.Store) error { close(locked); <-release; return nil })
	}()
	<-locked
	time.AfterFunc(300*time.Millisecond, func() { close(release) })
	ids := make([]int64, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			j, err := p.Start(context.Background(), f.class.ID)
			if err == nil {
				ids[i] = j.ID
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Errorf("start %d: job %d, %v; want job %d like the first", i, ids[i], errs[i], ids[0])
		}
	}
	if j, err := f.store.Job(context.Background(), ids[0]); err != nil || len(j.Items) != 3 {
		t.Errorf("the job: %+v %v, want 3 items", j, err)
	}
}
