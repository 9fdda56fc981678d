package pca

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs"
)

// The usual mistakes.
const (
	mistakePathLen1 = "pathlen-1"
	mistakePublic   = "public-cert"
	mistakeFromRoot = "cert-from-root"
	mistakeHTTP443  = "http-443"
)

func script() []labs.Step {
	return []labs.Step{
		{Name: "create the root CA", Think: 90 * time.Second, Do: createCA(pcatypes.CertificateAuthorityTypeRoot, rootCN, "root")},
		{Name: "install the root CA's certificate", Think: 60 * time.Second, Do: installRoot},
		{Name: "create the subordinate CA", Think: 60 * time.Second, Do: createCA(pcatypes.CertificateAuthorityTypeSubordinate, subCN, "sub")},
		{Name: "sign the subordinate with the root", Think: 90 * time.Second, Do: installSub},
		{Name: "request the private certificate", Think: 60 * time.Second, Do: requestCert},
		{Name: "wait for ISSUED", Think: 20 * time.Second, Do: waitIssued},
		{Name: "add the HTTPS :443 listener", Think: 90 * time.Second, Do: createListener},
	}
}

func pcaTags(t labs.Target) []pcatypes.Tag {
	return []pcatypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(t.ClassID)}, {Key: aws.String("labdash:student"), Value: aws.String(t.StudentID)},
		{Key: aws.String("labdash:lab"), Value: aws.String(ID)}, {Key: aws.String("labdash:managed-by"), Value: aws.String("student")}}
}

func createCA(typ pcatypes.CertificateAuthorityType, cn, memo string) func(ctx context.Context, e *labs.Env) error {
	return func(ctx context.Context, e *labs.Env) error {
		out, err := e.C.PCA.CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{CertificateAuthorityType: typ,
			CertificateAuthorityConfiguration: &pcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: pcatypes.KeyAlgorithmEcPrime256v1,
				SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, Subject: &pcatypes.ASN1Subject{CommonName: aws.String(cn), Organization: aws.String(org)}},
			UsageMode: pcatypes.CertificateAuthorityUsageModeGeneralPurpose, IdempotencyToken: aws.String(e.T.Prefix + memo), Tags: pcaTags(e.T)})
		if err != nil {
			return err
		}
		e.Memo[memo] = aws.ToString(out.CertificateAuthorityArn)
		return nil
	}
}

// issue has ca sign csr under template and returns the certificate, waiting
// (ErrNotYet) while the issuance is in progress; the certificate ARN is noted
// under memo so a retry does not issue twice.
func issue(ctx context.Context, e *labs.Env, ca, csr, template, memo string, years int32) (cert, chain string, err error) {
	if e.Memo[memo] == "" {
		out, err := e.C.PCA.IssueCertificate(ctx, &acmpca.IssueCertificateInput{CertificateAuthorityArn: aws.String(ca), Csr: []byte(csr),
			SigningAlgorithm: pcatypes.SigningAlgorithmSha256withecdsa, TemplateArn: aws.String(template),
			Validity: &pcatypes.Validity{Type: pcatypes.ValidityPeriodTypeYears, Value: aws.Int64(int64(years))}})
		if err != nil {
			return "", "", err
		}
		e.Memo[memo] = aws.ToString(out.CertificateArn)
	}
	got, err := e.C.PCA.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: aws.String(ca), CertificateArn: aws.String(e.Memo[memo])})
	var busy *pcatypes.RequestInProgressException
	if errors.As(err, &busy) {
		return "", "", labs.ErrNotYet
	}
	if err != nil {
		return "", "", err
	}
	return aws.ToString(got.Certificate), aws.ToString(got.CertificateChain), nil
}

