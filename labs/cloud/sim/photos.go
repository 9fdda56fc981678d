package sim

// Lab 1's labelling function. A function whose name ENDS IN "photos-labels"
// (c42s07-photos-labels) runs the course's handler on the event it is invoked
// with — an SNS notification wrapping S3's event, or S3's event itself:
//   - S3's test message (s3:TestEvent, sent when a notification is configured)
//     names no object: the run succeeds without touching anything;
//   - for each record, AS ITS EXECUTION ROLE (each
//     call through do, IAM-evaluated): s3 GetObject of the object, then
//     rekognition DetectLabels on it (Image.S3Object; Rekognition reads the
//     object with the role's permissions too);
//   - then it appends a row to the "photo" table of the student's RDS instance:
//     environment variable DB_INSTANCE (an instance identifier) or DBHOST (its
//     endpoint, whose first label is the identifier); by default the function's
//     name minus "photos-labels" plus "photos-db" (c42s07-photos-labels →
//     c42s07-photos-db), in the function's account and region. The table is kept
//     in the simulator (no SQL): World.PhotoRows reads it. A missing instance, or
//     one not "available", fails the run as pymysql would (OperationalError 2003);
//   - any failure makes the handler raise (Python's error shapes): Invoke's
//     FunctionError "Unhandled", an Errors datapoint, an "[ERROR]" log line;
//   - with TracingConfig Active, each run records a trace: a segment of origin
//     AWS::Lambda (the service) and one of origin AWS::Lambda::Function (the
//     code, its child) with "aws" subsegments S3 and Rekognition, so
//     GetServiceGraph shows the function's edge to the "Rekognition" node
//     (type AWS::Rekognition), throttled calls counted as throttles.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rekognition"
	rktypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// PhotoRow is one row of a student's photo table.
type PhotoRow struct {
	ObjectKey       string    // the S3 key, e.g. "photos/cat.jpg"
	Bucket          string    // the bucket it came from (not a column of the course's table)
	Labels          string    // DetectLabels' names, comma-separated, most confident first
	Description     string    // "" (the web app's column)
	CognitoUsername string    // "" (the web app's column)
	CreatedDatetime time.Time // when the function stored it (simulated time)
}

// photoTables are one region's photo tables, by the RDS instance's resource id
// (DbiResourceId), so that a deleted and re-created instance starts empty.
type photoTables struct {
	rows map[string][]PhotoRow
}

func photosOf(r *region) *photoTables {
	return state(r, "photos", func() *photoTables { return &photoTables{rows: map[string][]PhotoRow{}} })
}

