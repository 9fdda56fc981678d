package resources_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
)

func TestXRayGroupSim(t *testing.T) { testXRayGroup(t, simEnv(t)) }

// testXRayGroup: the lister finds the student's group by its <class><student> name
// and not the decoys (another class's group, a look-alike tagged for another class);
// deletion removes it, leaves the decoys, and a second run is harmless.
func testXRayGroup(t *testing.T, e *env) {
	mk := func(name string, tags ...xraytypes.Tag) string {
		out, err := e.c.XRay.CreateGroup(e.ctx, &xray.CreateGroupInput{GroupName: aws.String(name), FilterExpression: aws.String(`service("x")`), Tags: tags})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return aws.ToString(out.Group.GroupARN)
	}
	mine := mk(classID+"s01", xraytypes.Tag{Key: aws.String("labdash:class"), Value: aws.String(classID)})
	other := mk("c9zzzs01")
	lookalike := mk(classID+"s02", xraytypes.Tag{Key: aws.String("labdash:class"), Value: aws.String("c9zzz")})

	typ, ok := resources.Lookup("AWS::XRay::Group")
	if !ok || !typ.Match(mine) || typ.Match("arn:aws:xray:us-east-1:111122223333:sampling-rule/x") {
		t.Fatal("type not registered or Match wrong")
	}
	tags, err := typ.Tags(e.ctx, e.c, resources.Ref{ARN: mine})
	if err != nil || tags["labdash:class"] != classID {
		t.Fatalf("Tags: %v %v", tags, err)
	}
	found, err := judge(e.ctx, typ, e.c, resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}})
	if err != nil {
		t.Fatal(err)
	}
	var ref resources.Ref
	for _, f := range found {
		switch f.ARN {
		case mine:
			if f.Proof == "" || f.Student != "s01" {
				t.Errorf("own group not proven: %+v", f)
			}
			ref = f.Ref
		case lookalike:
			if f.Proof != "" {
				t.Errorf("look-alike proven owned: %+v", f)
			}
		default:
			t.Errorf("lister found %s, which is not the class's", f.ARN)
		}
	}
	if ref.ARN == "" {
		t.Fatalf("lister did not find %s", mine)
	}
	own, _ := typ.Targets(ref)
	if len(own) != 2 || own[1] != classID+"s01" {
		t.Fatalf("targets %v", own)
	}
	e.DeleteUntilGone(e.c, ref, 3)
	e.Gone(e.c, ref)
	for _, arn := range []string{other, lookalike} {
		if _, err := e.c.XRay.GetGroup(e.ctx, &xray.GetGroupInput{GroupARN: aws.String(arn)}); err != nil {
			t.Errorf("decoy %s: %v", arn, err)
		}
	}
	if err := typ.Delete(e.ctx, e.c, ref); err == nil || !strings.Contains(err.Error(), "gone") {
		t.Fatalf("second delete: %v", err)
	}
}
