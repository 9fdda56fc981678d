package sim

// S3 event notifications (Lab 1's S3 → SNS), as the S3 API reference describes them:
//   - PutBucketNotificationConfiguration replaces the bucket's configuration
//     (an empty one removes it). Each Topic/Queue/LambdaFunction configuration
//     gets an Id when it has none; events must be S3's event names; a filter has
//     at most one prefix and one suffix rule; two configurations with the same
//     event type and overlapping prefixes and suffixes are ambiguous. Unless
//     SkipDestinationValidation is set, S3 checks every destination first: it must
//     exist in the bucket's region, and its resource policy (the topic's Policy,
//     the queue's Policy, the function's resource policy) must let
//     s3.amazonaws.com publish / send / invoke with aws:SourceArn the bucket's ARN
//     and aws:SourceAccount its owner — else InvalidArgument "Unable to validate
//     the following destination configurations" and nothing changes;
//   - PutObject sends s3:ObjectCreated:Put to each configuration whose events
//     match (s3:ObjectCreated:* or :Put) and whose filter rules match the key (prefix and
//     suffix, case-sensitive): a topic is published to (sns.go's publishLocked:
//     SQS subscribers receive it, Lambda subscribers run), a queue receives the
//     event, a function runs it (when its policy still lets S3 invoke it). The
//     message is the event as S3 sends it ({"Records":[{"eventVersion":"2.1",
//     "eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{…}}]}, the key
//     URL-encoded).
//
// A configuration put sends S3's test message ({"Service":"Amazon S3","Event":
// "s3:TestEvent",…}) to each topic and queue destination, so a print queue holds a
// message before any upload (AWS does the same).
//
// Every message is sent only if the destination's policy lets S3 send it at
// that moment: a policy changed since, or a configuration put with
// SkipDestinationValidation, loses the messages.
//
// Not modelled: events other than ObjectCreated:Put (removals, copies) and
// EventBridge delivery.

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// s3Events are the event types a notification may name.
var s3Events = map[string]bool{
	"s3:ReducedRedundancyLostObject": true, "s3:ObjectCreated:*": true, "s3:ObjectCreated:Put": true, "s3:ObjectCreated:Post": true,
	"s3:ObjectCreated:Copy": true, "s3:ObjectCreated:CompleteMultipartUpload": true, "s3:ObjectRemoved:*": true,
	"s3:ObjectRemoved:Delete": true, "s3:ObjectRemoved:DeleteMarkerCreated": true, "s3:ObjectRestore:*": true,
	"s3:ObjectRestore:Post": true, "s3:ObjectRestore:Completed": true, "s3:Replication:*": true,
	"s3:ObjectRestore:Delete": true, "s3:LifecycleTransition": true, "s3:IntelligentTiering": true,
	"s3:ObjectAcl:Put": true, "s3:LifecycleExpiration:*": true, "s3:LifecycleExpiration:Delete": true,
	"s3:LifecycleExpiration:DeleteMarkerCreated": true, "s3:ObjectTagging:*": true, "s3:ObjectTagging:Put": true,
	"s3:ObjectTagging:Delete": true,
}

// s3Target is one destination of a notification configuration.
type s3Target struct {
	kind, id, arn string // kind "topic", "queue" or "lambda"
	events        []s3types.Event
	filter        *s3types.NotificationConfigurationFilter
}

// targets lists a configuration's destinations.
func s3Targets(cfg *s3types.NotificationConfiguration) []s3Target {
	if cfg == nil {
		return nil
	}
	var out []s3Target
	for _, t := range cfg.TopicConfigurations {
		out = append(out, s3Target{"topic", str(t.Id), str(t.TopicArn), t.Events, t.Filter})
	}
	for _, q := range cfg.QueueConfigurations {
		out = append(out, s3Target{"queue", str(q.Id), str(q.QueueArn), q.Events, q.Filter})
	}
	for _, l := range cfg.LambdaFunctionConfigurations {
		out = append(out, s3Target{"lambda", str(l.Id), str(l.LambdaFunctionArn), l.Events, l.Filter})
	}
	return out
}

