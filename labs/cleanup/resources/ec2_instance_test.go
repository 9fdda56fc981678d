package resources_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/cleanup/resources"
)

// testAMI exists in moto's catalogue; the simulator accepts any well-formed id.
const testAMI = "ami-760aaa0f"

// ec2TagList builds EC2 tags from key, value pairs.
func ec2TagList(kv ...string) []ec2types.Tag {
	var out []ec2types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, ec2types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// runInstance launches one t3.micro with instance tags (kv pairs) and returns its id.
func (e *env) runInstance(in *ec2.RunInstancesInput, kv ...string) string {
	e.t.Helper()
	in.ImageId, in.InstanceType, in.MinCount, in.MaxCount = aws.String(testAMI), ec2types.InstanceTypeT3Micro, aws.Int32(1), aws.Int32(1)
	if len(kv) > 0 {
		in.TagSpecifications = append(in.TagSpecifications, ec2types.TagSpecification{ResourceType: ec2types.ResourceTypeInstance, Tags: ec2TagList(kv...)})
	}
	out, err := e.c.EC2.RunInstances(e.ctx, in)
	if err != nil || len(out.Instances) != 1 {
		e.t.Fatalf("run instance: %v", err)
	}
	return aws.ToString(out.Instances[0].InstanceId)
}

// instanceStates returns each instance's state (absent: no longer described).
func (e *env) instanceStates(ids ...string) map[string]ec2types.InstanceStateName {
	e.t.Helper()
	out, err := e.c.EC2.DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: ids}}})
	if err != nil {
		e.t.Fatal(err)
	}
	m := map[string]ec2types.InstanceStateName{}
	for _, r := range out.Reservations {
		for _, x := range r.Instances {
			m[aws.ToString(x.InstanceId)] = x.State.Name
		}
	}
	return m
}

// findARN returns the Found for arn, failing when the lister did not report it.
func findARN(t *testing.T, found []cleanup.Item, arn string) cleanup.Item {
	t.Helper()
	for _, f := range found {
		if f.ARN == arn {
			return f
		}
	}
	t.Fatalf("lister did not report %s among %+v", arn, found)
	return cleanup.Item{}
}

func TestInstanceSim(t *testing.T)  { testInstance(t, simEnv(t)) }
func TestInstanceMoto(t *testing.T) { testInstance(t, motoEnv(t)) }

// testInstance: the lister proves the student's instances (class tag, Name
// prefix) and not the decoys (another class's prefix; a look-alike tagged for
// another class); deletion terminates and waits until terminated, which frees its
// security group; the decoys keep running; a second run is harmless.
func testInstance(t *testing.T, e *env) {
	vpcs, err := e.c.EC2.DescribeVpcs(e.ctx, &ec2.DescribeVpcsInput{})
	if err != nil || len(vpcs.Vpcs) == 0 {
		t.Fatalf("no VPC: %v", err)
	}
	sg, err := e.c.EC2.CreateSecurityGroup(e.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(classID + "s01-web"), Description: aws.String("web"), VpcId: vpcs.Vpcs[0].VpcId})
	if err != nil {
		t.Fatal(err)
	}
	mine := e.runInstance(&ec2.RunInstancesInput{SecurityGroupIds: []string{aws.ToString(sg.GroupId)}},
		"labdash:class", classID, "labdash:student", "s01")
	named := e.runInstance(&ec2.RunInstancesInput{}, "Name", classID+"s02-devbox")
	other := e.runInstance(&ec2.RunInstancesInput{}, "Name", "c9zzzs01-web")
	lookalike := e.runInstance(&ec2.RunInstancesInput{}, "Name", classID+"s02-web", "labdash:class", "c9zzz")
	e.wait(31 * time.Second)

	typ, _ := resources.Lookup("AWS::EC2::Instance")
	if got, ok := resources.ForARN(e.c.ARN("ec2", "instance/"+mine)); !ok || got.Name != "AWS::EC2::Instance" {
		t.Errorf("ForARN(instance) = %q, %v", got.Name, ok)
	}
	found, err := judge(e.ctx, typ, e.c, resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := func(id string) string { return e.c.ARN("ec2", "instance/"+id) }
	ref := findARN(t, found, arn(mine))
	if ref.Proof == "" || ref.Student != "s01" {
		t.Errorf("tagged instance not proven: %+v", ref)
	}
	if f := findARN(t, found, arn(named)); f.Proof == "" || f.Student != "s02" {
		t.Errorf("named instance not proven: %+v", f)
	}
	if f := findARN(t, found, arn(lookalike)); f.Proof != "" || f.Reason == "" {
		t.Errorf("look-alike tagged for another class: %+v, want a reason and no proof", f)
	}
	for _, f := range found {
		if f.ARN == arn(other) {
			t.Errorf("lister claimed another class's instance: %+v", f)
		}
	}
	if tags, err := typ.Tags(e.ctx, e.c, ref.Ref); err != nil || tags["labdash:class"] != classID {
		t.Errorf("tags: %v %v", tags, err)
	}
	n := e.DeleteUntilGone(e.c, ref.Ref, 12)
	if e.world != nil && n < 3 {
		t.Errorf("deleted in %d attempts: it should wait while the instance shuts down", n)
	}
	e.Gone(e.c, ref.Ref)
	if _, err := typ.Tags(e.ctx, e.c, ref.Ref); err == nil {
		t.Error("tags of a terminated instance: want ErrGone")
	}
	// Terminated means its security group is free at once.
	if _, err := e.c.EC2.DeleteSecurityGroup(e.ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId}); err != nil {
		t.Errorf("security group after its instance was deleted: %v", err)
	}
	st := e.instanceStates(mine, named, other, lookalike)
	if st[mine] != ec2types.InstanceStateNameTerminated {
		t.Errorf("own instance is %s", st[mine])
	}
	for _, id := range []string{named, other, lookalike} {
		if st[id] != ec2types.InstanceStateNameRunning {
			t.Errorf("decoy %s is %q, want running", id, st[id])
		}
	}
}
