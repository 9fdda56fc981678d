package pca

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	pcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs"
)

// passing is a correct observation, read from a finished run on the simulator
// (real certificates), for the table below to break one part at a time.
func passing(t *testing.T) *Observation {
	s := newSimLab(t)
	s.run(len(s.lab.Script) - 1)
	return s.observe()
}

// clone copies the parts the table changes.
func clone(o *Observation) *Observation {
	c := *o
	r, sb := *o.Root, *o.Sub
	c.Root, c.Sub = &r, &sb
	cert := *o.Cert
	c.Cert = &cert
	c.Listeners = append([]elbtypes.Listener(nil), o.Listeners...)
	for i := range c.Listeners {
		c.Listeners[i].Certificates = append([]elbtypes.Certificate(nil), c.Listeners[i].Certificates...)
	}
	p := *o.Probe
	c.Probe = &p
	return &c
}

func TestChecksTable(t *testing.T) {
	base := passing(t)
	cps := map[string]labs.Checkpoint{}
	for _, cp := range Lab().Checkpoints {
		cps[cp.ID] = cp
		if r := cp.Check(base); r.Status != labs.Pass {
			t.Fatalf("%s on the correct state: %s %q", cp.ID, r.Status, r.Evidence)
		}
	}
	l443 := func(o *Observation) *elbtypes.Listener { return o.httpsListener() }
	for _, tc := range []struct {
		name, cp string
		want     labs.Status
		evidence string
		mutate   func(o *Observation)
	}{
		{"no root", "root-ca", labs.Pending, "no root CA", func(o *Observation) { o.Root = nil }},
		{"root short-lived", "root-ca", labs.Fail, "short-lived", func(o *Observation) { o.Root.UsageMode = pcatypes.CertificateAuthorityUsageModeShortLivedCertificate }},
		{"root wrong name", "root-ca", labs.Fail, `CN="my root"`, func(o *Observation) {
			cfg := *o.Root.CertificateAuthorityConfiguration
			sub := *cfg.Subject
			sub.CommonName = aws.String("my root")
			cfg.Subject = &sub
			o.Root.CertificateAuthorityConfiguration = &cfg
		}},
		{"root disabled", "root-ca", labs.Fail, "DISABLED", func(o *Observation) { o.Root.Status = pcatypes.CertificateAuthorityStatusDisabled }},
		{"sub pending", "sub-ca", labs.Pending, "PathLen0", func(o *Observation) { o.Sub.Status = pcatypes.CertificateAuthorityStatusPendingCertificate }},
		{"sub not a CA", "sub-ca", labs.Fail, "not a CA certificate", func(o *Observation) { c := *o.Sub.Cert; c.IsCA = false; o.Sub.Cert = &c }},
		{"sub no pathlen", "sub-ca", labs.Fail, "no path length", func(o *Observation) { c := *o.Sub.Cert; c.MaxPathLen, c.MaxPathLenZero = -1, false; o.Sub.Cert = &c }},
		{"sub other issuer", "sub-ca", labs.Fail, "not the root", func(o *Observation) {
			r := *o.Root
			c := *r.Cert
			c.Subject.CommonName = "someone else's root"
			r.Cert = &c
			o.Root = &r
		}},
		{"no cert", "private-cert", labs.Pending, "no ACM certificate", func(o *Observation) { o.Cert = nil }},
		{"cert failed", "private-cert", labs.Fail, "PCA_INVALID_STATE", func(o *Observation) {
			o.Cert.Status, o.Cert.FailureReason = acmtypes.CertificateStatusFailed, acmtypes.FailureReasonPcaInvalidState
		}},
		{"cert other CA", "private-cert", labs.Fail, "not the subordinate", func(o *Observation) {
			o.Cert.CertificateAuthorityArn = aws.String("arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/99999999-0000-4000-a000-000000000000")
		}},
		{"cert pending", "private-cert", labs.Pending, "PENDING_VALIDATION", func(o *Observation) { o.Cert.Status = acmtypes.CertificateStatusPendingValidation }},
		{"no ALB", "https-listener", labs.Pending, "no load balancer", func(o *Observation) { o.ALB = nil }},
		{"no 443", "https-listener", labs.Pending, "no :443 listener", func(o *Observation) { o.Listeners = o.Listeners[:0] }},
		{"https on 8443", "https-listener", labs.Fail, "port 8443", func(o *Observation) { l443(o).Port = aws.Int32(8443) }},
		{"other certificate", "https-listener", labs.Fail, "not your private certificate", func(o *Observation) {
			l443(o).Certificates[0].CertificateArn = aws.String("arn:aws:acm:us-east-1:111122223333:certificate/other")
		}},
		{"wrong target group", "https-listener", labs.Fail, "forwards to", func(o *Observation) {
			o.TGArn = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/c42s07-other/1"
		}},
		{"sg without 443", "https-listener", labs.Fail, "allows inbound 443", func(o *Observation) {
			o.SGs = []ec2types.SecurityGroup{{GroupId: aws.String("sg-1"), IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80)}}}}
		}},
		{"not in use", "in-use", labs.Pending, "InUseBy is empty", func(o *Observation) { o.Cert.InUseBy = nil }},
		{"in use elsewhere", "in-use", labs.Fail, "not c42s07-myalb", func(o *Observation) {
			o.Cert.InUseBy = []string{"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/c42s08-myalb/1"}
		}},
		{"no probe", "chain", labs.Pending, "nothing to probe", func(o *Observation) { o.Probe = nil }},
		{"unknown authority", "chain", labs.Fail, "unknown authority", func(o *Observation) {
			o.Probe.Chain, o.Probe.Err = nil, "x509: certificate signed by unknown authority"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := clone(base)
			tc.mutate(o)
			r := cps[tc.cp].Check(o)
			if r.Status != tc.want || !strings.Contains(r.Evidence, tc.evidence) {
				t.Errorf("%s: %s %q, want %s naming %q", tc.cp, r.Status, r.Evidence, tc.want, tc.evidence)
			}
		})
	}
}

// TestSummaryWarnsOfExtraCAs: more billed CAs than the lab needs turns the badge red.
func TestSummaryWarnsOfExtraCAs(t *testing.T) {
	o := &Observation{Billed: 3}
	if s := Summary(o); s.BadgeTone != "bad" || !strings.Contains(s.BadgeTitle, "$400") {
		t.Errorf("%+v", s)
	}
	if v := viewHierarchy(&Observation{}, nil); v.Empty == "" {
		t.Error("no empty state")
	}
}
