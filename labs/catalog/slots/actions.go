package slots

// Rehearsal actions (simulator only): the lab's two traps, shown live on a
// virtual student who got past them.

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/labdash/labdash/labs"
)

func actions() []labs.Action {
	return []labs.Action{
		{ID: "enhanced-flow", Title: "Switch the pool to the enhanced flow", Do: func(ctx context.Context, e *labs.Env) error { return switchFlow(ctx, e, false) },
			Done: "Switched the identity pool to the enhanced flow: guest pulls are denied", Subject: "Identity pool flow", From: []string{"basic"}, State: flowState},
		{ID: "basic-flow", Title: "Switch the pool back to the basic flow", Do: func(ctx context.Context, e *labs.Env) error { return switchFlow(ctx, e, true) },
			Done: "Switched the identity pool back to the basic flow", Subject: "Identity pool flow", From: []string{"enhanced"}, State: flowState},
		{ID: "remove-getitem", Title: "Remove dynamodb:GetItem from the execution role", Do: func(ctx context.Context, e *labs.Env) error { return setRead(ctx, e, false) },
			Done: "Removed dynamodb:GetItem from slotPull's execution role", Subject: "dynamodb:GetItem", From: []string{"allowed"}, State: getItemState},
		{ID: "restore-getitem", Title: "Restore dynamodb:GetItem", Do: func(ctx context.Context, e *labs.Env) error { return setRead(ctx, e, true) },
			Done: "Restored dynamodb:GetItem on slotPull's execution role", Subject: "dynamodb:GetItem", From: []string{"denied"}, State: getItemState},
	}
}

// poolID is the student's identity pool: the one the script noted, or the one
// of the student's name tagged as theirs.
func poolID(ctx context.Context, e *labs.Env) (string, error) {
	if id := e.Memo["pool"]; id != "" {
		return id, nil
	}
	pools, err := listPools(ctx, e.C)
	if err != nil {
		return "", err
	}
	for _, id := range pools[poolName(tgt(e))] {
		d, err := e.C.CognitoIdentity.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(id)})
		if err == nil && d.IdentityPoolTags["labdash:student"] == tgt(e).StudentID && d.IdentityPoolTags["labdash:class"] == tgt(e).ClassID {
			return id, nil
		}
	}
	return "", fmt.Errorf("no identity pool %s yet", poolName(tgt(e)))
}

// flowState is "basic" while the pool allows the basic flow, else "enhanced".
func flowState(ctx context.Context, e *labs.Env) (string, error) {
	id, err := poolID(ctx, e)
	if err != nil {
		return "", err
	}
	d, err := e.C.CognitoIdentity.DescribeIdentityPool(ctx, &cognitoidentity.DescribeIdentityPoolInput{IdentityPoolId: aws.String(id)})
	if err != nil {
		return "", err
	}
	if aws.ToBool(d.AllowClassicFlow) {
		return "basic", nil
	}
	return "enhanced", nil
}

// switchFlow sets the pool's basic flow and puts up the page that uses the
// flow the pool then allows (the tutorial's enhanced one when it is off).
func switchFlow(ctx context.Context, e *labs.Env, basic bool) error {
	id, err := poolID(ctx, e)
	if err != nil {
		return err
	}
	e.Memo["pool"] = id
	if err := setClassicFlow(ctx, e, id, basic); err != nil {
		return err
	}
	flow := "enhanced"
	if basic {
		flow = "basic"
	}
	return uploadPage(ctx, e, flow)
}

// getItemState is SimulatePrincipalPolicy's word on dynamodb:GetItem for the
// execution role: "allowed" or "denied".
func getItemState(ctx context.Context, e *labs.Env) (string, error) {
	d, err := simulate(ctx, e.C, roleARN(tgt(e), execRoleName(tgt(e))), "dynamodb:GetItem", e.C.ARN("dynamodb", "table/"+tableName(tgt(e))))
	if err != nil {
		return "", err
	}
	if d == allowed {
		return "allowed", nil
	}
	return "denied", nil
}

// fullRead is the prerequisite stack's table policy (template.yaml's TableRead).
const fullRead = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:BatchGetItem","dynamodb:Query","dynamodb:Scan","dynamodb:DescribeTable"],"Resource":"%s"}]}`

// setRead rewrites the execution role's dynamodb-read policy with GetItem or without.
func setRead(ctx context.Context, e *labs.Env, withGetItem bool) error {
	doc := scanOnly
	if withGetItem {
		doc = fullRead
	}
	_, err := e.C.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(execRoleName(tgt(e))), PolicyName: aws.String("dynamodb-read"),
		PolicyDocument: aws.String(fmt.Sprintf(doc, e.C.ARN("dynamodb", "table/"+tgt(e).Prefix+"*")))})
	return err
}
