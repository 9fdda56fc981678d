package sim

// SNS topic attributes (Lab 1: the access policy S3 needs to publish):
//   - GetTopicAttributes answers Policy (AWS's default policy until one is set:
//     the owner account may act, on the condition AWS:SourceOwner — which no
//     service principal sends, so S3 may not publish), Owner, TopicArn,
//     DisplayName, SubscriptionsConfirmed/Pending/Deleted, EffectiveDeliveryPolicy
//     and the attributes given to CreateTopic or SetTopicAttributes;
//   - SetTopicAttributes sets one settable attribute; Policy must be a JSON
//     policy document. An unknown name is InvalidParameter.
//
// Not modelled: delivery policies' effect, KMS, data protection and archive
// policies (stored, not acted on).

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// snsSettable are the topic attributes SetTopicAttributes accepts.
var snsSettable = map[string]bool{"Policy": true, "DisplayName": true, "DeliveryPolicy": true, "TracingConfig": true,
	"KmsMasterKeyId": true, "SignatureVersion": true, "ContentBasedDeduplication": true, "ArchivePolicy": true,
	"FifoThroughputScope": true, "DataProtectionPolicy": true, "HTTPSuccessFeedbackRoleArn": true, "HTTPFailureFeedbackRoleArn": true,
	"LambdaSuccessFeedbackRoleArn": true, "LambdaFailureFeedbackRoleArn": true, "SQSSuccessFeedbackRoleArn": true, "SQSFailureFeedbackRoleArn": true}

// snsDefaultPolicy is the access policy SNS gives a new topic.
func snsDefaultPolicy(topicArn, account string) string {
	doc := map[string]any{"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": []any{map[string]any{
		"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": map[string]any{"AWS": "*"},
		"Action": []string{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
			"SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"},
		"Resource":  topicArn,
		"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceOwner": account}}}}}
	b, _ := json.Marshal(doc)
	return string(b)
}

// policy is the topic's access policy document.
func (t *snsTopic) policy(account string) string {
	if p := t.attrs["Policy"]; p != "" {
		return p
	}
	return snsDefaultPolicy(t.arn, account)
}

// GetTopicAttributes answers a topic's attributes.
func (c *snsClient) GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	return do(ctx, c.base, "sns", "GetTopicAttributes", in, func(r *region) (*sns.GetTopicAttributesOutput, error) {
		st := snsOf(r)
		st.expire(r.w.now)
		if in == nil {
			in = &sns.GetTopicAttributesInput{}
		}
		t, err := st.topic(str(in.TopicArn), "TopicArn")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for k, v := range t.attrs {
			m[k] = v
		}
		confirmed, pending := 0, 0
		for _, s := range t.subs {
			if s.pending {
				pending++
			} else {
				confirmed++
			}
		}
		m["Policy"] = t.policy(r.account)
		m["Owner"] = r.account
		m["TopicArn"] = t.arn
		if _, ok := m["DisplayName"]; !ok {
			m["DisplayName"] = ""
		}
		m["SubscriptionsConfirmed"] = strconv.Itoa(confirmed)
		m["SubscriptionsPending"] = strconv.Itoa(pending)
		m["SubscriptionsDeleted"] = "0"
		m["EffectiveDeliveryPolicy"] = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`
		return &sns.GetTopicAttributesOutput{Attributes: m}, nil
	})
}

// SetTopicAttributes sets one attribute of a topic.
func (c *snsClient) SetTopicAttributes(ctx context.Context, in *sns.SetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.SetTopicAttributesOutput, error) {
	return do(ctx, c.base, "sns", "SetTopicAttributes", in, func(r *region) (*sns.SetTopicAttributesOutput, error) {
		st := snsOf(r)
		st.expire(r.w.now)
		if in == nil {
			in = &sns.SetTopicAttributesInput{}
		}
		t, err := st.topic(str(in.TopicArn), "TopicArn")
		if err != nil {
			return nil, err
		}
		name, value := str(in.AttributeName), str(in.AttributeValue)
		if !snsSettable[name] {
			return nil, snsInvalid("Invalid parameter: AttributeName")
		}
		if name == "ContentBasedDeduplication" && t.attrs["FifoTopic"] != "true" {
			return nil, snsInvalid("Invalid parameter: ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics")
		}
		if name == "Policy" {
			var doc struct {
				Statement json.RawMessage `json:"Statement"`
			}
			if value == "" || json.Unmarshal([]byte(value), &doc) != nil || len(doc.Statement) == 0 {
				return nil, snsInvalid("Invalid parameter: Policy Error: null")
			}
		}
		t.attrs[name] = value
		return &sns.SetTopicAttributesOutput{}, nil
	})
}
