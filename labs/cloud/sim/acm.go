package sim

// AWS Certificate Manager: requested certificates, public and private.
//
// RequestCertificate with a CertificateAuthorityArn is a private certificate
// (Type PRIVATE): ACM makes the key (KeyAlgorithm, RSA_2048 by default) and a
// CSR, and acmIssueTime later asks the CA to sign it (EndEntityCertificate/V1,
// valid 395 days: ACM's 13 months), a real X.509 certificate with the domain and
// SubjectAlternativeNames as DNS names. Until then it is PENDING_VALIDATION;
// then ISSUED, or FAILED with AWS's FailureReason when the CA cannot issue
// (PCA_RESOURCE_NOT_FOUND: no such CA in the region; PCA_INVALID_STATE: not
// ACTIVE; PCA_INVALID_ARGS: a short-lived-certificate CA, which cannot back ACM,
// or a validity past the CA's). Without a CA ARN it is a public certificate
// (AMAZON_ISSUED) awaiting DNS validation, which the simulator never sees done:
// PENDING_VALIDATION, then VALIDATION_TIMED_OUT after 72 hours, as AWS does.
// InUseBy lists the load balancers whose listeners use the certificate;
// DeleteCertificate answers ResourceInUseException while there is one.
// ListCertificates filters as AWS does: by CertificateStatuses, and by key type,
// RSA_1024 and RSA_2048 only unless Includes.KeyTypes says otherwise.
// Certificates are taggable (acm:certificate).
//
// Not modelled: importing and exporting certificates, renewal (RenewalEligibility
// is ELIGIBLE while the certificate is in use, INELIGIBLE otherwise), email
// validation, ValidationException on domain syntax beyond length, idempotency
// tokens, the per-account certificate quota.

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"

	"github.com/labdash/labdash/labs/cloud"
)

const (
	acmKey            = "acm"
	acmIssueTime      = 5 * time.Second // a private certificate's PENDING_VALIDATION
	acmValidationTime = 72 * time.Hour  // a public certificate's, before VALIDATION_TIMED_OUT
)

func init() {
	registerService("acm", func(b base, c *cloud.Clients) { c.ACM = &acmClient{b} })
}

// acmClient implements cloud.ACM.
type acmClient struct{ base }

var _ cloud.ACM = (*acmClient)(nil)

type acmState struct {
	certs map[string]*acmCert
	order []*acmCert
}

type acmCert struct {
	tagged
	arn, domain   string
	sans          []string
	typ           acmtypes.CertificateType
	keyAlg        acmtypes.KeyAlgorithm
	caArn         string
	status        acmtypes.CertificateStatus
	failure       acmtypes.FailureReason
	created, due  time.Time // due: when issuance (or the validation timeout) happens
	issuedAt      time.Time
	leaf          *x509.Certificate
	chain         []*x509.Certificate // the issuing CA's certificate, then its chain
	key           any                 // the leaf's private key
	validationRec *acmtypes.ResourceRecord
}

// state returns the region's certificates, first bringing each due one forward.
func (c *acmClient) state(r *region) *acmState {
	s := state(r, acmKey, func() *acmState { return &acmState{certs: map[string]*acmCert{}} })
	for _, x := range s.order {
		if x.status == acmtypes.CertificateStatusPendingValidation && !r.w.now.Before(x.due) {
			r.settleCert(x)
		}
	}
	return s
}

