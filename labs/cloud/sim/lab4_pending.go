package sim

// Lab 4's operations that the simulator does not serve yet: each answers an
// AWS-shaped NotImplemented error through do (counted and authorized as the
// served ones are), so the seam compiles while the simulation is written.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// notYet is the answer of an operation the simulator does not serve yet.
func notYet(service, op string) error {
	return apiError("NotImplemented", "%s %s is not implemented in the simulator yet", service, op)
}

func (c *s3Client) PutBucketWebsite(ctx context.Context, in *s3.PutBucketWebsiteInput, _ ...func(*s3.Options)) (*s3.PutBucketWebsiteOutput, error) {
	return do(ctx, c.base, "s3", "PutBucketWebsite", in, func(*region) (*s3.PutBucketWebsiteOutput, error) { return nil, notYet("s3", "PutBucketWebsite") })
}

func (c *s3Client) GetBucketWebsite(ctx context.Context, in *s3.GetBucketWebsiteInput, _ ...func(*s3.Options)) (*s3.GetBucketWebsiteOutput, error) {
	return do(ctx, c.base, "s3", "GetBucketWebsite", in, func(*region) (*s3.GetBucketWebsiteOutput, error) { return nil, notYet("s3", "GetBucketWebsite") })
}

func (c *s3Client) DeleteBucketWebsite(ctx context.Context, in *s3.DeleteBucketWebsiteInput, _ ...func(*s3.Options)) (*s3.DeleteBucketWebsiteOutput, error) {
	return do(ctx, c.base, "s3", "DeleteBucketWebsite", in, func(*region) (*s3.DeleteBucketWebsiteOutput, error) { return nil, notYet("s3", "DeleteBucketWebsite") })
}

func (c *s3Client) PutBucketPolicy(ctx context.Context, in *s3.PutBucketPolicyInput, _ ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error) {
	return do(ctx, c.base, "s3", "PutBucketPolicy", in, func(*region) (*s3.PutBucketPolicyOutput, error) { return nil, notYet("s3", "PutBucketPolicy") })
}

func (c *s3Client) GetBucketPolicy(ctx context.Context, in *s3.GetBucketPolicyInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	return do(ctx, c.base, "s3", "GetBucketPolicy", in, func(*region) (*s3.GetBucketPolicyOutput, error) { return nil, notYet("s3", "GetBucketPolicy") })
}

func (c *s3Client) DeleteBucketPolicy(ctx context.Context, in *s3.DeleteBucketPolicyInput, _ ...func(*s3.Options)) (*s3.DeleteBucketPolicyOutput, error) {
	return do(ctx, c.base, "s3", "DeleteBucketPolicy", in, func(*region) (*s3.DeleteBucketPolicyOutput, error) { return nil, notYet("s3", "DeleteBucketPolicy") })
}

func (c *s3Client) PutPublicAccessBlock(ctx context.Context, in *s3.PutPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error) {
	return do(ctx, c.base, "s3", "PutPublicAccessBlock", in, func(*region) (*s3.PutPublicAccessBlockOutput, error) {
		return nil, notYet("s3", "PutPublicAccessBlock")
	})
}

func (c *s3Client) GetPublicAccessBlock(ctx context.Context, in *s3.GetPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error) {
	return do(ctx, c.base, "s3", "GetPublicAccessBlock", in, func(*region) (*s3.GetPublicAccessBlockOutput, error) {
		return nil, notYet("s3", "GetPublicAccessBlock")
	})
}

func (c *s3Client) GetBucketPolicyStatus(ctx context.Context, in *s3.GetBucketPolicyStatusInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyStatusOutput, error) {
	return do(ctx, c.base, "s3", "GetBucketPolicyStatus", in, func(*region) (*s3.GetBucketPolicyStatusOutput, error) {
		return nil, notYet("s3", "GetBucketPolicyStatus")
	})
}

func (c *s3Client) GetObject(ctx context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return do(ctx, c.base, "s3", "GetObject", in, func(*region) (*s3.GetObjectOutput, error) { return nil, notYet("s3", "GetObject") })
}

