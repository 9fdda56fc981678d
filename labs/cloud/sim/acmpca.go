package sim

// AWS Private CA (acm-pca): certificate authorities and their lifecycle.
//
// CreateCertificateAuthority makes a ROOT or SUBORDINATE CA in status
// PENDING_CERTIFICATE (arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/UUID).
// Its certificate is installed with GetCertificateAuthorityCsr, IssueCertificate
// and ImportCertificateAuthorityCertificate (acmpca_certs.go, real X.509);
// World.ActivateCertificateAuthority is a test shortcut that installs a
// self-signed certificate valid for ten years.
// UpdateCertificateAuthority switches ACTIVE ⇄ DISABLED and answers
// InvalidStateException in any other state. DeleteCertificateAuthority answers
// InvalidStateException for an ACTIVE CA (disable it first) and otherwise moves
// it to DELETED with RestorableUntil = now + PermanentDeletionTimeInDays (7–30,
// default 30): it is still described and listed until then, and gone
// (ResourceNotFoundException) afterwards. A CA deleted while CREATING or FAILED
// has no restoration window. CAs are taggable (acm-pca:certificate-authority);
// a DELETED one leaves the tagging API.
//
// Not modelled: revoking certificates, CRLs and
// OCSP (a RevocationConfiguration is stored and returned as given), resource
// policies and permissions, RestoreCertificateAuthority, the CREATING and FAILED
// states (a CA is PENDING_CERTIFICATE as soon as it is created), EXPIRED, audit
// reports, and the per-account CA quota.

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"

	"github.com/labdash/labdash/labs/cloud"
)

const pcaKey = "acm-pca"

func init() {
	registerService("acm-pca", func(b base, c *cloud.Clients) { c.PCA = &pcaClient{b} })
}

// pcaClient implements cloud.PCA.
type pcaClient struct{ base }

var _ cloud.PCA = (*pcaClient)(nil)

type pcaState struct {
	cas    map[string]*certAuthority // by ARN
	order  []*certAuthority
	tokens map[string]string // idempotency token → ARN
	rsaKey *rsa.PrivateKey   // the region's one RSA key (acmpca_certs.go)
}

type certAuthority struct {
	tagged
	arn                 string
	typ                 pcatypes.CertificateAuthorityType
	cfg                 *pcatypes.CertificateAuthorityConfiguration
	rev                 *pcatypes.RevocationConfiguration
	usage               pcatypes.CertificateAuthorityUsageMode
	keyStd              pcatypes.KeyStorageSecurityStandard
	status              pcatypes.CertificateAuthorityStatus
	created, changed    time.Time
	notBefore, notAfter time.Time
	serial              string
	restorableUntil     time.Time
	// The CA's X.509 side (acmpca_certs.go).
	key      crypto.Signer
	csrPEM   []byte
	cert     *x509.Certificate // installed by ImportCertificateAuthorityCertificate
	chainPEM []byte            // the installed certificate's chain (a subordinate's)
	issued   map[string]*issuedCert
}

var pcaArnRE = regexp.MustCompile(`^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:[0-9]{12}:certificate-authority/[0-9a-f-]{36}$`)

// state returns the region's CAs, first dropping those whose restoration window
// has passed.
func (c *pcaClient) state(r *region) *pcaState {
	s := state(r, pcaKey, func() *pcaState { return &pcaState{cas: map[string]*certAuthority{}, tokens: map[string]string{}} })
	now := r.w.now
	s.order = compact(s.order, func(ca *certAuthority) bool {
		if ca.status == pcatypes.CertificateAuthorityStatusDeleted && !now.Before(ca.restorableUntil) {
			delete(s.cas, ca.arn)
			return false
		}
		return true
	})
	return s
}

func (s *pcaState) find(arn string) (*certAuthority, error) {
	if !pcaArnRE.MatchString(arn) {
		return nil, &pcatypes.InvalidArnException{Message: msg("The ARN %q is not valid.", arn)}
	}
	if ca := s.cas[arn]; ca != nil {
		return ca, nil
	}
	return nil, &pcatypes.ResourceNotFoundException{Message: msg("Could not find certificate authority ARN: %s", arn)}
}

func (r *region) caOut(ca *certAuthority) *pcatypes.CertificateAuthority {
	out := &pcatypes.CertificateAuthority{Arn: ptr(ca.arn), OwnerAccount: ptr(r.account), Type: ca.typ, Status: ca.status,
		CreatedAt: ptr(ca.created), LastStateChangeAt: ptr(ca.changed), CertificateAuthorityConfiguration: cloneJSON(ca.cfg),
		RevocationConfiguration: cloneJSON(ca.rev), UsageMode: ca.usage, KeyStorageSecurityStandard: ca.keyStd,
		NotBefore: tptr(ca.notBefore), NotAfter: tptr(ca.notAfter), RestorableUntil: tptr(ca.restorableUntil), Serial: optStr(ca.serial)}
	return out
}

