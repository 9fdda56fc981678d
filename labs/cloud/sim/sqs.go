package sim

// Amazon SQS: standard and FIFO queues with their attributes and tags, as Lab 1
// (the "print service" fanned out from SNS) and Lab 7 (the signup topic's queue)
// use them. Modelled as AWS does it:
//   - CreateQueue returns the queue URL https://sqs.REGION.amazonaws.com/ACCOUNT/NAME;
//     the queue's ARN is arn:aws:sqs:REGION:ACCOUNT:NAME and the tagging API lists
//     it as sqs:queue. Creating an existing name with the same attributes returns
//     the same URL; with different ones it is QueueAlreadyExists. For 60 seconds
//     after a queue is deleted its name cannot be used again
//     (AWS.SimpleQueueService.QueueDeletedRecently). Names are 1–80 characters
//     of letters, digits, hyphens and underscores; FIFO names end in .fifo and
//     need FifoQueue=true;
//   - every call on a queue takes its URL. Any http(s) host is accepted (AWS
//     still answers the legacy queue.amazonaws.com and REGION.queue.amazonaws.com
//     forms); the path must be /ACCOUNT/NAME of this client's account. An unknown
//     queue is AWS.SimpleQueueService.NonExistentQueue (sqstypes.QueueDoesNotExist
//     with the query-compatible code, as the SDK decodes AWS's answer);
//   - GetQueueAttributes answers the names asked for ("All" for every one) with
//     AWS's defaults; ApproximateNumberOfMessages counts what SNS delivered;
//   - ListQueues filters by name prefix; without MaxResults it answers up to 1,000
//     URLs and no token, with MaxResults (1–1,000) it pages.
//
//   - messages arrive through SNS and EventBridge (eventbridge.go, when the
//     queue policy allows the rule). ReceiveMessage returns up to
//     MaxNumberOfMessages (1–10, default 1) visible messages, oldest first, each
//     with a new receipt handle, and hides them for the VisibilityTimeout asked
//     (0–43,200 s) or the queue's; WaitTimeSeconds (0–20) is accepted but the
//     call answers at once (no long polling). DeleteMessageBatch takes 1–10
//     entries with distinct ids and deletes by receipt handle, a stale or unknown
//     one being a failed entry (ReceiptHandleIsInvalid). Messages older than the
//     queue's MessageRetentionPeriod (345,600 s, 4 days, by default) are dropped.
//     A queue holds at most sqsMaxDepth messages here (AWS sets no such count on
//     a standard queue): beyond it the oldest are dropped;
//   - SetQueueAttributes sets the settable attributes (Policy must be JSON);
//     TagQueue adds or replaces tags.
//
// Not modelled: SendMessage and DeleteMessage, delays, dead-letter redrive,
// message attributes, long polling, FIFO ordering and deduplication, access
// from other accounts, the queue policy for SNS deliveries (every SNS delivery
// is allowed) and the "up to 60 seconds" a deletion may take on AWS (here it is
// gone at once).

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	registerService("sqs", func(b base, c *cloud.Clients) { c.SQS = &sqsClient{b} }, everyMinute(17, stepQueueGauges))
}

// sqsClient implements cloud.SQS.
type sqsClient struct{ base }

var _ cloud.SQS = (*sqsClient)(nil)

// sqsDeletedWait is how long a deleted queue's name stays unusable.
const sqsDeletedWait = 60 * time.Second

// sqsState is one region's queues by name, and the names deleted recently.
type sqsState struct {
	queues  map[string]*sqsQueue
	deleted map[string]time.Time // name → when it was deleted
}

type sqsQueue struct {
	tagged
	name, url string
	created   time.Time
	modified  time.Time
	attrs     map[string]string // the settable attributes as given (defaults filled in)
	messages  []sqsMessage
}

// sqsMessage is one message waiting in a queue.
type sqsMessage struct {
	id      string
	raw     string   // the body as sent; or, with note, the notification's message
	note    *snsNote // SNS's envelope around raw, built when the body is read
	sent    time.Time
	hidden  time.Time // invisible until then (received, not yet deleted)
	receipt string    // the latest receive's handle ("" before the first receive)
}

// sqsMaxDepth bounds a simulated queue (the oldest messages beyond it are dropped).
const sqsMaxDepth = 10000

// snsNote is what SNS's envelope adds to a notification's message.
type snsNote struct{ id, topicArn, subject string }

