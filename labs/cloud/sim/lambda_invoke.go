package sim

// AWS Lambda invocation and resource-based policies.
//   - Invoke: the function must exist and be Active (a Pending one answers
//     ResourceConflictException); RequestResponse (200, the handler's answer),
//     Event (202, run at once) and DryRun (204, not run); a payload that is not
//     JSON is InvalidRequestContentException; LogType Tail returns the last 4 KB
//     of the invocation's log, base64. The function runs a simulated handler
//     chosen by its name: a function whose name ends in "slotPull" is Lab 4's
//     (the SDK tutorial's slotpull.js): it reads three random slotPosition items
//     (0–15) from the table its environment variable TABLE names (default: the
//     name's prefix + "slotWheels") AS ITS EXECUTION ROLE — each GetItem is
//     authorized by IAM evaluation of the role (authz.go), so a role without
//     dynamodb:GetItem on the table makes the handler throw, which Invoke answers
//     as FunctionError "Unhandled" with the error in the payload; a missing item
//     throws the TypeError the tutorial's code would. Any other function answers
//     null. Every run writes START, the handler's line, END and REPORT to the log
//     group /aws/lambda/NAME (created on first use; the execution role's logs
//     permissions are not evaluated) and adds to AWS/Lambda Invocations, Errors and
//     Duration (dimension FunctionName) of the minute;
//   - AddPermission / RemovePermission / GetPolicy: the function's resource
//     policy as AWS returns it ({"Version":"2012-10-17","Id":"default",
//     "Statement":[…]}): a service principal becomes {"Service": …}, an account
//     id {"AWS": "arn:aws:iam::ID:root"}; SourceAccount and SourceArn become
//     StringEquals AWS:SourceAccount and ArnLike AWS:SourceArn conditions; a taken
//     statement id is ResourceConflictException; each change gives the function a
//     new RevisionId. The policy is not evaluated for callers (labdash's
//     callers are of the function's own account).
//
// Not modelled: versions and aliases (a qualifier other than $LATEST is not
// found), concurrency and throttling, timeouts, async retries and destinations,
// function URLs, and handlers other than the ones named above.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	smithy "github.com/aws/smithy-go"
)

// lambdaStatement is one statement of a function's resource policy, as AWS renders it.
type lambdaStatement struct{ sid, doc string }

func asAPI(err error, target *smithy.APIError) bool { return errors.As(err, target) }

// lambdaRun is one invocation's outcome.
type lambdaRun struct {
	payload  []byte
	fnError  string // "Unhandled" when the handler threw
	log      []string
	duration time.Duration
}

// lambdaMinute is the minute's AWS/Lambda figures of one function.
type lambdaMinute struct {
	t               time.Time
	inv, errs, durs float64
}

// lambdaFunction returns the function an Invoke-like call names, or its error.
func (st *lambdaState) function(r *region, ref, qualifier string) (*lambdaFn, error) {
	name, qual, err := st.resolve(r, ref)
	if err != nil {
		return nil, err
	}
	if qualifier != "" {
		qual = qualifier
	}
	fn := st.fns[name]
	if fn == nil || (qual != "" && qual != "$LATEST") {
		arn := r.arn("lambda", "function:"+name)
		if qual != "" {
			arn += ":" + qual
		}
		return nil, lambdaNotFound(arn)
	}
	return fn, nil
}

// invokePlan is what Invoke decided under the lock before the handler runs.
type invokePlan struct {
	fn        *lambdaFn
	account   string
	region    string
	id        string
	typ       lambdatypes.InvocationType
	tail      bool
	positions [3]int // the slot machine's random wheel positions
	payload   []byte // the event
	done      *lambda.InvokeOutput
}

