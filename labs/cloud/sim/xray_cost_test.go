package sim

import (
	"fmt"
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