// settleCert issues a due private certificate from its CA, or times a public one out.
func (r *region) settleCert(x *acmCert) {
	if x.typ != acmtypes.CertificateTypePrivate {
		x.status = acmtypes.CertificateStatusValidationTimedOut
		return
	}
	fail := func(f acmtypes.FailureReason) { x.status, x.failure = acmtypes.CertificateStatusFailed, f }
	ps, _ := r.ext[pcaKey].(*pcaState)
	var ca *certAuthority
	if ps != nil {
		ca = ps.cas[x.caArn]
	}
	switch {
	case ca == nil:
		fail(acmtypes.FailureReasonPcaResourceNotFound)
		return
	case ca.status != pcatypes.CertificateAuthorityStatusActive || ca.cert == nil:
		fail(acmtypes.FailureReasonPcaInvalidState)
		return
	case ca.usage == pcatypes.CertificateAuthorityUsageModeShortLivedCertificate:
		fail(acmtypes.FailureReasonPcaInvalidArgs)
		return
	}
	key := ps.newKey(string(x.keyAlg))
	der, err := r.sign(ps, ca, tmplEndEntity, pkix.Name{CommonName: x.domain}, x.sans, key.Public(), r.w.now.AddDate(0, 0, 395))
	if err != nil {
		fail(acmtypes.FailureReasonPcaInvalidArgs)
		return
	}
	x.leaf, _ = x509.ParseCertificate(der)
	x.key = key
	x.chain = []*x509.Certificate{ca.cert}
	for rest := ca.chainPEM; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if p, err := x509.ParseCertificate(b.Bytes); err == nil {
			x.chain = append(x.chain, p)
		}
	}
	x.status, x.issuedAt = acmtypes.CertificateStatusIssued, r.w.now
	if ca.issued == nil {
		ca.issued = map[string]*issuedCert{}
	}
	ia := ca.arn + "/certificate/" + x.leaf.SerialNumber.Text(16)
	ca.issued[ia] = &issuedCert{arn: ia, der: der, readyAt: r.w.now}
	// ACM user guide, "Amazon EventBridge support for ACM". Emitted when the
	// simulator settles the certificate, which is when it is next read.
	r.emitEvent("aws.acm", "ACM Certificate Available", []string{x.arn}, map[string]any{"Action": "ISSUANCE", "CertificateType": string(x.typ),
		"CommonName": x.domain, "DomainValidationMethod": "", "CertificateCreatedDate": x.created.UTC().Format(time.RFC3339),
		"CertificateExpirationDate": x.leaf.NotAfter.UTC().Format(time.RFC3339), "DaysToExpiry": 395, "InUse": false, "Exported": false})
}

func (s *acmState) find(arn string) (*acmCert, error) {
	if !strings.HasPrefix(arn, "arn:aws:acm:") || !strings.Contains(arn, ":certificate/") {
		return nil, &acmtypes.InvalidArnException{Message: msg("The certificate ARN %q is not valid.", arn)}
	}
	if x := s.certs[arn]; x != nil {
		return x, nil
	}
	return nil, &acmtypes.ResourceNotFoundException{Message: msg("Could not find certificate %s.", arn)}
}

// inUseBy lists the load balancers whose listeners use certificate arn.
func (r *region) inUseBy(arn string) []string {
	var out []string
	for _, l := range r.listeners {
		if slices.Contains(l.certs, arn) && !slices.Contains(out, l.lb.arn) {
			out = append(out, l.lb.arn)
		}
	}
	slices.Sort(out)
	return out
}

// RequestCertificate requests a public or (with CertificateAuthorityArn) private certificate.
func (c *acmClient) RequestCertificate(ctx context.Context, in *acm.RequestCertificateInput, _ ...func(*acm.Options)) (*acm.RequestCertificateOutput, error) {
	return do(ctx, c.base, "acm", "RequestCertificate", in, func(r *region) (*acm.RequestCertificateOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acm.RequestCertificateInput{}
		}
		d := strings.ToLower(strings.TrimSuffix(str(in.DomainName), "."))
		if d == "" || len(d) > 253 || strings.ContainsAny(d, " /:") {
			return nil, &acmtypes.InvalidParameterException{Message: msg("The domain name %q is not valid.", str(in.DomainName))}
		}
		x := &acmCert{domain: d, sans: []string{d}, keyAlg: in.KeyAlgorithm, caArn: str(in.CertificateAuthorityArn), created: r.w.now,
			status: acmtypes.CertificateStatusPendingValidation}
		for _, n := range in.SubjectAlternativeNames {
			if n = strings.ToLower(n); !slices.Contains(x.sans, n) {
				x.sans = append(x.sans, n)
			}
		}
		if x.keyAlg == "" {
			x.keyAlg = acmtypes.KeyAlgorithmRsa2048
		}
		if x.caArn != "" {
			if !pcaArnRE.MatchString(x.caArn) {
				return nil, &acmtypes.InvalidArnException{Message: msg("The certificate authority ARN %q is not valid.", x.caArn)}
			}
			x.typ, x.due = acmtypes.CertificateTypePrivate, r.w.now.Add(acmIssueTime)
		} else {
			x.typ, x.due = acmtypes.CertificateTypeAmazonIssued, r.w.now.Add(acmValidationTime)
			x.validationRec = &acmtypes.ResourceRecord{Name: ptr("_" + r.w.hexID(32) + "." + d + "."), Type: acmtypes.RecordTypeCname,
				Value: ptr("_" + r.w.hexID(32) + ".acm-validations.aws.")}
		}
		for _, t := range in.Tags {
			if strings.HasPrefix(str(t.Key), "aws:") {
				return nil, &acmtypes.InvalidTagException{Message: ptr("Tag keys starting with 'aws:' are reserved.")}
			}
			x.tags.set(str(t.Key), str(t.Value))
		}
		if len(x.tags) > 50 {
			return nil, &acmtypes.TooManyTagsException{Message: ptr("A certificate can have at most 50 tags.")}
		}
		if err := validTags(x.tags); err != nil {
			return nil, &acmtypes.InvalidTagException{Message: msg("%v", err)}
		}
		x.arn = r.arn("acm", "certificate/"+r.w.uuid())
		s.certs[x.arn] = x
		s.order = append(s.order, x)
		r.addTaggable(&x.tagged, x.arn, "acm:certificate")
		return &acm.RequestCertificateOutput{CertificateArn: ptr(x.arn)}, nil
	})
}

