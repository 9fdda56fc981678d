package sim

// AWS X-Ray: segment documents, trace summaries, traces, the service graph and
// groups, as Lab 7 reads them. Modelled as X-Ray does it:
//   - PutTraceSegments takes segment documents as the X-Ray SDK and daemon send
//     them (trace_id 1-xxxxxxxx-24hex, 16-hex id, name, start_time, end_time or
//     in_progress, http.request/response, error/fault/throttle, cause, nested
//     subsegments with namespace "aws" or "remote"); a malformed one comes back in
//     UnprocessedTraceSegments, the rest are stored by trace;
//   - GetTraceSummaries lists the traces whose root segment started in
//     [StartTime, EndTime] (at most 24 hours) and match FilterExpression (the
//     subset in xray_filter.go), 100 a page, oldest first, with Http, ResponseTime,
//     Duration, HasError/HasFault/HasThrottle from the root segment and ServiceIds;
//   - BatchGetTraces returns up to 5 traces with their segment documents as sent;
//     unknown ids come back in UnprocessedTraceIds;
//   - GetServiceGraph builds nodes and edges from the segments in the window: a
//     node per (name, origin) of each segment, a "client" node calling every root
//     segment's service, and a downstream node per "aws"/"remote" subsegment
//     (AWS::DynamoDB::Table named after aws.table_name, AWS::<Name> otherwise,
//     "remote" for remote calls). Every segment adds to its node's
//     SummaryStatistics and every call to its edge's: OkCount, ErrorStatistics
//     {ThrottleCount, OtherCount, TotalCount} for 4xx, FaultStatistics for 5xx,
//     TotalCount and TotalResponseTime in seconds. GroupName/GroupARN restricts the
//     graph to the traces the group's filter expression matches;
//   - groups: CreateGroup (name 1–32 of letters, digits, '-' and '_'; a valid
//     filter expression), GetGroup, GetGroups (the built-in Default group first),
//     DeleteGroup, ListTagsForResource; groups are in the tagging API as xray:group.
//
// Simplifications: traces are kept 20 minutes (X-Ray keeps 30 days; the lab reads
// at most the last 15, and 2,000 students' sample apps make 20,000 traces a
// minute) so a long demo class stays small; no sampling rules, insights, encryption config, histograms,
// inferred segments in BatchGetTraces, root causes or annotations; the service
// graph is not paginated.

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/xray"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	// Steps at order 80: traces are assembled from the segments the app emitted this second.
	registerService("xray", func(b base, c *cloud.Clients) { c.XRay = &xrayClient{b} }, everySecond(80, stepXRay))
}

// xrayClient implements cloud.XRay.
type xrayClient struct{ base }

var _ cloud.XRay = (*xrayClient)(nil)

const (
	xrRetention = 20 * time.Minute
	// xrHotSummary is how long a trace's summary is kept once built: the lab reads
	// the last 2 minutes again every 30 s (traces still changing), older ones once.
	xrHotSummary  = 4 * time.Minute
	xrMaxWindow   = 24 * time.Hour
	xrPageSize    = 100
	xrMaxBatchIDs = 5
	xrMaxDocBytes = 64 * 1024
)

type xrayState struct {
	traces map[string]*xrTrace
	order  []*xrTrace // by root start time (arrival order for equal times)
	// byService lists, for each service name, the traces that have (or had) a
	// node of that name, in st.order's order (start, then seq): a filter with a
	// service() term scans only that list. A trace stays listed if a replaced
	// segment drops the name; match still checks it.
	byService map[string][]*xrTrace
	seq       int64 // creation counter: xrTrace.seq
	// cold counts st.order's leading traces whose cached summary was dropped
	// (stepXRay): older than xrHotSummary, they are read again only by a new
	// reader's first look at a window, which builds the summary afresh.
	cold   int
	groups map[string]*xrGroup
	gOrder []*xrGroup
}

type xrGroup struct {
	tagged
	name, filter string
	parsed       *xrFilter
}

type xrTrace struct {
	id       string
	start    time.Time
	segs     []*xrDoc
	raw      []string
	nodeList []xrNode // nodes(), kept until a segment is stored; read-only
	callList []xrCall // calls(), kept until a segment is stored; read-only
	// sum is the trace's TraceSummary, built by the first query that returns the
	// trace after a segment is stored (summary), and handed out by every later
	// one; it and what its pointers point at are read-only.
	sum    *xraytypes.TraceSummary
	seq    int64    // creation order, st.order's order for equal starts
	listed []string // the service names it is listed under in st.byService (a few)
}

// before orders traces as st.order does.
func (t *xrTrace) before(u *xrTrace) bool {
	return t.start.Before(u.start) || (t.start.Equal(u.start) && t.seq < u.seq)
}

