package resources

// AWS::CertificateManager::Certificate — Lab 9's private certificate, tagged at
// RequestCertificate. Free to keep (a private certificate is billed once, at
// issuance), but DeleteCertificate answers ResourceInUseException while a
// listener presents it, so it is deleted after the listeners, and the load
// balancers still using it are its blockers. Certificates are found by the tag
// sweep and the ledger; their ids are random, so there is no name rule.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  "AWS::CertificateManager::Certificate",
		Gone:  []NotFound{{Code: "ResourceNotFoundException"}},
		After: []string{"AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::LoadBalancer"},
		Match: MatchPrefix("acm", "certificate/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.ACM.ListTagsForCertificate(ctx, &acm.ListTagsForCertificateInput{CertificateArn: aws.String(r.ARN)})
			if err != nil {
				return nil, err
			}
			m := map[string]string{}
			for _, t := range out.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			return m, nil
		},
		Blockers: func(ctx context.Context, c *cloud.Clients, r Ref) ([]Blocker, error) {
			out, err := c.ACM.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String(r.ARN)})
			if err != nil {
				return nil, err
			}
			var bs []Blocker
			for _, u := range out.Certificate.InUseBy {
				bs = append(bs, Blocker{ARN: u, Why: "an HTTPS listener of the load balancer presents the certificate"})
			}
			return bs, nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.ACM.DeleteCertificate(ctx, &acm.DeleteCertificateInput{CertificateArn: aws.String(r.ARN)})
			if IsCode(err, "ResourceInUseException") {
				return Waiting("in use", "a load balancer's listener still presents %s", r.ARN)
			}
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}
