package sim

import (
	"context"
	"reflect"
	"slices"
	"sort"
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

// TestServiceStepsRunInTheirDeclaredOrder: every registered service's steps run
// by their declared order within their cadence (per second, per minute), not by
// the files they live in; the core of the world (load balancers, tasks, targets,
// services, load, stacks) registers its steps the same way.
func TestServiceStepsRunInTheirDeclaredOrder(t *testing.T) {
	for _, minute := range []bool{false, true} {
		type decl struct {
			service string
			order   int
			fn      uintptr
		}
		var want []decl
		for _, s := range services {
			for _, st := range s.steps {
				if st.minute == minute {
					want = append(want, decl{s.name, st.order, reflect.ValueOf(st.run).Pointer()})
				}
			}
		}
		sort.Slice(want, func(i, j int) bool { return want[i].order < want[j].order })
		for i := 1; i < len(want); i++ {
			if want[i].order == want[i-1].order {
				t.Errorf("%s and %s both step at %d", want[i].service, want[i-1].service, want[i].order)
			}
		}
		got := steps(minute)
		if len(got) != len(want) || (!minute && len(got) < 10) || (minute && len(got) < 3) {
			t.Fatalf("minute=%v: %d steps, want %d", minute, len(got), len(want))
		}
		for i := range got {
			if reflect.ValueOf(got[i]).Pointer() != want[i].fn {
				t.Errorf("minute=%v: step %d is not %s's at order %d", minute, i, want[i].service, want[i].order)
			}
		}
	}
	var names []string
	for _, s := range services {
		names = append(names, s.name)
	}
	for _, core := range []string{"ecs", "elbv2", "cloudformation", "cloudwatch", "ec2", "iam", "sts", "tagging"} {
		if !slices.Contains(names, core) {
			t.Errorf("the core service %s does not register", core)
		}
	}
}
