package sim

// AWS Lambda: functions ($LATEST only) with their configuration, code digest and
// tags. A new function is Pending for a few simulated seconds, then Active with
// LastUpdateStatus Successful. As AWS: the execution role must be an IAM role of
// the account (InvalidParameterValueException otherwise), zip functions need a
// Runtime and a Handler, runtimes past their deprecation cannot be used for new
// functions, code from S3 must exist in a bucket of the same region, a taken name
// is ResourceConflictException, and an unknown function is
// ResourceNotFoundException ("Function not found: ARN"). FunctionName accepts a
// name, a full ARN or a partial ARN (ACCOUNT:function:NAME). The tagging API lists
// functions as lambda:function.
//
// Invocation and resource policies are in lambda_invoke.go.
//
// Not modelled: versions and aliases (only $LATEST), layers, event
// source mappings, concurrency, container images beyond their
// URI, VPC networking (VpcConfig is echoed back; no ENIs are made), updates, and
// the execution role's trust policy (any role of the account is accepted).

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	registerService("lambda", func(b base, c *cloud.Clients) { c.Lambda = &lambdaClient{b} })
}

// lambdaClient implements cloud.Lambda.
type lambdaClient struct{ base }

var _ cloud.Lambda = (*lambdaClient)(nil)

// lambdaPending is how long a new function stays Pending.
const lambdaPending = 5 * time.Second

type lambdaState struct {
	fns     map[string]*lambdaFn     // by name
	minutes map[string]*lambdaMinute // the current minute's AWS/Lambda figures, by function name (lambda_invoke.go)
}

type lambdaFn struct {
	tagged
	name, arn, runtime, role, handler, desc string
	pkg                                     lambdatypes.PackageType
	image                                   string
	memory, timeout                         int32
	codeSha                                 string
	codeSize                                int64
	arch                                    []lambdatypes.Architecture
	env                                     map[string]string
	tracing                                 lambdatypes.TracingMode
	vpc                                     *lambdatypes.VpcConfig
	created                                 time.Time
	revision                                string
	policy                                  []lambdaStatement // the resource policy's statements (lambda_invoke.go)
	stream                                  string            // the log stream of its execution environment; "" before the first run
}

func lambdaOf(r *region) *lambdaState {
	return state(r, "lambda", func() *lambdaState { return &lambdaState{fns: map[string]*lambdaFn{}} })
}

var lambdaNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// deprecatedRuntimes cannot be used to create functions any more.
var deprecatedRuntimes = map[string]string{
	"nodejs": "nodejs22.x", "nodejs4.3": "nodejs22.x", "nodejs4.3-edge": "nodejs22.x", "nodejs6.10": "nodejs22.x", "nodejs8.10": "nodejs22.x",
	"nodejs10.x": "nodejs22.x", "nodejs12.x": "nodejs22.x", "nodejs14.x": "nodejs22.x", "nodejs16.x": "nodejs22.x",
	"python2.7": "python3.13", "python3.6": "python3.13", "python3.7": "python3.13", "python3.8": "python3.13",
	"dotnetcore1.0": "dotnet8", "dotnetcore2.0": "dotnet8", "dotnetcore2.1": "dotnet8", "dotnetcore3.1": "dotnet8", "dotnet6": "dotnet8",
	"ruby2.5": "ruby3.3", "ruby2.7": "ruby3.3", "go1.x": "provided.al2023", "provided": "provided.al2023", "java8": "java21",
}

func lambdaNotFound(arn string) error {
	return &lambdatypes.ResourceNotFoundException{Message: msg("Function not found: %s", arn), Type: ptr("User")}
}

func lambdaInvalid(format string, a ...any) error {
	return &lambdatypes.InvalidParameterValueException{Message: msg(format, a...), Type: ptr("User")}
}

// resolve returns the function a FunctionName (name, ARN or partial ARN, with an
// optional qualifier) names in r, and the qualifier.
func (st *lambdaState) resolve(r *region, ref string) (string, string, error) {
	name, qual := ref, ""
	switch {
	case strings.HasPrefix(ref, "arn:"):
		parts := strings.Split(ref, ":")
		if len(parts) < 7 || len(parts) > 8 || parts[2] != "lambda" || parts[5] != "function" {
			return "", "", lambdaInvalid("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern", ref)
		}
		if parts[3] != r.name || parts[4] != r.account {
			return "", "", lambdaNotFound(ref)
		}
		name = parts[6]
		if len(parts) == 8 {
			qual = parts[7]
		}
	case strings.Contains(ref, ":function:"):
		acct, rest, _ := strings.Cut(ref, ":function:")
		if acct != r.account {
			return "", "", lambdaNotFound(ref)
		}
		name, qual, _ = strings.Cut(rest, ":")
	default:
		name, qual, _ = strings.Cut(ref, ":")
	}
	if !lambdaNameRE.MatchString(name) {
		return "", "", lambdaInvalid("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern", ref)
	}
	return name, qual, nil
}

