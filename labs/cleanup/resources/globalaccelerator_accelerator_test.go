package resources_test

// Global Accelerator is not served by moto: these tests run on the simulator only.

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"

	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/cleanup/resources"
)

// gaSetup is an accelerator with a TCP/80 listener and endpoint groups in two regions.
type gaSetup struct {
	acc, listener string
	groups        []string
}

func (e *env) createGA(name string, kv ...string) gaSetup {
	e.t.Helper()
	ga := e.c.GlobalAccelerator
	var tags []gatypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, gatypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	a, err := ga.CreateAccelerator(e.ctx, &globalaccelerator.CreateAcceleratorInput{Name: aws.String(name), Tags: tags})
	if err != nil {
		e.t.Fatal(err)
	}
	s := gaSetup{acc: aws.ToString(a.Accelerator.AcceleratorArn)}
	l, err := ga.CreateListener(e.ctx, &globalaccelerator.CreateListenerInput{AcceleratorArn: aws.String(s.acc), Protocol: gatypes.ProtocolTcp,
		PortRanges: []gatypes.PortRange{{FromPort: aws.Int32(80), ToPort: aws.Int32(80)}}})
	if err != nil {
		e.t.Fatal(err)
	}
	s.listener = aws.ToString(l.Listener.ListenerArn)
	for _, reg := range []string{"us-east-1", "eu-west-1"} {
		g, err := ga.CreateEndpointGroup(e.ctx, &globalaccelerator.CreateEndpointGroupInput{ListenerArn: aws.String(s.listener), EndpointGroupRegion: aws.String(reg),
			EndpointConfigurations: []gatypes.EndpointConfiguration{{EndpointId: aws.String("arn:aws:elasticloadbalancing:" + reg + ":111122223333:loadbalancer/app/" + name + "/0123456789abcdef")}}})
		if err != nil {
			e.t.Fatal(err)
		}
		s.groups = append(s.groups, aws.ToString(g.EndpointGroup.EndpointGroupArn))
	}
	return s
}

// gaIntact reports whether an accelerator is still enabled with its listener and groups.
func (e *env) gaIntact(s gaSetup) error {
	ga := e.c.GlobalAccelerator
	a, err := ga.DescribeAccelerator(e.ctx, &globalaccelerator.DescribeAcceleratorInput{AcceleratorArn: aws.String(s.acc)})
	if err != nil {
		return err
	}
	if !aws.ToBool(a.Accelerator.Enabled) {
		return errors.New("disabled")
	}
	g, err := ga.ListEndpointGroups(e.ctx, &globalaccelerator.ListEndpointGroupsInput{ListenerArn: aws.String(s.listener)})
	if err != nil {
		return err
	}
	if len(g.EndpointGroups) != 2 {
		return errors.New("endpoint groups missing")
	}
	return nil
}

