// Package pca is LABS.md Lab 9: the student builds an AWS Private CA hierarchy,
// a root CA "myorg root CA" and a subordinate "myorg subordinate CA" signed by the
// root with path length 0, requests a private certificate from the subordinate
// through ACM and serves it from an HTTPS :443 listener on their ALB
// <prefix>myalb → <prefix>mytg, whose client trusts the root.
//
// The lab reads AWS in batches (observe.go): the region's CAs and certificates
// once per class, their tags once per resource (remembered), the CA certificates
// and certificate details at 60 s, the ALBs 20 a call, and a TLS handshake with
// each HTTPS listener at 30 s that verifies leaf → subordinate → root with
// crypto/x509. It judges six checkpoints (checks.go) and draws the hierarchy
// (widgets.go). A general-purpose CA costs $400 a month, prorated, whether it is
// ACTIVE or DISABLED, until it is deleted: the grid's badge counts each
// student's billed CAs and cleanup deletes them first, with the shortest (7-day)
// restoration window.
package pca

import (
	_ "embed"

	"github.com/labdash/labdash/labs"
)

// ID is the lab's id.
const ID = "pca"

// The names LABS.md Lab 9 gives the CAs' subjects.
const (
	org       = "myorg"
	rootCN    = "myorg root CA"
	subCN     = "myorg subordinate CA"
	pathLen0  = "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1"
	rootTmpl  = "arn:aws:acm-pca:::template/RootCACertificate/V1"
	monthlyCA = 400.0 // dollars per general-purpose CA-month, prorated
)

//go:embed template.yaml
var template []byte

// Names of a student's resources, by the lab's convention (LABS.md Lab 9).
func lbName(t labs.Target) string { return t.Prefix + "myalb" }
func tgName(t labs.Target) string { return t.Prefix + "mytg" }

// domainOf is the certificate domain the virtual students choose (a real student
// chooses their own; the checks take whatever the certificate names).
func domainOf(t labs.Target) string { return t.StudentID + "." + t.ClassID + ".labs.example.com" }

// Lab returns the lab's registration.
func Lab() labs.Lab {
	return labs.Lab{
		ID: ID, Order: 9,
		Title:       "ACM Private CA behind an HTTPS listener",
		Summary:     "Build a root and a path-length-0 subordinate CA and serve a private certificate from an ALB.",
		Checkpoints: checkpoints(),
		Widgets:     widgets(),
		Observe:     Observe,
		Template:    template,
		Demo:        true,
		// Cost first: CAs bill monthly until deleted, then the certificate (free,
		// but in use until its listener goes), then the stack's resources.
		// The event mode's rule and queue (the class's) go first: LABS.md §4.
		Cleanup: []string{"AWS::Events::Rule", "AWS::SQS::Queue", "AWS::ACMPCA::CertificateAuthority", "AWS::CertificateManager::Certificate", "AWS::ElasticLoadBalancingV2::Listener",
			"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::EC2::Instance", "AWS::EC2::SecurityGroup",
			"AWS::Route53::RecordSet"},
		Script:    script(),
		Grants:    grants,
		Summarize: Summary,
		Actions:   actions(),
		Events:    events(),
		Quotas: []labs.QuotaNeed{
			{Service: "elasticloadbalancing", Code: "L-53DA6B97", Name: "Application Load Balancers per Region", PerStudent: 1},
		},
		Mistakes: map[string]string{
			mistakePathLen1: "signs the subordinate with SubordinateCACertificate_PathLen1/V1, so its path length is 1, not 0",
			mistakePublic:   "requests a public certificate (no CA ARN), which waits for DNS validation that never comes",
			mistakeFromRoot: "requests the certificate from the root CA instead of the subordinate",
			mistakeHTTP443:  "creates the :443 listener with protocol HTTP, so no TLS handshake answers",
		},
	}
}
