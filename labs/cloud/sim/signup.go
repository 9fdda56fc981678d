package sim

// Lab 7's signup app: the X-Ray-instrumented Node.js sample
// (aws-samples/eb-node-express-sample, branch xray) running on every Ready
// Elastic Beanstalk environment. Each signup is what the real app does:
//
//	POST /signup → DynamoDB PutItem on STARTUP_SIGNUP_TABLE with
//	ConditionExpression attribute_not_exists(email) → SNS Publish to
//	NEW_SIGNUP_TOPIC → 200.
//
// A duplicate e-mail fails the condition (DynamoDB 400
// ConditionalCheckFailedException) and the app answers 409. The app calls AWS
// with the environment's instance role (the IamInstanceProfile option; a profile
// created by CloudFormation's AWS::IAM::InstanceProfile, else a role of the same
// name), evaluated like SimulatePrincipalPolicy: without sns:Publish, SNS answers
// 403 AuthorizationError "… is not authorized to perform: SNS:Publish …" and the
// app answers 500 (a fault); without dynamodb:PutItem, DynamoDB answers 400
// AccessDeniedException and the app answers 500.
//
// With XRayEnabled, every request becomes a segment document named
// AWS_XRAY_TRACING_NAME (the environment name if unset) with origin
// AWS::ElasticBeanstalk::Environment and "aws" subsegments DynamoDB and SNS, as the
// X-Ray SDK for Node.js sends them, stored through the same path as
// PutTraceSegments. In auto mode (World.SetAutoSignups, the sample page's "auto
// signup" switch) the app signs up about 10 users a minute, one in eight of them
// with an e-mail already used. The app's requests of the last minute give the
// environment's enhanced health: more than 10 % 5xx is Degraded (Red), more than
// 1 % Warning (Yellow), else Ok (Green).

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func init() {
	// Steps at order 70: the X-Ray sample app serves requests on a Ready environment.
	registerService("signups", nil, everySecond(70, stepSignups))
}

const (
	signupEvery     = 6 * time.Second // 10 a minute, give or take
	signupDupEvery  = 8               // every 8th auto signup reuses an e-mail
	signupHealthWin = time.Minute
	signupKeep      = 10 * time.Minute
)

// signupApp is the app on one environment.
type signupApp struct {
	env    *ebEnv
	auto   bool
	next   time.Time
	seq    int
	emails []string
	recent []signupReq // the last signupKeep of requests, oldest first
	meta   map[string]any
	url    string // the app's signup URL, made once
	// preview and theme are the form's fixed attribute values.
	preview, theme *ddbtypes.AttributeValueMemberS
}

type signupReq struct {
	at     time.Time
	status int
	ms     float64
}

// stepSignups starts the app on environments that turned Ready and runs auto signups.
func stepSignups(r *region, now time.Time) {
	st, ok := r.ext["elasticbeanstalk"].(*ebState)
	if !ok {
		return
	}
	for _, e := range st.envs {
		if e.status(now) != ebtypes.EnvironmentStatusReady {
			continue
		}
		if e.signup == nil {
			e.signup = &signupApp{env: e}
		}
		a := e.signup
		if a.auto && !now.Before(a.next) {
			a.seq++
			email := fmt.Sprintf("user%05d@example.com", a.seq)
			if a.seq%signupDupEvery == 0 && len(a.emails) > 0 {
				email = a.emails[r.w.rng.IntN(len(a.emails))]
			}
			a.request(r, now, email)
			a.next = now.Add(r.w.jitter(signupEvery-2*time.Second, 4*time.Second))
		}
	}
}

