package resources_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/cleanup/resources"
)

// createTemplate makes a launch template (template tags as kv pairs) and returns its id.
func (e *env) createTemplate(name string, kv ...string) string {
	e.t.Helper()
	in := &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(name),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(testAMI), InstanceType: ec2types.InstanceTypeT3Micro}}
	if len(kv) > 0 {
		in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeLaunchTemplate, Tags: ec2TagList(kv...)}}
	}
	out, err := e.c.EC2.CreateLaunchTemplate(e.ctx, in)
	if err != nil {
		e.t.Fatalf("create template %s: %v", name, err)
	}
	return aws.ToString(out.LaunchTemplate.LaunchTemplateId)
}

// createGroup makes a group of size n from template lt, tags propagated at launch.
func (e *env) createGroup(name, lt string, n int32, kv ...string) {
	e.t.Helper()
	subnets, err := e.c.EC2.DescribeSubnets(e.ctx, &ec2.DescribeSubnetsInput{})
	if err != nil || len(subnets.Subnets) == 0 {
		e.t.Fatalf("subnets: %v", err)
	}
	var ids []string
	for _, s := range subnets.Subnets[:min(2, len(subnets.Subnets))] {
		ids = append(ids, aws.ToString(s.SubnetId))
	}
	var tags []astypes.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, astypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1]), PropagateAtLaunch: aws.Bool(true),
			ResourceId: aws.String(name), ResourceType: aws.String("auto-scaling-group")})
	}
	if _, err := e.c.ASG.CreateAutoScalingGroup(e.ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String(name),
		MinSize: aws.Int32(n), MaxSize: aws.Int32(n), DesiredCapacity: aws.Int32(n), VPCZoneIdentifier: aws.String(strings.Join(ids, ",")),
		LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(lt), Version: aws.String("$Latest")}, Tags: tags}); err != nil {
		e.t.Fatalf("create group %s: %v", name, err)
	}
}

// groupInstances returns a group's instance ids, and false when it no longer describes.
func (e *env) groupInstances(name string) ([]string, bool) {
	e.t.Helper()
	out, err := e.c.ASG.DescribeAutoScalingGroups(e.ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(out.AutoScalingGroups) == 0 {
		return nil, false
	}
	var ids []string
	for _, x := range out.AutoScalingGroups[0].Instances {
		ids = append(ids, aws.ToString(x.InstanceId))
	}
	return ids, true
}

func TestAutoScalingGroupSim(t *testing.T)  { testAutoScalingGroup(t, simEnv(t)) }
func TestAutoScalingGroupMoto(t *testing.T) { testAutoScalingGroup(t, motoEnv(t)) }

// testAutoScalingGroup: the lister proves the student's group (class tag) and a
// hand-made one (name prefix) but not the decoys; deletion force-deletes it and
// waits until it no longer describes, its instances terminated; then its launch
// template goes; the decoys keep their instances; a second run is harmless.
func testAutoScalingGroup(t *testing.T, e *env) {
	lt := e.createTemplate(classID + "s01-lt")
	decoyLT := e.createTemplate("c9zzzs01-lt")
	mine := classID + "s01-asg"
	e.createGroup(mine, lt, 2, "labdash:class", classID, "labdash:student", "s01")
	e.createGroup(classID+"s02-asg", decoyLT, 1)
	e.createGroup("c9zzzs01-asg", decoyLT, 1)
	e.createGroup(classID+"s03-asg", decoyLT, 1, "labdash:class", "c9zzz")
	e.wait(31 * time.Second)
	mineInstances, _ := e.groupInstances(mine)
	if len(mineInstances) != 2 {
		t.Fatalf("own group has %d instances, want 2", len(mineInstances))
	}

	typ, _ := resources.Lookup("AWS::AutoScaling::AutoScalingGroup")
	scope := resources.Scope{ClassID: classID, Students: []string{"s01", "s02", "s03"}, Owned: map[string]resources.Ref{}}
	found, err := judge(e.ctx, typ, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]cleanup.Item{}
	for _, f := range found {
		byName[f.ARN[strings.LastIndex(f.ARN, "/")+1:]] = f
	}
	ref := byName[mine]
	if ref.Proof == "" || ref.Student != "s01" || !strings.Contains(ref.ARN, ":autoScalingGroup:") {
		t.Fatalf("own group not proven: %+v (found %+v)", ref, found)
	}
	if f := byName[classID+"s02-asg"]; f.Proof == "" || f.Student != "s02" {
		t.Errorf("hand-made group not proven by its name: %+v", f)
	}
	if f := byName[classID+"s03-asg"]; f.Proof != "" || f.Reason == "" {
		t.Errorf("look-alike tagged for another class: %+v, want a reason and no proof", f)
	}
	if _, ok := byName["c9zzzs01-asg"]; ok {
		t.Error("lister claimed another class's group")
	}
	if tags, err := typ.Tags(e.ctx, e.c, ref.Ref); err != nil || tags["labdash:student"] != "s01" {
		t.Errorf("tags: %v %v", tags, err)
	}
	if got, ok := resources.ForARN(ref.ARN); !ok || got.Name != "AWS::AutoScaling::AutoScalingGroup" {
		t.Errorf("ForARN(group) = %q, %v", got.Name, ok)
	}
	// Its instances are proven through the group, tags or not.
	scope.Owned[ref.ARN] = ref.Ref
	ityp, _ := resources.Lookup("AWS::EC2::Instance")
	ifound, err := judge(e.ctx, ityp, e.c, scope)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range mineInstances {
		if f := findARN(t, ifound, e.c.ARN("ec2", "instance/"+id)); f.Proof == "" || f.Student != "s01" {
			t.Errorf("group instance not proven: %+v", f)
		}
	}

	n := e.DeleteUntilGone(e.c, ref.Ref, 30)
	if e.world != nil && n < 3 {
		t.Errorf("deleted in %d attempts: it should wait while the group is deleted", n)
	}
	e.Gone(e.c, ref.Ref)
	if _, ok := e.groupInstances(mine); ok {
		t.Fatal("own group still describes")
	}
	for id, st := range e.instanceStates(mineInstances...) {
		if st != ec2types.InstanceStateNameTerminated && st != ec2types.InstanceStateNameShuttingDown {
			t.Errorf("own group's instance %s is %s after the group's deletion", id, st)
		}
	}
	// Then its launch template (After the group).
	lref := resources.Ref{ARN: e.c.ARN("ec2", "launch-template/"+lt), Type: "AWS::EC2::LaunchTemplate", Region: e.c.Region, Account: e.c.Account, Student: "s01"}
	e.DeleteUntilGone(e.c, lref, 3)
	e.Gone(e.c, lref)
	// The decoys are untouched.
	for _, name := range []string{classID + "s02-asg", "c9zzzs01-asg", classID + "s03-asg"} {
		ids, ok := e.groupInstances(name)
		if !ok || len(ids) != 1 {
			t.Errorf("decoy group %s: exists %v with %d instances", name, ok, len(ids))
			continue
		}
		if st := e.instanceStates(ids...)[ids[0]]; st != ec2types.InstanceStateNameRunning {
			t.Errorf("decoy group %s's instance is %s", name, st)
		}
	}
	if _, err := e.c.EC2.DescribeLaunchTemplates(e.ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{decoyLT}}); err != nil {
		t.Errorf("decoy template: %v", err)
	}
}