// index lists t under each of its service names it is not yet listed under.
func (st *xrayState) index(t *xrTrace) {
	for _, n := range t.nodes() {
		if slices.Contains(t.listed, n.name) {
			continue
		}
		t.listed = append(t.listed, n.name)
		if st.byService == nil {
			st.byService = map[string][]*xrTrace{}
		}
		l := st.byService[n.name]
		if len(l) == 0 || l[len(l)-1].before(t) { // the usual case: the newest trace
			st.byService[n.name] = append(l, t)
			continue
		}
		i := sort.Search(len(l), func(i int) bool { return t.before(l[i]) })
		l = append(l, nil)
		copy(l[i+1:], l[i:])
		l[i] = t
		st.byService[n.name] = l
	}
}

// xrDoc is a segment or subsegment document, in the SDK's JSON shape.
type xrDoc struct {
	TraceID     string         `json:"trace_id,omitempty"`
	ID          string         `json:"id"`
	ParentID    string         `json:"parent_id,omitempty"`
	Name        string         `json:"name"`
	Origin      string         `json:"origin,omitempty"`
	Namespace   string         `json:"namespace,omitempty"`
	StartTime   float64        `json:"start_time"`
	EndTime     float64        `json:"end_time,omitempty"`
	InProgress  bool           `json:"in_progress,omitempty"`
	HTTP        *xrHTTP        `json:"http,omitempty"`
	AWS         map[string]any `json:"aws,omitempty"`
	Error       bool           `json:"error,omitempty"`
	Fault       bool           `json:"fault,omitempty"`
	Throttle    bool           `json:"throttle,omitempty"`
	Cause       *xrCause       `json:"cause,omitempty"`
	Subsegments []*xrDoc       `json:"subsegments,omitempty"`
	// call is the "aws" metadata of the simulator's own subsegments (signup.go),
	// kept as a struct instead of a map in AWS: 20 minutes of 2,000 sample apps'
	// calls were a third of the simulator's heap as maps. MarshalJSON writes it
	// as "aws", so a reader sees what the X-Ray SDK sends.
	call *xrAWSCall
}

// xrAWSCall is an "aws" subsegment's metadata as the X-Ray SDK for Node.js sends
// it: {"operation", "region", "request_id", "retries", and "table_name" or
// "topic_arn"}.
type xrAWSCall struct {
	operation, region, requestID string
	key, value                   string // "table_name" or "topic_arn", and its value
}

func (c *xrAWSCall) meta() map[string]any {
	return map[string]any{"operation": c.operation, "region": c.region, "request_id": c.requestID, "retries": 0.0, c.key: c.value}
}

// MarshalJSON writes d with its call metadata, if any, as "aws".
func (d *xrDoc) MarshalJSON() ([]byte, error) {
	type plain xrDoc // without this method
	if d.call == nil || d.AWS != nil {
		return json.Marshal((*plain)(d))
	}
	c := *d
	c.AWS, c.call = d.call.meta(), nil
	return json.Marshal((*plain)(&c))
}

type xrHTTP struct {
	Request  *xrRequest  `json:"request,omitempty"`
	Response *xrResponse `json:"response,omitempty"`
}

