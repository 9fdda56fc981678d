package sim

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestSignupSegmentsDecodeAsStored: the signup app's segments are stored as
// built, not decoded from their JSON (putDoc); every stored segment, the 200s,
// 409s and 500s, must equal what decoding its raw document gives.
func TestSignupSegmentsDecodeAsStored(t *testing.T) {
	e := newEnv(t)
	e.xrayLab()
	if err := e.w.SetAutoSignups("", "us-east-1", "c42s07-xray", true); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.c.IAM.DeleteRolePolicy(e.ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("c42s07-xray-eb-role"), PolicyName: aws.String("publish")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	e.w.Now()
	e.w.mu.Lock()
	defer e.w.mu.Unlock()
	n := 0
	for _, r := range e.w.order {
		st, ok := r.ext["xray"].(*xrayState)
		if !ok {
			continue
		}
		for _, tr := range st.order {
			for i, d := range tr.segs {
				var back xrDoc
				if err := json.Unmarshal([]byte(tr.rawAt(i)), &back); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(&back, d) {
					t.Fatalf("stored segment differs from its decoded JSON:\nstored  %#v\ndecoded %#v", d, &back)
				}
				n++
			}
		}
	}
	if n < 10 {
		t.Fatalf("%d segments checked", n)
	}
}
