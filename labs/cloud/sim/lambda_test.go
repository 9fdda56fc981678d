package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestLambdaLifecycle(t *testing.T) {
	e := newEnv(t)
	c := e.c
	role, err := c.IAM.CreateRole(e.ctx, &iam.CreateRoleInput{RoleName: aws.String("c42s07-slotpull-role"), Path: aws.String("/labdash/c42/s07/"),
		AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	if err != nil {
		t.Fatal(err)
	}
	in := func(name, runtime, roleArn string) *lambda.CreateFunctionInput {
		return &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.Runtime(runtime), Role: aws.String(roleArn),
			Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: []byte("PK\x03\x04zip")},
			Tags: map[string]string{"labdash:class": "c42", "labdash:student": "s07"}}
	}
	if _, err := c.Lambda.CreateFunction(e.ctx, in("c42s07-slotPull", "nodejs22.x", "arn:aws:iam::111122223333:role/nope")); !errorsAs[*lambdatypes.InvalidParameterValueException](err) {
		t.Errorf("unknown role: %v", err)
	}
	if _, err := c.Lambda.CreateFunction(e.ctx, in("c42s07-slotPull", "nodejs12.x", aws.ToString(role.Role.Arn))); !errorsAs[*lambdatypes.InvalidParameterValueException](err) ||
		!strings.Contains(err.Error(), "no longer supported") {
		t.Errorf("deprecated runtime: %v", err)
	}
	out, err := c.Lambda.CreateFunction(e.ctx, in("c42s07-slotPull", "nodejs22.x", aws.ToString(role.Role.Arn)))
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.FunctionArn)
	if arn != "arn:aws:lambda:us-east-1:111122223333:function:c42s07-slotPull" || out.State != lambdatypes.StatePending || aws.ToString(out.CodeSha256) == "" {
		t.Fatalf("created %s %s", arn, out.State)
	}
	if _, err := c.Lambda.CreateFunction(e.ctx, in("c42s07-slotPull", "nodejs22.x", aws.ToString(role.Role.Arn))); !errorsAs[*lambdatypes.ResourceConflictException](err) {
		t.Errorf("duplicate: %v", err)
	}
	e.clock.Advance(10 * time.Second)
	for _, ref := range []string{"c42s07-slotPull", arn, "111122223333:function:c42s07-slotPull"} {
		got, err := c.Lambda.GetFunction(e.ctx, &lambda.GetFunctionInput{FunctionName: aws.String(ref)})
		if err != nil || got.Configuration.State != lambdatypes.StateActive || got.Configuration.LastUpdateStatus != lambdatypes.LastUpdateStatusSuccessful ||
			got.Tags["labdash:class"] != "c42" {
			t.Errorf("get %s: %+v %v", ref, got, err)
		}
	}
	tags, err := c.Lambda.ListTags(e.ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
	if err != nil || tags.Tags["labdash:student"] != "s07" {
		t.Errorf("tags %v %v", tags, err)
	}
	if out, _ := c.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{}); len(out.ResourceTagMappingList) != 1 || aws.ToString(out.ResourceTagMappingList[0].ResourceARN) != arn {
		t.Errorf("tagging API: %+v", out.ResourceTagMappingList)
	}
	if _, err := c.Lambda.DeleteFunction(e.ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(arn), Qualifier: aws.String("$LATEST")}); !errorsAs[*lambdatypes.InvalidParameterValueException](err) {
		t.Errorf("delete $LATEST alone: %v", err)
	}
	if _, err := c.Lambda.DeleteFunction(e.ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("c42s07-slotPull")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Lambda.GetFunction(e.ctx, &lambda.GetFunctionInput{FunctionName: aws.String("c42s07-slotPull")})
	if !errorsAs[*lambdatypes.ResourceNotFoundException](err) || !strings.Contains(err.Error(), "Function not found: "+arn) {
		t.Errorf("deleted function: %v", err)
	}
	if _, err := c.Lambda.DeleteFunction(e.ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("c42s07-slotPull")}); !errorsAs[*lambdatypes.ResourceNotFoundException](err) {
		t.Errorf("second delete: %v", err)
	}
	if out, _ := c.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{}); len(out.ResourceTagMappingList) != 0 {
		t.Errorf("deleted function still in the tagging API")
	}
	// Code from S3 must exist; another region's function is not found.
	e.bucket(c, "c42s07-code", false)
	s3in := in("c42s07-fromS3", "python3.13", aws.ToString(role.Role.Arn))
	s3in.Code = &lambdatypes.FunctionCode{S3Bucket: aws.String("c42s07-code"), S3Key: aws.String("fn.zip")}
	if _, err := c.Lambda.CreateFunction(e.ctx, s3in); !errorsAs[*lambdatypes.InvalidParameterValueException](err) {
		t.Errorf("missing S3 key: %v", err)
	}
	if _, err := c.S3.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String("c42s07-code"), Key: aws.String("fn.zip"), Body: strings.NewReader("zip")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lambda.CreateFunction(e.ctx, s3in); err != nil {
		t.Errorf("code from S3: %v", err)
	}
	eu, _ := e.w.Clients(e.ctx, "", "eu-west-1")
	if _, err := eu.Lambda.GetFunction(e.ctx, &lambda.GetFunctionInput{FunctionName: aws.String("c42s07-fromS3")}); !errorsAs[*lambdatypes.ResourceNotFoundException](err) {
		t.Errorf("other region: %v", err)
	}
	list, err := c.Lambda.ListFunctions(e.ctx, &lambda.ListFunctionsInput{})
	if err != nil || len(list.Functions) != 1 {
		t.Errorf("list: %+v %v", list, err)
	}
}
