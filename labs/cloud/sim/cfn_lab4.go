package sim

// The CloudFormation types a Lab 4 template uses, created through the same
// models as the APIs: AWS::S3::Bucket (BucketName, WebsiteConfiguration,
// PublicAccessBlockConfiguration — absent: all four on, as a new bucket's —,
// Tags; Arn, DomainName, RegionalDomainName and WebsiteURL; deleting a bucket
// that is not empty fails, as CloudFormation's does), AWS::S3::BucketPolicy (the
// same checks as PutBucketPolicy, BlockPublicPolicy included),
// AWS::Lambda::Function (Role must be a role of the account, Runtime not
// deprecated, Code.ZipFile or S3Bucket/S3Key; Arn), AWS::Lambda::Permission,
// AWS::Cognito::IdentityPool (Ref: the pool id; Name) and
// AWS::Cognito::IdentityPoolRoleAttachment.

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func init() {
	registerCFN("AWS::S3::Bucket", cfnBucket)
	registerCFN("AWS::S3::BucketPolicy", cfnBucketPolicy)
	registerCFN("AWS::Lambda::Function", cfnFunction)
	registerCFN("AWS::Lambda::Permission", cfnPermission)
	registerCFN("AWS::Cognito::IdentityPool", cfnIdentityPool)
	registerCFN("AWS::Cognito::IdentityPoolRoleAttachment", cfnPoolRoles)
}

func propBool(m map[string]any, k string) bool { return strings.EqualFold(propStr(m, k), "true") }

func propMap(m map[string]any, k string) map[string]any {
	v, _ := m[k].(map[string]any)
	return v
}

// apiMessage is an API error's message, for a stack event's reason.
func apiMessage(err error) error {
	return errors.New(errMessage(err))
}

func cfnBucket(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "BucketName")
	if name == "" {
		name = strings.ToLower(r.genName(st, logical, 63))
	}
	if !s3NameRE.MatchString(name) || strings.Contains(name, "..") || ipLike(name) {
		return fmt.Errorf("Bucket name should not contain uppercase characters or be longer than 63 characters: %s", name)
	}
	if r.w.s3Find(name) != nil {
		return fmt.Errorf("%s already exists", name)
	}
	b := &s3Bucket{name: name, region: r.name, account: r.account, created: r.w.now, keys: map[string][]*s3Version{}, bpa: newBucketBPA()}
	if bpa := propMap(p, "PublicAccessBlockConfiguration"); bpa != nil {
		b.bpa = &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: ptr(propBool(bpa, "BlockPublicAcls")), IgnorePublicAcls: ptr(propBool(bpa, "IgnorePublicAcls")),
			BlockPublicPolicy: ptr(propBool(bpa, "BlockPublicPolicy")), RestrictPublicBuckets: ptr(propBool(bpa, "RestrictPublicBuckets"))}
	}
	if ws := propMap(p, "WebsiteConfiguration"); ws != nil {
		cfg := &s3types.WebsiteConfiguration{}
		if idx := propStr(ws, "IndexDocument"); idx != "" {
			if strings.Contains(idx, "/") {
				return errors.New("The IndexDocument Suffix is not well formed")
			}
			cfg.IndexDocument = &s3types.IndexDocument{Suffix: ptr(idx)}
		}
		if ed := propStr(ws, "ErrorDocument"); ed != "" {
			cfg.ErrorDocument = &s3types.ErrorDocument{Key: ptr(ed)}
		}
		if rd := propMap(ws, "RedirectAllRequestsTo"); rd != nil {
			cfg.RedirectAllRequestsTo = &s3types.RedirectAllRequestsTo{HostName: ptr(propStr(rd, "HostName")), Protocol: s3types.Protocol(propStr(rd, "Protocol"))}
		}
		if cfg.IndexDocument == nil && cfg.RedirectAllRequestsTo == nil {
			return errors.New("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty")
		}
		b.website = cfg
	}
	if v := propMap(p, "VersioningConfiguration"); v != nil {
		b.versioning = s3types.BucketVersioningStatus(propStr(v, "Status"))
	}
	b.tags = st.resourceTags(logical, propTags(p))
	s3Of(r).buckets[name] = b
	r.addTaggable(&b.tagged, "arn:aws:s3:::"+name, "s3:bucket")
	rs.physical = name
	rs.attrs["Arn"] = "arn:aws:s3:::" + name
	rs.attrs["DomainName"] = name + ".s3.amazonaws.com"
	rs.attrs["RegionalDomainName"] = name + ".s3." + r.name + ".amazonaws.com"
	rs.attrs["WebsiteURL"] = strings.TrimSuffix(WebsiteURL(name, r.name), "/")
	rs.del = func() error {
		if !b.empty() {
			return errors.New("The bucket you tried to delete is not empty")
		}
		b.dead = true
		delete(s3Of(r).buckets, name)
		return nil
	}
	return nil
}

