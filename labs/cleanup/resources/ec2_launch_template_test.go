package resources_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

func TestLaunchTemplateSim(t *testing.T)  { testLaunchTemplate(t, simEnv(t)) }
func TestLaunchTemplateMoto(t *testing.T) { testLaunchTemplate(t, motoEnv(t)) }

// testLaunchTemplate: the lister proves the student's hand-made template by its
// prefix and not the decoys (another class's prefix; a look-alike tagged for
// another class); deletion removes it and leaves the decoys; a second run is harmless.
func testLaunchTemplate(t *testing.T, e *env) {
	mine := e.createTemplate(classID + "s01-lt")
	other := e.createTemplate("c9zzzs01-lt")
	lookalike := e.createTemplate(classID+"s02-lt", "labdash:class", "c9zzz")

	typ, _ := resources.Lookup("AWS::EC2::LaunchTemplate")
	found, err := judge(e.ctx, typ, e.c, resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := func(id string) string { return e.c.ARN("ec2", "launch-template/"+id) }
	ref := findARN(t, found, arn(mine))
	if ref.Proof == "" || ref.Student != "s01" {
		t.Errorf("own template not proven: %+v", ref)
	}
	if f := findARN(t, found, arn(lookalike)); f.Proof != "" || f.Reason == "" {
		t.Errorf("look-alike: %+v, want a reason and no proof", f)
	}
	for _, f := range found {
		if f.ARN == arn(other) {
			t.Errorf("lister claimed another class's template: %+v", f)
		}
	}
	if tags, err := typ.Tags(e.ctx, e.c, findARN(t, found, arn(lookalike)).Ref); err != nil || tags["labdash:class"] != "c9zzz" {
		t.Errorf("look-alike's tags: %v %v", tags, err)
	}
	e.DeleteUntilGone(e.c, ref.Ref, 3)
	if got, ok := resources.ForARN(ref.ARN); !ok || got.Name != "AWS::EC2::LaunchTemplate" {
		t.Errorf("ForARN(template) = %q, %v", got.Name, ok)
	}
	e.Gone(e.c, ref.Ref)
	if _, err := typ.Tags(e.ctx, e.c, ref.Ref); err == nil {
		t.Error("tags of a deleted template: want ErrGone")
	}
	left, err := e.c.EC2.DescribeLaunchTemplates(e.ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{other, lookalike}})
	if err != nil || len(left.LaunchTemplates) != 2 {
		t.Fatalf("decoys: %v, %d left, want 2", err, len(left.LaunchTemplates))
	}
	for _, lt := range left.LaunchTemplates {
		if aws.ToString(lt.LaunchTemplateId) == mine {
			t.Error("own template still described")
		}
	}
}
