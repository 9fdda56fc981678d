package xray

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// TestSummariesReadSinceLastRead checks that a student's trace summaries are read
// again only from summaryOverlap before the last read, not over the whole
// 15-minute window, and that what the cycle keeps equals a full read of the
// window: traces that aged out are dropped, new ones added, and a trace whose
// segment arrived late (it started before the last read) is found.
func TestSummariesReadSinceLastRead(t *testing.T) {
	ctx := context.Background()
	w, clock, c, targets := xrayClass(t, 1)
	tg := targets[0]
	var starts []time.Time
	counted := cloud.Intercept(c, func(_ context.Context, call cloud.Call) error {
		if in, ok := call.Input.(*xray.GetTraceSummariesInput); ok && in.NextToken == nil {
			starts = append(starts, aws.ToTime(in.StartTime))
		}
		return nil
	})
	cache := labs.NewCache()
	first := w.Now()
	if _, err := Observe(ctx, counted, cache, targets); err != nil {
		t.Fatal(err)
	}
	// A trace that started a minute before the first read arrives after it.
	late := first.Add(-time.Minute)
	lateID := fmt.Sprintf("1-%08x-%024x", late.Unix(), 7)
	doc := fmt.Sprintf(`{"trace_id":%q,"id":"00000000000000aa","name":%q,"start_time":%d,"end_time":%d,"fault":true,"cause":{"exceptions":[{"id":"00000000000000ab","message":"late fault"}]},"http":{"request":{"method":"POST","url":"/"},"response":{"status":500}}}`,
		lateID, tracingName(tg), late.Unix(), late.Unix()+1)
	if out, err := c.XRay.PutTraceSegments(ctx, &xray.PutTraceSegmentsInput{TraceSegmentDocuments: []string{doc}}); err != nil || len(out.UnprocessedTraceSegments) > 0 {
		t.Fatalf("put: %v %+v", err, out)
	}
	clock.Advance(40 * time.Second)
	now := w.Now()
	got, err := Observe(ctx, counted, cache, targets)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{first.Add(-summaryWindow), first.Add(-summaryOverlap)}
	if !slices.EqualFunc(starts, want, time.Time.Equal) {
		t.Fatalf("GetTraceSummaries start times %v, want %v", starts, want)
	}
	var full []string
	pages := xray.NewGetTraceSummariesPaginator(c.XRay, &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-summaryWindow)), EndTime: aws.Time(now),
		FilterExpression: aws.String(fmt.Sprintf("service(%q)", tracingName(tg)))})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out.TraceSummaries {
			full = append(full, aws.ToString(s.Id))
		}
	}
	var kept []string
	for _, s := range got[tg.StudentID].(*Observation).Summaries {
		kept = append(kept, s.ID)
	}
	if !slices.Equal(kept, full) || !slices.Contains(kept, lateID) {
		t.Errorf("kept %d summaries (late trace in: %v), a full read gives %d", len(kept), slices.Contains(kept, lateID), len(full))
	}
	if o := got[tg.StudentID].(*Observation); !slices.Equal(o.Causes, []string{"late fault"}) {
		t.Errorf("causes %q, want the late fault's (problems %v)", o.Causes, o.Problems)
	}
}