func cfnBucketPolicy(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "Bucket")
	b := r.w.s3Find(name)
	if b == nil || b.account != r.account {
		return fmt.Errorf("The specified bucket does not exist")
	}
	if p["PolicyDocument"] == nil {
		return errors.New("Property PolicyDocument cannot be empty.")
	}
	doc, err := json.Marshal(p["PolicyDocument"])
	if s, ok := p["PolicyDocument"].(string); ok {
		doc, err = []byte(s), nil
	}
	if err != nil {
		return errors.New("Property PolicyDocument is not valid JSON.")
	}
	pol, err := parseBucketPolicy(string(doc), name)
	if err != nil {
		return apiMessage(err)
	}
	if b.bpa != nil && on(b.bpa.BlockPublicPolicy) && pol.public() {
		return fmt.Errorf("User: arn:aws:iam::%s:user/labdash-simulated is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::%s\" because public policies are blocked by the BlockPublicPolicy block public access setting. (Service: S3, Status Code: 403, Error Code: AccessDenied)", r.account, name)
	}
	b.policy = string(doc)
	rs.physical = st.name + "-" + logical + "-" + strings.ToUpper(r.w.hexID(12))
	rs.del = func() error {
		b.policy = ""
		return nil
	}
	return nil
}

func cfnFunction(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "FunctionName")
	if name == "" {
		name = r.genName(st, logical, 64)
	}
	if !lambdaNameRE.MatchString(name) {
		return fmt.Errorf("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint", name)
	}
	ls := lambdaOf(r)
	if ls.fns[name] != nil {
		return fmt.Errorf("%s already exists", name)
	}
	mem, err := propInt(p, "MemorySize")
	if err != nil {
		return err
	}
	to, err := propInt(p, "Timeout")
	if err != nil {
		return err
	}
	fn := &lambdaFn{name: name, arn: r.arn("lambda", "function:"+name), runtime: propStr(p, "Runtime"), role: propStr(p, "Role"), handler: propStr(p, "Handler"),
		desc: propStr(p, "Description"), pkg: lambdatypes.PackageTypeZip, memory: i32(mem, 128), timeout: i32(to, 3),
		arch: []lambdatypes.Architecture{lambdatypes.ArchitectureX8664}, created: r.w.now, revision: r.w.uuid(), tracing: lambdatypes.TracingModePassThrough}
	if next, old := deprecatedRuntimes[fn.runtime]; old {
		return fmt.Errorf("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (%s) while creating or updating functions.", fn.runtime, next)
	}
	if fn.runtime == "" || fn.handler == "" {
		return errors.New("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if !(&lambdaClient{base{w: r.w, account: r.account, region: r.name}}).lambdaRoleOK(r, fn.role) {
		return errors.New("The role defined for the function cannot be assumed by Lambda.")
	}
	code := propMap(p, "Code")
	switch {
	case propStr(code, "ZipFile") != "":
		sum := sha256.Sum256([]byte(propStr(code, "ZipFile")))
		fn.codeSha, fn.codeSize = base64.StdEncoding.EncodeToString(sum[:]), int64(len(propStr(code, "ZipFile")))
	case propStr(code, "S3Bucket") != "" && propStr(code, "S3Key") != "":
		b := r.w.s3Find(propStr(code, "S3Bucket"))
		if b == nil || b.region != r.name || b.latest(propStr(code, "S3Key")) == nil {
			return errors.New("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.")
		}
		v := b.latest(propStr(code, "S3Key"))
		sum := sha256.Sum256([]byte(v.etag))
		fn.codeSha, fn.codeSize = base64.StdEncoding.EncodeToString(sum[:]), v.size
	default:
		return errors.New("Please provide a source for function code.")
	}
	if env := propMap(propMap(p, "Environment"), "Variables"); env != nil {
		fn.env = map[string]string{}
		for k, v := range env {
			fn.env[k] = scalarString(v)
		}
	}
	fn.tags = st.resourceTags(logical, propTags(p))
	sort.SliceStable(fn.tags, func(i, j int) bool { return fn.tags[i].k < fn.tags[j].k })
	ls.fns[name] = fn
	r.addTaggable(&fn.tagged, fn.arn, "lambda:function")
	rs.physical = name
	rs.attrs["Arn"] = fn.arn
	rs.del = func() error {
		fn.dead = true
		delete(ls.fns, name)
		return nil
	}
	return nil
}