// PhotoRows returns the rows of the photo table of RDS instance dbInstanceID in
// (account, region) — "" account is the default one — oldest first; nil when
// there is no such instance or nothing was stored.
func (w *World) PhotoRows(account, regionName, dbInstanceID string) []PhotoRow {
	if account == "" {
		account = w.defAcct
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.regions[regionKey{account, regionName}]
	if r == nil {
		return nil
	}
	x := rdsOf(r).instances[strings.ToLower(dbInstanceID)]
	if x == nil {
		return nil
	}
	return append([]PhotoRow(nil), photosOf(r).rows[x.resourceID]...)
}

// photoDB is the instance identifier the function's environment names.
func photoDB(fn *lambdaFn) string {
	if id := fn.env["DB_INSTANCE"]; id != "" {
		return id
	}
	if h := fn.env["DBHOST"]; h != "" {
		id, _, _ := strings.Cut(h, ".")
		return id
	}
	return strings.TrimSuffix(fn.name, "photos-labels") + "photos-db"
}

// photoCall is one traced downstream call of a run.
type photoCall struct {
	name, op   string
	start, end float64
	code       string // "" when it succeeded
	msg        string
	throttle   bool
}

// photosLabels runs the labelling handler (see the file comment).
func (c *lambdaClient) photosLabels(ctx context.Context, p *invokePlan) lambdaRun {
	fn := p.fn
	w := c.w
	t0 := float64(w.clock.Now().UnixNano()) / 1e9
	at := t0
	var calls []photoCall
	stamp := func() string { return w.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z") }
	finish := func(run lambdaRun) lambdaRun {
		if fn.tracing == lambdatypes.TracingModeActive {
			w.photoTrace(p, t0, at+0.002, calls, run.fnError != "")
		}
		return run
	}
	fail := func(errType, message string) lambdaRun {
		body, _ := json.Marshal(map[string]any{"errorMessage": message, "errorType": errType, "requestId": p.id,
			"stackTrace": []string{"  File \"/var/task/lambda_function.py\", line 31, in lambda_handler\n"}})
		return finish(lambdaRun{payload: body, fnError: "Unhandled",
			log: []string{"[ERROR] " + errType + ": " + message + "\nTraceback (most recent call last):\n  File \"/var/task/lambda_function.py\", line 31, in lambda_handler"}})
	}
	records, err := photoRecords(p.payload)
	if err != nil {
		return fail("KeyError", "'Records'")
	}
	if len(records) == 0 { // S3's test message: nothing to label
		return finish(lambdaRun{payload: []byte(`{"statusCode": 200, "body": "0 photo(s) labelled"}`),
			log: []string{stamp() + "\t" + p.id + "\t[INFO]\tno object in the event (s3:TestEvent)"}})
	}
	_, roleName, ok := roleOf(fn.role)
	if !ok {
		return fail("AccessDeniedException", "The role defined for the function cannot be assumed by Lambda.")
	}
	exec := base{w: w, account: p.account, region: p.region, principal: "arn:aws:sts::" + p.account + ":assumed-role/" + roleName + "/" + fn.name, internal: true}
	reader, rek := &s3Client{exec}, &rekognitionClient{exec}
	var rows []PhotoRow
	var logs []string
	for _, rec := range records {
		start := at + 0.003
		_, err := reader.GetObject(ctx, &s3.GetObjectInput{Bucket: ptr(rec.bucket), Key: ptr(rec.key)})
		at = start + 0.012
		if err != nil {
			calls = append(calls, photoCall{name: "S3", op: "GetObject", start: start, end: at, code: errCode(err), msg: errMessage(err)})
			return fail("ClientError", fmt.Sprintf("An error occurred (%s) when calling the GetObject operation: %s", errCode(err), errMessage(err)))
		}
		calls = append(calls, photoCall{name: "S3", op: "GetObject", start: start, end: at})
		start = at + 0.002
		out, err := rek.DetectLabels(ctx, &rekognition.DetectLabelsInput{Image: &rktypes.Image{S3Object: &rktypes.S3Object{Bucket: ptr(rec.bucket), Name: ptr(rec.key)}},
			MaxLabels: ptr(int32(10)), MinConfidence: ptr(float32(70))})
		at = start + 0.180
		if err != nil {
			code := errCode(err)
			calls = append(calls, photoCall{name: "Rekognition", op: "DetectLabels", start: start, end: at, code: code, msg: errMessage(err),
				throttle: code == "ProvisionedThroughputExceededException"})
			return fail("ClientError", fmt.Sprintf("An error occurred (%s) when calling the DetectLabels operation: %s", code, errMessage(err)))
		}
		calls = append(calls, photoCall{name: "Rekognition", op: "DetectLabels", start: start, end: at})
		var names []string
		for _, l := range out.Labels {
			names = append(names, str(l.Name))
		}
		rows = append(rows, PhotoRow{ObjectKey: rec.key, Bucket: rec.bucket, Labels: strings.Join(names, ",")})
		logs = append(logs, stamp()+"\t"+p.id+"\t[INFO]\tlabels for "+rec.key+": "+strings.Join(names, ", "))
	}
	db := photoDB(fn)
	if host, ok := w.photoStore(p.account, p.region, db, rows); !ok {
		return fail("OperationalError", fmt.Sprintf("(2003, \"Can't connect to MySQL server on '%s' (timed out)\")", host))
	}
	return finish(lambdaRun{payload: []byte(fmt.Sprintf(`{"statusCode": 200, "body": "%d photo(s) labelled"}`, len(rows))), log: logs})
}

// photoRecord is one S3 object an event names.
type photoRecord struct{ bucket, key string }

// photoRecords reads the objects of an SNS-wrapped or direct S3 event.
func photoRecords(payload []byte) ([]photoRecord, error) {
	type s3Rec struct {
		S3 *struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key string `json:"key"`
			} `json:"object"`
		} `json:"s3"`
		Sns *struct {
			Message string `json:"Message"`
		} `json:"Sns"`
	}
	var ev struct {
		Records []s3Rec `json:"Records"`
		Event   string  `json:"Event"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	if ev.Event == "s3:TestEvent" {
		return nil, nil
	}
	if ev.Records == nil {
		return nil, fmt.Errorf("no Records")
	}
	var out []photoRecord
	for _, r := range ev.Records {
		switch {
		case r.Sns != nil:
			inner, err := photoRecords([]byte(r.Sns.Message))
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
		case r.S3 != nil:
			key, err := url.QueryUnescape(r.S3.Object.Key)
			if err != nil {
				key = r.S3.Object.Key
			}
			out = append(out, photoRecord{r.S3.Bucket.Name, key})
		}
	}
	return out, nil
}

// photoStore appends rows to the photo table of instance db; it reports the
// host it tried and whether the instance was there and available.
func (w *World) photoStore(account, regionName, db string, rows []PhotoRow) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.regionLocked(account, regionName)
	host := db + "." + hashID(12, "rds-endpoint", r.account, r.name) + "." + r.name + ".rds.amazonaws.com"
	x := rdsOf(r).instances[strings.ToLower(db)]
	if x == nil || x.status(w.now) != "available" {
		return host, false
	}
	st := photosOf(r)
	for _, row := range rows {
		row.CreatedDatetime = w.now
		st.rows[x.resourceID] = append(st.rows[x.resourceID], row)
	}
	return host, true
}

// photoTrace records a traced run: the Lambda service's segment and the
// function's, with its calls as "aws" subsegments.
func (w *World) photoTrace(p *invokePlan, t0, end float64, calls []photoCall, failed bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.regionLocked(p.account, p.region)
	traceID := fmt.Sprintf("1-%08x-%s", int64(t0), w.hexID(24))
	svc := &xrDoc{TraceID: traceID, ID: w.hexID(16), Name: p.fn.name, Origin: "AWS::Lambda", StartTime: t0, EndTime: end + 0.001,
		AWS: map[string]any{"request_id": p.id}}
	code := &xrDoc{TraceID: traceID, ID: w.hexID(16), ParentID: svc.ID, Name: p.fn.name, Origin: "AWS::Lambda::Function",
		StartTime: t0 + 0.001, EndTime: end, AWS: map[string]any{"function_arn": p.fn.arn, "resource_names": []any{p.fn.name}}}
	if failed {
		code.Error = true
	}
	for _, c := range calls {
		d := &xrDoc{ID: w.hexID(16), Name: c.name, Namespace: "aws", StartTime: c.start, EndTime: c.end,
			AWS: map[string]any{"operation": c.op, "region": p.region, "request_id": w.uuid(), "retries": 0.0}}
		switch {
		case c.throttle:
			d.Error, d.Throttle = true, true
		case c.code != "":
			d.Error = true
		}
		if c.code != "" {
			d.Cause = &xrCause{WorkingDirectory: "/var/task", Exceptions: []xrException{{ID: w.hexID(16), Type: c.code, Message: c.msg, Remote: true}}}
		}
		code.Subsegments = append(code.Subsegments, d)
	}
	r.putDoc(svc, "")
	r.putDoc(code, "")
}
