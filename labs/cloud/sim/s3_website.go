package sim

// Amazon S3 static website hosting, as Lab 4's slot machine uses it, and what
// decides whether the site is public:
//   - bucket-level Block Public Access: a new bucket has all four settings on
//     ("Amazon S3 will automatically enable S3 Block Public Access and disable
//     access control lists for all new buckets starting in April 2023",
//     https://aws.amazon.com/about-aws/whats-new/2022/12/amazon-s3-automatically-enable-block-public-access-disable-access-control-lists-buckets-april-2023/).
//     PutBucketPolicy of a public policy while BlockPublicPolicy is on answers
//     AccessDenied; turning BlockPublicPolicy on leaves an existing policy in place;
//     RestrictPublicBuckets on a bucket with a public policy keeps anonymous
//     requests out (and GetBucketPolicyStatus reports it not public);
//   - the bucket policy: PutBucketPolicy checks the document (MalformedPolicy) and
//     stores it as given; a policy is public when an Allow statement grants
//     Principal "*" (or {"AWS":"*"}) without a condition that fixes one of the
//     keys S3 counts as restricting (the S3 user guide's "The meaning of
//     'public'"): aws:SourceIp, aws:SourceArn, aws:SourceVpc, aws:SourceVpce,
//     aws:SourceAccount, aws:SourceOwner, aws:PrincipalOrgID, aws:userid,
//     aws:PrincipalArn, aws:PrincipalAccount, s3:DataAccessPointArn,
//     s3:DataAccessPointAccount with a value without wildcards;
//   - the website endpoint (http://BUCKET.s3-website-REGION.amazonaws.com/ and
//     the s3-website.REGION form) answers anonymous GETs: the index document for
//     "/" and any "dir/", a 302 to "key/" when only "key/" + index exists, 403
//     AccessDenied when the bucket policy does not let anyone read the object (or
//     Block Public Access restricts the bucket), and for a key that does not exist
//     404 NoSuchKey only when the policy also lets anyone s3:ListBucket — 403
//     otherwise, as S3 answers a requester without ListBucket. The error
//     document, when configured and readable, is served with the error's status.
//     Content-Type is the one given to PutObject, else guessed from the key's
//     extension (what the AWS CLI's `aws s3 cp` does at upload).
//
// Not modelled: account-level Block Public Access, ACLs (IgnorePublicAcls and
// BlockPublicAcls are stored and reported only), routing rules (stored, not
// applied), HTTPS (website endpoints have none), requester pays, and the
// website endpoint of a bucket addressed with another region's host name, which
// the simulator answers 404 NoSuchBucket (not checked against AWS).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/labdash/labdash/labs/cloud/authz"
)

// newBucketBPA is a new bucket's Block Public Access: all four settings on.
func newBucketBPA() *s3types.PublicAccessBlockConfiguration {
	return &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: ptr(true), IgnorePublicAcls: ptr(true),
		BlockPublicPolicy: ptr(true), RestrictPublicBuckets: ptr(true)}
}

func on(p *bool) bool { return p != nil && *p }

func s3Malformed() error {
	return apiError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
}

// caller is the ARN S3 names in an AccessDenied message.
func (b base) caller() string {
	if b.principal != "" {
		return b.principal
	}
	return "arn:aws:iam::" + b.account + ":user/labdash-simulated"
}