func (r *region) certDetail(x *acmCert) *acmtypes.CertificateDetail {
	d := &acmtypes.CertificateDetail{CertificateArn: ptr(x.arn), DomainName: ptr(x.domain), SubjectAlternativeNames: append([]string(nil), x.sans...),
		Status: x.status, Type: x.typ, KeyAlgorithm: x.keyAlg, CreatedAt: ptr(x.created), InUseBy: r.inUseBy(x.arn), FailureReason: x.failure,
		RenewalEligibility: acmtypes.RenewalEligibilityIneligible}
	if len(d.InUseBy) > 0 {
		d.RenewalEligibility = acmtypes.RenewalEligibilityEligible
	}
	if d.InUseBy == nil {
		d.InUseBy = []string{}
	}
	if x.caArn != "" {
		d.CertificateAuthorityArn = ptr(x.caArn)
	}
	if x.leaf != nil {
		d.NotBefore, d.NotAfter, d.IssuedAt = ptr(x.leaf.NotBefore), ptr(x.leaf.NotAfter), ptr(x.issuedAt)
		d.Serial, d.Issuer, d.Subject = ptr(x.leaf.SerialNumber.Text(16)), ptr(x.leaf.Issuer.String()), ptr(x.leaf.Subject.String())
		d.SignatureAlgorithm = ptr(strings.ToUpper(strings.ReplaceAll(x.leaf.SignatureAlgorithm.String(), "-", "")))
	}
	if x.validationRec != nil {
		d.DomainValidationOptions = []acmtypes.DomainValidation{{DomainName: ptr(x.domain), ValidationMethod: acmtypes.ValidationMethodDns,
			ValidationStatus: acmtypes.DomainStatusPendingValidation, ResourceRecord: x.validationRec}}
		if x.status == acmtypes.CertificateStatusValidationTimedOut {
			d.DomainValidationOptions[0].ValidationStatus = acmtypes.DomainStatusFailed
		}
	}
	return d
}

// DescribeCertificate describes a certificate.
func (c *acmClient) DescribeCertificate(ctx context.Context, in *acm.DescribeCertificateInput, _ ...func(*acm.Options)) (*acm.DescribeCertificateOutput, error) {
	return do(ctx, c.base, "acm", "DescribeCertificate", in, func(r *region) (*acm.DescribeCertificateOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acm.DescribeCertificateInput{}
		}
		x, err := s.find(str(in.CertificateArn))
		if err != nil {
			return nil, err
		}
		return &acm.DescribeCertificateOutput{Certificate: r.certDetail(x)}, nil
	})
}

