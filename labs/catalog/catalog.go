// Package catalog registers the labs labdash teaches (LABS.md §2).
// Checks, widgets, templates and scripts arrive lab by lab, one folder each.
package catalog

import (
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog/asg"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/catalog/ga"
	"github.com/labdash/labdash/labs/catalog/pca"
	"github.com/labdash/labdash/labs/catalog/route53"
	"github.com/labdash/labdash/labs/catalog/slots"
	"github.com/labdash/labdash/labs/catalog/xray"
)

// Register adds every catalog lab to r.
func Register(r *labs.Registry) {
	for _, l := range all {
		r.Register(l)
	}
	r.Register(asg.Lab())
	r.Register(fargate.Lab())
	r.Register(ga.Lab())
	r.Register(pca.Lab())
	r.Register(route53.Lab())
	r.Register(slots.Lab())
	r.Register(xray.Lab())
}

// New returns a registry holding the whole catalog.
func New() *labs.Registry {
	r := labs.NewRegistry()
	Register(r)
	return r
}

var all = []labs.Lab{
	{ID: "photos", Cleanup: []string{"AWS::S3::Bucket", "AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::SQS::Queue", "AWS::Lambda::Function", "AWS::RDS::DBInstance", "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolDomain", "AWS::EC2::Instance", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::EC2::SecurityGroup", "AWS::Logs::LogGroup", "AWS::XRay::Group", "AWS::IAM::Role", "AWS::IAM::InstanceProfile"}, Order: 1, Title: "Photo app: Cognito, S3, SNS, Lambda, Rekognition, RDS, SQS, X-Ray",
		Summary: "Build the Flask photo app whose uploads are labelled by Rekognition and traced with X-Ray."},
	{ID: "macie", Cleanup: []string{"AWS::Macie::Session", "AWS::S3::Bucket"}, Order: 6, Title: "Macie sensitive data and access locations",
		Summary:               "Enable Macie on a seeded bucket and map where the account was accessed from.",
		AccountPerStudentOnly: true,
		Why:                   "Macie has one session per account and region: DisableMacie in a shared account deletes every student's findings. Use account-per-student."},
	{ID: "boundaries", Cleanup: []string{"AWS::IAM::Role", "AWS::IAM::InstanceProfile", "AWS::IAM::ManagedPolicy", "AWS::DynamoDB::Table"}, Order: 10, Title: "IAM permissions boundaries",
		Summary:               "Create a boundary and an employee role and prove the effective permissions are the intersection.",
		AccountPerStudentOnly: true,
		Why:                   "The lab is IAM administration: letting a student write boundaries in a shared account is privilege escalation. Use account-per-student."},
}
