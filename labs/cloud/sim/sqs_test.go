package sim

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

// errCodeOf is an AWS error's code as the SDK reports it.
func errCodeOf(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestSQSQueueLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c.SQS
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("c42s07-print"), Tags: map[string]string{"labdash:class": "c42"}})
	if err != nil {
		t.Fatal(err)
	}
	url := aws.ToString(out.QueueUrl)
	if want := "https://sqs.us-east-1.amazonaws.com/111122223333/c42s07-print"; url != want {
		t.Fatalf("QueueUrl %s, want %s", url, want)
	}
	// Same name, same attributes: the same URL; different attributes: QueueAlreadyExists.
	again, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("c42s07-print")})
	if err != nil || aws.ToString(again.QueueUrl) != url {
		t.Fatalf("re-create: %v %v", again, err)
	}
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("c42s07-print"), Attributes: map[string]string{"VisibilityTimeout": "60"}})
	var exists *sqstypes.QueueNameExists
	if !errors.As(err, &exists) || errCodeOf(err) != "QueueAlreadyExists" {
		t.Fatalf("different attributes: %v, want QueueAlreadyExists", err)
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil || attrs.Attributes["QueueArn"] != "arn:aws:sqs:us-east-1:111122223333:c42s07-print" || attrs.Attributes["ApproximateNumberOfMessages"] != "0" ||
		attrs.Attributes["VisibilityTimeout"] != "30" {
		t.Fatalf("attributes %v: %v", attrs, err)
	}
	tags, err := c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	if err != nil || tags.Tags["labdash:class"] != "c42" {
		t.Fatalf("tags %v: %v", tags, err)
	}
	got, err := e.c.Tagging.GetResources(ctx, &rgt.GetResourcesInput{ResourceTypeFilters: []string{"sqs"}})
	if err != nil || len(got.ResourceTagMappingList) != 1 || aws.ToString(got.ResourceTagMappingList[0].ResourceARN) != "arn:aws:sqs:us-east-1:111122223333:c42s07-print" {
		t.Fatalf("tagging API: %+v %v", got, err)
	}
	// A legacy URL form names the same queue.
	if _, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String("https://queue.amazonaws.com/111122223333/c42s07-print")}); err != nil {
		t.Fatalf("legacy URL: %v", err)
	}
	if u, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("c42s07-print")}); err != nil || aws.ToString(u.QueueUrl) != url {
		t.Fatalf("GetQueueUrl: %v %v", u, err)
	}

	if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)})
	var nx *sqstypes.QueueDoesNotExist
	if !errors.As(err, &nx) || errCodeOf(err) != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Fatalf("second delete: %v, want NonExistentQueue", err)
	}
	if _, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("c42s07-print")}); errCodeOf(err) != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Fatalf("GetQueueUrl after delete: %v", err)
	}
	got, _ = e.c.Tagging.GetResources(ctx, &rgt.GetResourcesInput{ResourceTypeFilters: []string{"sqs:queue"}})
	if len(got.ResourceTagMappingList) != 0 {
		t.Fatalf("deleted queue still in the tagging API: %+v", got.ResourceTagMappingList)
	}
	// The name is refused for 60 seconds after the deletion.
	e.clock.Advance(59 * time.Second)
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("c42s07-print")})
	var recent *sqstypes.QueueDeletedRecently
	if !errors.As(err, &recent) || errCodeOf(err) != "AWS.SimpleQueueService.QueueDeletedRecently" {
		t.Fatalf("re-create after 59 s: %v, want QueueDeletedRecently", err)
	}
	e.clock.Advance(time.Second)
	if _, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("c42s07-print")}); err != nil {
		t.Fatalf("re-create after 60 s: %v", err)
	}
}

func TestSQSValidationAndListing(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c.SQS
	for _, bad := range []string{"", "has space", strings.Repeat("q", 81), "x.fifo"} {
		if _, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(bad)}); err == nil {
			t.Errorf("CreateQueue(%q) succeeded", bad)
		}
	}
	if _, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("ok.fifo"), Attributes: map[string]string{"FifoQueue": "true"}}); err != nil {
		t.Errorf("FIFO queue: %v", err)
	}
	if _, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q"), Attributes: map[string]string{"Bogus": "1"}}); errCodeOf(err) != "InvalidAttributeName" {
		t.Errorf("unknown attribute: %v", err)
	}
	for _, n := range []string{"c42s01-a", "c42s01-b", "c42s02-a", "other"} {
		if _, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := c.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("c42")})
	if err != nil || len(all.QueueUrls) != 3 || all.NextToken != nil {
		t.Fatalf("ListQueues prefix: %v %v", all, err)
	}
	var urls []string
	var token *string
	for {
		page, err := c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, page.QueueUrls...)
		if token = page.NextToken; token == nil {
			break
		}
	}
	if len(urls) != 5 {
		t.Fatalf("paged ListQueues: %v", urls)
	}
	// Another account's queue URL is not this account's queue.
	if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String("https://sqs.us-east-1.amazonaws.com/999999999999/other")}); errCodeOf(err) != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Errorf("other account's URL: %v", err)
	}
	if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String("not a url")}); errCodeOf(err) != "InvalidAddress" {
		t.Errorf("malformed URL: %v", err)
	}
}
