package sim

// AWS CloudTrail's event history: the management events of each (account,
// region), read with LookupEvents. Every call is recorded in one place, do
// (world.go), after its body succeeded: record below. As AWS:
//   - an event carries EventId, EventName, EventSource (<service>.amazonaws.com),
//     EventTime, Username (the IAM user's name, or an assumed role's session
//     name), AccessKeyId, Resources and the CloudTrailEvent JSON (eventVersion,
//     userIdentity with its sessionContext for an assumed role, eventTime,
//     eventSource, eventName, awsRegion, sourceIPAddress, userAgent,
//     requestParameters and responseElements — the call's input and output with
//     the first letter of every field lowered, as CloudTrail writes them, so
//     Route 53's TTL is "tTL" — requestID, eventID, readOnly, eventType
//     "AwsApiCall", managementEvent, eventCategory "Management",
//     recipientAccountId);
//   - global services record in one region whatever region the client signs
//     for: Route 53 and IAM in us-east-1 (since November 2021 LookupEvents shows
//     IAM's, STS's global endpoint's, CloudFront's and sign-in's events only
//     there), Global Accelerator in us-west-2, the one region its API answers in;
//     STS through a regional endpoint (the SDK's default) records where it is
//     called;
//   - LookupEvents takes at most one lookup attribute (EventId, EventName,
//     ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId),
//     StartTime and EndTime (inclusive), MaxResults 1–50 (default 50) and a
//     NextToken valid only with the same parameters; it answers newest first;
//   - LookupEvents allows 2 requests a second per account and region, a bucket
//     of 2 refilled at 2 a second of simulated time; past it, ThrottlingException.
//
// Simplifications, to keep memory bounded:
//   - only write calls are recorded (the action table's access level other than
//     Read and List, or, for an operation it does not know, cloud.IsMutating):
//     AWS's default event history shows read events too, and a class's monitor
//     makes thousands of reads a minute that no lab looks up;
//   - each (account, region) keeps a ring of at most ctMaxEvents events, ctMaxBytes
//     of CloudTrailEvent JSON and ctKeep of simulated time (AWS: 90 days), the
//     oldest dropped first; requestParameters or responseElements larger than
//     ctMaxPart are recorded as null;
//   - failed calls (AWS records them with errorCode and errorMessage), data
//     events, Insights events, and the calls CloudFormation makes for a stack
//     (the simulator creates a stack's resources without calls) are not recorded;
//   - events are visible at once unless World.SetCloudTrailDelay sets a delay
//     (AWS: about 5 minutes on average, up to 15, and not guaranteed).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go/document"

	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/authz"
)

// The event history's bounds per (account, region).
const (
	ctMaxEvents = 20000
	ctMaxBytes  = 32 << 20
	ctKeep      = 2 * time.Hour
	ctMaxPart   = 100 << 10
	// ctRate and ctBurst are LookupEvents' rate limit: 2 per second per account and region.
	ctRate  = 2
	ctBurst = 2
)

func init() {
	registerService("cloudtrail", func(b base, c *cloud.Clients) { c.CloudTrail = &ctClient{b} })
}

// ctClient implements cloud.CloudTrail.
type ctClient struct{ base }

var _ cloud.CloudTrail = (*ctClient)(nil)

// ctEvent is one recorded management event.
type ctEvent struct {
	seq       uint64
	id        string
	name      string
	source    string
	user      string
	accessKey string
	at        time.Time // eventTime
	visible   time.Time // when LookupEvents first returns it
	resources []cttypes.Resource
	raw       string // the CloudTrailEvent JSON
}

// ctState is one (account, region)'s event history: a ring, oldest first.
type ctState struct {
	buf        []*ctEvent
	start, n   int
	bytes      int
	seq        uint64
	tokens     float64
	refilledAt time.Time
}

func ctStateOf(r *region) *ctState {
	return state(r, "cloudtrail", func() *ctState { return &ctState{tokens: ctBurst} })
}

// at returns the i-th oldest event.
func (s *ctState) at(i int) *ctEvent { return s.buf[(s.start+i)%len(s.buf)] }