func (c *s3Client) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	return do(ctx, c.base, "s3", "ListObjectsV2", in, func(*region) (*s3.ListObjectsV2Output, error) { return nil, notYet("s3", "ListObjectsV2") })
}

func (c *cognitoIdentityClient) CreateIdentityPool(ctx context.Context, in *cognitoidentity.CreateIdentityPoolInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.CreateIdentityPoolOutput, error) {
	return do(ctx, c.base, "cognito-identity", "CreateIdentityPool", in, func(*region) (*cognitoidentity.CreateIdentityPoolOutput, error) {
		return nil, notYet("cognito-identity", "CreateIdentityPool")
	})
}

func (c *cognitoIdentityClient) DescribeIdentityPool(ctx context.Context, in *cognitoidentity.DescribeIdentityPoolInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.DescribeIdentityPoolOutput, error) {
	return do(ctx, c.base, "cognito-identity", "DescribeIdentityPool", in, func(*region) (*cognitoidentity.DescribeIdentityPoolOutput, error) {
		return nil, notYet("cognito-identity", "DescribeIdentityPool")
	})
}

func (c *cognitoIdentityClient) UpdateIdentityPool(ctx context.Context, in *cognitoidentity.UpdateIdentityPoolInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.UpdateIdentityPoolOutput, error) {
	return do(ctx, c.base, "cognito-identity", "UpdateIdentityPool", in, func(*region) (*cognitoidentity.UpdateIdentityPoolOutput, error) {
		return nil, notYet("cognito-identity", "UpdateIdentityPool")
	})
}

func (c *cognitoIdentityClient) DeleteIdentityPool(ctx context.Context, in *cognitoidentity.DeleteIdentityPoolInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.DeleteIdentityPoolOutput, error) {
	return do(ctx, c.base, "cognito-identity", "DeleteIdentityPool", in, func(*region) (*cognitoidentity.DeleteIdentityPoolOutput, error) {
		return nil, notYet("cognito-identity", "DeleteIdentityPool")
	})
}

func (c *cognitoIdentityClient) ListIdentityPools(ctx context.Context, in *cognitoidentity.ListIdentityPoolsInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.ListIdentityPoolsOutput, error) {
	return do(ctx, c.base, "cognito-identity", "ListIdentityPools", in, func(*region) (*cognitoidentity.ListIdentityPoolsOutput, error) {
		return nil, notYet("cognito-identity", "ListIdentityPools")
	})
}

func (c *cognitoIdentityClient) SetIdentityPoolRoles(ctx context.Context, in *cognitoidentity.SetIdentityPoolRolesInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.SetIdentityPoolRolesOutput, error) {
	return do(ctx, c.base, "cognito-identity", "SetIdentityPoolRoles", in, func(*region) (*cognitoidentity.SetIdentityPoolRolesOutput, error) {
		return nil, notYet("cognito-identity", "SetIdentityPoolRoles")
	})
}

func (c *cognitoIdentityClient) GetIdentityPoolRoles(ctx context.Context, in *cognitoidentity.GetIdentityPoolRolesInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.GetIdentityPoolRolesOutput, error) {
	return do(ctx, c.base, "cognito-identity", "GetIdentityPoolRoles", in, func(*region) (*cognitoidentity.GetIdentityPoolRolesOutput, error) {
		return nil, notYet("cognito-identity", "GetIdentityPoolRoles")
	})
}

func (c *cognitoIdentityClient) GetId(ctx context.Context, in *cognitoidentity.GetIdInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.GetIdOutput, error) {
	return do(ctx, c.base, "cognito-identity", "GetId", in, func(*region) (*cognitoidentity.GetIdOutput, error) { return nil, notYet("cognito-identity", "GetId") })
}

func (c *cognitoIdentityClient) GetCredentialsForIdentity(ctx context.Context, in *cognitoidentity.GetCredentialsForIdentityInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
	return do(ctx, c.base, "cognito-identity", "GetCredentialsForIdentity", in, func(*region) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
		return nil, notYet("cognito-identity", "GetCredentialsForIdentity")
	})
}

