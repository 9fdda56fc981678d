package sim

// AWS Private CA's certificates, as real X.509 (crypto/x509): each CA has a key
// (generated when first needed), GetCertificateAuthorityCsr returns its CSR,
// IssueCertificate signs a CSR with the CA's key under one of AWS's templates
// (EndEntityCertificate/V1, SubordinateCACertificate_PathLen0/V1 … PathLen3/V1,
// RootCACertificate/V1, which only a root may use, on its own CSR),
// ImportCertificateAuthorityCertificate installs a CA's certificate (its key must
// match, a subordinate's chain must verify it) and makes the CA ACTIVE, and
// GetCertificate / GetCertificateAuthorityCertificate return PEM. Issuance is
// asynchronous as on AWS: GetCertificate answers RequestInProgressException for
// issueDelay after IssueCertificate.
//
// Keys: EC_prime256v1 and EC_secp384r1 are those curves; every RSA size is one
// RSA-2048 key per region, generated once and reused (RSA generation is slow and
// nothing labdash checks depends on two CAs having distinct keys). A CA's
// certificate and its issued certificates are still distinct and really signed.
// Not modelled: CRLs and OCSP, ApiPassthrough and custom extensions, templates
// other than those above, idempotency tokens of IssueCertificate.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
)

// issueDelay is how long an issued certificate takes to be retrievable.
const issueDelay = 2 * time.Second

// Template names (arn:aws:acm-pca:::template/NAME).
const (
	tmplEndEntity = "EndEntityCertificate/V1"
	tmplRoot      = "RootCACertificate/V1"
	tmplSubPrefix = "SubordinateCACertificate_PathLen"
)

// issuedCert is one certificate a CA issued.
type issuedCert struct {
	arn     string
	der     []byte
	readyAt time.Time
}

// caKey returns the CA's key, generating it on first use.
func (s *pcaState) caKey(ca *certAuthority) crypto.Signer {
	if ca.key == nil {
		ca.key = s.newKey(string(ca.cfg.KeyAlgorithm))
	}
	return ca.key
}

// newKey makes a key for an ACM or PCA key algorithm name.
func (s *pcaState) newKey(alg string) crypto.Signer {
	switch {
	case strings.Contains(alg, "384"):
		k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		return k
	case strings.HasPrefix(alg, "EC"):
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		return k
	}
	if s.rsaKey == nil {
		s.rsaKey, _ = rsa.GenerateKey(rand.Reader, 2048)
	}
	return s.rsaKey
}

func subjectOf(a *pcatypes.ASN1Subject) pkix.Name {
	n := pkix.Name{CommonName: str(a.CommonName)}
	add := func(dst *[]string, v *string) {
		if str(v) != "" {
			*dst = append(*dst, str(v))
		}
	}
	add(&n.Organization, a.Organization)
	add(&n.OrganizationalUnit, a.OrganizationalUnit)
	add(&n.Country, a.Country)
	add(&n.Province, a.State)
	add(&n.Locality, a.Locality)
	return n
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func keyID(pub crypto.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	h := sha1.Sum(der)
	return h[:]
}

func samePublicKey(a, b crypto.PublicKey) bool {
	x, _ := x509.MarshalPKIXPublicKey(a)
	y, _ := x509.MarshalPKIXPublicKey(b)
	return len(x) > 0 && bytes.Equal(x, y)
}

// csr returns the CA's certificate signing request, made once.
func (s *pcaState) csr(ca *certAuthority) []byte {
	if ca.csrPEM == nil {
		der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: subjectOf(ca.cfg.Subject)}, s.caKey(ca))
		ca.csrPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	}
	return ca.csrPEM
}

