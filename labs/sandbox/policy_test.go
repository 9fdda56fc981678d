package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClassPoliciesAreValidAndWithinIAMLimits(t *testing.T) {
	scopes := []ClassScope{
		{ClassID: "c42", Account: "111122223333", Regions: []string{"us-east-1"}},
		{ClassID: "cz9x8", Account: "999988887777", Regions: []string{"us-east-1", "eu-west-1", "eu-central-1", "us-west-2", "ap-southeast-2", "sa-east-1"}},
	}
	for _, s := range scopes {
		for name, p := range map[string]PolicyDocument{"boundary": Boundary(s), "identity": IdentityPolicy(s)} {
			doc, err := p.JSON()
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(doc); err != nil {
				t.Errorf("%s for %s: %v", name, s.ClassID, err)
			}
			t.Logf("%s for %s (%d regions): %d of %d characters", name, s.ClassID, len(s.Regions), PolicySize(doc), MaxManagedPolicyChars)
		}
		b, _ := Boundary(s).JSON()
		for _, want := range []string{"arn:aws:iam::" + s.Account + ":policy/" + s.ClassID + "-student-boundary", "role/labdash/" + s.ClassID + "/${aws:PrincipalTag/labdash:student}/*", `"Sid":"Ceiling"`} {
			if !strings.Contains(b, want) {
				t.Errorf("boundary for %s lacks %s", s.ClassID, want)
			}
		}
	}
}

func TestValidateRejectsBadPolicies(t *testing.T) {
	for name, doc := range map[string]string{
		"not JSON":      `{"Version":`,
		"old version":   `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		"no statements": `{"Version":"2012-10-17","Statement":[]}`,
		"bad effect":    `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`,
		"no action":     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`,
		"unknown field": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principle":"x"}]}`,
		"too large":     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Repeat("x", 7000) + `"],"Resource":"*"}]}`,
	} {
		if err := Validate(doc); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestLabdashOwnPolicy validates docs/labdash-iam-policy-{monitor,provision,cleanup}.json,
// the policies labdash itself needs, one per part (labs/ownpolicy generates them from
// the code; docs/aws-setup.md says which to attach).
func TestLabdashOwnPolicy(t *testing.T) {
	files, err := filepath.Glob("../../docs/labdash-iam-policy-*.json")
	if err != nil || len(files) != 3 {
		t.Fatalf("labdash's own policies: found %v (%v), want the monitor, provision and cleanup documents", files, err)
	}
	all := ""
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(string(b)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		all += string(b)
	}
	for _, action := range []string{"sts:GetCallerIdentity", "sts:AssumeRole", "tag:GetResources", "cloudformation:CreateStack", "ecs:DescribeServices",
		"elasticloadbalancing:DescribeTargetHealth", "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricData", "servicequotas:GetServiceQuota", "iam:CreateRole"} {
		if !strings.Contains(all, action) {
			t.Errorf("labdash's own policies lack %s", action)
		}
	}
}
