package sim

// The resource models of AWS Private CA's and ACM's actions (authz.go): a CA's
// operations name the CA (certificate-authority, its tags as aws:ResourceTag),
// a certificate's name the certificate; the creates have no resource type, so
// their request tags are the whole fence.

import (
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
)

func init() {
	model(func(x *authzCall) error {
		x.requestTags(inputTags(x.call.Input, "Tags"))
		x.on("*", "")
		return nil
	}, "acm-pca:CreateCertificateAuthority")
	model(func(x *authzCall) error {
		var arn string
		switch in := x.call.Input.(type) {
		case *acmpca.DescribeCertificateAuthorityInput:
			arn = str(in.CertificateAuthorityArn)
		case *acmpca.UpdateCertificateAuthorityInput:
			arn = str(in.CertificateAuthorityArn)
		case *acmpca.DeleteCertificateAuthorityInput:
			arn = str(in.CertificateAuthorityArn)
		case *acmpca.ListTagsInput:
			arn = str(in.CertificateAuthorityArn)
		case *acmpca.GetCertificateAuthorityCsrInput:
			arn = str(in.CertificateAuthorityArn)
		case *acmpca.GetCertificateInput:
			arn = str(in.CertificateAuthorityArn)
		case *acmpca.ImportCertificateAuthorityCertificateInput:
			arn = str(in.CertificateAuthorityArn)
		case *acmpca.GetCertificateAuthorityCertificateInput:
			arn = str(in.CertificateAuthorityArn)
		case *acmpca.IssueCertificateInput:
			arn = str(in.CertificateAuthorityArn)
			t := str(in.TemplateArn)
			if t == "" {
				t = "arn:aws:acm-pca:::template/" + tmplEndEntity
			}
			x.keys["acm-pca:TemplateArn"] = []string{t}
		}
		x.on(arn, "certificate-authority")
		return nil
	}, "acm-pca:DescribeCertificateAuthority", "acm-pca:UpdateCertificateAuthority", "acm-pca:DeleteCertificateAuthority", "acm-pca:ListTags",
		"acm-pca:GetCertificateAuthorityCsr", "acm-pca:GetCertificate", "acm-pca:ImportCertificateAuthorityCertificate",
		"acm-pca:GetCertificateAuthorityCertificate", "acm-pca:IssueCertificate")

	model(func(x *authzCall) error {
		in, _ := x.call.Input.(*acm.RequestCertificateInput)
		x.requestTags(inputTags(in, "Tags"))
		if in != nil {
			x.keys["acm:DomainNames"] = append([]string{str(in.DomainName)}, in.SubjectAlternativeNames...)
			if ca := str(in.CertificateAuthorityArn); ca != "" {
				x.keys["acm:CertificateAuthority"] = []string{ca}
			}
			alg := string(in.KeyAlgorithm)
			if alg == "" {
				alg = "RSA_2048"
			}
			x.keys["acm:KeyAlgorithm"] = []string{alg}
		}
		x.on("*", "")
		return nil
	}, "acm:RequestCertificate")
	model(func(x *authzCall) error {
		var arn string
		switch in := x.call.Input.(type) {
		case *acm.DescribeCertificateInput:
			arn = str(in.CertificateArn)
		case *acm.DeleteCertificateInput:
			arn = str(in.CertificateArn)
		case *acm.ListTagsForCertificateInput:
			arn = str(in.CertificateArn)
		}
		x.on(arn, "certificate")
		return nil
	}, "acm:DescribeCertificate", "acm:DeleteCertificate", "acm:ListTagsForCertificate")
}