// health is enhanced health from the last minute's requests.
func (a *signupApp) health(now time.Time) (ebtypes.EnvironmentHealth, ebtypes.EnvironmentHealthStatus) {
	c := a.codes(now)
	total := c[2] + c[3] + c[4] + c[5]
	switch {
	case total > 0 && c[5]*10 > total:
		return ebtypes.EnvironmentHealthRed, ebtypes.EnvironmentHealthStatusDegraded
	case total > 0 && c[5]*100 > total:
		return ebtypes.EnvironmentHealthYellow, ebtypes.EnvironmentHealthStatusWarning
	}
	return ebtypes.EnvironmentHealthGreen, ebtypes.EnvironmentHealthStatusOk
}

// codes counts the last minute's requests by status class (index 2..5).
func (a *signupApp) codes(now time.Time) [6]int {
	var c [6]int
	for _, q := range a.recent {
		if now.Sub(q.at) < signupHealthWin && q.status >= 200 && q.status < 600 {
			c[q.status/100]++
		}
	}
	return c
}

// role is the instance role the app's AWS calls are signed with, or nil: the
// role of the instance profile the environment names (by name or ARN, from the
// account's IAM, iam_profiles.go), else a role of that name.
func (a *signupApp) role(r *region) *role {
	p := a.env.profile
	if p == "" {
		return nil
	}
	if ip := r.acct.profileByName(p); ip != nil {
		return ip.role
	}
	if i := strings.LastIndex(p, "/"); i >= 0 { // an instance profile ARN
		p = p[i+1:]
	}
	return r.acct.roles[strings.ToLower(p)]
}

// call is one downstream AWS call's outcome.
type call struct {
	status int
	errTyp string
	errMsg string
}

