package sim

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/globalaccelerator"
	gatypes "github.com/aws/aws-sdk-go-v2/service/globalaccelerator/types"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
)

func (e *env) accelerator(arn string) (*gatypes.Accelerator, error) {
	out, err := e.c.GlobalAccelerator.DescribeAccelerator(e.ctx, &globalaccelerator.DescribeAcceleratorInput{AcceleratorArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	return out.Accelerator, nil
}

func (e *env) gaStatus(arn string) gatypes.AcceleratorStatus {
	e.t.Helper()
	a, err := e.accelerator(arn)
	if err != nil {
		e.t.Fatal(err)
	}
	return a.Status
}

// TestGlobalAccelerator: an accelerator → listener → endpoint groups, IN_PROGRESS
// after every change and DEPLOYED minutes later, and AWS's rules for deleting them.
func TestGlobalAccelerator(t *testing.T) {
	e := newEnv(t)
	ga := e.c.GlobalAccelerator
	acc, err := ga.CreateAccelerator(e.ctx, &globalaccelerator.CreateAcceleratorInput{Name: aws.String("c42s05-ga"), IdempotencyToken: aws.String("tok-1"),
		Tags: []gatypes.Tag{{Key: aws.String("labdash:student"), Value: aws.String("s05")}}})
	if err != nil {
		t.Fatal(err)
	}
	a := acc.Accelerator
	arn := aws.ToString(a.AcceleratorArn)
	if !strings.HasPrefix(arn, "arn:aws:globalaccelerator::111122223333:accelerator/") || a.Status != gatypes.AcceleratorStatusInProgress ||
		!aws.ToBool(a.Enabled) || len(a.IpSets) != 1 || len(a.IpSets[0].IpAddresses) != 2 || !strings.HasSuffix(aws.ToString(a.DnsName), ".awsglobalaccelerator.com") {
		t.Fatalf("new accelerator: %+v", a)
	}
	for _, ip := range a.IpSets[0].IpAddresses {
		if !strings.HasPrefix(ip, "203.0.113.") {
			t.Errorf("static IP %s is not in 203.0.113.0/24", ip)
		}
	}
	if again, err := ga.CreateAccelerator(e.ctx, &globalaccelerator.CreateAcceleratorInput{Name: aws.String("c42s05-ga"), IdempotencyToken: aws.String("tok-1")}); err != nil ||
		aws.ToString(again.Accelerator.AcceleratorArn) != arn {
		t.Errorf("same idempotency token: %v, want the same accelerator", err)
	}
	// The tagging API lists it in us-west-2, not in the class region.
	west, err := e.w.Clients(e.ctx, "", "us-west-2")
	if err != nil {
		t.Fatal(err)
	}
	listed := func(c *rgt.GetResourcesOutput) bool {
		for _, m := range c.ResourceTagMappingList {
			if aws.ToString(m.ResourceARN) == arn {
				return true
			}
		}
		return false
	}
	if out, _ := west.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{}); !listed(out) {
		t.Error("us-west-2 tagging API does not list the accelerator")
	}
	if out, _ := e.c.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{}); listed(out) {
		t.Error("us-east-1 tagging API lists the accelerator")
	}
	e.clock.Advance(4*time.Minute + time.Second)
	if st := e.gaStatus(arn); st != gatypes.AcceleratorStatusDeployed {
		t.Fatalf("after 4 min: %s, want DEPLOYED", st)
	}
	l, err := ga.CreateListener(e.ctx, &globalaccelerator.CreateListenerInput{AcceleratorArn: aws.String(arn), Protocol: gatypes.ProtocolTcp,
		PortRanges: []gatypes.PortRange{{FromPort: aws.Int32(80), ToPort: aws.Int32(80)}}})
	if err != nil {
		t.Fatal(err)
	}
	larn := aws.ToString(l.Listener.ListenerArn)
	if !strings.HasPrefix(larn, arn+"/listener/") || l.Listener.ClientAffinity != gatypes.ClientAffinityNone {
		t.Fatalf("listener: %+v", l.Listener)
	}
	if st := e.gaStatus(arn); st != gatypes.AcceleratorStatusInProgress {
		t.Errorf("after adding a listener: %s, want IN_PROGRESS", st)
	}
	if _, err := ga.CreateListener(e.ctx, &globalaccelerator.CreateListenerInput{AcceleratorArn: aws.String(arn), Protocol: gatypes.ProtocolTcp,
		PortRanges: []gatypes.PortRange{{FromPort: aws.Int32(70), ToPort: aws.Int32(90)}}}); !errorsAs[*gatypes.InvalidPortRangeException](err) {
		t.Errorf("overlapping listener: %v", err)
	}
	lb := e.fargate("c42s05", 80).lb
	var groups []string
	for _, reg := range []string{"us-east-1", "eu-west-1"} {
		id := lb
		if reg == "eu-west-1" {
			id = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/c42s05-alb/0123456789abcdef"
		}
		g, err := ga.CreateEndpointGroup(e.ctx, &globalaccelerator.CreateEndpointGroupInput{ListenerArn: aws.String(larn), EndpointGroupRegion: aws.String(reg),
			EndpointConfigurations: []gatypes.EndpointConfiguration{{EndpointId: aws.String(id)}}})
		if err != nil {
			t.Fatal(err)
		}
		eg := g.EndpointGroup
		if aws.ToInt32(eg.HealthCheckPort) != 80 || eg.HealthCheckProtocol != gatypes.HealthCheckProtocolTcp || aws.ToFloat32(eg.TrafficDialPercentage) != 100 ||
			eg.EndpointDescriptions[0].HealthState != gatypes.HealthStateInitial || aws.ToInt32(eg.EndpointDescriptions[0].Weight) != 128 {
			t.Errorf("endpoint group: %+v", eg)
		}
		groups = append(groups, aws.ToString(eg.EndpointGroupArn))
	}
	if _, err := ga.CreateEndpointGroup(e.ctx, &globalaccelerator.CreateEndpointGroupInput{ListenerArn: aws.String(larn), EndpointGroupRegion: aws.String("eu-west-1")}); !errorsAs[*gatypes.EndpointGroupAlreadyExistsException](err) {
		t.Errorf("second group in a region: %v", err)
	}
	// The ALB's targets turn healthy (5 checks 30 s apart once it is active),
	// then the accelerator's 3 checks 30 s apart agree.
	e.clock.Advance(10 * time.Minute)
	health := func(g string) gatypes.HealthState {
		out, err := ga.DescribeEndpointGroup(e.ctx, &globalaccelerator.DescribeEndpointGroupInput{EndpointGroupArn: aws.String(g)})
		if err != nil {
			t.Fatal(err)
		}
		return out.EndpointGroup.EndpointDescriptions[0].HealthState
	}
	if h0, h1 := health(groups[0]), health(groups[1]); h0 != gatypes.HealthStateHealthy || h1 != gatypes.HealthStateUnhealthy {
		t.Errorf("health: existing ALB %s, missing ALB %s; want HEALTHY, UNHEALTHY", h0, h1)
	}
	// Deletion rules.
	del := func() error {
		_, err := ga.DeleteAccelerator(e.ctx, &globalaccelerator.DeleteAcceleratorInput{AcceleratorArn: aws.String(arn)})
		return err
	}
	if err := del(); !errorsAs[*gatypes.AcceleratorNotDisabledException](err) {
		t.Errorf("delete enabled: %v, want AcceleratorNotDisabledException", err)
	}
	if _, err := ga.UpdateAccelerator(e.ctx, &globalaccelerator.UpdateAcceleratorInput{AcceleratorArn: aws.String(arn), Enabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if err := del(); !errorsAs[*gatypes.AssociatedListenerFoundException](err) {
		t.Errorf("delete with listeners: %v, want AssociatedListenerFoundException", err)
	}
	if _, err := ga.DeleteListener(e.ctx, &globalaccelerator.DeleteListenerInput{ListenerArn: aws.String(larn)}); !errorsAs[*gatypes.AssociatedEndpointGroupFoundException](err) {
		t.Errorf("delete listener with groups: %v, want AssociatedEndpointGroupFoundException", err)
	}
	for _, g := range groups {
		if _, err := ga.DeleteEndpointGroup(e.ctx, &globalaccelerator.DeleteEndpointGroupInput{EndpointGroupArn: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ga.DeleteEndpointGroup(e.ctx, &globalaccelerator.DeleteEndpointGroupInput{EndpointGroupArn: aws.String(groups[0])}); !errorsAs[*gatypes.EndpointGroupNotFoundException](err) {
		t.Errorf("delete group twice: %v", err)
	}
	if _, err := ga.DeleteListener(e.ctx, &globalaccelerator.DeleteListenerInput{ListenerArn: aws.String(larn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ga.ListEndpointGroups(e.ctx, &globalaccelerator.ListEndpointGroupsInput{ListenerArn: aws.String(larn)}); !errorsAs[*gatypes.ListenerNotFoundException](err) {
		t.Errorf("list groups of a deleted listener: %v", err)
	}
	if err := del(); !errorsAs[*gatypes.AcceleratorNotDisabledException](err) {
		t.Errorf("delete while the disable is IN_PROGRESS: %v, want AcceleratorNotDisabledException", err)
	}
	e.clock.Advance(4*time.Minute + time.Second)
	if a, _ := e.accelerator(arn); a.Status != gatypes.AcceleratorStatusDeployed || aws.ToBool(a.Enabled) {
		t.Fatalf("after the disable deployed: %+v", a)
	}
	if err := del(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.accelerator(arn); !errorsAs[*gatypes.AcceleratorNotFoundException](err) {
		t.Errorf("describe deleted: %v, want AcceleratorNotFoundException", err)
	}
	if _, err := ga.ListTagsForResource(e.ctx, &globalaccelerator.ListTagsForResourceInput{ResourceArn: aws.String(arn)}); !errorsAs[*gatypes.AcceleratorNotFoundException](err) {
		t.Errorf("tags of deleted: %v", err)
	}
	if out, _ := west.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{}); listed(out) {
		t.Error("tagging API still lists the deleted accelerator")
	}
}

// TestGADeployTime: SetGADeployTime keeps later changes IN_PROGRESS that long.
func TestGADeployTime(t *testing.T) {
	e := newEnv(t)
	ga := e.c.GlobalAccelerator
	e.w.SetGADeployTime(time.Hour)
	acc, err := ga.CreateAccelerator(context.Background(), &globalaccelerator.CreateAcceleratorInput{Name: aws.String("slow")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(acc.Accelerator.AcceleratorArn)
	e.clock.Advance(59 * time.Minute)
	if st := e.gaStatus(arn); st != gatypes.AcceleratorStatusInProgress {
		t.Fatalf("after 59 min: %s, want IN_PROGRESS", st)
	}
	e.clock.Advance(time.Minute)
	if st := e.gaStatus(arn); st != gatypes.AcceleratorStatusDeployed {
		t.Fatalf("after 60 min: %s, want DEPLOYED", st)
	}
	e.w.SetGADeployTime(0)
	if _, err := ga.UpdateAccelerator(e.ctx, &globalaccelerator.UpdateAcceleratorInput{AcceleratorArn: aws.String(arn), Enabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(4*time.Minute + time.Second)
	if st := e.gaStatus(arn); st != gatypes.AcceleratorStatusDeployed {
		t.Fatalf("default deploy time restored: %s after 4 min", st)
	}
	list, err := ga.ListAccelerators(e.ctx, &globalaccelerator.ListAcceleratorsInput{MaxResults: aws.Int32(100)})
	if err != nil || len(list.Accelerators) != 1 {
		t.Fatalf("list: %v %+v", err, list)
	}
	if _, err := ga.ListAccelerators(e.ctx, &globalaccelerator.ListAcceleratorsInput{MaxResults: aws.Int32(101)}); !errorsAs[*gatypes.InvalidArgumentException](err) {
		t.Errorf("MaxResults 101: %v", err)
	}
}
