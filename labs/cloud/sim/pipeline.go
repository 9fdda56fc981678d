package sim

// Lab 1's event pipeline: S3 → SNS → Lambda and SQS. What moves between the
// services, and the checks AWS makes on the way:
//   - a resource policy (an SNS topic's Policy attribute, an SQS queue's Policy,
//     a Lambda function's resource policy) lets an AWS service principal act when a
//     statement whose Principal is "*", {"AWS": "*"} or {"Service": the service}
//     allows the action on the resource with the context keys the service sends
//     (aws:SourceArn, aws:SourceAccount); the statement is evaluated by labs/cloud/authz
//     like any other (explicit denies win). servicePolicyAllows;
//   - deliveries to Lambda (an S3 notification's LambdaFunctionConfiguration, an
//     SNS lambda subscription) are decided with the world locked, then run after
//     the triggering call's do returns, as an asynchronous (Event) Invoke made by
//     the service itself (uncounted): the function's handler then makes its own
//     calls as its execution role. On AWS they run after the call answers; here
//     they run before it returns, so a test sees their effects at once;
//   - SNS's CloudWatch metrics per topic and minute (AWS/SNS, dimension
//     TopicName): NumberOfMessagesPublished, NumberOfNotificationsDelivered,
//     NumberOfNotificationsFailed (a lambda subscription whose function is gone
//     or whose policy does not let sns.amazonaws.com invoke it);
//   - SQS's AWS/SQS ApproximateNumberOfMessagesVisible (dimension QueueName),
//     one datapoint per queue each simulated minute.

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/labdash/labdash/labs/cloud/authz"
)