// CreateFunction creates a function; it is Pending for a few seconds, then Active.
func (c *lambdaClient) CreateFunction(ctx context.Context, in *lambda.CreateFunctionInput, _ ...func(*lambda.Options)) (*lambda.CreateFunctionOutput, error) {
	return do(ctx, c.base, "lambda", "CreateFunction", in, func(r *region) (*lambda.CreateFunctionOutput, error) {
		if in == nil {
			in = &lambda.CreateFunctionInput{}
		}
		st := lambdaOf(r)
		name := str(in.FunctionName)
		if !lambdaNameRE.MatchString(name) {
			return nil, lambdaInvalid("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+", name)
		}
		pkg := in.PackageType
		if pkg == "" {
			pkg = lambdatypes.PackageTypeZip
		}
		fn := &lambdaFn{name: name, arn: r.arn("lambda", "function:"+name), runtime: string(in.Runtime), role: str(in.Role), handler: str(in.Handler),
			desc: str(in.Description), pkg: pkg, memory: i32(in.MemorySize, 128), timeout: i32(in.Timeout, 3), arch: in.Architectures,
			created: c.w.now, revision: c.w.uuid(), tracing: lambdatypes.TracingModePassThrough}
		if len(fn.arch) == 0 {
			fn.arch = []lambdatypes.Architecture{lambdatypes.ArchitectureX8664}
		}
		if in.TracingConfig != nil && in.TracingConfig.Mode != "" {
			fn.tracing = in.TracingConfig.Mode
		}
		if in.Environment != nil {
			fn.env = map[string]string{}
			for k, v := range in.Environment.Variables {
				fn.env[k] = v
			}
		}
		if in.VpcConfig != nil && len(in.VpcConfig.SubnetIds) > 0 {
			v := cloneJSON(*in.VpcConfig)
			fn.vpc = &v
		}
		if fn.memory < 128 || fn.memory > 10240 {
			return nil, lambdaInvalid("1 validation error detected: Value '%d' at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240", fn.memory)
		}
		if fn.timeout < 1 || fn.timeout > 900 {
			return nil, lambdaInvalid("1 validation error detected: Value '%d' at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900", fn.timeout)
		}
		code := in.Code
		if code == nil {
			code = &lambdatypes.FunctionCode{}
		}
		switch pkg {
		case lambdatypes.PackageTypeZip:
			if fn.runtime == "" || fn.handler == "" {
				return nil, lambdaInvalid("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
			}
			if next, old := deprecatedRuntimes[fn.runtime]; old {
				return nil, lambdaInvalid("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (%s) while creating or updating functions.", fn.runtime, next)
			}
			switch {
			case len(code.ZipFile) > 0:
				sum := sha256.Sum256(code.ZipFile)
				fn.codeSha, fn.codeSize = base64.StdEncoding.EncodeToString(sum[:]), int64(len(code.ZipFile))
			case str(code.S3Bucket) != "" && str(code.S3Key) != "":
				b := c.w.s3Find(str(code.S3Bucket))
				if b == nil || b.account != r.account || b.region != r.name {
					return nil, lambdaInvalid("Error occurred while GetObject. S3 Error Code: PermanentRedirect. S3 Error Message: The bucket is in this region: %s. Please use this region to retry the request", func() string {
						if b == nil {
							return "unknown"
						}
						return b.region
					}())
				}
				vs := b.keys[str(code.S3Key)]
				if len(vs) == 0 || vs[0].marker {
					return nil, lambdaInvalid("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.")
				}
				sum := sha256.Sum256([]byte(vs[0].etag))
				fn.codeSha, fn.codeSize = base64.StdEncoding.EncodeToString(sum[:]), vs[0].size
			default:
				return nil, lambdaInvalid("Please provide a source for function code.")
			}
		case lambdatypes.PackageTypeImage:
			if str(code.ImageUri) == "" {
				return nil, lambdaInvalid("Please provide ImageUri when PackageType is Image.")
			}
			fn.image = str(code.ImageUri)
			sum := sha256.Sum256([]byte(fn.image))
			fn.codeSha = base64.StdEncoding.EncodeToString(sum[:])
		default:
			return nil, lambdaInvalid("1 validation error detected: Value '%s' at 'packageType' failed to satisfy constraint: Member must satisfy enum value set: [Image, Zip]", pkg)
		}
		if !c.lambdaRoleOK(r, fn.role) {
			return nil, lambdaInvalid("The role defined for the function cannot be assumed by Lambda.")
		}
		if st.fns[name] != nil {
			return nil, &lambdatypes.ResourceConflictException{Message: msg("Function already exist: %s", name), Type: ptr("User")}
		}
		for k, v := range in.Tags {
			fn.tags.set(k, v)
		}
		sort.SliceStable(fn.tags, func(i, j int) bool { return fn.tags[i].k < fn.tags[j].k })
		if err := validTags(fn.tags); err != nil {
			return nil, lambdaInvalid("%v", err)
		}
		st.fns[name] = fn
		r.addTaggable(&fn.tagged, fn.arn, "lambda:function")
		// CreateFunction answers the function's configuration: the same fields.
		var out lambda.CreateFunctionOutput
		b, _ := json.Marshal(fn.out(c.w.now))
		if err := json.Unmarshal(b, &out); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

// lambdaRoleOK reports whether arn names an IAM role of r's account.
func (c *lambdaClient) lambdaRoleOK(r *region, arn string) bool {
	prefix := "arn:aws:iam::" + r.account + ":role/"
	if !strings.HasPrefix(arn, prefix) {
		return false
	}
	name := arn[strings.LastIndex(arn, "/")+1:]
	role := r.acct.roles[strings.ToLower(name)]
	return role != nil && role.arn == arn
}

func (fn *lambdaFn) out(now time.Time) *lambdatypes.FunctionConfiguration {
	cfg := &lambdatypes.FunctionConfiguration{
		FunctionName: ptr(fn.name), FunctionArn: ptr(fn.arn), Role: ptr(fn.role), Description: ptr(fn.desc),
		MemorySize: ptr(fn.memory), Timeout: ptr(fn.timeout), CodeSha256: ptr(fn.codeSha), CodeSize: fn.codeSize,
		PackageType: fn.pkg, Architectures: append([]lambdatypes.Architecture(nil), fn.arch...), Version: ptr("$LATEST"),
		LastModified: ptr(fn.created.UTC().Format("2006-01-02T15:04:05.000-0700")), RevisionId: ptr(fn.revision),
		TracingConfig:    &lambdatypes.TracingConfigResponse{Mode: fn.tracing},
		EphemeralStorage: &lambdatypes.EphemeralStorage{Size: ptr(int32(512))},
		LoggingConfig:    &lambdatypes.LoggingConfig{LogFormat: lambdatypes.LogFormatText, LogGroup: ptr("/aws/lambda/" + fn.name)},
	}
	if fn.pkg == lambdatypes.PackageTypeZip {
		cfg.Runtime, cfg.Handler = lambdatypes.Runtime(fn.runtime), ptr(fn.handler)
	}
	if fn.env != nil {
		cfg.Environment = &lambdatypes.EnvironmentResponse{Variables: map[string]string{}}
		for k, v := range fn.env {
			cfg.Environment.Variables[k] = v
		}
	}
	if fn.vpc != nil {
		cfg.VpcConfig = &lambdatypes.VpcConfigResponse{SubnetIds: append([]string(nil), fn.vpc.SubnetIds...),
			SecurityGroupIds: append([]string(nil), fn.vpc.SecurityGroupIds...)}
	}
	if now.Before(fn.created.Add(lambdaPending)) {
		cfg.State, cfg.StateReason, cfg.StateReasonCode = lambdatypes.StatePending, ptr("The function is being created."), lambdatypes.StateReasonCodeCreating
	} else {
		cfg.State, cfg.LastUpdateStatus = lambdatypes.StateActive, lambdatypes.LastUpdateStatusSuccessful
	}
	return cfg
}

// GetFunction describes a function ($LATEST), its code location and its tags.
func (c *lambdaClient) GetFunction(ctx context.Context, in *lambda.GetFunctionInput, _ ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error) {
	return do(ctx, c.base, "lambda", "GetFunction", in, func(r *region) (*lambda.GetFunctionOutput, error) {
		if in == nil {
			in = &lambda.GetFunctionInput{}
		}
		st := lambdaOf(r)
		name, qual, err := st.resolve(r, str(in.FunctionName))
		if err != nil {
			return nil, err
		}
		if q := str(in.Qualifier); q != "" {
			qual = q
		}
		fn := st.fns[name]
		if fn == nil || (qual != "" && qual != "$LATEST") {
			arn := r.arn("lambda", "function:"+name)
			if qual != "" {
				arn += ":" + qual
			}
			return nil, lambdaNotFound(arn)
		}
		out := &lambda.GetFunctionOutput{Configuration: fn.out(c.w.now), Tags: map[string]string{}}
		if fn.pkg == lambdatypes.PackageTypeImage {
			out.Code = &lambdatypes.FunctionCodeLocation{RepositoryType: ptr("ECR"), ImageUri: ptr(fn.image), ResolvedImageUri: ptr(fn.image)}
		} else {
			out.Code = &lambdatypes.FunctionCodeLocation{RepositoryType: ptr("S3"),
				Location: ptr("https://awslambda-" + r.name + "-tasks.s3." + r.name + ".amazonaws.com/snapshots/" + r.account + "/" + fn.name + "-" + fn.revision)}
		}
		for _, t := range fn.tags {
			out.Tags[t.k] = t.v
		}
		return out, nil
	})
}

// ListFunctions lists functions by name, MaxItems (≤10000, default 50) per page.
func (c *lambdaClient) ListFunctions(ctx context.Context, in *lambda.ListFunctionsInput, _ ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error) {
	return do(ctx, c.base, "lambda", "ListFunctions", in, func(r *region) (*lambda.ListFunctionsOutput, error) {
		if in == nil {
			in = &lambda.ListFunctionsInput{}
		}
		limit := int(i32(in.MaxItems, 50))
		if limit < 1 || limit > 10000 {
			return nil, lambdaInvalid("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000", limit)
		}
		after, ok := readToken(in.Marker)
		if !ok {
			return nil, lambdaInvalid("Invalid Marker: %s", str(in.Marker))
		}
		st := lambdaOf(r)
		var names []string
		for n := range st.fns {
			if n > after {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		out := &lambda.ListFunctionsOutput{Functions: []lambdatypes.FunctionConfiguration{}}
		for i, n := range names {
			if i == limit {
				out.NextMarker = pageToken(names[i-1])
				break
			}
			out.Functions = append(out.Functions, *st.fns[n].out(c.w.now))
		}
		return out, nil
	})
}

// DeleteFunction deletes a function (a version qualifier other than the function's
// own is not found; $LATEST cannot be deleted on its own).
func (c *lambdaClient) DeleteFunction(ctx context.Context, in *lambda.DeleteFunctionInput, _ ...func(*lambda.Options)) (*lambda.DeleteFunctionOutput, error) {
	return do(ctx, c.base, "lambda", "DeleteFunction", in, func(r *region) (*lambda.DeleteFunctionOutput, error) {
		if in == nil {
			in = &lambda.DeleteFunctionInput{}
		}
		st := lambdaOf(r)
		name, qual, err := st.resolve(r, str(in.FunctionName))
		if err != nil {
			return nil, err
		}
		if q := str(in.Qualifier); q != "" {
			qual = q
		}
		if qual == "$LATEST" {
			return nil, lambdaInvalid("$LATEST version cannot be deleted without deleting the function.")
		}
		fn := st.fns[name]
		if fn == nil || qual != "" {
			arn := r.arn("lambda", "function:"+name)
			if qual != "" {
				arn += ":" + qual
			}
			return nil, lambdaNotFound(arn)
		}
		fn.dead = true
		delete(st.fns, name)
		return &lambda.DeleteFunctionOutput{StatusCode: 204}, nil
	})
}

// ListTags lists a function's tags by its ARN.
func (c *lambdaClient) ListTags(ctx context.Context, in *lambda.ListTagsInput, _ ...func(*lambda.Options)) (*lambda.ListTagsOutput, error) {
	return do(ctx, c.base, "lambda", "ListTags", in, func(r *region) (*lambda.ListTagsOutput, error) {
		if in == nil {
			in = &lambda.ListTagsInput{}
		}
		arn := str(in.Resource)
		if !strings.HasPrefix(arn, "arn:") {
			return nil, lambdaInvalid("1 validation error detected: Value '%s' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern", arn)
		}
		st := lambdaOf(r)
		name, qual, err := st.resolve(r, arn)
		if err != nil {
			return nil, err
		}
		fn := st.fns[name]
		if fn == nil || qual != "" {
			return nil, lambdaNotFound(arn)
		}
		out := &lambda.ListTagsOutput{Tags: map[string]string{}}
		for _, t := range fn.tags {
			out.Tags[t.k] = t.v
		}
		return out, nil
	})
}
