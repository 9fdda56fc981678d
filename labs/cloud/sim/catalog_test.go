package sim

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cloud"
)

// TestTheSimulatorServesTheWholeSeam: every interface field of cloud.Clients is set
// on the simulator's clients (in a lab region and in us-west-2), so every operation
// labdash can call has a simulated implementation (the compiler checks each client
// type satisfies its interface; this checks none is missing).
func TestTheSimulatorServesTheWholeSeam(t *testing.T) {
	w := New(Options{Clock: NewManualClock(time.Unix(1_800_000_000, 0))})
	for _, region := range []string{"us-east-1", "us-west-2"} {
		c, err := w.Clients(context.Background(), "", region)
		if err != nil {
			t.Fatal(err)
		}
		v := reflect.ValueOf(c).Elem()
		typ := v.Type()
		n := 0
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if f.Type.Kind() != reflect.Interface || f.Type.PkgPath() != reflect.TypeOf(cloud.Clients{}).PkgPath() {
				continue
			}
			n++
			if v.Field(i).IsNil() {
				t.Errorf("%s: the simulator's clients have no %s (%s)", region, f.Name, f.Type.Name())
			}
		}
		if n < 20 {
			t.Fatalf("found %d interface fields on cloud.Clients; the reflection is wrong", n)
		}
	}
	if len(cloud.Operations) < 150 {
		t.Fatalf("cloud.Operations lists %d operations", len(cloud.Operations))
	}
}

// TestTheSimulatorDeploysEveryLabTemplate: every CloudFormation resource type any
// lab's prerequisite template uses is one the simulator's CloudFormation creates.
func TestTheSimulatorDeploysEveryLabTemplate(t *testing.T) {
	n := 0
	for _, l := range catalog.New().All() {
		if len(l.Template) == 0 {
			continue
		}
		var tmpl struct {
			Resources map[string]struct {
				Type string `yaml:"Type"`
			} `yaml:"Resources"`
		}
		if err := yaml.Unmarshal(l.Template, &tmpl); err != nil {
			t.Fatalf("%s: %v", l.ID, err)
		}
		for name, r := range tmpl.Resources {
			n++
			if !cfnSupported(r.Type) {
				t.Errorf("%s: resource %s is a %s, which the simulator cannot create", l.ID, name, r.Type)
			}
		}
	}
	if n < 10 {
		t.Fatalf("read %d template resources; the catalog's templates were not read", n)
	}
}

// TestServiceStepsRunInTheirDeclaredOrder: the per-second steps of registered
// services run by their declared order, not by the files they live in.
func TestServiceStepsRunInTheirDeclaredOrder(t *testing.T) {
	var want []uintptr
	last := 0
	byOrder := map[int]string{}
	for _, s := range services {
		if s.step != nil {
			if other, ok := byOrder[s.order]; ok {
				t.Errorf("%s and %s both step at %d", s.name, other, s.order)
			}
			byOrder[s.order] = s.name
		}
	}
	for o := 1; o <= 1000; o++ {
		if name, ok := byOrder[o]; ok {
			for _, s := range services {
				if s.name == name {
					want = append(want, reflect.ValueOf(s.step).Pointer())
				}
			}
			last = o
		}
	}
	got := steps()
	if len(got) != len(want) || len(got) < 5 || last == 0 {
		t.Fatalf("%d steps, want %d", len(got), len(want))
	}
	for i := range got {
		if reflect.ValueOf(got[i]).Pointer() != want[i] {
			t.Errorf("step %d is not the service of the %d-th lowest order", i, i+1)
		}
	}
}