// CreateCertificateAuthority creates a CA awaiting its certificate.
func (c *pcaClient) CreateCertificateAuthority(ctx context.Context, in *acmpca.CreateCertificateAuthorityInput, _ ...func(*acmpca.Options)) (*acmpca.CreateCertificateAuthorityOutput, error) {
	return do(ctx, c.base, "acm-pca", "CreateCertificateAuthority", in, func(r *region) (*acmpca.CreateCertificateAuthorityOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acmpca.CreateCertificateAuthorityInput{}
		}
		token := str(in.IdempotencyToken)
		if arn, ok := s.tokens[token]; ok && token != "" && s.cas[arn] != nil {
			return &acmpca.CreateCertificateAuthorityOutput{CertificateAuthorityArn: ptr(arn)}, nil
		}
		cfg := in.CertificateAuthorityConfiguration
		if cfg == nil || cfg.Subject == nil {
			return nil, &pcatypes.InvalidArgsException{Message: ptr("CertificateAuthorityConfiguration with a Subject is required.")}
		}
		key, sig := string(cfg.KeyAlgorithm), string(cfg.SigningAlgorithm)
		switch {
		case strings.HasPrefix(key, "RSA_") && strings.Contains(sig, "WITHRSA"):
		case strings.HasPrefix(key, "EC_") && strings.HasSuffix(sig, "WITHECDSA"):
		case key == "SM2" && sig == "SM3WITHSM2":
		case strings.HasPrefix(key, "ML_DSA_") && sig == key:
		default:
			return nil, &pcatypes.InvalidArgsException{Message: msg("The signing algorithm %q is not valid for the key algorithm %q.", sig, key)}
		}
		switch in.CertificateAuthorityType {
		case pcatypes.CertificateAuthorityTypeRoot, pcatypes.CertificateAuthorityTypeSubordinate:
		default:
			return nil, &pcatypes.InvalidArgsException{Message: ptr("CertificateAuthorityType must be ROOT or SUBORDINATE.")}
		}
		ca := &certAuthority{typ: in.CertificateAuthorityType, cfg: cloneJSON(cfg), rev: cloneJSON(in.RevocationConfiguration),
			usage: in.UsageMode, keyStd: in.KeyStorageSecurityStandard, status: pcatypes.CertificateAuthorityStatusPendingCertificate,
			created: r.w.now, changed: r.w.now}
		if ca.usage == "" {
			ca.usage = pcatypes.CertificateAuthorityUsageModeGeneralPurpose
		}
		if ca.keyStd == "" {
			ca.keyStd = pcatypes.KeyStorageSecurityStandardFips1402Level3OrHigher
		}
		for _, t := range in.Tags {
			if strings.HasPrefix(str(t.Key), "aws:") {
				return nil, &pcatypes.InvalidTagException{Message: ptr("Tag keys starting with 'aws:' are reserved.")}
			}
			ca.tags.set(str(t.Key), str(t.Value))
		}
		if err := validTags(ca.tags); err != nil {
			if len(ca.tags) > 50 {
				return nil, &pcatypes.TooManyTagsException{Message: ptr("You can associate up to 50 tags with a private CA.")}
			}
			return nil, &pcatypes.InvalidTagException{Message: msg("%v", err)}
		}
		ca.arn = r.arn("acm-pca", "certificate-authority/"+r.w.uuid())
		s.cas[ca.arn] = ca
		s.order = append(s.order, ca)
		if token != "" {
			s.tokens[token] = ca.arn
		}
		r.addTaggable(&ca.tagged, ca.arn, "acm-pca:certificate-authority")
		// AWS Private CA user guide, "Monitor AWS Private CA with CloudWatch Events".
		r.emitEvent("aws.acm-pca", "ACM Private CA Creation", []string{ca.arn}, map[string]any{"result": "success"})
		return &acmpca.CreateCertificateAuthorityOutput{CertificateAuthorityArn: ptr(ca.arn)}, nil
	})
}

