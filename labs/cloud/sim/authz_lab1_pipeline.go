package sim

// IAM resource models of Lab 1's calls: a bucket's notification configuration
// names the bucket ("bucket"), a topic's attributes the topic ("topic").
// Rekognition's DetectLabels has no resource type: Resource "*".

import (
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

func init() {
	model(func(x *authzCall) error {
		switch in := x.call.Input.(type) {
		case *s3.GetBucketNotificationConfigurationInput:
			x.on("arn:aws:s3:::"+str(in.Bucket), "bucket")
		case *s3.PutBucketNotificationConfigurationInput:
			x.on("arn:aws:s3:::"+str(in.Bucket), "bucket")
		}
		return nil
	}, "s3:GetBucketNotification", "s3:PutBucketNotification")
	model(func(x *authzCall) error {
		switch in := x.call.Input.(type) {
		case *sns.GetTopicAttributesInput:
			x.on(str(in.TopicArn), "topic")
		case *sns.SetTopicAttributesInput:
			x.on(str(in.TopicArn), "topic")
		}
		return nil
	}, "sns:GetTopicAttributes", "sns:SetTopicAttributes")
}
