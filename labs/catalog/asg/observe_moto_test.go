package asg

import (
	"context"
	"strings"
	"testing"

	"github.com/labdash/labdash/labs"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/aws/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// TestLabOnMoto runs the provisioning and read paths through aws-sdk-go-v2 against
// moto: the prerequisite stack deploys (its SSM image parameter resolved), the
// script's launch template and mixed-instances group are created, and Observe
// reads them back by name — the template's $Latest version without a name, the
// group by name, its instances by the aws:autoscaling:groupName tag — and reads
// the scaling activities and Spot price history without an error.
func TestLabOnMoto(t *testing.T) {
	awstest.Reset(t)
	ctx := context.Background()
	c, err := awstest.NewProvider(t, awsprovider.Options{}).Clients(ctx, "", awstest.Region)
	if err != nil {
		t.Fatal(err)
	}
	tg := labs.NewTarget("c42", "s07", c.Account, c.Region)
	if _, err := labs.CreatePrereqStack(ctx, c, Lab(), tg); err != nil {
		t.Fatal(err)
	}
	out, err := labs.StackOutputs(ctx, c, stackName(tg))
	if err != nil {
		t.Fatalf("stack outputs: %v", err)
	}
	if out["SecurityGroupId"] == "" || !strings.HasPrefix(out["ImageId"], "ami-") || strings.Count(out["SubnetIds"], ",") != 1 {
		t.Fatalf("stack outputs: %v", out)
	}
	e := &labs.Env{C: c, T: tg, Persona: &labs.Persona{Pace: 1, StuckAfter: -1}, Stack: map[string]string{}, Memo: map[string]string{}}
	if err := createTemplate(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := createGroup(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := Observe(ctx, c, labs.NewCache(), []labs.Target{tg, labs.NewTarget("c42", "s08", "", "")})
	if err != nil {
		t.Fatal(err)
	}
	o := got["s07"].(*Observation)
	if len(o.Problems) > 0 {
		t.Errorf("problems: %v", o.Problems)
	}
	r := map[string]labs.Result{}
	for _, cp := range Lab().Checkpoints {
		r[cp.ID] = cp.Check(o)
	}
	if r["launch-template"].Status != labs.Pass || r["asg-config"].Status != labs.Pass {
		t.Errorf("template %+v, group %+v", r["launch-template"], r["asg-config"])
	}
	if len(o.Instances) != 4 {
		t.Errorf("read %d of the group's instances by tag, want 4", len(o.Instances))
	}
	// moto 5 launches a mixed-instances group's instances all On-Demand (it does
	// not model the distribution or Spot requests), so the mix and the Spot
	// requests are judged on the simulator.
	if other := got["s08"].(*Observation); other.Group != nil || other.Template != nil {
		t.Errorf("s08 (nothing made) got s07's resources")
	}
}