// dropOldest removes the oldest event.
func (s *ctState) dropOldest() {
	e := s.at(0)
	s.bytes -= len(e.raw)
	s.buf[s.start] = nil
	s.start = (s.start + 1) % len(s.buf)
	s.n--
}

// expire drops the events older than ctKeep.
func (s *ctState) expire(now time.Time) {
	for s.n > 0 && now.Sub(s.at(0).at) > ctKeep {
		s.dropOldest()
	}
}

// push appends e, dropping the oldest events past the bounds.
func (s *ctState) push(e *ctEvent, now time.Time) {
	s.expire(now)
	for s.n > 0 && (s.n >= ctMaxEvents || s.bytes+len(e.raw) > ctMaxBytes) {
		s.dropOldest()
	}
	if s.n == len(s.buf) { // grow the ring (up to ctMaxEvents), keeping the order
		size := min(max(2*len(s.buf), 64), ctMaxEvents)
		nb := make([]*ctEvent, size)
		for i := 0; i < s.n; i++ {
			nb[i] = s.at(i)
		}
		s.buf, s.start = nb, 0
	}
	s.buf[(s.start+s.n)%len(s.buf)] = e
	s.n++
	s.bytes += len(e.raw)
}

// SetCloudTrailDelay makes every event recorded from now on visible to
// LookupEvents only d after it happened (0, the default: at once). AWS's event
// history shows an event about 5 minutes after the call on average, up to 15.
func (w *World) SetCloudTrailDelay(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ctDelay = max(d, 0)
}

// ctRegion is where CloudTrail records a service's events: global services in
// their home region, the rest where the call was made.
func ctRegion(service, region string) string {
	switch service {
	case "route53", "iam":
		return "us-east-1"
	case "globalaccelerator":
		return "us-west-2"
	}
	return region
}

// ctSources are the event sources whose name is not the simulator's service name.
var ctSources = map[string]string{
	"cloudwatch": "monitoring", "elbv2": "elasticloadbalancing", "tagging": "tagging", "application-autoscaling": "application-autoscaling",
}

// ctDataEvents are calls CloudTrail logs as data events, which the event history
// does not show (LABS.md Lab 4: "Lambda invokes are CloudTrail data events, and
// DynamoDB reads emit none"): Lambda Invoke, S3 object-level and DynamoDB
// item-level calls.
var ctDataEvents = map[string]bool{
	"lambda.Invoke": true, "s3.GetObject": true, "s3.PutObject": true, "s3.DeleteObjects": true,
	"dynamodb.GetItem": true, "dynamodb.Scan": true, "dynamodb.PutItem": true, "dynamodb.BatchWriteItem": true,
}

// ctRecorded reports whether CloudTrail's default history, as simulated, records
// a call: a write, by the action table's access level when it knows the action,
// else by the operation's name.
func ctRecorded(service, op string) bool {
	if ctDataEvents[service+"."+op] {
		return false
	}
	if field, ok := clientFields[service]; ok {
		if action, ok := authz.ActionOf(field, op); ok {
			if f, ok := authz.Lookup(action); ok && f.Access != "" {
				return f.Access != "Read" && f.Access != "List"
			}
		}
	}
	return cloud.IsMutating(op)
}

// recordLocked records one successful call as a management event. do calls it
// with the world locked.
func (w *World) recordLocked(b base, service, op string, in, out any) {
	if !ctRecorded(service, op) {
		return
	}
	regionName := ctRegion(service, b.region)
	r := w.regionLocked(b.account, regionName)
	s := ctStateOf(r)
	s.seq++
	seq := strconv.FormatUint(s.seq, 10)
	eventID := ctUUID(b.account, regionName, "event", seq)
	requestID := ctUUID(b.account, regionName, "request", seq)
	source := service
	if v, ok := ctSources[service]; ok {
		source = v
	}
	source += ".amazonaws.com"
	ident, user, key := w.ctIdentity(b)
	at := w.now.UTC()
	ev := map[string]any{
		"eventVersion":       "1.11",
		"userIdentity":       ident,
		"eventTime":          at.Format(time.RFC3339),
		"eventSource":        source,
		"eventName":          op,
		"awsRegion":          regionName,
		"sourceIPAddress":    "198.51.100.24",
		"userAgent":          "aws-sdk-go-v2/1.48.0 os/linux lang/go labdash-simulator",
		"requestParameters":  ctPart(in),
		"responseElements":   ctPart(out),
		"requestID":          requestID,
		"eventID":            eventID,
		"readOnly":           false,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": b.account,
		"eventCategory":      "Management",
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return // every part is built of JSON values; nothing to record otherwise
	}
	s.push(&ctEvent{seq: s.seq, id: eventID, name: op, source: source, user: user, accessKey: key, at: at,
		visible: at.Add(w.ctDelay), resources: ctResources(service, in), raw: string(raw)}, w.now)
}