// servicePolicyAllows reports whether the resource policy doc lets the AWS
// service principal svc (e.g. "s3.amazonaws.com") perform action on resource,
// given the request context keys the service sends.
func servicePolicyAllows(doc, svc, action, resource string, keys map[string]string) bool {
	if doc == "" {
		return false
	}
	var raw struct {
		Version   string          `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal([]byte(doc), &raw) != nil {
		return false
	}
	var stmts []map[string]any
	if json.Unmarshal(raw.Statement, &stmts) != nil {
		var one map[string]any
		if json.Unmarshal(raw.Statement, &one) != nil {
			return false
		}
		stmts = []map[string]any{one}
	}
	var kept []map[string]any
	for _, st := range stmts {
		if _, ok := st["NotPrincipal"]; ok {
			continue // not modelled: such a statement is left out
		}
		if !principalNames(st["Principal"], svc) {
			continue
		}
		c := map[string]any{}
		for k, v := range st {
			if k != "Principal" {
				c[k] = v
			}
		}
		kept = append(kept, c)
	}
	if len(kept) == 0 {
		return false
	}
	b, err := json.Marshal(map[string]any{"Version": raw.Version, "Statement": kept})
	if err != nil {
		return false
	}
	pol, err := authz.DecodePolicy(string(b))
	if err != nil {
		return false
	}
	ctx := authz.Context{}
	for k, v := range keys {
		ctx.Set(k, v)
	}
	return authz.Principal{ARN: svc, Identity: []authz.Policy{pol}}.Evaluate(authz.Request{Action: action, Resource: resource, Context: ctx}).Allowed
}

// principalNames reports whether a statement's Principal element names the
// service principal svc (or everyone).
func principalNames(p any, svc string) bool {
	switch t := p.(type) {
	case string:
		return t == "*"
	case map[string]any:
		for _, v := range authz.Strings(t["AWS"]) {
			if v == "*" {
				return true
			}
		}
		for _, v := range authz.Strings(t["Service"]) {
			if v == svc {
				return true
			}
		}
	}
	return false
}

// lambdaDelivery is an event a service hands to a function, decided under the
// lock and run after it (runDeliveries).
type lambdaDelivery struct {
	account, region, function string
	payload                   []byte
}

// lambdaAllowsLocked reports whether function fnARN of region r exists and lets
// service svc invoke it from sourceArn (of account sourceAccount). The world's
// lock must be held.
func (w *World) lambdaAllowsLocked(fnARN, svc, sourceArn, sourceAccount string) (lambdaDelivery, bool) {
	acct, regionName, name, ok := splitFunctionARN(fnARN)
	if !ok {
		return lambdaDelivery{}, false
	}
	r := w.regions[regionKey{acct, regionName}]
	if r == nil {
		return lambdaDelivery{}, false
	}
	fn := lambdaOf(r).fns[name]
	if fn == nil {
		return lambdaDelivery{}, false
	}
	if !servicePolicyAllows(fn.policyDoc(), svc, "lambda:InvokeFunction", fn.arn,
		map[string]string{"aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount}) {
		return lambdaDelivery{}, false
	}
	return lambdaDelivery{account: acct, region: regionName, function: name}, true
}

// splitFunctionARN reads arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER].
func splitFunctionARN(arn string) (acct, region, name string, ok bool) {
	var parts [8]string
	n := 0
	start := 0
	for i := 0; i <= len(arn) && n < len(parts); i++ {
		if i == len(arn) || arn[i] == ':' {
			parts[n] = arn[start:i]
			n++
			start = i + 1
		}
	}
	if n < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" || parts[6] == "" {
		return "", "", "", false
	}
	if n == 8 && parts[7] != "$LATEST" {
		return "", "", "", false
	}
	return parts[4], parts[3], parts[6], true
}

// runDeliveries invokes each delivery's function asynchronously, as the service
// that delivers it (uncounted, not IAM-evaluated: the resource policy was
// checked when the delivery was decided). A function that cannot run now
// (Pending) loses the event here; AWS would retry.
func (w *World) runDeliveries(ctx context.Context, ds []lambdaDelivery) {
	for _, d := range ds {
		c := &lambdaClient{base{w: w, account: d.account, region: d.region, internal: true}}
		_, _ = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: ptr(d.function), InvocationType: lambdatypes.InvocationTypeEvent, Payload: d.payload})
	}
}

// bumpMinute adds d to the datapoint of the minute holding at.
func (r *region) bumpMinute(ns, name string, dims []kv, at time.Time, d float64) {
	t := at.Truncate(time.Minute)
	if s := r.metrics[metricKey(ns, name, dims)]; s != nil && len(s.pts) > 0 && s.pts[len(s.pts)-1].t == t.Unix() {
		s.pts[len(s.pts)-1].v += d
		return
	}
	r.put(ns, name, dims, t, d)
}

// stepQueueGauges records each queue's visible messages once a minute.
func stepQueueGauges(r *region, now time.Time) {
	st, ok := r.ext["sqs"].(*sqsState)
	if !ok {
		return
	}
	for name, q := range st.queues {
		q.expire(now)
		visible := 0
		for _, m := range q.messages {
			if !now.Before(m.hidden) {
				visible++
			}
		}
		r.setMinute("AWS/SQS", "ApproximateNumberOfMessagesVisible", []kv{{"QueueName", name}}, now.Truncate(time.Minute), float64(visible))
	}
}

// callerMayLocked evaluates one more action for a call's principal, as a
// service acting with the caller's permissions does (Rekognition reading an S3
// object): labdash's own clients may; a role's session is evaluated with its
// identity policies, boundary and session policy. The world's lock must be held.
func (w *World) callerMayLocked(b base, action, resource string) bool {
	if b.principal == "" {
		return true
	}
	roleName := b.principal[:max(0, strings.LastIndex(b.principal, "/"))]
	roleName = roleName[strings.LastIndex(roleName, "/")+1:]
	a := w.accountLocked(b.account)
	ro := a.roles[strings.ToLower(roleName)]
	if ro == nil {
		return false
	}
	p := w.principalLocked(a, ro, b.principal)
	p.Session = b.session
	c := principalContext(ro, b.account, b.principal, b.region)
	return p.Evaluate(authz.Request{Action: action, Resource: resource, Context: c}).Allowed
}
