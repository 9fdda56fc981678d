package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
	"github.com/labdash/labdash/labs/sandbox"
)

// policiesJSON is the output of `labdash sandbox policies --json`.
type policiesJSON struct {
	Class    string `json:"class"`
	Account  string `json:"account"`
	Note     string `json:"note"`
	Policies []struct {
		Name     string `json:"name"`
		Purpose  string `json:"purpose"`
		Size     int    `json:"size"`
		Limit    int    `json:"limit"`
		Document struct {
			Version   string           `json:"Version"`
			Statement []map[string]any `json:"Statement"`
		} `json:"document"`
	} `json:"policies"`
}

// policyClasses makes a database with a shared-account class, one that names
// its account and an account-per-student one.
func policyClasses(t *testing.T) (dbPath string, shared, own, per *db.Class) {
	t.Helper()
	ctx := t.Context()
	dbPath = filepath.Join(t.TempDir(), "labdash.db")
	store, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	if err := store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	shared = &db.Class{Name: "Shared", OwnerID: u.ID, Regions: []string{"us-east-1", "eu-west-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}}
	own = &db.Class{Name: "Own", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}, AccountID: "444455556666"}
	per = &db.Class{Name: "Per", OwnerID: u.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationPerStudent, Labs: []string{"fargate"}}
	for _, c := range []*db.Class{shared, own, per} {
		if err := store.CreateClass(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	// Provisioning refuses a class with no students, so the shared class has one.
	if _, _, err := store.AddStudents(ctx, shared.ID, []db.NewStudent{{Name: "Bo", Email: "bo@example.edu"}}); err != nil {
		t.Fatal(err)
	}
	return dbPath, shared, own, per
}

func runPolicies(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errs e2eBuffer
	err = run(t.Context(), append([]string{"sandbox", "policies"}, args...), strings.NewReader(""), &out, &errs, envOf(env))
	return out.String(), errs.String(), err
}

func TestSandboxPoliciesCommand(t *testing.T) {
	dbPath, shared, own, per := policyClasses(t)
	boundary, identity := sandbox.BoundaryName(shared.ID), sandbox.IdentityPolicyName(shared.ID)

	t.Run("human", func(t *testing.T) {
		out, _, err := runPolicies(t, nil, "--db", dbPath, shared.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"# " + boundary + ": the ceiling every student role carries: what it can never do (", "# " + identity + ": what every student role may do whatever the lab, inside the boundary (", "# " + sandbox.LabPolicyName(shared.ID, "fargate") + ": what a student may do for ",
			" of 6144 characters)", `"Effect": "Deny"`, `"Version": "2012-10-17"`, "arn:aws:iam::" + simAccount + ":"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%.600s", want, out)
			}
		}
		if strings.Index(out, boundary) > strings.Index(out, identity) {
			t.Errorf("the boundary must come first")
		}
	})
	t.Run("json, the flag after the class", func(t *testing.T) {
		out, _, err := runPolicies(t, map[string]string{"LABDASH_DB": dbPath}, own.ID, "--json")
		if err != nil {
			t.Fatal(err)
		}
		var got policiesJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("not JSON: %v\n%.300s", err, out)
		}
		if got.Class != own.ID || got.Account != "444455556666" || len(got.Policies) != 3 || got.Note != "" {
			t.Fatalf("got class %s, account %s, %d policies, note %q", got.Class, got.Account, len(got.Policies), got.Note)
		}
		for i, want := range []string{sandbox.BoundaryName(own.ID), sandbox.IdentityPolicyName(own.ID), sandbox.LabPolicyName(own.ID, "fargate")} {
			p := got.Policies[i]
			if p.Name != want || p.Document.Version != "2012-10-17" || len(p.Document.Statement) == 0 || p.Size <= 0 || p.Limit != 6144 || p.Purpose == "" {
				t.Errorf("policy %d = %s %q %d/%d, version %q, %d statements", i, p.Name, p.Purpose, p.Size, p.Limit, p.Document.Version, len(p.Document.Statement))
			}
		}
	})
	t.Run("account per student", func(t *testing.T) {
		out, _, err := runPolicies(t, nil, "--db", dbPath, per.ID)
		if err != nil || !strings.Contains(out, "each student has their own account; labdash uses LabDashboardRole there") || strings.Contains(out, "{") {
			t.Fatalf("%v\n%s", err, out)
		}
		out, _, err = runPolicies(t, nil, "--db", dbPath, "--json", per.ID)
		var got policiesJSON
		if err != nil || json.Unmarshal([]byte(out), &got) != nil || got.Policies == nil || len(got.Policies) != 0 || !strings.Contains(got.Note, "LabDashboardRole") {
			t.Fatalf("%v\n%s", err, out)
		}
	})
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"unknown class":   {[]string{"--db", dbPath, "cnope"}, `no class "cnope"`},
		"hostile class":   {[]string{"--db", dbPath, "' OR 1=1 --\x1b[31m" + strings.Repeat("x", 5000)}, "no class"},
		"no class":        {[]string{"--db", dbPath}, "usage: labdash sandbox policies"},
		"two classes":     {[]string{"--db", dbPath, shared.ID, own.ID}, "usage: labdash sandbox policies"},
		"bad cloud":       {[]string{"--db", dbPath, "--cloud", "gcp", shared.ID}, "--cloud (LABDASH_CLOUD)"},
		"bad flag":        {[]string{"--db", dbPath, "--frobnicate", shared.ID}, "frobnicate"},
		"unknown sandbox": {nil, "unknown command"},
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			if name == "unknown sandbox" {
				err = run(t.Context(), []string{"sandbox", "list"}, nil, io.Discard, io.Discard, envOf(nil))
			} else {
				_, _, err = runPolicies(t, nil, tc.args...)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want one with %q", err, tc.want)
			}
			if len(err.Error()) > 400 || strings.Contains(err.Error(), "\x1b") {
				t.Errorf("the error echoes the argument unclipped or unquoted: %.100q", err.Error())
			}
		})
	}
	var help e2eBuffer
	if err := run(t.Context(), []string{"help"}, nil, &help, io.Discard, envOf(nil)); err != nil || !strings.Contains(help.String(), "labdash sandbox policies") {
		t.Errorf("help does not list the sandbox command: %v", err)
	}
}

