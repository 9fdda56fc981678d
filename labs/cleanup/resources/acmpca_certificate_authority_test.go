package resources_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

// createCA makes a root CA tagged with kv pairs and returns its ARN.
func (e *env) createCA(cn string, kv ...string) string {
	e.t.Helper()
	var tags []pcatypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, pcatypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	out, err := e.c.PCA.CreateCertificateAuthority(e.ctx, &acmpca.CreateCertificateAuthorityInput{CertificateAuthorityType: pcatypes.CertificateAuthorityTypeRoot,
		CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmRsa2048,
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withrsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String(cn), Organization: aws.String("myorg")}},
		Tags: tags})
	if err != nil {
		e.t.Fatalf("create CA: %v", err)
	}
	return aws.ToString(out.CertificateAuthorityArn)
}

// activateCA installs a CA certificate: the simulator's stand-in, or on moto
// ImportCertificateAuthorityCertificate (not in cloud.PCA) with a self-signed one.
func (e *env) activateCA(arn string) {
	e.t.Helper()
	if e.world != nil {
		if err := e.world.ActivateCertificateAuthority("", e.c.Region, arn); err != nil {
			e.t.Fatal(err)
		}
		return
	}
	raw, ok := e.c.PCA.(*acmpca.Client)
	if !ok {
		e.t.Fatalf("moto PCA client is %T", e.c.PCA)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		e.t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "myorg root CA", Organization: []string{"myorg"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := raw.ImportCertificateAuthorityCertificate(e.ctx, &acmpca.ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: aws.String(arn),
		Certificate: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) caStatus(arn string) (*pcatypes.CertificateAuthority, error) {
	out, err := e.c.PCA.DescribeCertificateAuthority(e.ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	return out.CertificateAuthority, nil
}

func TestCertificateAuthoritySim(t *testing.T)  { testCertificateAuthority(t, simEnv(t)) }
func TestCertificateAuthorityMoto(t *testing.T) { testCertificateAuthority(t, motoEnv(t)) }

// testCertificateAuthority: an ACTIVE CA is disabled and deleted with the 7-day
// window in one attempt, a PENDING_CERTIFICATE one is deleted directly; DELETED
// counts as gone; Tags reads the class tag (and another class's, for the
// planner's look-alike test); the decoy stays ACTIVE. CAs have no lister: they
// are found by the tag sweep.
func testCertificateAuthority(t *testing.T, e *env) {
	typ, _ := resources.Lookup("AWS::ACMPCA::CertificateAuthority")
	if typ.Hourly < 0.5 {
		t.Errorf("hourly %v: a CA costs $400 a month", typ.Hourly)
	}
	mine := e.createCA("myorg root CA", "labdash:class", classID, "labdash:student", "s01")
	pending := e.createCA("myorg subordinate CA", "labdash:class", classID, "labdash:student", "s01")
	decoy := e.createCA("myorg root CA", "labdash:class", "c9zzz", "labdash:student", "s01")
	e.activateCA(mine)
	e.activateCA(decoy)

	ref := resources.Ref{ARN: mine, Type: typ.Name, Region: e.c.Region, Account: e.c.Account, Student: "s01"}
	if got, ok := resources.ForARN(mine); !ok || got.Name != typ.Name {
		t.Errorf("ForARN(CA) = %q, %v", got.Name, ok)
	}
	if tags, err := typ.Tags(e.ctx, e.c, ref); err != nil || tags["labdash:class"] != classID {
		t.Errorf("tags: %v %v", tags, err)
	}
	if tags, err := typ.Tags(e.ctx, e.c, resources.Ref{ARN: decoy, Type: typ.Name}); err != nil || tags["labdash:class"] != "c9zzz" {
		t.Errorf("decoy's tags: %v %v", tags, err)
	}
	if n := e.DeleteUntilGone(e.c, ref, 3); n != 1 {
		t.Errorf("deleted in %d attempts, want 1 (the disable is synchronous)", n)
	}
	e.Gone(e.c, ref)
	ca, err := e.caStatus(mine)
	if err != nil || ca.Status != pcatypes.CertificateAuthorityStatusDeleted {
		t.Fatalf("own CA: %v %+v, want DELETED", err, ca)
	}
	if e.world != nil && (ca.RestorableUntil == nil || !ca.RestorableUntil.Equal(e.world.Now().Add(7*24*time.Hour))) {
		t.Errorf("restorable until %v, want 7 days from now", ca.RestorableUntil)
	}
	if _, err := typ.Tags(e.ctx, e.c, ref); err == nil {
		t.Error("tags of a DELETED CA: want ErrGone")
	}
	pref := resources.Ref{ARN: pending, Type: typ.Name, Region: e.c.Region, Account: e.c.Account, Student: "s01"}
	e.DeleteUntilGone(e.c, pref, 3)
	e.Gone(e.c, pref)
	if ca, err := e.caStatus(decoy); err != nil || ca.Status != pcatypes.CertificateAuthorityStatusActive {
		t.Errorf("decoy: %v %+v, want ACTIVE", err, ca)
	}
}