// rules returns a filter's prefix and suffix ("" when absent), or an error.
func s3Rules(f *s3types.NotificationConfigurationFilter) (prefix, suffix string, err error) {
	if f == nil || f.Key == nil {
		return "", "", nil
	}
	var seenP, seenS bool
	for _, r := range f.Key.FilterRules {
		switch strings.ToLower(string(r.Name)) {
		case "prefix":
			if seenP {
				return "", "", apiError("InvalidArgument", "Cannot specify more than one prefix rule in a filter.")
			}
			seenP, prefix = true, str(r.Value)
		case "suffix":
			if seenS {
				return "", "", apiError("InvalidArgument", "Cannot specify more than one suffix rule in a filter.")
			}
			seenS, suffix = true, str(r.Value)
		default:
			return "", "", apiError("InvalidArgument", "filter rule name must be either prefix or suffix")
		}
	}
	return prefix, suffix, nil
}

// eventsOverlap reports whether two event lists share a type (a wildcard covers its family).
func eventsOverlap(a, b []s3types.Event) bool {
	covers := func(x, y string) bool {
		return x == y || (strings.HasSuffix(x, ":*") && strings.HasPrefix(y, strings.TrimSuffix(x, "*")))
	}
	for _, x := range a {
		for _, y := range b {
			if covers(string(x), string(y)) || covers(string(y), string(x)) {
				return true
			}
		}
	}
	return false
}

