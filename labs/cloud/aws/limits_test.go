package awsprovider

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestServiceName(t *testing.T) {
	for id, want := range map[string]string{
		"Elastic Load Balancing v2":   "elbv2",
		"Resource Groups Tagging API": "tagging",
		"Application Auto Scaling":    "application-autoscaling",
		"ECS":                         "ecs",
		"Some New Service":            "some-new-service",
	} {
		if got := ServiceName(id); got != want {
			t.Errorf("ServiceName(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestBucketsBelowAWS keeps the table below LABS.md §3's documented limits.
func TestBucketsBelowAWS(t *testing.T) {
	aws := map[string]bucket{ // documented refill per second, bucket
		"elbv2":                   {10, 40},
		"cloudwatch":              {9, 9},
		"cloudwatch:DeleteAlarms": {3, 3},
		"cloudtrail":              {2, 2},
		"route53":                 {5, 50},
	}
	for key, lim := range aws {
		b := buckets[key]
		if b.perSecond >= lim.perSecond || b.burst > lim.burst {
			t.Errorf("%s: labdash bucket %v/s burst %d is not below AWS's %v/s burst %d", key, b.perSecond, b.burst, lim.perSecond, lim.burst)
		}
	}
}

// TestOperationBucket: an operation's own bucket applies on top of its service's,
// and a cancelled context ends the wait with its error.
func TestOperationBucket(t *testing.T) {
	l := newLimiters()
	ctx := context.Background()
	for range buckets["cloudwatch:DeleteAlarms"].burst {
		if err := l.wait(ctx, "cloudwatch", "DeleteAlarms"); err != nil {
			t.Fatal(err)
		}
	}
	// DescribeAlarms still has cloudwatch tokens left; DeleteAlarms has none.
	if err := l.wait(ctx, "cloudwatch", "DescribeAlarms"); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	start := time.Now()
	err := l.wait(cctx, "cloudwatch", "DeleteAlarms")
	if !errors.Is(err, context.Canceled) || time.Since(start) > 100*time.Millisecond {
		t.Errorf("wait with a cancelled context: %v after %v", err, time.Since(start))
	}
	if l.get("ecs:DescribeServices", false) != nil {
		t.Error("an operation without a row got a bucket")
	}
}

// TestBucketKeys: an account-wide service's calls from any region of one account
// draw on one bucket, process-wide; a regional service's on one per region; and
// another account, even one differing in a digit, never shares either.
func TestBucketKeys(t *testing.T) {
	for _, svc := range []string{"route53", "iam", "globalaccelerator"} {
		a := limitersFor("111122223333", "us-east-1", svc).get(svc, true)
		if b := limitersFor("111122223333", "eu-west-1", svc).get(svc, true); a != b {
			t.Errorf("%s: us-east-1 and eu-west-1 of one account have different buckets", svc)
		}
		if c := limitersFor("111122223334", "us-east-1", svc).get(svc, true); a == c {
			t.Errorf("%s: two accounts share a bucket", svc)
		}
	}
	for _, svc := range []string{"ecs", "elbv2", "tagging", "cloudwatch"} {
		a := limitersFor("111122223333", "us-east-1", svc).get(svc, true)
		if b := limitersFor("111122223333", "eu-west-1", svc).get(svc, true); a == b {
			t.Errorf("%s: a regional service's two regions share a bucket", svc)
		}
		if b := limitersFor("111122223333", "us-east-1", svc).get(svc, true); a != b {
			t.Errorf("%s: one (account, region) got two buckets", svc)
		}
	}
}
