package pca

import (
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// grants are what a Private CA student may do in a shared account. CA and
// certificate ARNs carry random ids, never a name, so tags are the fence (IAM's
// data for acm-pca and acm: every CA action but Create and List takes the
// certificate-authority resource and aws:ResourceTag; CreateCertificateAuthority
// and acm:RequestCertificate take aws:RequestTag): a student creates CAs and
// certificates only tagged as theirs and touches only CAs and certificates
// tagged as theirs, in the class's regions. RestoreCertificateAuthority is never
// granted (it back-bills the deleted period), nor CA policies, permissions or
// tag changes.
//
// What tags cannot fence: acm:RequestCertificate names the signing CA only in
// acm:CertificateAuthority, an ARN with a random id no policy variable can
// match, so a student could have another student's ACTIVE subordinate sign a
// certificate of their own (tagged as theirs: it costs the account a private
// certificate and changes nothing of the other student's); and
// elasticloadbalancing:CreateListener has no key for the certificate, so a
// student could present another's ACM certificate on their own ALB, which
// keeps that certificate in use (its owner's DeleteCertificate answers
// ResourceInUseException; cleanup deletes listeners first). Neither reads a
// private key or changes another student's CA.
func grants(g labs.GrantScope) []authz.Statement {
	ca := g.ARN("acm-pca", "certificate-authority/*")
	cert := g.ARN("acm", "certificate/*")
	lb := g.ARN("elasticloadbalancing", "loadbalancer/app/"+g.Prefix()+"*")
	return []authz.Statement{
		g.InRegions(labs.Allow("PCAList", []string{"acm-pca:ListCertificateAuthorities", "acm:ListCertificates", "elasticloadbalancing:DescribeLoadBalancers",
			"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeTargetGroups", "ec2:DescribeSecurityGroups"}, "*")),
		g.InRegions(g.CreateTagged("PCACreateTagged", []string{"acm-pca:CreateCertificateAuthority", "acm:RequestCertificate"}, "*")),
		g.InRegions(g.OnTagged("PCAMyCAs", []string{"acm-pca:DescribeCertificateAuthority", "acm-pca:ListTags", "acm-pca:GetCertificateAuthorityCsr",
			"acm-pca:IssueCertificate", "acm-pca:GetCertificate", "acm-pca:ImportCertificateAuthorityCertificate", "acm-pca:GetCertificateAuthorityCertificate",
			"acm-pca:UpdateCertificateAuthority", "acm-pca:DeleteCertificateAuthority"}, ca)),
		g.InRegions(g.OnTagged("PCAMyCerts", []string{"acm:DescribeCertificate", "acm:ListTagsForCertificate", "acm:DeleteCertificate"}, cert)),
		g.InRegions(labs.Allow("PCAMyListener", []string{"elasticloadbalancing:CreateListener"}, lb)),
		g.InRegions(g.CreateTagged("PCATagMyListener", []string{"elasticloadbalancing:AddTags"}, g.ARN("elasticloadbalancing", "listener/app/"+g.Prefix()+"*"))),
	}
}
