package resources

// AWS::SQS::Queue — Lab 1's "print service" queue and Lab 7's signup queue, tagged
// when the dashboard made them, or made by hand with the class prefix (the
// boundary's name fence only lets a student create sqs:…:<class><student>-*);
// and the event mode's class queue labdash-<class>-events (Labs 8 and 9), tagged
// by provisioning and owned by those tags alone.
// Deleted after the SNS subscriptions that deliver into it, so none is left
// pointing at nothing. After DeleteQueue AWS refuses the same name for 60 seconds
// (QueueDeletedRecently), which only matters to whoever re-creates it.
//
// Which URL Delete passes, and why Targets lists exactly it: every SQS call takes
// the queue URL, and the guard only lets DeleteQueue through if that URL is among
// the plan's Targets. Targets sees nothing but the Ref, so Delete must not pass a
// URL it learns at delete time (GetQueueUrl answers with the endpoint's own host:
// sqs.REGION.amazonaws.com on AWS, 127.0.0.1:PORT on moto, and a legacy
// queue.amazonaws.com form elsewhere) — the guard would rightly refuse it. Instead
// both derive the one canonical URL from the ARN alone,
// https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, which AWS accepts whatever
// endpoint the client uses (the account and name in its path identify the queue;
// moto and the simulator do the same). Targets lists it and the ARN, nothing else.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/labdash/labdash/labs/cloud"
)

// sqsGone is SQS's "no such queue": the query-compatible code AWS sends (and the
// SDK reports) and the JSON shape name.
var sqsGone = []NotFound{{Code: "AWS.SimpleQueueService.NonExistentQueue"}, {Code: "QueueDoesNotExist"}}

func init() {
	Register(Type{
		Name: "AWS::SQS::Queue",
		Gone: sqsGone,
		// After the event mode's rules that send to it, as after SNS's subscriptions.
		After: []string{"AWS::SNS::Subscription", "AWS::Events::Rule"},
		Match: func(arn string) bool { return Service(arn) == "sqs" && Resource(arn) != "" },
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			return sqsQueueTags(ctx, c, sqsURL(r.ARN))
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			// Students' queues start with the class id; the event mode's queue is
			// labdash-<class>-events (class-level, owned by its tags alone).
			var found []Candidate
			for _, prefix := range []string{s.ClassID, "labdash-" + s.ClassID + "-"} {
				var token *string
				for {
					out, err := c.SQS.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix), MaxResults: aws.Int32(1000), NextToken: token})
					if err != nil {
						return found, err
					}
					for _, u := range out.QueueUrls {
						if name := Last(u, "/"); strings.HasPrefix(name, prefix) {
							found = append(found, Candidate{ARN: c.ARN("sqs", name), Name: name})
						}
					}
					if token = out.NextToken; aws.ToString(token) == "" {
						break
					}
				}
			}
			return found, nil
		},
		Naming: NamePrefix,
		NameOf: Resource,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.SQS.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(sqsURL(r.ARN))})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, sqsURL(r.ARN)}, nil },
	})
}

// sqsURL is the canonical queue URL of arn:aws:sqs:REGION:ACCOUNT:NAME (see above).
func sqsURL(arn string) string {
	domain := ".amazonaws.com/"
	if strings.HasPrefix(Region(arn), "cn-") {
		domain = ".amazonaws.com.cn/"
	}
	return "https://sqs." + Region(arn) + domain + Account(arn) + "/" + Resource(arn)
}

func sqsQueueTags(ctx context.Context, c *cloud.Clients, url string) (map[string]string, error) {
	out, err := c.SQS.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	if err != nil {
		return nil, err
	}
	if out.Tags == nil {
		return map[string]string{}, nil
	}
	return out.Tags, nil
}
