package awsprovider_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rktypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/labdash/labdash/labs/cloud"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

// TestLab1PipelineClientsReachMoto: the provider's clients for Lab 1's pipeline
// operations (SNS topic attributes, S3 notification configuration, the new
// Rekognition client) speak their wire protocols to the endpoint and are
// counted. Wiring only: what AWS answers is the simulator's business.
func TestLab1PipelineClientsReachMoto(t *testing.T) {
	ctx := context.Background()
	counter := cloud.NewCallCounter(nil, "aws")
	p := awstest.NewProvider(t, awsprovider.Options{Counter: counter})
	c, err := p.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	top, err := c.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("c42s07-photos-topic")})
	if err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"SNS:Publish","Resource":"` + aws.ToString(top.TopicArn) + `"}]}`
	if _, err := c.SNS.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: top.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	attrs, err := c.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: top.TopicArn})
	if err != nil || !strings.Contains(attrs.Attributes["Policy"], "s3.amazonaws.com") {
		t.Errorf("GetTopicAttributes: %+v %v", attrs, err)
	}
	bucket := aws.String("c42s07-photos")
	if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.S3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: bucket,
		NotificationConfiguration: &s3types.NotificationConfiguration{TopicConfigurations: []s3types.TopicConfiguration{{
			TopicArn: top.TopicArn, Events: []s3types.Event{"s3:ObjectCreated:*"}}}}}); err != nil {
		t.Fatal(err)
	}
	n, err := c.S3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: bucket})
	if err != nil || len(n.TopicConfigurations) != 1 || aws.ToString(n.TopicConfigurations[0].TopicArn) != aws.ToString(top.TopicArn) {
		t.Errorf("GetBucketNotificationConfiguration: %+v %v", n, err)
	}
	if _, err := c.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("photos/cat.jpg"), Body: strings.NewReader("\xFF\xD8\xFF\xE0")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Rekognition.DetectLabels(ctx, &rekognition.DetectLabelsInput{Image: &rktypes.Image{S3Object: &rktypes.S3Object{Bucket: bucket, Name: aws.String("photos/cat.jpg")}}}); err != nil {
		t.Errorf("DetectLabels: %v", err)
	}
	for _, op := range [][2]string{{"sns", "GetTopicAttributes"}, {"s3", "PutBucketNotificationConfiguration"}, {"rekognition", "DetectLabels"}} {
		if counter.Count(op[0], op[1]) != 1 {
			t.Errorf("%s:%s counted %d times", op[0], op[1], counter.Count(op[0], op[1]))
		}
	}
}
