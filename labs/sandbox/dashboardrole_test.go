package sandbox

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestDashboardRoleTemplate: the embedded template is YAML with both roles under
// their fixed names (labdash builds their ARNs), LabDashboardRole trusting the
// dashboard only with sts:ExternalId equal to the ExternalId parameter in every
// branch of its condition, LabStudentConsoleRole trusting only LabDashboardRole, and
// both ARNs as outputs. cfn-lint checks the rest (make lint-templates).
func TestDashboardRoleTemplate(t *testing.T) {
	var tmpl struct {
		Parameters map[string]map[string]any `yaml:"Parameters"`
		Resources  map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
		Outputs map[string]any `yaml:"Outputs"`
	}
	if err := yaml.Unmarshal(DashboardRoleTemplate, &tmpl); err != nil {
		t.Fatalf("dashboard-role.yaml: %v", err)
	}
	for _, p := range []string{"DashboardAccountId", "DashboardPrincipalArn", "ExternalId"} {
		if _, ok := tmpl.Parameters[p]; !ok {
			t.Errorf("no parameter %s", p)
		}
	}
	for res, name := range map[string]string{"LabDashboardRole": "LabDashboardRole", "LabStudentConsoleRole": StudentConsoleRoleName} {
		r, ok := tmpl.Resources[res]
		if !ok || r.Type != "AWS::IAM::Role" || r.Properties["RoleName"] != name {
			t.Errorf("resource %s = %+v; want an AWS::IAM::Role named %s", res, r, name)
		}
		if _, ok := tmpl.Outputs[res+"Arn"]; !ok {
			t.Errorf("no output %sArn", res)
		}
	}

	trust := func(res string) map[string]any {
		t.Helper()
		doc, _ := tmpl.Resources[res].Properties["AssumeRolePolicyDocument"].(map[string]any)
		stmts, _ := doc["Statement"].([]any)
		if len(stmts) != 1 {
			t.Fatalf("%s trust policy has %d statements, want 1", res, len(stmts))
		}
		s, _ := stmts[0].(map[string]any)
		if s["Effect"] != "Allow" || s["Action"] != "sts:AssumeRole" {
			t.Fatalf("%s trust statement %v", res, s)
		}
		return s
	}
	// Condition is !If [OnePrincipal, {...}, {...}]: every branch needs the ExternalId.
	cond := trust("LabDashboardRole")["Condition"]
	branches := []any{cond}
	if seq, ok := cond.([]any); ok && len(seq) == 3 {
		branches = seq[1:]
	}
	for i, b := range branches {
		m, _ := b.(map[string]any)
		eq, _ := m["StringEquals"].(map[string]any)
		if fmt.Sprint(eq["sts:ExternalId"]) != "ExternalId" {
			t.Errorf("LabDashboardRole trust condition branch %d = %v; want StringEquals sts:ExternalId: !Ref ExternalId", i, b)
		}
	}
	if !strings.Contains(string(DashboardRoleTemplate), "sts:ExternalId: !Ref ExternalId") {
		t.Error("the template does not compare sts:ExternalId with the ExternalId parameter")
	}
	console := trust("LabStudentConsoleRole")
	principal, _ := console["Principal"].(map[string]any)
	if fmt.Sprint(principal["AWS"]) != "LabDashboardRole.Arn" || console["Condition"] != nil {
		t.Errorf("LabStudentConsoleRole trusts %v; want only !GetAtt LabDashboardRole.Arn", console["Principal"])
	}
	if !strings.Contains(fmt.Sprint(tmpl.Resources["LabDashboardRole"].Properties["ManagedPolicyArns"]), "PowerUserAccess") ||
		!strings.Contains(fmt.Sprint(tmpl.Resources["LabStudentConsoleRole"].Properties["ManagedPolicyArns"]), "PowerUserAccess") {
		t.Error("both roles should carry PowerUserAccess")
	}
}
