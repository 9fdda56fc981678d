package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/labdash/labdash/db"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
	"github.com/labdash/labdash/labs/sandbox"
)

// TestConsoleLinkAccountPerStudent: on AWS, a student of an account-per-student
// class is sent to a sign-in link for LabStudentConsoleRole in their own account,
// with labdash's URL as the Issuer; a student the roster gives no account gets a
// plain 409 page saying so, not a 500 or a 502. The student page states the 1-hour
// cap. AWS is a local fake STS and federation endpoint.
func TestConsoleLinkAccountPerStudent(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.srv.cfg.Cloud = "aws"
	class := &db.Class{Name: "Own accounts", OwnerID: h.instructor.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationPerStudent, Labs: []string{"fargate"}}
	if err := h.store.CreateClass(ctx, class); err != nil {
		t.Fatal(err)
	}
	_, toks, err := h.store.AddStudents(ctx, class.ID, []db.NewStudent{
		{Name: "Dee Ownaccount", Email: "dee@example.edu", AccountID: "111122223333"}, {Name: "Eve Noaccount", Email: "eve@example.edu"}})
	if err != nil {
		t.Fatal(err)
	}

	awstest.IsolateEnv(t)
	fake := awstest.NewFakeSTS(t, "arn:aws:iam::123456789012:user/labdash")
	fake.RequireExternalID("arn:aws:iam::111122223333:role/"+awsprovider.DefaultAssumeRoleName, class.ID)
	p, err := awsprovider.New(ctx, awsprovider.Options{Endpoint: fake.URL, RequireEndpoint: true, MaxAttempts: 1,
		ExternalID: func(string) string { return class.ID }})
	if err != nil {
		t.Fatal(err)
	}
	h.srv.WithConsole(&sandbox.Console{Store: h.store, Provider: p, FederationURL: fake.URL + "/federation"})

	r := h.anon().get("/s/" + toks[0] + "/console")
	if r.status != http.StatusSeeOther || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("console with an account: %d (%s); want 303, no-store", r.status, r.body)
	}
	link, err := url.Parse(r.header.Get("Location"))
	if err != nil || !strings.HasPrefix(link.String(), fake.URL+"/federation?") {
		t.Fatalf("redirect to %q; want the federation endpoint", r.header.Get("Location"))
	}
	if got := link.Query().Get("Issuer"); got != h.ts.URL {
		t.Errorf("Issuer = %q, want labdash's own URL %s", got, h.ts.URL)
	}
	calls := fake.Calls("AssumeRole")
	if len(calls) != 2 || calls[1].Form.Get("RoleArn") != "arn:aws:iam::111122223333:role/"+sandbox.StudentConsoleRoleName {
		t.Errorf("AssumeRole calls %+v; want LabDashboardRole then LabStudentConsoleRole in 111122223333", calls)
	}

	r = h.anon().get("/s/" + toks[1] + "/console")
	if r.status != http.StatusConflict || !strings.Contains(r.body, "roster names no account for you") {
		t.Fatalf("console without an account: %d\n%s\nwant 409 explaining the roster has no account", r.status, r.body)
	}

	r = h.anon().get("/s/" + toks[0])
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="open-console"`) || !strings.Contains(r.body, "at most 1 hour") {
		t.Errorf("student page on AWS: %d; want the console button and the 1-hour cap stated", r.status)
	}
}