// ListCertificates lists certificates by status and key type, MaxItems (1–1000) a page.
func (c *acmClient) ListCertificates(ctx context.Context, in *acm.ListCertificatesInput, _ ...func(*acm.Options)) (*acm.ListCertificatesOutput, error) {
	return do(ctx, c.base, "acm", "ListCertificates", in, func(r *region) (*acm.ListCertificatesOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acm.ListCertificatesInput{}
		}
		size := int(i32(in.MaxItems, 1000))
		if size < 1 || size > 1000 {
			return nil, &acmtypes.InvalidArgsException{Message: ptr("MaxItems must be between 1 and 1000.")}
		}
		from, ok := readIntToken(in.NextToken)
		if !ok || from > len(s.order) {
			return nil, &acmtypes.InvalidArgsException{Message: ptr("The NextToken is not valid.")}
		}
		keys := []acmtypes.KeyAlgorithm{acmtypes.KeyAlgorithmRsa1024, acmtypes.KeyAlgorithmRsa2048}
		if in.Includes != nil && len(in.Includes.KeyTypes) > 0 {
			keys = in.Includes.KeyTypes
		}
		out := &acm.ListCertificatesOutput{CertificateSummaryList: []acmtypes.CertificateSummary{}}
		i := from
		for ; i < len(s.order) && len(out.CertificateSummaryList) < size; i++ {
			x := s.order[i]
			if (len(in.CertificateStatuses) > 0 && !slices.Contains(in.CertificateStatuses, x.status)) || !slices.Contains(keys, x.keyAlg) {
				continue
			}
			d := r.certDetail(x)
			out.CertificateSummaryList = append(out.CertificateSummaryList, acmtypes.CertificateSummary{CertificateArn: d.CertificateArn,
				DomainName: d.DomainName, Status: d.Status, Type: d.Type, KeyAlgorithm: d.KeyAlgorithm, InUse: ptr(len(d.InUseBy) > 0),
				CreatedAt: d.CreatedAt, IssuedAt: d.IssuedAt, NotAfter: d.NotAfter, NotBefore: d.NotBefore, RenewalEligibility: d.RenewalEligibility})
		}
		if i < len(s.order) {
			out.NextToken = intToken(i)
		}
		return out, nil
	})
}

// DeleteCertificate deletes a certificate no load balancer uses.
func (c *acmClient) DeleteCertificate(ctx context.Context, in *acm.DeleteCertificateInput, _ ...func(*acm.Options)) (*acm.DeleteCertificateOutput, error) {
	return do(ctx, c.base, "acm", "DeleteCertificate", in, func(r *region) (*acm.DeleteCertificateOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acm.DeleteCertificateInput{}
		}
		x, err := s.find(str(in.CertificateArn))
		if err != nil {
			return nil, err
		}
		if len(r.inUseBy(x.arn)) > 0 {
			return nil, &acmtypes.ResourceInUseException{Message: msg("Certificate %s in use.", x.arn)}
		}
		x.dead = true
		delete(s.certs, x.arn)
		s.order = compact(s.order, func(y *acmCert) bool { return y != x })
		return &acm.DeleteCertificateOutput{}, nil
	})
}

// ListTagsForCertificate lists a certificate's tags.
func (c *acmClient) ListTagsForCertificate(ctx context.Context, in *acm.ListTagsForCertificateInput, _ ...func(*acm.Options)) (*acm.ListTagsForCertificateOutput, error) {
	return do(ctx, c.base, "acm", "ListTagsForCertificate", in, func(r *region) (*acm.ListTagsForCertificateOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acm.ListTagsForCertificateInput{}
		}
		x, err := s.find(str(in.CertificateArn))
		if err != nil {
			return nil, err
		}
		out := &acm.ListTagsForCertificateOutput{Tags: []acmtypes.Tag{}}
		for _, t := range x.tags {
			out.Tags = append(out.Tags, acmtypes.Tag{Key: ptr(t.k), Value: ptr(t.v)})
		}
		return out, nil
	})
}

// servingCert is what an HTTPS listener presents for certificate arn: the leaf,
// its chain up to (not including) the root, and the key; nil when the
// certificate is not ISSUED. The world's lock must be held.
func (r *region) servingCert(arn string) ([][]byte, any) {
	s, _ := r.ext[acmKey].(*acmState)
	if s == nil {
		return nil, nil
	}
	x := s.certs[arn]
	if x == nil || x.status != acmtypes.CertificateStatusIssued || x.leaf == nil {
		return nil, nil
	}
	chain := [][]byte{x.leaf.Raw}
	for _, c := range x.chain {
		if c.CheckSignatureFrom(c) == nil && c.Subject.String() == c.Issuer.String() {
			continue // the root: the client brings its own trust
		}
		chain = append(chain, c.Raw)
	}
	return chain, x.key
}