// DescribeCertificateAuthority describes a CA, DELETED ones included until their
// restoration window ends.
func (c *pcaClient) DescribeCertificateAuthority(ctx context.Context, in *acmpca.DescribeCertificateAuthorityInput, _ ...func(*acmpca.Options)) (*acmpca.DescribeCertificateAuthorityOutput, error) {
	return do(ctx, c.base, "acm-pca", "DescribeCertificateAuthority", in, func(r *region) (*acmpca.DescribeCertificateAuthorityOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acmpca.DescribeCertificateAuthorityInput{}
		}
		ca, err := s.find(str(in.CertificateAuthorityArn))
		if err != nil {
			return nil, err
		}
		return &acmpca.DescribeCertificateAuthorityOutput{CertificateAuthority: r.caOut(ca)}, nil
	})
}

// ListCertificateAuthorities lists the account's CAs (ResourceOwner SELF; no CA
// is shared, so OTHER_ACCOUNTS lists none), MaxResults (1–1000) a page.
func (c *pcaClient) ListCertificateAuthorities(ctx context.Context, in *acmpca.ListCertificateAuthoritiesInput, _ ...func(*acmpca.Options)) (*acmpca.ListCertificateAuthoritiesOutput, error) {
	return do(ctx, c.base, "acm-pca", "ListCertificateAuthorities", in, func(r *region) (*acmpca.ListCertificateAuthoritiesOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acmpca.ListCertificateAuthoritiesInput{}
		}
		size := int(i32(in.MaxResults, 1000))
		if size < 1 || size > 1000 {
			return nil, &pcatypes.InvalidArgsException{Message: ptr("MaxResults must be between 1 and 1000.")}
		}
		from, ok := readIntToken(in.NextToken)
		if !ok || from > len(s.order) {
			return nil, &pcatypes.InvalidNextTokenException{Message: ptr("The token specified in the NextToken argument is not valid.")}
		}
		out := &acmpca.ListCertificateAuthoritiesOutput{CertificateAuthorities: []pcatypes.CertificateAuthority{}}
		if in.ResourceOwner == pcatypes.ResourceOwnerOtherAccounts {
			return out, nil
		}
		to := min(from+size, len(s.order))
		for _, ca := range s.order[from:to] {
			out.CertificateAuthorities = append(out.CertificateAuthorities, *r.caOut(ca))
		}
		if to < len(s.order) {
			out.NextToken = intToken(to)
		}
		return out, nil
	})
}

// UpdateCertificateAuthority disables an ACTIVE CA or re-activates a DISABLED
// one, and replaces its revocation configuration.
func (c *pcaClient) UpdateCertificateAuthority(ctx context.Context, in *acmpca.UpdateCertificateAuthorityInput, _ ...func(*acmpca.Options)) (*acmpca.UpdateCertificateAuthorityOutput, error) {
	return do(ctx, c.base, "acm-pca", "UpdateCertificateAuthority", in, func(r *region) (*acmpca.UpdateCertificateAuthorityOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acmpca.UpdateCertificateAuthorityInput{}
		}
		ca, err := s.find(str(in.CertificateAuthorityArn))
		if err != nil {
			return nil, err
		}
		switch in.Status {
		case "", pcatypes.CertificateAuthorityStatusActive, pcatypes.CertificateAuthorityStatusDisabled:
		default:
			return nil, &pcatypes.InvalidArgsException{Message: msg("Status %s is not valid: use ACTIVE or DISABLED.", in.Status)}
		}
		if ca.status != pcatypes.CertificateAuthorityStatusActive && ca.status != pcatypes.CertificateAuthorityStatusDisabled {
			return nil, &pcatypes.InvalidStateException{Message: msg("The certificate authority %s is in the %s state; only an ACTIVE or DISABLED CA can be updated.", ca.arn, ca.status)}
		}
		if in.Status != "" && in.Status != ca.status {
			ca.status, ca.changed = in.Status, r.w.now
		}
		if in.RevocationConfiguration != nil {
			ca.rev = cloneJSON(in.RevocationConfiguration)
		}
		return &acmpca.UpdateCertificateAuthorityOutput{}, nil
	})
}

