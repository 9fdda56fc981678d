package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cloud"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// motoClass opens a fresh store holding one Fargate class of isolation with rows.
func motoClass(t *testing.T, name, isolation string, rows []db.NewStudent) (*db.Store, *db.Class) {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), name+".db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	if err := store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	class := &db.Class{Name: name, OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: isolation, Labs: []string{"fargate"}}
	if err := store.CreateClass(ctx, class); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.AddStudents(ctx, class.ID, rows); err != nil {
		t.Fatal(err)
	}
	return store, class
}

// fiveStudents is a roster of s01…s05.
func fiveStudents() []db.NewStudent {
	var rows []db.NewStudent
	for i := 1; i <= 5; i++ {
		rows = append(rows, db.NewStudent{Name: fmt.Sprintf("S%d", i), Email: fmt.Sprintf("s%d@example.edu", i)})
	}
	return rows
}

// motoProvisioner provisions through provider, polling moto's stacks every 50 ms.
func motoProvisioner(store *db.Store, provider cloud.Provider, workers int) *Provisioner {
	return &Provisioner{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Store: store, Registry: catalog.New(), Provider: provider, Workers: workers,
		Sleep: func(ctx context.Context, d time.Duration) error { time.Sleep(50 * time.Millisecond); return ctx.Err() }}
}

// TestProvisionAgainstMoto provisions a 5-student shared-account class through the real
// SDK clients: roles with the boundary and tags, stacks CREATE_COMPLETE with outputs, the
// ledger matching what moto holds; a second run creates nothing.
func TestProvisionAgainstMoto(t *testing.T) {
	awstest.Reset(t)
	counter := cloud.NewCallCounter(nil, "aws")
	provider := awstest.NewProvider(t, awsprovider.Options{Counter: counter})
	ctx := context.Background()
	store, class := motoClass(t, "moto", db.IsolationShared, fiveStudents())
	p := motoProvisioner(store, provider, 3)
	job, err := p.Start(ctx, class.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	done, _ := store.Job(ctx, job.ID)
	if done.State != db.JobDone || done.Counts()[db.ItemDone] != 5 {
		t.Fatalf("job = %+v", done)
	}
	checkSandboxes(t, store, provider, class, 5)

	stacks := counter.Count("cloudformation", "CreateStack")
	again, err := p.Start(ctx, class.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx, again.ID); err != nil {
		t.Fatal(err)
	}
	if n := counter.Count("cloudformation", "CreateStack") - stacks; n != 0 {
		t.Errorf("the second run created %d stacks", n)
	}
	checkSandboxes(t, store, provider, class, 5)
}

// TestConsoleLinkAgainstMoto: a provisioned student's console link assumes their role in
// moto and trades the credentials for a sign-in token at the federation endpoint.
func TestConsoleLinkAgainstMoto(t *testing.T) {
	awstest.Reset(t)
	provider := awstest.NewProvider(t, awsprovider.Options{})
	ctx := context.Background()
	store, class := motoClass(t, "console", db.IsolationShared, []db.NewStudent{{Name: "A", Email: "a@example.edu"}, {Name: "B", Email: "b@example.edu"}})
	var gotSession map[string]string
	fed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("Action") != "getSigninToken" {
			http.Error(w, "bad action", 400)
			return
		}
		json.Unmarshal([]byte(r.URL.Query().Get("Session")), &gotSession)
		fmt.Fprint(w, `{"SigninToken":"tok-123"}`)
	}))
	defer fed.Close()
	console := &Console{Store: store, Provider: provider, FederationURL: fed.URL}
	if _, err := console.URL(ctx, class, "s01", "https://labs.example.edu"); !errors.Is(err, ErrNotProvisioned) {
		t.Fatalf("before provisioning: %v, want ErrNotProvisioned", err)
	}
	p := motoProvisioner(store, provider, 0)
	job, err := p.Start(ctx, class.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	link, err := console.URL(ctx, class, "s01", "https://labs.example.edu")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, fed.URL+"?") || !strings.Contains(link, "Action=login") || !strings.Contains(link, "SigninToken=tok-123") ||
		!strings.Contains(link, "Issuer="+url.QueryEscape("https://labs.example.edu")) {
		t.Fatalf("link = %s", link)
	}
	if gotSession["sessionId"] == "" || gotSession["sessionToken"] == "" {
		t.Fatalf("federation got session %v; want the assumed role's credentials", gotSession)
	}
}