// Invoke runs the function's simulated handler: the call itself (validated and
// authorized by do), then the handler's own calls as the execution role (each
// through do), then the log lines and metrics.
func (c *lambdaClient) Invoke(ctx context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	plan, err := do(ctx, c.base, "lambda", "Invoke", in, func(r *region) (*invokePlan, error) {
		if in == nil {
			in = &lambda.InvokeInput{}
		}
		fn, err := lambdaOf(r).function(r, str(in.FunctionName), str(in.Qualifier))
		if err != nil {
			return nil, err
		}
		switch in.InvocationType {
		case "", lambdatypes.InvocationTypeRequestResponse, lambdatypes.InvocationTypeEvent, lambdatypes.InvocationTypeDryRun:
		default:
			return nil, lambdaInvalid("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", in.InvocationType)
		}
		if c.w.now.Before(fn.created.Add(lambdaPending)) {
			return nil, &lambdatypes.ResourceConflictException{Message: ptr("The operation cannot be performed at this time. The function is currently in the following state: Pending"), Type: ptr("User")}
		}
		if len(in.Payload) > 6*1024*1024 {
			return nil, &lambdatypes.RequestTooLargeException{Message: msg("Request must be smaller than 6291456 bytes for the InvokeFunction operation"), Type: ptr("User")}
		}
		if len(in.Payload) > 0 && !json.Valid(in.Payload) {
			return nil, &lambdatypes.InvalidRequestContentException{Message: ptr("Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value"), Type: ptr("User")}
		}
		if in.InvocationType == lambdatypes.InvocationTypeDryRun {
			return &invokePlan{done: &lambda.InvokeOutput{StatusCode: 204}}, nil
		}
		p := &invokePlan{fn: fn, account: r.account, region: r.name, id: c.w.uuid(), typ: in.InvocationType, tail: in.LogType == lambdatypes.LogTypeTail, payload: in.Payload}
		for i := range p.positions {
			p.positions[i] = c.w.rng.IntN(16)
		}
		return p, nil
	})
	if err != nil {
		return nil, err
	}
	if plan.done != nil {
		return plan.done, nil
	}
	var run lambdaRun
	switch {
	case strings.HasSuffix(plan.fn.name, "slotPull"):
		run = c.slotPull(ctx, plan)
	case strings.HasSuffix(plan.fn.name, "photos-labels"):
		run = c.photosLabels(ctx, plan)
	default:
		run = lambdaRun{payload: []byte("null")}
	}
	run = c.w.finishInvoke(plan, run)
	if plan.typ == lambdatypes.InvocationTypeEvent {
		return &lambda.InvokeOutput{StatusCode: 202}, nil
	}
	out := &lambda.InvokeOutput{StatusCode: 200, Payload: run.payload, ExecutedVersion: ptr("$LATEST")}
	if run.fnError != "" {
		out.FunctionError = ptr(run.fnError)
	}
	if plan.tail {
		tail := strings.Join(run.log, "\n") + "\n"
		if len(tail) > 4096 {
			tail = tail[len(tail)-4096:]
		}
		out.LogResult = ptr(base64.StdEncoding.EncodeToString([]byte(tail)))
	}
	return out, nil
}

// finishInvoke writes one run's log lines and metrics.
func (w *World) finishInvoke(p *invokePlan, run lambdaRun) lambdaRun {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.regionLocked(p.account, p.region)
	fn, at, id := p.fn, w.now, p.id
	run.duration = time.Duration(15+w.rng.IntN(90))*time.Millisecond + time.Duration(w.rng.IntN(1000))*time.Microsecond
	ms := float64(run.duration.Microseconds()) / 1000
	report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		id, ms, int(ms)+1, fn.memory, min(int(fn.memory), 70+w.rng.IntN(20)))
	st := lambdaOf(r)
	stream, cold := fn.stream, false
	if stream == "" { // the first run starts an execution environment: a cold start and its log stream
		stream, cold = at.UTC().Format("2006/01/02")+"/[$LATEST]"+w.hexID(32), true
		fn.stream = stream
	}
	if cold {
		report += fmt.Sprintf("Init Duration: %.2f ms\t", 150+float64(w.rng.IntN(10000))/100)
	}
	lines := append([]string{"START RequestId: " + id + " Version: $LATEST"}, run.log...)
	lines = append(lines, "END RequestId: "+id, report)
	run.log = lines
	r.writeLogLocked("/aws/lambda/"+fn.name, stream, at, lines...)
	r.lambdaMetricsLocked(st, fn, at, run)
	return run
}

