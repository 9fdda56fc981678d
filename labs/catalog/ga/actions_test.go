package ga

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"

	"github.com/labdash/labdash/labs"
)

// TestSummary: the grid badge names the answering region, marks a failover and a
// silent IP, and stays empty before there is an accelerator.
func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		obs   labs.Observation
		badge string
		tone  string
	}{
		{(*Observation)(nil), "", ""},
		{&Observation{}, "", ""},
		{withProbe(&Probe{Status: 200, Body: "Hello from us-east-1", Latency: 4 * time.Millisecond}), "us-east-1", "ok"},
		{withProbe(&Probe{Status: 200, Body: "Hello from eu-west-1", Latency: 80 * time.Millisecond}), "→ eu-west-1", "warn"},
		{withProbe(&Probe{Err: "timeout"}), "no answer", "bad"},
	} {
		s := Summary(tc.obs)
		if s.Badge != tc.badge || s.BadgeTone != tc.tone || s.Running != -1 {
			t.Errorf("Summary = %+v, want badge %q tone %q and no task badge", s, tc.badge, tc.tone)
		}
	}
	if n := len(actions()); n != 4 {
		t.Errorf("%d actions, want stop and start in each of the 2 regions", n)
	}
}

func withProbe(p *Probe) *Observation {
	return &Observation{Accelerator: &gatypes.Accelerator{Name: aws.String("c42s01-ga")}, Probe: p}
}