// sign issues a certificate for pub and subject from ca under template, valid
// from now until notAfter; sans are the DNS names of an end-entity certificate.
func (r *region) sign(s *pcaState, ca *certAuthority, template string, subject pkix.Name, sans []string, pub crypto.PublicKey, notAfter time.Time) ([]byte, error) {
	serial := new(big.Int)
	serial.SetString(r.w.hexID(32), 16)
	t := &x509.Certificate{SerialNumber: serial, Subject: subject, NotBefore: r.w.now.Add(-time.Minute), NotAfter: notAfter,
		SubjectKeyId: keyID(pub), BasicConstraintsValid: true, DNSNames: sans}
	switch {
	case template == tmplEndEntity:
		t.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	default: // a CA template
		t.IsCA, t.KeyUsage = true, x509.KeyUsageCertSign|x509.KeyUsageCRLSign|x509.KeyUsageDigitalSignature
		t.MaxPathLen, t.MaxPathLenZero = -1, false
		if n, ok := strings.CutPrefix(strings.TrimSuffix(template, "/V1"), tmplSubPrefix); ok {
			t.MaxPathLen = int(n[0] - '0')
			t.MaxPathLenZero = t.MaxPathLen == 0
		}
	}
	parent := t // RootCACertificate/V1: self-signed
	if template != tmplRoot {
		if ca.cert == nil {
			return nil, &pcatypes.InvalidStateException{Message: msg("The certificate authority %s has no certificate installed.", ca.arn)}
		}
		parent = ca.cert
		if notAfter.After(ca.cert.NotAfter) {
			return nil, &pcatypes.InvalidArgsException{Message: msg("The certificate's validity (%s) extends past the validity of its issuing CA (%s).", notAfter.Format(time.RFC3339), ca.cert.NotAfter.Format(time.RFC3339))}
		}
	}
	return x509.CreateCertificate(rand.Reader, t, parent, pub, s.caKey(ca))
}

// validity reads IssueCertificate's Validity.
func validity(now time.Time, v *pcatypes.Validity) (time.Time, error) {
	if v == nil || v.Value == nil || *v.Value <= 0 {
		return time.Time{}, &pcatypes.InvalidArgsException{Message: ptr("Validity with a positive Value is required.")}
	}
	n := int(*v.Value)
	switch v.Type {
	case pcatypes.ValidityPeriodTypeDays:
		return now.AddDate(0, 0, n), nil
	case pcatypes.ValidityPeriodTypeMonths:
		return now.AddDate(0, n, 0), nil
	case pcatypes.ValidityPeriodTypeYears:
		return now.AddDate(n, 0, 0), nil
	case pcatypes.ValidityPeriodTypeAbsolute:
		return time.Unix(int64(n), 0).UTC(), nil
	}
	return time.Time{}, &pcatypes.InvalidArgsException{Message: msg("Validity type %q is not supported.", v.Type)}
}

// GetCertificateAuthorityCsr returns a CA's CSR (PEM).
func (c *pcaClient) GetCertificateAuthorityCsr(ctx context.Context, in *acmpca.GetCertificateAuthorityCsrInput, _ ...func(*acmpca.Options)) (*acmpca.GetCertificateAuthorityCsrOutput, error) {
	return do(ctx, c.base, "acm-pca", "GetCertificateAuthorityCsr", in, func(r *region) (*acmpca.GetCertificateAuthorityCsrOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acmpca.GetCertificateAuthorityCsrInput{}
		}
		ca, err := s.find(str(in.CertificateAuthorityArn))
		if err != nil {
			return nil, err
		}
		switch ca.status {
		case pcatypes.CertificateAuthorityStatusDeleted, pcatypes.CertificateAuthorityStatusFailed, pcatypes.CertificateAuthorityStatusCreating:
			return nil, &pcatypes.InvalidStateException{Message: msg("The certificate authority %s is %s.", ca.arn, ca.status)}
		}
		return &acmpca.GetCertificateAuthorityCsrOutput{Csr: ptr(string(s.csr(ca)))}, nil
	})
}