func cfnPermission(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	fn, err := lambdaOf(r).function(r, propStr(p, "FunctionName"), "")
	if err != nil {
		return apiMessage(err)
	}
	sid := st.name + "-" + logical + "-" + strings.ToUpper(r.w.hexID(12))
	who := any(map[string]string{"Service": propStr(p, "Principal")})
	if pr := propStr(p, "Principal"); accountIDRE.MatchString(pr) {
		who = map[string]string{"AWS": "arn:aws:iam::" + pr + ":root"}
	} else if pr == "*" {
		who = "*"
	}
	stmt := map[string]any{"Sid": sid, "Effect": "Allow", "Principal": who, "Action": propStr(p, "Action"), "Resource": fn.arn}
	if v := propStr(p, "SourceArn"); v != "" {
		stmt["Condition"] = map[string]any{"ArnLike": map[string]string{"AWS:SourceArn": v}}
	}
	doc, _ := json.Marshal(stmt)
	fn.policy = append(fn.policy, lambdaStatement{sid: sid, doc: string(doc)})
	rs.physical = sid
	rs.del = func() error {
		fn.policy = compact(fn.policy, func(s lambdaStatement) bool { return s.sid != sid })
		return nil
	}
	return nil
}

func cfnIdentityPool(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "IdentityPoolName")
	if name == "" {
		name = strings.ReplaceAll(r.genName(st, logical, 128), "-", "_")
	}
	pool := &identityPool{id: r.name + ":" + r.w.uuid(), created: r.w.now, roles: map[string]string{}}
	pool.arn = r.arn("cognito-identity", "identitypool/"+pool.id)
	classic := propBool(p, "AllowClassicFlow")
	if err := pool.set(name, propBool(p, "AllowUnauthenticatedIdentities"), &classic, nil, nil, propList(p, "OpenIdConnectProviderARNs"),
		propList(p, "SamlProviderARNs"), nil); err != nil {
		return apiMessage(err)
	}
	var own tagList
	for _, t := range propMaps(p, "IdentityPoolTags") {
		own.set(propStr(t, "Key"), propStr(t, "Value"))
	}
	pool.tags = st.resourceTags(logical, own)
	cs := ciOf(r)
	cs.pools[pool.id] = pool
	r.addTaggable(&pool.tagged, pool.arn, "cognito-identity:identitypool")
	rs.physical = pool.id
	rs.attrs["Name"] = name
	rs.attrs["Id"] = pool.id
	rs.del = func() error {
		pool.dead = true
		delete(cs.pools, pool.id)
		return nil
	}
	return nil
}

func cfnPoolRoles(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	pool, err := ciOf(r).pool(propStr(p, "IdentityPoolId"))
	if err != nil {
		return apiMessage(err)
	}
	roles := map[string]string{}
	for k, v := range propMap(p, "Roles") {
		arn := scalarString(v)
		if (k != "authenticated" && k != "unauthenticated") || !roleARNRE.MatchString(arn) {
			return fmt.Errorf("Invalid role mapping %s: %s", k, arn)
		}
		roles[k] = arn
	}
	pool.roles = roles
	rs.physical = pool.id
	rs.del = func() error {
		pool.roles = map[string]string{}
		return nil
	}
	return nil
}
