package sandbox

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog"
)

func TestClassPoliciesShowTheBoundaryThenTheIdentityPolicy(t *testing.T) {
	class := &db.Class{ID: "c42", Regions: []string{"us-east-1", "eu-west-1"}, Isolation: db.IsolationShared}
	pols, err := ClassPolicies(class, "111122223333", catalog.New())
	if err != nil {
		t.Fatal(err)
	}
	if len(pols) != 2 || pols[0].Name != "c42-student-boundary" || pols[1].Name != "c42-student-identity" {
		t.Fatalf("policies = %+v; want the boundary, then the identity policy", pols)
	}
	for i, want := range []PolicyDocument{Boundary(ClassScope{ClassID: "c42", Account: "111122223333", Regions: class.Regions}), IdentityPolicy(ClassScope{ClassID: "c42", Account: "111122223333", Regions: class.Regions})} {
		p := pols[i]
		compact, _ := want.JSON()
		if p.Size != PolicySize(compact) || p.Limit != MaxManagedPolicyChars || p.Purpose == "" {
			t.Errorf("%s: size %d of %d, purpose %q; want %d of %d", p.Name, p.Size, p.Limit, p.Purpose, PolicySize(compact), MaxManagedPolicyChars)
		}
		if !strings.Contains(p.JSON, "\n  \"Statement\"") {
			t.Errorf("%s: JSON is not indented:\n%.200s", p.Name, p.JSON)
		}
		var back PolicyDocument
		if err := json.Unmarshal([]byte(p.JSON), &back); err != nil || back.Version != "2012-10-17" || len(back.Statement) != len(want.Statement) {
			t.Errorf("%s: JSON does not read back as the document: %v", p.Name, err)
		}
	}
	if !strings.Contains(pols[0].JSON, "arn:aws:iam::111122223333:") {
		t.Errorf("the boundary is not written for the account given")
	}
}

func TestClassPoliciesAccount(t *testing.T) {
	cases := map[string]struct {
		class    db.Class
		fallback string
		want     string
	}{
		"the class's own account wins": {db.Class{ID: "c1", AccountID: "444455556666"}, "111122223333", "444455556666"},
		"else the signed-in account":   {db.Class{ID: "c1"}, "111122223333", "111122223333"},
		"else the placeholder":         {db.Class{ID: "c1"}, "", AccountPlaceholder},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tc.class.Regions, tc.class.Isolation = []string{"us-east-1"}, db.IsolationShared
			if got := PolicyAccount(&tc.class, tc.fallback); got != tc.want {
				t.Fatalf("PolicyAccount = %q, want %q", got, tc.want)
			}
			pols, err := ClassPolicies(&tc.class, tc.fallback, catalog.New())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(pols[0].JSON, "arn:aws:iam::"+tc.want+":policy/c1-student-boundary") {
				t.Errorf("the boundary does not name account %s", tc.want)
			}
		})
	}
}

func TestClassPoliciesOfAccountPerStudentClassAreNone(t *testing.T) {
	pols, err := ClassPolicies(&db.Class{ID: "c1", Regions: []string{"us-east-1"}, Isolation: db.IsolationPerStudent}, "111122223333", catalog.New())
	if err != nil || pols == nil || len(pols) != 0 {
		t.Fatalf("policies = %+v, %v; an account-per-student class shares none (an empty list, not nil: the JSON says [])", pols, err)
	}
}

// TestClassPoliciesAreWhatProvisioningCreates provisions a class on the simulator
// and checks that the policies it created carry the names ClassPolicies shows.
func TestClassPoliciesAreWhatProvisioningCreates(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 1)
	p := f.provisioner()
	job, err := p.Start(ctx, f.class.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	entries, err := f.store.Ledger(ctx, f.class.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	created := map[string]bool{}
	for _, e := range entries {
		if e.Type == "AWS::IAM::ManagedPolicy" {
			created[e.ARN] = true
		}
	}
	pols, err := ClassPolicies(f.class, "111122223333", catalog.New())
	if err != nil {
		t.Fatal(err)
	}
	for _, pol := range pols {
		if arn := "arn:aws:iam::111122223333:policy/" + pol.Name; !created[arn] {
			t.Errorf("provisioning created no %s (it created %v)", arn, created)
		}
	}
	if len(created) != len(pols) {
		t.Errorf("provisioning created %d policies, ClassPolicies shows %d", len(created), len(pols))
	}
}

func TestSummarizeNamesEachStatementPlainly(t *testing.T) {
	doc := PolicyDocument{Version: "2012-10-17", Statement: []Statement{
		{Sid: "RegionFence", Effect: "Deny", NotAction: []string{"iam:*", "sts:*", "route53:*"}, Resource: "*",
			Condition: map[string]any{"StringNotEquals": map[string]any{"aws:RequestedRegion": []string{"us-east-1"}}}},
		{Sid: "Names", Effect: "Deny", Action: []any{"s3:CreateBucket", "s3:Put*"}, NotResource: []string{"arn:aws:s3:::a*", "arn:aws:s3:::a*/*"}},
		{Sid: "Tags", Effect: "Deny", Action: "ec2:CreateTags", Resource: "*", Condition: map[string]any{
			"ForAnyValue:StringLike": map[string]any{"aws:TagKeys": []any{"labdash:*"}}, "Null": map[string]any{"ec2:CreateAction": true},
			"StringEquals": map[string]any{"aws:RequestedRegion": []string{"a", "b", "c", "d"}}}},
		{Effect: "Allow", Action: "*", Resource: "*"},
	}}
	got := Summarize(doc, 2)
	want := []struct{ sid, text string }{
		{"RegionFence", "Deny every action except iam:*, sts:* and 1 more, when aws:RequestedRegion is not us-east-1"},
		{"Names", "Deny s3:CreateBucket and s3:Put*, except on 2 named resources"},
		{"Tags", "Deny ec2:CreateTags, when all of: aws:RequestedRegion is one of a, b, c and 1 more; aws:TagKeys has any like labdash:*; ec2:CreateAction is absent"},
		{"statement 4", "Allow every action"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d summaries, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Sid != w.sid || got[i].Text() != w.text {
			t.Errorf("statement %d: %s %q, want %s %q", i, got[i].Sid, got[i].Text(), w.sid, w.text)
		}
	}
	// The class's real boundary summarises without losing a statement.
	b := Boundary(ClassScope{ClassID: "c42", Account: "111122223333", Regions: []string{"us-east-1"}})
	if s := Summarize(b, 4); len(s) != len(b.Statement) {
		t.Errorf("boundary: %d summaries for %d statements", len(s), len(b.Statement))
	}
}
