package awsprovider_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/labdash/labdash/labs/cloud"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

// TestLab4ClientsReachMoto: the provider's clients for Lab 4's new operations
// (the Cognito identity pool client, S3 website/policy/objects, DynamoDB item
// reads and batch writes, FilterLogEvents) speak their wire protocols to the
// endpoint and are counted. It checks the wiring only: what AWS answers is the
// simulator's business, from AWS's documentation, not moto's.
func TestLab4ClientsReachMoto(t *testing.T) {
	ctx := context.Background()
	counter := cloud.NewCallCounter(nil, "aws")
	p := awstest.NewProvider(t, awsprovider.Options{Counter: counter})
	c, err := p.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := c.CognitoIdentity.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("c42s07_slots"), AllowUnauthenticatedIdentities: true})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.CognitoIdentity.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: pool.IdentityPoolId})
	if err != nil || aws.ToString(d.IdentityPoolName) != "c42s07_slots" {
		t.Fatalf("DescribeIdentityPool: %+v %v", d, err)
	}
	if _, err := c.CognitoIdentity.GetId(ctx, &ci.GetIdInput{IdentityPoolId: pool.IdentityPoolId}); err != nil {
		t.Errorf("GetId: %v", err)
	}

	bucket := aws.String("c42s07-slots-site")
	if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.S3.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: bucket,
		WebsiteConfiguration: &s3types.WebsiteConfiguration{IndexDocument: &s3types.IndexDocument{Suffix: aws.String("index.html")}}}); err != nil {
		t.Fatal(err)
	}
	ws, err := c.S3.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: bucket})
	if err != nil || aws.ToString(ws.IndexDocument.Suffix) != "index.html" {
		t.Errorf("GetBucketWebsite: %+v %v", ws, err)
	}
	if _, err := c.S3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: bucket,
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bucket}); err != nil {
		t.Errorf("GetPublicAccessBlock: %v", err)
	}
	if _, err := c.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("index.html"), Body: strings.NewReader("<html>slots</html>")}); err != nil {
		t.Fatal(err)
	}
	obj, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("index.html")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(obj.Body)
	if string(body) != "<html>slots</html>" {
		t.Errorf("GetObject: %q", body)
	}
	list, err := c.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket})
	if err != nil || aws.ToInt32(list.KeyCount) != 1 {
		t.Errorf("ListObjectsV2: %+v %v", list, err)
	}

	table := aws.String("c42s07-slotWheels")
	if _, err := c.DynamoDB.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: table, BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("slotPosition"), AttributeType: ddbtypes.ScalarAttributeTypeN}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("slotPosition"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	item := map[string]ddbtypes.AttributeValue{"slotPosition": &ddbtypes.AttributeValueMemberN{Value: "0"}, "imageFile": &ddbtypes.AttributeValueMemberS{Value: "cherry.svg"}}
	if _, err := c.DynamoDB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{*table: {{PutRequest: &ddbtypes.PutRequest{Item: item}}}}}); err != nil {
		t.Fatal(err)
	}
	n, err := c.DynamoDB.Scan(ctx, &dynamodb.ScanInput{TableName: table, Select: ddbtypes.SelectCount})
	if err != nil || n.Count != 1 {
		t.Errorf("Scan COUNT: %+v %v", n, err)
	}
	got, err := c.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: map[string]ddbtypes.AttributeValue{"slotPosition": &ddbtypes.AttributeValueMemberN{Value: "0"}}})
	if err != nil || got.Item == nil {
		t.Errorf("GetItem: %+v %v", got, err)
	}

	if _, err := c.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/c42s07-slotPull")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/c42s07-slotPull")}); err != nil {
		t.Errorf("FilterLogEvents: %v", err)
	}
	for _, op := range [][2]string{{"cognito-identity", "GetId"}, {"s3", "GetObject"}, {"dynamodb", "BatchWriteItem"}, {"logs", "FilterLogEvents"}} {
		if counter.Count(op[0], op[1]) != 1 {
			t.Errorf("%s:%s counted %d times", op[0], op[1], counter.Count(op[0], op[1]))
		}
	}
}