// IssueCertificate signs a CSR with the CA's key.
func (c *pcaClient) IssueCertificate(ctx context.Context, in *acmpca.IssueCertificateInput, _ ...func(*acmpca.Options)) (*acmpca.IssueCertificateOutput, error) {
	return do(ctx, c.base, "acm-pca", "IssueCertificate", in, func(r *region) (*acmpca.IssueCertificateOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acmpca.IssueCertificateInput{}
		}
		ca, err := s.find(str(in.CertificateAuthorityArn))
		if err != nil {
			return nil, err
		}
		template := tmplEndEntity
		if t := str(in.TemplateArn); t != "" {
			name, ok := strings.CutPrefix(t, "arn:aws:acm-pca:::template/")
			switch {
			case !ok:
				return nil, &pcatypes.InvalidArnException{Message: msg("The template ARN %q is not valid.", t)}
			case name == tmplEndEntity, name == tmplRoot, len(name) == len(tmplSubPrefix)+4 && strings.HasPrefix(name, tmplSubPrefix) && strings.HasSuffix(name, "/V1") && name[len(tmplSubPrefix)] >= '0' && name[len(tmplSubPrefix)] <= '3':
				template = name
			default:
				return nil, &pcatypes.InvalidArgsException{Message: msg("The simulator does not know the template %s.", name)}
			}
		}
		block, _ := pem.Decode(in.Csr)
		if block == nil {
			return nil, &pcatypes.MalformedCSRException{Message: ptr("The certificate signing request is not a valid PEM-encoded CSR.")}
		}
		req, err := x509.ParseCertificateRequest(block.Bytes)
		if err != nil || req.CheckSignature() != nil {
			return nil, &pcatypes.MalformedCSRException{Message: ptr("The certificate signing request is malformed or its signature does not verify.")}
		}
		if template == tmplRoot {
			if ca.typ != pcatypes.CertificateAuthorityTypeRoot || !samePublicKey(req.PublicKey, s.caKey(ca).Public()) {
				return nil, &pcatypes.InvalidArgsException{Message: ptr("RootCACertificate/V1 issues only a root CA's own certificate, from its own CSR.")}
			}
		} else if ca.status != pcatypes.CertificateAuthorityStatusActive {
			return nil, &pcatypes.InvalidStateException{Message: msg("The certificate authority %s is %s, not ACTIVE.", ca.arn, ca.status)}
		}
		sig := string(in.SigningAlgorithm)
		if _, isRSA := s.caKey(ca).(*rsa.PrivateKey); (isRSA && !strings.Contains(sig, "WITHRSA")) || (!isRSA && !strings.HasSuffix(sig, "WITHECDSA")) {
			return nil, &pcatypes.InvalidArgsException{Message: msg("The signing algorithm %q does not match the CA's key algorithm %s.", sig, ca.cfg.KeyAlgorithm)}
		}
		if strings.HasPrefix(template, tmplSubPrefix) && ca.cert != nil && ca.cert.MaxPathLenZero {
			return nil, &pcatypes.InvalidArgsException{Message: msg("The CA %s has path length 0: it cannot issue a CA certificate.", ca.arn)}
		}
		notAfter, err := validity(r.w.now, in.Validity)
		if err != nil {
			return nil, err
		}
		der, err := r.sign(s, ca, template, req.Subject, req.DNSNames, req.PublicKey, notAfter)
		if err != nil {
			return nil, err
		}
		cert, _ := x509.ParseCertificate(der)
		ic := &issuedCert{arn: ca.arn + "/certificate/" + cert.SerialNumber.Text(16), der: der, readyAt: r.w.now.Add(issueDelay)}
		if ca.issued == nil {
			ca.issued = map[string]*issuedCert{}
		}
		ca.issued[ic.arn] = ic
		r.emitEvent("aws.acm-pca", "ACM Private CA Certificate Issuance", []string{ca.arn, ic.arn}, map[string]any{"result": "success"})
		return &acmpca.IssueCertificateOutput{CertificateArn: ptr(ic.arn)}, nil
	})
}

// chainOf is the PEM chain above a CA's own certificate: the CA's certificate
// followed by its chain (empty for a CA without a certificate).
func chainOf(ca *certAuthority) []byte {
	if ca.cert == nil {
		return nil
	}
	return append(pemCert(ca.cert.Raw), ca.chainPEM...)
}

// GetCertificate returns an issued certificate and its chain, once issued.
func (c *pcaClient) GetCertificate(ctx context.Context, in *acmpca.GetCertificateInput, _ ...func(*acmpca.Options)) (*acmpca.GetCertificateOutput, error) {
	return do(ctx, c.base, "acm-pca", "GetCertificate", in, func(r *region) (*acmpca.GetCertificateOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acmpca.GetCertificateInput{}
		}
		ca, err := s.find(str(in.CertificateAuthorityArn))
		if err != nil {
			return nil, err
		}
		ic := ca.issued[str(in.CertificateArn)]
		if ic == nil {
			return nil, &pcatypes.ResourceNotFoundException{Message: msg("Could not find certificate %s.", str(in.CertificateArn))}
		}
		if r.w.now.Before(ic.readyAt) {
			return nil, &pcatypes.RequestInProgressException{Message: ptr("The request to issue the certificate is still in progress.")}
		}
		out := &acmpca.GetCertificateOutput{Certificate: ptr(string(pemCert(ic.der)))}
		if ch := chainOf(ca); len(ch) > 0 && !bytes.Equal(ic.der, ca.cert.Raw) {
			out.CertificateChain = ptr(strings.TrimSpace(string(ch)))
		}
		return out, nil
	})
}

