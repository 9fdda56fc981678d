package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// slotsTemplate is a Lab 4 stack: the site bucket (Block Public Access as given),
// its public-read policy, the table, the function and its role, the pool, its
// guest role and the attachment.
func slotsTemplate(bpa string) string {
	return `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Prefix: {Type: String}
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${Prefix}slots-site"
      WebsiteConfiguration: {IndexDocument: index.html}
` + bpa + `
  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Site
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: !Sub "${Site.Arn}/*"}
  Wheels:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${Prefix}slotWheels"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: slotPosition, AttributeType: N}]
      KeySchema: [{AttributeName: slotPosition, KeyType: HASH}]
  ExecRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}]
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Action: "dynamodb:GetItem", Resource: !GetAtt Wheels.Arn}]
  Pull:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub "${Prefix}slotPull"
      Runtime: nodejs22.x
      Handler: index.handler
      Role: !GetAtt ExecRole.Arn
      Code: {ZipFile: "export const handler = async () => ({});"}
      Environment: {Variables: {TABLE: !Ref Wheels}}
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      IdentityPoolName: c42s07_slots
      AllowUnauthenticatedIdentities: true
      AllowClassicFlow: true
  GuestRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Federated: cognito-identity.amazonaws.com}
            Action: "sts:AssumeRoleWithWebIdentity"
            Condition:
              StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref Pool}
              "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": unauthenticated}
      Policies:
        - PolicyName: invoke
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Action: "lambda:InvokeFunction", Resource: !GetAtt Pull.Arn}]
  Roles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles: {unauthenticated: !GetAtt GuestRole.Arn}
Outputs:
  PoolId: {Value: !Ref Pool}
  SiteURL: {Value: !GetAtt Site.WebsiteURL}
`
}

func (e *env) createSlotsStack(name, bpa string) cftypes.Stack {
	e.t.Helper()
	_, err := e.c.CloudFormation.CreateStack(e.ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(slotsTemplate(bpa)),
		Parameters:   []cftypes.Parameter{{ParameterKey: aws.String("Prefix"), ParameterValue: aws.String("c42s07-")}},
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	return e.stack(name)
}

func TestSlotsTemplateDeploysAndPulls(t *testing.T) {
	e := newEnv(t)
	st := e.createSlotsStack("c42s07-slots", "      PublicAccessBlockConfiguration: {BlockPublicAcls: true, IgnorePublicAcls: true}")
	if st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("stack %s: %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	outs := map[string]string{}
	for _, o := range st.Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if outs["SiteURL"] != "http://c42s07-slots-site.s3-website-us-east-1.amazonaws.com" || !strings.HasPrefix(outs["PoolId"], "us-east-1:") {
		t.Fatalf("outputs %v", outs)
	}
	if _, err := e.c.S3.PutObject(e.ctx, &s3.PutObjectInput{Bucket: aws.String("c42s07-slots-site"), Key: aws.String("index.html"),
		Body: strings.NewReader(string(SlotMachinePage(outs["PoolId"], "us-east-1", "c42s07-slotPull", "basic")))}); err != nil {
		t.Fatal(err)
	}
	if got := e.probe(outs["SiteURL"] + "/"); got.Status != 200 || !strings.Contains(got.Body, "Pull the handle") {
		t.Errorf("site: %d %.80q", got.Status, got.Body)
	}
	var reqs []ddbtypes.WriteRequest
	for _, s := range SlotWheel() {
		reqs = append(reqs, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{
			"slotPosition": &ddbtypes.AttributeValueMemberN{Value: fmt.Sprint(s.Position)}, "imageFile": &ddbtypes.AttributeValueMemberS{Value: s.ImageFile}}}})
	}
	if _, err := e.c.DynamoDB.BatchWriteItem(e.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{"c42s07-slotWheels": reqs}}); err != nil {
		t.Fatal(err)
	}
	if got := e.w.Pull(e.ctx, PullRequest{IdentityPoolID: outs["PoolId"], Region: "us-east-1", FunctionName: "c42s07-slotPull", Flow: "basic"}); got.Status != 200 || got.FunctionError != "" {
		t.Errorf("pull on the stack's resources: %+v %s", got, got.Payload)
	}
	// The bucket is not empty: deleting the stack fails on it, as CloudFormation's does.
	if _, err := e.c.CloudFormation.DeleteStack(e.ctx, &cloudformation.DeleteStackInput{StackName: aws.String("c42s07-slots")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if st := e.stack("c42s07-slots"); st.StackStatus != cftypes.StackStatusDeleteFailed {
		t.Errorf("delete with a non-empty bucket: %s", st.StackStatus)
	}
}

func TestSlotsTemplateOnANewBucketFailsOnThePolicy(t *testing.T) {
	e := newEnv(t)
	st := e.createSlotsStack("c42s07-slots", "") // Block Public Access as a new bucket's: all on
	if st.StackStatus == cftypes.StackStatusCreateComplete || !strings.Contains(aws.ToString(st.StackStatusReason)+e.stackEvents("c42s07-slots"), "BlockPublicPolicy") {
		t.Errorf("stack %s: %s; want the bucket policy refused by BlockPublicPolicy", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
}

// stackEvents joins the stack's events' reasons.
func (e *env) stackEvents(name string) string {
	e.t.Helper()
	out, err := e.c.CloudFormation.DescribeStackEvents(e.ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	var b strings.Builder
	for _, ev := range out.StackEvents {
		b.WriteString(aws.ToString(ev.ResourceStatusReason) + "\n")
	}
	return b.String()
}
