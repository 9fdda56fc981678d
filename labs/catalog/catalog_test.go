package catalog

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud/sim"
)

func TestCatalogHasTheTenLabs(t *testing.T) {
	r := labs.NewRegistry()
	Register(r) // panics on a duplicate or invalid id, checkpoint or widget
	all := r.All()
	if len(all) != 10 {
		t.Fatalf("catalog has %d labs, want the 10 of LABS.md", len(all))
	}
	for i, l := range all {
		if l.Order != i+1 {
			t.Errorf("lab %s has order %d, want %d", l.ID, l.Order, i+1)
		}
		if l.Summary == "" {
			t.Errorf("lab %s has no summary", l.ID)
		}
		if l.AccountPerStudentOnly && l.Why == "" {
			t.Errorf("lab %s is account-per-student only but does not say why", l.ID)
		}
	}
}

// TestBuiltLabs walks every lab with checks: its widgets render an empty state, it has
// a script, and its prerequisite template deploys on the simulator with outputs.
func TestBuiltLabs(t *testing.T) {
	ctx := context.Background()
	r := New()
	built := 0
	for _, l := range r.All() {
		if !l.Built() {
			continue
		}
		built++
		t.Run(l.ID, func(t *testing.T) {
			for _, w := range l.Widgets {
				if v := w.View(nil, labs.NewHistory()); v.Empty == "" {
					t.Errorf("widget %s has no empty state", w.ID)
				}
			}
			if len(l.Script) == 0 {
				t.Error("no virtual-student script")
			}
			if len(l.Template) == 0 {
				return
			}
			clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
			world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333"})
			// Deployed as provisioning deploys it: in each of the lab's regions, with
			// the parameters its template declares.
			for _, region := range l.StackRegions("us-east-1") {
				c, err := world.Clients(ctx, "", region)
				if err != nil {
					t.Fatal(err)
				}
				name, err := labs.CreatePrereqStack(ctx, c, l, labs.NewTarget("c42", "s01", "111122223333", region))
				if err != nil {
					t.Fatalf("CreateStack in %s: %v", region, err)
				}
				clock.Advance(5 * time.Minute)
				out, err := c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
				if err != nil || len(out.Stacks) != 1 {
					t.Fatalf("DescribeStacks: %v", err)
				}
				st := out.Stacks[0]
				if st.StackStatus != cfntypes.StackStatusCreateComplete || len(st.Outputs) == 0 {
					t.Fatalf("stack %s is %s (%s) with %d outputs", name, st.StackStatus, aws.ToString(st.StackStatusReason), len(st.Outputs))
				}
			}
		})
	}
	if built == 0 {
		t.Fatal("no lab is built")
	}
}
