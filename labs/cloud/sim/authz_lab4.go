package sim

// IAM resource models of Lab 4's calls (the Service Authorization Reference's
// resource types): S3 bucket-level calls name arn:aws:s3:::BUCKET ("bucket"),
// GetObject arn:aws:s3:::BUCKET/KEY ("object"), ListObjectsV2 (s3:ListBucket) the
// bucket with its s3:prefix and s3:max-keys; Lambda calls the function's ARN
// ("function") whatever form FunctionName takes; DynamoDB item calls each table
// they touch ("table"); FilterLogEvents the group as arn:…:log-group:NAME:*
// ("log-group"); Cognito identity pool calls the pool's ARN ("identitypool"),
// CreateIdentityPool its IdentityPoolTags, and SetIdentityPoolRoles needs
// iam:PassRole on each role it sets.

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The writes a virtual student makes as a sandbox role to build Lab 4 (bucket,
// objects, function, table, log group), modelled so that the role's policy
// decides them instead of the simulator failing closed.
func init() {
	model(func(x *authzCall) error {
		switch in := x.call.Input.(type) {
		case *s3.CreateBucketInput:
			if cfg := in.CreateBucketConfiguration; cfg != nil {
				tags := map[string]string{}
				for _, t := range cfg.Tags {
					tags[str(t.Key)] = str(t.Value)
				}
				x.requestTags(tags)
			}
			x.on("arn:aws:s3:::"+str(in.Bucket), "bucket")
		case *s3.DeleteBucketInput:
			x.on("arn:aws:s3:::"+str(in.Bucket), "bucket")
		case *s3.PutBucketTaggingInput:
			x.on("arn:aws:s3:::"+str(in.Bucket), "bucket")
		case *s3.PutBucketVersioningInput:
			x.on("arn:aws:s3:::"+str(in.Bucket), "bucket")
		case *s3.PutObjectInput:
			x.on("arn:aws:s3:::"+str(in.Bucket)+"/"+str(in.Key), "object")
		case *s3.DeleteObjectsInput:
			if in.Delete != nil {
				for _, o := range in.Delete.Objects {
					x.on("arn:aws:s3:::"+str(in.Bucket)+"/"+str(o.Key), "object")
				}
			}
		}
		return nil
	}, "s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketTagging", "s3:PutBucketVersioning", "s3:PutObject", "s3:DeleteObject")
	model(func(x *authzCall) error {
		switch in := x.call.Input.(type) {
		case *lambda.CreateFunctionInput:
			x.requestTags(in.Tags)
			x.on(x.r.arn("lambda", "function:"+str(in.FunctionName)), "function")
			if role := str(in.Role); role != "" {
				x.also("iam:PassRole", role, "role", map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}})
			}
		case *lambda.DeleteFunctionInput:
			x.on(x.functionARN(str(in.FunctionName)), "function")
		}
		return nil
	}, "lambda:CreateFunction", "lambda:DeleteFunction")
	model(func(x *authzCall) error {
		switch in := x.call.Input.(type) {
		case *dynamodb.CreateTableInput:
			tags := map[string]string{}
			for _, t := range in.Tags {
				tags[str(t.Key)] = str(t.Value)
			}
			x.requestTags(tags)
			x.on(x.r.arn("dynamodb", "table/"+str(in.TableName)), "table")
		case *dynamodb.UpdateTableInput:
			x.on(x.r.arn("dynamodb", "table/"+str(in.TableName)), "table")
		case *dynamodb.DeleteTableInput:
			x.on(x.r.arn("dynamodb", "table/"+str(in.TableName)), "table")
		}
		return nil
	}, "dynamodb:CreateTable", "dynamodb:UpdateTable", "dynamodb:DeleteTable")
	model(func(x *authzCall) error {
		switch in := x.call.Input.(type) {
		case *cloudwatchlogs.CreateLogGroupInput:
			x.requestTags(in.Tags)
			x.on(x.r.arn("logs", "log-group:"+str(in.LogGroupName)+":*"), "log-group")
		case *cloudwatchlogs.DeleteLogGroupInput:
			x.on(x.r.arn("logs", "log-group:"+str(in.LogGroupName)+":*"), "log-group")
		}
		return nil
	}, "logs:CreateLogGroup", "logs:DeleteLogGroup")
}

