package cleanup

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/catalog/asg"
	"github.com/labdash/labdash/labs/catalog/fargate"
)

// TestCleanupCancelsPersistentSpotBeforeItsInstance: a Lab 8 student launched a
// persistent Spot instance (RunInstances, stop on interruption), which relaunches
// its instance a minute after that instance is terminated, until the request is
// cancelled. Another class's identical request shows the threat: its instance,
// terminated with its request left alone, comes back. The class's cleanup cancels
// the request before it terminates the instance, so five minutes on the request
// is cancelled, its one instance terminated and nothing relaunched; the other
// class's request and its relaunched instance are untouched.
func TestCleanupCancelsPersistentSpotBeforeItsInstance(t *testing.T) {
	f := newFixture(t)
	a := f.classWithLabs("A", 1, fargate.ID, asg.ID)
	tags := func(class string) []ec2types.Tag {
		return []ec2types.Tag{{Key: aws.String("labdash:class"), Value: aws.String(class)}, {Key: aws.String("labdash:student"), Value: aws.String("s01")},
			{Key: aws.String("labdash:lab"), Value: aws.String(asg.ID)}}
	}
	persistent := func(class string) (inst, sir string) {
		t.Helper()
		out, err := f.c.EC2.RunInstances(f.ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0abcdef1234567890"), InstanceType: ec2types.InstanceTypeT3Micro,
			MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			InstanceMarketOptions: &ec2types.InstanceMarketOptionsRequest{MarketType: ec2types.MarketTypeSpot,
				SpotOptions: &ec2types.SpotMarketOptions{SpotInstanceType: ec2types.SpotInstanceTypePersistent, InstanceInterruptionBehavior: ec2types.InstanceInterruptionBehaviorStop}},
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: tags(class)},
				{ResourceType: ec2types.ResourceTypeSpotInstancesRequest, Tags: tags(class)}}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Instances[0].InstanceId), aws.ToString(out.Instances[0].SpotInstanceRequestId)
	}
	mineInst, mineSIR := persistent(a.ID)
	otherInst, otherSIR := persistent("c9zzz")
	f.clock.Advance(31 * time.Second)
	request := func(sir string) ec2types.SpotInstanceRequest {
		t.Helper()
		out, err := f.c.EC2.DescribeSpotInstanceRequests(f.ctx, &ec2.DescribeSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{sir}})
		if err != nil || len(out.SpotInstanceRequests) != 1 {
			t.Fatalf("describe %s: %v", sir, err)
		}
		return out.SpotInstanceRequests[0]
	}
	// launched lists the states of every instance a request has launched.
	launched := func(sir string) map[string]ec2types.InstanceStateName {
		t.Helper()
		out, err := f.c.EC2.DescribeInstances(f.ctx, &ec2.DescribeInstancesInput{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]ec2types.InstanceStateName{}
		for _, r := range out.Reservations {
			for _, in := range r.Instances {
				if aws.ToString(in.SpotInstanceRequestId) == sir {
					got[aws.ToString(in.InstanceId)] = in.State.Name
				}
			}
		}
		return got
	}

	// The threat: the other class's instance terminated first comes back.
	if _, err := f.c.EC2.TerminateInstances(f.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{otherInst}}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(3 * time.Minute)
	otherNow := aws.ToString(request(otherSIR).InstanceId)
	if otherNow == otherInst || launched(otherSIR)[otherNow] == "" {
		t.Fatalf("the persistent request did not relaunch after its instance was terminated (%v): this test would prove nothing", launched(otherSIR))
	}

	plan, err := f.planner().Plan(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	at := map[string]int{}
	for i, it := range plan.Items {
		at[it.ARN] = i + 1
		if it.ARN == f.c.ARN("ec2", "spot-instances-request/"+otherSIR) || it.ARN == f.c.ARN("ec2", "instance/"+otherNow) {
			t.Errorf("the other class's %s is in the plan", it.ARN)
		}
	}
	reqARN, instARN := f.c.ARN("ec2", "spot-instances-request/"+mineSIR), f.c.ARN("ec2", "instance/"+mineInst)
	if at[reqARN] == 0 || at[instARN] == 0 {
		t.Fatalf("plan lacks the request (%d) or its instance (%d): %+v", at[reqARN], at[instARN], plan.Items)
	}
	x := f.executor()
	job, err := x.Confirm(f.ctx, a.ID, plan.Hash, a.Name)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Run(f.ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	if done, _ := f.store.Job(f.ctx, job.ID); done.State != db.JobDone {
		t.Fatalf("cleanup job %s: %s", done.State, done.Error)
	}
	f.clock.Advance(5 * time.Minute)
	if sr := request(mineSIR); sr.State != ec2types.SpotInstanceStateCancelled || aws.ToString(sr.InstanceId) != mineInst {
		t.Errorf("after cleanup the request is %s with instance %s (was %s)", sr.State, aws.ToString(sr.InstanceId), mineInst)
	}
	if got := launched(mineSIR); len(got) != 1 || got[mineInst] != ec2types.InstanceStateNameTerminated {
		t.Errorf("the request's instances after cleanup: %v, want only %s, terminated", got, mineInst)
	}
	if sr := request(otherSIR); sr.State != ec2types.SpotInstanceStateActive || launched(otherSIR)[otherNow] != ec2types.InstanceStateNameRunning {
		t.Errorf("the other class's request %s, its instance %v", sr.State, launched(otherSIR))
	}
}
