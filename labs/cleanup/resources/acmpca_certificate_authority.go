package resources

// AWS::ACMPCA::CertificateAuthority — a general-purpose private CA costs $400 a
// month, prorated, until it is deleted (a DISABLED CA is still billed), so it is
// cleaned up first. An ACTIVE CA is disabled (synchronous), then deleted with the
// shortest restoration window, 7 days, in the same attempt; PENDING_CERTIFICATE,
// CREATING and FAILED CAs are deleted directly. A DELETED CA counts as gone: it
// stays described until its window ends, and billing has stopped. Cleanup never
// calls RestoreCertificateAuthority, which would bill the whole deleted period.
// CA names are not unique, so there is no lister: CAs are tagged at creation and
// found by the tag sweep.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::ACMPCA::CertificateAuthority",
		Gone:   []NotFound{{Code: "ResourceNotFoundException"}},
		Hourly: 400.0 / 730, // $400 per CA-month (LABS.md Lab 9)
		Match:  MatchPrefix("acm-pca", "certificate-authority/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			if _, err := describeCA(ctx, c, r.ARN); err != nil {
				return nil, err
			}
			m := map[string]string{}
			var token *string
			for {
				out, err := c.PCA.ListTags(ctx, &acmpca.ListTagsInput{CertificateAuthorityArn: aws.String(r.ARN), NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, t := range out.Tags {
					m[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return m, nil
				}
			}
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			ca, err := describeCA(ctx, c, r.ARN)
			if err != nil {
				return err
			}
			if ca.Status == pcatypes.CertificateAuthorityStatusActive {
				if _, err := c.PCA.UpdateCertificateAuthority(ctx, &acmpca.UpdateCertificateAuthorityInput{CertificateAuthorityArn: aws.String(r.ARN),
					Status: pcatypes.CertificateAuthorityStatusDisabled}); err != nil {
					return err
				}
			}
			_, err = c.PCA.DeleteCertificateAuthority(ctx, &acmpca.DeleteCertificateAuthorityInput{CertificateAuthorityArn: aws.String(r.ARN),
				PermanentDeletionTimeInDays: aws.Int32(7)})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}

// describeCA describes a CA; a missing or DELETED one is ErrGone.
func describeCA(ctx context.Context, c *cloud.Clients, arn string) (*pcatypes.CertificateAuthority, error) {
	out, err := c.PCA.DescribeCertificateAuthority(ctx, &acmpca.DescribeCertificateAuthorityInput{CertificateAuthorityArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	if out.CertificateAuthority == nil || out.CertificateAuthority.Status == pcatypes.CertificateAuthorityStatusDeleted {
		return nil, ErrGone
	}
	return out.CertificateAuthority, nil
}
