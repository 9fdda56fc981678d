package sim

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
)

func (e *env) createCA(cn string) string {
	e.t.Helper()
	out, err := e.c.PCA.CreateCertificateAuthority(e.ctx, &acmpca.CreateCertificateAuthorityInput{
		CertificateAuthorityType: pcatypes.CertificateAuthorityTypeRoot,
		CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmRsa2048,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withrsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String(cn), Organization: aws.String("myorg")}},
		Tags: []pcatypes.Tag{{Key: aws.String("labdash:student"), Value: aws.String("s09")}}})
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.CertificateAuthorityArn)
}

func (e *env) ca(arn string) (*pcatypes.CertificateAuthority, error) {
	out, err := e.c.PCA.DescribeCertificateAuthority(e.ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	return out.CertificateAuthority, nil
}

// TestPrivateCALifecycle: PENDING_CERTIFICATE → ACTIVE → DISABLED → DELETED
// (restorable for 7 days, still described) → gone; AWS's state rules on the way.
func TestPrivateCALifecycle(t *testing.T) {
	e := newEnv(t)
	arn := e.createCA("myorg root CA")
	ca, err := e.ca(arn)
	if err != nil || ca.Status != pcatypes.CertificateAuthorityStatusPendingCertificate || ca.UsageMode != pcatypes.CertificateAuthorityUsageModeGeneralPurpose ||
		aws.ToString(ca.CertificateAuthorityConfiguration.Subject.CommonName) != "myorg root CA" {
		t.Fatalf("new CA: %v %+v", err, ca)
	}
	if !e.taggedARNs()[arn] {
		t.Error("tagging API does not list the CA")
	}
	update := func(st pcatypes.CertificateAuthorityStatus) error {
		_, err := e.c.PCA.UpdateCertificateAuthority(e.ctx, &acmpca.UpdateCertificateAuthorityInput{CertificateAuthorityArn: aws.String(arn), Status: st})
		return err
	}
	del := func(days int32) error {
		_, err := e.c.PCA.DeleteCertificateAuthority(e.ctx, &acmpca.DeleteCertificateAuthorityInput{CertificateAuthorityArn: aws.String(arn), PermanentDeletionTimeInDays: aws.Int32(days)})
		return err
	}
	if err := update(pcatypes.CertificateAuthorityStatusDisabled); !errorsAs[*pcatypes.InvalidStateException](err) {
		t.Errorf("disable a pending CA: %v, want InvalidStateException", err)
	}
	if err := e.w.ActivateCertificateAuthority("", "us-east-1", arn); err != nil {
		t.Fatal(err)
	}
	if ca, _ := e.ca(arn); ca.Status != pcatypes.CertificateAuthorityStatusActive || ca.NotAfter == nil || ca.Serial == nil {
		t.Fatalf("activated: %+v", ca)
	}
	if err := del(7); !errorsAs[*pcatypes.InvalidStateException](err) {
		t.Errorf("delete an ACTIVE CA: %v, want InvalidStateException", err)
	}
	if err := update(pcatypes.CertificateAuthorityStatusDisabled); err != nil {
		t.Fatal(err)
	}
	if err := del(6); !errorsAs[*pcatypes.InvalidArgsException](err) {
		t.Errorf("6 days: %v, want InvalidArgsException", err)
	}
	if err := del(7); err != nil {
		t.Fatal(err)
	}
	ca, err = e.ca(arn)
	if err != nil || ca.Status != pcatypes.CertificateAuthorityStatusDeleted || ca.RestorableUntil == nil ||
		!ca.RestorableUntil.Equal(e.w.Now().Add(7*24*time.Hour)) {
		t.Fatalf("deleted CA: %v %+v", err, ca)
	}
	if e.taggedARNs()[arn] {
		t.Error("tagging API still lists the deleted CA")
	}
	list, err := e.c.PCA.ListCertificateAuthorities(e.ctx, &acmpca.ListCertificateAuthoritiesInput{})
	if err != nil || len(list.CertificateAuthorities) != 1 {
		t.Fatalf("list during the restoration window: %v %+v", err, list)
	}
	if err := del(7); !errorsAs[*pcatypes.InvalidStateException](err) {
		t.Errorf("delete twice: %v", err)
	}
	e.clock.Advance(7*24*time.Hour + time.Minute)
	if _, err := e.ca(arn); !errorsAs[*pcatypes.ResourceNotFoundException](err) {
		t.Fatalf("after the window: %v, want ResourceNotFoundException", err)
	}
	// A CA still waiting for its certificate is deleted without disabling.
	sub := e.createCA("myorg subordinate CA")
	if _, err := e.c.PCA.DeleteCertificateAuthority(e.ctx, &acmpca.DeleteCertificateAuthorityInput{CertificateAuthorityArn: aws.String(sub)}); err != nil {
		t.Fatal(err)
	}
	if ca, _ := e.ca(sub); ca.Status != pcatypes.CertificateAuthorityStatusDeleted || !ca.RestorableUntil.Equal(e.w.Now().Add(30*24*time.Hour)) {
		t.Errorf("pending CA deleted with the default window: %+v", ca)
	}
	tags, err := e.c.PCA.ListTags(e.ctx, &acmpca.ListTagsInput{CertificateAuthorityArn: aws.String(sub)})
	if err != nil || len(tags.Tags) != 1 {
		t.Errorf("tags: %v %+v", err, tags)
	}
	if _, err := e.ca("arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/bad"); !errorsAs[*pcatypes.InvalidArnException](err) {
		t.Errorf("malformed ARN: %v", err)
	}
}
