package resources_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

func (e *env) requestCert(c *cloud.Clients, domain, ca string, kv ...string) string {
	e.t.Helper()
	var tags []acmtypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, acmtypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	in := &acm.RequestCertificateInput{DomainName: aws.String(domain), Tags: tags}
	if ca != "" {
		in.CertificateAuthorityArn = aws.String(ca)
	} else {
		in.ValidationMethod = acmtypes.ValidationMethodDns
	}
	out, err := c.ACM.RequestCertificate(e.ctx, in)
	if err != nil {
		e.t.Fatalf("request certificate: %v", err)
	}
	return aws.ToString(out.CertificateArn)
}

func TestACMCertificateSim(t *testing.T)  { testACMCertificate(t, simEnv(t)) }
func TestACMCertificateMoto(t *testing.T) { testACMCertificate(t, motoEnv(t)) }

// testACMCertificate: the student's certificate is deleted in one attempt and is
// then gone; Tags reads each decoy's own tags (another class's certificate, the
// same student's in another region, an untagged look-alike domain) so the
// planner can refuse them, and every decoy is still there afterwards.
func testACMCertificate(t *testing.T, e *env) {
	typ, ok := resources.Lookup("AWS::CertificateManager::Certificate")
	if !ok {
		t.Fatal("type not registered")
	}
	ca := e.createCA("myorg subordinate CA", "labdash:class", classID, "labdash:student", "s01")
	e.activateCA(ca)
	mine := e.requestCert(e.c, "s01."+classID+".labs.example.com", ca, "labdash:class", classID, "labdash:student", "s01")
	otherClass := e.requestCert(e.c, "s01.c9zzz.labs.example.com", ca, "labdash:class", "c9zzz", "labdash:student", "s01")
	lookalike := e.requestCert(e.c, "s01."+classID+".labs.example.com", "")
	west := e.region("us-west-2")
	wrongRegion := e.requestCert(west, "s01."+classID+".labs.example.com", "", "labdash:class", classID, "labdash:student", "s01")
	e.wait(10_000_000_000)

	if got, ok := resources.ForARN(mine); !ok || got.Name != typ.Name {
		t.Errorf("ForARN(certificate) = %q, %v", got.Name, ok)
	}
	ref := resources.Ref{ARN: mine, Type: typ.Name, Region: e.c.Region, Account: e.c.Account, Student: "s01"}
	if tags, err := typ.Tags(e.ctx, e.c, ref); err != nil || tags["labdash:class"] != classID || tags["labdash:student"] != "s01" {
		t.Errorf("tags: %v %v", tags, err)
	}
	for name, arn := range map[string]string{"other class": otherClass, "look-alike": lookalike} {
		tags, err := typ.Tags(e.ctx, e.c, resources.Ref{ARN: arn, Type: typ.Name})
		if err != nil || tags["labdash:class"] == classID {
			t.Errorf("%s's tags: %v %v", name, tags, err)
		}
	}
	if bs, err := typ.Blockers(e.ctx, e.c, ref); err != nil || len(bs) != 0 {
		t.Errorf("blockers of an unused certificate: %v %v", bs, err)
	}
	if n := e.DeleteUntilGone(e.c, ref, 3); n != 1 {
		t.Errorf("deleted in %d attempts, want 1", n)
	}
	e.Gone(e.c, ref)
	for _, d := range []struct {
		c   *cloud.Clients
		arn string
	}{{e.c, otherClass}, {e.c, lookalike}, {west, wrongRegion}} {
		if _, err := d.c.ACM.DescribeCertificate(e.ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String(d.arn)}); err != nil {
			t.Errorf("decoy %s: %v", d.arn, err)
		}
	}
}
