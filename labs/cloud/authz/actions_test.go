package authz

import (
	"testing"

	"github.com/labdash/labdash/labs/cloud"
)

// TestEveryOperationHasItsAction: every operation labdash's code can call maps to an
// action the Service Authorization Reference lists, with its facts in the table.
func TestEveryOperationHasItsAction(t *testing.T) {
	if len(cloud.Operations) < 150 {
		t.Fatalf("cloud.Operations has %d operations; the generated list is incomplete", len(cloud.Operations))
	}
	for _, op := range cloud.Operations {
		a, ok := ActionOf(op.Service, op.Op)
		if !ok {
			t.Errorf("%s.%s: no IAM prefix for the service", op.Service, op.Op)
			continue
		}
		if _, ok := Lookup(a); !ok {
			t.Errorf("%s.%s: the action table lacks %s (go generate ./labs/cloud/authz)", op.Service, op.Op, a)
		}
	}
}

func TestFactsComeFromTheReference(t *testing.T) {
	for _, c := range []struct {
		action, key, rtype string
		want               bool
	}{
		{"ecs:CreateCluster", "aws:RequestTag/labdash:student", "", true},
		{"ecs:StopTask", "aws:ResourceTag/labdash:student", "task", true},
		{"ecs:CreateService", "ecs:cluster", "", true},
		{"globalaccelerator:CreateAccelerator", "aws:RequestTag/labdash:student", "", true},
		{"globalaccelerator:CreateListener", "aws:RequestTag/labdash:student", "", false},
		{"globalaccelerator:CreateListener", "aws:ResourceTag/labdash:student", "accelerator", true},
		{"iam:PutRolePolicy", "iam:PermissionsBoundary", "", true},
		{"iam:PassRole", "iam:PassedToService", "", true},
		{"cloudwatch:DeleteAlarms", "aws:RequestTag/x", "", false},
		{"ec2:StopInstances", "aws:RequestedRegion", "", true}, // global
	} {
		a, ok := Lookup(c.action)
		if !ok {
			t.Errorf("%s: not in the table", c.action)
			continue
		}
		if got := a.KeyApplies(c.key, c.rtype); got != c.want {
			t.Errorf("%s: KeyApplies(%s, %q) = %v, want %v", c.action, c.key, c.rtype, got, c.want)
		}
	}
	if a, _ := Lookup("globalaccelerator:CreateAccelerator"); len(a.Resources) != 0 {
		t.Errorf("CreateAccelerator has resource types %v; the reference lists none", a.Resources)
	}
	for p, want := range map[string]bool{"elasticloadbalancing:Modify*": true, "ecs:*": true, "ecs:Frobnicate": false, "ec2:Describe*": true, "nosuch:Thing": false, "*": true} {
		if Known(p) != want {
			t.Errorf("Known(%s) = %v", p, !want)
		}
	}
}