// ImportCertificateAuthorityCertificate installs a CA's certificate.
func (c *pcaClient) ImportCertificateAuthorityCertificate(ctx context.Context, in *acmpca.ImportCertificateAuthorityCertificateInput, _ ...func(*acmpca.Options)) (*acmpca.ImportCertificateAuthorityCertificateOutput, error) {
	return do(ctx, c.base, "acm-pca", "ImportCertificateAuthorityCertificate", in, func(r *region) (*acmpca.ImportCertificateAuthorityCertificateOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acmpca.ImportCertificateAuthorityCertificateInput{}
		}
		ca, err := s.find(str(in.CertificateAuthorityArn))
		if err != nil {
			return nil, err
		}
		switch ca.status {
		case pcatypes.CertificateAuthorityStatusPendingCertificate, pcatypes.CertificateAuthorityStatusActive:
		default:
			return nil, &pcatypes.InvalidStateException{Message: msg("The certificate authority %s is %s.", ca.arn, ca.status)}
		}
		block, _ := pem.Decode(in.Certificate)
		if block == nil {
			return nil, &pcatypes.MalformedCertificateException{Message: ptr("The certificate is not a valid PEM-encoded certificate.")}
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, &pcatypes.MalformedCertificateException{Message: msg("The certificate cannot be parsed: %v", err)}
		}
		if !samePublicKey(cert.PublicKey, s.caKey(ca).Public()) {
			return nil, &pcatypes.CertificateMismatchException{Message: ptr("The certificate's public key does not match the certificate authority's key.")}
		}
		if !cert.IsCA || !cert.BasicConstraintsValid {
			return nil, &pcatypes.InvalidRequestException{Message: ptr("The certificate is not a CA certificate (basic constraints CA:TRUE).")}
		}
		roots, inter := x509.NewCertPool(), x509.NewCertPool()
		if ca.typ == pcatypes.CertificateAuthorityTypeRoot {
			if len(bytes.TrimSpace(in.CertificateChain)) > 0 {
				return nil, &pcatypes.InvalidRequestException{Message: ptr("A root CA's certificate is imported without a chain.")}
			}
			roots.AddCert(cert)
		} else {
			rest := in.CertificateChain
			var chain []*x509.Certificate
			for {
				var b *pem.Block
				if b, rest = pem.Decode(rest); b == nil {
					break
				}
				x, err := x509.ParseCertificate(b.Bytes)
				if err != nil {
					return nil, &pcatypes.MalformedCertificateException{Message: msg("The certificate chain cannot be parsed: %v", err)}
				}
				chain = append(chain, x)
			}
			if len(chain) == 0 {
				return nil, &pcatypes.InvalidRequestException{Message: ptr("A subordinate CA's certificate needs its certificate chain.")}
			}
			for i, x := range chain {
				if i == len(chain)-1 {
					roots.AddCert(x)
				} else {
					inter.AddCert(x)
				}
			}
		}
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: r.w.now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			return nil, &pcatypes.InvalidRequestException{Message: msg("The certificate chain does not validate the certificate: %v", err)}
		}
		ca.cert, ca.chainPEM = cert, append([]byte(nil), in.CertificateChain...)
		if len(ca.chainPEM) > 0 && ca.chainPEM[len(ca.chainPEM)-1] != '\n' {
			ca.chainPEM = append(ca.chainPEM, '\n')
		}
		ca.status, ca.changed = pcatypes.CertificateAuthorityStatusActive, r.w.now
		ca.notBefore, ca.notAfter, ca.serial = cert.NotBefore, cert.NotAfter, cert.SerialNumber.Text(16)
		return &acmpca.ImportCertificateAuthorityCertificateOutput{}, nil
	})
}

// GetCertificateAuthorityCertificate returns a CA's installed certificate and
// (for a subordinate) its chain.
func (c *pcaClient) GetCertificateAuthorityCertificate(ctx context.Context, in *acmpca.GetCertificateAuthorityCertificateInput, _ ...func(*acmpca.Options)) (*acmpca.GetCertificateAuthorityCertificateOutput, error) {
	return do(ctx, c.base, "acm-pca", "GetCertificateAuthorityCertificate", in, func(r *region) (*acmpca.GetCertificateAuthorityCertificateOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acmpca.GetCertificateAuthorityCertificateInput{}
		}
		ca, err := s.find(str(in.CertificateAuthorityArn))
		if err != nil {
			return nil, err
		}
		if ca.cert == nil || ca.status == pcatypes.CertificateAuthorityStatusDeleted {
			return nil, &pcatypes.InvalidStateException{Message: msg("The certificate authority %s is %s: it has no certificate.", ca.arn, ca.status)}
		}
		out := &acmpca.GetCertificateAuthorityCertificateOutput{Certificate: ptr(string(pemCert(ca.cert.Raw)))}
		if len(ca.chainPEM) > 0 {
			out.CertificateChain = ptr(strings.TrimSpace(string(ca.chainPEM)))
		}
		return out, nil
	})
}
