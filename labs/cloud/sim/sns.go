package sim

// Amazon SNS: topics, subscriptions and a minimal Publish, as Lab 1 (S3 → SNS →
// Lambda and SQS) and Lab 7 (the signup topic) use them. Modelled as AWS does it:
//   - topics are named 1–256 letters, digits, hyphens and underscores (FIFO ones
//     end in .fifo and need FifoTopic=true); the ARN is arn:aws:sns:REGION:ACCOUNT:NAME
//     and the tagging API lists it as sns:topic. CreateTopic of an existing name
//     returns its ARN, unless the tags or attributes differ (InvalidParameter).
//     DeleteTopic is idempotent (a topic that does not exist is no error) and
//     takes the topic's subscriptions with it;
//   - subscriptions are TOPICARN:UUID. sqs and lambda endpoints in the topic's own
//     account are confirmed at once; email, email-json, http, https (and sqs or
//     lambda endpoints in another account) stay pending: Subscribe answers
//     "pending confirmation" instead of the ARN unless ReturnSubscriptionArn is set,
//     ListSubscriptionsByTopic shows them with SubscriptionArn "PendingConfirmation",
//     Unsubscribe cannot remove them (InvalidParameter), and SNS deletes them by
//     itself 48 hours after they were made — or with their topic. Nothing confirms
//     a subscription (there is no ConfirmSubscription). Subscribing the same
//     protocol and endpoint again returns the existing subscription;
//   - Unsubscribe of an ARN that is not an ARN is InvalidParameter ("An ARN must have
//     at least 6 elements"), of one that does not exist NotFound;
//   - Publish delivers to the topic's confirmed sqs subscriptions: the queue, in
//     any region or account of the world, receives the JSON notification envelope
//     (the bare message with RawMessageDelivery=true); and to its lambda
//     subscriptions: the function runs the SNS event (pipeline.go) when its
//     resource policy lets sns.amazonaws.com invoke it from this topic, else the
//     notification fails (AWS/SNS NumberOfNotificationsFailed). Other protocols
//     are not delivered. Topic attributes and the access policy: sns_attrs.go. Each region's snsState.authorize, when set, is asked first: the
//     hook a later lab uses to answer AuthorizationError when a caller's policy no
//     longer allows sns:Publish (Lab 7 removes it from the instance role).
//
// Not modelled: ConfirmSubscription, subscription attributes beyond
// RawMessageDelivery (no filter policies), delivery policies and retries, SMS
// and mobile push, message attributes, KMS,
// data protection policies, TagResource/UntagResource and ListSubscriptions.

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	registerService("sns", func(b base, c *cloud.Clients) { c.SNS = &snsClient{b} })
}

// snsClient implements cloud.SNS.
type snsClient struct{ base }

var _ cloud.SNS = (*snsClient)(nil)

// snsPendingTTL is how long SNS keeps a subscription nobody confirmed.
const snsPendingTTL = 48 * time.Hour

// snsPageSize is ListTopics' and ListSubscriptionsByTopic's page.
const snsPageSize = 100

// snsState is one region's topics, by ARN and in creation order.
type snsState struct {
	topics map[string]*snsTopic
	order  []*snsTopic
	subs   map[string]*snsSub // by ARN
	// authorize, when set, is asked before every Publish to topicArn; an error
	// (a later lab's &snstypes.AuthorizationErrorException) is the call's answer.
	authorize func(topicArn string) error
}

type snsTopic struct {
	tagged
	name    string
	attrs   map[string]string
	created time.Time
	subs    []*snsSub // in subscription order
}

type snsSub struct {
	arn      string
	topic    *snsTopic
	protocol string
	endpoint string
	owner    string
	pending  bool
	created  time.Time
	raw      bool // RawMessageDelivery
}

func snsOf(r *region) *snsState {
	return state(r, "sns", func() *snsState {
		return &snsState{topics: map[string]*snsTopic{}, subs: map[string]*snsSub{}}
	})
}

// expire drops the pending subscriptions SNS has given up on.
func (st *snsState) expire(now time.Time) {
	for _, t := range st.order {
		t.subs = compact(t.subs, func(s *snsSub) bool {
			if s.pending && now.Sub(s.created) >= snsPendingTTL {
				delete(st.subs, s.arn)
				return false
			}
			return true
		})
	}
}

var snsNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func snsInvalid(format string, a ...any) error {
	return &snstypes.InvalidParameterException{Message: msg(format, a...)}
}

func snsTopicNotFound() error {
	return &snstypes.NotFoundException{Message: ptr("Topic does not exist")}
}

// topic resolves a topic ARN in this region. The world's lock must be held.
func (st *snsState) topic(arn, param string) (*snsTopic, error) {
	if len(strings.Split(arn, ":")) < 6 {
		return nil, snsInvalid("Invalid parameter: %s", param)
	}
	t := st.topics[arn]
	if t == nil {
		return nil, snsTopicNotFound()
	}
	return t, nil
}

func snsTags(t tagList) []snstypes.Tag {
	out := make([]snstypes.Tag, 0, len(t))
	for _, x := range t {
		out = append(out, snstypes.Tag{Key: ptr(x.k), Value: ptr(x.v)})
	}
	return out
}

// CreateTopic creates a topic, or returns the ARN of the existing one of that name.
func (c *snsClient) CreateTopic(ctx context.Context, in *sns.CreateTopicInput, _ ...func(*sns.Options)) (*sns.CreateTopicOutput, error) {
	return do(ctx, c.base, "sns", "CreateTopic", in, func(r *region) (*sns.CreateTopicOutput, error) {
		snsOf(r).expire(r.w.now)
		if in == nil || str(in.Name) == "" {
			return nil, snsInvalid("Invalid parameter: Topic Name")
		}
		name := str(in.Name)
		fifo := strings.HasSuffix(name, ".fifo")
		if !snsNameRE.MatchString(strings.TrimSuffix(name, ".fifo")) || len(name) > 256 {
			return nil, snsInvalid("Invalid parameter: Topic Name")
		}
		if fifo != (in.Attributes["FifoTopic"] == "true") {
			return nil, snsInvalid("Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
		}
		var tags tagList
		for _, t := range in.Tags {
			if t.Key == nil || t.Value == nil {
				return nil, snsInvalid("Invalid parameter: Tags Reason: Tag key and value must not be null")
			}
			tags.set(*t.Key, *t.Value)
		}
		if err := validTags(tags); err != nil {
			return nil, snsInvalid("Invalid parameter: Tags Reason: %v", err)
		}
		st := snsOf(r)
		arn := r.arn("sns", name)
		if t := st.topics[arn]; t != nil {
			for k, v := range in.Attributes {
				if t.attrs[k] != v {
					return nil, snsInvalid("Invalid parameter: Attributes Reason: Topic already exists with different attributes")
				}
			}
			for _, x := range tags {
				if v, ok := t.tags.get(x.k); !ok || v != x.v {
					return nil, snsInvalid("Invalid parameter: Tags Reason: Topic already exists with different tags")
				}
			}
			return &sns.CreateTopicOutput{TopicArn: ptr(arn)}, nil
		}
		t := &snsTopic{name: name, attrs: map[string]string{}, created: r.w.now}
		for k, v := range in.Attributes {
			t.attrs[k] = v
		}
		t.tags = tags
		st.topics[arn] = t
		st.order = append(st.order, t)
		r.addTaggable(&t.tagged, arn, "sns:topic")
		return &sns.CreateTopicOutput{TopicArn: ptr(arn)}, nil
	})
}

// DeleteTopic deletes a topic and its subscriptions; an unknown topic is no error.
func (c *snsClient) DeleteTopic(ctx context.Context, in *sns.DeleteTopicInput, _ ...func(*sns.Options)) (*sns.DeleteTopicOutput, error) {
	return do(ctx, c.base, "sns", "DeleteTopic", in, func(r *region) (*sns.DeleteTopicOutput, error) {
		snsOf(r).expire(r.w.now)
		if in == nil {
			in = &sns.DeleteTopicInput{}
		}
		st := snsOf(r)
		t, err := st.topic(str(in.TopicArn), "TopicArn")
		if err != nil {
			if _, nf := err.(*snstypes.NotFoundException); nf {
				return &sns.DeleteTopicOutput{}, nil
			}
			return nil, err
		}
		for _, s := range t.subs {
			delete(st.subs, s.arn)
		}
		t.subs = nil
		t.dead = true
		delete(st.topics, t.arn)
		st.order = compact(st.order, func(x *snsTopic) bool { return x != t })
		return &sns.DeleteTopicOutput{}, nil
	})
}

// ListTopics lists the region's topics, 100 per page.
func (c *snsClient) ListTopics(ctx context.Context, in *sns.ListTopicsInput, _ ...func(*sns.Options)) (*sns.ListTopicsOutput, error) {
	return do(ctx, c.base, "sns", "ListTopics", in, func(r *region) (*sns.ListTopicsOutput, error) {
		snsOf(r).expire(r.w.now)
		if in == nil {
			in = &sns.ListTopicsInput{}
		}
		from, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, snsInvalid("Invalid parameter: NextToken")
		}
		st := snsOf(r)
		out := &sns.ListTopicsOutput{}
		for i := from; i < len(st.order); i++ {
			if i == from+snsPageSize {
				out.NextToken = intToken(i)
				break
			}
			out.Topics = append(out.Topics, snstypes.Topic{TopicArn: ptr(st.order[i].arn)})
		}
		return out, nil
	})
}