// ctUUID is a UUID-shaped id derived from parts (not from the world's random
// source, so recording events leaves every other generated id as it was).
func ctUUID(parts ...string) string {
	h := hashID(32, parts...)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// ctIdentity is the userIdentity of a call, its Username and access key id:
// labdash's own clients are the IAM user labdash-simulated, a ClientsAs client
// the assumed-role session.
func (w *World) ctIdentity(b base) (map[string]any, string, string) {
	if b.principal == "" {
		key := "AKIA" + strings.ToUpper(hashID(16, b.account, "labdash-simulated"))
		return map[string]any{
			"type": "IAMUser", "principalId": "AIDA" + strings.ToUpper(hashID(17, b.account, "user")),
			"arn": "arn:aws:iam::" + b.account + ":user/labdash-simulated", "accountId": b.account,
			"accessKeyId": key, "userName": "labdash-simulated",
		}, "labdash-simulated", key
	}
	session := b.principal[strings.LastIndex(b.principal, "/")+1:]
	roleName := strings.TrimSuffix(b.principal, "/"+session)
	roleName = roleName[strings.LastIndex(roleName, "/")+1:]
	roleARN, roleID := "arn:aws:iam::"+b.account+":role/"+roleName, "AROA"+strings.ToUpper(hashID(17, b.account, roleName))
	if ro := w.accountLocked(b.account).roles[strings.ToLower(roleName)]; ro != nil {
		roleARN, roleID = ro.arn, ro.id
	}
	key := "ASIA" + strings.ToUpper(hashID(16, b.principal))
	return map[string]any{
		"type": "AssumedRole", "principalId": roleID + ":" + session, "arn": b.principal, "accountId": b.account,
		"accessKeyId": key,
		"sessionContext": map[string]any{
			"sessionIssuer": map[string]any{"type": "Role", "principalId": roleID, "arn": roleARN, "accountId": b.account, "userName": roleName},
			"attributes":    map[string]any{"creationDate": w.now.UTC().Truncate(time.Hour).Format(time.RFC3339), "mfaAuthenticated": "false"},
		},
	}, session, key
}

// ctResources are the resources an event names, for the calls whose resource
// LookupEvents' ResourceType and ResourceName attributes find: Route 53's
// hosted zone, IAM's roles and policies. Other calls name none here.
func ctResources(service string, in any) []cttypes.Resource {
	v, ok := inputStruct(in)
	if !ok {
		return nil
	}
	field := func(name string) string {
		f := v.FieldByName(name)
		if !f.IsValid() {
			return ""
		}
		return deref(f)
	}
	var out []cttypes.Resource
	add := func(typ, name string) {
		if name != "" {
			out = append(out, cttypes.Resource{ResourceType: ptr(typ), ResourceName: ptr(name)})
		}
	}
	switch service {
	case "route53":
		add("AWS::Route53::HostedZone", strings.TrimPrefix(field("HostedZoneId"), "/hostedzone/"))
		add("AWS::Route53::HostedZone", strings.TrimPrefix(field("Id"), "/hostedzone/"))
	case "iam":
		add("AWS::IAM::Role", field("RoleName"))
		add("AWS::IAM::Policy", field("PolicyArn"))
		add("AWS::IAM::Policy", field("PermissionsBoundary"))
	}
	return out
}

// ctPart is a call's input or output as CloudTrail records it, or nil (JSON
// null) when it holds nothing or is larger than ctMaxPart.
func ctPart(v any) any {
	p := ctValue(reflect.ValueOf(v), "")
	if p == nil {
		return nil
	}
	if b, err := json.Marshal(p); err != nil || len(b) > ctMaxPart {
		return nil
	}
	return p
}

var (
	readerType = reflect.TypeOf((*io.Reader)(nil)).Elem()
	docType    = reflect.TypeOf((*document.Marshaler)(nil)).Elem()
)

// ctValue converts one value: structs to objects keyed by the field's name with
// its first letter lowered, nil and empty values left out, secrets hidden as
// CloudTrail hides them, bodies and documents left out.
func ctValue(v reflect.Value, name string) any {
	if !v.IsValid() {
		return nil
	}
	if v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		if v.Type().Implements(readerType) || v.Type().Implements(docType) {
			return nil
		}
		return ctValue(v.Elem(), name)
	}
	if ctSecret(name) {
		return "HIDDEN_DUE_TO_SECURITY_REASONS"
	}
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		if t.IsZero() {
			return nil
		}
		return t.UTC().Format("Jan 2, 2006 3:04:05 PM") // as Route 53's events show submittedAt
	}
	switch v.Kind() {
	case reflect.Struct:
		out := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" {
				continue
			}
			if x := ctValue(v.Field(i), f.Name); x != nil {
				out[strings.ToLower(f.Name[:1])+f.Name[1:]] = x
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 || v.Len() == 0 {
			return nil // bytes (a body, a certificate's DER) are not recorded
		}
		out := make([]any, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			if x := ctValue(v.Index(i), ""); x != nil {
				out = append(out, x)
			}
		}
		return out
	case reflect.Map:
		if v.Len() == 0 || v.Type().Key().Kind() != reflect.String {
			return nil
		}
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			if x := ctValue(v.MapIndex(k), k.String()); x != nil {
				out[k.String()] = x
			}
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		if !finite(v.Float()) {
			return nil
		}
		return v.Float()
	}
	return nil
}

