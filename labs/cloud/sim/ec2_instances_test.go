package sim

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
)

const testAMI = "ami-0123456789abcdef0"

func (e *env) instance(id string) ec2types.Instance {
	e.t.Helper()
	out, err := e.c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		e.t.Fatalf("describe %s: %v %+v", id, err, out)
	}
	return out.Reservations[0].Instances[0]
}

func (e *env) spotRequest(id string) ec2types.SpotInstanceRequest {
	e.t.Helper()
	out, err := e.c.EC2.DescribeSpotInstanceRequests(e.ctx, &ec2.DescribeSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{id}})
	if err != nil || len(out.SpotInstanceRequests) != 1 {
		e.t.Fatalf("describe %s: %v", id, err)
	}
	return out.SpotInstanceRequests[0]
}

func (e *env) taggedARNs() map[string]bool {
	e.t.Helper()
	out, err := e.c.Tagging.GetResources(e.ctx, &rgt.GetResourcesInput{})
	if err != nil {
		e.t.Fatal(err)
	}
	m := map[string]bool{}
	for _, x := range out.ResourceTagMappingList {
		m[aws.ToString(x.ResourceARN)] = true
	}
	return m
}

func studentTag(v string) []ec2types.Tag {
	return []ec2types.Tag{{Key: aws.String("labdash:student"), Value: aws.String(v)}}
}

// TestInstanceLifecycle: pending → running → shutting-down → terminated, the
// security group held until terminated, the instance described for an hour after.
func TestInstanceLifecycle(t *testing.T) {
	e := newEnv(t)
	vpcID, subnets := e.w.ClassVPC("", "us-east-1")
	sg, err := e.c.EC2.CreateSecurityGroup(e.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web"), VpcId: aws.String(vpcID)})
	if err != nil {
		t.Fatal(err)
	}
	run, err := e.c.EC2.RunInstances(e.ctx, &ec2.RunInstancesInput{ImageId: aws.String(testAMI), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnets[1]), SecurityGroupIds: []string{aws.ToString(sg.GroupId)},
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: studentTag("s01")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Instances) != 1 || run.Instances[0].State.Name != ec2types.InstanceStateNamePending || aws.ToString(run.ReservationId) == "" {
		t.Fatalf("run: %+v", run)
	}
	id := aws.ToString(run.Instances[0].InstanceId)
	arn := e.c.ARN("ec2", "instance/"+id)
	if !e.taggedARNs()[arn] {
		t.Errorf("tagging API does not list %s", arn)
	}
	if x := e.instance(id); aws.ToString(x.SubnetId) != subnets[1] || aws.ToString(x.PrivateIpAddress) == "" || len(x.Tags) != 1 ||
		aws.ToString(x.SecurityGroups[0].GroupName) != "web" || x.InstanceLifecycle != "" {
		t.Errorf("instance: %+v", x)
	}
	e.clock.Advance(31 * time.Second)
	if st := e.instance(id).State; st.Name != ec2types.InstanceStateNameRunning || aws.ToInt32(st.Code) != 16 {
		t.Fatalf("after 31 s: %+v, want running", st)
	}
	delSG := func() error {
		_, err := e.c.EC2.DeleteSecurityGroup(e.ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId})
		return err
	}
	if err := delSG(); apiCode(err) != "DependencyViolation" {
		t.Fatalf("delete group in use: %v, want DependencyViolation", err)
	}
	term, err := e.c.EC2.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	if err != nil || term.TerminatingInstances[0].PreviousState.Name != ec2types.InstanceStateNameRunning ||
		term.TerminatingInstances[0].CurrentState.Name != ec2types.InstanceStateNameShuttingDown {
		t.Fatalf("terminate: %v %+v", err, term)
	}
	if err := delSG(); apiCode(err) != "DependencyViolation" {
		t.Fatalf("delete group while shutting down: %v, want DependencyViolation", err)
	}
	e.clock.Advance(61 * time.Second)
	x := e.instance(id)
	if x.State.Name != ec2types.InstanceStateNameTerminated || aws.ToString(x.StateReason.Code) != "Client.UserInitiatedShutdown" {
		t.Fatalf("after 61 s: %+v", x.State)
	}
	if e.taggedARNs()[arn] {
		t.Errorf("tagging API still lists terminated %s", arn)
	}
	if err := delSG(); err != nil {
		t.Fatalf("delete group after termination: %v", err)
	}
	// Terminating again is harmless; a filter finds it as terminated.
	if _, err := e.c.EC2.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	out, err := e.c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		{Name: aws.String("instance-state-name"), Values: []string{"terminated"}}, {Name: aws.String("tag:labdash:student"), Values: []string{"s01"}}}})
	if err != nil || len(out.Reservations) != 1 {
		t.Fatalf("filter: %v %+v", err, out)
	}
	e.clock.Advance(61 * time.Minute)
	_, err = e.c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if apiCode(err) != "InvalidInstanceID.NotFound" {
		t.Fatalf("an hour after termination: %v, want InvalidInstanceID.NotFound", err)
	}
}