// fakeSTSEnv points the AWS SDK at an STS that answers GetCallerIdentity with
// account, or refuses the credentials when account is "".
func fakeSTSEnv(t *testing.T, account string) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "text/xml")
		if account == "" || r.Form.Get("Action") != "GetCallerIdentity" {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
			return
		}
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::%s:user/labdash</Arn><UserId>AIDATEST</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, account, account)
	}))
	t.Cleanup(srv.Close)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	dir := t.TempDir()
	for k, v := range map[string]string{"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": srv.URL} {
		t.Setenv(k, v)
	}
}

// TestSandboxPoliciesNameTheSignedInAccount runs the command with --cloud aws:
// the policies name the account STS answers, or the placeholder, said so, when
// STS refuses.
func TestSandboxPoliciesNameTheSignedInAccount(t *testing.T) {
	dbPath, shared, _, _ := policyClasses(t)
	for name, tc := range map[string]struct {
		sts, want, note string
	}{
		"signed in":   {"210987654321", "210987654321", ""},
		"sts refuses": {"", sandbox.AccountPlaceholder, "could not read the AWS account"},
	} {
		t.Run(name, func(t *testing.T) {
			fakeSTSEnv(t, tc.sts)
			out, _, err := runPolicies(t, nil, "--db", dbPath, "--cloud", "aws", "--json", shared.ID)
			var got policiesJSON
			if err != nil || json.Unmarshal([]byte(out), &got) != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if got.Account != tc.want || len(got.Policies) != 3 || (tc.note == "") != (got.Note == "") || !strings.Contains(got.Note, tc.note) {
				t.Fatalf("account %q, %d policies, note %q; want %q and a note with %q", got.Account, len(got.Policies), got.Note, tc.want, tc.note)
			}
			_, stderr, err := runPolicies(t, nil, "--db", dbPath, "--cloud", "aws", shared.ID)
			if err != nil || (tc.note != "" && !strings.Contains(stderr, tc.note)) {
				t.Fatalf("human form: %v; stderr %q should carry the note", err, stderr)
			}
		})
	}
}

// TestSandboxPoliciesAgainstMoto asks moto which account labdash is signed in to.
func TestSandboxPoliciesAgainstMoto(t *testing.T) {
	awstest.Moto(t)
	dbPath, shared, _, _ := policyClasses(t)
	out, _, err := runPolicies(t, motoEnv, "--db", dbPath, "--cloud", "aws", "--json", shared.ID)
	var got policiesJSON
	if err != nil || json.Unmarshal([]byte(out), &got) != nil || got.Account != "123456789012" || got.Note != "" {
		t.Fatalf("%v: account %q note %q\n%.300s", err, got.Account, got.Note, out)
	}
}

// TestPoliciesPageNamesTheAccountProvisioningUses serves the simulator, provisions
// a class there, and checks that the policies the API shows are written for the
// account provisioning created them in.
func TestPoliciesPageNamesTheAccountProvisioningUses(t *testing.T) {
	dbPath, shared, _, _ := policyClasses(t)
	ctx := t.Context()
	base, _, stop := serveInProcess(t, dbPath, map[string]string{"LABDASH_DEMO": "false"})
	defer stop()
	var tok e2eBuffer
	if err := run(ctx, []string{"token", "create", "--db", dbPath, "--email", "ana@example.edu"}, nil, &tok, io.Discard, envOf(nil)); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(tok.String())
	status, body := apiCall(t, http.MethodPost, base+"/api/v1/classes/"+shared.ID+"/provision", token, "", "")
	var job struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
		Error string `json:"error"`
	}
	if status != http.StatusAccepted || json.Unmarshal([]byte(body), &job) != nil {
		t.Fatalf("provision: %d %s", status, body)
	}
	for deadline := time.Now().Add(20 * time.Second); job.State != db.JobDone && job.State != db.JobFailed; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("provisioning job %d is still %s", job.ID, job.State)
		}
		_, body := apiGet(t, fmt.Sprintf("%s/api/v1/jobs/%d", base, job.ID), token)
		if err := json.Unmarshal([]byte(body), &job); err != nil {
			t.Fatalf("job: %v %s", err, body)
		}
	}
	if job.State != db.JobDone {
		t.Fatalf("provisioning failed, so there is nothing to compare the policies with: %s", job.Error)
	}
	store, err := db.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	entries, err := store.Ledger(context.WithoutCancel(ctx), shared.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	created := map[string]bool{}
	for _, e := range entries {
		if e.Type == "AWS::IAM::ManagedPolicy" {
			created[e.ARN] = true
		}
	}
	status, body = apiGet(t, base+"/api/v1/classes/"+shared.ID+"/policies", token)
	var got policiesJSON
	if status != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil {
		t.Fatalf("policies: %d %s", status, body)
	}
	if got.Note != "" || len(got.Policies) != 3 {
		t.Fatalf("the server should know its account: account %q, note %q", got.Account, got.Note)
	}
	for _, p := range got.Policies {
		if arn := "arn:aws:iam::" + got.Account + ":policy/" + p.Name; !created[arn] {
			t.Errorf("the API shows %s, but provisioning created %v", arn, created)
		}
	}
}