// body is the message's body as a receiver reads it.
func (m sqsMessage) body() string {
	if m.note == nil {
		return m.raw
	}
	return snsEnvelope(m.note.id, m.note.topicArn, m.note.subject, m.raw, m.sent)
}

func sqsOf(r *region) *sqsState {
	return state(r, "sqs", func() *sqsState {
		return &sqsState{queues: map[string]*sqsQueue{}, deleted: map[string]time.Time{}}
	})
}

// sqsQueueURL is the URL AWS hands out for a queue today.
func sqsQueueURL(region, account, name string) string {
	return "https://sqs." + region + ".amazonaws.com/" + account + "/" + name
}

var sqsNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// sqsDefaults are the settable attributes' values when CreateQueue does not give them.
var sqsDefaults = map[string]string{
	"DelaySeconds":                  "0",
	"MaximumMessageSize":            "262144",
	"MessageRetentionPeriod":        "345600",
	"ReceiveMessageWaitTimeSeconds": "0",
	"VisibilityTimeout":             "30",
	"SqsManagedSseEnabled":          "true",
}

// sqsSettable are the attributes CreateQueue accepts (besides the defaults' names).
var sqsSettable = map[string]bool{
	"Policy": true, "RedrivePolicy": true, "RedriveAllowPolicy": true, "FifoQueue": true,
	"ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true,
	"KmsMasterKeyId": true, "KmsDataKeyReusePeriodSeconds": true,
}

// sqsReadOnly are the attributes AWS computes.
var sqsReadOnly = []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
	"ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn"}

func sqsNonExistent() error {
	return &sqstypes.QueueDoesNotExist{Message: ptr("The specified queue does not exist."),
		ErrorCodeOverride: ptr("AWS.SimpleQueueService.NonExistentQueue")}
}

