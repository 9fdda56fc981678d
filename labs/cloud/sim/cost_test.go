package sim

import (
	"encoding/json"
	"reflect"
	"strconv"
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
				if !reflect.DeepEqual(&back, withCalls(d)) {
					t.Fatalf("stored segment differs from its decoded JSON:\nstored  %#v\ndecoded %#v", d, &back)
				}
				if p := back.validate(true); p != "" { // putDoc does not validate the simulator's own segments
					t.Fatalf("stored segment fails X-Ray's validation: %s: %s", p, tr.rawAt(i))
				}
				n++
			}
		}
	}
	if n < 10 {
		t.Fatalf("%d segments checked", n)
	}
}

// TestXRayServiceIndex: a filter with a service() term reads only that
// service's traces (xrayState.byService); the answer must be what scanning
// every trace gives, in the same order, including after traces expire.
func TestXRayServiceIndex(t *testing.T) {
	e := newEnv(t)
	e.xrayLab()
	if err := e.w.SetAutoSignups("", "us-east-1", "c42s07-xray", true); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		e.w.Now()
		e.w.mu.Lock()
		defer e.w.mu.Unlock()
		for _, r := range e.w.order {
			st, ok := r.ext["xray"].(*xrayState)
			if !ok {
				continue
			}
			to := e.w.now
			for _, expr := range []string{`service("c42s07-signup")`, `service("c42s07-signup") AND http.status = 409`,
				`ok AND service("c42s07-signups")`, `service("nothing")`, `fault`} {
				f, err := parseXRFilter(expr)
				if err != nil {
					t.Fatal(err)
				}
				for _, from := range []time.Time{to.Add(-time.Hour), to.Add(-90 * time.Second)} {
					var want []*xrTrace
					for _, tr := range st.order {
						if !tr.start.Before(from) && !tr.start.After(to) && f.match(tr) {
							want = append(want, tr)
						}
					}
					if got := st.inWindow(from, to, f); !reflect.DeepEqual(got, want) {
						t.Fatalf("%s: %s from %v: %d traces, want %d", when, expr, from, len(got), len(want))
					}
				}
			}
		}
	}
	e.clock.Advance(3 * time.Minute)
	check("after 3 minutes")
	e.clock.Advance(40 * time.Minute) // past xrRetention: the oldest expire
	check("after 43 minutes")
}

// BenchmarkSignupRequest is one request of Lab 7's signup app: the DynamoDB
// put, the SNS publish and its SQS delivery, two IAM decisions and the trace,
// arriving at the rate of a 2,000-student class (one request every 3 ms of
// simulated time, their traces' starts spread over half a second as the app's
// are).
//
//	go test -run '^$' -bench SignupRequest -benchmem ./labs/cloud/sim/
func BenchmarkSignupRequest(b *testing.B) {
	e := newEnv(b)
	e.xrayLab()
	e.clock.Advance(time.Minute)
	e.w.Now()
	e.w.mu.Lock()
	defer e.w.mu.Unlock()
	r, a, err := e.w.signupEnv("", "us-east-1", "c42s07-xray")
	if err != nil {
		b.Fatal(err)
	}
	now := e.w.now
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now = now.Add(3 * time.Millisecond) // 2,000 apps' 10 a minute: one request every 3 ms
		a.seq++
		if a.request(r, now, "user"+strconv.Itoa(i)+"@example.com") != 200 {
			b.Fatal("the signup failed")
		}
	}
}

// withCalls is d with its subsegments' call metadata written out as "aws" maps,
// as MarshalJSON writes them.
func withCalls(d *xrDoc) *xrDoc {
	c := *d
	if c.call != nil && c.AWS == nil {
		c.AWS, c.call = c.call.meta(), nil
	}
	c.Subsegments = nil
	for _, s := range d.Subsegments {
		c.Subsegments = append(c.Subsegments, withCalls(s))
	}
	return &c
}