// TestSpotRequests: a one-time request closes with its instance; a persistent one
// relaunches until cancelled, and cancelling does not terminate its instance.
func TestSpotRequests(t *testing.T) {
	e := newEnv(t)
	run := func(typ ec2types.SpotInstanceType, behavior ec2types.InstanceInterruptionBehavior) (*ec2.RunInstancesOutput, error) {
		return e.c.EC2.RunInstances(e.ctx, &ec2.RunInstancesInput{ImageId: aws.String(testAMI), InstanceType: ec2types.InstanceTypeT3Micro,
			MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			InstanceMarketOptions: &ec2types.InstanceMarketOptionsRequest{MarketType: ec2types.MarketTypeSpot,
				SpotOptions: &ec2types.SpotMarketOptions{SpotInstanceType: typ, InstanceInterruptionBehavior: behavior}},
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSpotInstancesRequest, Tags: studentTag("s02")}}})
	}
	if _, err := run(ec2types.SpotInstanceTypePersistent, ec2types.InstanceInterruptionBehaviorTerminate); apiCode(err) != "InvalidParameterCombination" {
		t.Errorf("persistent + terminate: %v, want InvalidParameterCombination", err)
	}
	// One-time.
	one, err := run("", "")
	if err != nil {
		t.Fatal(err)
	}
	x := one.Instances[0]
	if x.InstanceLifecycle != ec2types.InstanceLifecycleTypeSpot || aws.ToString(x.SpotInstanceRequestId) == "" {
		t.Fatalf("spot instance: %+v", x)
	}
	sir := aws.ToString(x.SpotInstanceRequestId)
	sr := e.spotRequest(sir)
	if sr.State != ec2types.SpotInstanceStateActive || aws.ToString(sr.Status.Code) != "fulfilled" || sr.Type != ec2types.SpotInstanceTypeOneTime ||
		aws.ToString(sr.InstanceId) != aws.ToString(x.InstanceId) || aws.ToString(sr.SpotPrice) != "0.010400" || len(sr.Tags) != 1 {
		t.Fatalf("one-time request: %+v", sr)
	}
	if !e.taggedARNs()[e.c.ARN("ec2", "spot-instances-request/"+sir)] {
		t.Errorf("tagging API does not list %s", sir)
	}
	if _, err := e.c.EC2.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{aws.ToString(x.InstanceId)}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if sr := e.spotRequest(sir); sr.State != ec2types.SpotInstanceStateClosed || aws.ToString(sr.Status.Code) != "instance-terminated-by-user" {
		t.Fatalf("one-time request after its instance: %s %s", sr.State, aws.ToString(sr.Status.Code))
	}
	// Persistent: terminate → open → a new instance a minute later.
	per, err := run(ec2types.SpotInstanceTypePersistent, ec2types.InstanceInterruptionBehaviorStop)
	if err != nil {
		t.Fatal(err)
	}
	first := aws.ToString(per.Instances[0].InstanceId)
	psir := aws.ToString(per.Instances[0].SpotInstanceRequestId)
	if _, err := e.c.EC2.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{first}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(61 * time.Second)
	if sr := e.spotRequest(psir); sr.State != ec2types.SpotInstanceStateOpen {
		t.Fatalf("persistent request after its instance ended: %s, want open", sr.State)
	}
	e.clock.Advance(time.Minute)
	sr = e.spotRequest(psir)
	second := aws.ToString(sr.InstanceId)
	if sr.State != ec2types.SpotInstanceStateActive || second == first || second == "" {
		t.Fatalf("persistent request did not relaunch: %s %s", sr.State, second)
	}
	if got := e.instance(second); got.InstanceLifecycle != ec2types.InstanceLifecycleTypeSpot || aws.ToString(got.SpotInstanceRequestId) != psir {
		t.Fatalf("relaunched instance: %+v", got)
	}
	// Cancel: the request ends, the instance keeps running and is not replaced after.
	c, err := e.c.EC2.CancelSpotInstanceRequests(e.ctx, &ec2.CancelSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{psir}})
	if err != nil || c.CancelledSpotInstanceRequests[0].State != ec2types.CancelSpotInstanceRequestStateCancelled {
		t.Fatalf("cancel: %v %+v", err, c)
	}
	e.clock.Advance(time.Minute)
	if sr := e.spotRequest(psir); sr.State != ec2types.SpotInstanceStateCancelled || aws.ToString(sr.Status.Code) != "request-canceled-and-instance-running" {
		t.Fatalf("cancelled: %s %s", sr.State, aws.ToString(sr.Status.Code))
	}
	if st := e.instance(second).State.Name; st != ec2types.InstanceStateNameRunning {
		t.Fatalf("cancelling terminated the instance: %s", st)
	}
	if e.taggedARNs()[e.c.ARN("ec2", "spot-instances-request/"+psir)] {
		t.Errorf("tagging API still lists the cancelled request")
	}
	if _, err := e.c.EC2.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{second}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Minute)
	if sr := e.spotRequest(psir); sr.State != ec2types.SpotInstanceStateCancelled || aws.ToString(sr.InstanceId) != second {
		t.Fatalf("cancelled request relaunched: %+v", sr)
	}
	// Described for four hours, then gone.
	e.clock.Advance(4 * time.Hour)
	if _, err := e.c.EC2.DescribeSpotInstanceRequests(e.ctx, &ec2.DescribeSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{psir}}); apiCode(err) != "InvalidSpotInstanceRequestID.NotFound" {
		t.Fatalf("4 h after cancel: %v", err)
	}
	if _, err := e.c.EC2.CancelSpotInstanceRequests(e.ctx, &ec2.CancelSpotInstanceRequestsInput{SpotInstanceRequestIds: []string{"sir-zzzzzzzz"}}); apiCode(err) != "InvalidSpotInstanceRequestID.NotFound" {
		t.Fatalf("cancel unknown: %v", err)
	}
}

