package cleanup

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/sandbox"
)

// TestDeprovisionOneStudent: deprovisioning s02 of class A removes s02's sandbox
// role and prerequisite stack through a cleanup job (plan, guard, deleters). A
// hostile ledger — rows that say
// provisioning made, for A's s02, class B's s02 role and stack (the same slug in
// a look-alike class) — gets those reported as not proven, never deleted; A's
// other students and all of B stay. Running it again deletes nothing more.
func TestDeprovisionOneStudent(t *testing.T) {
	f := newFixture(t)
	a := f.class("A", 3)
	b := f.class("B", 3)
	acct := f.c.Account
	stackARN := func(class *db.Class, slug string) string {
		t.Helper()
		out, err := f.c.CloudFormation.DescribeStacks(f.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(sandbox.StackName(class.ID, slug, fargate.ID))})
		if err != nil || len(out.Stacks) != 1 {
			t.Fatalf("stack of %s/%s: %v", class.Name, slug, err)
		}
		return aws.ToString(out.Stacks[0].StackId)
	}
	bStack, bRole := stackARN(b, "s02"), sandbox.RoleARN(acct, b.ID, "s02")
	aStack := stackARN(a, "s02")
	hostile := []db.LedgerEntry{
		{ClassID: a.ID, Student: "s02", ARN: bStack, Type: "AWS::CloudFormation::Stack", Region: "us-east-1", Account: acct, FoundBy: db.FoundProvisioned},
		{ClassID: a.ID, Student: "s02", ARN: bRole, Type: "AWS::IAM::Role", Account: acct, FoundBy: db.FoundProvisioned},
	}
	// The ledger refuses them while B's rows are live; with B's rows marked deleted
	// (a stale ledger, B's resources still there) they go in, and the plan must
	// still not trust them.
	for _, e := range hostile {
		if _, err := f.store.Record(f.ctx, e); !errors.Is(err, db.ErrConflict) {
			t.Fatalf("recording B's %s for A while B holds it: %v; want ErrConflict", e.ARN, err)
		}
		if err := f.store.MarkDeleted(f.ctx, b.ID, e.ARN); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.Record(f.ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	built, _ := f.planner().PlanFor(f.ctx, a.ID, "s02")

	x := f.executor()
	left, err := x.Deprovision(f.ctx, a.ID, "s02")
	var np *NotProvenError
	if !errors.As(err, &np) || len(np.Items) != 2 || !strings.Contains(err.Error(), bStack) || !strings.Contains(err.Error(), bRole) {
		t.Fatalf("deprovision: %v; want B's stack and role reported as not proven", err)
	}
	gone := func(arn string) bool {
		if strings.Contains(arn, ":role/") {
			_, err := f.c.IAM.GetRole(f.ctx, &iam.GetRoleInput{RoleName: aws.String(arn[strings.LastIndex(arn, "/")+1:])})
			return err != nil
		}
		out, err := f.c.CloudFormation.DescribeStacks(f.ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(arn)})
		return err != nil || len(out.Stacks) == 0 || out.Stacks[0].StackStatus == cfntypes.StackStatusDeleteComplete
	}
	if !gone(aStack) || !gone(sandbox.RoleARN(acct, a.ID, "s02")) {
		t.Errorf("A's s02 stack gone %v, role gone %v; want both gone", gone(aStack), gone(sandbox.RoleARN(acct, a.ID, "s02")))
	}
	if gone(bStack) || gone(bRole) {
		t.Errorf("B's s02 stack gone %v, role gone %v: a look-alike class's resources were deleted", gone(bStack), gone(bRole))
	}
	for _, slug := range []string{"s01", "s03"} {
		if gone(sandbox.RoleARN(acct, a.ID, slug)) || gone(stackARN(a, slug)) {
			t.Errorf("A's %s was touched", slug)
		}
	}
	// The two hostile rows are what the ledger still lists.
	rest, _ := f.store.Ledger(f.ctx, a.ID, "s02")
	if left != 2 || len(rest) != 2 {
		t.Errorf("left %d, ledger lists %d of s02's resources; want the 2 hostile rows", left, len(rest))
	}
	after, _ := f.planner().PlanFor(f.ctx, a.ID, "s02")
	if len(after.Items) != len(built.Items)-2 {
		t.Errorf("s02's plan had %d items, has %d after deprovisioning; want 2 fewer (the stack and the role)", len(built.Items), len(after.Items))
	}
	deprov, err := f.store.LatestJob(f.ctx, a.ID, JobKind)
	if err != nil || deprov.Scope != "s02" || deprov.State != db.JobDone || len(deprov.Items) != 2 {
		t.Fatalf("deprovisioning job: %+v; want a finished cleanup job of s02's 2 provisioned items", deprov)
	}

	// Again: nothing more is deleted; the hostile rows are still reported.
	calls := f.counter.Count("cloudformation", "DeleteStack") + f.counter.Count("iam", "DeleteRole")
	if _, err := x.Deprovision(f.ctx, a.ID, "s02"); !errors.As(err, &np) {
		t.Errorf("second run: %v; want the hostile rows reported again", err)
	}
	if now := f.counter.Count("cloudformation", "DeleteStack") + f.counter.Count("iam", "DeleteRole"); now != calls {
		t.Errorf("second run made %d delete calls", now-calls)
	}
}

// TestDeprovisionAStudentWhoBuilt: what a student built on the prerequisite stack
// (an ALB and tasks in its security groups) blocks the stack's deletion. The
// deprovisioning reports the stack's failure with CloudFormation's reason and
// leaves what the student built, for the student's or the class's cleanup,
// which deletes in dependency order.
func TestDeprovisionAStudentWhoBuilt(t *testing.T) {
	f := newFixture(t)
	a := f.class("A", 2)
	f.build(a)
	left, err := f.executor().Deprovision(f.ctx, a.ID, "s01")
	var failed *DeprovisionFailedError
	if !errors.As(err, &failed) || len(failed.Failed) != 1 || !strings.Contains(failed.Failed[0], "DependencyViolation") {
		t.Fatalf("deprovision: %v; want the stack reported as blocked by a dependency", err)
	}
	if left == 0 {
		t.Error("nothing left in the ledger: what the student built was forgotten")
	}
	if out, err := f.c.ELBv2.DescribeLoadBalancers(f.ctx, nil); err != nil || len(out.LoadBalancers) != 2 {
		t.Errorf("load balancers after deprovisioning s01: %v; want both students' left", err)
	}
}