// TestGlobalAcceleratorSim: the listers prove the student's accelerator (class
// tag), a hand-made one (name prefix) and their listeners and endpoint groups, not
// the decoys; cleanup deletes the endpoint groups, then the listener, then
// disables the accelerator, waits for the disable to deploy and deletes it — all
// through the us-west-2 client, each through the guard with only itself planned;
// the decoys stay enabled with their children; a second run is harmless.
func TestGlobalAcceleratorSim(t *testing.T) {
	e := simEnv(t)
	mine := e.createGA(classID+"s01-ga", "labdash:class", classID, "labdash:student", "s01")
	named := e.createGA(classID + "s02-ga")
	other := e.createGA("c9zzzs01-ga")
	look := e.createGA(classID+"s03-ga", "labdash:class", "c9zzz")
	e.wait(5 * time.Minute)

	scope := resources.Scope{ClassID: classID, Students: []string{"s01", "s02", "s03"}, Owned: map[string]resources.Ref{}}
	list := func(name string) []cleanup.Item {
		t.Helper()
		typ, ok := resources.Lookup(name)
		if !ok || typ.Home != "us-west-2" {
			t.Fatalf("%s: registered %v, home %q", name, ok, typ.Home)
		}
		f, err := judge(e.ctx, typ, e.c, scope)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	accs := list("AWS::GlobalAccelerator::Accelerator")
	for arn, want := range map[string]string{mine.acc: "AWS::GlobalAccelerator::Accelerator", mine.listener: "AWS::GlobalAccelerator::Listener",
		mine.groups[0]: "AWS::GlobalAccelerator::EndpointGroup"} {
		if got, ok := resources.ForARN(arn); !ok || got.Name != want {
			t.Errorf("ForARN(%s) = %q, %v; want %s", arn, got.Name, ok, want)
		}
	}
	ref := findARN(t, accs, mine.acc)
	if ref.Proof == "" || ref.Student != "s01" || ref.Region != "us-west-2" {
		t.Errorf("own accelerator: %+v", ref)
	}
	if f := findARN(t, accs, named.acc); f.Proof == "" || f.Student != "s02" {
		t.Errorf("hand-made accelerator not proven by its name: %+v", f)
	}
	if f := findARN(t, accs, look.acc); f.Proof != "" || f.Reason == "" {
		t.Errorf("look-alike: %+v, want a reason and no proof", f)
	}
	own(scope, accs) // the children are listed under the accelerators the plan owns
	listeners := list("AWS::GlobalAccelerator::Listener")
	own(scope, listeners)
	groups := list("AWS::GlobalAccelerator::EndpointGroup")
	for _, f := range append(append(append([]cleanup.Item{}, accs...), listeners...), groups...) {
		for _, s := range []gaSetup{other, look} {
			if f.Proof != "" && (f.ARN == s.acc || f.ARN == s.listener || f.ARN == s.groups[0] || f.ARN == s.groups[1]) {
				t.Errorf("a decoy's resource was proven the class's: %+v", f)
			}
		}
	}
	if len(listeners) != 2 || len(groups) != 4 {
		t.Errorf("found %d listeners and %d endpoint groups, want 2 and 4 (of the two owned accelerators)", len(listeners), len(groups))
	}
	typ, _ := resources.Lookup("AWS::GlobalAccelerator::Accelerator")
	if tags, err := typ.Tags(e.ctx, e.c, ref.Ref); err != nil || tags["labdash:student"] != "s01" {
		t.Errorf("tags: %v %v", tags, err)
	}
	if typ.Hourly <= 0 {
		t.Error("an accelerator has an hourly fee")
	}
	lref := findARN(t, listeners, mine.listener)
	if lref.Parent != mine.acc || lref.Student != "s01" || lref.Proof == "" {
		t.Errorf("own listener: %+v", lref)
	}

	// The accelerator cannot go before its listener: AWS refuses, and the deleter
	// passes that on (retried later) after disabling it.
	err := typ.Delete(e.ctx, e.c, ref.Ref)
	var w *resources.WaitError
	if !errors.As(err, &w) || w.Step != "disabling" {
		t.Fatalf("first attempt: %v, want Waiting(disabling)", err)
	}
	if err := typ.Delete(e.ctx, e.c, ref.Ref); !errors.As(err, &w) || w.Step != "waiting" {
		t.Fatalf("while the disable deploys: %v, want Waiting(waiting)", err)
	}
	e.wait(5 * time.Minute)
	if err := typ.Delete(e.ctx, e.c, ref.Ref); resources.ErrorCode(err) != "AssociatedListenerFoundException" {
		t.Fatalf("with its listener: %v, want AssociatedListenerFoundException", err)
	}
	ltyp, _ := resources.Lookup("AWS::GlobalAccelerator::Listener")
	if err := ltyp.Delete(e.ctx, e.c, lref.Ref); resources.ErrorCode(err) != "AssociatedEndpointGroupFoundException" {
		t.Fatalf("listener with its groups: %v, want AssociatedEndpointGroupFoundException", err)
	}
	// In rank order, as the engine runs them.
	for _, g := range mine.groups {
		gref := findARN(t, groups, g)
		e.DeleteUntilGone(e.c, gref.Ref, 3)
		e.Gone(e.c, gref.Ref)
	}
	e.DeleteUntilGone(e.c, lref.Ref, 3)
	e.Gone(e.c, lref.Ref)
	if n := e.DeleteUntilGone(e.c, ref.Ref, 40); n < 2 {
		t.Errorf("accelerator deleted in %d attempts: the listener's deletion should have put it IN_PROGRESS", n)
	}
	e.Gone(e.c, ref.Ref)
	if _, err := typ.Tags(e.ctx, e.c, ref.Ref); !errors.Is(err, resources.ErrGone) {
		t.Errorf("tags of a deleted accelerator: %v, want ErrGone", err)
	}
	for _, s := range []gaSetup{named, other, look} {
		if err := e.gaIntact(s); err != nil {
			t.Errorf("decoy %s: %v", s.acc, err)
		}
	}
}

// TestGlobalAcceleratorSlowDeploy: while a disable stays IN_PROGRESS (the
// simulator told to deploy slowly) the deleter keeps answering Waiting, never
// deleting early, and finishes once it deploys.
func TestGlobalAcceleratorSlowDeploy(t *testing.T) {
	e := simEnv(t)
	e.world.SetGADeployTime(30 * time.Minute)
	a, err := e.c.GlobalAccelerator.CreateAccelerator(e.ctx, &globalaccelerator.CreateAcceleratorInput{Name: aws.String(classID + "s01-ga"),
		Tags: []gatypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(classID)}}})
	if err != nil {
		t.Fatal(err)
	}
	ref := resources.Ref{ARN: aws.ToString(a.Accelerator.AcceleratorArn), Type: "AWS::GlobalAccelerator::Accelerator", Region: "us-west-2", Account: e.c.Account}
	typ, _ := resources.Lookup(ref.Type)
	for i := 0; i < 20; i++ {
		err := typ.Delete(e.ctx, e.c, ref)
		if !errors.Is(err, resources.ErrWaiting) {
			t.Fatalf("attempt %d while IN_PROGRESS: %v, want Waiting", i+1, err)
		}
		e.wait(time.Minute)
	}
	e.wait(45 * time.Minute)
	e.DeleteUntilGone(e.c, ref, 3)
	e.Gone(e.c, ref)
}
