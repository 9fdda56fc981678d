package pca

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs"
)

func checkpoints() []labs.Checkpoint {
	return []labs.Checkpoint{
		{ID: "root-ca", Title: "Root CA active", Check: labs.Typed(checkRoot)},
		{ID: "sub-ca", Title: "Subordinate CA, path length 0", Check: labs.Typed(checkSub)},
		{ID: "private-cert", Title: "Private certificate from the subordinate", Check: labs.Typed(checkCert)},
		{ID: "https-listener", Title: "HTTPS :443 listener with the certificate", Check: labs.Typed(checkListener)},
		{ID: "in-use", Title: "Certificate in use by the ALB", Check: labs.Typed(checkInUse)},
		{ID: "chain", Title: "Chain validates leaf → subordinate → root", Check: labs.Typed(checkChain)},
	}
}

func subject(ca *CA) (cn, o string) {
	if ca == nil || ca.CertificateAuthorityConfiguration == nil || ca.CertificateAuthorityConfiguration.Subject == nil {
		return "", ""
	}
	s := ca.CertificateAuthorityConfiguration.Subject
	return aws.ToString(s.CommonName), aws.ToString(s.Organization)
}

func short(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 && i+9 <= len(arn) {
		return "…" + arn[i+1:i+9]
	}
	return arn
}

// caState judges the parts of a CA the root and the subordinate share.
func caState(ca *CA, kind, wantCN string) (labs.Result, bool) {
	cn, o := subject(ca)
	id := fmt.Sprintf("%s CA %q (%s)", kind, cn, short(aws.ToString(ca.Arn)))
	switch {
	case ca.UsageMode == pcatypes.CertificateAuthorityUsageModeShortLivedCertificate:
		return labs.Failf("%s is in short-lived certificate mode, which cannot back ACM certificates: create it GENERAL_PURPOSE", id), false
	case cn != wantCN || o != org:
		return labs.Failf("%s has subject CN=%q O=%q, want CN=%q O=%q", id, cn, o, wantCN, org), false
	case ca.Status == pcatypes.CertificateAuthorityStatusCreating, ca.Status == pcatypes.CertificateAuthorityStatusPendingCertificate:
		return labs.Pendingf("%s is %s: install its certificate", id, ca.Status), false
	case ca.Status != pcatypes.CertificateAuthorityStatusActive:
		return labs.Failf("%s is %s, want ACTIVE (a DISABLED CA is still billed and issues nothing)", id, ca.Status), false
	}
	return labs.Result{}, true
}

func checkRoot(o *Observation) labs.Result {
	if o.Root == nil {
		return labs.Pendingf("no root CA tagged labdash:student=%s yet", o.Target.StudentID)
	}
	if r, ok := caState(o.Root, "root", rootCN); !ok {
		return r
	}
	return labs.Passf("root CA %q ACTIVE, GENERAL_PURPOSE, valid until %s", rootCN, aws.ToTime(o.Root.NotAfter).Format("2006-01-02"))
}

func checkSub(o *Observation) labs.Result {
	s := o.Sub
	if s == nil {
		return labs.Pendingf("no subordinate CA tagged labdash:student=%s yet", o.Target.StudentID)
	}
	if r, ok := caState(s, "subordinate", subCN); !ok {
		if r.Status == labs.Pending && s.Status == pcatypes.CertificateAuthorityStatusPendingCertificate {
			r.Evidence += ": sign its CSR with the root (template SubordinateCACertificate_PathLen0/V1) and import it with the root's certificate as the chain"
		}
		return r
	}
	c := s.Cert
	switch {
	case c == nil:
		return labs.Pendingf("subordinate CA is ACTIVE; its certificate is not read yet")
	case !c.IsCA || !c.BasicConstraintsValid:
		return labs.Failf("subordinate's certificate is not a CA certificate (basic constraints CA:FALSE): it was issued with the end-entity template")
	case c.MaxPathLen < 0 || (c.MaxPathLen == 0 && !c.MaxPathLenZero):
		return labs.Failf("subordinate's certificate has no path length constraint, want 0 (template SubordinateCACertificate_PathLen0/V1)")
	case c.MaxPathLen != 0:
		return labs.Failf("subordinate's certificate has path length %d, want 0: it was signed with SubordinateCACertificate_PathLen%d/V1, not PathLen0", c.MaxPathLen, c.MaxPathLen)
	}
	if o.Root == nil || o.Root.Cert == nil {
		return labs.Pendingf("subordinate has path length 0; no root CA certificate to check its issuer against yet")
	}
	if c.Issuer.String() != o.Root.Cert.Subject.String() {
		return labs.Failf("subordinate was issued by %q, not the root %q", c.Issuer.String(), o.Root.Cert.Subject.String())
	}
	roots := x509.NewCertPool()
	roots.AddCert(o.Root.Cert)
	if _, err := c.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: o.At, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return labs.Failf("subordinate's certificate does not chain to the root: %v", err)
	}
	return labs.Passf("subordinate CA ACTIVE, CA:TRUE, pathlen 0, issued by %q and verified against it", o.Root.Cert.Subject.CommonName)
}