// DeleteCertificateAuthority deletes a CA that is not ACTIVE: DELETED and
// restorable for PermanentDeletionTimeInDays (7–30, default 30).
func (c *pcaClient) DeleteCertificateAuthority(ctx context.Context, in *acmpca.DeleteCertificateAuthorityInput, _ ...func(*acmpca.Options)) (*acmpca.DeleteCertificateAuthorityOutput, error) {
	return do(ctx, c.base, "acm-pca", "DeleteCertificateAuthority", in, func(r *region) (*acmpca.DeleteCertificateAuthorityOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acmpca.DeleteCertificateAuthorityInput{}
		}
		ca, err := s.find(str(in.CertificateAuthorityArn))
		if err != nil {
			return nil, err
		}
		days := i32(in.PermanentDeletionTimeInDays, 30)
		if days < 7 || days > 30 {
			return nil, &pcatypes.InvalidArgsException{Message: ptr("PermanentDeletionTimeInDays must be between 7 and 30.")}
		}
		switch ca.status {
		case pcatypes.CertificateAuthorityStatusActive:
			return nil, &pcatypes.InvalidStateException{Message: msg("The certificate authority %s is ACTIVE: disable it before deleting it.", ca.arn)}
		case pcatypes.CertificateAuthorityStatusDeleted:
			return nil, &pcatypes.InvalidStateException{Message: msg("The certificate authority %s is already DELETED.", ca.arn)}
		case pcatypes.CertificateAuthorityStatusCreating, pcatypes.CertificateAuthorityStatusFailed:
			ca.dead = true // no restoration window: gone at once
			delete(s.cas, ca.arn)
			s.order = compact(s.order, func(x *certAuthority) bool { return x != ca })
			return &acmpca.DeleteCertificateAuthorityOutput{}, nil
		}
		ca.status, ca.changed = pcatypes.CertificateAuthorityStatusDeleted, r.w.now
		ca.restorableUntil = r.w.now.Add(time.Duration(days) * 24 * time.Hour)
		ca.dead = true
		return &acmpca.DeleteCertificateAuthorityOutput{}, nil
	})
}

// ListTags lists a CA's tags.
func (c *pcaClient) ListTags(ctx context.Context, in *acmpca.ListTagsInput, _ ...func(*acmpca.Options)) (*acmpca.ListTagsOutput, error) {
	return do(ctx, c.base, "acm-pca", "ListTags", in, func(r *region) (*acmpca.ListTagsOutput, error) {
		s := c.state(r)
		if in == nil {
			in = &acmpca.ListTagsInput{}
		}
		ca, err := s.find(str(in.CertificateAuthorityArn))
		if err != nil {
			return nil, err
		}
		size := int(i32(in.MaxResults, 50))
		if size < 1 || size > 1000 {
			return nil, &pcatypes.InvalidArgsException{Message: ptr("MaxResults must be between 1 and 1000.")}
		}
		from, ok := readIntToken(in.NextToken)
		if !ok || from > len(ca.tags) {
			return nil, &pcatypes.InvalidNextTokenException{Message: ptr("The token specified in the NextToken argument is not valid.")}
		}
		to := min(from+size, len(ca.tags))
		out := &acmpca.ListTagsOutput{Tags: []pcatypes.Tag{}}
		for _, t := range ca.tags[from:to] {
			out.Tags = append(out.Tags, pcatypes.Tag{Key: ptr(t.k), Value: ptr(t.v)})
		}
		if to < len(ca.tags) {
			out.NextToken = intToken(to)
		}
		return out, nil
	})
}

// ActivateCertificateAuthority stands in for installing a CA's certificate
// (GetCertificateAuthorityCsr, IssueCertificate, ImportCertificateAuthorityCertificate):
// a PENDING_CERTIFICATE CA of (account, region) becomes ACTIVE, valid for ten years.
func (w *World) ActivateCertificateAuthority(acct, regionName, arn string) error {
	if acct == "" {
		acct = w.defAcct
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.advanceLocked()
	r := w.regions[regionKey{acct, regionName}]
	var ca *certAuthority
	if r != nil {
		if s, _ := r.ext[pcaKey].(*pcaState); s != nil {
			ca = s.cas[arn]
		}
	}
	if ca == nil {
		return fmt.Errorf("sim: activate: certificate authority %s not found in %s/%s", arn, acct, regionName)
	}
	if ca.status != pcatypes.CertificateAuthorityStatusPendingCertificate {
		return fmt.Errorf("sim: activate: certificate authority %s is %s, not PENDING_CERTIFICATE", arn, ca.status)
	}
	s := r.ext[pcaKey].(*pcaState)
	der, err := r.sign(s, ca, tmplRoot, subjectOf(ca.cfg.Subject), nil, s.caKey(ca).Public(), w.now.AddDate(10, 0, 0))
	if err != nil {
		return fmt.Errorf("sim: activate: %w", err)
	}
	ca.cert, _ = x509.ParseCertificate(der)
	ca.status, ca.changed = pcatypes.CertificateAuthorityStatusActive, w.now
	ca.notBefore, ca.notAfter = ca.cert.NotBefore, ca.cert.NotAfter
	ca.serial = ca.cert.SerialNumber.Text(16)
	return nil
}
