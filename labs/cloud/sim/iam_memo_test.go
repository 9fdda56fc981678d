package sim

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestEvaluateMemoFollowsPolicyChanges: evaluate remembers a role's decisions
// (the sample app asks the same two every request), so each change that can
// alter a decision must be seen on the very next ask, after the old decision
// was remembered: attach and detach, a new default version of an attached
// policy, an inline policy put and deleted, a boundary's new version, and a
// role deleted and re-created under the same name with other policies.
func TestEvaluateMemoFollowsPolicyChanges(t *testing.T) {
	e := newEnv(t)
	c, ctx := e.c.IAM, e.ctx
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	const topic = "arn:aws:sns:us-east-1:111122223333:c42s07-signups"
	allowSNS := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:*","Resource":"*"}]}`
	allowS3 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	bound, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bound"), PolicyDocument: aws.String(allowSNS)})
	if err != nil {
		t.Fatal(err)
	}
	pol, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(allowSNS)})
	if err != nil {
		t.Fatal(err)
	}
	role, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(trust), PermissionsBoundary: bound.Policy.Arn})
	if err != nil {
		t.Fatal(err)
	}
	step := 0
	expect := func(what string, want iamtypes.PolicyEvaluationDecisionType) {
		t.Helper()
		step++
		for ask := 0; ask < 2; ask++ { // the second ask is answered from the memo
			out, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: role.Role.Arn, ActionNames: []string{"sns:Publish"}, ResourceArns: []string{topic}})
			if err != nil {
				t.Fatal(err)
			}
			if d := out.EvaluationResults[0].EvalDecision; d != want {
				t.Fatalf("step %d (%s), ask %d: %s, want %s", step, what, ask+1, d, want)
			}
		}
	}
	expect("no identity policy", iamtypes.PolicyEvaluationDecisionTypeImplicitDeny)
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: pol.Policy.Arn}))
	expect("attached", iamtypes.PolicyEvaluationDecisionTypeAllowed)
	must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Policy.Arn, PolicyDocument: aws.String(allowS3), SetAsDefault: true}))
	expect("attached policy's new default version allows only S3", iamtypes.PolicyEvaluationDecisionTypeImplicitDeny)
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r1"), PolicyName: aws.String("publish"), PolicyDocument: aws.String(allowSNS)}))
	expect("inline allow", iamtypes.PolicyEvaluationDecisionTypeAllowed)
	must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: bound.Policy.Arn, PolicyDocument: aws.String(allowS3), SetAsDefault: true}))
	expect("boundary's new version leaves SNS out", iamtypes.PolicyEvaluationDecisionTypeImplicitDeny)
	must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: bound.Policy.Arn, PolicyDocument: aws.String(allowSNS), SetAsDefault: true}))
	expect("boundary allows SNS again", iamtypes.PolicyEvaluationDecisionTypeAllowed)
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r1"), PolicyName: aws.String("publish"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sns:Publish","Resource":"*"}]}`)}))
	expect("inline policy replaced by a deny of the same name", iamtypes.PolicyEvaluationDecisionTypeExplicitDeny)
	must(c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("r1"), PolicyName: aws.String("publish")}))
	expect("inline deleted (the lab's lesson: sns:Publish removed)", iamtypes.PolicyEvaluationDecisionTypeImplicitDeny)
	must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Policy.Arn, PolicyDocument: aws.String(allowSNS), SetAsDefault: true}))
	expect("attached policy allows SNS again", iamtypes.PolicyEvaluationDecisionTypeAllowed)
	must(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("r1"), PolicyArn: pol.Policy.Arn}))
	expect("detached", iamtypes.PolicyEvaluationDecisionTypeImplicitDeny)
	must(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("r1")}))
	role, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r1"), PolicyName: aws.String("publish"), PolicyDocument: aws.String(allowSNS)}))
	expect("re-created without a boundary, with an inline allow", iamtypes.PolicyEvaluationDecisionTypeAllowed)
}