// queueByURL resolves a queue URL in this client's region. The world's lock must be held.
func (c *sqsClient) queueByURL(r *region, raw string) (*sqsQueue, error) {
	if raw == "" {
		return nil, apiError("MissingParameter", "The request must contain the parameter QueueUrl.")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, apiError("InvalidAddress", "The address %s is not valid for this endpoint.", raw)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || parts[0] != r.account {
		return nil, sqsNonExistent()
	}
	q := sqsOf(r).queues[parts[1]]
	if q == nil {
		return nil, sqsNonExistent()
	}
	return q, nil
}

// CreateQueue creates a queue, or returns the URL of an identical existing one.
func (c *sqsClient) CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, _ ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	return do(ctx, c.base, "sqs", "CreateQueue", in, func(r *region) (*sqs.CreateQueueOutput, error) {
		if in == nil || str(in.QueueName) == "" {
			return nil, apiError("MissingParameter", "The request must contain the parameter QueueName.")
		}
		name := str(in.QueueName)
		fifo := strings.HasSuffix(name, ".fifo")
		if !sqsNameRE.MatchString(strings.TrimSuffix(name, ".fifo")) || len(name) > 80 {
			return nil, apiError("InvalidParameterValue", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
		}
		attrs := map[string]string{}
		for k, v := range sqsDefaults {
			attrs[k] = v
		}
		for k, v := range in.Attributes {
			if _, ok := sqsDefaults[k]; !ok && !sqsSettable[k] {
				return nil, &sqstypes.InvalidAttributeName{Message: msg("Unknown Attribute %s.", k)}
			}
			attrs[k] = v
		}
		if fifo != (attrs["FifoQueue"] == "true") {
			return nil, apiError("InvalidParameterValue", "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		if v, ok := in.Attributes["VisibilityTimeout"]; ok {
			if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 43200 {
				return nil, &sqstypes.InvalidAttributeValue{Message: msg("Invalid value for the parameter VisibilityTimeout.")}
			}
		}
		var tags tagList
		for _, k := range sortedKeys(in.Tags) {
			tags.set(k, in.Tags[k])
		}
		if err := validTags(tags); err != nil {
			return nil, apiError("InvalidParameterValue", "%v", err)
		}
		st := sqsOf(r)
		if q := st.queues[name]; q != nil {
			for k, v := range in.Attributes {
				if q.attrs[k] != v {
					return nil, &sqstypes.QueueNameExists{Message: msg("A queue already exists with the same name and a different value for attribute %s", k),
						ErrorCodeOverride: ptr("QueueAlreadyExists")}
				}
			}
			return &sqs.CreateQueueOutput{QueueUrl: ptr(q.url)}, nil
		}
		if at, ok := st.deleted[name]; ok && r.w.now.Sub(at) < sqsDeletedWait {
			return nil, &sqstypes.QueueDeletedRecently{Message: ptr("You must wait 60 seconds after deleting a queue before you can create another with the same name."),
				ErrorCodeOverride: ptr("AWS.SimpleQueueService.QueueDeletedRecently")}
		}
		delete(st.deleted, name)
		q := &sqsQueue{name: name, url: sqsQueueURL(r.name, r.account, name), created: r.w.now, modified: r.w.now, attrs: attrs}
		q.tags = tags
		st.queues[name] = q
		r.addTaggable(&q.tagged, r.arn("sqs", name), "sqs:queue")
		return &sqs.CreateQueueOutput{QueueUrl: ptr(q.url)}, nil
	})
}

// DeleteQueue deletes a queue by URL, whatever it holds.
func (c *sqsClient) DeleteQueue(ctx context.Context, in *sqs.DeleteQueueInput, _ ...func(*sqs.Options)) (*sqs.DeleteQueueOutput, error) {
	return do(ctx, c.base, "sqs", "DeleteQueue", in, func(r *region) (*sqs.DeleteQueueOutput, error) {
		if in == nil {
			in = &sqs.DeleteQueueInput{}
		}
		q, err := c.queueByURL(r, str(in.QueueUrl))
		if err != nil {
			return nil, err
		}
		st := sqsOf(r)
		q.dead = true
		delete(st.queues, q.name)
		st.deleted[q.name] = r.w.now
		return &sqs.DeleteQueueOutput{}, nil
	})
}

// GetQueueUrl returns the URL of a queue of this account (or QueueOwnerAWSAccountId's) by name.
func (c *sqsClient) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, _ ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return do(ctx, c.base, "sqs", "GetQueueUrl", in, func(r *region) (*sqs.GetQueueUrlOutput, error) {
		if in == nil || str(in.QueueName) == "" {
			return nil, apiError("MissingParameter", "The request must contain the parameter QueueName.")
		}
		if owner := str(in.QueueOwnerAWSAccountId); owner != "" && owner != r.account {
			or := r.w.regions[regionKey{owner, r.name}]
			if or == nil {
				return nil, sqsNonExistent()
			}
			r = or
		}
		q := sqsOf(r).queues[str(in.QueueName)]
		if q == nil {
			return nil, sqsNonExistent()
		}
		return &sqs.GetQueueUrlOutput{QueueUrl: ptr(q.url)}, nil
	})
}

// GetQueueAttributes answers the attributes asked for.
func (c *sqsClient) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return do(ctx, c.base, "sqs", "GetQueueAttributes", in, func(r *region) (*sqs.GetQueueAttributesOutput, error) {
		if in == nil {
			in = &sqs.GetQueueAttributesInput{}
		}
		q, err := c.queueByURL(r, str(in.QueueUrl))
		if err != nil {
			return nil, err
		}
		all := q.allAttributes(r)
		out := &sqs.GetQueueAttributesOutput{Attributes: map[string]string{}}
		for _, n := range in.AttributeNames {
			if n == sqstypes.QueueAttributeNameAll {
				for k, v := range all {
					out.Attributes[k] = v
				}
				continue
			}
			v, ok := all[string(n)]
			if !ok {
				if _, known := sqsDefaults[string(n)]; known || sqsSettable[string(n)] {
					continue // settable but not set on this queue: AWS leaves it out
				}
				return nil, &sqstypes.InvalidAttributeName{Message: msg("Unknown Attribute %s.", n)}
			}
			out.Attributes[string(n)] = v
		}
		return out, nil
	})
}

