package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/sandbox"
)

// policyReport is the JSON of GET /api/v1/classes/{class}/policies.
type policyReport struct {
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

// TestPoliciesPageShowsBothPoliciesAndTheConsoleLinksToIt reads the page as the
// owner and the class's assistant, and follows the console's link to it.
func TestPoliciesPageShowsBothPoliciesAndTheConsoleLinksToIt(t *testing.T) {
	h := newHarness(t)
	boundary, identity := sandbox.BoundaryName(h.class.ID), sandbox.IdentityPolicyName(h.class.ID)
	link := "/classes/" + h.class.ID + "/sandboxes/policies"
	for _, u := range []*db.User{h.instructor, h.assistant} {
		c := h.as(u)
		console := c.get("/classes/" + h.class.ID)
		panel := regexp.MustCompile(`(?s)data-testid="sandboxes".*?</section>`).FindString(console.body)
		if console.status != http.StatusOK || !strings.Contains(panel, `href="`+link+`"`) || !strings.Contains(panel, "Read the policies students get") {
			t.Fatalf("%s: the console's Sandboxes section does not link to %s (%d)", u.Email, link, console.status)
		}
		r := c.get(link)
		if r.status != http.StatusOK {
			t.Fatalf("%s: policies page %d\n%.300s", u.Email, r.status, r.body)
		}
		for _, want := range []string{
			`data-testid="policy-` + boundary + `"`, `data-testid="policy-` + identity + `"`,
			"the ceiling every student role carries: what it can never do", "what every student role may do whatever the lab, inside the boundary",
			"of 6144 characters", "Deny", "Allow", " more", // a long statement is cut to its first few actions
			sandbox.AccountPlaceholder,                                            // this server knows no account, and the page says so
			`data-testid="policies-fences"`, "anything tagged as another student", // how students are kept apart, in words
			`data-testid="policy-steps-` + sandbox.LabPolicyName(h.class.ID, "fargate") + `"`, "create the cluster", "add the target-tracking policy", // the lab's steps its policy allows
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s: the policies page lacks %q", u.Email, want)
			}
		}
		// The <pre> holds the document itself, the one provisioning creates.
		pols, err := sandbox.ClassPolicies(h.class, "", catalog.New())
		if err != nil {
			t.Fatal(err)
		}
		for _, pol := range pols {
			pre := regexp.MustCompile(`(?s)<pre[^>]*data-testid="policy-` + regexp.QuoteMeta(pol.Name) + `"[^>]*>(.*?)</pre>`).FindStringSubmatch(r.body)
			if pre == nil || html.UnescapeString(pre[1]) != pol.JSON {
				t.Errorf("%s: the page's <pre> of %s is not the policy document", u.Email, pol.Name)
			}
			// Every statement is summarised, by its Sid.
			for _, st := range pol.Document.Statement {
				if st.Sid != "" && !strings.Contains(r.body, `data-sid="`+st.Sid+`"`) {
					t.Errorf("%s: the summary lacks statement %s", u.Email, st.Sid)
				}
			}
		}
	}
}

// TestPoliciesPageAnswersHostileClassIDsLikeTheConsole checks that a class that
// does not exist or is another instructor's gets the console's answer, never a
// 500, on the page and the API.
func TestPoliciesPageAnswersHostileClassIDsLikeTheConsole(t *testing.T) {
	h := newHarness(t)
	c := h.as(h.instructor)
	api := h.withToken(h.apiToken)
	for _, id := range []string{h.otherClass.ID, "cnope", strings.Repeat("c", 41), "%2e%2e", "c%00x", "%3Cscript%3E", url.PathEscape("' OR 1=1 --")} {
		want := c.get("/classes/" + id).status
		if want != http.StatusNotFound {
			t.Fatalf("console of %q: %d; the test expects a 404 to compare with", id, want)
		}
		if r := c.get("/classes/" + id + "/sandboxes/policies"); r.status != want {
			t.Errorf("policies page of %q: %d, want %d like the console", id, r.status, want)
		}
		if r := api.get("/api/v1/classes/" + id + "/policies"); r.status != http.StatusNotFound {
			t.Errorf("policies API of %q: %d, want 404", id, r.status)
		}
	}
	// The other class's own assistant is no more welcome here than in the console.
	if r := h.as(h.otherAssistant).get("/classes/" + h.class.ID + "/sandboxes/policies"); r.status != http.StatusNotFound {
		t.Errorf("another class's assistant: %d, want 404", r.status)
	}
	if r := h.anon().get("/classes/" + h.class.ID + "/sandboxes/policies"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("anonymous: %d to %q, want a redirect to the sign-in page", r.status, r.header.Get("Location"))
	}
}