var snsProtocols = map[string]bool{"http": true, "https": true, "email": true, "email-json": true, "sms": true,
	"sqs": true, "application": true, "lambda": true, "firehose": true}

// Subscribe subscribes an endpoint to a topic.
func (c *snsClient) Subscribe(ctx context.Context, in *sns.SubscribeInput, _ ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	return do(ctx, c.base, "sns", "Subscribe", in, func(r *region) (*sns.SubscribeOutput, error) {
		snsOf(r).expire(r.w.now)
		if in == nil {
			in = &sns.SubscribeInput{}
		}
		st := snsOf(r)
		t, err := st.topic(str(in.TopicArn), "TopicArn")
		if err != nil {
			return nil, err
		}
		proto, ep := str(in.Protocol), str(in.Endpoint)
		if !snsProtocols[proto] {
			return nil, snsInvalid("Invalid parameter: Amazon SNS does not support this protocol string: %s", proto)
		}
		pending := false
		switch proto {
		case "sqs", "lambda", "firehose":
			svc := map[string]string{"sqs": "sqs", "lambda": "lambda", "firehose": "firehose"}[proto]
			p := strings.SplitN(ep, ":", 6)
			if len(p) != 6 || p[0] != "arn" || p[2] != svc {
				return nil, snsInvalid("Invalid parameter: %s endpoint ARN", map[string]string{"sqs": "SQS", "lambda": "Lambda", "firehose": "Firehose"}[proto])
			}
			pending = p[4] != r.account
		case "email", "email-json":
			if !strings.Contains(ep, "@") {
				return nil, snsInvalid("Invalid parameter: Email address")
			}
			pending = true
		case "http", "https":
			if !strings.HasPrefix(ep, proto+"://") {
				return nil, snsInvalid("Invalid parameter: Endpoint must match the specified protocol")
			}
			pending = true
		default:
			if ep == "" {
				return nil, snsInvalid("Invalid parameter: Endpoint")
			}
		}
		for k := range in.Attributes {
			switch k {
			case "RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "DeliveryPolicy", "RedrivePolicy", "SubscriptionRoleArn":
			default:
				return nil, snsInvalid("Invalid parameter: Attributes Reason: Unknown attribute %s", k)
			}
		}
		answer := func(s *snsSub) *sns.SubscribeOutput {
			if s.pending && !in.ReturnSubscriptionArn {
				return &sns.SubscribeOutput{SubscriptionArn: ptr("pending confirmation")}
			}
			return &sns.SubscribeOutput{SubscriptionArn: ptr(s.arn)}
		}
		for _, s := range t.subs {
			if s.protocol == proto && s.endpoint == ep {
				return answer(s), nil
			}
		}
		s := &snsSub{arn: t.arn + ":" + r.w.uuid(), topic: t, protocol: proto, endpoint: ep, owner: r.account,
			pending: pending, created: r.w.now, raw: in.Attributes["RawMessageDelivery"] == "true"}
		t.subs = append(t.subs, s)
		st.subs[s.arn] = s
		return answer(s), nil
	})
}