// overlap reports whether one string is a prefix (or, for suffixes, a suffix) of the other.
func overlap(a, b string, suffix bool) bool {
	if suffix {
		return strings.HasSuffix(a, b) || strings.HasSuffix(b, a)
	}
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// PutBucketNotificationConfiguration replaces the bucket's event notifications.
func (c *s3Client) PutBucketNotificationConfiguration(ctx context.Context, in *s3.PutBucketNotificationConfigurationInput, optFns ...func(*s3.Options)) (*s3.PutBucketNotificationConfigurationOutput, error) {
	b, err := c.addressed("PutBucketNotificationConfiguration", optFns)
	if err != nil {
		return nil, err
	}
	res, err := do(ctx, b, "s3", "PutBucketNotificationConfiguration", in, func(r *region) (s3Configured, error) {
		if in == nil {
			in = &s3.PutBucketNotificationConfigurationInput{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return s3Configured{}, err
		}
		if in.NotificationConfiguration == nil {
			return s3Configured{}, s3Malformed()
		}
		cfg := copyNotification(in.NotificationConfiguration)
		ts := s3Targets(cfg)
		type rule struct {
			prefix, suffix string
			events         []s3types.Event
		}
		var seen []rule
		ids := map[string]bool{}
		for _, t := range ts {
			if len(t.events) == 0 {
				return s3Configured{}, s3Malformed()
			}
			for _, e := range t.events {
				if !s3Events[string(e)] {
					return s3Configured{}, apiError("InvalidArgument", "The event is not supported for notifications")
				}
			}
			if t.id != "" {
				if ids[t.id] {
					return s3Configured{}, apiError("InvalidArgument", "Configuration ID must be unique")
				}
				ids[t.id] = true
			}
			p, s, err := s3Rules(t.filter)
			if err != nil {
				return s3Configured{}, err
			}
			for _, o := range seen {
				if eventsOverlap(o.events, t.events) && overlap(o.prefix, p, false) && overlap(o.suffix, s, true) {
					return s3Configured{}, apiError("InvalidArgument", "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.")
				}
			}
			seen = append(seen, rule{p, s, t.events})
		}
		if in.SkipDestinationValidation == nil || !*in.SkipDestinationValidation {
			for _, t := range ts {
				if !c.w.s3DestinationOKLocked(bk, t) {
					return s3Configured{}, apiError("InvalidArgument", "Unable to validate the following destination configurations")
				}
			}
		}
		// S3 names the configurations that have no Id.
		for i := range cfg.TopicConfigurations {
			if str(cfg.TopicConfigurations[i].Id) == "" {
				cfg.TopicConfigurations[i].Id = ptr(c.w.s3ConfigID())
			}
		}
		for i := range cfg.QueueConfigurations {
			if str(cfg.QueueConfigurations[i].Id) == "" {
				cfg.QueueConfigurations[i].Id = ptr(c.w.s3ConfigID())
			}
		}
		for i := range cfg.LambdaFunctionConfigurations {
			if str(cfg.LambdaFunctionConfigurations[i].Id) == "" {
				cfg.LambdaFunctionConfigurations[i].Id = ptr(c.w.s3ConfigID())
			}
		}
		if len(ts) == 0 && cfg.EventBridgeConfiguration == nil {
			cfg = nil
		}
		bk.notify = cfg
		return s3Configured{c.w.s3TestEventsLocked(bk, ts)}, nil
	})
	if err != nil {
		return nil, err
	}
	c.w.runDeliveries(ctx, res.deliveries) // a topic's Lambda subscribers receive the test event too
	return &s3.PutBucketNotificationConfigurationOutput{}, nil
}

// s3Configured is what a configuration's test events deliver to Lambda.
type s3Configured struct{ deliveries []lambdaDelivery }

// s3TestEventsLocked sends S3's test message to each topic and queue
// destination of a configuration just put (S3 sends none to a function). The
// world's lock must be held.
func (w *World) s3TestEventsLocked(bk *s3Bucket, ts []s3Target) []lambdaDelivery {
	b, _ := json.Marshal(map[string]string{"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": w.now.UTC().Format("2006-01-02T15:04:05.000Z"),
		"Bucket": bk.name, "RequestId": strings.ToUpper(w.hexID(16)), "HostId": w.hexID(64)})
	msg := string(b)
	var out []lambdaDelivery
	for _, t := range ts {
		if t.kind != "lambda" {
			out = append(out, w.s3SendLocked(bk, t, msg)...)
		}
	}
	return out
}

// s3ConfigID is an Id S3 gives an unnamed configuration.
func (w *World) s3ConfigID() string {
	return hashID(8, w.uuid()) + "-" + hashID(4, w.uuid()) + "-" + hashID(4, w.uuid()) + "-" + hashID(4, w.uuid()) + "-" + hashID(12, w.uuid())
}

// copyNotification copies a configuration deeply enough that the caller's
// later changes do not reach the bucket's.
func copyNotification(in *s3types.NotificationConfiguration) *s3types.NotificationConfiguration {
	b, _ := json.Marshal(in)
	out := &s3types.NotificationConfiguration{}
	_ = json.Unmarshal(b, out)
	return out
}

// s3DestinationOKLocked is S3's check of one destination: it exists in the
// bucket's region and its policy lets S3 deliver. The world's lock must be held.
func (w *World) s3DestinationOKLocked(bk *s3Bucket, t s3Target) bool {
	keys := map[string]string{"aws:SourceArn": "arn:aws:s3:::" + bk.name, "aws:SourceAccount": bk.account}
	parts := strings.SplitN(t.arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[3] != bk.region {
		return false
	}
	r := w.regions[regionKey{parts[4], parts[3]}]
	if r == nil {
		return false
	}
	switch t.kind {
	case "topic":
		if parts[2] != "sns" {
			return false
		}
		tp := snsOf(r).topics[t.arn]
		return tp != nil && servicePolicyAllows(tp.policy(r.account), "s3.amazonaws.com", "sns:Publish", t.arn, keys)
	case "queue":
		if parts[2] != "sqs" {
			return false
		}
		q := sqsOf(r).queues[parts[5]]
		return q != nil && servicePolicyAllows(q.attrs["Policy"], "s3.amazonaws.com", "sqs:SendMessage", t.arn, keys)
	case "lambda":
		_, ok := w.lambdaAllowsLocked(t.arn, "s3.amazonaws.com", keys["aws:SourceArn"], bk.account)
		return ok
	}
	return false
}

// GetBucketNotificationConfiguration answers the bucket's event notifications
// (an empty configuration when there are none).
func (c *s3Client) GetBucketNotificationConfiguration(ctx context.Context, in *s3.GetBucketNotificationConfigurationInput, optFns ...func(*s3.Options)) (*s3.GetBucketNotificationConfigurationOutput, error) {
	b, err := c.addressed("GetBucketNotificationConfiguration", optFns)
	if err != nil {
		return nil, err
	}
	return do(ctx, b, "s3", "GetBucketNotificationConfiguration", in, func(r *region) (*s3.GetBucketNotificationConfigurationOutput, error) {
		if in == nil {
			in = &s3.GetBucketNotificationConfigurationInput{}
		}
		bk, err := c.bucket(r, str(in.Bucket), false)
		if err != nil {
			return nil, err
		}
		out := &s3.GetBucketNotificationConfigurationOutput{}
		if bk.notify != nil {
			cp := copyNotification(bk.notify)
			out.TopicConfigurations, out.QueueConfigurations = cp.TopicConfigurations, cp.QueueConfigurations
			out.LambdaFunctionConfigurations, out.EventBridgeConfiguration = cp.LambdaFunctionConfigurations, cp.EventBridgeConfiguration
		}
		return out, nil
	})
}

// s3NotifyLocked sends an object-created event of key to the bucket's matching
// destinations, and returns the Lambda deliveries to run after the lock. The
// world's lock must be held.
func (w *World) s3NotifyLocked(bk *s3Bucket, key string, v *s3Version, principal string) []lambdaDelivery {
	if bk.notify == nil {
		return nil
	}
	var out []lambdaDelivery
	for _, t := range s3Targets(bk.notify) {
		match := false
		for _, e := range t.events {
			match = match || e == "s3:ObjectCreated:*" || e == "s3:ObjectCreated:Put"
		}
		p, s, _ := s3Rules(t.filter)
		if !match || !strings.HasPrefix(key, p) || !strings.HasSuffix(key, s) {
			continue
		}
		out = append(out, w.s3SendLocked(bk, t, w.s3Event(bk, t.id, key, v, principal))...)
	}
	return out
}

// s3SendLocked delivers one message to one destination when the destination's
// policy (checked again for every message: it may have changed since the
// configuration was put, or SkipDestinationValidation skipped it) lets S3 send
// it; otherwise the message is lost, as on AWS. It returns the Lambda
// deliveries to run after the lock. The world's lock must be held.
func (w *World) s3SendLocked(bk *s3Bucket, t s3Target, msg string) []lambdaDelivery {
	if !w.s3DestinationOKLocked(bk, t) {
		return nil
	}
	parts := strings.SplitN(t.arn, ":", 6)
	r := w.regions[regionKey{parts[4], parts[3]}]
	switch t.kind {
	case "topic":
		return r.publishLocked(snsOf(r).topics[t.arn], msg, "Amazon S3 Notification").deliveries
	case "queue":
		w.sqsDeliver(t.arn, msg, nil)
	case "lambda":
		if d, ok := w.lambdaAllowsLocked(t.arn, "s3.amazonaws.com", "arn:aws:s3:::"+bk.name, bk.account); ok {
			d.payload = []byte(msg)
			return []lambdaDelivery{d}
		}
	}
	return nil
}

// s3Event is the event message S3 sends for an object created by PutObject.
func (w *World) s3Event(bk *s3Bucket, configID, key string, v *s3Version, principal string) string {
	obj := map[string]any{"key": s3EventKey(key), "size": v.size, "eTag": strings.Trim(v.etag, `"`), "sequencer": strings.ToUpper(hashID(18, key, v.id, v.modified.String()))}
	if bk.versioning != "" {
		obj["versionId"] = v.id
	}
	owner := hashID(14, "s3-owner", bk.account)
	pid := "AWS:" + strings.ToUpper(hashID(21, principal))
	ev := map[string]any{"Records": []any{map[string]any{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": bk.region,
		"eventTime": w.now.UTC().Format("2006-01-02T15:04:05.000Z"), "eventName": "ObjectCreated:Put",
		"userIdentity":      map[string]any{"principalId": pid},
		"requestParameters": map[string]any{"sourceIPAddress": "203.0.113.10"},
		"responseElements":  map[string]any{"x-amz-request-id": strings.ToUpper(w.hexID(16)), "x-amz-id-2": w.hexID(64)},
		"s3": map[string]any{"s3SchemaVersion": "1.0", "configurationId": configID,
			"bucket": map[string]any{"name": bk.name, "ownerIdentity": map[string]any{"principalId": strings.ToUpper(owner)}, "arn": "arn:aws:s3:::" + bk.name},
			"object": obj}}}}
	b, _ := json.Marshal(ev)
	return string(b)
}

// s3EventKey is a key as S3 writes it into an event: URL-encoded, a space as "+".
func s3EventKey(key string) string {
	return strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
}
