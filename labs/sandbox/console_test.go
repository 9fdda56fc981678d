package sandbox

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/labdash/labdash/db"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

const (
	consoleIssuer  = "https://labs.example.edu"
	studentAccount = "111122223333"
)

// fakeConsole is a Console on a real aws provider whose STS and federation
// endpoint are a FakeSTS answering caller for labdash's own identity. sessionToken
// "" gives labdash long-term credentials (an IAM user's keys); otherwise temporary
// ones (SSO, an instance or task role).
func fakeConsole(t *testing.T, store *db.Store, class *db.Class, caller, sessionToken string, dur time.Duration) (*Console, *awstest.FakeSTS) {
	t.Helper()
	awstest.IsolateEnv(t)
	fake := awstest.NewFakeSTS(t, caller)
	p, err := awsprovider.New(context.Background(), awsprovider.Options{Endpoint: fake.URL, RequireEndpoint: true, MaxAttempts: 1,
		ExternalID:  func(string) string { return class.ID },
		LoadOptions: []func(*config.LoadOptions) error{config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDLABDASH", "secret", sessionToken))}})
	if err != nil {
		t.Fatal(err)
	}
	return &Console{Store: store, Provider: p, FederationURL: fake.URL + "/federation", Duration: dur}, fake
}

// sharedConsoleClass is a shared-account class whose student s01 has a sandbox role
// in the ledger (what provisioning records).
func sharedConsoleClass(t *testing.T) (*db.Store, *db.Class, string) {
	t.Helper()
	store, class := motoClass(t, "console-shared", db.IsolationShared, []db.NewStudent{{Name: "A", Email: "a@example.edu"}})
	role := "arn:aws:iam::123456789012:role/labdash/" + class.ID + "/s01/" + class.ID + "s01-student"
	if _, err := store.Record(context.Background(), db.LedgerEntry{ClassID: class.ID, Student: "s01", ARN: role, Type: "AWS::IAM::Role", Region: "us-east-1", Account: "123456789012"}); err != nil {
		t.Fatal(err)
	}
	return store, class, role
}

// oneCall is the only call of action FakeSTS saw.
func oneCall(t *testing.T, fake *awstest.FakeSTS, action string) awstest.STSCall {
	t.Helper()
	calls := fake.Calls(action)
	if len(calls) != 1 {
		t.Fatalf("%d %s calls, want 1: %+v", len(calls), action, fake.Calls(""))
	}
	return calls[0]
}

// checkLogin checks the sign-in link: the federation endpoint's login action, the
// token it gave, and labdash as the Issuer.
func checkLogin(t *testing.T, fake *awstest.FakeSTS, link, issuer string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(link, fake.URL+"/federation?") {
		t.Fatalf("link %s: not the federation endpoint", link)
	}
	q := u.Query()
	if q.Get("Action") != "login" || !strings.HasPrefix(q.Get("SigninToken"), "tok-ASIAFAKE") {
		t.Errorf("link %s: want Action=login and the federation's token", link)
	}
	if q.Get("Issuer") != issuer {
		t.Errorf("Issuer = %q, want labdash's own URL %q", q.Get("Issuer"), issuer)
	}
}

// TestConsoleLongTermCredentials: labdash on an IAM user's keys is not chaining, so
// the link asks for the configured console session (SessionDuration, capped at 12 h)
// while the role session never asks for more than 1 h (a role's default maximum).
func TestConsoleLongTermCredentials(t *testing.T) {
	for _, tc := range []struct {
		dur              time.Duration
		seconds, session string
	}{
		{0, "3600", "3600"},
		{30 * time.Minute, "1800", "1800"},
		{4 * time.Hour, "3600", "14400"},
		{48 * time.Hour, "3600", "43200"},
	} {
		t.Run(tc.dur.String(), func(t *testing.T) {
			store, class, role := sharedConsoleClass(t)
			c, fake := fakeConsole(t, store, class, "arn:aws:iam::123456789012:user/labdash", "", tc.dur)
			link, err := c.URL(context.Background(), class, "s01", consoleIssuer)
			if err != nil {
				t.Fatal(err)
			}
			checkLogin(t, fake, link, consoleIssuer)
			as := oneCall(t, fake, "AssumeRole")
			if as.Form.Get("RoleArn") != role || as.Chained {
				t.Errorf("AssumeRole of %s (chained %v); want the sandbox role %s with long-term keys", as.Form.Get("RoleArn"), as.Chained, role)
			}
			if got := as.Form.Get("DurationSeconds"); got != tc.seconds {
				t.Errorf("DurationSeconds = %q, want %s (never above 3600)", got, tc.seconds)
			}
			if got := oneCall(t, fake, "getSigninToken").Form.Get("SessionDuration"); got != tc.session {
				t.Errorf("SessionDuration = %q, want %s", got, tc.session)
			}
		})
	}
}

// TestConsoleChainedCredentials: labdash on temporary credentials (a session token,
// or an assumed-role identity such as SSO's) makes the AssumeRole role chaining: the
// link sends neither DurationSeconds nor SessionDuration, which AWS would reject,
// however long a Duration is configured.
func TestConsoleChainedCredentials(t *testing.T) {
	for _, tc := range []struct{ name, caller, token string }{
		{"SSO session", "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Teaching_0123456789abcdef/ana", "sso-token"},
		{"task role", "arn:aws:sts::123456789012:assumed-role/labdash-task/1a2b3c", "task-token"},
		{"assumed-role identity only", "arn:aws:sts::123456789012:assumed-role/labdash/i-0abc", ""},
		{"session token only", "arn:aws:iam::123456789012:user/labdash", "get-session-token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, class, _ := sharedConsoleClass(t)
			c, fake := fakeConsole(t, store, class, tc.caller, tc.token, 4*time.Hour)
			link, err := c.URL(context.Background(), class, "s01", consoleIssuer)
			if err != nil {
				t.Fatal(err)
			}
			checkLogin(t, fake, link, consoleIssuer)
			if as := oneCall(t, fake, "AssumeRole"); as.Form.Has("DurationSeconds") {
				t.Errorf("DurationSeconds = %s sent while chaining", as.Form.Get("DurationSeconds"))
			}
			if fed := oneCall(t, fake, "getSigninToken"); fed.Form.Has("SessionDuration") {
				t.Errorf("SessionDuration = %s sent while chaining", fed.Form.Get("SessionDuration"))
			}
		})
	}
}

// TestConsoleIssuer: the issuer argument (the base URL the student reached labdash
// at) wins; without one, Console.Issuer; a trailing slash is dropped.
func TestConsoleIssuer(t *testing.T) {
	store, class, _ := sharedConsoleClass(t)
	c, fake := fakeConsole(t, store, class, "arn:aws:iam::123456789012:user/labdash", "", 0)
	c.Issuer = "https://configured.example.edu/"
	link, err := c.URL(context.Background(), class, "s01", "")
	if err != nil {
		t.Fatal(err)
	}
	checkLogin(t, fake, link, "https://configured.example.edu")
	link, err = c.URL(context.Background(), class, "s01", "http://10.0.0.5:8080")
	if err != nil {
		t.Fatal(err)
	}
	if q, _ := url.Parse(link); q.Query().Get("Issuer") != "http://10.0.0.5:8080" {
		t.Errorf("link %s: want the request's base URL as Issuer", link)
	}
}

// TestConsoleAccountPerStudent: with an account per student the link assumes
// LabStudentConsoleRole in the student's roster account, through LabDashboardRole
// (assumed with the class id as ExternalId); that is always role chaining. A
// student the roster gives no account gets ErrNoAccount; the ledger is not needed.
func TestConsoleAccountPerStudent(t *testing.T) {
	store, class := motoClass(t, "console-aps", db.IsolationPerStudent,
		[]db.NewStudent{{Name: "A", Email: "a@example.edu", AccountID: studentAccount}, {Name: "B", Email: "b@example.edu"}})
	c, fake := fakeConsole(t, store, class, "arn:aws:iam::123456789012:user/labdash", "", 4*time.Hour)
	dashboard := "arn:aws:iam::" + studentAccount + ":role/" + awsprovider.DefaultAssumeRoleName
	fake.RequireExternalID(dashboard, class.ID)
	link, err := c.URL(context.Background(), class, "s01", consoleIssuer)
	if err != nil {
		t.Fatal(err)
	}
	checkLogin(t, fake, link, consoleIssuer)
	calls := fake.Calls("AssumeRole")
	if len(calls) != 2 {
		t.Fatalf("AssumeRole calls %+v; want LabDashboardRole, then LabStudentConsoleRole", calls)
	}
	if calls[0].Form.Get("RoleArn") != dashboard || calls[0].Form.Get("ExternalId") != class.ID {
		t.Errorf("first AssumeRole %v; want %s with ExternalId %s", calls[0].Form, dashboard, class.ID)
	}
	console := calls[1]
	if want := "arn:aws:iam::" + studentAccount + ":role/" + StudentConsoleRoleName; console.Form.Get("RoleArn") != want {
		t.Errorf("console AssumeRole of %s, want %s", console.Form.Get("RoleArn"), want)
	}
	if !console.Chained || console.Form.Has("DurationSeconds") {
		t.Errorf("console AssumeRole chained=%v DurationSeconds=%q; want chained from LabDashboardRole, no DurationSeconds", console.Chained, console.Form.Get("DurationSeconds"))
	}
	if fed := oneCall(t, fake, "getSigninToken"); fed.Form.Has("SessionDuration") || fed.AccessKey == calls[0].AccessKey {
		t.Errorf("federation got %+v; want the console role's session and no SessionDuration", fed)
	}

	_, err = c.URL(context.Background(), class, "s02", consoleIssuer)
	if !errors.Is(err, ErrNoAccount) {
		t.Fatalf("student without an account: %v, want ErrNoAccount", err)
	}
	if _, err := c.URL(context.Background(), class, "s99", consoleIssuer); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("unknown student: %v, want db.ErrNotFound", err)
	}
}

// TestConsoleNotProvisioned: a shared-account student without a sandbox role in the
// ledger gets ErrNotProvisioned before any AWS call.
func TestConsoleNotProvisioned(t *testing.T) {
	store, class := motoClass(t, "console-none", db.IsolationShared, []db.NewStudent{{Name: "A", Email: "a@example.edu"}})
	c, fake := fakeConsole(t, store, class, "arn:aws:iam::123456789012:user/labdash", "", 0)
	if _, err := c.URL(context.Background(), class, "s01", consoleIssuer); !errors.Is(err, ErrNotProvisioned) {
		t.Fatalf("%v, want ErrNotProvisioned", err)
	}
	if n := len(fake.Calls("")); n != 0 {
		t.Errorf("%d AWS calls before knowing the role", n)
	}
}
