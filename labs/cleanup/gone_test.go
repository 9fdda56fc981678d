package cleanup

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

// TestResumedCleanupCountsGoneAsDone is issue 13's resumed cleanup: the killed
// run had already deleted the class's task definitions but not recorded it, and
// by the time the job resumes AWS no longer describes them ("Unable to describe
// task definition.", a ClientException). Each is done, not failed, and the job is
// verified by the fresh sweep.
func TestResumedCleanupCountsGoneAsDone(t *testing.T) {
	f := newFixture(t)
	a := f.class("A", 3)
	f.build(a)
	f.settle()
	x := f.executor()
	plan, err := x.Planner.Plan(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	job, err := x.Confirm(f.ctx, a.ID, plan.Hash, a.Name)
	if err != nil {
		t.Fatal(err)
	}
	// What the killed run did before it could record it: every revision
	// deregistered and deleted.
	gone := map[string]bool{}
	for _, it := range plan.Items {
		if it.Type != "AWS::ECS::TaskDefinition" {
			continue
		}
		gone[it.ARN] = true
		if _, err := f.c.ECS.DeregisterTaskDefinition(f.ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(it.ARN)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.c.ECS.DeleteTaskDefinitions(f.ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{it.ARN}}); err != nil {
			t.Fatal(err)
		}
	}
	if len(gone) < 3 {
		t.Fatalf("the plan holds %d task definitions, want at least 3", len(gone))
	}
	// AWS forgets a deleted revision once its deletion has finished.
	x.Intercept = func(_ context.Context, call cloud.Call) error {
		if in, ok := call.Input.(*ecs.DescribeTaskDefinitionInput); ok && gone[aws.ToString(in.TaskDefinition)] {
			return &ecstypes.ClientException{Message: aws.String("Unable to describe task definition.")}
		}
		return nil
	}
	if err := x.Run(f.ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	done, err := f.store.Job(f.ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range done.Items {
		if gone[it.Key] && (it.State != db.ItemDone || it.Step != "gone") {
			t.Errorf("%s: %s/%s %q, want done/gone", it.Key, it.State, it.Step, it.Detail)
		}
	}
	if done.Outcome != db.OutcomeVerified || done.Error != "" {
		t.Errorf("job %s, %q; want verified with nothing failed", done.Outcome, done.Error)
	}
}

// TestOnlyTheTypeDecidesGone: the engine counts a delete as done only when the
// type said gone (ErrGone); a bare not-found code about something else — a subnet,
// a key, a rule — fails the item instead of passing for a deletion, as before it
// did whenever a code merely contained "NotFound".
func TestOnlyTheTypeDecidesGone(t *testing.T) {
	api := func(code string) error { return &smithy.GenericAPIError{Code: code, Message: "…"} }
	for _, tc := range []struct {
		err  error
		want outcome
	}{
		{nil, done},
		{resources.ErrGone, done},
		{fmt.Errorf("%w: %w", resources.ErrGone, api("InvalidGroup.NotFound")), done},
		{api("InvalidSubnetID.NotFound"), terminal},
		{api("KMSNotFoundException"), terminal},
		{api("RuleNotFound"), terminal},
		{api("NoSuchKey"), terminal},
		{api("NoSuchEntity"), terminal}, // IAM's code, but not said by the resource's type
		{api("ThrottlingException"), backoff},
		{api("AccessDenied"), terminal},
		{api("DependencyViolation"), retryLater},
		{resources.Waiting("deleting", "x"), retryLater},
		{errors.New("no clients"), terminal},
	} {
		if got := classify(tc.err); got != tc.want {
			t.Errorf("classify(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
