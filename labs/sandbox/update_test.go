package sandbox

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// TestProvisioningAgainUpdatesTheClassPolicies: a class provisioned by an older
// labdash (here, one whose Fargate grants lacked a statement) and provisioned again
// gets the current documents as its policies' default versions; a further run
// changes nothing, and IAM's five versions are never exceeded.
func TestProvisioningAgainUpdatesTheClassPolicies(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 2)
	current, _ := catalog.New().Lab("fargate")
	older := current
	older.Grants = func(g labs.GrantScope) []authz.Statement { return current.Grants(g)[1:] }
	provision := func(l labs.Lab) {
		t.Helper()
		reg := labs.NewRegistry()
		reg.Register(l)
		p := f.provisioner()
		p.Registry = reg
		job, err := p.Start(ctx, f.class.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Run(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		if j, _ := f.store.Job(ctx, job.ID); j.Error != "" {
			t.Fatalf("provisioning: %s", j.Error)
		}
	}
	provision(older)
	c, _ := f.world.Clients(ctx, "", "us-east-1")
	arn := "arn:aws:iam::111122223333:policy/" + LabPolicyName(f.class.ID, "fargate")
	defaultDoc := func() string {
		t.Helper()
		pol, err := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		v, err := c.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: pol.Policy.DefaultVersionId})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(v.PolicyVersion.Document)
	}
	scope := ClassScope{ClassID: f.class.ID, Account: "111122223333", Regions: f.class.Regions, Labs: []labs.Lab{current}}
	want, _ := LabPolicy(scope, current).JSON()
	if sameJSON(defaultDoc(), want) {
		t.Fatal("the older labdash's policy is already the current one")
	}
	provision(current)
	provision(current)
	if !sameJSON(defaultDoc(), want) {
		t.Errorf("provisioning again did not make the current document the default version:\n%s", defaultDoc())
	}
	vs, err := c.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil || len(vs.Versions) != 2 {
		t.Errorf("%d versions (%v); want the old one and the new one", len(vs.Versions), err)
	}
	for i := 0; i < 6; i++ { // six more changes: never more than IAM's five versions
		if err := updatePolicy(ctx, c, arn, strings.Replace(want, "FargateRead", fmt.Sprintf("FargateRead%d", i), 1)); err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
	}
	if vs, _ := c.IAM.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)}); len(vs.Versions) != 5 {
		t.Errorf("%d versions after eight changes; want IAM's five", len(vs.Versions))
	}
	if _, err := url.QueryUnescape(defaultDoc()); err != nil || !strings.Contains(defaultDoc(), "FargateRead5") {
		t.Errorf("the last change is not the default version")
	}
}