func csrOf(ctx context.Context, e *labs.Env, ca string) (string, error) {
	out, err := e.C.PCA.GetCertificateAuthorityCsr(ctx, &acmpca.GetCertificateAuthorityCsrInput{CertificateAuthorityArn: aws.String(ca)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Csr), nil
}

// installRoot self-signs the root (RootCACertificate/V1, 10 years) and imports it.
func installRoot(ctx context.Context, e *labs.Env) error {
	csr, err := csrOf(ctx, e, e.Memo["root"])
	if err != nil {
		return err
	}
	cert, _, err := issue(ctx, e, e.Memo["root"], csr, rootTmpl, "root-cert", 10)
	if err != nil {
		return err
	}
	e.Memo["root-pem"] = cert
	_, err = e.C.PCA.ImportCertificateAuthorityCertificate(ctx, &acmpca.ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: aws.String(e.Memo["root"]), Certificate: []byte(cert)})
	return err
}

// installSub has the root sign the subordinate's CSR with path length 0 (5
// years, inside the root's 10) and imports it with the root as the chain.
func installSub(ctx context.Context, e *labs.Env) error {
	csr, err := csrOf(ctx, e, e.Memo["sub"])
	if err != nil {
		return err
	}
	tmpl := pathLen0
	if e.Persona.Makes(mistakePathLen1) {
		tmpl = "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen1/V1"
	}
	cert, _, err := issue(ctx, e, e.Memo["root"], csr, tmpl, "sub-cert", 5)
	if err != nil {
		return err
	}
	_, err = e.C.PCA.ImportCertificateAuthorityCertificate(ctx, &acmpca.ImportCertificateAuthorityCertificateInput{CertificateAuthorityArn: aws.String(e.Memo["sub"]),
		Certificate: []byte(cert), CertificateChain: []byte(e.Memo["root-pem"])})
	return err
}

func requestCert(ctx context.Context, e *labs.Env) error {
	in := &acm.RequestCertificateInput{DomainName: aws.String(domainOf(e.T)), IdempotencyToken: aws.String("c" + e.T.StudentID),
		Tags: []acmtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(e.T.ClassID)}, {Key: aws.String("labdash:student"), Value: aws.String(e.T.StudentID)},
			{Key: aws.String("labdash:lab"), Value: aws.String(ID)}, {Key: aws.String("labdash:managed-by"), Value: aws.String("student")}}}
	switch {
	case e.Persona.Makes(mistakePublic):
		in.ValidationMethod = acmtypes.ValidationMethodDns
	case e.Persona.Makes(mistakeFromRoot):
		in.CertificateAuthorityArn = aws.String(e.Memo["root"])
	default:
		in.CertificateAuthorityArn = aws.String(e.Memo["sub"])
	}
	out, err := e.C.ACM.RequestCertificate(ctx, in)
	if err != nil {
		return err
	}
	e.Memo["cert"] = aws.ToString(out.CertificateArn)
	return nil
}

// waitIssued waits for the private certificate; a student who requested a
// public one gives up waiting after a while and tries the listener anyway.
func waitIssued(ctx context.Context, e *labs.Env) error {
	out, err := e.C.ACM.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String(e.Memo["cert"])})
	if err != nil {
		return err
	}
	if out.Certificate.Status == acmtypes.CertificateStatusPendingValidation && out.Certificate.Type == acmtypes.CertificateTypePrivate {
		return labs.ErrNotYet
	}
	return nil
}

func createListener(ctx context.Context, e *labs.Env) error {
	proto := elbtypes.ProtocolEnumHttps
	in := &elbv2.CreateListenerInput{LoadBalancerArn: aws.String(e.Stack["LoadBalancerArn"]), Port: aws.Int32(443),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(e.Stack["TargetGroupArn"])}},
		Tags: []elbtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(e.T.ClassID)}, {Key: aws.String("labdash:student"), Value: aws.String(e.T.StudentID)},
			{Key: aws.String("labdash:lab"), Value: aws.String(ID)}, {Key: aws.String("labdash:managed-by"), Value: aws.String("student")}}}
	if e.Persona.Makes(mistakeHTTP443) {
		proto = elbtypes.ProtocolEnumHttp
	} else {
		in.Certificates = []elbtypes.Certificate{{CertificateArn: aws.String(e.Memo["cert"])}}
	}
	in.Protocol = proto
	_, err := e.C.ELBv2.CreateListener(ctx, in)
	var dup *elbtypes.DuplicateListenerException
	if errors.As(err, &dup) {
		return nil
	}
	return err
}
