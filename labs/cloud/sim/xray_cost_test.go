package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"
)

// putTraces stores n one-segment traces of service name, one a second back from
// now, the first of them in progress; it returns the first's trace and segment ids.
func (e *env) putTraces(name string, n int) (traceID, segID string) {
	e.t.Helper()
	now := e.w.Now()
	var docs []string
	for i := range n {
		start := float64(now.Add(-time.Duration(n-i)*time.Second).UnixNano()) / 1e9
		end := fmt.Sprintf(`"end_time":%f`, start+0.25)
		if i == 0 {
			end = `"in_progress":true`
		}
		id, seg := fmt.Sprintf("1-%08x-%024x", int64(start), i), fmt.Sprintf("%016x", i+1)
		if i == 0 {
			traceID, segID = id, seg
		}
		docs = append(docs, fmt.Sprintf(`{"trace_id":%q,"id":%q,"name":%q,"start_time":%f,%s,"http":{"request":{"method":"POST","url":"/signup"},"response":{"status":200}}}`,
			id, seg, name, start, end))
	}
	for len(docs) > 0 {
		k := min(len(docs), 50)
		out, err := e.c.XRay.PutTraceSegments(e.ctx, &xray.PutTraceSegmentsInput{TraceSegmentDocuments: docs[:k]})
		if err != nil || len(out.UnprocessedTraceSegments) > 0 {
			e.t.Fatalf("put: %v %+v", err, out)
		}
		docs = docs[k:]
	}
	return traceID, segID
}

// TestXRaySummariesBuiltOncePerRevision checks that a trace's summary is built
// once and handed out by later queries (a page of 100 traces costs a few
// allocations, not 100 summaries' worth), that only the page's traces are
// summarized while TracesProcessedCount and NextToken still count the whole
// window, and that storing a segment (the in-progress root completing) rebuilds
// the summary.
func TestXRaySummariesBuiltOncePerRevision(t *testing.T) {
	e := newEnv(t)
	first, seg := e.putTraces("c42s07-signup", 150)
	now := e.w.Now()
	in := &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now), FilterExpression: aws.String(`service("c42s07-signup")`)}
	page, err := e.c.XRay.GetTraceSummaries(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.TraceSummaries) != 100 || aws.ToInt64(page.TracesProcessedCount) != 150 || page.NextToken == nil {
		t.Fatalf("first page: %d summaries, processed %d, token %v", len(page.TraceSummaries), aws.ToInt64(page.TracesProcessedCount), page.NextToken)
	}
	if s := page.TraceSummaries[0]; aws.ToString(s.Id) != first || !aws.ToBool(s.IsPartial) {
		t.Fatalf("oldest: %s partial %v, want %s partial", aws.ToString(s.Id), aws.ToBool(s.IsPartial), first)
	}
	next, err := e.c.XRay.GetTraceSummaries(e.ctx, &xray.GetTraceSummariesInput{StartTime: in.StartTime, EndTime: in.EndTime, FilterExpression: in.FilterExpression, NextToken: page.NextToken})
	if err != nil || len(next.TraceSummaries) != 50 || next.NextToken != nil || aws.ToInt64(next.TracesProcessedCount) != 150 {
		t.Fatalf("second page: %v, %+v", err, next)
	}
	// Summaries are cached: a repeated page allocates the answer, not 100 summaries
	// (built per query, one summary is about 25 allocations).
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := e.c.XRay.GetTraceSummaries(e.ctx, in); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 100 {
		t.Errorf("a repeated page of 100 summaries: %.0f allocations, want at most 100", allocs)
	}
	// The in-progress root completes: its summary is rebuilt.
	start := float64(now.Add(-150*time.Second).UnixNano()) / 1e9
	done := fmt.Sprintf(`{"trace_id":%q,"id":%q,"name":"c42s07-signup","start_time":%f,"end_time":%f,"fault":true,"http":{"request":{"method":"POST","url":"/signup"},"response":{"status":500}}}`,
		first, seg, start, start+2)
	if out, err := e.c.XRay.PutTraceSegments(e.ctx, &xray.PutTraceSegmentsInput{TraceSegmentDocuments: []string{done}}); err != nil || len(out.UnprocessedTraceSegments) > 0 {
		t.Fatalf("complete: %v %+v", err, out)
	}
	page, err = e.c.XRay.GetTraceSummaries(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	s := page.TraceSummaries[0]
	if aws.ToString(s.Id) != first || aws.ToBool(s.IsPartial) || !aws.ToBool(s.HasFault) || aws.ToInt32(s.Http.HttpStatus) != 500 || aws.ToFloat64(s.ResponseTime) < 1.99 {
		t.Errorf("completed trace: partial %v fault %v status %d response %v", aws.ToBool(s.IsPartial), aws.ToBool(s.HasFault), aws.ToInt32(s.Http.HttpStatus), aws.ToFloat64(s.ResponseTime))
	}
}