// Unsubscribe deletes a confirmed subscription.
func (c *snsClient) Unsubscribe(ctx context.Context, in *sns.UnsubscribeInput, _ ...func(*sns.Options)) (*sns.UnsubscribeOutput, error) {
	return do(ctx, c.base, "sns", "Unsubscribe", in, func(r *region) (*sns.UnsubscribeOutput, error) {
		snsOf(r).expire(r.w.now)
		if in == nil {
			in = &sns.UnsubscribeInput{}
		}
		arn := str(in.SubscriptionArn)
		if n := len(strings.Split(arn, ":")); n < 6 {
			return nil, snsInvalid("Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not %d", n)
		}
		st := snsOf(r)
		s := st.subs[arn]
		if s == nil {
			return nil, &snstypes.NotFoundException{Message: ptr("Subscription does not exist")}
		}
		if s.pending {
			return nil, snsInvalid("Invalid parameter: SubscriptionArn Reason: Cannot unsubscribe a subscription that is pending confirmation")
		}
		delete(st.subs, arn)
		s.topic.subs = compact(s.topic.subs, func(x *snsSub) bool { return x != s })
		return &sns.UnsubscribeOutput{}, nil
	})
}

// ListSubscriptionsByTopic lists a topic's subscriptions, 100 per page.
func (c *snsClient) ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, _ ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	return do(ctx, c.base, "sns", "ListSubscriptionsByTopic", in, func(r *region) (*sns.ListSubscriptionsByTopicOutput, error) {
		snsOf(r).expire(r.w.now)
		if in == nil {
			in = &sns.ListSubscriptionsByTopicInput{}
		}
		t, err := snsOf(r).topic(str(in.TopicArn), "TopicArn")
		if err != nil {
			return nil, err
		}
		from, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, snsInvalid("Invalid parameter: NextToken")
		}
		out := &sns.ListSubscriptionsByTopicOutput{}
		for i := from; i < len(t.subs); i++ {
			if i == from+snsPageSize {
				out.NextToken = intToken(i)
				break
			}
			s := t.subs[i]
			arn := s.arn
			if s.pending {
				arn = "PendingConfirmation"
			}
			out.Subscriptions = append(out.Subscriptions, snstypes.Subscription{SubscriptionArn: ptr(arn), TopicArn: ptr(t.arn),
				Protocol: ptr(s.protocol), Endpoint: ptr(s.endpoint), Owner: ptr(s.owner)})
		}
		return out, nil
	})
}

// ListTagsForResource lists a topic's tags.
func (c *snsClient) ListTagsForResource(ctx context.Context, in *sns.ListTagsForResourceInput, _ ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error) {
	return do(ctx, c.base, "sns", "ListTagsForResource", in, func(r *region) (*sns.ListTagsForResourceOutput, error) {
		snsOf(r).expire(r.w.now)
		if in == nil {
			in = &sns.ListTagsForResourceInput{}
		}
		t, err := snsOf(r).topic(str(in.ResourceArn), "ResourceArn")
		if err != nil {
			if _, nf := err.(*snstypes.NotFoundException); nf {
				return nil, &snstypes.ResourceNotFoundException{Message: ptr("Resource does not exist")}
			}
			return nil, err
		}
		return &sns.ListTagsForResourceOutput{Tags: snsTags(t.tags)}, nil
	})
}

