package sandbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// pcaResources finds a victim's finished Private CA lab: their root and
// subordinate CAs and certificate by tags, their ALB and :443 listener by name.
func pcaResources(ctx context.Context, t *testing.T, c *cloud.Clients, v labs.Target, res map[string]string) {
	t.Helper()
	cas, _ := c.PCA.ListCertificateAuthorities(ctx, &acmpca.ListCertificateAuthoritiesInput{})
	for _, ca := range cas.CertificateAuthorities {
		tags, _ := c.PCA.ListTags(ctx, &acmpca.ListTagsInput{CertificateAuthorityArn: ca.Arn})
		m := map[string]string{}
		for _, tg := range tags.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		if m["labdash:class"] == v.ClassID && m["labdash:student"] == v.StudentID {
			res[string(ca.Type)] = aws.ToString(ca.Arn)
		}
	}
	certs, _ := c.ACM.ListCertificates(ctx, &acm.ListCertificatesInput{Includes: &acmtypes.Filters{KeyTypes: acmtypes.KeyAlgorithmRsa2048.Values()}})
	for _, s := range certs.CertificateSummaryList {
		tags, _ := c.ACM.ListTagsForCertificate(ctx, &acm.ListTagsForCertificateInput{CertificateArn: s.CertificateArn})
		m := map[string]string{}
		for _, tg := range tags.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		if m["labdash:class"] == v.ClassID && m["labdash:student"] == v.StudentID {
			res["cert"] = aws.ToString(s.CertificateArn)
		}
	}
	lbs, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{v.Prefix + "myalb"}})
	if err != nil || len(lbs.LoadBalancers) == 0 {
		t.Fatalf("victim %s has no load balancer: %v", v.Prefix, err)
	}
	res["lb"] = aws.ToString(lbs.LoadBalancers[0].LoadBalancerArn)
	ls, _ := c.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(res["lb"])})
	for _, l := range ls.Listeners {
		if aws.ToInt32(l.Port) == 443 {
			res["listener"] = aws.ToString(l.ListenerArn)
		}
	}
	tgs, _ := c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{v.Prefix + "mytg"}})
	if len(tgs.TargetGroups) > 0 {
		res["tg"] = aws.ToString(tgs.TargetGroups[0].TargetGroupArn)
	}
	if res["ROOT"] == "" || res["SUBORDINATE"] == "" || res["cert"] == "" || res["listener"] == "" {
		t.Fatalf("victim %s's lab is not finished: %v", v.Prefix, res)
	}
}

// csrPEM is a CSR the attacker made for a key of their own.
func csrPEM() []byte {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "evil sub CA"}}, k)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func pcaAttacks() []attack {
	return []attack{
		{"acm-pca:UpdateCertificateAuthority (disable their subordinate)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.PCA.UpdateCertificateAuthority(ctx, &acmpca.UpdateCertificateAuthorityInput{CertificateAuthorityArn: aws.String(v.res["SUBORDINATE"]),
				Status: pcatypes.CertificateAuthorityStatusDisabled})
			return err
		}},
		{"acm-pca:DeleteCertificateAuthority (their root)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.PCA.DeleteCertificateAuthority(ctx, &acmpca.DeleteCertificateAuthorityInput{CertificateAuthorityArn: aws.String(v.res["ROOT"]), PermanentDeletionTimeInDays: aws.Int32(7)})
			return err
		}},
		{"acm-pca:IssueCertificate (a CA certificate for me from their root)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.PCA.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: aws.String(v.res["ROOT"]), Csr: csrPEM(),
				SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, TemplateArn: aws.String("arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1"),
				Validity: &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeDays, Value: aws.Int64(30)}})
			return err
		}},
		{"acm-pca:ImportCertificateAuthorityCertificate (into their subordinate)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.PCA.ImportCertificateAuthorityCertificate(ctx, &acmpca.ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: aws.String(v.res["SUBORDINATE"]),
				Certificate: csrPEM()})
			return err
		}},
		{"acm-pca:CreateCertificateAuthority without my tags", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.PCA.CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{CertificateAuthorityType: pcatypes.CertificateAuthorityTypeRoot,
				CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmEcPrime256v1,
					SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String("myorg root CA")}},
				Tags: []pcatypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(v.t.ClassID)}, {Key: aws.String("labdash:student"), Value: aws.String(v.t.StudentID)}}})
			return err
		}},
		{"acm:RequestCertificate tagged as theirs", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ACM.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("x.example.com"), CertificateAuthorityArn: aws.String(v.res["SUBORDINATE"]),
				Tags: []acmtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(v.t.ClassID)}, {Key: aws.String("labdash:student"), Value: aws.String(v.t.StudentID)}}})
			return err
		}},
		{"acm:DeleteCertificate (theirs)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ACM.DeleteCertificate(ctx, &acm.DeleteCertificateInput{CertificateArn: aws.String(v.res["cert"])})
			return err
		}},
		{"elasticloadbalancing:CreateListener on their ALB", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, elb, _ := tagsOf(me)
			_, err := c.ELBv2.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: aws.String(v.res["lb"]), Port: aws.Int32(8443), Protocol: elbtypes.ProtocolEnumHttps,
				Certificates:   []elbtypes.Certificate{{CertificateArn: aws.String(v.res["cert"])}},
				DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(v.res["tg"])}}, Tags: elb})
			return err
		}},
		{"elasticloadbalancing:DeleteListener (their :443)", func(ctx context.Context, c *cloud.Clients, me labs.Target, v victim) error {
			_, err := c.ELBv2.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: aws.String(v.res["listener"])})
			return err
		}},
	}
}