// slotPull is the tutorial's slotpull handler: three GetItem calls as the
// function's execution role, each through do (IAM-evaluated as the role).
func (c *lambdaClient) slotPull(ctx context.Context, p *invokePlan) lambdaRun {
	fn := p.fn
	table := fn.env["TABLE"]
	if table == "" {
		table = strings.TrimSuffix(fn.name, "slotPull") + "slotWheels"
	}
	stamp := c.w.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	fail := func(errType, message string) lambdaRun {
		body, _ := json.Marshal(map[string]any{"errorType": errType, "errorMessage": message,
			"trace": []string{errType + ": " + message, "    at Runtime.handler (file:///var/task/index.mjs:24:11)"}})
		return lambdaRun{payload: body, fnError: "Unhandled", log: []string{stamp + "\t" + p.id + "\tERROR\tInvoke Error \t" + string(body)}}
	}
	_, roleName, ok := roleOf(fn.role)
	if !ok {
		return fail("AccessDeniedException", "The role defined for the function cannot be assumed by Lambda.")
	}
	exec := base{w: c.w, account: p.account, region: p.region, principal: "arn:aws:sts::" + p.account + ":assumed-role/" + roleName + "/" + fn.name, internal: true}
	reader := &ddbClient{exec}
	var wheels [3]string
	for i, pos := range p.positions {
		out, err := reader.GetItem(ctx, &dynamodb.GetItemInput{TableName: ptr(table),
			Key:                  map[string]ddbtypes.AttributeValue{"slotPosition": &ddbtypes.AttributeValueMemberN{Value: fmt.Sprint(pos)}},
			ProjectionExpression: ptr("imageFile")})
		if err != nil {
			return fail(errCode(err), errMessage(err))
		}
		if out.Item == nil {
			return fail("TypeError", "Cannot read properties of undefined (reading 'imageFile')")
		}
		v, ok := out.Item["imageFile"].(*ddbtypes.AttributeValueMemberS)
		if !ok {
			return fail("TypeError", "Cannot read properties of undefined (reading 'S')")
		}
		wheels[i] = v.Value
	}
	result := map[string]any{"isWinner": wheels[0] == wheels[1] && wheels[1] == wheels[2],
		"leftWheelImage": map[string]any{"file": map[string]string{"S": wheels[0]}}, "middleWheelImage": map[string]any{"file": map[string]string{"S": wheels[1]}},
		"rightWheelImage": map[string]any{"file": map[string]string{"S": wheels[2]}}}
	body, _ := json.Marshal(result)
	return lambdaRun{payload: body, log: []string{stamp + "\t" + p.id + "\tINFO\tslot pull: " + strings.Join(wheels[:], " | ")}}
}

// errCode reads an AWS error's code as a handler's SDK would throw it.
func errCode(err error) string {
	var api smithy.APIError
	if ok := asAPI(err, &api); ok {
		return api.ErrorCode()
	}
	return "Error"
}

// GetFunctionConfiguration returns the function's configuration ($LATEST).
func (c *lambdaClient) GetFunctionConfiguration(ctx context.Context, in *lambda.GetFunctionConfigurationInput, _ ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error) {
	return do(ctx, c.base, "lambda", "GetFunctionConfiguration", in, func(r *region) (*lambda.GetFunctionConfigurationOutput, error) {
		if in == nil {
			in = &lambda.GetFunctionConfigurationInput{}
		}
		fn, err := lambdaOf(r).function(r, str(in.FunctionName), str(in.Qualifier))
		if err != nil {
			return nil, err
		}
		var out lambda.GetFunctionConfigurationOutput
		b, _ := json.Marshal(fn.out(c.w.now))
		if err := json.Unmarshal(b, &out); err != nil {
			return nil, err
		}
		return &out, nil
	})
}