// ctSecret reports whether a field holds a secret CloudTrail does not record.
func ctSecret(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "password") || strings.Contains(n, "secret") || strings.Contains(n, "privatekey")
}

// ctAttributes are LookupEvents' attribute keys and what each compares.
var ctAttributes = map[cttypes.LookupAttributeKey]func(e *ctEvent, v string) bool{
	cttypes.LookupAttributeKeyEventId:     func(e *ctEvent, v string) bool { return e.id == v },
	cttypes.LookupAttributeKeyEventName:   func(e *ctEvent, v string) bool { return e.name == v },
	cttypes.LookupAttributeKeyReadOnly:    func(_ *ctEvent, v string) bool { return v == "false" }, // only writes are recorded
	cttypes.LookupAttributeKeyUsername:    func(e *ctEvent, v string) bool { return e.user == v },
	cttypes.LookupAttributeKeyEventSource: func(e *ctEvent, v string) bool { return e.source == v },
	cttypes.LookupAttributeKeyAccessKeyId: func(e *ctEvent, v string) bool { return e.accessKey == v },
	cttypes.LookupAttributeKeyResourceType: func(e *ctEvent, v string) bool {
		for _, r := range e.resources {
			if str(r.ResourceType) == v {
				return true
			}
		}
		return false
	},
	cttypes.LookupAttributeKeyResourceName: func(e *ctEvent, v string) bool {
		for _, r := range e.resources {
			if str(r.ResourceName) == v {
				return true
			}
		}
		return false
	},
}