// request serves one POST /signup at now and emits its segment. The world's lock must be held.
func (a *signupApp) request(r *region, now time.Time, email string) int {
	w, e := r.w, a.env
	frac := func(lo, spread float64) float64 { return lo + w.rng.Float64()*spread }
	t0 := float64(now.Unix()) + frac(0, 0.5)
	instance := "i-0" + hashID(16, e.id)
	x := a.role(r)
	principal := "arn:aws:sts::" + r.account + ":assumed-role/(none)/" + instance
	if x != nil {
		principal = "arn:aws:sts::" + r.account + ":assumed-role/" + x.name + "/" + instance
	}
	allowed := func(action, resource string) bool {
		return x != nil && r.w.evaluate(r.acct, x, action, resource, nil) == iamtypes.PolicyEvaluationDecisionTypeAllowed
	}

	// DynamoDB PutItem with attribute_not_exists(email).
	tableName := e.props["STARTUP_SIGNUP_TABLE"]
	tableArn := r.arn("dynamodb", "table/"+tableName)
	var put call
	t := ddbOf(r).tables[tableName]
	switch {
	case !allowed("dynamodb:PutItem", tableArn):
		put = call{400, "AccessDeniedException", fmt.Sprintf("User: %s is not authorized to perform: dynamodb:PutItem on resource: %s because no identity-based policy allows the dynamodb:PutItem action", principal, tableArn)}
	case t == nil || t.status(now) != ddbtypes.TableStatusActive:
		put = call{400, "ResourceNotFoundException", "Requested resource not found"}
	default:
		if a.preview == nil { // the form's fixed answers, shared by the app's items (the table's items are never modified)
			a.preview, a.theme = &ddbtypes.AttributeValueMemberS{Value: "true"}, &ddbtypes.AttributeValueMemberS{Value: "flatly"}
		}
		item := map[string]ddbtypes.AttributeValue{
			"email": &ddbtypes.AttributeValueMemberS{Value: email}, "name": &ddbtypes.AttributeValueMemberS{Value: "Student " + strconv.Itoa(a.seq)},
			"preview": a.preview, "theme": a.theme}
		key, err := t.itemKey(item)
		switch {
		case err != nil:
			put = call{400, "ValidationException", err.Error()}
		case t.items[key] != nil:
			put = call{400, "ConditionalCheckFailedException", "The conditional request failed"}
		default:
			t.items[key] = item
			put = call{status: 200}
			a.emails = append(a.emails, email)
		}
	}
	ddbStart := t0 + frac(0.002, 0.004)
	ddbEnd := ddbStart + frac(0.008, 0.017)
	subs := []*xrDoc{a.subsegment(w, "DynamoDB", ddbStart, ddbEnd, put, &xrAWSCall{
		operation: "PutItem", region: r.name, requestID: strings.ToUpper(w.hexID(32)), key: "table_name", value: tableName})}
	end := ddbEnd
	status := 200
	var failed call
	switch {
	case put.errTyp == "ConditionalCheckFailedException":
		status = 409
	case put.status != 200:
		status, failed = 500, put
	default:
		// SNS Publish to the topic.
		topicArn := e.props["NEW_SIGNUP_TOPIC"]
		var pub call
		topic := snsOf(r).topics[topicArn]
		switch {
		case !allowed("sns:Publish", topicArn):
			pub = call{403, "AuthorizationError", fmt.Sprintf("User: %s is not authorized to perform: SNS:Publish on resource: %s because no identity-based policy allows the SNS:Publish action", principal, topicArn)}
		case topic == nil:
			pub = call{404, "NotFound", "Topic does not exist"}
		default:
			pub = call{status: 200}
			id := w.uuid()
			body := "Name: Student " + strconv.Itoa(a.seq) + "\r\nEmail: " + email + "\r\nPreviewAccess: true\r\nTheme: flatly"
			for _, s := range topic.subs {
				if s.pending || s.protocol != "sqs" {
					continue
				}
				var note *snsNote
				if !s.raw {
					note = &snsNote{id: id, topicArn: topic.arn, subject: "New signup"}
				}
				w.sqsDeliver(s.endpoint, body, note)
			}
		}
		snsStart := ddbEnd + frac(0.001, 0.002)
		end = snsStart + frac(0.015, 0.025)
		subs = append(subs, a.subsegment(w, "SNS", snsStart, end, pub, &xrAWSCall{
			operation: "Publish", region: r.name, requestID: w.uuid(), key: "topic_arn", value: topicArn}))
		if pub.status != 200 {
			status, failed = 500, pub
		}
	}
	end += frac(0.001, 0.003)
	a.recent = append(a.recent, signupReq{at: now, status: status, ms: (end - t0) * 1000})
	// Oldest first: the aged ones are a prefix, usually of one. Dropping it by
	// re-slicing is amortized O(1) (append moves the rest when it grows); a
	// compaction per request was O(requests kept).
	k := 0
	for k < len(a.recent) && now.Sub(a.recent[k].at) >= signupKeep {
		k++
	}
	a.recent = a.recent[k:]
	if !e.xray {
		return status
	}
	name := e.props["AWS_XRAY_TRACING_NAME"]
	if name == "" {
		name = e.name
	}
	if a.url == "" || !strings.Contains(a.url, e.cname) {
		a.url = "http://" + e.cname + "/signup"
	}
	// One allocation for the segment and its HTTP block: the simulator keeps 20
	// minutes of these for every app, and the collector's work grows with the
	// number of objects, not only their bytes.
	blk := &struct {
		doc  xrDoc
		http xrHTTP
		req  xrRequest
		resp xrResponse
	}{}
	blk.req = xrRequest{Method: "POST", URL: a.url, UserAgent: "Mozilla/5.0", ClientIP: "203.0.113." + strconv.Itoa(1+w.rng.IntN(254))}
	blk.resp = xrResponse{Status: status}
	blk.http = xrHTTP{Request: &blk.req, Response: &blk.resp}
	blk.doc = xrDoc{TraceID: fmt.Sprintf("1-%08x-%s", int64(t0), w.hexID(24)), ID: w.hexID(16), Name: name,
		Origin: "AWS::ElasticBeanstalk::Environment", StartTime: t0, EndTime: end,
		HTTP:        &blk.http,
		AWS:         a.rootMeta(), // shared by the environment's segments, never modified
		Subsegments: subs}
	root := &blk.doc
	switch {
	case status == 409:
		root.Error = true
	case status >= 500:
		root.Fault = true
		root.Cause = &xrCause{WorkingDirectory: "/var/app/current", Exceptions: []xrException{{ID: w.hexID(16), Type: failed.errTyp, Message: failed.errMsg}}}
	}
	// Its JSON (well under xrMaxDocBytes: names and messages are bounded) is
	// made only if BatchGetTraces reads it.
	r.putDoc(root, "")
	return status
}

