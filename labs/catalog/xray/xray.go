// Package xray is LABS.md Lab 7: the X-Ray-instrumented signup app on Elastic
// Beanstalk (DynamoDB + SNS). Students find, with the service map and traces, the
// 409s that duplicate e-mails cause, then remove sns:Publish from the instance
// role and find the 500s.
//
// The lab reads AWS in batches per (account, region) (observe.go), judges eight
// checkpoints (checks.go), builds three live widgets (widgets.go), ships its
// prerequisite template (template.yaml) and a virtual-student script (script.go).
// X-Ray reads are throttled per account and region, so each student's service
// graph is read at most once a minute and trace summaries at most every 30 s.
package xray

import (
	"context"
	_ "embed"

	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/labdash/labdash/labs"
)

// ID is the lab's id.
const ID = "xray"

//go:embed template.yaml
var template []byte

// Names of a student's resources, by the lab's convention (LABS.md Lab 7).
func envName(t labs.Target) string     { return t.Prefix + "xray" }
func appName(t labs.Target) string     { return t.Prefix + "xray" }
func tracingName(t labs.Target) string { return t.Prefix + "signup" }
func groupName(t labs.Target) string   { return t.ClassID + t.StudentID }
func stackName(t labs.Target) string   { return t.Prefix + ID + "-pre" } // labs.Lab.StackName: provisioning names it so
func roleName(t labs.Target) string    { return t.Prefix + "xray-eb-role" }

// publishPolicy is the name of the instance role's inline policy granting sns:Publish.
const publishPolicy = "sns-publish"

// Lab returns the lab's registration.
func Lab() labs.Lab {
	return labs.Lab{
		ID: ID, Order: 7,
		Title:       "X-Ray sample app: find the 409s and the 500s",
		Summary:     "Trace the Elastic Beanstalk signup app and follow the service map to duplicate e-mails and a missing sns:Publish.",
		Checkpoints: checkpoints(),
		Widgets:     widgets(),
		Observe:     Observe,
		Template:    template,
		// The template names its instance role and profile (${Prefix}xray-eb-role).
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityNamedIam},
		StackParams:  stackParams,
		Demo:         true,
		Cleanup:      []string{"AWS::ElasticBeanstalk::Environment", "AWS::ElasticBeanstalk::Application", "AWS::DynamoDB::Table", "AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::SQS::Queue", "AWS::XRay::Group", "AWS::IAM::Role", "AWS::IAM::InstanceProfile", "AWS::Logs::LogGroup", "AWS::EC2::Instance", "AWS::EC2::SecurityGroup"},
		Script:       script(),
		Grants:       grants,
		Summarize:    Summary,
		Actions:      actions(),
		Mistakes: map[string]string{
			mistakeNoAuto:      "never switches auto signups on, so the map stays thin",
			mistakeWrongPolicy: "removes the DynamoDB policy instead of sns:Publish, so the 500s come from DynamoDB",
			mistakeNoRestore:   "never restores sns:Publish",
		},
	}
}

// stackParams says where the sample-app bundle is: on AWS it must be uploaded
// there first (docs/aws-setup.md).
func stackParams(_ context.Context, e labs.StackEnv) (map[string]string, error) {
	return map[string]string{
		"SourceBucket": "labdash-artifacts-" + e.C.Account + "-" + e.C.Region,
		"SourceKey":    "xray-sample/eb-node-express-sample-xray.zip",
	}, nil
}