// Publish sends a message to a topic's subscriptions: SQS queues receive it, and
// Lambda functions whose policy lets SNS invoke them run it (pipeline.go).
func (c *snsClient) Publish(ctx context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	res, err := do(ctx, c.base, "sns", "Publish", in, func(r *region) (snsPublished, error) {
		snsOf(r).expire(r.w.now)
		if in == nil {
			in = &sns.PublishInput{}
		}
		target := str(in.TopicArn)
		if target == "" {
			target = str(in.TargetArn)
		}
		if target == "" {
			if str(in.PhoneNumber) != "" {
				return snsPublished{}, snsInvalid("Invalid parameter: PhoneNumber Reason: SMS is not modelled by the simulator")
			}
			return snsPublished{}, snsInvalid("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
		}
		st := snsOf(r)
		t, err := st.topic(target, "TopicArn")
		if err != nil {
			return snsPublished{}, err
		}
		if str(in.Message) == "" {
			return snsPublished{}, snsInvalid("Invalid parameter: Empty message")
		}
		if len(str(in.Subject)) > 100 {
			return snsPublished{}, snsInvalid("Invalid parameter: Subject")
		}
		if t.attrs["FifoTopic"] == "true" && str(in.MessageGroupId) == "" {
			return snsPublished{}, snsInvalid("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
		}
		if st.authorize != nil {
			if err := st.authorize(t.arn); err != nil {
				return snsPublished{}, err
			}
		}
		return r.publishLocked(t, str(in.Message), str(in.Subject)), nil
	})
	if err != nil {
		return nil, err
	}
	c.w.runDeliveries(ctx, res.deliveries)
	return &sns.PublishOutput{MessageId: ptr(res.id)}, nil
}

// snsPublished is one published message and the Lambda deliveries it makes.
type snsPublished struct {
	id         string
	deliveries []lambdaDelivery
}

// publishLocked delivers a message to the topic's confirmed subscriptions: into
// SQS queues at once (a deleted queue loses it, as on AWS), and as Lambda
// deliveries to run after the lock when the function's resource policy lets
// sns.amazonaws.com invoke it from this topic. It counts the topic's metrics.
// The world's lock must be held.
func (r *region) publishLocked(t *snsTopic, message, subject string) snsPublished {
	w := r.w
	id := w.uuid()
	out := snsPublished{id: id}
	dims := []kv{{"TopicName", t.name}}
	r.bumpMinute("AWS/SNS", "NumberOfMessagesPublished", dims, w.now, 1)
	for _, s := range t.subs {
		if s.pending {
			continue
		}
		switch s.protocol {
		case "sqs":
			var note *snsNote
			if !s.raw {
				note = &snsNote{id: id, topicArn: t.arn, subject: subject}
			}
			if w.sqsDeliver(s.endpoint, message, note) {
				r.bumpMinute("AWS/SNS", "NumberOfNotificationsDelivered", dims, w.now, 1)
			} else {
				r.bumpMinute("AWS/SNS", "NumberOfNotificationsFailed", dims, w.now, 1)
			}
		case "lambda":
			d, ok := w.lambdaAllowsLocked(s.endpoint, "sns.amazonaws.com", t.arn, r.account)
			if !ok {
				r.bumpMinute("AWS/SNS", "NumberOfNotificationsFailed", dims, w.now, 1)
				continue
			}
			r.bumpMinute("AWS/SNS", "NumberOfNotificationsDelivered", dims, w.now, 1)
			d.payload = snsLambdaEvent(s.arn, id, t.arn, subject, message, w.now)
			out.deliveries = append(out.deliveries, d)
		}
	}
	return out
}

// snsLambdaEvent is the event SNS invokes a subscribed function with.
func snsLambdaEvent(subArn, id, topicArn, subject, message string, at time.Time) []byte {
	var subj any
	if subject != "" {
		subj = subject
	}
	ev := map[string]any{"Records": []any{map[string]any{
		"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": subArn,
		"Sns": map[string]any{"Type": "Notification", "MessageId": id, "TopicArn": topicArn, "Subject": subj, "Message": message,
			"Timestamp": at.UTC().Format("2006-01-02T15:04:05.000Z"), "SignatureVersion": "1", "Signature": "EXAMPLE",
			"SigningCertUrl":    "https://sns." + arnRegion(topicArn) + ".amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
			"UnsubscribeUrl":    "https://sns." + arnRegion(topicArn) + ".amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + subArn,
			"MessageAttributes": map[string]any{}}}}}
	b, _ := json.Marshal(ev)
	return b
}

// arnRegion is an ARN's region field.
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[3]
}

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::SNS::Topic", cfnTopicResource)
	registerCFN("AWS::SNS::Subscription", cfnSubscription)
}

// cfnTopicResource creates an AWS::SNS::Topic for a stack.
func cfnTopicResource(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	return r.cfnTopic(st, logical, p, rs)
}

// cfnSubscription creates an AWS::SNS::Subscription for a stack.
func cfnSubscription(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	if reg := propStr(p, "Region"); reg != "" && reg != r.name {
		return fmt.Errorf("The simulator does not subscribe across regions (Region %s)", reg)
	}
	sst := snsOf(r)
	t := sst.topics[propStr(p, "TopicArn")]
	if t == nil {
		return fmt.Errorf("Invalid parameter: TopicArn %s: Topic does not exist", propStr(p, "TopicArn"))
	}
	s, err := r.cfnSubscribe(t, propStr(p, "Protocol"), propStr(p, "Endpoint"), propStr(p, "RawMessageDelivery") == "true")
	if err != nil {
		return err
	}
	rs.physical = s.arn
	rs.del = func() error {
		if sst.subs[s.arn] == s {
			delete(sst.subs, s.arn)
			s.topic.subs = compact(s.topic.subs, func(x *snsSub) bool { return x != s })
		}
		return nil
	}
	return nil
}
