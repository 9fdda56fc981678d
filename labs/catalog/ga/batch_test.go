package ga

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestTargetGroupsBatchedAroundAMissingName: 200 students, one of whom has no target
// group yet, cost about one DescribeTargetGroups per 20 names per region, not one per
// name of the batch holding the missing one.
func TestTargetGroupsBatchedAroundAMissingName(t *testing.T) {
	ctx := context.Background()
	counter := cloud.NewCallCounter(nil, "sim")
	w := sim.New(sim.Options{Clock: sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)), Counter: counter, DefaultAccount: "111122223333", Seed: 7})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	var targets []labs.Target
	for i := 1; i <= n; i++ {
		targets = append(targets, labs.NewTarget("c42", fmt.Sprintf("s%03d", i), "111122223333", "us-east-1"))
	}
	for _, r := range Regions {
		rc, _ := c.InRegion(ctx, r)
		vpc, _ := w.ClassVPC("", r)
		for i, tg := range targets {
			if i == 57 { // s058 has not created it yet
				continue
			}
			if _, err := rc.ELBv2.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(tgName(tg)), Port: aws.Int32(80),
				Protocol: elbtypes.ProtocolEnumHttp, TargetType: elbtypes.TargetTypeEnumInstance, VpcId: aws.String(vpc)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	before := counter.Count("elbv2", "DescribeTargetGroups")
	obs, err := Observe(ctx, c, nil, targets)
	if err != nil {
		t.Fatal(err)
	}
	calls := counter.Count("elbv2", "DescribeTargetGroups") - before
	// Per region: 10 batches, and the one holding the missing name costs one more
	// call (the name is dropped and the other 19 read again).
	want := int64(len(Regions) * (n/20 + 1))
	t.Logf("DescribeTargetGroups: %d calls for %d students in %d regions", calls, n, len(Regions))
	if calls > want {
		t.Errorf("DescribeTargetGroups: %d calls, want at most %d", calls, want)
	}
	for i, tg := range targets {
		o := obs[tg.StudentID].(*Observation)
		has := o.Origins["us-east-1"] != nil && o.Origins["us-east-1"].TargetGroupArn != ""
		if has == (i == 57) {
			t.Errorf("%s: target group found %v", tg.StudentID, has)
		}
	}
}
