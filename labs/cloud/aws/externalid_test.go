package awsprovider_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

// TestExternalIDFollowsTheClass: the ExternalId is asked on every Clients call, not
// once per process. While it stays the same, the account's clients and assumed
// credentials are reused (one AssumeRole for all its regions); when the account
// moves to another class, the next Clients call builds new clients that assume the
// role again with the new class's id, which the role's trust now requires.
func TestExternalIDFollowsTheClass(t *testing.T) {
	awstest.IsolateEnv(t)
	ctx := context.Background()
	const student = "111122223333"
	role := "arn:aws:iam::" + student + ":role/" + awsprovider.DefaultAssumeRoleName
	fake := awstest.NewFakeSTS(t, "arn:aws:iam::123456789012:user/labdash")
	fake.RequireExternalID(role, "cA")

	var mu sync.Mutex
	class, asked := "cA", 0
	p, err := awsprovider.New(ctx, awsprovider.Options{Endpoint: fake.URL, RequireEndpoint: true, MaxAttempts: 1,
		ExternalID: func(account string) string {
			mu.Lock()
			defer mu.Unlock()
			if account != student {
				t.Errorf("ExternalID asked for %s", account)
			}
			asked++
			return class
		}})
	if err != nil {
		t.Fatal(err)
	}
	whoami := func(region string) string {
		t.Helper()
		c, err := p.Clients(ctx, student, region)
		if err != nil {
			t.Fatal(err)
		}
		id, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("%s as the student account: %v", region, err)
		}
		return aws.ToString(id.Arn)
	}
	externalIDs := func() []string {
		var out []string
		for _, c := range fake.Calls("AssumeRole") {
			out = append(out, c.Form.Get("ExternalId"))
		}
		return out
	}

	if arn := whoami("us-east-1"); !strings.Contains(arn, ":assumed-role/"+awsprovider.DefaultAssumeRoleName+"/") || !strings.Contains(arn, student) {
		t.Fatalf("identity %s; want LabDashboardRole in %s", arn, student)
	}
	c1, _ := p.Clients(ctx, student, "us-east-1")
	c1again, _ := p.Clients(ctx, student, "us-east-1")
	if c1 != c1again {
		t.Error("the same class got new clients: want them cached")
	}
	whoami("eu-west-1")
	if got := externalIDs(); len(got) != 1 || got[0] != "cA" {
		t.Fatalf("AssumeRole ExternalIds %v; want one [cA] shared by both regions", got)
	}
	mu.Lock()
	if asked < 4 {
		t.Errorf("ExternalID asked %d times for 4 Clients calls; want every call", asked)
	}
	class = "cB" // the account moves to class B; the instructor redeploys the role's trust for it
	mu.Unlock()
	fake.RequireExternalID(role, "cB")

	c2, err := p.Clients(ctx, student, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if c2 == c1 {
		t.Fatal("Clients kept class A's clients after the account moved to class B")
	}
	whoami("us-east-1")
	whoami("eu-west-1")
	if got := externalIDs(); len(got) != 2 || got[1] != "cB" {
		t.Fatalf("AssumeRole ExternalIds %v; want [cA cB]: one new assumption for the new class", got)
	}
	for _, c := range fake.Calls("") {
		if c.Err != "" {
			t.Errorf("%s failed with %s: a request used the old class's ExternalId", c.Action, c.Err)
		}
	}
	// The caller's own account never asks for an ExternalId.
	mu.Lock()
	before := asked
	mu.Unlock()
	if _, err := p.Clients(ctx, "", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if asked != before {
		t.Error("ExternalID asked for the caller's own account")
	}
}