func (c *cognitoIdentityClient) GetOpenIdToken(ctx context.Context, in *cognitoidentity.GetOpenIdTokenInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.GetOpenIdTokenOutput, error) {
	return do(ctx, c.base, "cognito-identity", "GetOpenIdToken", in, func(*region) (*cognitoidentity.GetOpenIdTokenOutput, error) {
		return nil, notYet("cognito-identity", "GetOpenIdToken")
	})
}

func (c *cognitoIdentityClient) ListTagsForResource(ctx context.Context, in *cognitoidentity.ListTagsForResourceInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.ListTagsForResourceOutput, error) {
	return do(ctx, c.base, "cognito-identity", "ListTagsForResource", in, func(*region) (*cognitoidentity.ListTagsForResourceOutput, error) {
		return nil, notYet("cognito-identity", "ListTagsForResource")
	})
}

func (c *cognitoIdentityClient) TagResource(ctx context.Context, in *cognitoidentity.TagResourceInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.TagResourceOutput, error) {
	return do(ctx, c.base, "cognito-identity", "TagResource", in, func(*region) (*cognitoidentity.TagResourceOutput, error) {
		return nil, notYet("cognito-identity", "TagResource")
	})
}

func (c *stsClient) AssumeRoleWithWebIdentity(ctx context.Context, in *sts.AssumeRoleWithWebIdentityInput, _ ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	return do(ctx, c.base, "sts", "AssumeRoleWithWebIdentity", in, func(*region) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return nil, notYet("sts", "AssumeRoleWithWebIdentity")
	})
}

func (c *lambdaClient) Invoke(ctx context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	return do(ctx, c.base, "lambda", "Invoke", in, func(*region) (*lambda.InvokeOutput, error) { return nil, notYet("lambda", "Invoke") })
}

func (c *lambdaClient) GetFunctionConfiguration(ctx context.Context, in *lambda.GetFunctionConfigurationInput, _ ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error) {
	return do(ctx, c.base, "lambda", "GetFunctionConfiguration", in, func(*region) (*lambda.GetFunctionConfigurationOutput, error) {
		return nil, notYet("lambda", "GetFunctionConfiguration")
	})
}

func (c *lambdaClient) AddPermission(ctx context.Context, in *lambda.AddPermissionInput, _ ...func(*lambda.Options)) (*lambda.AddPermissionOutput, error) {
	return do(ctx, c.base, "lambda", "AddPermission", in, func(*region) (*lambda.AddPermissionOutput, error) { return nil, notYet("lambda", "AddPermission") })
}

func (c *lambdaClient) RemovePermission(ctx context.Context, in *lambda.RemovePermissionInput, _ ...func(*lambda.Options)) (*lambda.RemovePermissionOutput, error) {
	return do(ctx, c.base, "lambda", "RemovePermission", in, func(*region) (*lambda.RemovePermissionOutput, error) {
		return nil, notYet("lambda", "RemovePermission")
	})
}

func (c *lambdaClient) GetPolicy(ctx context.Context, in *lambda.GetPolicyInput, _ ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error) {
	return do(ctx, c.base, "lambda", "GetPolicy", in, func(*region) (*lambda.GetPolicyOutput, error) { return nil, notYet("lambda", "GetPolicy") })
}

func (c *ddbClient) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return do(ctx, c.base, "dynamodb", "GetItem", in, func(*region) (*dynamodb.GetItemOutput, error) { return nil, notYet("dynamodb", "GetItem") })
}

func (c *ddbClient) Scan(ctx context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return do(ctx, c.base, "dynamodb", "Scan", in, func(*region) (*dynamodb.ScanOutput, error) { return nil, notYet("dynamodb", "Scan") })
}

func (c *ddbClient) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return do(ctx, c.base, "dynamodb", "BatchWriteItem", in, func(*region) (*dynamodb.BatchWriteItemOutput, error) {
		return nil, notYet("dynamodb", "BatchWriteItem")
	})
}

func (c *logsClient) FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	return do(ctx, c.base, "logs", "FilterLogEvents", in, func(*region) (*cloudwatchlogs.FilterLogEventsOutput, error) {
		return nil, notYet("logs", "FilterLogEvents")
	})
}