// PutBucketWebsite sets the bucket's website configuration.
func (c *s3Client) PutBucketWebsite(ctx context.Context, in *s3.PutBucketWebsiteInput, optFns ...func(*s3.Options)) (*s3.PutBucketWebsiteOutput, error) {
	b, err := c.addressed("PutBucketWebsite", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "PutBucketWebsite", in, func(r *region) (*s3.PutBucketWebsiteOutput, error) {
		if in == nil {
			in = &s3.PutBucketWebsiteInput{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		cfg := in.WebsiteConfiguration
		if cfg == nil {
			return nil, s3Malformed()
		}
		switch {
		case cfg.RedirectAllRequestsTo != nil:
			if str(cfg.RedirectAllRequestsTo.HostName) == "" {
				return nil, s3Malformed()
			}
			if cfg.IndexDocument != nil || cfg.ErrorDocument != nil || len(cfg.RoutingRules) > 0 {
				return nil, apiError("InvalidRequest", "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.")
			}
		case cfg.IndexDocument == nil || str(cfg.IndexDocument.Suffix) == "":
			return nil, apiError("InvalidArgument", "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty")
		case strings.Contains(str(cfg.IndexDocument.Suffix), "/"):
			return nil, apiError("InvalidArgument", "The IndexDocument Suffix is not well formed")
		case cfg.ErrorDocument != nil && str(cfg.ErrorDocument.Key) == "":
			return nil, apiError("InvalidArgument", "The ErrorDocument Key is not well formed")
		}
		v := cloneJSON(*cfg)
		bk.website = &v
		return &s3.PutBucketWebsiteOutput{}, nil
	})
}

// GetBucketWebsite returns the website configuration; NoSuchWebsiteConfiguration when there is none.
func (c *s3Client) GetBucketWebsite(ctx context.Context, in *s3.GetBucketWebsiteInput, optFns ...func(*s3.Options)) (*s3.GetBucketWebsiteOutput, error) {
	b, err := c.addressed("GetBucketWebsite", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "GetBucketWebsite", in, func(r *region) (*s3.GetBucketWebsiteOutput, error) {
		if in == nil {
			in = &s3.GetBucketWebsiteInput{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		if bk.website == nil {
			return nil, apiError("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration")
		}
		v := cloneJSON(*bk.website)
		return &s3.GetBucketWebsiteOutput{IndexDocument: v.IndexDocument, ErrorDocument: v.ErrorDocument,
			RedirectAllRequestsTo: v.RedirectAllRequestsTo, RoutingRules: v.RoutingRules}, nil
	})
}

// DeleteBucketWebsite removes the website configuration (no error when there is none).
func (c *s3Client) DeleteBucketWebsite(ctx context.Context, in *s3.DeleteBucketWebsiteInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketWebsiteOutput, error) {
	b, err := c.addressed("DeleteBucketWebsite", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "DeleteBucketWebsite", in, func(r *region) (*s3.DeleteBucketWebsiteOutput, error) {
		if in == nil {
			in = &s3.DeleteBucketWebsiteInput{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		bk.website = nil
		return &s3.DeleteBucketWebsiteOutput{}, nil
	})
}

// PutBucketPolicy checks and stores a bucket policy; a public one is refused while
// the bucket's BlockPublicPolicy is on.
func (c *s3Client) PutBucketPolicy(ctx context.Context, in *s3.PutBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error) {
	b, err := c.addressed("PutBucketPolicy", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "PutBucketPolicy", in, func(r *region) (*s3.PutBucketPolicyOutput, error) {
		if in == nil {
			in = &s3.PutBucketPolicyInput{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		pol, err := parseBucketPolicy(str(in.Policy), bk.name)
		if err != nil {
			return nil, err
		}
		if bk.bpa != nil && on(bk.bpa.BlockPublicPolicy) && pol.public() {
			return nil, apiError("AccessDenied", "User: %s is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::%s\" because public policies are blocked by the BlockPublicPolicy block public access setting.", b.caller(), bk.name)
		}
		bk.policy = str(in.Policy)
		return &s3.PutBucketPolicyOutput{}, nil
	})
}

// GetBucketPolicy returns the policy as it was put; NoSuchBucketPolicy when there is none.
func (c *s3Client) GetBucketPolicy(ctx context.Context, in *s3.GetBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	b, err := c.addressed("GetBucketPolicy", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "GetBucketPolicy", in, func(r *region) (*s3.GetBucketPolicyOutput, error) {
		if in == nil {
			in = &s3.GetBucketPolicyInput{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		if bk.policy == "" {
			return nil, apiError("NoSuchBucketPolicy", "The bucket policy does not exist")
		}
		return &s3.GetBucketPolicyOutput{Policy: ptr(bk.policy)}, nil
	})
}

// DeleteBucketPolicy removes the policy (no error when there is none).
func (c *s3Client) DeleteBucketPolicy(ctx context.Context, in *s3.DeleteBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketPolicyOutput, error) {
	b, err := c.addressed("DeleteBucketPolicy", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "DeleteBucketPolicy", in, func(r *region) (*s3.DeleteBucketPolicyOutput, error) {
		if in == nil {
			in = &s3.DeleteBucketPolicyInput{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		bk.policy = ""
		return &s3.DeleteBucketPolicyOutput{}, nil
	})
}

// PutPublicAccessBlock replaces the bucket's Block Public Access settings (an
// omitted setting is false).
func (c *s3Client) PutPublicAccessBlock(ctx context.Context, in *s3.PutPublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error) {
	b, err := c.addressed("PutPublicAccessBlock", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "PutPublicAccessBlock", in, func(r *region) (*s3.PutPublicAccessBlockOutput, error) {
		if in == nil {
			in = &s3.PutPublicAccessBlockInput{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		cfg := in.PublicAccessBlockConfiguration
		if cfg == nil {
			return nil, s3Malformed()
		}
		bk.bpa = &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: ptr(on(cfg.BlockPublicAcls)), IgnorePublicAcls: ptr(on(cfg.IgnorePublicAcls)),
			BlockPublicPolicy: ptr(on(cfg.BlockPublicPolicy)), RestrictPublicBuckets: ptr(on(cfg.RestrictPublicBuckets))}
		return &s3.PutPublicAccessBlockOutput{}, nil
	})
}

// GetPublicAccessBlock returns the bucket's settings; NoSuchPublicAccessBlockConfiguration when there are none.
func (c *s3Client) GetPublicAccessBlock(ctx context.Context, in *s3.GetPublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error) {
	b, err := c.addressed("GetPublicAccessBlock", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "GetPublicAccessBlock", in, func(r *region) (*s3.GetPublicAccessBlockOutput, error) {
		if in == nil {
			in = &s3.GetPublicAccessBlockInput{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		if bk.bpa == nil {
			return nil, apiError("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
		}
		v := cloneJSON(*bk.bpa)
		return &s3.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: &v}, nil
	})
}

// GetBucketPolicyStatus reports whether the bucket is public: its policy is, and
// RestrictPublicBuckets does not restrict it.
func (c *s3Client) GetBucketPolicyStatus(ctx context.Context, in *s3.GetBucketPolicyStatusInput, optFns ...func(*s3.Options)) (*s3.GetBucketPolicyStatusOutput, error) {
	b, err := c.addressed("GetBucketPolicyStatus", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "GetBucketPolicyStatus", in, func(r *region) (*s3.GetBucketPolicyStatusOutput, error) {
		if in == nil {
			in = &s3.GetBucketPolicyStatusInput{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		if bk.policy == "" {
			return nil, apiError("NoSuchBucketPolicy", "The bucket policy does not exist")
		}
		return &s3.GetBucketPolicyStatusOutput{PolicyStatus: &s3types.PolicyStatus{IsPublic: ptr(bk.isPublic())}}, nil
	})
}

// isPublic reports whether anyone may reach the bucket through its policy.
func (bk *s3Bucket) isPublic() bool {
	if bk.policy == "" || (bk.bpa != nil && on(bk.bpa.RestrictPublicBuckets)) {
		return false
	}
	pol, err := parseBucketPolicy(bk.policy, bk.name)
	return err == nil && pol.public()
}

// anonymous reports whether an anonymous request may perform action on resource.
func (bk *s3Bucket) anonymous(action, resource string) bool {
	if bk.policy == "" || (bk.bpa != nil && on(bk.bpa.RestrictPublicBuckets)) {
		return false
	}
	pol, err := parseBucketPolicy(bk.policy, bk.name)
	if err != nil {
		return false
	}
	return pol.anonymousAllows(action, resource)
}

// GetObject returns an object's latest version (or the one VersionId names).
func (c *s3Client) GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	b, err := c.addressed("GetObject", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "GetObject", in, func(r *region) (*s3.GetObjectOutput, error) {
		if in == nil {
			in = &s3.GetObjectInput{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		key := str(in.Key)
		if key == "" {
			return nil, apiError("InvalidArgument", "A key must be specified")
		}
		vs := bk.keys[key]
		var v *s3Version
		if vid := str(in.VersionId); vid != "" {
			for _, x := range vs {
				if x.id == vid {
					v = x
				}
			}
			if v == nil {
				return nil, apiError("NoSuchVersion", "The specified version does not exist.")
			}
			if v.marker {
				return nil, apiError("MethodNotAllowed", "The specified method is not allowed against this resource.")
			}
		} else {
			if len(vs) == 0 || vs[0].marker {
				return nil, &s3types.NoSuchKey{Message: ptr("The specified key does not exist.")}
			}
			v = vs[0]
		}
		ctype := v.ctype
		if ctype == "" {
			ctype = "binary/octet-stream" // S3's type for an object stored without one
		}
		out := &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(bytes.Clone(v.body))), ContentLength: ptr(v.size), ContentType: ptr(ctype),
			ETag: ptr(v.etag), LastModified: tptr(v.modified)}
		if bk.versioning != "" {
			out.VersionId = ptr(v.id)
		}
		return out, nil
	})
}

// ListObjectsV2 lists the latest versions of keys (not delete markers) in key
// order, MaxKeys (≤1000) a page, after StartAfter or the continuation token.
func (c *s3Client) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	b, err := c.addressed("ListObjectsV2", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "ListObjectsV2", in, func(r *region) (*s3.ListObjectsV2Output, error) {
		if in == nil {
			in = &s3.ListObjectsV2Input{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		if str(in.Delimiter) != "" {
			return nil, apiError("NotImplemented", "The simulator does not model Delimiter in ListObjectsV2.")
		}
		maxKeys := int(i32(in.MaxKeys, 1000))
		if maxKeys < 0 {
			return nil, apiError("InvalidArgument", "Argument maxKeys must be an integer between 0 and 2147483647")
		}
		maxKeys = min(maxKeys, 1000)
		after := str(in.StartAfter)
		if in.ContinuationToken != nil {
			pos, ok := readToken(in.ContinuationToken)
			if !ok || pos == "" {
				return nil, apiError("InvalidArgument", "The continuation token provided is incorrect")
			}
			after = pos
		}
		var keys []string
		for k, vs := range bk.keys {
			if len(vs) > 0 && !vs[0].marker && strings.HasPrefix(k, str(in.Prefix)) && k > after {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		out := &s3.ListObjectsV2Output{Name: ptr(bk.name), Prefix: in.Prefix, MaxKeys: ptr(int32(maxKeys)), StartAfter: in.StartAfter,
			ContinuationToken: in.ContinuationToken, IsTruncated: ptr(false)}
		for i, k := range keys {
			if i == maxKeys {
				out.IsTruncated = ptr(true)
				if i > 0 {
					out.NextContinuationToken = pageToken(keys[i-1])
				}
				break
			}
			v := bk.keys[k][0]
			out.Contents = append(out.Contents, s3types.Object{Key: ptr(k), LastModified: tptr(v.modified), ETag: ptr(v.etag), Size: ptr(v.size),
				StorageClass: s3types.ObjectStorageClassStandard})
		}
		out.KeyCount = ptr(int32(len(out.Contents)))
		return out, nil
	})
}

// s3Policy is a checked bucket policy.
type s3Policy struct {
	stmts []s3Statement
}

type s3Statement struct {
	authz.Statement
	anyone bool // Principal "*" or {"AWS": "*"}
}

// s3RestrictingKeys are the condition keys whose fixed values make a grant to "*"
// non-public ("The meaning of 'public'", S3 user guide).
var s3RestrictingKeys = map[string]bool{
	"aws:sourceip": true, "aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourceaccount": true,
	"aws:sourceowner": true, "aws:principalorgid": true, "aws:userid": true, "aws:principalarn": true, "aws:principalaccount": true,
	"s3:dataaccesspointarn": true, "s3:dataaccesspointaccount": true,
}

var s3ActionRE = regexp.MustCompile(`^(\*|s3:[A-Za-z0-9*?]+)$`)

func malformedPolicy(m string) error { return apiError("MalformedPolicy", "%s", m) }

// parseBucketPolicy checks a bucket policy as PutBucketPolicy does.
func parseBucketPolicy(doc, bucket string) (*s3Policy, error) {
	if !strings.HasPrefix(strings.TrimSpace(doc), "{") {
		return nil, malformedPolicy("Policies must be valid JSON and the first byte must be '{'")
	}
	var raw struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, malformedPolicy("Policies must be valid JSON and the first byte must be '{'")
	}
	if raw.Version != "" && raw.Version != "2012-10-17" && raw.Version != "2008-10-17" {
		return nil, malformedPolicy("The policy must contain a valid version string")
	}
	if len(raw.Statement) == 0 || string(raw.Statement) == "null" {
		return nil, malformedPolicy("Missing required field Statement")
	}
	type stmt struct {
		Sid          string         `json:"Sid"`
		Effect       string         `json:"Effect"`
		Principal    any            `json:"Principal"`
		NotPrincipal any            `json:"NotPrincipal"`
		Action       any            `json:"Action"`
		NotAction    any            `json:"NotAction"`
		Resource     any            `json:"Resource"`
		NotResource  any            `json:"NotResource"`
		Condition    map[string]any `json:"Condition"`
	}
	var list []stmt
	if err := json.Unmarshal(raw.Statement, &list); err != nil {
		var one stmt
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, malformedPolicy("Statement is not well formed")
		}
		list = []stmt{one}
	}
	if len(list) == 0 {
		return nil, malformedPolicy("Could not parse the policy: Statement is empty!")
	}
	out := &s3Policy{}
	for _, st := range list {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return nil, malformedPolicy("Invalid effect: " + st.Effect)
		}
		if st.Principal == nil && st.NotPrincipal == nil {
			return nil, malformedPolicy("Missing required field Principal")
		}
		if st.Action == nil && st.NotAction == nil {
			return nil, malformedPolicy("Missing required field Action")
		}
		if st.Resource == nil && st.NotResource == nil {
			return nil, malformedPolicy("Missing required field Resource")
		}
		for _, a := range append(authz.Strings(st.Action), authz.Strings(st.NotAction)...) {
			if !s3ActionRE.MatchString(a) {
				return nil, malformedPolicy("Policy has invalid action")
			}
		}
		for _, res := range append(authz.Strings(st.Resource), authz.Strings(st.NotResource)...) {
			if !s3ResourceOf(res, bucket) {
				return nil, malformedPolicy("Policy has invalid resource")
			}
		}
		anyone, err := s3Principal(st.Principal)
		if err != nil {
			return nil, err
		}
		out.stmts = append(out.stmts, s3Statement{Statement: authz.Statement{Sid: st.Sid, Effect: st.Effect, Action: st.Action, NotAction: st.NotAction,
			Resource: st.Resource, NotResource: st.NotResource, Condition: st.Condition}, anyone: anyone && st.NotPrincipal == nil})
	}
	return out, nil
}

// s3ResourceOf reports whether a policy resource names the bucket or objects in
// it ("Policy has invalid resource" otherwise); wildcards must match the bucket's name.
func s3ResourceOf(res, bucket string) bool {
	if res == "*" {
		return true
	}
	rest, ok := strings.CutPrefix(res, "arn:aws:s3:::")
	if !ok {
		return false
	}
	name, _, _ := strings.Cut(rest, "/")
	if name == bucket {
		return true
	}
	m, err := path.Match(name, bucket)
	return err == nil && m
}

// s3Principal checks a statement's Principal and reports whether it is everyone.
func s3Principal(p any) (bool, error) {
	switch v := p.(type) {
	case nil:
		return false, nil
	case string:
		if v != "*" {
			return false, malformedPolicy("Invalid principal in policy")
		}
		return true, nil
	case map[string]any:
		anyone := false
		for k, ids := range v {
			switch k {
			case "AWS", "Service", "CanonicalUser", "Federated":
			default:
				return false, malformedPolicy("Invalid principal in policy")
			}
			for _, id := range authz.Strings(ids) {
				if id == "" {
					return false, malformedPolicy("Invalid principal in policy")
				}
				if k == "AWS" && id == "*" {
					anyone = true
				}
			}
		}
		return anyone, nil
	}
	return false, malformedPolicy("Invalid principal in policy")
}

// public reports whether an Allow statement grants everyone access without a
// restricting condition.
func (p *s3Policy) public() bool {
	for _, st := range p.stmts {
		if st.Effect != "Allow" || !st.anyone {
			continue
		}
		restricted := false
		for _, block := range st.Condition {
			m, _ := block.(map[string]any)
			for k, vals := range m {
				if !s3RestrictingKeys[strings.ToLower(k)] {
					continue
				}
				fixed := true
				for _, v := range authz.Strings(vals) {
					if strings.ContainsAny(v, "*?") || v == "0.0.0.0/0" || v == "::/0" {
						fixed = false
					}
				}
				if fixed {
					restricted = true
				}
			}
		}
		if !restricted {
			return true
		}
	}
	return false
}

// anonymousAllows evaluates the statements that apply to everyone for an
// anonymous request over plain HTTP (the website endpoint).
func (p *s3Policy) anonymousAllows(action, resource string) bool {
	var pol authz.Policy
	pol.Version = "2012-10-17"
	for _, st := range p.stmts {
		if st.anyone {
			pol.Statement = append(pol.Statement, st.Statement)
		}
	}
	// Round-trip through DecodePolicy so elements are read as IAM reads them.
	doc, err := json.Marshal(pol)
	if err != nil {
		return false
	}
	dec, err := authz.DecodePolicy(string(doc))
	if err != nil {
		return false
	}
	ctx := authz.Context{}
	ctx.Set("aws:SecureTransport", "false")
	return authz.Principal{ARN: "*", Identity: []authz.Policy{dec}}.Evaluate(authz.Request{Action: action, Resource: resource, Context: ctx}).Allowed
}

// webAnswer is one website response.
type webAnswer struct {
	status   int
	ctype    string
	location string
	body     []byte
}

// websiteHostRE reads BUCKET.s3-website-REGION.amazonaws.com and BUCKET.s3-website.REGION.amazonaws.com.
var websiteHostRE = regexp.MustCompile(`^(.+)\.s3-website[-.]([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$`)

// WebsiteURL is the website endpoint of a bucket in region (the dash form).
func WebsiteURL(bucket, region string) string {
	return "http://" + bucket + ".s3-website-" + region + ".amazonaws.com/"
}

// websiteError is S3's HTML error page of a website endpoint.
func websiteError(status int, code, message string, extra ...string) webAnswer {
	var b strings.Builder
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	fmt.Fprintf(&b, "<html>\n<head><title>%s</title></head>\n<body>\n<h1>%s</h1>\n<ul>\n<li>Code: %s</li>\n<li>Message: %s</li>\n",
		title, title, html.EscapeString(code), html.EscapeString(message))
	for i := 0; i+1 < len(extra); i += 2 {
		fmt.Fprintf(&b, "<li>%s: %s</li>\n", extra[i], html.EscapeString(extra[i+1]))
	}
	b.WriteString("</ul>\n<hr/>\n</body>\n</html>\n")
	return webAnswer{status: status, ctype: "text/html; charset=utf-8", body: []byte(b.String())}
}

// websiteLocked answers an anonymous GET of urlPath on the website endpoint of
// bucket in region ("" when the caller did not name one). The world's lock must
// be held.
func (w *World) websiteLocked(bucket, region, urlPath string) webAnswer {
	bk := w.s3Find(bucket)
	if bk == nil || (region != "" && bk.region != region) {
		return websiteError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist", "BucketName", bucket)
	}
	if bk.website == nil {
		return websiteError(http.StatusNotFound, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration", "BucketName", bucket)
	}
	if rd := bk.website.RedirectAllRequestsTo; rd != nil {
		proto := string(rd.Protocol)
		if proto == "" {
			proto = "http"
		}
		return webAnswer{status: http.StatusMovedPermanently, location: proto + "://" + str(rd.HostName) + urlPath}
	}
	suffix := str(bk.website.IndexDocument.Suffix)
	key := strings.TrimPrefix(urlPath, "/")
	if key == "" || strings.HasSuffix(key, "/") {
		key += suffix
	}
	if a, ok := w.websiteObject(bk, key, http.StatusOK); ok {
		return a
	}
	// "photos" with only "photos/index.html" in the bucket redirects to "photos/".
	if !strings.HasSuffix(urlPath, "/") && bk.latest(key+"/"+suffix) != nil && bk.anonymous("s3:GetObject", "arn:aws:s3:::"+bk.name+"/"+key+"/"+suffix) {
		return webAnswer{status: http.StatusFound, location: urlPath + "/"}
	}
	var fail webAnswer
	switch {
	case !bk.anonymous("s3:GetObject", "arn:aws:s3:::"+bk.name+"/"+key):
		fail = websiteError(http.StatusForbidden, "AccessDenied", "Access Denied")
	case bk.latest(key) == nil && bk.anonymous("s3:ListBucket", "arn:aws:s3:::"+bk.name):
		fail = websiteError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", "Key", key)
	default:
		fail = websiteError(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	if ed := bk.website.ErrorDocument; ed != nil && str(ed.Key) != "" {
		if a, ok := w.websiteObject(bk, str(ed.Key), fail.status); ok {
			return a
		}
	}
	return fail
}

// websiteObject serves key with status when it exists and anyone may read it.
func (w *World) websiteObject(bk *s3Bucket, key string, status int) (webAnswer, bool) {
	v := bk.latest(key)
	if v == nil || !bk.anonymous("s3:GetObject", "arn:aws:s3:::"+bk.name+"/"+key) {
		return webAnswer{}, false
	}
	ctype := v.ctype
	if ctype == "" {
		ctype = mime.TypeByExtension(path.Ext(key))
	}
	if ctype == "" {
		ctype = "binary/octet-stream"
	}
	return webAnswer{status: status, ctype: ctype, body: bytes.Clone(v.body)}, true
}

// latest is key's current version, nil when there is none or it is a delete marker.
func (bk *s3Bucket) latest(key string) *s3Version {
	vs := bk.keys[key]
	if len(vs) == 0 || vs[0].marker {
		return nil
	}
	return vs[0]
}
