package sim

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestSpotInterruptionFollowsStatusTable: interruptions follow AWS's "Spot request
// status" table. A terminate-on-interruption request is instance-terminated-no-capacity
// at once (closed, its instance still running through the two-minute notice), then
// the instance is terminated and nothing relaunches. A persistent stop request is
// active and marked-for-stop through the notice, then its instance stops
// (Server.SpotInstanceShutdown) and the request is disabled with
// instance-stopped-no-capacity; a minute later the same instance runs again and
// the request is active and fulfilled; interrupted again and cancelled while
// disabled, it stays stopped and cancelled.
func TestSpotInterruptionFollowsStatusTable(t *testing.T) {
	e := newEnv(t)
	run := func(typ ec2types.SpotInstanceType, behavior ec2types.InstanceInterruptionBehavior) (id, sir string) {
		t.Helper()
		out, err := e.c.EC2.RunInstances(e.ctx, &ec2.RunInstancesInput{ImageId: aws.String(testAMI), InstanceType: ec2types.InstanceTypeT3Micro,
			MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			InstanceMarketOptions: &ec2types.InstanceMarketOptionsRequest{MarketType: ec2types.MarketTypeSpot,
				SpotOptions: &ec2types.SpotMarketOptions{SpotInstanceType: typ, InstanceInterruptionBehavior: behavior}}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Instances[0].InstanceId), aws.ToString(out.Instances[0].SpotInstanceRequestId)
	}
	status := func(sir string) (ec2types.SpotInstanceState, string, string) {
		sr := e.spotRequest(sir)
		return sr.State, aws.ToString(sr.Status.Code), aws.ToString(sr.InstanceId)
	}
	oneID, oneSIR := run("", "")
	perID, perSIR := run(ec2types.SpotInstanceTypePersistent, ec2types.InstanceInterruptionBehaviorStop)
	e.clock.Advance(31 * time.Second)
	for _, id := range []string{oneID, perID} {
		if err := e.w.InterruptSpot("", "us-east-1", id); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(time.Second)
	if st, code, _ := status(oneSIR); st != ec2types.SpotInstanceStateClosed || code != "instance-terminated-no-capacity" {
		t.Errorf("one-time request under notice: %s %s, want closed instance-terminated-no-capacity", st, code)
	}
	if st, code, _ := status(perSIR); st != ec2types.SpotInstanceStateActive || code != "marked-for-stop" {
		t.Errorf("persistent stop request under notice: %s %s, want active marked-for-stop", st, code)
	}
	for _, id := range []string{oneID, perID} {
		if got := e.instance(id).State.Name; got != ec2types.InstanceStateNameRunning {
			t.Errorf("%s under notice is %s, want running", id, got)
		}
	}

	e.clock.Advance(2 * time.Minute) // the notice runs out
	if x := e.instance(oneID); x.State.Name != ec2types.InstanceStateNameShuttingDown && x.State.Name != ec2types.InstanceStateNameTerminated ||
		aws.ToString(x.StateReason.Code) != "Server.SpotInstanceTermination" {
		t.Errorf("one-time instance after the notice: %s %s", x.State.Name, aws.ToString(x.StateReason.Code))
	}
	if x := e.instance(perID); x.State.Name != ec2types.InstanceStateNameStopping && x.State.Name != ec2types.InstanceStateNameStopped ||
		aws.ToString(x.StateReason.Code) != "Server.SpotInstanceShutdown" {
		t.Errorf("persistent stop instance after the notice: %s %s", x.State.Name, aws.ToString(x.StateReason.Code))
	}
	e.clock.Advance(31 * time.Second)
	if st, code, id := status(perSIR); st != ec2types.SpotInstanceStateDisabled || code != "instance-stopped-no-capacity" || id != perID {
		t.Errorf("persistent stop request once stopped: %s %s %s, want disabled instance-stopped-no-capacity %s", st, code, id, perID)
	}
	if x := e.instance(perID); x.State.Name != ec2types.InstanceStateNameStopped || aws.ToString(x.StateReason.Code) != "Server.SpotInstanceShutdown" {
		t.Errorf("stopped by interruption: %s %s", x.State.Name, aws.ToString(x.StateReason.Code))
	}

	e.clock.Advance(time.Minute + 31*time.Second) // the capacity is back
	if st, code, id := status(perSIR); st != ec2types.SpotInstanceStateActive || code != "fulfilled" || id != perID {
		t.Errorf("persistent stop request after the capacity is back: %s %s %s, want active fulfilled %s", st, code, id, perID)
	}
	if x := e.instance(perID); x.State.Name != ec2types.InstanceStateNameRunning {
		t.Errorf("restarted instance is %s, want running", x.State.Name)
	}
	if st, code, id := status(oneSIR); st != ec2types.SpotInstanceStateClosed || code != "instance-terminated-no-capacity" || id != oneID {
		t.Errorf("one-time request at the end: %s %s %s", st, code, id)
	}
	if x := e.instance(oneID); x.State.Name != ec2types.InstanceStateNameTerminated {
		t.Errorf("one-time instance at the end: %s", x.State.Name)
	}

	// Interrupted again, cancelled while disabled: it stays stopped and cancelled.
	if err := e.w.InterruptSpot("", "us-east-1", perID); err != nil {
		t.Fatalf("second interruption of the restarted instance: %v", err)
	}
	e.clock.Advance(2*time.Minute + 31*time.Second)
	if st, _, _ := status(perSIR); st != ec2types.SpotInstanceStateDisabled {
		t.Fatalf("second interruption: request %s, want disabled", st)
	}
	if _, err := e.c.EC2.CancelSpotInstanceRequests(e.ctx, &ec2.CancelSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{perSIR}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Minute)
	if st, _, id := status(perSIR); st != ec2types.SpotInstanceStateCancelled || id != perID {
		t.Errorf("cancelled while disabled: %s with %s", st, id)
	}
	if x := e.instance(perID); x.State.Name != ec2types.InstanceStateNameStopped {
		t.Errorf("a cancelled request's instance restarted: %s", x.State.Name)
	}
}

// TestPersistentTerminatedDuringNoticeRelaunches: a persistent stop request whose
// instance the user terminates during the notice reopens
// (instance-terminated-by-user, open) and launches a new instance, as after any
// termination; the old one is not also stopped.
func TestPersistentTerminatedDuringNoticeRelaunches(t *testing.T) {
	e := newEnv(t)
	out, err := e.c.EC2.RunInstances(e.ctx, &ec2.RunInstancesInput{ImageId: aws.String(testAMI), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		InstanceMarketOptions: &ec2types.InstanceMarketOptionsRequest{MarketType: ec2types.MarketTypeSpot,
			SpotOptions: &ec2types.SpotMarketOptions{SpotInstanceType: ec2types.SpotInstanceTypePersistent, InstanceInterruptionBehavior: ec2types.InstanceInterruptionBehaviorStop}}})
	if err != nil {
		t.Fatal(err)
	}
	first, sir := aws.ToString(out.Instances[0].InstanceId), aws.ToString(out.Instances[0].SpotInstanceRequestId)
	e.clock.Advance(31 * time.Second)
	if err := e.w.InterruptSpot("", "us-east-1", first); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.EC2.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{first}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(61 * time.Second)
	if sr := e.spotRequest(sir); sr.State != ec2types.SpotInstanceStateOpen || aws.ToString(sr.Status.Code) != "instance-terminated-by-user" {
		t.Fatalf("after its instance was terminated: %s %s, want open", sr.State, aws.ToString(sr.Status.Code))
	}
	e.clock.Advance(2 * time.Minute)
	sr := e.spotRequest(sir)
	if second := aws.ToString(sr.InstanceId); sr.State != ec2types.SpotInstanceStateActive || second == first {
		t.Fatalf("did not relaunch: %s %s", sr.State, second)
	}
	if x := e.instance(first); x.State.Name != ec2types.InstanceStateNameTerminated || aws.ToString(x.StateReason.Code) != "Client.UserInitiatedShutdown" {
		t.Errorf("the terminated instance: %s %s", x.State.Name, aws.ToString(x.StateReason.Code))
	}
}
