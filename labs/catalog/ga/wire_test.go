package ga

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestObserveOverTheWire runs the lab's Observe and the virtual student's
// accelerator steps with the real aws-sdk-go-v2 Global Accelerator client, over
// AWS's JSON 1.1 protocol to the simulator behind a loopback endpoint (moto does
// not serve Global Accelerator), and judges the checkpoints from what came back.
func TestObserveOverTheWire(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC))
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 7})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	west, _ := w.Clients(ctx, "", "us-west-2")
	ops := map[string]bool{}
	for _, op := range []string{"ListAccelerators", "CreateAccelerator", "DescribeAccelerator", "ListListeners", "CreateListener", "ListEndpointGroups",
		"CreateEndpointGroup", "DescribeEndpointGroup", "ListTagsForResource"} {
		ops[op] = true
	}
	srv := httptest.NewServer(&sim.JSONServer{Prefix: "GlobalAccelerator_V20180706", Client: west.GlobalAccelerator, Allowed: ops})
	defer srv.Close()
	c.GlobalAccelerator = globalaccelerator.New(globalaccelerator.Options{Region: "us-west-2", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")})

	tg := labs.NewTarget("c42", "s07", "111122223333", "us-east-1")
	for _, r := range Regions {
		rc, _ := c.InRegion(ctx, r)
		vpc, subnets := w.ClassVPC("", r)
		if _, err := rc.CloudFormation.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(stackName(tg, r)), TemplateBody: aws.String(string(template)),
			Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Prefix"), ParameterValue: aws.String(tg.Prefix)}, {ParameterKey: aws.String("VpcId"), ParameterValue: aws.String(vpc)},
				{ParameterKey: aws.String("Subnets"), ParameterValue: aws.String(strings.Join(subnets, ","))}},
			Tags: []cfntypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}, {Key: aws.String("labdash:student"), Value: aws.String("s07")}}}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(5 * time.Minute)
	lab := Lab()
	env := &labs.Env{C: c, T: tg, Persona: &labs.Persona{}, Stack: map[string]string{}, Memo: map[string]string{}}
	for i := 0; i <= 3; i++ { // accelerator, listener, endpoint groups, wait for DEPLOYED
		for try := 0; ; try++ {
			err := lab.Script[i].Do(ctx, env)
			if err == nil {
				break
			}
			if try == 60 {
				t.Fatalf("step %q over the wire: %v", lab.Script[i].Name, err)
			}
			clock.Advance(15 * time.Second)
		}
	}
	clock.Advance(3 * time.Minute)
	all, err := lab.Observe(ctx, c, nil, []labs.Target{tg})
	if err != nil {
		t.Fatal(err)
	}
	for _, cp := range lab.Checkpoints[:5] { // origins, accelerator, listener, groups, traffic
		if r := cp.Check(all["s07"]); r.Status != labs.Pass {
			t.Errorf("%s over the wire: %s %s", cp.ID, r.Status, r.Evidence)
		}
	}
}

// TestTargetHealthCadence: a target group's health is read at most every 10 s,
// however often the monitor cycles, on the simulator's path too (fresh clients each
// cycle, the memory in the monitor's cache).
func TestTargetHealthCadence(t *testing.T) {
	ctx := context.Background()
	w, clock, tg := originWorld(t)
	reads := 0
	count := func(_ context.Context, call cloud.Call) error {
		if call.Op == "DescribeTargetHealth" {
			reads++
		}
		return nil
	}
	cache := labs.NewCache() // the monitor's, for this group
	for i, step := range []struct {
		advance time.Duration
		want    int
	}{{0, 1}, {2 * time.Second, 1}, {5 * time.Second, 1}, {4 * time.Second, 2}} {
		clock.Advance(step.advance)
		// The monitor's path on the simulator: fresh clients every cycle, one cache.
		fresh, err := w.Clients(ctx, "", "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		all, err := Lab().Observe(ctx, cloud.Intercept(fresh, count), cache, []labs.Target{tg})
		if err != nil {
			t.Fatal(err)
		}
		if reads != step.want {
			t.Fatalf("cycle %d: %d target-health reads, want %d", i, reads, step.want)
		}
		if or := all["s01"].(*Observation).Origins["us-east-1"]; or == nil || len(or.Targets) != 1 {
			t.Fatalf("cycle %d: origin %+v, want its target (read or remembered)", i, or)
		}
	}
}

// originWorld is a simulated world with one student's prerequisite stack in
// us-east-1, its web server up and registered.
func originWorld(t *testing.T) (*sim.World, *sim.ManualClock, labs.Target) {
	t.Helper()
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2031, 1, 2, 3, 0, 0, 0, time.UTC))
	w := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 11})
	raw, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	tg := labs.NewTarget("c43", "s01", "111122223333", "us-east-1")
	vpc, subnets := w.ClassVPC("", "us-east-1")
	if _, err := raw.CloudFormation.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(stackName(tg, "us-east-1")), TemplateBody: aws.String(string(template)),
		Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Prefix"), ParameterValue: aws.String(tg.Prefix)}, {ParameterKey: aws.String("VpcId"), ParameterValue: aws.String(vpc)},
			{ParameterKey: aws.String("Subnets"), ParameterValue: aws.String(strings.Join(subnets, ","))}},
		Tags: []cfntypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(tg.ClassID)}, {Key: aws.String("labdash:student"), Value: aws.String(tg.StudentID)}, {Key: aws.String("labdash:lab"), Value: aws.String(ID)}}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Minute)
	return w, clock, tg
}