// rootMeta is the "aws" metadata of the app's segments: the same for all of them.
func (a *signupApp) rootMeta() map[string]any {
	if a.meta == nil {
		a.meta = map[string]any{"elastic_beanstalk": map[string]any{"environment_name": a.env.name, "version_label": "Sample Application", "deployment_id": 1.0},
			"xray": map[string]any{"sdk": "X-Ray for Node.js", "sdk_version": "3.5.0", "package": "aws-xray-sdk"}}
	}
	return a.meta
}

// subsegment is an "aws" subsegment for one call.
func (a *signupApp) subsegment(w *World, name string, start, end float64, c call, meta *xrAWSCall) *xrDoc {
	blk := &struct { // one allocation, as for the root segment
		doc  xrDoc
		http xrHTTP
		resp xrResponse
		call xrAWSCall
	}{resp: xrResponse{Status: c.status}, call: *meta}
	blk.http.Response = &blk.resp
	blk.doc = xrDoc{ID: w.hexID(16), Name: name, Namespace: "aws", StartTime: start, EndTime: end, call: &blk.call, HTTP: &blk.http}
	d := &blk.doc
	switch {
	case c.status == 429:
		d.Error, d.Throttle = true, true
	case c.status >= 500:
		d.Fault = true
	case c.status >= 400:
		d.Error = true
	}
	if c.errTyp != "" {
		d.Cause = &xrCause{WorkingDirectory: "/var/app/current", Exceptions: []xrException{{ID: w.hexID(16), Type: c.errTyp, Message: c.errMsg, Remote: true}}}
	}
	return d
}

// signupEnv finds a Ready environment's app by name. The world's lock must be held.
func (w *World) signupEnv(acct, regionName, envName string) (*region, *signupApp, error) {
	if acct == "" {
		acct = w.defAcct
	}
	if !regionRE.MatchString(regionName) {
		return nil, nil, fmt.Errorf("sim: invalid region %q", regionName)
	}
	r := w.regionLocked(acct, regionName)
	st := ebOf(r)
	for _, e := range st.envs {
		if e.name == envName && e.status(w.now) == ebtypes.EnvironmentStatusReady {
			if e.signup == nil {
				e.signup = &signupApp{env: e}
			}
			return r, e.signup, nil
		}
	}
	return nil, nil, fmt.Errorf("sim: no Ready Elastic Beanstalk environment %q in %s", envName, regionName)
}

// SetAutoSignups turns the signup app's auto mode on or off on a Ready environment
// (the sample page's switch): about 10 signups a minute while on.
func (w *World) SetAutoSignups(acct, regionName, envName string, on bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.advanceLocked()
	_, a, err := w.signupEnv(acct, regionName, envName)
	if err != nil {
		return err
	}
	if on && !a.auto {
		a.next = w.now
	}
	a.auto = on
	return nil
}

// Signup submits the sample app's form once with email, as a student's browser
// does, and returns the app's HTTP status (200, 409 or 500).
func (w *World) Signup(acct, regionName, envName, email string) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.advanceLocked()
	r, a, err := w.signupEnv(acct, regionName, envName)
	if err != nil {
		return 0, err
	}
	if email == "" || len(email) > 254 {
		return 0, fmt.Errorf("sim: signup needs an e-mail address")
	}
	a.seq++
	return a.request(r, w.now, email), nil
}
