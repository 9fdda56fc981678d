package authz

import (
	"strings"
	"testing"
)

func mustParse(t *testing.T, doc string) Policy {
	t.Helper()
	p, err := ParsePolicy(doc)
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	return p
}

func ctx(kv ...string) Context {
	c := Context{}
	for i := 0; i+1 < len(kv); i += 2 {
		v, _ := c.Get(kv[i])
		c.Set(kv[i], append(v, kv[i+1])...)
	}
	return c
}

// Cases follow AWS's documentation of policy evaluation logic and condition
// operators (IAM User Guide: "Policy evaluation logic", "Condition operators",
// "Single-valued vs. multivalued context keys", "Permissions boundaries").
func TestEvaluateDocumentedExamples(t *testing.T) {
	const principal = "arn:aws:sts::111122223333:assumed-role/dev/alice"
	allowS3 := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	denyDelete := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::*"}]}`)
	// The User Guide's boundary example: the identity policy allows more than the boundary.
	identity := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:*","iam:*","s3:*"],"Resource":"*"}]}`)
	boundary := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","cloudwatch:*","ec2:*"],"Resource":"*"},
		{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}]}`)
	tagged := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Sid":"StartStopOwn","Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances"],"Resource":"arn:aws:ec2:*:*:instance/*",
		 "Condition":{"StringEquals":{"aws:ResourceTag/Owner":"${aws:username}"}}},
		{"Sid":"CreateWithTags","Effect":"Allow","Action":"ec2:CreateVolume","Resource":"*",
		 "Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["Owner","Project"]},"Null":{"aws:RequestTag/Owner":"false"}}},
		{"Sid":"HomeFolder","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket",
		 "Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*","home/${aws:username}"]}}},
		{"Sid":"AnyValue","Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"CostCenter"}}}]}`)
	denyUntagged := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Sid":"MustTag","Effect":"Deny","Action":"ec2:RunInstances","Resource":"arn:aws:ec2:*:*:instance/*","Condition":{"StringNotEquals":{"aws:RequestTag/team":"blue"}}},
		{"Sid":"NotOthersIfExists","Effect":"Deny","Action":"ec2:StopInstances","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:ResourceTag/team":"blue"}}},
		{"Sid":"NotOthersTagged","Effect":"Deny","Action":"ec2:StartInstances","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceTag/team":"blue"},"Null":{"aws:ResourceTag/team":"false"}}}]}`)
	notAction := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Sid":"OnlyIAMOutsideRegion","Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}},
		{"Sid":"NotMyBucket","Effect":"Deny","Action":"s3:PutObject","NotResource":"arn:aws:s3:::mine/*"}]}`)

	bob := ctx("aws:username", "bob")
	for _, c := range []struct {
		name string
		p    Principal
		req  Request
		want bool
		why  string
	}{
		{"allowed", Principal{Identity: []Policy{allowS3}}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, true, ""},
		{"no policy allows", Principal{}, Request{Action: "s3:GetObject", Resource: "*"}, false, "because no identity-based policy allows the s3:GetObject action"},
		{"explicit deny wins over allow", Principal{Identity: []Policy{allowS3, denyDelete}}, Request{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::b"}, false, "with an explicit deny in an identity-based policy"},
		{"action names are case-insensitive", Principal{Identity: []Policy{allowS3, denyDelete}}, Request{Action: "S3:deletebucket", Resource: "arn:aws:s3:::b"}, false, "explicit deny"},
		{"boundary and identity both allow", Principal{Identity: []Policy{identity}, Boundary: &boundary}, Request{Action: "ec2:RunInstances", Resource: "*"}, true, ""},
		{"identity allows, boundary does not", Principal{Identity: []Policy{identity}, Boundary: &boundary}, Request{Action: "iam:CreateUser", Resource: "*"}, false, "because no permissions boundary allows the iam:CreateUser action"},
		{"boundary allows, identity does not", Principal{Identity: []Policy{identity}, Boundary: &boundary}, Request{Action: "cloudwatch:PutMetricData", Resource: "*"}, false, "because no identity-based policy allows"},
		{"deny in boundary wins", Principal{Identity: []Policy{identity}, Boundary: &boundary}, Request{Action: "ec2:TerminateInstances", Resource: "*"}, false, "with an explicit deny in a permissions boundary"},
		{"session policy limits too", Principal{Identity: []Policy{identity}, Session: &allowS3}, Request{Action: "ec2:RunInstances", Resource: "*"}, false, "because no session policy allows"},

		{"own tag", Principal{Identity: []Policy{tagged}}, Request{Action: "ec2:StopInstances", Resource: "arn:aws:ec2:us-east-1:1:instance/i-1", Context: ctx("aws:username", "bob", "aws:ResourceTag/Owner", "bob")}, true, ""},
		{"someone else's tag", Principal{Identity: []Policy{tagged}}, Request{Action: "ec2:StopInstances", Resource: "arn:aws:ec2:us-east-1:1:instance/i-1", Context: ctx("aws:username", "bob", "aws:ResourceTag/Owner", "ann")}, false, ""},
		{"missing tag key fails StringEquals", Principal{Identity: []Policy{tagged}}, Request{Action: "ec2:StopInstances", Resource: "arn:aws:ec2:us-east-1:1:instance/i-1", Context: bob}, false, ""},
		{"condition key names are case-insensitive", Principal{Identity: []Policy{tagged}}, Request{Action: "ec2:StopInstances", Resource: "arn:aws:ec2:us-east-1:1:instance/i-1", Context: ctx("AWS:UserName", "bob", "aws:resourcetag/owner", "bob")}, true, ""},
		{"unresolvable variable matches nothing", Principal{Identity: []Policy{tagged}}, Request{Action: "ec2:StopInstances", Resource: "arn:aws:ec2:us-east-1:1:instance/i-1", Context: ctx("aws:ResourceTag/Owner", "${aws:username}")}, false, ""},

		{"ForAllValues: a subset of the allowed keys", Principal{Identity: []Policy{tagged}}, Request{Action: "ec2:CreateVolume", Resource: "*", Context: ctx("aws:TagKeys", "Owner", "aws:RequestTag/Owner", "bob")}, true, ""},
		{"ForAllValues: one key outside the set", Principal{Identity: []Policy{tagged}}, Request{Action: "ec2:CreateVolume", Resource: "*", Context: ctx("aws:TagKeys", "Owner", "aws:TagKeys", "Secret", "aws:RequestTag/Owner", "bob")}, false, ""},
		{"ForAllValues holds with no keys at all, so Null must require the tag", Principal{Identity: []Policy{tagged}}, Request{Action: "ec2:CreateVolume", Resource: "*"}, false, ""},
		{"ForAnyValue: one of the keys", Principal{Identity: []Policy{tagged}}, Request{Action: "ec2:CreateTags", Resource: "*", Context: ctx("aws:TagKeys", "Name", "aws:TagKeys", "CostCenter")}, true, ""},
		{"ForAnyValue: key missing", Principal{Identity: []Policy{tagged}}, Request{Action: "ec2:CreateTags", Resource: "*"}, false, ""},

		{"StringLike with a wildcard", Principal{Identity: []Policy{tagged}}, Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::bucket", Context: ctx("aws:username", "bob", "s3:prefix", "home/bob/photos/2026")}, true, ""},
		{"StringLike: another user's folder", Principal{Identity: []Policy{tagged}}, Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::bucket", Context: ctx("aws:username", "bob", "s3:prefix", "home/bobby/x")}, false, ""},
		{"StringLike: exact second value", Principal{Identity: []Policy{tagged}}, Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::bucket", Context: ctx("aws:username", "bob", "s3:prefix", "home/bob")}, true, ""},

		{"StringNotEquals on a missing request tag denies", Principal{Identity: []Policy{denyUntagged}}, Request{Action: "ec2:RunInstances", Resource: "arn:aws:ec2:us-east-1:1:instance/*"}, false, "explicit deny"},
		{"StringNotEquals with the right tag", Principal{Identity: []Policy{denyUntagged}}, Request{Action: "ec2:RunInstances", Resource: "arn:aws:ec2:us-east-1:1:instance/*", Context: ctx("aws:RequestTag/team", "blue")}, true, ""},
		{"the deny's ARN does not cover a subnet", Principal{Identity: []Policy{denyUntagged}}, Request{Action: "ec2:RunInstances", Resource: "arn:aws:ec2:us-east-1:1:subnet/subnet-1"}, true, ""},
		{"IfExists: a missing key makes the condition true, so the deny applies", Principal{Identity: []Policy{denyUntagged}}, Request{Action: "ec2:StopInstances", Resource: "arn:aws:ec2:us-east-1:1:instance/i-1"}, false, "explicit deny"},
		{"Null false: only a tagged resource can be another team's", Principal{Identity: []Policy{denyUntagged}}, Request{Action: "ec2:StartInstances", Resource: "arn:aws:ec2:us-east-1:1:instance/i-1"}, true, ""},
		{"Null false: the other team's tag", Principal{Identity: []Policy{denyUntagged}}, Request{Action: "ec2:StartInstances", Resource: "arn:aws:ec2:us-east-1:1:instance/i-1", Context: ctx("aws:ResourceTag/team", "red")}, false, "explicit deny"},
		{"IfExists: other team's resource denied", Principal{Identity: []Policy{denyUntagged}}, Request{Action: "ec2:StopInstances", Resource: "arn:aws:ec2:us-east-1:1:instance/i-1", Context: ctx("aws:ResourceTag/team", "red")}, false, "explicit deny"},

		{"NotAction: outside the regions", Principal{Identity: []Policy{notAction}}, Request{Action: "ec2:RunInstances", Resource: "*", Context: ctx("aws:RequestedRegion", "ap-south-1")}, false, "explicit deny"},
		{"NotAction: IAM is exempt", Principal{Identity: []Policy{notAction}}, Request{Action: "iam:GetRole", Resource: "*", Context: ctx("aws:RequestedRegion", "ap-south-1")}, true, ""},
		{"NotResource: my bucket", Principal{Identity: []Policy{notAction}}, Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::mine/a", Context: ctx("aws:RequestedRegion", "us-east-1")}, true, ""},
		{"NotResource: a look-alike bucket", Principal{Identity: []Policy{notAction}}, Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::mine-too/a", Context: ctx("aws:RequestedRegion", "us-east-1")}, false, "explicit deny"},
	} {
		d := c.p.Evaluate(c.req)
		if d.Allowed != c.want {
			t.Errorf("%s: allowed = %v, want %v (%s, statement %s)", c.name, d.Allowed, c.want, d.Why, d.Statement)
		}
		if c.why != "" && !strings.Contains(d.Why, c.why) {
			t.Errorf("%s: why = %q, want it to contain %q", c.name, d.Why, c.why)
		}
	}
}

func TestARNMatchingIsPerPart(t *testing.T) {
	for _, c := range []struct {
		pattern, arn string
		want         bool
	}{
		{"arn:aws:ecs:*:*:service/c42s01-*/*", "arn:aws:ecs:us-east-1:111122223333:service/c42s01-cluster/c42s01-svc", true},
		{"arn:aws:ecs:*:*:service/c42s01-*/*", "arn:aws:ecs:us-east-1:111122223333:service/c42s011-cluster/x", false},
		{"arn:aws:ecs:*:*:service/c42s01-*/*", "arn:aws:ecs:us-east-1:111122223333:service/c42s02-cluster/c42s01-svc", false},
		{"arn:aws:ecs:*:111122223333:*", "arn:aws:ecs:us-east-1:999988887777:cluster/x", false},
		{"arn:aws:ecs:*", "arn:aws:ecs:us-east-1:111122223333:cluster/x", false}, // five parts: never matches
		{"arn:aws:logs:*:*:log-group:/ecs/x*", "arn:aws:logs:us-east-1:1:log-group:/ecs/xy:*", true},
		{"arn:aws:iam::1:role/labdash/c42/s01/*", "arn:aws:iam::1:role/labdash/c42/s01/c42s01-xray-eb-role", true},
		{"arn:aws:iam::1:role/labdash/c42/s01/*", "arn:aws:iam::1:role/labdash/c42/s011/x", false},
		{"*", "*", true},
		{"arn:aws:s3:::*", "*", false},
	} {
		if got := arnMatch(c.pattern, c.arn); got != c.want {
			t.Errorf("arnMatch(%s, %s) = %v", c.pattern, c.arn, got)
		}
	}
}

func TestParseRejectsWhatIAMRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"five-part ARN":    `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecs:*","Resource":"arn:aws:ecs:*"}]}`,
		"bad action":       `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs CreateService","Resource":"*"}]}`,
		"unknown operator": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringSortOf":{"a":"b"}}}]}`,
		"bad qualifier":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForSome:StringEquals":{"a":"b"}}}]}`,
		"duplicate sid":    `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"}]}`,
		"both resources":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}]}`,
		"old version":      `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		"unknown field":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principle":"x"}]}`,
	} {
		if _, err := ParsePolicy(doc); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestStoredPoliciesReadAsIAMReadsThem: a stored policy may hold one statement as an
// object and may lack Version (the 2008-10-17 language, where ${...} is plain text).
func TestStoredPoliciesReadAsIAMReadsThem(t *testing.T) {
	old, err := DecodePolicy(`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`)
	if err != nil {
		t.Fatal(err)
	}
	p := Principal{Identity: []Policy{old}}
	if d := p.Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::home/bob/x", Context: ctx("aws:username", "bob")}); d.Allowed {
		t.Error("a 2008-10-17 policy resolved a variable")
	}
	if d := p.Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::home/${aws:username}/x"}); !d.Allowed {
		t.Error("a 2008-10-17 policy did not match its text literally")
	}
	if _, err := DecodePolicy(`{"Statement":"nope"}`); err == nil {
		t.Error("a statement that is neither a list nor an object was accepted")
	}
	if _, err := ParsePolicy(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`); err == nil {
		t.Error("ParsePolicy, for labdash's own policies, accepted a policy without the 2012-10-17 version")
	}
}
