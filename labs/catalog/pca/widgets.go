package pca

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs"
)

func widgets() []labs.Widget {
	return []labs.Widget{{ID: "hierarchy", Title: "CA hierarchy and TLS", View: viewHierarchy}, {ID: "events", Title: "Events", View: viewEvents}}
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func caTone(s pcatypes.CertificateAuthorityStatus) string {
	switch s {
	case pcatypes.CertificateAuthorityStatusActive:
		return "ok"
	case pcatypes.CertificateAuthorityStatusPendingCertificate, pcatypes.CertificateAuthorityStatusCreating:
		return "warn"
	}
	return "bad"
}

// viewHierarchy draws root → subordinate → certificate → listener.
func viewHierarchy(obs labs.Observation, _ *labs.History) labs.WidgetView {
	o, ok := obs.(*Observation)
	if !ok || o == nil || (o.Root == nil && o.Sub == nil && o.Cert == nil) {
		return labs.WidgetView{Empty: "no CA or certificate yet"}
	}
	ch := &labs.CAChain{Billed: o.Billed, MonthlyUSD: monthlyCA}
	caNode := func(kind string, ca *CA, signs string) labs.ChainNode {
		if ca == nil {
			return labs.ChainNode{Kind: kind, Name: "not created", Missing: true}
		}
		cn, _ := subject(ca)
		n := labs.ChainNode{Kind: kind, Name: cn, State: string(ca.Status), Tone: caTone(ca.Status), InUse: signs}
		if ca.NotAfter != nil {
			n.NotAfter = date(*ca.NotAfter)
		}
		if ca.Cert != nil && ca.Type == pcatypes.CertificateAuthorityTypeSubordinate {
			if ca.Cert.MaxPathLen >= 0 && (ca.Cert.MaxPathLen > 0 || ca.Cert.MaxPathLenZero) {
				n.Detail = fmt.Sprintf("pathlen %d", ca.Cert.MaxPathLen)
				if ca.Cert.MaxPathLen != 0 {
					n.Tone = "bad"
				}
			} else {
				n.Detail, n.Tone = "no pathlen", "bad"
			}
		}
		return n
	}
	subSigns, rootSigns := "signs nothing yet", "signs nothing yet"
	if o.Sub != nil && o.Sub.Cert != nil && o.Root != nil && o.Root.Cert != nil && o.Sub.Cert.Issuer.String() == o.Root.Cert.Subject.String() {
		rootSigns = "signs the subordinate"
	}
	if o.Cert != nil && o.Sub != nil && aws.ToString(o.Cert.CertificateAuthorityArn) == aws.ToString(o.Sub.Arn) {
		subSigns = "signs the certificate"
	}
	ch.Nodes = append(ch.Nodes, caNode("Root CA", o.Root, rootSigns), caNode("Subordinate CA", o.Sub, subSigns))
	cert := labs.ChainNode{Kind: "Certificate", Name: "not requested", Missing: true}
	if c := o.Cert; c != nil {
		cert = labs.ChainNode{Kind: "Certificate", Name: aws.ToString(c.DomainName), State: string(c.Status), Detail: string(c.Type), InUse: "not in use"}
		if c.NotAfter != nil {
			cert.NotAfter = date(*c.NotAfter)
		}
		if len(c.InUseBy) > 0 {
			cert.InUse = labs.Plural(len(c.InUseBy), "load balancer uses it", "load balancers use it")
		}
		switch {
		case c.Status == acmtypes.CertificateStatusIssued && c.Type == acmtypes.CertificateTypePrivate:
			cert.Tone = "ok"
		case c.Status == acmtypes.CertificateStatusPendingValidation && c.Type == acmtypes.CertificateTypePrivate:
			cert.Tone = "warn"
		default:
			cert.Tone = "bad"
		}
		issuer := aws.ToString(c.CertificateAuthorityArn)
		switch {
		case c.Type != acmtypes.CertificateTypePrivate || issuer == "":
		case o.Sub != nil && issuer == aws.ToString(o.Sub.Arn):
			if c.RenewalEligibility != "" {
				cert.Detail += " · renewal " + string(c.RenewalEligibility)
			}
		case o.Root != nil && issuer == aws.ToString(o.Root.Arn):
			cert.Detail, cert.Tone = "PRIVATE · from the root", "bad" // checkpoint 3 wants the subordinate
		default:
			cert.Detail, cert.Tone = "PRIVATE · from another CA", "bad"
		}
	}
	lst := labs.ChainNode{Kind: "HTTPS listener", Name: lbName(o.Target), State: "no :443 listener", Missing: true}
	if l := o.httpsListener(); l != nil {
		lst = labs.ChainNode{Kind: "HTTPS listener", Name: lbName(o.Target), State: fmt.Sprintf("%s:%d", l.Protocol, aws.ToInt32(l.Port)), Tone: "ok"}
		if l.Protocol != elbtypes.ProtocolEnumHttps || aws.ToInt32(l.Port) != 443 {
			lst.Tone = "bad"
		}
		if len(l.Certificates) > 0 {
			lst.InUse = "presents " + short(aws.ToString(l.Certificates[0].CertificateArn))
		}
	}
	ch.Nodes = append(ch.Nodes, cert, lst)
	r := checkChain(o)
	ch.TLS, ch.TLSOK = r.Evidence, r.Status == labs.Pass
	return labs.WidgetView{Chain: ch}
}

// Summary is the grid badge: the CAs that bill (what an instructor watches in a
// $400-a-month lab) and whether the chain verifies.
func Summary(obs labs.Observation) labs.Summary {
	s := labs.Summary{Running: -1}
	o, ok := obs.(*Observation)
	if !ok || o == nil {
		return s
	}
	tls := "no TLS"
	if o.Probe.Verified() {
		tls = "TLS ✓"
	}
	s.Badge = fmt.Sprintf("%d CA · %s", o.Billed, tls)
	s.BadgeTitle = fmt.Sprintf("%s billed at $%.0f a month each, prorated, until deleted (DISABLED still bills); chain %s",
		labs.Plural(o.Billed, "CA", "CAs"), monthlyCA, map[bool]string{true: "verified", false: "not verified yet"}[o.Probe.Verified()])
	switch {
	case o.Billed > 2:
		s.BadgeTone = "bad" // more CAs than the lab needs: each one bills
	case o.Probe.Verified():
		s.BadgeTone = "ok"
	default:
		s.BadgeTone = "warn"
	}
	return s
}
