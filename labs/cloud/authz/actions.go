package authz

//go:generate go run ./internal/genactions

import (
	"sort"
	"strings"
	"sync"
)

// Service is one AWS service's entry in the Service Authorization Reference.
type Service struct {
	Prefix    string
	Resources map[string]ResourceDef // by resource type name ("cluster")
	Actions   map[string]*Action     // the actions labdash calls or its policies name, by name
	Names     []string               // every action of the service, sorted: policy wildcards are checked against them
}

// ResourceDef is a resource type: its ARN format and the condition keys it supports.
type ResourceDef struct {
	ARN  string
	Keys []string
}

// Action is an action's facts: its access level, the resource types it acts on
// (none means it takes Resource "*") and the condition keys of its request context.
type Action struct {
	Name      string // "ecs:CreateService"
	Access    string // "Read", "List", "Write", "Tagging", "Permissions management"
	Resources []ActionResource
	Keys      []string // keys that apply whatever the resource ("aws:RequestTag/${TagKey}")
	Dependent []string // actions the caller also needs for some requests
}

// ActionResource is one resource type an action acts on.
type ActionResource struct {
	Type     string // "service", "loadbalancer/app/"
	Required bool
	Keys     []string
}

// Lookup returns the facts about action ("ecs:CreateService"), if the table has them.
func Lookup(action string) (*Action, bool) {
	prefix, name, ok := strings.Cut(action, ":")
	if !ok {
		return nil, false
	}
	indexOnce.Do(func() {
		byName = map[string]*Action{}
		for _, s := range services {
			for _, a := range s.Actions {
				byName[strings.ToLower(a.Name)] = a
			}
		}
	})
	a, ok := byName[strings.ToLower(prefix+":"+name)]
	return a, ok
}

var (
	indexOnce sync.Once
	byName    map[string]*Action // lower-case "prefix:Action" → facts, for Lookup on every simulated call
)

// Known reports whether an action pattern from a policy ("ecs:*", "elasticloadbalancing:Modify*",
// "ec2:StopInstances") names at least one action AWS has, in a service the table holds.
func Known(pattern string) bool {
	if pattern == "*" {
		return true
	}
	prefix, name, ok := strings.Cut(pattern, ":")
	if !ok {
		return false
	}
	s, ok := services[strings.ToLower(prefix)]
	if !ok {
		return false
	}
	for _, n := range s.Names {
		if glob(strings.ToLower(name), strings.ToLower(n)) {
			return true
		}
	}
	return false
}

// Resource returns a resource type's definition in a service.
func Resource(prefix, rtype string) (ResourceDef, bool) {
	s, ok := services[prefix]
	if !ok {
		return ResourceDef{}, false
	}
	r, ok := s.Resources[rtype]
	return r, ok
}

// KeyApplies reports whether condition key is in the request context AWS builds
// for action on a resource of type rtype ("" for the action's own keys only):
// a global key, a key of the action, of the action's resource type entry or of
// the resource type's definition. ${TagKey}-style templates match any value.
func (a *Action) KeyApplies(key, rtype string) bool {
	if Global(key) {
		return true
	}
	prefix, _, _ := strings.Cut(a.Name, ":")
	lists := [][]string{a.Keys}
	for _, r := range a.Resources {
		if r.Type == rtype || rtype == "" {
			lists = append(lists, r.Keys)
			if d, ok := Resource(prefix, strings.TrimSuffix(r.Type, "*")); ok {
				lists = append(lists, d.Keys)
			}
		}
	}
	for _, l := range lists {
		for _, k := range l {
			if keyMatches(k, key) {
				return true
			}
		}
	}
	return false
}

// keyMatches compares a key from the reference ("aws:ResourceTag/${TagKey}") with a
// concrete key ("aws:ResourceTag/labdash:student"), case-insensitively.
func keyMatches(template, key string) bool {
	t, k := strings.ToLower(template), strings.ToLower(key)
	if i := strings.Index(t, "${"); i >= 0 {
		return strings.HasPrefix(k, t[:i]) && len(k) > i
	}
	return t == k
}

// globalKeys are the global condition context keys the simulator fills in
// (AWS's "AWS global condition context keys"); they apply to every action.
var globalKeys = []string{"aws:RequestedRegion", "aws:PrincipalTag/", "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType",
	"aws:userid", "aws:username", "aws:CalledVia", "aws:ViaAWSService", "aws:SecureTransport", "aws:CurrentTime", "aws:EpochTime", "aws:SourceIp"}

// Global reports whether key is a global condition key.
func Global(key string) bool {
	k := strings.ToLower(key)
	for _, g := range globalKeys {
		lg := strings.ToLower(g)
		if k == lg || (strings.HasSuffix(lg, "/") && strings.HasPrefix(k, lg) && len(k) > len(lg)) {
			return true
		}
	}
	return false
}

// prefixes maps a cloud.Clients field to its service's IAM prefix.
var prefixes = map[string]string{
	"ECS": "ecs", "ELBv2": "elasticloadbalancing", "CloudWatch": "cloudwatch", "AutoScaling": "application-autoscaling", "EC2": "ec2",
	"CloudFormation": "cloudformation", "IAM": "iam", "GlobalAccelerator": "globalaccelerator", "Quotas": "servicequotas", "STS": "sts",
	"Tagging": "tag", "S3": "s3", "RDS": "rds", "Route53": "route53", "Lambda": "lambda", "DynamoDB": "dynamodb", "SNS": "sns", "SQS": "sqs",
	"Cognito": "cognito-idp", "ElasticBeanstalk": "elasticbeanstalk", "Macie": "macie2", "PCA": "acm-pca", "ACM": "acm", "ASG": "autoscaling",
	"Logs": "logs", "XRay": "xray", "CloudTrail": "cloudtrail", "Events": "events", "CognitoIdentity": "cognito-identity",
	"Rekognition": "rekognition",
}

// renamed are the operations whose IAM action is not named after the operation
// (the Service Authorization Reference lists them under these names).
var renamed = map[string]string{
	"S3.ListBuckets":        "s3:ListAllMyBuckets",
	"S3.ListObjectVersions": "s3:ListBucketVersions",
	"S3.ListObjectsV2":      "s3:ListBucket",
	"S3.DeleteObjects":      "s3:DeleteObject",
	"S3.HeadBucket":         "s3:ListBucket",
	"S3.HeadObject":         "s3:GetObject",
	"Lambda.Invoke":         "lambda:InvokeFunction",
	// A bucket's event notifications (Lab 1's S3 → SNS).
	"S3.GetBucketNotificationConfiguration": "s3:GetBucketNotification",
	"S3.PutBucketNotificationConfiguration": "s3:PutBucketNotification",
	// Block Public Access of one bucket (the account's is s3:PutAccountPublicAccessBlock).
	"S3.PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
	"S3.GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
	// A batch needs the single message's action (SQS developer guide, "Amazon SQS
	// API permissions": batch actions are authorized as their single forms).
	"SQS.DeleteMessageBatch": "sqs:DeleteMessage",
}

// ActionOf returns the IAM action an operation of a cloud.Clients field needs
// ("ECS", "CreateService" → "ecs:CreateService").
func ActionOf(service, op string) (string, bool) {
	if a, ok := renamed[service+"."+op]; ok {
		return a, true
	}
	p, ok := prefixes[service]
	if !ok {
		return "", false
	}
	return p + ":" + op, true
}

// Prefixes lists the IAM prefixes of the services labdash calls, sorted.
func Prefixes() []string {
	out := make([]string, 0, len(prefixes))
	for _, p := range prefixes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
