package xray

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/labdash/labdash/labs"
)

// The usual mistakes.
const (
	mistakeNoAuto      = "no-auto"
	mistakeWrongPolicy = "wrong-policy"
	mistakeNoRestore   = "no-restore"
)

// autoSignupRate is the sample page's auto-signup rate, in requests per second.
const autoSignupRate = 10.0 / 60

// script is the lab as a student performs it.
func script() []labs.Step {
	return []labs.Step{
		{Name: "open the app", Think: 60 * time.Second, Do: openApp},
		{Name: "switch auto signups on", Think: 30 * time.Second, Do: autoSignups},
		{Name: "look at the service map", Think: 2 * time.Minute, Do: lookAtMap},
		{Name: "find the 409s", Think: 90 * time.Second, Do: find409s},
		{Name: "remove sns:Publish from the instance role", Think: 2 * time.Minute, Do: removePublish},
		{Name: "find the 500s", Think: 2 * time.Minute, Do: find500s},
		{Name: "restore sns:Publish", Think: 90 * time.Second, Do: restorePublish},
	}
}

// openApp waits for the environment to be Ready and notes its ARN.
func openApp(ctx context.Context, e *labs.Env) error {
	out, err := e.C.ElasticBeanstalk.DescribeEnvironments(ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: []string{envName(e.T)}, IncludeDeleted: aws.Bool(false)})
	if err != nil {
		return err
	}
	for _, d := range out.Environments {
		if d.Status == ebtypes.EnvironmentStatusReady {
			e.Memo["env"] = aws.ToString(d.EnvironmentArn)
			return nil
		}
	}
	return labs.ErrNotYet
}

// autoSignups flips the sample page's auto-signup switch. In the simulator the
// virtual-student runner's Load stands for the browser: Load(environment ARN, rps).
func autoSignups(_ context.Context, e *labs.Env) error {
	if e.Persona.Makes(mistakeNoAuto) {
		return nil
	}
	if e.Load == nil {
		return errors.New("xray: no way to drive the app's auto signups")
	}
	return e.Load(e.Memo["env"], autoSignupRate)
}

func window(e *labs.Env, d time.Duration) (*time.Time, *time.Time) {
	now := e.C.Clock()
	return aws.Time(now.Add(-d)), aws.Time(now)
}

func lookAtMap(ctx context.Context, e *labs.Env) error {
	from, to := window(e, graphWindow)
	g, err := e.C.XRay.GetServiceGraph(ctx, &xray.GetServiceGraphInput{StartTime: from, EndTime: to, GroupName: aws.String(groupName(e.T))})
	if err != nil {
		return err
	}
	if root := node(g.Services, tracingName(e.T), ""); root == nil || len(root.Edges) < 2 {
		return labs.ErrNotYet
	}
	return nil
}

func findStatus(ctx context.Context, e *labs.Env, code int) error {
	from, to := window(e, 5*time.Minute)
	out, err := e.C.XRay.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: from, EndTime: to,
		FilterExpression: aws.String(fmt.Sprintf("service(%q) AND http.status = %d", tracingName(e.T), code))})
	if err != nil {
		return err
	}
	if len(out.TraceSummaries) == 0 {
		return labs.ErrNotYet
	}
	last := out.TraceSummaries[len(out.TraceSummaries)-1]
	_, err = e.C.XRay.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{aws.ToString(last.Id)}})
	return err
}

func find409s(ctx context.Context, e *labs.Env) error { return findStatus(ctx, e, 409) }
func find500s(ctx context.Context, e *labs.Env) error { return findStatus(ctx, e, 500) }

func removePublish(ctx context.Context, e *labs.Env) error {
	name := publishPolicy
	if e.Persona.Makes(mistakeWrongPolicy) {
		name = "dynamodb-put"
	}
	return removePolicy(ctx, e, name)
}

// removePolicy deletes one of the instance role's inline policies, noting it down
// (the student copies the document first) so it can be put back.
func removePolicy(ctx context.Context, e *labs.Env, name string) error {
	out, err := e.C.IAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(roleName(e.T))})
	if err != nil {
		return err
	}
	if !contains(out.PolicyNames, name) {
		return nil // already removed: a rerun of the step
	}
	doc, err := policyDocument(ctx, e, name)
	if err != nil {
		return err
	}
	e.Memo["removed"], e.Memo["removedDoc"] = name, doc
	_, err = e.C.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(roleName(e.T)), PolicyName: aws.String(name)})
	return err
}

// policyDocument is the document the student copies before deleting the policy;
// the role's policy grants sns:Publish on the lab's topic (the stack's output).
func policyDocument(_ context.Context, e *labs.Env, name string) (string, error) {
	res := e.Stack["TopicArn"]
	action := "sns:Publish"
	if name == "dynamodb-put" {
		action, res = "dynamodb:PutItem", e.C.ARN("dynamodb", "table/"+e.T.Prefix+"signups")
	}
	if res == "" {
		res = e.C.ARN("sns", e.T.Prefix+"signups")
	}
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":%q,"Resource":%q}]}`, action, res), nil
}

func restorePublish(ctx context.Context, e *labs.Env) error {
	if e.Persona.Makes(mistakeNoRestore) || e.Memo["removed"] == "" {
		return nil
	}
	return putPolicy(ctx, e, e.Memo["removed"], e.Memo["removedDoc"])
}

// putPolicy puts an inline policy on the instance role.
func putPolicy(ctx context.Context, e *labs.Env, name, doc string) error {
	_, err := e.C.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName(e.T)), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	return err
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
