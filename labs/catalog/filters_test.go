package catalog

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// ec2FilterValuesMax is the most values labdash puts in one EC2 filter. EC2
// refuses a filter with too many values (200 is the figure AWS's SDKs and
// tools work to), so a class of 250 students must be read without one.
const ec2FilterValuesMax = 200

// TestNoFilterOutgrowsEC2 observes a 250-student class of every built lab on the
// simulator, in every region the lab reads, and fails on any EC2 call whose
// filter carries more than ec2FilterValuesMax values: the simulator accepts
// them, AWS does not.
func TestNoFilterOutgrowsEC2(t *testing.T) {
	ctx := context.Background()
	for _, l := range New().All() {
		if !l.Built() || l.Observe == nil {
			continue
		}
		t.Run(l.ID, func(t *testing.T) {
			w := sim.New(sim.Options{Clock: sim.NewManualClock(time.Unix(1_800_000_000, 0)), DefaultAccount: "111122223333"})
			c, err := w.Clients(ctx, "", "us-east-1")
			if err != nil {
				t.Fatal(err)
			}
			var problems []string
			checked := cloud.Intercept(c, func(_ context.Context, call cloud.Call) error {
				v := reflect.ValueOf(call.Input)
				if v.Kind() != reflect.Pointer || v.IsNil() {
					return nil
				}
				f := v.Elem().FieldByName("Filters")
				if !f.IsValid() {
					return nil
				}
				if fs, ok := f.Interface().([]ec2types.Filter); ok {
					for _, x := range fs {
						if len(x.Values) > ec2FilterValuesMax {
							problems = append(problems, fmt.Sprintf("%s.%s filter %s has %d values", call.Service, call.Op, *x.Name, len(x.Values)))
						}
					}
				}
				return nil
			})
			var targets []labs.Target
			for i := 1; i <= 250; i++ {
				targets = append(targets, labs.NewTarget("c42", fmt.Sprintf("s%03d", i), "111122223333", "us-east-1"))
			}
			if _, err := l.Observe(ctx, checked, labs.NewCache(), targets); err != nil {
				t.Logf("observe: %v", err) // an empty class may well have nothing to read
			}
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}
