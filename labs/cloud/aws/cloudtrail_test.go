package awsprovider_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/labdash/labdash/labs/cloud"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

// TestCloudTrailClient: the provider's CloudTrail client speaks LookupEvents'
// wire protocol (awsJson1_1, X-Amz-Target CloudTrail_20131101.LookupEvents) to the
// configured endpoint and is counted as cloudtrail:LookupEvents. moto 5.2.5 does
// not implement LookupEvents (its cloudtrail backend has no lookup_events), so a
// stub answers it here, with an event in the shape of AWS's API reference; the
// rest of the provider (STS) is moto.
func TestCloudTrailClient(t *testing.T) {
	var mu sync.Mutex
	var got map[string]any
	var target string
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		target = r.Header.Get("X-Amz-Target")
		_ = json.Unmarshal(body, &got)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, `{"Events":[{"EventId":"e-1","EventName":"ChangeResourceRecordSets","EventSource":"route53.amazonaws.com",
			"EventTime":1.8987984E9,"Username":"s07","ReadOnly":"false","Resources":[{"ResourceType":"AWS::Route53::HostedZone","ResourceName":"Z1"}],
			"CloudTrailEvent":"{\"eventName\":\"ChangeResourceRecordSets\"}"}]}`)
	}))
	defer stub.Close()
	counter := cloud.NewCallCounter(nil, "aws")
	url := stub.URL
	p := awstest.NewProvider(t, awsprovider.Options{Counter: counter, ClientOptions: awsprovider.ClientOptions{More: awsprovider.MoreClientOptions{
		CloudTrail: []func(*cloudtrail.Options){func(o *cloudtrail.Options) { o.BaseEndpoint = &url }}}}})
	c, err := p.Clients(context.Background(), "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)
	out, err := c.CloudTrail.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{StartTime: &from,
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ChangeResourceRecordSets")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 || aws.ToString(out.Events[0].EventId) != "e-1" || aws.ToString(out.Events[0].Username) != "s07" || aws.ToTime(out.Events[0].EventTime).IsZero() {
		t.Fatalf("events = %+v", out.Events)
	}
	mu.Lock()
	defer mu.Unlock()
	if target != "CloudTrail_20131101.LookupEvents" {
		t.Errorf("X-Amz-Target = %q", target)
	}
	attrs, _ := got["LookupAttributes"].([]any)
	if len(attrs) != 1 || got["StartTime"] == nil {
		t.Errorf("request body = %v", got)
	}
	if n := counter.Count("cloudtrail", "LookupEvents"); n != 1 {
		t.Errorf("cloudtrail:LookupEvents counted %d, want 1 (all: %v)", n, counter.Snapshot())
	}
}
