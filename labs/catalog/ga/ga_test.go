package ga

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestLabOnSimulator deploys the prerequisite stacks in both regions, runs the
// virtual student's script and judges the checkpoints after each phase.
func TestLabOnSimulator(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 7})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	tg := labs.NewTarget("c42", "s07", "111122223333", "us-east-1")
	for _, r := range Regions {
		rc, _ := c.InRegion(ctx, r)
		vpc, subnets := w.ClassVPC("", r)
		_, err := rc.CloudFormation.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(stackName(tg, r)), TemplateBody: aws.String(string(template)),
			Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Prefix"), ParameterValue: aws.String(tg.Prefix)}, {ParameterKey: aws.String("VpcId"), ParameterValue: aws.String(vpc)},
				{ParameterKey: aws.String("Subnets"), ParameterValue: aws.String(strings.Join(subnets, ","))}},
			Tags: []cfntypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}, {Key: aws.String("labdash:student"), Value: aws.String("s07")}, {Key: aws.String("labdash:lab"), Value: aws.String(ID)}}})
		if err != nil {
			t.Fatalf("CreateStack %s: %v", r, err)
		}
	}
	clock.Advance(5 * time.Minute)
	lab := Lab()
	env := &labs.Env{C: c, T: tg, Persona: &labs.Persona{}, Stack: map[string]string{}, Memo: map[string]string{}}
	judge := func() map[string]labs.Status {
		t.Helper()
		all, err := lab.Observe(ctx, c, nil, []labs.Target{tg})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]labs.Status{}
		for _, cp := range lab.Checkpoints {
			r := cp.Check(all["s07"])
			got[cp.ID] = r.Status
			t.Logf("%s: %s %s", cp.ID, r.Status, r.Evidence)
		}
		return got
	}
	run := func(i int) {
		t.Helper()
		for try := 0; try < 60; try++ {
			err := lab.Script[i].Do(ctx, env)
			if err == nil {
				return
			}
			if !errors.Is(err, labs.ErrNotYet) {
				t.Fatalf("step %q: %v", lab.Script[i].Name, err)
			}
			clock.Advance(15 * time.Second)
		}
		t.Fatalf("step %q never finished", lab.Script[i].Name)
	}
	if got := judge(); got["origins"] != labs.Pass || got["accelerator"] != labs.Pending {
		t.Fatalf("after the stacks: %v", got)
	}
	for i := 0; i <= 4; i++ { // up to browsing
		run(i)
	}
	clock.Advance(2 * time.Minute)
	got := judge()
	for _, id := range []string{"origins", "accelerator", "listener", "endpoint-groups", "traffic"} {
		if got[id] != labs.Pass {
			t.Errorf("%s is %s after browsing", id, got[id])
		}
	}
	if got["failover"] != labs.Pending || got["recovery"] != labs.Pending {
		t.Errorf("failover %s recovery %s before stopping", got["failover"], got["recovery"])
	}
	h := labs.NewHistory()
	all, _ := lab.Observe(ctx, c, nil, []labs.Target{tg})
	if v := lab.Widgets[0].View(all["s07"], h); v.Failover == nil || v.Failover.Answering != "us-east-1" || len(v.Failover.Groups) != 2 {
		t.Errorf("widget: %+v", v.Failover)
	}
	run(5)
	run(6)
	if got := judge(); got["failover"] != labs.Pass {
		t.Errorf("failover is %s after watching it", got["failover"])
	}
	all, _ = lab.Observe(ctx, c, nil, []labs.Target{tg})
	if v := lab.Widgets[0].View(all["s07"], h); v.Failover == nil || v.Failover.Answering != "eu-west-1" || len(v.Failover.Timeline) != 1 {
		t.Errorf("widget after failover: %+v", v.Failover)
	}
	run(7)
	clock.Advance(4 * time.Minute)
	if got := judge(); got["recovery"] != labs.Pass || got["traffic"] != labs.Pass {
		t.Errorf("recovery %s traffic %s after starting again", got["recovery"], got["traffic"])
	}
}
