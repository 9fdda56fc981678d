package sandbox

import (
	"testing"

	"github.com/labdash/labdash/labs/cloud/authz"
)

// TestTheBoundaryAloneFences: even a student role whose identity policy allowed
// everything could not, through the class boundary, touch what is tagged as
// another student's or another class's (the same slug in another class
// included), create untagged or tagged as someone else, leave the class's regions,
// pick a large instance, change labdash's tags, or act on IAM outside its path.
// What it may do on its own tagged resources stays allowed, so the fences are not
// a blanket deny.
func TestTheBoundaryAloneFences(t *testing.T) {
	const acct, class = "111122223333", "cabcd"
	b := Boundary(ClassScope{ClassID: class, Account: acct, Regions: []string{"us-east-1", "eu-west-1"}})
	everything, err := authz.ParsePolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	p := authz.Principal{Identity: []authz.Policy{everything}, Boundary: &b}
	ctx := func(kv ...string) authz.Context {
		c := authz.Context{}
		c.Set("aws:PrincipalTag/labdash:class", class)
		c.Set("aws:PrincipalTag/labdash:student", "s01")
		c.Set("aws:RequestedRegion", "us-east-1")
		for i := 0; i+1 < len(kv); i += 2 {
			c.Set(kv[i], kv[i+1]) // each key once, overriding the defaults above
		}
		return c
	}
	svc := "arn:aws:ecs:us-east-1:" + acct + ":service/cabcds01-cluster/cabcds01-svc"
	for _, c := range []struct {
		name   string
		req    authz.Request
		allows bool
	}{
		{"my own tagged service", authz.Request{Action: "ecs:UpdateService", Resource: svc, Context: ctx("aws:ResourceTag/labdash:class", class, "aws:ResourceTag/labdash:student", "s01")}, true},
		{"a classmate's service", authz.Request{Action: "ecs:UpdateService", Resource: svc, Context: ctx("aws:ResourceTag/labdash:class", class, "aws:ResourceTag/labdash:student", "s02")}, false},
		{"the same slug in another class", authz.Request{Action: "ecs:DeleteService", Resource: svc, Context: ctx("aws:ResourceTag/labdash:class", "cwxyz", "aws:ResourceTag/labdash:student", "s01")}, false},
		{"reading a classmate's service", authz.Request{Action: "ecs:DescribeServices", Resource: svc, Context: ctx("aws:ResourceTag/labdash:class", class, "aws:ResourceTag/labdash:student", "s02")}, false},
		{"a classmate's accelerator", authz.Request{Action: "globalaccelerator:UpdateAccelerator", Resource: "arn:aws:globalaccelerator::" + acct + ":accelerator/x", Context: ctx("aws:RequestedRegion", "us-west-2", "aws:ResourceTag/labdash:class", class, "aws:ResourceTag/labdash:student", "s02")}, false},
		{"an untagged cluster", authz.Request{Action: "ecs:CreateCluster", Resource: "arn:aws:ecs:us-east-1:" + acct + ":cluster/cabcds01-c"}, false},
		{"a cluster tagged as a classmate's", authz.Request{Action: "ecs:CreateCluster", Resource: "arn:aws:ecs:us-east-1:" + acct + ":cluster/cabcds01-c", Context: ctx("aws:RequestTag/labdash:class", class, "aws:RequestTag/labdash:student", "s02")}, false},
		{"a cluster tagged as the same slug in another class", authz.Request{Action: "ecs:CreateCluster", Resource: "arn:aws:ecs:us-east-1:" + acct + ":cluster/cabcds01-c", Context: ctx("aws:RequestTag/labdash:class", "cwxyz", "aws:RequestTag/labdash:student", "s01")}, false},
		{"an accelerator tagged as another class's", authz.Request{Action: "globalaccelerator:CreateAccelerator", Resource: "*", Context: ctx("aws:RequestedRegion", "us-west-2", "aws:RequestTag/labdash:class", "cwxyz", "aws:RequestTag/labdash:student", "s01")}, false},
		{"a cluster tagged as mine", authz.Request{Action: "ecs:CreateCluster", Resource: "arn:aws:ecs:us-east-1:" + acct + ":cluster/cabcds01-c", Context: ctx("aws:RequestTag/labdash:class", class, "aws:RequestTag/labdash:student", "s01")}, true},
		{"an untagged accelerator (no resource type)", authz.Request{Action: "globalaccelerator:CreateAccelerator", Resource: "*", Context: ctx("aws:RequestedRegion", "us-west-2")}, false},
		{"an untagged private CA", authz.Request{Action: "acm-pca:CreateCertificateAuthority", Resource: "*"}, false},
		{"outside the class's regions", authz.Request{Action: "ecs:ListClusters", Resource: "*", Context: ctx("aws:RequestedRegion", "ap-south-1")}, false},
		{"a large instance", authz.Request{Action: "ec2:RunInstances", Resource: "arn:aws:ec2:us-east-1:" + acct + ":instance/*", Context: ctx("ec2:InstanceType", "m5.24xlarge", "aws:RequestTag/labdash:class", class, "aws:RequestTag/labdash:student", "s01")}, false},
		{"retagging a resource", authz.Request{Action: "ec2:CreateTags", Resource: "arn:aws:ec2:us-east-1:" + acct + ":security-group/sg-1", Context: ctx("aws:TagKeys", "labdash:student")}, false},
		{"tags at creation", authz.Request{Action: "ec2:CreateTags", Resource: "arn:aws:ec2:us-east-1:" + acct + ":security-group/sg-1", Context: ctx("aws:TagKeys", "labdash:student", "ec2:CreateAction", "CreateSecurityGroup")}, true},
		{"a role outside my path", authz.Request{Action: "iam:PutRolePolicy", Resource: "arn:aws:iam::" + acct + ":role/labdash/cabcd/s011/x", Context: ctx("iam:PermissionsBoundary", BoundaryARN(acct, class))}, false},
		{"my role without the boundary", authz.Request{Action: "iam:PutRolePolicy", Resource: "arn:aws:iam::" + acct + ":role/labdash/cabcd/s01/x"}, false},
		{"my role with the boundary", authz.Request{Action: "iam:PutRolePolicy", Resource: "arn:aws:iam::" + acct + ":role/labdash/cabcd/s01/x", Context: ctx("iam:PermissionsBoundary", BoundaryARN(acct, class))}, true},
		{"passing someone else's role", authz.Request{Action: "iam:PassRole", Resource: "arn:aws:iam::" + acct + ":role/Admin"}, false},
	} {
		if d := p.Evaluate(c.req); d.Allowed != c.allows {
			t.Errorf("%s: allowed = %v, want %v (%s %s)", c.name, d.Allowed, c.allows, d.Why, d.Statement)
		}
	}
}
