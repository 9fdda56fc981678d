package sim

// IAM resource models of the SQS calls that name a queue (by URL or name): the
// queue's ARN arn:aws:sqs:REGION:ACCOUNT:NAME, type "queue" in the Service
// Authorization Reference. DeleteMessageBatch is authorized as sqs:DeleteMessage
// (authz.ActionOf).

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func init() {
	model(func(x *authzCall) error {
		queue := func(url string) string { return x.r.arn("sqs", url[strings.LastIndex(url, "/")+1:]) }
		switch in := x.call.Input.(type) {
		case *sqs.CreateQueueInput:
			x.requestTags(in.Tags)
			x.on(x.r.arn("sqs", str(in.QueueName)), "queue")
		case *sqs.DeleteQueueInput:
			x.on(queue(str(in.QueueUrl)), "queue")
		case *sqs.DeleteMessageBatchInput:
			x.on(queue(str(in.QueueUrl)), "queue")
		case *sqs.SetQueueAttributesInput:
			x.on(queue(str(in.QueueUrl)), "queue")
		case *sqs.TagQueueInput:
			x.requestTags(in.Tags)
			x.on(queue(str(in.QueueUrl)), "queue")
		}
		return nil
	}, "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:DeleteMessage", "sqs:SetQueueAttributes", "sqs:TagQueue")
}
