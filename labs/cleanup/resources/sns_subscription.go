package resources

// AWS::SNS::Subscription — subscriptions cannot carry tags, so the lister finds
// them: every confirmed subscription of a topic the class owns, and every
// subscription (on any topic of the region) whose endpoint is a queue the class
// owns. Unsubscribe removes one; deleted before topics and queues (LABS.md Lab 1:
// "SNS subscriptions, then the topic; SQS DeleteQueue").
//
// A subscription still pending confirmation (an email address nobody confirmed) has
// no ARN in ListSubscriptionsByTopic ("PendingConfirmation") and cannot be
// unsubscribed: AWS answers InvalidParameter. It goes with its topic (DeleteTopic
// removes it; the topic is deleted after every subscription) or by itself after
// 48 hours. So the lister never offers one, and Delete of a pending one that
// reached the plan another way (the ledger keeps ARNs Subscribe returned with
// ReturnSubscriptionArn) reports it done: its topic's deletion finishes it.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:       "AWS::SNS::Subscription",
		Gone:       []NotFound{{Code: "NotFound"}, {Code: "ResourceNotFound"}}, // "Subscription does not exist", or its topic gone
		Match:      isSNSSubscriptionARN,
		Untaggable: true,
		Under:      []string{"AWS::SNS::Topic", "AWS::SQS::Queue"},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var errs []error
			// Subscriptions of the class's topics in this region.
			topics := map[string]bool{}
			queues := map[string]bool{} // the class's queues, in any region of this account
			for _, o := range s.Owned {
				switch {
				case (o.Type == "AWS::SNS::Topic" || isSNSTopicARN(o.ARN)) && o.Account == c.Account && Region(o.ARN) == c.Region:
					topics[o.ARN] = true
					subs, err := snsSubscriptions(ctx, c, o.ARN)
					if isGone("AWS::SNS::Topic", err) {
						continue
					}
					if err != nil {
						errs = append(errs, fmt.Errorf("subscriptions of %s: %w", o.ARN, err))
						continue
					}
					for _, sub := range subs {
						if arn := aws.ToString(sub.SubscriptionArn); isSNSSubscriptionARN(arn) {
							found = append(found, Candidate{ARN: arn, Parents: []Link{{ARN: o.ARN, Tie: "a subscription of the topic"}}})
						}
					}
				case (o.Type == "AWS::SQS::Queue" || Service(o.ARN) == "sqs") && o.Account == c.Account:
					queues[o.ARN] = true
				}
			}
			if len(queues) == 0 {
				return found, errors.Join(errs...)
			}
			// Subscriptions that deliver into the class's queues, on topics it does not own.
			err := snsEachTopic(ctx, c, func(topic string) error {
				if topics[topic] {
					return nil
				}
				subs, err := snsSubscriptions(ctx, c, topic)
				if isGone("AWS::SNS::Topic", err) {
					return nil
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("subscriptions of %s: %w", topic, err))
					return nil // the other topics are still read
				}
				for _, sub := range subs {
					q := aws.ToString(sub.Endpoint)
					if arn := aws.ToString(sub.SubscriptionArn); queues[q] && aws.ToString(sub.Protocol) == "sqs" && isSNSSubscriptionARN(arn) {
						found = append(found, Candidate{ARN: arn, Parents: []Link{{ARN: q, Tie: "it delivers into the queue"}}})
					}
				}
				return nil
			})
			return found, errors.Join(append(errs, err)...)
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.SNS.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(r.ARN)})
			if err == nil || !IsCode(err, "InvalidParameter") {
				return err
			}
			// InvalidParameter: is it a subscription pending confirmation?
			subs, lerr := snsSubscriptions(ctx, c, snsSubscriptionTopic(r.ARN))
			switch {
			case isGone("AWS::SNS::Topic", lerr):
				return fmt.Errorf("%w: its topic is gone, and the subscription with it: %w", ErrGone, lerr)
			case lerr != nil:
				return err
			}
			pending := false
			for _, sub := range subs {
				switch aws.ToString(sub.SubscriptionArn) {
				case r.ARN:
					return err // confirmed, yet refused: AWS's answer stands
				case "PendingConfirmation":
					pending = true
				}
			}
			if !pending {
				return ErrGone // not among its topic's subscriptions any more
			}
			return nil // pending: done here, removed with its topic (deleted after it)
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}

// isSNSSubscriptionARN matches arn:aws:sns:REGION:ACCOUNT:TOPIC:UUID (not the
// "PendingConfirmation" placeholder).
func isSNSSubscriptionARN(arn string) bool {
	return Service(arn) == "sns" && strings.Count(Resource(arn), ":") == 1
}

// snsSubscriptionTopic is the topic ARN a subscription ARN starts with.
func snsSubscriptionTopic(arn string) string { return arn[:strings.LastIndex(arn, ":")] }

// snsSubscriptions lists every subscription of a topic (the topic's Gone reads
// its answer when the topic is gone).
func snsSubscriptions(ctx context.Context, c *cloud.Clients, topic string) ([]snstypes.Subscription, error) {
	var all []snstypes.Subscription
	var token *string
	for {
		out, err := c.SNS.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic), NextToken: token})
		if err != nil {
			return nil, err
		}
		all = append(all, out.Subscriptions...)
		if token = out.NextToken; aws.ToString(token) == "" {
			return all, nil
		}
	}
}