// TestLaunchTemplates: create, duplicate, describe, launch from, delete.
func TestLaunchTemplates(t *testing.T) {
	e := newEnv(t)
	create := func(name string) (*ec2.CreateLaunchTemplateOutput, error) {
		return e.c.EC2.CreateLaunchTemplate(e.ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(name),
			LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(testAMI), InstanceType: ec2types.InstanceTypeT3Micro,
				TagSpecifications: []ec2types.LaunchTemplateTagSpecificationRequest{{ResourceType: ec2types.ResourceTypeInstance, Tags: studentTag("s03")}}},
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeLaunchTemplate, Tags: studentTag("s03")}}})
	}
	lt, err := create("c42s03-lt")
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(lt.LaunchTemplate.LaunchTemplateId)
	if len(id) != 20 || aws.ToInt64(lt.LaunchTemplate.LatestVersionNumber) != 1 || len(lt.LaunchTemplate.Tags) != 1 {
		t.Fatalf("template: %+v", lt.LaunchTemplate)
	}
	if _, err := create("c42s03-lt"); apiCode(err) != "InvalidLaunchTemplateName.AlreadyExistsException" {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := create("x"); apiCode(err) != "InvalidLaunchTemplateName.MalformedException" {
		t.Errorf("short name: %v", err)
	}
	d, err := e.c.EC2.DescribeLaunchTemplates(e.ctx, &ec2.DescribeLaunchTemplatesInput{Filters: []ec2types.Filter{{Name: aws.String("launch-template-name"), Values: []string{"c42*"}}}})
	if err != nil || len(d.LaunchTemplates) != 1 || aws.ToString(d.LaunchTemplates[0].LaunchTemplateId) != id {
		t.Fatalf("describe by name filter: %v %+v", err, d)
	}
	if !e.taggedARNs()[e.c.ARN("ec2", "launch-template/"+id)] {
		t.Error("tagging API does not list the template")
	}
	run, err := e.c.EC2.RunInstances(e.ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(2), MaxCount: aws.Int32(2),
		LaunchTemplate: &ec2types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("c42s03-lt"), Version: aws.String("$Latest")}})
	if err != nil || len(run.Instances) != 2 {
		t.Fatalf("run from template: %v", err)
	}
	if x := run.Instances[1]; aws.ToString(x.ImageId) != testAMI || x.InstanceType != ec2types.InstanceTypeT3Micro || len(x.Tags) != 1 || aws.ToInt32(x.AmiLaunchIndex) != 1 {
		t.Errorf("instance from template: %+v", x)
	}
	if _, err := e.c.EC2.DeleteLaunchTemplate(e.ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.EC2.DescribeLaunchTemplates(e.ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{id}}); apiCode(err) != "InvalidLaunchTemplateId.NotFound" {
		t.Errorf("describe deleted: %v", err)
	}
	if _, err := e.c.EC2.DeleteLaunchTemplate(e.ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: aws.String(id)}); apiCode(err) != "InvalidLaunchTemplateId.NotFound" {
		t.Errorf("delete twice: %v", err)
	}
	if _, err := e.c.EC2.DescribeLaunchTemplates(e.ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"c42s03-lt"}}); apiCode(err) != "InvalidLaunchTemplateName.NotFoundException" {
		t.Errorf("describe deleted by name: %v", err)
	}
	if _, err := e.c.EC2.RunInstances(e.ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		LaunchTemplate: &ec2types.LaunchTemplateSpecification{LaunchTemplateId: aws.String(id)}}); apiCode(err) != "InvalidLaunchTemplateId.NotFound" {
		t.Errorf("run from deleted template: %v", err)
	}
}