// TestProvisionAccountPerStudentAgainstMoto: each student's stack lands in their own
// account, reached by assuming LabDashboardRole there.
func TestProvisionAccountPerStudentAgainstMoto(t *testing.T) {
	awstest.Reset(t)
	ctx := context.Background()
	accounts := []string{"111122223333", "444455556666"}
	store, class := motoClass(t, "aps", db.IsolationPerStudent,
		[]db.NewStudent{{Name: "A", Email: "a@example.edu", AccountID: accounts[0]}, {Name: "B", Email: "b@example.edu", AccountID: accounts[1]}})
	provider := awstest.NewProvider(t, awsprovider.Options{ExternalID: func(string) string { return class.ID }})
	p := motoProvisioner(store, provider, 0)
	job, err := p.Start(ctx, class.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	done, _ := store.Job(ctx, job.ID)
	if done.Counts()[db.ItemDone] != 2 {
		t.Fatalf("job = %+v", done)
	}
	ledger, _ := store.Ledger(ctx, class.ID, "")
	got := map[string]string{}
	for _, e := range ledger {
		if e.Type == "AWS::CloudFormation::Stack" {
			got[e.Student] = e.Account
		}
		if e.Type == "AWS::IAM::Role" {
			t.Errorf("account-per-student mode created a sandbox role: %s", e.ARN)
		}
	}
	if got["s01"] != accounts[0] || got["s02"] != accounts[1] {
		t.Fatalf("stacks by account = %v", got)
	}
	// Each student account holds the class boundary (the roles the labs' stacks make
	// carry it) and nothing else of the shared mode's policies.
	policies := map[string][]string{}
	for _, e := range ledger {
		if e.Type == "AWS::IAM::ManagedPolicy" {
			policies[e.Account] = append(policies[e.Account], e.ARN)
		}
	}
	for _, a := range accounts {
		if want := BoundaryARN(a, class.ID); len(policies[a]) != 1 || policies[a][0] != want {
			t.Errorf("account %s holds policies %v; want only %s", a, policies[a], want)
		}
	}
}

// TestProvisionResumesAgainstMoto: a run cancelled halfway and resumed by a fresh
// provisioner ends in the same state as an uninterrupted one, with no duplicates.
func TestProvisionResumesAgainstMoto(t *testing.T) {
	awstest.Reset(t)
	provider := awstest.NewProvider(t, awsprovider.Options{})
	ctx := context.Background()
	store, class := motoClass(t, "resume", db.IsolationShared, fiveStudents())
	p := motoProvisioner(store, provider, 2)
	runCtx, cancel := context.WithCancel(ctx)
	var steps atomic.Int32
	p.OnProgress = func(int64) {
		if steps.Add(1) == 5 {
			cancel()
		}
	}
	job, err := p.Start(runCtx, class.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(runCtx, job.ID); err == nil {
		t.Fatal("the cancelled run reported success")
	}
	resumed := motoProvisioner(store, provider, 2)
	open, err := resumed.Start(ctx, class.ID)
	if err != nil || open.ID != job.ID {
		t.Fatalf("resume found %+v, %v", open, err)
	}
	if err := resumed.Run(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	checkSandboxes(t, store, provider, class, 5)
}

// TestPolicyUpdateAgainstMoto: the real IAM client path of updating a class policy
// (GetPolicy, GetPolicyVersion's URL-encoded document, CreatePolicyVersion as
// default) against moto; the same document again makes no version.
func TestPolicyUpdateAgainstMoto(t *testing.T) {
	ctx := context.Background()
	c, err := awstest.NewProvider(t, awsprovider.Options{}).Clients(ctx, "", awstest.Region)
	if err != nil {
		t.Fatal(err)
	}
	first := `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"ecs:ListClusters","Resource":"*"}]}`
	second := `{"Version":"2012-10-17","Statement":[{"Sid":"B","Effect":"Allow","Action":["ecs:ListClusters","ecs:DescribeClusters"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1"]}}}]}`
	out, err := c.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("cmoto-student-identity"), PolicyDocument: aws.String(first)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.Policy.Arn)
	for i := 0; i < 2; i++ {
		if err := updatePolicy(ctx, c, arn, second); err != nil {
			t.Fatal(err)
		}
	}
	vs, err := c.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil || len(vs.Versions) != 2 {
		t.Fatalf("%d versions (%v); want the first and the update", len(vs.Versions), err)
	}
	pol, _ := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	v, err := c.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: pol.Policy.DefaultVersionId})
	if err != nil || !sameJSON(aws.ToString(v.PolicyVersion.Document), second) {
		t.Fatalf("default version = %v (%v)", v, err)
	}
}
