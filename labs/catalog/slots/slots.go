// Package slots is LABS.md Lab 4: the serverless slot machine. A page hosted as
// an S3 static website gets guest credentials from a Cognito identity pool and
// invokes the student's slotPull Lambda, which reads random image names from the
// slotWheels DynamoDB table (slotPosition N, imageFile S) and returns them.
//
// The lab's two traps are checked with their cause (checks.go): Block Public
// Access, on for every new bucket since April 2023, refuses the tutorial's
// public bucket policy; and the identity pool's enhanced flow scopes guest
// credentials with AmazonCognitoUnAuthedIdentitiesSessionPolicy, whose action
// list leaves out lambda:InvokeFunction, so the page's pulls are denied until the
// pool allows the basic (classic) flow.
//
// The prerequisite stack (template.yaml) holds the function's execution role,
// under the student's IAM path with the class boundary, and the template of the
// guest role: the student makes that role once their identity pool exists, since
// its trust names the pool's ID.
package slots

import (
	_ "embed"
	"strings"
	"time"

	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/labdash/labdash/labs"
)

// ID is the lab's id.
const ID = "slots"

//go:embed template.yaml
var template []byte

// Names of a student's resources, by the lab's convention (LABS.md §0 and Lab 4).
// Every one starts with the student's prefix: the shared account's fences
// (grants.go, the class boundary) hang on it.

// bucketName is the site bucket: S3 names are global, so the account and region
// are added (LABS.md §0).
func bucketName(t labs.Target) string {
	return t.Prefix + "slots-site-" + t.Account + "-" + t.Region
}
func functionName(t labs.Target) string { return t.Prefix + "slotPull" }
func tableName(t labs.Target) string    { return t.Prefix + "slotWheels" }

// poolName is the identity pool's name, <class><student>_slots. The API
// reference gives IdentityPoolName the pattern [\w\s+=,.@-]+, so c42s07-slots
// would do on AWS, but the simulator holds to the older [\w ]+ (the Cognito
// console's rule too): an underscore passes both. Shared-account pools are
// tagged at creation (grants.go), which is what proves them the student's.
func poolName(t labs.Target) string { return strings.TrimSuffix(t.Prefix, "-") + "_slots" }

// PoolName is the student's identity pool's name (for the sandbox's tests).
func PoolName(t labs.Target) string { return poolName(t) }

// logGroupName is where Lambda writes the function's logs.
func logGroupName(t labs.Target) string { return "/aws/lambda/" + functionName(t) }
func stackName(t labs.Target) string    { return t.Prefix + ID + "-pre" }

// execRoleName is the function's execution role (LABS.md: <prefix>slotpull-role,
// the prerequisite stack's), guestRoleName the identity pool's unauthenticated
// role (the student's); both under the student's IAM path.
func execRoleName(t labs.Target) string  { return t.Prefix + "slotpull-role" }
func guestRoleName(t labs.Target) string { return t.Prefix + "slots-guest-role" }

// rolePath is the student's IAM path, /labdash/<class>/<student>/ (LABS.md §1.1).
func rolePath(t labs.Target) string { return "/labdash/" + t.ClassID + "/" + t.StudentID + "/" }

func roleARN(t labs.Target, name string) string {
	return "arn:aws:iam::" + t.Account + ":role" + rolePath(t) + name
}
func functionARN(t labs.Target) string {
	return "arn:aws:lambda:" + t.Region + ":" + t.Account + ":function:" + functionName(t)
}
func tableARN(t labs.Target) string {
	return "arn:aws:dynamodb:" + t.Region + ":" + t.Account + ":table/" + tableName(t)
}

// websiteEndpoint is the bucket's S3 website endpoint. The older regions name it
// s3-website-<region>, the others s3-website.<region>
// (https://docs.aws.amazon.com/general/latest/gr/s3.html#s3_website_region_endpoints).
func websiteEndpoint(bucket, region string) string {
	sep := "."
	switch region {
	case "us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1", "us-gov-west-1":
		sep = "-"
	}
	return "http://" + bucket + ".s3-website" + sep + region + ".amazonaws.com/"
}

// Table schema of the tutorial (LABS.md Lab 4).
const (
	keyAttr   = "slotPosition" // N, the partition key
	imageAttr = "imageFile"    // S
)

// deprecatedSince is the day a deprecated Lambda runtime's deprecation began
// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), zero for
// one not deprecated: LABS.md's gotcha "old Node.js runtimes are deprecated, so
// ship updated code". Only deprecations that have happened are listed (not the
// projected ones, which AWS moves): a runtime not listed is taken as supported,
// so new runtimes pass.
func deprecatedSince(runtime string) time.Time {
	switch strings.ToLower(runtime) {
	case "nodejs":
		return day(2016, 10, 31)
	case "nodejs4.3", "nodejs4.3-edge":
		return day(2018, 12, 15)
	case "nodejs6.10":
		return day(2019, 4, 30)
	case "nodejs8.10":
		return day(2020, 1, 6)
	case "nodejs10.x":
		return day(2021, 7, 30)
	case "nodejs12.x":
		return day(2023, 3, 31)
	case "nodejs14.x":
		return day(2023, 12, 4)
	case "nodejs16.x":
		return day(2024, 6, 12)
	case "nodejs18.x":
		return day(2025, 9, 1)
	case "nodejs20.x":
		return day(2026, 4, 30)
	case "python2.7":
		return day(2021, 7, 15)
	case "python3.6":
		return day(2022, 7, 18)
	case "python3.7":
		return day(2023, 12, 4)
	case "python3.8":
		return day(2024, 10, 14)
	case "python3.9":
		return day(2025, 12, 15)
	}
	return time.Time{}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// runtimeDeprecated reports whether runtime is deprecated at at.
func runtimeDeprecated(runtime string, at time.Time) bool {
	d := deprecatedSince(runtime)
	return !d.IsZero() && !at.Before(d)
}

// Lab returns the lab's registration.
func Lab() labs.Lab {
	return labs.Lab{
		ID: ID, Order: 4,
		Title:       "Serverless slot machine: S3 site, Cognito identity pool, Lambda, DynamoDB",
		Summary:     "Host a static page that pulls a Lambda-backed slot machine with guest credentials.",
		Checkpoints: checkpoints(),
		Widgets:     widgets(),
		Observe:     Observe,
		Template:    template,
		// The template names its two roles.
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityNamedIam},
		Cleanup: []string{"AWS::S3::Bucket", "AWS::Lambda::Function", "AWS::Logs::LogGroup", "AWS::DynamoDB::Table",
			"AWS::Cognito::IdentityPool", "AWS::IAM::Role"},
		Summarize: Summary,
		Demo:      true,
		Grants:    grants,
		Script:    script(),
		Mistakes:  mistakes(),
		Actions:   actions(),
	}
}

// metricWindow is how far back the pull checkpoint and the sparklines read
// AWS/Lambda metrics (LABS.md Lab 4: 15 min).
const metricWindow = 15 * time.Minute

// BucketName is the student's site bucket, for the student page's link: on the
// simulator the page is served by sim.World.Website() under /<bucket>/, on AWS
// at SiteURL.
func BucketName(t labs.Target) string { return bucketName(t) }

// SiteURL is the student's S3 website endpoint (on AWS).
func SiteURL(t labs.Target) string { return websiteEndpoint(bucketName(t), t.Region) }