type xrRequest struct {
	Method    string `json:"method,omitempty"`
	URL       string `json:"url,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	ClientIP  string `json:"client_ip,omitempty"`
}

type xrResponse struct {
	Status        int `json:"status,omitempty"`
	ContentLength int `json:"content_length,omitempty"`
}

type xrCause struct {
	WorkingDirectory string        `json:"working_directory,omitempty"`
	Exceptions       []xrException `json:"exceptions,omitempty"`
}

type xrException struct {
	ID      string `json:"id"`
	Message string `json:"message,omitempty"`
	Type    string `json:"type,omitempty"`
	Remote  bool   `json:"remote,omitempty"`
}

func (d *xrDoc) status() int {
	if d.HTTP == nil || d.HTTP.Response == nil {
		return 0
	}
	return d.HTTP.Response.Status
}

func (d *xrDoc) seconds() float64 {
	if d.EndTime < d.StartTime {
		return 0
	}
	return d.EndTime - d.StartTime
}

func xrayOf(r *region) *xrayState {
	return state(r, "xray", func() *xrayState {
		return &xrayState{traces: map[string]*xrTrace{}, groups: map[string]*xrGroup{}}
	})
}

func xrInvalid(format string, a ...any) error {
	return &xraytypes.InvalidRequestException{Message: msg(format, a...)}
}

// stepXRay drops traces past the simulator's retention, and the cached summaries
// of traces past xrHotSummary, once a minute.
func stepXRay(r *region, now time.Time) {
	st, ok := r.ext["xray"].(*xrayState)
	if !ok || now.Unix()%60 != 0 {
		return
	}
	cut := now.Add(-xrRetention)
	n := 0
	for n < len(st.order) && st.order[n].start.Before(cut) {
		delete(st.traces, st.order[n].id)
		n++
	}
	if n > 0 {
		st.order = dropFront(st.order, n)
		for name, l := range st.byService {
			k := 0
			for k < len(l) && l[k].start.Before(cut) {
				k++
			}
			switch {
			case k == len(l):
				delete(st.byService, name)
			case k > 0:
				st.byService[name] = dropFront(l, k)
			}
		}
	}
	st.cold = max(0, st.cold-n)
	for hot := now.Add(-xrHotSummary); st.cold < len(st.order) && st.order[st.cold].start.Before(hot); st.cold++ {
		st.order[st.cold].sum = nil
	}
}

// dropFront removes l's first n traces in place: the slice keeps its array (no
// copy of the whole store each minute) and the dropped pointers are cleared so
// the expired traces can be collected.
func dropFront(l []*xrTrace, n int) []*xrTrace {
	k := copy(l, l[n:])
	clear(l[k:])
	return l[:k]
}

var (
	xrTraceIDRE = regexp.MustCompile(`^1-[0-9a-f]{8}-[0-9a-f]{24}$`)
	xrSegIDRE   = regexp.MustCompile(`^[0-9a-f]{16}$`)
	xrGroupRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
)

// validate checks a (sub)segment the way X-Ray's ingestion does.
func (d *xrDoc) validate(top bool) string {
	switch {
	case top && !xrTraceIDRE.MatchString(d.TraceID):
		return "Invalid trace_id"
	case !xrSegIDRE.MatchString(d.ID):
		return "Invalid id"
	case d.Name == "" || len(d.Name) > 200:
		return "Invalid name"
	case d.StartTime <= 0:
		return "Missing start_time"
	case d.EndTime == 0 && !d.InProgress:
		return "Missing end_time or in_progress"
	case d.EndTime != 0 && d.EndTime < d.StartTime:
		return "end_time is before start_time"
	}
	for _, s := range d.Subsegments {
		if s == nil {
			return "Invalid subsegment"
		}
		if m := s.validate(false); m != "" {
			return "subsegment: " + m
		}
	}
	return ""
}

// putSegment stores one segment document; it returns why it was rejected, or "".
// The world's lock must be held.
func (r *region) putSegment(raw string) (id, problem string) {
	if len(raw) > xrMaxDocBytes {
		return "", "Segment document exceeds 64 KB"
	}
	d := &xrDoc{}
	if err := json.Unmarshal([]byte(raw), d); err != nil {
		return "", "Invalid segment document: " + err.Error()
	}
	return r.putDoc(d, raw)
}

// putDoc stores a decoded segment d whose JSON is raw. The simulator's own
// segments (signup.go) come here directly with raw "" (rawAt marshals d when
// it is read), built with the values decoding the JSON would give (numbers in
// AWS metadata are float64), so they are neither encoded nor decoded per
// request, nor validated (TestSignupSegmentsDecodeAsStored checks they are
// equal to their decoded JSON and pass validate).
func (r *region) putDoc(d *xrDoc, raw string) (id, problem string) {
	if raw != "" {
		if p := d.validate(true); p != "" {
			return d.ID, p
		}
	}
	st := xrayOf(r)
	t := st.traces[d.TraceID]
	start := time.Unix(0, int64(d.StartTime*1e9)).UTC()
	if t == nil {
		st.seq++
		t = &xrTrace{id: d.TraceID, start: start, seq: st.seq}
		st.traces[d.TraceID] = t
		i := len(st.order) // the usual case: the newest trace goes last
		if i > 0 && st.order[i-1].start.After(start) {
			i = sort.Search(len(st.order), func(i int) bool { return st.order[i].start.After(start) })
		}
		st.order = append(st.order, nil)
		copy(st.order[i+1:], st.order[i:])
		st.order[i] = t
		if i < st.cold {
			st.cold++
		}
	}
	for i, s := range t.segs {
		if s.ID == d.ID { // a completed segment replaces its in-progress version
			t.segs[i], t.raw[i] = d, raw
			t.nodeList, t.callList, t.sum = nil, nil, nil
			st.index(t)
			return d.ID, ""
		}
	}
	t.segs = append(t.segs, d)
	t.nodeList, t.callList, t.sum = nil, nil, nil
	t.raw = append(t.raw, raw)
	st.index(t)
	return d.ID, ""
}

// rawAt is segment i's document. The simulator's own segments are stored
// without it (putDoc with raw ""), and marshalled only when a caller reads them.
func (t *xrTrace) rawAt(i int) string {
	if t.raw[i] == "" {
		if b, err := json.Marshal(t.segs[i]); err == nil {
			t.raw[i] = string(b)
		}
	}
	return t.raw[i]
}

// root returns the trace's entry segment: the one without a parent.
func (t *xrTrace) root() *xrDoc {
	var root *xrDoc
	for _, s := range t.segs {
		if s.ParentID == "" && (root == nil || s.StartTime < root.StartTime) {
			root = s
		}
	}
	return root
}

// xrNode identifies one service graph node.
type xrNode struct{ name, typ string }

// nodes lists the services the trace touches: each segment's and each downstream call's.
// Every query's filter asks it of every trace in the window, so it is computed
// once per change of the trace's segments. Callers must not modify the result.
func (t *xrTrace) nodes() []xrNode {
	if t.nodeList == nil {
		t.nodeList = t.findNodes()
	}
	return t.nodeList
}

func (t *xrTrace) findNodes() []xrNode {
	// A trace touches a handful of services: a linear search beats a map, and
	// this runs for every trace recorded.
	out := make([]xrNode, 0, 4)
	add := func(n xrNode) {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, s := range t.segs {
		add(xrNode{s.Name, s.Origin})
		walkCalls(s, func(_ *xrDoc, sub *xrDoc) { add(downstream(sub)) })
	}
	return out
}

// xrCall is one downstream call of a trace's segment t.segs[seg]: the service
// graph's edge from the segment's node to the call's.
type xrCall struct {
	seg  int
	call *xrDoc
	to   xrNode
}

// calls lists the downstream calls of the trace's segments, by segment and in
// the order walkCalls visits them. Every graph query over the window asks it of
// every trace, so it is computed once per change of the trace's segments.
// Callers must not modify the result.
func (t *xrTrace) calls() []xrCall {
	if t.callList == nil {
		t.callList = []xrCall{}
		for i, s := range t.segs {
			walkCalls(s, func(_ *xrDoc, call *xrDoc) { t.callList = append(t.callList, xrCall{i, call, downstream(call)}) })
		}
	}
	return t.callList
}

func (t *xrTrace) hasService(name string) bool {
	for _, n := range t.nodes() {
		if n.name == name {
			return true
		}
	}
	return false
}

// walkCalls calls f for every downstream call ("aws" or "remote" subsegment) under s.
func walkCalls(s *xrDoc, f func(parent, call *xrDoc)) {
	for _, sub := range s.Subsegments {
		if sub == nil {
			continue
		}
		if sub.Namespace == "aws" || sub.Namespace == "remote" {
			f(s, sub)
		}
		walkCalls(sub, f)
	}
}

// downstream is the node X-Ray infers for a call.
func downstream(sub *xrDoc) xrNode {
	if sub.Namespace == "remote" {
		return xrNode{sub.Name, "remote"}
	}
	if c := sub.call; c != nil && c.key == "table_name" && c.value != "" {
		return xrNode{c.value, "AWS::DynamoDB::Table"}
	}
	if tn, ok := sub.AWS["table_name"].(string); ok && tn != "" {
		return xrNode{tn, "AWS::DynamoDB::Table"}
	}
	return xrNode{sub.Name, "AWS::" + sub.Name}
}

// xrStats accumulates summary statistics.
type xrStats struct {
	ok, throttle, errOther, fault, total int64
	resp                                 float64
}

func (s *xrStats) add(d *xrDoc) {
	s.total++
	s.resp += d.seconds()
	switch {
	case d.Fault:
		s.fault++
	case d.Throttle:
		s.throttle++
	case d.Error:
		s.errOther++
	default:
		s.ok++
	}
}

func (s *xrStats) service() *xraytypes.ServiceStatistics {
	return &xraytypes.ServiceStatistics{OkCount: ptr(s.ok), TotalCount: ptr(s.total), TotalResponseTime: ptr(s.resp),
		ErrorStatistics: &xraytypes.ErrorStatistics{ThrottleCount: ptr(s.throttle), OtherCount: ptr(s.errOther), TotalCount: ptr(s.throttle + s.errOther)},
		FaultStatistics: &xraytypes.FaultStatistics{OtherCount: ptr(s.fault), TotalCount: ptr(s.fault)}}
}

func (s *xrStats) edge() *xraytypes.EdgeStatistics {
	v := s.service()
	return &xraytypes.EdgeStatistics{OkCount: v.OkCount, TotalCount: v.TotalCount, TotalResponseTime: v.TotalResponseTime,
		ErrorStatistics: v.ErrorStatistics, FaultStatistics: v.FaultStatistics}
}

// window reads a required [start, end] time window.
func xrWindow(start, end *time.Time) (time.Time, time.Time, error) {
	if start == nil || end == nil {
		return time.Time{}, time.Time{}, xrInvalid("StartTime and EndTime are required.")
	}
	if !end.After(*start) {
		return time.Time{}, time.Time{}, xrInvalid("EndTime must be after StartTime.")
	}
	if end.Sub(*start) > xrMaxWindow {
		return time.Time{}, time.Time{}, xrInvalid("The time range cannot exceed 24 hours.")
	}
	return *start, *end, nil
}

// inWindow returns the traces whose root started in [from, to], oldest first.
func (st *xrayState) inWindow(from, to time.Time, f *xrFilter) []*xrTrace {
	var out []*xrTrace
	st.eachInWindow(from, to, f, func(t *xrTrace) { out = append(out, t) })
	return out
}

// eachInWindow calls fn for each trace inWindow would return, in its order,
// without building the list. st.order is sorted by start (putDoc inserts in
// place), and so is each byService list: with a service() term only that
// service's traces are read, and of them only the window (binary search for its
// start).
func (st *xrayState) eachInWindow(from, to time.Time, f *xrFilter, fn func(*xrTrace)) {
	list := st.candidates(from, to, f)
	for _, t := range list {
		if f.match(t) {
			fn(t)
		}
	}
}

// candidates is the part of st.order (or of the filter's service's list) that
// started in [from, to]: the traces the filter must still be matched against.
func (st *xrayState) candidates(from, to time.Time, f *xrFilter) []*xrTrace {
	list := st.order
	if f != nil {
		for _, term := range f.terms {
			if term.kind == "service" {
				list = st.byService[term.s]
				break
			}
		}
	}
	i := sort.Search(len(list), func(i int) bool { return !list[i].start.Before(from) })
	j := i + sort.Search(len(list)-i, func(k int) bool { return list[i+k].start.After(to) })
	return list[i:j]
}

// PutTraceSegments stores segment documents.
func (c *xrayClient) PutTraceSegments(ctx context.Context, in *xray.PutTraceSegmentsInput, _ ...func(*xray.Options)) (*xray.PutTraceSegmentsOutput, error) {
	return do(ctx, c.base, "xray", "PutTraceSegments", in, func(r *region) (*xray.PutTraceSegmentsOutput, error) {
		if in == nil || len(in.TraceSegmentDocuments) == 0 {
			return nil, xrInvalid("TraceSegmentDocuments is required.")
		}
		out := &xray.PutTraceSegmentsOutput{UnprocessedTraceSegments: []xraytypes.UnprocessedTraceSegment{}}
		for _, raw := range in.TraceSegmentDocuments {
			if id, problem := r.putSegment(raw); problem != "" {
				out.UnprocessedTraceSegments = append(out.UnprocessedTraceSegments,
					xraytypes.UnprocessedTraceSegment{Id: optStr(id), ErrorCode: ptr("InvalidSegment"), Message: ptr(problem)})
			}
		}
		return out, nil
	})
}

// summary returns t's TraceSummary, building it on the first read after a
// segment was stored. The summary is shared by every answer that includes the
// trace: callers must not modify it (labdash's never do; the SDK's outputs are
// read-only by convention).
func (r *region) summary(t *xrTrace) *xraytypes.TraceSummary {
	if t.sum == nil {
		s := r.xrSummary(t)
		t.sum = &s
	}
	return t.sum
}

// xrSummary builds a trace's TraceSummary.
func (r *region) xrSummary(t *xrTrace) xraytypes.TraceSummary {
	s := xraytypes.TraceSummary{Id: ptr(t.id), StartTime: tptr(t.start), Revision: int32(len(t.segs)),
		HasError: ptr(false), HasFault: ptr(false), HasThrottle: ptr(false), IsPartial: ptr(false)}
	lo, hi := 0.0, 0.0
	for i, d := range t.segs {
		if i == 0 || d.StartTime < lo {
			lo = d.StartTime
		}
		if d.EndTime > hi {
			hi = d.EndTime
		}
		if d.InProgress {
			s.IsPartial = ptr(true)
		}
	}
	s.Duration = ptr(hi - lo)
	if root := t.root(); root != nil {
		s.ResponseTime = ptr(root.seconds())
		s.HasError, s.HasFault, s.HasThrottle = ptr(root.Error), ptr(root.Fault), ptr(root.Throttle)
		h := &xraytypes.Http{}
		if root.HTTP != nil && root.HTTP.Request != nil {
			q := root.HTTP.Request
			h.HttpMethod, h.HttpURL, h.UserAgent, h.ClientIp = optStr(q.Method), optStr(q.URL), optStr(q.UserAgent), optStr(q.ClientIP)
		}
		if st := root.status(); st != 0 {
			h.HttpStatus = ptr(int32(st))
		}
		s.Http = h
		s.EntryPoint = &xraytypes.ServiceId{Name: ptr(root.Name), Names: []string{root.Name}, AccountId: ptr(r.account), Type: optStr(root.Origin)}
	}
	if nodes := t.nodes(); len(nodes) > 0 {
		s.ServiceIds = make([]xraytypes.ServiceId, 0, len(nodes))
	}
	for _, n := range t.nodes() {
		s.ServiceIds = append(s.ServiceIds, xraytypes.ServiceId{Name: ptr(n.name), Names: []string{n.name}, AccountId: ptr(r.account), Type: optStr(n.typ)})
	}
	return s
}

// GetTraceSummaries lists the traces of a time window that match a filter expression.
func (c *xrayClient) GetTraceSummaries(ctx context.Context, in *xray.GetTraceSummariesInput, _ ...func(*xray.Options)) (*xray.GetTraceSummariesOutput, error) {
	return do(ctx, c.base, "xray", "GetTraceSummaries", in, func(r *region) (*xray.GetTraceSummariesOutput, error) {
		if in == nil {
			in = &xray.GetTraceSummariesInput{}
		}
		from, to, err := xrWindow(in.StartTime, in.EndTime)
		if err != nil {
			return nil, err
		}
		f, err := parseXRFilter(str(in.FilterExpression))
		if err != nil {
			return nil, err
		}
		pos, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, xrInvalid("Invalid NextToken.")
		}
		// Only the page's traces are summarized (each once per revision, then
		// cached on the trace); the others are only counted.
		st := xrayOf(r)
		// At most the window's candidates past pos match: the page's size.
		size := min(max(len(st.candidates(from, to, f))-pos, 0), xrPageSize)
		out := &xray.GetTraceSummariesOutput{ApproximateTime: tptr(c.w.now), TraceSummaries: make([]xraytypes.TraceSummary, 0, size)}
		n := 0
		st.eachInWindow(from, to, f, func(t *xrTrace) {
			if n >= pos && n < pos+xrPageSize {
				out.TraceSummaries = append(out.TraceSummaries, *r.summary(t))
			}
			n++
		})
		if n > pos+xrPageSize {
			out.NextToken = intToken(pos + xrPageSize)
		}
		out.TracesProcessedCount = ptr(int64(n))
		return out, nil
	})
}

// BatchGetTraces returns up to 5 traces by id.
func (c *xrayClient) BatchGetTraces(ctx context.Context, in *xray.BatchGetTracesInput, _ ...func(*xray.Options)) (*xray.BatchGetTracesOutput, error) {
	return do(ctx, c.base, "xray", "BatchGetTraces", in, func(r *region) (*xray.BatchGetTracesOutput, error) {
		if in == nil || len(in.TraceIds) == 0 {
			return nil, xrInvalid("TraceIds is required.")
		}
		if len(in.TraceIds) > xrMaxBatchIDs {
			return nil, xrInvalid("1 validation error detected: Value at 'traceIds' failed to satisfy constraint: Member must have length less than or equal to 5")
		}
		st := xrayOf(r)
		out := &xray.BatchGetTracesOutput{Traces: []xraytypes.Trace{}, UnprocessedTraceIds: []string{}}
		for _, id := range in.TraceIds {
			t := st.traces[id]
			if t == nil {
				out.UnprocessedTraceIds = append(out.UnprocessedTraceIds, id)
				continue
			}
			sum := r.summary(t)
			tr := xraytypes.Trace{Id: ptr(id), Duration: sum.Duration, LimitExceeded: ptr(false)}
			for i, d := range t.segs {
				tr.Segments = append(tr.Segments, xraytypes.Segment{Id: ptr(d.ID), Document: ptr(t.rawAt(i))})
			}
			out.Traces = append(out.Traces, tr)
		}
		return out, nil
	})
}

// group resolves a group by name or ARN ("" and "Default" are the Default group: nil, true).
func (st *xrayState) group(name, arn string) (*xrGroup, error) {
	if name == "" && arn == "" {
		return nil, xrInvalid("GroupName or GroupARN is required.")
	}
	for _, g := range st.gOrder {
		if (name == "" || g.name == name) && (arn == "" || g.arn == arn) {
			return g, nil
		}
	}
	return nil, xrInvalid("Group not found")
}

// GetServiceGraph builds the service graph of a window, of one group's traces if given.
func (c *xrayClient) GetServiceGraph(ctx context.Context, in *xray.GetServiceGraphInput, _ ...func(*xray.Options)) (*xray.GetServiceGraphOutput, error) {
	return do(ctx, c.base, "xray", "GetServiceGraph", in, func(r *region) (*xray.GetServiceGraphOutput, error) {
		if in == nil {
			in = &xray.GetServiceGraphInput{}
		}
		from, to, err := xrWindow(in.StartTime, in.EndTime)
		if err != nil {
			return nil, err
		}
		st := xrayOf(r)
		var f *xrFilter
		name, arn := str(in.GroupName), str(in.GroupARN)
		if !(name == "Default" && arn == "") && (name != "" || arn != "") {
			g, err := st.group(name, arn)
			if err != nil {
				return nil, err
			}
			f = g.parsed
		}
		traces := st.inWindow(from, to, f)
		return &xray.GetServiceGraphOutput{StartTime: tptr(from), EndTime: tptr(to), Services: r.xrGraph(traces, from, to)}, nil
	})
}

// xrGraph computes the service graph of traces, nodes in order of first appearance
// (the client first).
func (r *region) xrGraph(traces []*xrTrace, from, to time.Time) []xraytypes.Service {
	type node struct {
		key   xrNode
		ref   int32
		root  bool
		stats *xrStats
		edges map[int32]*xrStats
		eord  []int32
	}
	var order []*node
	byKey := map[xrNode]*node{}
	get := func(k xrNode) *node {
		n := byKey[k]
		if n == nil {
			n = &node{key: k, ref: int32(len(order)), edges: map[int32]*xrStats{}}
			if k.typ != "client" {
				n.stats = &xrStats{}
			}
			byKey[k] = n
			order = append(order, n)
		}
		return n
	}
	edge := func(from, to *node) *xrStats {
		e := from.edges[to.ref]
		if e == nil {
			e = &xrStats{}
			from.edges[to.ref] = e
			from.eord = append(from.eord, to.ref)
		}
		return e
	}
	if len(traces) > 0 {
		get(xrNode{"", "client"})
	}
	client := byKey[xrNode{"", "client"}]
	for _, t := range traces {
		calls := t.calls() // by segment: each segment's follow it
		for i, s := range t.segs {
			if s.InProgress {
				for len(calls) > 0 && calls[0].seg == i {
					calls = calls[1:]
				}
				continue
			}
			n := get(xrNode{s.Name, s.Origin})
			n.stats.add(s)
			if s.ParentID == "" {
				n.root = true
				edge(client, n).add(s)
			}
			for ; len(calls) > 0 && calls[0].seg == i; calls = calls[1:] {
				d := get(calls[0].to)
				d.stats.add(calls[0].call)
				edge(n, d).add(calls[0].call)
			}
		}
	}
	out := make([]xraytypes.Service, 0, len(order))
	for _, n := range order {
		svc := xraytypes.Service{ReferenceId: ptr(n.ref), Type: optStr(n.key.typ), State: ptr("active"),
			StartTime: tptr(from), EndTime: tptr(to), Edges: []xraytypes.Edge{}}
		if n.key.typ != "client" {
			svc.Name, svc.Names, svc.AccountId, svc.Root = ptr(n.key.name), []string{n.key.name}, ptr(r.account), ptr(n.root)
			svc.SummaryStatistics = n.stats.service()
		}
		if n.key.typ == "client" || strings.HasPrefix(n.key.typ, "AWS::DynamoDB") || strings.HasPrefix(n.key.typ, "AWS::SNS") {
			svc.State = ptr("unknown")
		}
		for _, ref := range n.eord {
			svc.Edges = append(svc.Edges, xraytypes.Edge{ReferenceId: ptr(ref), StartTime: tptr(from), EndTime: tptr(to),
				SummaryStatistics: n.edges[ref].edge()})
		}
		out = append(out, svc)
	}
	return out
}

func (g *xrGroup) out() *xraytypes.Group {
	return &xraytypes.Group{GroupName: ptr(g.name), GroupARN: ptr(g.arn), FilterExpression: optStr(g.filter),
		InsightsConfiguration: &xraytypes.InsightsConfiguration{InsightsEnabled: ptr(false), NotificationsEnabled: ptr(false)}}
}

// CreateGroup creates a group with a filter expression.
func (c *xrayClient) CreateGroup(ctx context.Context, in *xray.CreateGroupInput, _ ...func(*xray.Options)) (*xray.CreateGroupOutput, error) {
	return do(ctx, c.base, "xray", "CreateGroup", in, func(r *region) (*xray.CreateGroupOutput, error) {
		if in == nil {
			in = &xray.CreateGroupInput{}
		}
		name := str(in.GroupName)
		if !xrGroupRE.MatchString(name) {
			return nil, xrInvalid("Invalid group name: %s", name)
		}
		if name == "Default" {
			return nil, xrInvalid("Default is a reserved group name.")
		}
		st := xrayOf(r)
		for _, g := range st.gOrder {
			if g.name == name {
				return nil, xrInvalid("Group already exists")
			}
		}
		f, err := parseXRFilter(str(in.FilterExpression))
		if err != nil {
			return nil, err
		}
		if len(in.Tags) > 50 {
			return nil, &xraytypes.TooManyTagsException{Message: ptr("Too many tags")}
		}
		g := &xrGroup{name: name, filter: str(in.FilterExpression), parsed: f}
		for _, t := range in.Tags {
			if str(t.Key) == "" || strings.HasPrefix(str(t.Key), "aws:") {
				return nil, xrInvalid("Invalid tag key: %s", str(t.Key))
			}
			g.tags.set(str(t.Key), str(t.Value))
		}
		st.groups[name] = g
		st.gOrder = append(st.gOrder, g)
		r.addTaggable(&g.tagged, r.arn("xray", "group/"+name+"/"+strings.ToUpper(c.w.alnum(26))), "xray:group")
		return &xray.CreateGroupOutput{Group: g.out()}, nil
	})
}

// GetGroup returns a group by name or ARN.
func (c *xrayClient) GetGroup(ctx context.Context, in *xray.GetGroupInput, _ ...func(*xray.Options)) (*xray.GetGroupOutput, error) {
	return do(ctx, c.base, "xray", "GetGroup", in, func(r *region) (*xray.GetGroupOutput, error) {
		if in == nil {
			in = &xray.GetGroupInput{}
		}
		if str(in.GroupName) == "Default" && in.GroupARN == nil {
			return &xray.GetGroupOutput{Group: r.xrDefault()}, nil
		}
		g, err := xrayOf(r).group(str(in.GroupName), str(in.GroupARN))
		if err != nil {
			return nil, err
		}
		return &xray.GetGroupOutput{Group: g.out()}, nil
	})
}

func (r *region) xrDefault() *xraytypes.Group {
	return &xraytypes.Group{GroupName: ptr("Default"), GroupARN: ptr(r.arn("xray", "group/Default")),
		InsightsConfiguration: &xraytypes.InsightsConfiguration{InsightsEnabled: ptr(false), NotificationsEnabled: ptr(false)}}
}

// GetGroups lists the Default group and every group, 100 a page.
func (c *xrayClient) GetGroups(ctx context.Context, in *xray.GetGroupsInput, _ ...func(*xray.Options)) (*xray.GetGroupsOutput, error) {
	return do(ctx, c.base, "xray", "GetGroups", in, func(r *region) (*xray.GetGroupsOutput, error) {
		if in == nil {
			in = &xray.GetGroupsInput{}
		}
		pos, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, xrInvalid("Invalid NextToken.")
		}
		// The Default group, then every group; only the page's are built (a
		// class's groups are read 100 a page, once per cycle).
		gs := xrayOf(r).gOrder
		total := 1 + len(gs)
		out := &xray.GetGroupsOutput{Groups: make([]xraytypes.GroupSummary, 0, min(max(total-pos, 0), xrPageSize))}
		for i := pos; i < total; i++ {
			if i == pos+xrPageSize {
				out.NextToken = intToken(i)
				break
			}
			o := r.xrDefault()
			if i > 0 {
				o = gs[i-1].out()
			}
			out.Groups = append(out.Groups, xraytypes.GroupSummary{GroupName: o.GroupName, GroupARN: o.GroupARN, FilterExpression: o.FilterExpression, InsightsConfiguration: o.InsightsConfiguration})
		}
		return out, nil
	})
}

// DeleteGroup deletes a group by name or ARN.
func (c *xrayClient) DeleteGroup(ctx context.Context, in *xray.DeleteGroupInput, _ ...func(*xray.Options)) (*xray.DeleteGroupOutput, error) {
	return do(ctx, c.base, "xray", "DeleteGroup", in, func(r *region) (*xray.DeleteGroupOutput, error) {
		if in == nil {
			in = &xray.DeleteGroupInput{}
		}
		if str(in.GroupName) == "Default" {
			return nil, xrInvalid("The Default group cannot be deleted.")
		}
		st := xrayOf(r)
		g, err := st.group(str(in.GroupName), str(in.GroupARN))
		if err != nil {
			return nil, err
		}
		g.dead = true
		delete(st.groups, g.name)
		st.gOrder = compact(st.gOrder, func(x *xrGroup) bool { return x != g })
		return &xray.DeleteGroupOutput{}, nil
	})
}

// ListTagsForResource lists a group's tags.
func (c *xrayClient) ListTagsForResource(ctx context.Context, in *xray.ListTagsForResourceInput, _ ...func(*xray.Options)) (*xray.ListTagsForResourceOutput, error) {
	return do(ctx, c.base, "xray", "ListTagsForResource", in, func(r *region) (*xray.ListTagsForResourceOutput, error) {
		if in == nil || str(in.ResourceARN) == "" {
			return nil, xrInvalid("ResourceARN is required.")
		}
		for _, g := range xrayOf(r).gOrder {
			if g.arn == str(in.ResourceARN) {
				out := &xray.ListTagsForResourceOutput{Tags: []xraytypes.Tag{}}
				for _, t := range g.tags {
					out.Tags = append(out.Tags, xraytypes.Tag{Key: ptr(t.k), Value: ptr(t.v)})
				}
				return out, nil
			}
		}
		return nil, &xraytypes.ResourceNotFoundException{Message: msg("Resource not found: %s", str(in.ResourceARN)), ResourceName: in.ResourceARN}
	})
}

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::XRay::Group", cfnXRayGroupResource)
}

// cfnXRayGroupResource creates an AWS::XRay::Group for a stack.
func cfnXRayGroupResource(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	return r.cfnXRayGroup(st, logical, p, rs)
}