// LookupEvents returns the region's management events, newest first.
func (c *ctClient) LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	return do(ctx, c.base, "cloudtrail", "LookupEvents", in, func(r *region) (*cloudtrail.LookupEventsOutput, error) {
		s := ctStateOf(r)
		now := c.w.now
		// The rate limit comes first: AWS throttles a request before reading it.
		s.tokens = min(float64(ctBurst), s.tokens+ctRate*now.Sub(s.refilledAt).Seconds())
		s.refilledAt = now
		if s.tokens < 1 {
			return nil, &cttypes.ThrottlingException{Message: ptr("Rate exceeded")}
		}
		s.tokens--
		if in == nil {
			in = &cloudtrail.LookupEventsInput{}
		}
		if len(in.LookupAttributes) > 1 {
			return nil, &cttypes.InvalidLookupAttributesException{Message: ptr("You can only specify one lookup attribute.")}
		}
		var match func(e *ctEvent) bool
		if len(in.LookupAttributes) == 1 {
			a := in.LookupAttributes[0]
			f, ok := ctAttributes[a.AttributeKey]
			v := str(a.AttributeValue)
			if !ok || a.AttributeValue == nil || len(v) < 1 || len(v) > 2000 {
				return nil, &cttypes.InvalidLookupAttributesException{Message: msg("Invalid lookup attribute: key %q, value of %d characters (1 to 2000).", string(a.AttributeKey), len(v))}
			}
			match = func(e *ctEvent) bool { return f(e, v) }
		}
		if in.EventCategory != "" && in.EventCategory != cttypes.EventCategoryInsight {
			return nil, &cttypes.InvalidEventCategoryException{Message: msg("Invalid event category %q: the only category is insight.", string(in.EventCategory))}
		}
		limit := int(i32(in.MaxResults, 50))
		if limit < 1 || limit > 50 {
			return nil, &cttypes.InvalidMaxResultsException{Message: msg("MaxResults %d is not valid: specify 1 through 50.", limit)}
		}
		if in.StartTime != nil && in.EndTime != nil && in.StartTime.After(*in.EndTime) {
			return nil, &cttypes.InvalidTimeRangeException{Message: ptr("The start time must not be after the end time.")}
		}
		params := ctParams(in)
		from := uint64(0) // events older than this sequence number (0: from the newest)
		if in.NextToken != nil {
			pos, ok := readToken(in.NextToken)
			seqText, hash, found := strings.Cut(pos, "|")
			n, err := strconv.ParseUint(seqText, 10, 64)
			if !ok || !found || err != nil || hash != params {
				return nil, &cttypes.InvalidNextTokenException{Message: ptr("Invalid NextToken: it must come from a previous call with the same parameters.")}
			}
			from = n
		}
		out := &cloudtrail.LookupEventsOutput{Events: []cttypes.Event{}}
		if in.EventCategory == cttypes.EventCategoryInsight {
			return out, nil // no Insights events are simulated
		}
		s.expire(now)
		var last uint64 // the sequence number of the last event returned
		for i := s.n - 1; i >= 0; i-- {
			e := s.at(i)
			if from != 0 && e.seq >= from || e.visible.After(now) {
				continue
			}
			if in.EndTime != nil && e.at.After(*in.EndTime) {
				continue
			}
			if in.StartTime != nil && e.at.Before(*in.StartTime) {
				break // older still, all of them
			}
			if match != nil && !match(e) {
				continue
			}
			if len(out.Events) == limit {
				out.NextToken = pageToken(strconv.FormatUint(last, 10) + "|" + params)
				break
			}
			out.Events = append(out.Events, cttypes.Event{EventId: ptr(e.id), EventName: ptr(e.name), EventSource: ptr(e.source),
				EventTime: ptr(e.at), Username: ptr(e.user), AccessKeyId: ptr(e.accessKey), ReadOnly: ptr("false"),
				Resources: append([]cttypes.Resource(nil), e.resources...), CloudTrailEvent: ptr(e.raw)})
			last = e.seq
		}
		return out, nil
	})
}

// ctParams fingerprints the parameters a NextToken is valid with.
func ctParams(in *cloudtrail.LookupEventsInput) string {
	var b strings.Builder
	for _, a := range in.LookupAttributes {
		b.WriteString(string(a.AttributeKey) + "=" + str(a.AttributeValue) + ";")
	}
	for _, t := range []*time.Time{in.StartTime, in.EndTime} {
		if t != nil {
			b.WriteString(t.UTC().Format(time.RFC3339Nano))
		}
		b.WriteString(";")
	}
	b.WriteString(string(in.EventCategory))
	h := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(h[:8])
}
