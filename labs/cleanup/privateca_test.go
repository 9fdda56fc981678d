package cleanup

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"

	"github.com/labdash/labdash/labs/catalog/pca"
)

// TestPlanCountsBillingPrivateCAs: a class whose virtual students built their
// CA hierarchy has a plan that counts every CA (a root and a subordinate each)
// at $400 a month, DISABLED ones included; a CA already DELETED (in its
// restoration window, no longer billed) is not counted; a class without the lab,
// on the same account, has none.
func TestPlanCountsBillingPrivateCAs(t *testing.T) {
	f := newFixture(t)
	a := f.classWithLabs("A", 3, pca.ID)
	b := f.class("B", 2)
	f.buildFor(12*time.Minute, a)
	f.build(b)
	plan, err := f.planner().Plan(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var cas []string
	for _, it := range plan.Items {
		if it.Type == PrivateCAType {
			cas = append(cas, it.ARN)
		}
	}
	if n, usd := plan.PrivateCAs(); n != 6 || usd < 2399.99 || usd > 2400.01 || len(cas) != 6 {
		t.Fatalf("class A: %d private CAs at $%.2f/month (%d CA items), want 6 at $2400", n, usd, len(cas))
	}
	// Disabling one changes nothing (it still bills); deleting one with the 7-day
	// window takes it out of the plan (AWS no longer charges for it).
	if _, err := f.c.PCA.UpdateCertificateAuthority(f.ctx, &acmpca.UpdateCertificateAuthorityInput{CertificateAuthorityArn: aws.String(cas[0]),
		Status: pcatypes.CertificateAuthorityStatusDisabled}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.PCA.UpdateCertificateAuthority(f.ctx, &acmpca.UpdateCertificateAuthorityInput{CertificateAuthorityArn: aws.String(cas[1]),
		Status: pcatypes.CertificateAuthorityStatusDisabled}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.PCA.DeleteCertificateAuthority(f.ctx, &acmpca.DeleteCertificateAuthorityInput{CertificateAuthorityArn: aws.String(cas[1]),
		PermanentDeletionTimeInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	plan, err = f.planner().Plan(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := plan.PrivateCAs(); n != 5 {
		t.Errorf("after disabling one CA and deleting another: %d billed CAs, want 5", n)
	}
	// Class B (the Fargate lab only, same account) bills no CA.
	planB, err := f.planner().Plan(f.ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, usd := planB.PrivateCAs(); n != 0 || usd != 0 || len(planB.Items) == 0 {
		t.Errorf("class B: %d private CAs ($%.0f) among %d items, want none", n, usd, len(planB.Items))
	}
}