func TestInstanceErrors(t *testing.T) {
	e := newEnv(t)
	one := aws.Int32(1)
	for _, tc := range []struct {
		name string
		in   *ec2.RunInstancesInput
		code string
	}{
		{"no image", &ec2.RunInstancesInput{MinCount: one, MaxCount: one}, "MissingParameter"},
		{"bad image", &ec2.RunInstancesInput{ImageId: aws.String("img-1"), MinCount: one, MaxCount: one}, "InvalidAMIID.Malformed"},
		{"bad type", &ec2.RunInstancesInput{ImageId: aws.String(testAMI), InstanceType: "huge", MinCount: one, MaxCount: one}, "InvalidParameterValue"},
		{"no subnet", &ec2.RunInstancesInput{ImageId: aws.String(testAMI), SubnetId: aws.String("subnet-0000"), MinCount: one, MaxCount: one}, "InvalidSubnetID.NotFound"},
		{"no group", &ec2.RunInstancesInput{ImageId: aws.String(testAMI), SecurityGroupIds: []string{"sg-0000"}, MinCount: one, MaxCount: one}, "InvalidGroup.NotFound"},
		{"max < min", &ec2.RunInstancesInput{ImageId: aws.String(testAMI), MinCount: aws.Int32(2), MaxCount: one}, "InvalidParameterValue"},
		{"aws: tag", &ec2.RunInstancesInput{ImageId: aws.String(testAMI), MinCount: one, MaxCount: one, TagSpecifications: []ec2types.TagSpecification{
			{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}}}}, "InvalidParameterValue"},
	} {
		if _, err := e.c.EC2.RunInstances(e.ctx, tc.in); apiCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if _, err := e.c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}}); apiCode(err) != "InvalidInstanceID.NotFound" {
		t.Errorf("unknown instance: %v", err)
	}
	if _, err := e.c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"nope"}}); apiCode(err) != "InvalidInstanceID.Malformed" {
		t.Errorf("malformed instance id: %v", err)
	}
	if _, err := e.c.EC2.TerminateInstances(e.ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}}); apiCode(err) != "InvalidInstanceID.NotFound" {
		t.Errorf("terminate unknown: %v", err)
	}
	// Paging: 7 instances, 5 a page.
	if _, err := e.c.EC2.RunInstances(e.ctx, &ec2.RunInstancesInput{ImageId: aws.String(testAMI), MinCount: aws.Int32(7), MaxCount: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	p1, err := e.c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5)})
	if err != nil || len(p1.Reservations) != 1 || len(p1.Reservations[0].Instances) != 5 || p1.NextToken == nil {
		t.Fatalf("page 1: %v %+v", err, p1)
	}
	p2, err := e.c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5), NextToken: p1.NextToken})
	if err != nil || len(p2.Reservations[0].Instances) != 2 || p2.NextToken != nil {
		t.Fatalf("page 2: %v %+v", err, p2)
	}
}
