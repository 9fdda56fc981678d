package cleanup

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/sandbox"
)

// provision runs class's provisioning again, as "Provision the class again" does.
func (f *fixture) provision(class *db.Class) {
	f.t.Helper()
	provisioned := labs.NewRegistry()
	provisioned.Register(fargate.Lab())
	p := &sandbox.Provisioner{Log: f.log, Store: f.store, Registry: provisioned, Provider: f.world,
		Sleep: func(ctx context.Context, d time.Duration) error { f.clock.Advance(d); return nil }}
	job, err := p.Start(f.ctx, class.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := p.Run(f.ctx, job.ID); err != nil {
		f.t.Fatal(err)
	}
}

// TestReprovisionedClassIsCleanedUpAgain: a class cleaned up and provisioned again
// gets its sandbox roles back under the same ARNs. The ledger must list them live
// again (it kept them deleted), the delete-class footprint must count them, the
// next plan must list them, and a second cleanup must delete them and verify.
func TestReprovisionedClassIsCleanedUpAgain(t *testing.T) {
	f := newFixture(t)
	a := f.class("A", 2)
	roles := map[string]string{}
	for _, slug := range []string{"s01", "s02"} {
		roles[sandbox.RoleARN(f.c.Account, a.ID, slug)] = slug
	}
	first, err := f.store.ClassFootprint(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	x := f.executor()
	if _, job := f.confirmAndRun(x, a); job.State != db.JobDone || job.Outcome != db.OutcomeVerified {
		t.Fatalf("first cleanup: %s %s %q", job.State, job.Outcome, job.Error)
	}
	if fp, _ := f.store.ClassFootprint(f.ctx, a.ID); fp.Live != 0 {
		t.Fatalf("after the first cleanup the ledger still has %d live rows", fp.Live)
	}

	f.provision(a)
	live := map[string]bool{}
	entries, err := f.store.Ledger(f.ctx, a.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		live[e.ARN] = true
	}
	for arn := range roles {
		if !live[arn] {
			t.Errorf("the ledger does not list the re-provisioned role %s as live", arn)
		}
	}
	fp, err := f.store.ClassFootprint(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fp.Live != first.Live || fp.LiveSandboxes != first.LiveSandboxes {
		t.Errorf("delete-class footprint after provisioning again: %d live, %d provisioned; want %d and %d as after the first provisioning (roles, policies, stacks)",
			fp.Live, fp.LiveSandboxes, first.Live, first.LiveSandboxes)
	}
	plan, err := f.planner().Plan(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	planned := map[string]Item{}
	for _, it := range plan.Items {
		planned[it.ARN] = it
	}
	for arn, slug := range roles {
		if it, ok := planned[arn]; !ok || it.Student != slug {
			t.Errorf("the plan after provisioning again lacks %s's role %s (got %+v)", slug, arn, it)
		}
	}
	if _, job := f.confirmAndRun(x, a); job.State != db.JobDone || job.Outcome != db.OutcomeVerified {
		t.Fatalf("second cleanup: %s %s %q", job.State, job.Outcome, job.Error)
	}
	for arn := range roles {
		if _, err := f.c.IAM.GetRole(f.ctx, &iam.GetRoleInput{RoleName: aws.String(arn[strings.LastIndex(arn, "/")+1:])}); err == nil {
			t.Errorf("the second cleanup left %s", arn)
		}
	}
	if fp, _ := f.store.ClassFootprint(f.ctx, a.ID); fp.Live != 0 {
		t.Errorf("after the second cleanup the ledger still has %d live rows", fp.Live)
	}
}