var (
	lambdaSidRE    = regexp.MustCompile(`^[a-zA-Z0-9-_.]{1,100}$`)
	lambdaActionRE = regexp.MustCompile(`^(lambda:[*]|lambda:[a-zA-Z]+|[*])$`)
	accountIDRE    = regexp.MustCompile(`^\d{12}$`)
)

// policyDoc is the function's resource policy document, "" without statements.
func (fn *lambdaFn) policyDoc() string {
	if len(fn.policy) == 0 {
		return ""
	}
	stmts := make([]json.RawMessage, 0, len(fn.policy))
	for _, s := range fn.policy {
		stmts = append(stmts, json.RawMessage(s.doc))
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": stmts})
	return string(b)
}

// AddPermission adds a statement to the function's resource policy.
func (c *lambdaClient) AddPermission(ctx context.Context, in *lambda.AddPermissionInput, _ ...func(*lambda.Options)) (*lambda.AddPermissionOutput, error) {
	return do(ctx, c.base, "lambda", "AddPermission", in, func(r *region) (*lambda.AddPermissionOutput, error) {
		if in == nil {
			in = &lambda.AddPermissionInput{}
		}
		fn, err := lambdaOf(r).function(r, str(in.FunctionName), str(in.Qualifier))
		if err != nil {
			return nil, err
		}
		sid, action, principal := str(in.StatementId), str(in.Action), str(in.Principal)
		switch {
		case !lambdaSidRE.MatchString(sid):
			return nil, lambdaInvalid("1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)", sid)
		case !lambdaActionRE.MatchString(action):
			return nil, lambdaInvalid("1 validation error detected: Value '%s' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])", action)
		case principal == "":
			return nil, lambdaInvalid("1 validation error detected: Value null at 'principal' failed to satisfy constraint: Member must not be null")
		}
		if rev := str(in.RevisionId); rev != "" && rev != fn.revision {
			return nil, &lambdatypes.PreconditionFailedException{Message: ptr("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"), Type: ptr("User")}
		}
		for _, s := range fn.policy {
			if s.sid == sid {
				return nil, &lambdatypes.ResourceConflictException{Message: msg("The statement id (%s) provided already exists. Please choose a new statement id, or remove the existing statement.", sid), Type: ptr("User")}
			}
		}
		var who any
		switch {
		case principal == "*":
			who = "*"
		case accountIDRE.MatchString(principal):
			who = map[string]string{"AWS": "arn:aws:iam::" + principal + ":root"}
		case strings.HasPrefix(principal, "arn:"):
			who = map[string]string{"AWS": principal}
		case strings.HasSuffix(principal, ".amazonaws.com") || strings.HasSuffix(principal, ".amazonaws.com.cn"):
			who = map[string]string{"Service": principal}
		default:
			return nil, lambdaInvalid("The provided principal was invalid. Please check the principal and try again.")
		}
		st := map[string]any{"Sid": sid, "Effect": "Allow", "Principal": who, "Action": action, "Resource": fn.arn}
		cond := map[string]any{}
		if v := str(in.SourceAccount); v != "" {
			cond["StringEquals"] = map[string]string{"AWS:SourceAccount": v}
		}
		if v := str(in.SourceArn); v != "" {
			cond["ArnLike"] = map[string]string{"AWS:SourceArn": v}
		}
		if v := str(in.PrincipalOrgID); v != "" {
			se, _ := cond["StringEquals"].(map[string]string)
			if se == nil {
				se = map[string]string{}
			}
			se["aws:PrincipalOrgID"] = v
			cond["StringEquals"] = se
		}
		if len(cond) > 0 {
			st["Condition"] = cond
		}
		doc, _ := json.Marshal(st)
		fn.policy = append(fn.policy, lambdaStatement{sid: sid, doc: string(doc)})
		fn.revision = c.w.uuid()
		return &lambda.AddPermissionOutput{Statement: ptr(string(doc))}, nil
	})
}

// RemovePermission removes a statement from the function's resource policy.
func (c *lambdaClient) RemovePermission(ctx context.Context, in *lambda.RemovePermissionInput, _ ...func(*lambda.Options)) (*lambda.RemovePermissionOutput, error) {
	return do(ctx, c.base, "lambda", "RemovePermission", in, func(r *region) (*lambda.RemovePermissionOutput, error) {
		if in == nil {
			in = &lambda.RemovePermissionInput{}
		}
		fn, err := lambdaOf(r).function(r, str(in.FunctionName), str(in.Qualifier))
		if err != nil {
			return nil, err
		}
		if rev := str(in.RevisionId); rev != "" && rev != fn.revision {
			return nil, &lambdatypes.PreconditionFailedException{Message: ptr("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"), Type: ptr("User")}
		}
		sid := str(in.StatementId)
		for i, s := range fn.policy {
			if s.sid == sid {
				fn.policy = append(fn.policy[:i:i], fn.policy[i+1:]...)
				fn.revision = c.w.uuid()
				return &lambda.RemovePermissionOutput{}, nil
			}
		}
		if len(fn.policy) == 0 {
			return nil, &lambdatypes.ResourceNotFoundException{Message: ptr("No policy is associated with the given resource."), Type: ptr("User")}
		}
		return nil, &lambdatypes.ResourceNotFoundException{Message: msg("Statement %s is not found in resource policy.", sid), Type: ptr("User")}
	})
}

// GetPolicy returns the function's resource policy.
func (c *lambdaClient) GetPolicy(ctx context.Context, in *lambda.GetPolicyInput, _ ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error) {
	return do(ctx, c.base, "lambda", "GetPolicy", in, func(r *region) (*lambda.GetPolicyOutput, error) {
		if in == nil {
			in = &lambda.GetPolicyInput{}
		}
		fn, err := lambdaOf(r).function(r, str(in.FunctionName), str(in.Qualifier))
		if err != nil {
			return nil, err
		}
		doc := fn.policyDoc()
		if doc == "" {
			return nil, &lambdatypes.ResourceNotFoundException{Message: ptr("The resource you requested does not exist."), Type: ptr("User")}
		}
		return &lambda.GetPolicyOutput{Policy: ptr(doc), RevisionId: ptr(fn.revision)}, nil
	})
}

// lambdaMetricsLocked adds one run to the minute's Invocations, Errors and Duration.
func (r *region) lambdaMetricsLocked(st *lambdaState, fn *lambdaFn, at time.Time, run lambdaRun) {
	if st.minutes == nil {
		st.minutes = map[string]*lambdaMinute{}
	}
	minute := at.Truncate(time.Minute)
	m := st.minutes[fn.name]
	if m == nil || !m.t.Equal(minute) {
		m = &lambdaMinute{t: minute}
		st.minutes[fn.name] = m
	}
	m.inv++
	if run.fnError != "" {
		m.errs++
	}
	m.durs += float64(run.duration.Microseconds()) / 1000
	dims := []kv{{"FunctionName", fn.name}}
	r.setMinute("AWS/Lambda", "Invocations", dims, minute, m.inv)
	r.setMinute("AWS/Lambda", "Errors", dims, minute, m.errs)
	r.setMinute("AWS/Lambda", "Duration", dims, minute, m.durs/m.inv) // the minute's average
}

// setMinute sets the datapoint of the minute starting at t, replacing the
// minute's earlier value.
func (r *region) setMinute(ns, name string, dims []kv, t time.Time, v float64) {
	if s := r.metrics[metricKey(ns, name, dims)]; s != nil && len(s.pts) > 0 && s.pts[len(s.pts)-1].t == t.Unix() {
		s.pts[len(s.pts)-1].v = v
		return
	}
	r.put(ns, name, dims, t, v)
}