func TestPoliciesAPI(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	own := &db.Class{Name: "Own account", OwnerID: h.instructor.ID, Regions: []string{"eu-west-1"}, Isolation: db.IsolationShared, Labs: []string{"fargate"}, AccountID: "444455556666"}
	per := &db.Class{Name: "Per student", OwnerID: h.instructor.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationPerStudent, Labs: []string{"fargate"}}
	for _, cl := range []*db.Class{own, per} {
		if err := h.store.CreateClass(ctx, cl); err != nil {
			t.Fatal(err)
		}
	}
	cases := map[string]struct {
		class    *db.Class
		account  string
		policies int
		note     string
	}{
		"unknown account": {h.class, sandbox.AccountPlaceholder, 4, sandbox.AccountPlaceholder}, // the boundary, the common identity policy, Fargate's and Lab 4's
		"class's account": {own, "444455556666", 3, ""},                                         // a Fargate-only class
		"per student":     {per, "", 0, "each student has their own account; labdash uses LabDashboardRole there"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := h.withToken(h.apiToken).get("/api/v1/classes/" + tc.class.ID + "/policies")
			var rep policyReport
			if err := json.Unmarshal([]byte(r.body), &rep); err != nil || r.status != http.StatusOK {
				t.Fatalf("%d %v\n%.300s", r.status, err, r.body)
			}
			if rep.Class != tc.class.ID || rep.Account != tc.account || len(rep.Policies) != tc.policies || (tc.note == "") != (rep.Note == "") || !strings.Contains(rep.Note, tc.note) {
				t.Fatalf("report = class %s, account %q, %d policies, note %q; want %s, %q, %d, a note with %q", rep.Class, rep.Account, len(rep.Policies), rep.Note, tc.class.ID, tc.account, tc.policies, tc.note)
			}
			if rep.Policies == nil || !strings.Contains(r.body, `"policies":[`) {
				t.Errorf("policies must be a list, even an empty one")
			}
			for _, p := range rep.Policies {
				if p.Document.Version != "2012-10-17" || len(p.Document.Statement) == 0 || p.Size <= 0 || p.Limit != sandbox.MaxManagedPolicyChars || p.Purpose == "" {
					t.Errorf("policy %s = %+v", p.Name, p)
				}
				if !strings.Contains(mustJSON(t, p.Document), "arn:aws:iam::"+tc.account+":") && p.Name == sandbox.BoundaryName(tc.class.ID) {
					t.Errorf("the boundary is not written for account %s", tc.account)
				}
			}
			page := h.as(h.instructor).get("/classes/" + tc.class.ID + "/sandboxes/policies")
			if page.status != http.StatusOK || (tc.note != "" && !strings.Contains(page.body, html.EscapeString(tc.note))) {
				t.Errorf("page: %d, want 200 with the note %q", page.status, tc.note)
			}
			if tc.policies == 0 && strings.Contains(page.body, "<pre") {
				t.Errorf("an account-per-student class shows a policy")
			}
		})
	}
}

// fakeAccount is an AccountReader answering acct or err.
type fakeAccount struct {
	acct string
	err  error
}

func (f fakeAccount) CallerAccount(context.Context) (string, error) { return f.acct, f.err }

// TestPoliciesUseTheSignedInAccount serves the harness's database with a server
// that knows its account, then with one whose question to AWS fails.
func TestPoliciesUseTheSignedInAccount(t *testing.T) {
	h := newHarness(t)
	for name, tc := range map[string]struct {
		reader AccountReader
		want   string
	}{
		"known":  {fakeAccount{acct: "777788889999"}, "777788889999"},
		"failed": {fakeAccount{err: errors.New("sts: no credentials")}, sandbox.AccountPlaceholder},
	} {
		t.Run(name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			srv, err := New(t.Context(), slog.New(slog.NewTextHandler(io.Discard, nil)), h.store, catalog.New(), Config{Cloud: "aws", BcryptCost: bcrypt.MinCost}, reg, reg)
			if err != nil {
				t.Fatal(err)
			}
			srv.WithAccount(tc.reader)
			tok := db.NewToken(32)
			if err := h.store.CreateSession(t.Context(), tok, h.instructor.ID, time.Hour); err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/api/v1/classes/"+h.class.ID+"/policies", nil)
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: tok})
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			var rep policyReport
			if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil || rec.Code != http.StatusOK {
				t.Fatalf("%d %v\n%.300s", rec.Code, err, rec.Body.String())
			}
			if rep.Account != tc.want || len(rep.Policies) < 3 || !strings.Contains(mustJSON(t, rep.Policies[0].Document), "arn:aws:iam::"+tc.want+":") {
				t.Errorf("account %q, want %q in the report and the boundary", rep.Account, tc.want)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