func init() {
	// S3
	model(func(x *authzCall) error {
		var bucket string
		switch in := x.call.Input.(type) {
		case *s3.PutBucketWebsiteInput:
			bucket = str(in.Bucket)
		case *s3.GetBucketWebsiteInput:
			bucket = str(in.Bucket)
		case *s3.DeleteBucketWebsiteInput:
			bucket = str(in.Bucket)
		case *s3.PutBucketPolicyInput:
			bucket = str(in.Bucket)
		case *s3.GetBucketPolicyInput:
			bucket = str(in.Bucket)
		case *s3.DeleteBucketPolicyInput:
			bucket = str(in.Bucket)
		case *s3.PutPublicAccessBlockInput:
			bucket = str(in.Bucket)
		case *s3.GetPublicAccessBlockInput:
			bucket = str(in.Bucket)
		case *s3.GetBucketPolicyStatusInput:
			bucket = str(in.Bucket)
		case *s3.ListObjectsV2Input:
			bucket = str(in.Bucket)
			x.keys["s3:prefix"] = []string{str(in.Prefix)}
			if in.MaxKeys != nil {
				x.keys["s3:max-keys"] = []string{fmt.Sprint(*in.MaxKeys)}
			}
		case *s3.GetObjectInput:
			x.on("arn:aws:s3:::"+str(in.Bucket)+"/"+str(in.Key), "object")
			return nil
		}
		x.on("arn:aws:s3:::"+bucket, "bucket")
		return nil
	}, "s3:PutBucketWebsite", "s3:GetBucketWebsite", "s3:DeleteBucketWebsite", "s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy",
		"s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock", "s3:GetBucketPolicyStatus", "s3:ListBucket", "s3:GetObject")

	// Lambda
	model(func(x *authzCall) error {
		var ref string
		switch in := x.call.Input.(type) {
		case *lambda.InvokeInput:
			ref = str(in.FunctionName)
		case *lambda.GetFunctionConfigurationInput:
			ref = str(in.FunctionName)
		case *lambda.AddPermissionInput:
			ref = str(in.FunctionName)
			x.keys["lambda:Principal"] = []string{str(in.Principal)}
		case *lambda.RemovePermissionInput:
			ref = str(in.FunctionName)
		case *lambda.GetPolicyInput:
			ref = str(in.FunctionName)
		}
		x.on(x.functionARN(ref), "function")
		return nil
	}, "lambda:InvokeFunction", "lambda:GetFunctionConfiguration", "lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy")

	// DynamoDB
	model(func(x *authzCall) error {
		table := func(name string) { x.on(x.r.arn("dynamodb", "table/"+name), "table") }
		switch in := x.call.Input.(type) {
		case *dynamodb.GetItemInput:
			table(str(in.TableName))
		case *dynamodb.PutItemInput:
			table(str(in.TableName))
		case *dynamodb.ScanInput:
			if in.Select != "" {
				x.keys["dynamodb:Select"] = []string{string(in.Select)}
			}
			table(str(in.TableName))
		case *dynamodb.BatchWriteItemInput:
			for _, name := range sortedKeys(in.RequestItems) {
				table(name)
			}
		}
		return nil
	}, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:BatchWriteItem")

	// CloudWatch Logs
	model(func(x *authzCall) error {
		in, _ := x.call.Input.(*cloudwatchlogs.FilterLogEventsInput)
		if in == nil {
			return nil
		}
		name := str(in.LogGroupName)
		if id := str(in.LogGroupIdentifier); id != "" {
			if i := strings.Index(id, ":log-group:"); strings.HasPrefix(id, "arn:") && i >= 0 {
				name = strings.TrimSuffix(id[i+len(":log-group:"):], ":*")
			} else {
				name = id
			}
		}
		x.on(x.r.arn("logs", "log-group:"+name+":*"), "log-group")
		return nil
	}, "logs:FilterLogEvents")

	// Cognito identity pools
	model(func(x *authzCall) error {
		pool := func(id string) { x.on(x.r.arn("cognito-identity", "identitypool/"+id), "identitypool") }
		switch in := x.call.Input.(type) {
		case *ci.CreateIdentityPoolInput:
			x.requestTags(in.IdentityPoolTags)
		case *ci.DescribeIdentityPoolInput:
			pool(str(in.IdentityPoolId))
		case *ci.UpdateIdentityPoolInput:
			pool(str(in.IdentityPoolId))
		case *ci.DeleteIdentityPoolInput:
			pool(str(in.IdentityPoolId))
		case *ci.GetIdentityPoolRolesInput:
			pool(str(in.IdentityPoolId))
		case *ci.SetIdentityPoolRolesInput:
			for _, k := range sortedKeys(in.Roles) {
				x.also("iam:PassRole", in.Roles[k], "role", map[string][]string{"iam:PassedToService": {"cognito-identity.amazonaws.com"}})
			}
		case *ci.ListTagsForResourceInput:
			x.on(str(in.ResourceArn), "identitypool")
		case *ci.TagResourceInput:
			x.requestTags(in.Tags)
			x.on(str(in.ResourceArn), "identitypool")
		}
		return nil
	}, "cognito-identity:CreateIdentityPool", "cognito-identity:DescribeIdentityPool", "cognito-identity:UpdateIdentityPool",
		"cognito-identity:DeleteIdentityPool", "cognito-identity:GetIdentityPoolRoles", "cognito-identity:SetIdentityPoolRoles",
		"cognito-identity:ListTagsForResource", "cognito-identity:TagResource")
}

// functionARN is the ARN a FunctionName (name, ARN or partial ARN) names in the call's region.
func (x *authzCall) functionARN(ref string) string {
	name, qual, err := lambdaOf(x.r).resolve(x.r, ref)
	if err != nil {
		if strings.HasPrefix(ref, "arn:") {
			return ref
		}
		name = ref
	}
	arn := x.r.arn("lambda", "function:"+name)
	if qual != "" {
		arn += ":" + qual
	}
	return arn
}
