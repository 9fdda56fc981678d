package sandbox

import (
	"context"
	"strings"
	"testing"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestPreflightLab8VCPUQuotas: a 12-student shared-account class with Lab 8 needs
// 48 vCPUs of each of On-Demand and Spot Standard instances (2 + 2 t3.micro a
// student). An account prepared for a class (sim.ClassAccountQuotas, what the
// live simulator's account has) provisions; a new account's 5 vCPUs, or one
// region's quota set to 40, is refused before anything is created, with the
// quota's name and code, the need as students × vCPUs and the fix.
func TestPreflightLab8VCPUQuotas(t *testing.T) {
	ctx := context.Background()
	asgClass := func(c *db.Class) { c.Labs = []string{"asg"} }

	// A new account: AWS's defaults, 5 and 5.
	f := newFixture(t, 12, asgClass)
	p := f.provisioner()
	job, err := p.Start(ctx, f.class.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx, job.ID); err == nil {
		t.Fatal("a new account's 5 vCPUs passed the preflight for 12 students")
	}
	failed, _ := f.store.Job(ctx, job.ID)
	for _, want := range []string{
		"Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (ec2 L-1216C47A) in us-east-1 is 5 vCPUs but this class needs 48 vCPUs (12 students × 4 vCPUs)",
		"All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests (ec2 L-34B43A08) in us-east-1 is 5 vCPUs but this class needs 48 vCPUs (12 students × 4 vCPUs)",
		"request an increase to at least 48 in Service Quotas (ec2 L-1216C47A)",
		"request an increase to at least 48 in Service Quotas (ec2 L-34B43A08)",
	} {
		if !strings.Contains(failed.Error, want) {
			t.Errorf("job error %q lacks %q", failed.Error, want)
		}
	}
	if failed.State != db.JobFailed || f.counter.Count("iam", "CreateRole") != 0 || f.counter.Count("cloudformation", "CreateStack") != 0 {
		t.Fatalf("a refused preflight created resources: %+v", failed)
	}

	// An account prepared for a class: the same class provisions.
	f = newFixture(t, 12, asgClass)
	f.world.PrepareClassAccount("111122223333")
	p = f.provisioner()
	if job, err = p.Start(ctx, f.class.ID); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx, job.ID); err != nil {
		done, _ := f.store.Job(ctx, job.ID)
		t.Fatalf("a prepared class account was refused: %v (%s)", err, done.Error)
	}
	if n := f.counter.Count("cloudformation", "CreateStack"); n != 12 {
		t.Errorf("%d prerequisite stacks for 12 students", n)
	}

	// Prepared, but the Spot quota in the class's region is set to 40 (one
	// student short): refused, naming only the Spot quota.
	f = newFixture(t, 12, asgClass)
	f.world.PrepareClassAccount("111122223333")
	f.world.SetQuota("111122223333", "us-east-1", "ec2", "L-34B43A08", 40)
	f.world.SetQuota("111122223333", "eu-west-1", "ec2", "L-1216C47A", 1) // another region's quota is not this class's
	p = f.provisioner()
	if job, err = p.Start(ctx, f.class.ID); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx, job.ID); err == nil {
		t.Fatal("a Spot quota of 40 vCPUs passed the preflight for 48")
	}
	failed, _ = f.store.Job(ctx, job.ID)
	if !strings.Contains(failed.Error, "Spot Instance Requests (ec2 L-34B43A08) in us-east-1 is 40 vCPUs but this class needs 48 vCPUs (12 students × 4 vCPUs)") ||
		strings.Contains(failed.Error, "L-1216C47A") {
		t.Errorf("job error %q: want the Spot quota alone", failed.Error)
	}
	if sim.ClassAccountQuotas["ec2/L-1216C47A"] < 48 || sim.ClassAccountQuotas["ec2/L-34B43A08"] < 48 {
		t.Errorf("class account quotas %v do not cover the demo's 12 students", sim.ClassAccountQuotas)
	}
}
