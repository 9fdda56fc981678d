package resources_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

// spotState is a request's state, or "" when it no longer describes.
func (e *env) spotState(id string) (ec2types.SpotInstanceState, string) {
	e.t.Helper()
	out, err := e.c.EC2.DescribeSpotInstanceRequests(e.ctx, &ec2.DescribeSpotInstanceRequestsInput{
		Filters: []ec2types.Filter{{Name: aws.String("spot-instance-request-id"), Values: []string{id}}}})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(out.SpotInstanceRequests) == 0 {
		return "", ""
	}
	return out.SpotInstanceRequests[0].State, aws.ToString(out.SpotInstanceRequests[0].InstanceId)
}

// TestSpotRequestSim: a persistent request (Lab 8's risk: it relaunches its
// instance whenever that is terminated) is cancelled first; its instance — which
// carries no tags of its own — is then proven through the request and terminated,
// and stays terminated. A request tagged for another class is not claimed; a
// look-alike (its instance tagged for this class, the request for another) comes
// back with a reason.
func TestSpotRequestSim(t *testing.T) {
	e := simEnv(t)
	run := func(spotKV []string, instKV ...string) (sir, inst string) {
		in := &ec2.RunInstancesInput{InstanceMarketOptions: &ec2types.InstanceMarketOptionsRequest{MarketType: ec2types.MarketTypeSpot,
			SpotOptions: &ec2types.SpotMarketOptions{SpotInstanceType: ec2types.SpotInstanceTypePersistent, InstanceInterruptionBehavior: ec2types.InstanceInterruptionBehaviorStop}},
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSpotInstancesRequest, Tags: ec2TagList(spotKV...)}}}
		inst = e.runInstance(in, instKV...)
		d, err := e.c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{inst}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(d.Reservations[0].Instances[0].SpotInstanceRequestId), inst
	}
	mine, mineInst := run([]string{"labdash:class", classID, "labdash:student", "s01"})
	other, otherInst := run([]string{"labdash:class", "c9zzz", "labdash:student", "s01"})
	look, lookInst := run([]string{"labdash:class", "c9zzz"}, "labdash:class", classID, "labdash:student", "s02")
	e.wait(31 * time.Second)

	typ, _ := resources.Lookup("AWS::EC2::SpotInstanceRequest")
	scope := resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}, Owned: map[string]resources.Ref{}}
	// Instances first, as a plan does (requests are listed under owned instances).
	first, err := judge(e.ctx, mustType(t, "AWS::EC2::Instance"), e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	own(scope, first)
	found, err := judge(e.ctx, typ, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	arn := func(id string) string { return e.c.ARN("ec2", "spot-instances-request/"+id) }
	ref := findARN(t, found, arn(mine))
	if ref.Proof == "" || ref.Student != "s01" {
		t.Errorf("own request not proven: %+v", ref)
	}
	if f := findARN(t, found, arn(look)); f.Proof != "" || !strings.Contains(f.Reason, "c9zzz") {
		t.Errorf("look-alike: %+v, want a reason and no proof", f)
	}
	if got, ok := resources.ForARN(arn(mine)); !ok || got.Name != "AWS::EC2::SpotInstanceRequest" {
		t.Errorf("ForARN(spot request) = %q, %v", got.Name, ok)
	}
	for _, f := range found {
		if f.ARN == arn(other) {
			t.Errorf("lister claimed another class's request: %+v", f)
		}
	}
	if tags, err := typ.Tags(e.ctx, e.c, ref.Ref); err != nil || tags["labdash:class"] != classID {
		t.Errorf("tags: %v %v", tags, err)
	}
	if n := e.DeleteUntilGone(e.c, ref.Ref, 3); n != 1 {
		t.Errorf("cancel took %d attempts, want 1", n)
	}
	e.Gone(e.c, ref.Ref)
	if st, _ := e.spotState(mine); st != ec2types.SpotInstanceStateCancelled {
		t.Fatalf("own request is %s, want cancelled", st)
	}
	if st := e.instanceStates(mineInst)[mineInst]; st != ec2types.InstanceStateNameRunning {
		t.Fatalf("cancelling terminated the instance (%s): it must not", st)
	}
	// The instance is proven through its (owned) request, and terminated for good.
	scope.Owned[ref.ARN] = ref.Ref
	ityp, _ := resources.Lookup("AWS::EC2::Instance")
	ifound, err := judge(e.ctx, ityp, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	iref := findARN(t, ifound, e.c.ARN("ec2", "instance/"+mineInst))
	if iref.Proof == "" || iref.Student != "s01" {
		t.Errorf("instance of an owned request not proven: %+v", iref)
	}
	e.DeleteUntilGone(e.c, iref.Ref, 12)
	e.wait(5 * time.Minute)
	if st, inst := e.spotState(mine); st != ec2types.SpotInstanceStateCancelled || inst != mineInst {
		t.Errorf("after its instance was terminated the request is %s with instance %s: it relaunched", st, inst)
	}
	for _, id := range []string{other, look} {
		if st, _ := e.spotState(id); st != ec2types.SpotInstanceStateActive {
			t.Errorf("decoy request %s is %s, want active", id, st)
		}
	}
	if st := e.instanceStates(otherInst, lookInst); st[otherInst] != ec2types.InstanceStateNameRunning || st[lookInst] != ec2types.InstanceStateNameRunning {
		t.Errorf("decoy instances: %v", st)
	}
}

// TestSpotRequestMoto: moto creates Spot requests only through RequestSpotInstances
// (RunInstances with InstanceMarketOptions makes a spot instance without a
// request), so the requests are made with it; moto forgets a cancelled request
// at once, which the deleter counts as gone as well.
func TestSpotRequestMoto(t *testing.T) {
	e := motoEnv(t)
	raw, ok := e.c.EC2.(*ec2.Client)
	if !ok {
		t.Fatalf("moto EC2 client is %T", e.c.EC2)
	}
	request := func(spotKV, instKV []string) string {
		specs := []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSpotInstancesRequest, Tags: ec2TagList(spotKV...)}}
		if len(instKV) > 0 {
			specs = append(specs, ec2types.TagSpecification{ResourceType: ec2types.ResourceTypeInstance, Tags: ec2TagList(instKV...)})
		}
		out, err := raw.RequestSpotInstances(e.ctx, &ec2.RequestSpotInstancesInput{InstanceCount: aws.Int32(1), Type: ec2types.SpotInstanceTypePersistent,
			LaunchSpecification: &ec2types.RequestSpotLaunchSpecification{ImageId: aws.String(testAMI), InstanceType: ec2types.InstanceTypeT3Micro},
			TagSpecifications:   specs})
		if err != nil || len(out.SpotInstanceRequests) != 1 {
			t.Fatalf("request spot: %v", err)
		}
		return aws.ToString(out.SpotInstanceRequests[0].SpotInstanceRequestId)
	}
	mine := request([]string{"labdash:class", classID, "labdash:student", "s01"}, nil)
	other := request([]string{"labdash:class", "c9zzz", "labdash:student", "s01"}, nil)
	look := request([]string{"labdash:class", "c9zzz"}, []string{"labdash:class", classID, "labdash:student", "s02"})

	typ, _ := resources.Lookup("AWS::EC2::SpotInstanceRequest")
	scope := resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}, Owned: map[string]resources.Ref{}}
	first, err := judge(e.ctx, mustType(t, "AWS::EC2::Instance"), e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	own(scope, first) // requests are listed under the instances the plan owns
	found, err := judge(e.ctx, typ, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	arn := func(id string) string { return e.c.ARN("ec2", "spot-instances-request/"+id) }
	ref := findARN(t, found, arn(mine))
	if ref.Proof == "" || ref.Student != "s01" {
		t.Errorf("own request not proven: %+v", ref)
	}
	if f := findARN(t, found, arn(look)); f.Proof != "" || f.Reason == "" {
		t.Errorf("look-alike: %+v, want a reason and no proof", f)
	}
	for _, f := range found {
		if f.ARN == arn(other) {
			t.Errorf("lister claimed another class's request: %+v", f)
		}
	}
	e.DeleteUntilGone(e.c, ref.Ref, 3)
	e.Gone(e.c, ref.Ref)
	if st, _ := e.spotState(mine); st != "" && st != ec2types.SpotInstanceStateCancelled {
		t.Errorf("own request is %s", st)
	}
	for _, id := range []string{other, look} {
		if st, _ := e.spotState(id); st != ec2types.SpotInstanceStateActive {
			t.Errorf("decoy request %s is %q, want active", id, st)
		}
	}
}