func checkCert(o *Observation) labs.Result {
	c := o.Cert
	if c == nil {
		return labs.Pendingf("no ACM certificate tagged labdash:student=%s yet", o.Target.StudentID)
	}
	d, ca := aws.ToString(c.DomainName), aws.ToString(c.CertificateAuthorityArn)
	switch {
	case c.Type != acmtypes.CertificateTypePrivate:
		return labs.Failf("certificate for %s is %s, waiting for %s: request a private certificate from the subordinate CA instead", d, c.Type, validationNote(c))
	case o.Root != nil && ca == aws.ToString(o.Root.Arn):
		return labs.Failf("certificate for %s was requested from the root CA; request it from the subordinate", d)
	case o.Sub != nil && ca != aws.ToString(o.Sub.Arn):
		return labs.Failf("certificate for %s comes from CA %s, not the subordinate %s", d, short(ca), short(aws.ToString(o.Sub.Arn)))
	case c.Status == acmtypes.CertificateStatusFailed:
		return labs.Failf("certificate for %s FAILED: %s", d, c.FailureReason)
	case c.Status != acmtypes.CertificateStatusIssued:
		return labs.Pendingf("certificate for %s is %s", d, c.Status)
	case o.Sub == nil:
		return labs.Pendingf("certificate for %s is ISSUED; no subordinate CA to compare its issuer with", d)
	}
	return labs.Passf("PRIVATE certificate for %s ISSUED by the subordinate, valid until %s", d, aws.ToTime(c.NotAfter).Format("2006-01-02"))
}

func validationNote(c *acmtypes.CertificateDetail) string {
	if c.Status == acmtypes.CertificateStatusPendingValidation {
		return "DNS validation"
	}
	return string(c.Status)
}

func checkListener(o *Observation) labs.Result {
	if o.ALB == nil {
		return labs.Pendingf("no load balancer %s yet (the prerequisite stack makes it)", lbName(o.Target))
	}
	l := o.httpsListener()
	if l == nil {
		return labs.Pendingf("%s has no :443 listener yet", lbName(o.Target))
	}
	port := aws.ToInt32(l.Port)
	switch {
	case l.Protocol != elbtypes.ProtocolEnumHttps:
		return labs.Failf("the :%d listener's protocol is %s, want HTTPS", port, l.Protocol)
	case port != 443:
		return labs.Failf("the HTTPS listener is on port %d, want 443", port)
	case len(l.Certificates) == 0:
		return labs.Failf("the HTTPS listener has no certificate")
	}
	got := aws.ToString(l.Certificates[0].CertificateArn)
	if o.Cert == nil || got != aws.ToString(o.Cert.CertificateArn) {
		return labs.Failf("the HTTPS listener's certificate is %s, not your private certificate", short(got))
	}
	if tg := forwardsTo(l); o.TGArn == "" || tg != o.TGArn {
		return labs.Failf("the HTTPS listener forwards to %s, want %s", short(tg), tgName(o.Target))
	}
	if len(o.SGs) == 0 {
		return labs.Pendingf("HTTPS :443 with your certificate → %s; the ALB's security groups are not read yet", tgName(o.Target))
	}
	for _, sg := range o.SGs {
		if allows(sg, 443) {
			return labs.Passf("HTTPS :443 with your certificate → %s; %s allows 443", tgName(o.Target), aws.ToString(sg.GroupId))
		}
	}
	return labs.Failf("no security group of the ALB allows inbound 443 (%s)", sgIDs(o.SGs))
}

func sgIDs(sgs []ec2types.SecurityGroup) string {
	var s []string
	for _, sg := range sgs {
		s = append(s, aws.ToString(sg.GroupId))
	}
	return strings.Join(s, ", ")
}

func forwardsTo(l *elbtypes.Listener) string {
	for _, a := range l.DefaultActions {
		if a.Type != elbtypes.ActionTypeEnumForward {
			continue
		}
		if aws.ToString(a.TargetGroupArn) != "" {
			return aws.ToString(a.TargetGroupArn)
		}
		if a.ForwardConfig != nil && len(a.ForwardConfig.TargetGroups) > 0 {
			return aws.ToString(a.ForwardConfig.TargetGroups[0].TargetGroupArn)
		}
	}
	return ""
}

func allows(sg ec2types.SecurityGroup, port int32) bool {
	for _, p := range sg.IpPermissions {
		proto := aws.ToString(p.IpProtocol)
		if proto == "-1" || (proto == "tcp" && aws.ToInt32(p.FromPort) <= port && port <= aws.ToInt32(p.ToPort)) {
			return true
		}
	}
	return false
}

func checkInUse(o *Observation) labs.Result {
	if o.Cert == nil {
		return labs.Pendingf("no certificate yet")
	}
	if o.ALB == nil {
		return labs.Pendingf("no load balancer %s yet", lbName(o.Target))
	}
	alb := aws.ToString(o.ALB.LoadBalancerArn)
	for _, u := range o.Cert.InUseBy {
		if u == alb {
			return labs.Passf("ACM lists %s in the certificate's InUseBy", lbName(o.Target))
		}
	}
	if len(o.Cert.InUseBy) > 0 {
		return labs.Failf("the certificate is used by %s, not %s", strings.Join(o.Cert.InUseBy, ", "), lbName(o.Target))
	}
	return labs.Pendingf("the certificate is not in use yet (InUseBy is empty)")
}

func checkChain(o *Observation) labs.Result {
	p := o.Probe
	if p == nil {
		return labs.Pendingf("nothing to probe yet: needs the root CA's certificate, the private certificate and a :443 listener")
	}
	if !p.Verified() {
		if l := o.httpsListener(); l != nil && l.Protocol != elbtypes.ProtocolEnumHttps {
			return labs.Failf("TLS to %s: the :443 listener speaks %s, not TLS (%s)", p.Addr, l.Protocol, p.Err)
		}
		return labs.Failf("TLS to %s (ServerName %s): %s", p.Addr, p.ServerName, p.Err)
	}
	ev := fmt.Sprintf("TLS to %s verified %s against the root alone", p.Addr, strings.Join(p.Chain, " → "))
	if p.ALBNameErr != "" {
		ev += "; with the ALB's DNS name as ServerName it fails, as expected (the certificate names " + p.ServerName + ")"
	}
	return labs.Passf("%s", ev)
}