// allAttributes is every attribute the queue has, computed ones included.
func (q *sqsQueue) allAttributes(r *region) map[string]string {
	m := map[string]string{}
	for k, v := range q.attrs {
		m[k] = v
	}
	m["QueueArn"] = q.arn
	hidden := 0
	for _, msg := range q.messages {
		if r.w.now.Before(msg.hidden) {
			hidden++
		}
	}
	m["ApproximateNumberOfMessages"] = strconv.Itoa(len(q.messages) - hidden)
	m["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(hidden)
	m["ApproximateNumberOfMessagesDelayed"] = "0"
	m["CreatedTimestamp"] = strconv.FormatInt(q.created.Unix(), 10)
	m["LastModifiedTimestamp"] = strconv.FormatInt(q.modified.Unix(), 10)
	return m
}

// ListQueues lists queue URLs by name prefix.
func (c *sqsClient) ListQueues(ctx context.Context, in *sqs.ListQueuesInput, _ ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error) {
	return do(ctx, c.base, "sqs", "ListQueues", in, func(r *region) (*sqs.ListQueuesOutput, error) {
		if in == nil {
			in = &sqs.ListQueuesInput{}
		}
		limit := 1000
		if in.MaxResults != nil {
			limit = int(*in.MaxResults)
			if limit < 1 || limit > 1000 {
				return nil, apiError("InvalidParameterValue", "Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", limit)
			}
		} else if in.NextToken != nil {
			return nil, apiError("InvalidParameterValue", "MaxResults is a mandatory parameter when you provide a value for NextToken.")
		}
		after, ok := readToken(in.NextToken)
		if !ok {
			return nil, apiError("InvalidParameterValue", "Invalid NextToken value.")
		}
		var names []string
		for n := range sqsOf(r).queues {
			if strings.HasPrefix(n, str(in.QueueNamePrefix)) && n > after {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		out := &sqs.ListQueuesOutput{}
		for i, n := range names {
			if i == limit {
				if in.MaxResults != nil {
					out.NextToken = pageToken(names[i-1])
				}
				break
			}
			out.QueueUrls = append(out.QueueUrls, sqsOf(r).queues[n].url)
		}
		return out, nil
	})
}

// ListQueueTags lists a queue's tags.
func (c *sqsClient) ListQueueTags(ctx context.Context, in *sqs.ListQueueTagsInput, _ ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error) {
	return do(ctx, c.base, "sqs", "ListQueueTags", in, func(r *region) (*sqs.ListQueueTagsOutput, error) {
		if in == nil {
			in = &sqs.ListQueueTagsInput{}
		}
		q, err := c.queueByURL(r, str(in.QueueUrl))
		if err != nil {
			return nil, err
		}
		out := &sqs.ListQueueTagsOutput{}
		if len(q.tags) > 0 {
			out.Tags = map[string]string{}
			for _, t := range q.tags {
				out.Tags[t.k] = t.v
			}
		}
		return out, nil
	})
}

// ReceiveMessage returns up to MaxNumberOfMessages visible messages and hides them.
func (c *sqsClient) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	return do(ctx, c.base, "sqs", "ReceiveMessage", in, func(r *region) (*sqs.ReceiveMessageOutput, error) {
		if in == nil {
			in = &sqs.ReceiveMessageInput{}
		}
		q, err := c.queueByURL(r, str(in.QueueUrl))
		if err != nil {
			return nil, err
		}
		max := 1
		if in.MaxNumberOfMessages != 0 {
			max = int(in.MaxNumberOfMessages)
		}
		if max < 1 || max > 10 {
			return nil, apiError("InvalidParameterValue", "Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max)
		}
		if in.WaitTimeSeconds < 0 || in.WaitTimeSeconds > 20 {
			return nil, apiError("InvalidParameterValue", "Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", in.WaitTimeSeconds)
		}
		vt, _ := strconv.Atoi(q.attrs["VisibilityTimeout"])
		if in.VisibilityTimeout != 0 {
			vt = int(in.VisibilityTimeout)
		}
		if vt < 0 || vt > 43200 {
			return nil, apiError("InvalidParameterValue", "Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", vt)
		}
		q.expire(r.w.now)
		out := &sqs.ReceiveMessageOutput{}
		for i := range q.messages {
			m := &q.messages[i]
			if len(out.Messages) == max {
				break
			}
			if r.w.now.Before(m.hidden) {
				continue
			}
			m.receipt = r.w.hexID(32) + m.id
			m.hidden = r.w.now.Add(time.Duration(vt) * time.Second)
			body := m.body()
			out.Messages = append(out.Messages, sqstypes.Message{MessageId: ptr(m.id), ReceiptHandle: ptr(m.receipt), Body: ptr(body), MD5OfBody: ptr(md5Hex(body))})
		}
		return out, nil
	})
}

// DeleteMessageBatch deletes up to 10 received messages by receipt handle.
func (c *sqsClient) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	return do(ctx, c.base, "sqs", "DeleteMessageBatch", in, func(r *region) (*sqs.DeleteMessageBatchOutput, error) {
		if in == nil {
			in = &sqs.DeleteMessageBatchInput{}
		}
		q, err := c.queueByURL(r, str(in.QueueUrl))
		if err != nil {
			return nil, err
		}
		switch n := len(in.Entries); {
		case n == 0:
			return nil, &sqstypes.EmptyBatchRequest{Message: ptr("There should be at least one DeleteMessageBatchRequestEntry in the request."),
				ErrorCodeOverride: ptr("AWS.SimpleQueueService.EmptyBatchRequest")}
		case n > 10:
			return nil, &sqstypes.TooManyEntriesInBatchRequest{Message: msg("Maximum number of entries per request are 10. You have sent %d.", n),
				ErrorCodeOverride: ptr("AWS.SimpleQueueService.TooManyEntriesInBatchRequest")}
		}
		seen := map[string]bool{}
		for _, e := range in.Entries {
			id := str(e.Id)
			if !sqsBatchIDRE.MatchString(id) {
				return nil, &sqstypes.InvalidBatchEntryId{Message: ptr("A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."),
					ErrorCodeOverride: ptr("AWS.SimpleQueueService.InvalidBatchEntryId")}
			}
			if seen[id] {
				return nil, &sqstypes.BatchEntryIdsNotDistinct{Message: msg("Id %s repeated.", id), ErrorCodeOverride: ptr("AWS.SimpleQueueService.BatchEntryIdsNotDistinct")}
			}
			seen[id] = true
		}
		out := &sqs.DeleteMessageBatchOutput{Successful: []sqstypes.DeleteMessageBatchResultEntry{}, Failed: []sqstypes.BatchResultErrorEntry{}}
		for _, e := range in.Entries {
			h := str(e.ReceiptHandle)
			i := slices.IndexFunc(q.messages, func(m sqsMessage) bool { return h != "" && m.receipt == h })
			if i < 0 {
				out.Failed = append(out.Failed, sqstypes.BatchResultErrorEntry{Id: e.Id, Code: ptr("ReceiptHandleIsInvalid"), SenderFault: true,
					Message: msg("The input receipt handle \"%s\" is not a valid receipt handle.", h)})
				continue
			}
			q.messages = slices.Delete(q.messages, i, i+1)
			out.Successful = append(out.Successful, sqstypes.DeleteMessageBatchResultEntry{Id: e.Id})
		}
		return out, nil
	})
}

var sqsBatchIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// SetQueueAttributes sets settable attributes.
func (c *sqsClient) SetQueueAttributes(ctx context.Context, in *sqs.SetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error) {
	return do(ctx, c.base, "sqs", "SetQueueAttributes", in, func(r *region) (*sqs.SetQueueAttributesOutput, error) {
		if in == nil {
			in = &sqs.SetQueueAttributesInput{}
		}
		q, err := c.queueByURL(r, str(in.QueueUrl))
		if err != nil {
			return nil, err
		}
		if len(in.Attributes) == 0 {
			return nil, apiError("MissingParameter", "The request must contain the parameter Attributes.")
		}
		for k, v := range in.Attributes {
			if _, ok := sqsDefaults[k]; (!ok && !sqsSettable[k]) || k == "FifoQueue" {
				return nil, &sqstypes.InvalidAttributeName{Message: msg("Unknown Attribute %s.", k)}
			}
			if k == "Policy" && v != "" && !json.Valid([]byte(v)) {
				return nil, &sqstypes.InvalidAttributeValue{Message: msg("Invalid value for the parameter Policy.")}
			}
			if k == "VisibilityTimeout" || k == "MessageRetentionPeriod" {
				lo, hi := 0, 43200
				if k == "MessageRetentionPeriod" {
					lo, hi = 60, 1209600
				}
				if n, err := strconv.Atoi(v); err != nil || n < lo || n > hi {
					return nil, &sqstypes.InvalidAttributeValue{Message: msg("Invalid value for the parameter %s.", k)}
				}
			}
		}
		for k, v := range in.Attributes {
			q.attrs[k] = v
		}
		q.modified = r.w.now
		return &sqs.SetQueueAttributesOutput{}, nil
	})
}

// TagQueue adds or replaces a queue's tags.
func (c *sqsClient) TagQueue(ctx context.Context, in *sqs.TagQueueInput, _ ...func(*sqs.Options)) (*sqs.TagQueueOutput, error) {
	return do(ctx, c.base, "sqs", "TagQueue", in, func(r *region) (*sqs.TagQueueOutput, error) {
		if in == nil {
			in = &sqs.TagQueueInput{}
		}
		q, err := c.queueByURL(r, str(in.QueueUrl))
		if err != nil {
			return nil, err
		}
		tags := q.tags.clone()
		for _, k := range sortedKeys(in.Tags) {
			tags.set(k, in.Tags[k])
		}
		if err := validTags(tags); err != nil {
			return nil, apiError("InvalidParameterValue", "%v", err)
		}
		q.tags = tags
		return &sqs.TagQueueOutput{}, nil
	})
}

// sqsDeliver puts a message into the queue with ARN queueArn (wrapped in SNS's
// envelope when note is set), wherever in the world
// it is (SNS delivers across regions and accounts). It reports whether the queue
// exists. The world's lock must be held.
func (w *World) sqsDeliver(queueArn, body string, note *snsNote) bool {
	parts := strings.SplitN(queueArn, ":", 6)
	if len(parts) != 6 || parts[2] != "sqs" {
		return false
	}
	r := w.regions[regionKey{parts[4], parts[3]}]
	if r == nil {
		return false
	}
	q := sqsOf(r).queues[parts[5]]
	if q == nil {
		return false
	}
	w.sqsPut(q, body, note)
	return true
}

// sqsPut appends a message to q, dropping what retention and the depth bound
// say must go. The world's lock must be held.
func (w *World) sqsPut(q *sqsQueue, body string, note *snsNote) {
	q.expire(w.now)
	q.messages = append(q.messages, sqsMessage{id: w.uuid(), raw: body, note: note, sent: w.now})
	if n := len(q.messages) - sqsMaxDepth; n > 0 {
		q.dropFront(n)
	}
}

// expire drops the messages older than the queue's retention period. Messages
// are kept in the order they were sent (puts append, deletes keep the order), so
// the expired ones are a prefix: a put into a full queue that nobody reads (the
// sample app's signups, every few seconds per student) costs what expires, not
// the whole queue.
func (q *sqsQueue) expire(now time.Time) {
	ret, err := strconv.Atoi(q.attrs["MessageRetentionPeriod"])
	if err != nil {
		return
	}
	keepFor := time.Duration(ret) * time.Second
	n := 0
	for n < len(q.messages) && now.Sub(q.messages[n].sent) >= keepFor {
		n++
	}
	q.dropFront(n)
}

// dropFront drops the n oldest messages by re-slicing; the dropped slots are
// cleared so their bodies can be collected, and the next append that outgrows
// the array copies only the live messages.
func (q *sqsQueue) dropFront(n int) {
	if n <= 0 {
		return
	}
	clear(q.messages[:n])
	q.messages = q.messages[n:]
}

// snsEnvelope is the JSON body SNS puts into a queue for a notification.
func snsEnvelope(id, topicArn, subject, message string, at time.Time) string {
	m := map[string]string{"Type": "Notification", "MessageId": id, "TopicArn": topicArn,
		"Message": message, "Timestamp": at.UTC().Format("2006-01-02T15:04:05.000Z"), "SignatureVersion": "1"}
	if subject != "" {
		m["Subject"] = subject
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Sprintf("%q", message)
	}
	return string(b)
}

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::SQS::Queue", cfnQueueResource)
	registerCFN("AWS::SQS::QueuePolicy", cfnQueuePolicy)
}

// cfnQueueResource creates an AWS::SQS::Queue for a stack.
func cfnQueueResource(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	return r.cfnQueue(st, logical, p, rs)
}

// cfnQueuePolicy creates an AWS::SQS::QueuePolicy for a stack.
func cfnQueuePolicy(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	// Queue policies are not modelled (every SNS delivery is allowed): accepted, not stored.
	if len(propList(p, "Queues")) == 0 {
		return fmt.Errorf("Property Queues cannot be empty.")
	}
	if cfnPolicyDoc(p["PolicyDocument"]) == "" {
		return fmt.Errorf("Property PolicyDocument cannot be empty.")
	}
	rs.physical = r.genName(st, logical, 255)
	rs.attrs["Id"] = rs.physical
	return nil
}

// QueueDepth is how many messages a queue of (account, region) holds, visible
// or not (tests: what a consumer left behind); -1 when there is no such queue.
func (w *World) QueueDepth(acct, regionName, name string) int {
	if acct == "" {
		acct = w.defAcct
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.regions[regionKey{acct, regionName}]
	if r == nil {
		return -1
	}
	q := sqsOf(r).queues[name]
	if q == nil {
		return -1
	}
	return len(q.messages)
}