// TestXRayGraphFromCachedCalls checks the service graph built from each trace's
// cached calls on traces with two segments (the second a child of the first)
// each making calls: nodes in order of first appearance as walking each segment
// and then its calls gives them, each node's edges and counts, and that a
// segment replacing an in-progress one brings its calls into the graph.
func TestXRayGraphFromCachedCalls(t *testing.T) {
	e := newEnv(t)
	now := e.w.Now()
	at := float64(now.Add(-time.Minute).Unix())
	doc := func(trace, id, parent, name string, start float64, done bool, calls string) string {
		end := fmt.Sprintf(`"end_time":%f`, start+0.5)
		if !done {
			end = `"in_progress":true`
		}
		p := ""
		if parent != "" {
			p = fmt.Sprintf(`"parent_id":%q,`, parent)
		}
		return fmt.Sprintf(`{"trace_id":%q,"id":%q,%s"name":%q,"start_time":%f,%s,"subsegments":[%s]}`, trace, id, p, name, start, end, calls)
	}
	ddb := `{"id":"00000000000000d1","name":"DynamoDB","namespace":"aws","start_time":%f,"end_time":%f,"aws":{"table_name":"t1"}}`
	remote := `{"id":"00000000000000d2","name":"api.example.com","namespace":"remote","start_time":%f,"end_time":%f,"error":true}`
	snsCall := `{"id":"00000000000000d3","name":"SNS","namespace":"aws","start_time":%f,"end_time":%f,"fault":true}`
	s3 := `{"id":"00000000000000d4","name":"S3","namespace":"aws","start_time":%f,"end_time":%f}`
	a, b := fmt.Sprintf("1-%08x-%024x", int64(at), 1), fmt.Sprintf("1-%08x-%024x", int64(at), 2)
	put := func(docs ...string) {
		t.Helper()
		out, err := e.c.XRay.PutTraceSegments(e.ctx, &xray.PutTraceSegmentsInput{TraceSegmentDocuments: docs})
		if err != nil || len(out.UnprocessedTraceSegments) > 0 {
			t.Fatalf("put: %v %+v", err, out)
		}
	}
	put(doc(a, "00000000000000a1", "", "front", at, true, fmt.Sprintf(ddb, at+0.1, at+0.2)+","+fmt.Sprintf(remote, at+0.2, at+0.3)),
		doc(a, "00000000000000a2", "00000000000000a1", "back", at+0.3, true, fmt.Sprintf(snsCall, at+0.3, at+0.4)),
		doc(b, "00000000000000b1", "", "front", at+1, false, fmt.Sprintf(s3, at+1.1, at+1.2)))
	in := &xray.GetServiceGraphInput{StartTime: aws.Time(now.Add(-5 * time.Minute)), EndTime: aws.Time(now)}
	check := func(when string, want string) {
		t.Helper()
		got, err := e.c.XRay.GetServiceGraph(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var desc []string
		for _, n := range got.Services {
			d := aws.ToString(n.Name) + "(" + aws.ToString(n.Type) + ")"
			if st := n.SummaryStatistics; st != nil {
				d += fmt.Sprintf(" ok%d err%d fault%d", aws.ToInt64(st.OkCount), aws.ToInt64(st.ErrorStatistics.TotalCount), aws.ToInt64(st.FaultStatistics.TotalCount))
			}
			for _, ed := range n.Edges {
				d += fmt.Sprintf(" →%d", aws.ToInt32(ed.ReferenceId))
			}
			desc = append(desc, d)
		}
		if g := strings.Join(desc, "; "); g != want {
			t.Errorf("%s:\n got %s\nwant %s", when, g, want)
		}
	}
	base := "(client) →1; front() ok1 err0 fault0 →2 →3; t1(AWS::DynamoDB::Table) ok1 err0 fault0; api.example.com(remote) ok0 err1 fault0; back() ok1 err0 fault0 →5; SNS(AWS::SNS) ok0 err0 fault1"
	check("with an in-progress root", base)
	put(doc(b, "00000000000000b1", "", "front", at+1, true, fmt.Sprintf(s3, at+1.1, at+1.2)))
	check("after it completed", "(client) →1; front() ok2 err0 fault0 →2 →3 →6; t1(AWS::DynamoDB::Table) ok1 err0 fault0; api.example.com(remote) ok0 err1 fault0; back() ok1 err0 fault0 →5; SNS(AWS::SNS) ok0 err0 fault1; S3(AWS::S3) ok1 err0 fault0")
}

// TestXRayGroupsPages checks GetGroups' pages over 250 groups (the Default group
// first, 100 a page, each group once) and that a page builds only its own
// groups: the class's 2,000 groups were all built for each of its 21 pages.
func TestXRayGroupsPages(t *testing.T) {
	e := newEnv(t)
	for i := range 250 {
		if _, err := e.c.XRay.CreateGroup(e.ctx, &xray.CreateGroupInput{GroupName: aws.String(fmt.Sprintf("g%03d", i)), FilterExpression: aws.String(`service("x")`)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var sizes []int
	in := &xray.GetGroupsInput{}
	for {
		out, err := e.c.XRay.GetGroups(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(out.Groups))
		for _, g := range out.Groups {
			names = append(names, aws.ToString(g.GroupName))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if fmt.Sprint(sizes) != "[100 100 51]" || len(names) != 251 || names[0] != "Default" || names[1] != "g000" || names[250] != "g249" {
		t.Fatalf("pages %v, %d groups, first %v, last %s", sizes, len(names), names[:2], names[len(names)-1])
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Fatalf("%s listed twice", n)
		}
		seen[n] = true
	}
	if _, err := e.c.XRay.GetGroups(e.ctx, &xray.GetGroupsInput{NextToken: aws.String("garbage")}); err == nil {
		t.Error("a garbage NextToken was accepted")
	}
	// The last page (51 groups) costs about half the first (100); building every
	// group per page made them cost the same.
	allocs := func(token *string) float64 {
		return testing.AllocsPerRun(5, func() {
			if _, err := e.c.XRay.GetGroups(e.ctx, &xray.GetGroupsInput{NextToken: token}); err != nil {
				t.Fatal(err)
			}
		})
	}
	firstPage, lastPage := allocs(nil), allocs(in.NextToken)
	if lastPage > firstPage*0.7 {
		t.Errorf("the 51-group page allocates %.0f, the 100-group page %.0f: more than its share", lastPage, firstPage)
	}
}

// TestXRayRetention checks that traces are dropped once past the simulator's
// retention and not before: the lab's 15-minute window stays whole, an expired
// trace is gone from every query (the time index and the per-service index
// alike), and a later trace of the same service is still found.
func TestXRayRetention(t *testing.T) {
	e := newEnv(t)
	e.putTraces("c42s07signup", 3)
	e.clock.Advance(16 * time.Minute)
	e.putTraces("c42s07signup", 2)
	count := func(filter string) int {
		now := e.w.Now()
		n := 0
		pages := xray.NewGetTraceSummariesPaginator(e.c.XRay, &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-24 * time.Hour)), EndTime: aws.Time(now), FilterExpression: aws.String(filter)})
		for pages.HasMorePages() {
			out, err := pages.NextPage(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(out.TraceSummaries)
		}
		return n
	}
	if n := count(`service("c42s07signup")`); n != 5 {
		t.Fatalf("after 16 min: %d traces, want all 5 (within the lab's 15-minute window plus overlap)", n)
	}
	e.clock.Advance(5 * time.Minute) // the first three are now 21 min old; the last two 5
	if n := count(`service("c42s07signup")`); n != 2 {
		t.Errorf("after 21 min: %d traces by service, want the 2 younger than %s", n, xrRetention)
	}
	if n := count(`ok`); n != 2 {
		t.Errorf("after 21 min: %d traces by time, want 2", n)
	}
	e.w.mu.Lock()
	defer e.w.mu.Unlock()
	st := xrayOf(e.w.regionLocked("111122223333", "us-east-1"))
	if len(st.traces) != 2 || len(st.order) != 2 || len(st.byService["c42s07signup"]) != 2 {
		t.Errorf("store holds %d traces, %d ordered, %d by service; want 2 each", len(st.traces), len(st.order), len(st.byService["c42s07signup"]))
	}
	if full := st.order[:cap(st.order)]; len(full) > 2 && full[2] != nil {
		t.Error("an expired trace is still referenced past the ordered slice's end")
	}
}

// TestXRayColdSummariesDropped checks that a trace's cached summary is let go once
// the trace is older than xrHotSummary (the lab reads those once), that a later
// query builds the same summary again, and that young traces keep theirs.
func TestXRayColdSummariesDropped(t *testing.T) {
	e := newEnv(t)
	e.putTraces("c42s07signup", 3)
	read := func() map[string]string {
		now := e.w.Now()
		out, err := e.c.XRay.GetTraceSummaries(e.ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now)})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, s := range out.TraceSummaries {
			m[aws.ToString(s.Id)] = fmt.Sprintf("rev %d fault %v partial %v rt %.3f", s.Revision, aws.ToBool(s.HasFault), aws.ToBool(s.IsPartial), aws.ToFloat64(s.ResponseTime))
		}
		return m
	}
	first := read()
	e.clock.Advance(3 * time.Minute)
	e.putTraces("c42s07young", 1)
	_ = read()                       // builds the young trace's summary
	e.clock.Advance(3 * time.Minute) // the first three are 6 min old, the young one 3
	e.w.Now()
	cached := func() (old, young int) {
		e.w.mu.Lock()
		defer e.w.mu.Unlock()
		for _, tr := range xrayOf(e.w.regionLocked("111122223333", "us-east-1")).order {
			if tr.sum != nil {
				if tr.hasService("c42s07young") {
					young++
				} else {
					old++
				}
			}
		}
		return old, young
	}
	if old, young := cached(); old != 0 || young != 1 {
		t.Errorf("cached summaries: %d of traces older than %s (want 0), %d young (want 1)", old, xrHotSummary, young)
	}
	again := read()
	for id, s := range first {
		if again[id] != s {
			t.Errorf("trace %s: summary %q after being dropped, %q before", id, again[id], s)
		}
	}
}
