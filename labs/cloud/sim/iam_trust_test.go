package sim

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestUpdateAssumeRolePolicy: the trust is replaced whole, checked as a policy,
// and only for a role that exists.
func TestUpdateAssumeRolePolicy(t *testing.T) {
	e := newEnv(t)
	c := e.c
	old := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.IAM.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String("c42s07-slots-guest-role"), AssumeRolePolicyDocument: aws.String(old)}); err != nil {
		t.Fatal(err)
	}
	for doc, code := range map[string]string{"{not json": "MalformedPolicyDocument", `{"Version":"2012-10-17"}`: "MalformedPolicyDocument", "": "ValidationError"} {
		_, err := c.IAM.UpdateAssumeRolePolicy(e.ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("c42s07-slots-guest-role"), PolicyDocument: aws.String(doc)})
		if apiCode(err) != code {
			t.Errorf("trust %q: %v, want %s", doc, err, code)
		}
	}
	fresh := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	if _, err := c.IAM.UpdateAssumeRolePolicy(e.ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("c42s07-slots-guest-rol"), PolicyDocument: aws.String(fresh)}); apiCode(err) != "NoSuchEntity" {
		t.Errorf("a near-miss role name: %v, want NoSuchEntity", err)
	}
	if _, err := c.IAM.UpdateAssumeRolePolicy(e.ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("c42s07-slots-guest-role"), PolicyDocument: aws.String(fresh)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.IAM.GetRole(e.ctx, &iam.GetRoleInput{RoleName: aws.String("c42s07-slots-guest-role")})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument))
	if !strings.Contains(doc, "cognito-identity.amazonaws.com") || strings.Contains(doc, "lambda.amazonaws.com") {
		t.Errorf("the trust after the update: %s", doc)
	}
}
