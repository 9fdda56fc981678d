package resources_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

// ebEnvSetup makes the student's environment (SingleInstance, untagged, the class
// prefix), another class's environment and a look-alike tagged for another class,
// each in an application of its own name; it returns their environment ARNs.
func ebEnvSetup(t *testing.T, e *env) (mine, other, lookalike string) {
	t.Helper()
	mk := func(name string, tags ...ebtypes.Tag) string {
		if _, err := e.c.ElasticBeanstalk.CreateApplication(e.ctx, &eb.CreateApplicationInput{ApplicationName: aws.String(name)}); err != nil {
			t.Fatalf("application %s: %v", name, err)
		}
		if _, err := e.c.ElasticBeanstalk.CreateEnvironment(e.ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String(name), EnvironmentName: aws.String(name),
			SolutionStackName: aws.String("64bit Amazon Linux 2023 v6.1.0 running Node.js 20"), Tags: tags,
			OptionSettings: []ebtypes.ConfigurationOptionSetting{{Namespace: aws.String("aws:elasticbeanstalk:environment"), OptionName: aws.String("EnvironmentType"),
				Value: aws.String("SingleInstance")}}}); err != nil {
			t.Fatalf("environment %s: %v", name, err)
		}
		return e.c.ARN("elasticbeanstalk", "environment/"+name+"/"+name)
	}
	return mk(classID + "s01-xray"), mk("c9zzzs01-xray"), mk(classID+"s02-xray", ebtypes.Tag{Key: aws.String("labdash:class"), Value: aws.String("c9zzz")})
}

// ebListEnvs runs the environment lister and checks proof and reason; it returns
// the student's environment.
func ebListEnvs(t *testing.T, e *env, mine, lookalike string) resources.Ref {
	t.Helper()
	typ, _ := resources.Lookup("AWS::ElasticBeanstalk::Environment")
	found, err := judge(e.ctx, typ, e.c, resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}})
	if err != nil {
		t.Fatal(err)
	}
	var ref resources.Ref
	for _, f := range found {
		switch f.ARN {
		case mine:
			if f.Proof == "" || f.Student != "s01" {
				t.Errorf("own environment not proven: %+v", f)
			}
			ref = f.Ref
		case lookalike:
			if f.Proof != "" || f.Reason == "" {
				t.Errorf("look-alike tagged for another class proven owned: %+v", f)
			}
		default:
			t.Errorf("lister found %s, which is not the class's", f.ARN)
		}
	}
	if ref.ARN == "" {
		t.Fatalf("lister did not find %s among %+v", mine, found)
	}
	if got, ok := resources.ForARN(mine); !ok || got.Name != "AWS::ElasticBeanstalk::Environment" {
		t.Fatalf("ForARN(%s) = %q, %v", mine, got.Name, ok)
	}
	return ref
}

// The simulator models the whole life: Launching → Ready → Terminating → Terminated.
func TestBeanstalkEnvironmentSim(t *testing.T) {
	e := simEnv(t)
	mine, other, lookalike := ebEnvSetup(t, e)
	ref := ebListEnvs(t, e, mine, lookalike)
	typ, _ := resources.Lookup("AWS::ElasticBeanstalk::Environment")
	if tags, err := typ.Tags(e.ctx, e.c, ref); err != nil || tags["elasticbeanstalk:environment-name"] != classID+"s01-xray" {
		t.Fatalf("Tags: %v %v", tags, err)
	}
	// While it launches, Delete waits (AWS terminates only a Ready environment).
	if err := typ.Delete(e.ctx, cloud.Intercept(e.c, resources.Guard([]resources.Ref{ref}, nil)), ref); !errors.Is(err, resources.ErrWaiting) {
		t.Fatalf("delete while Launching: %v, want Waiting", err)
	}
	n := e.DeleteUntilGone(e.c, ref, 100)
	if n < 10 {
		t.Errorf("gone after %d attempts: termination should take minutes", n)
	}
	e.Gone(e.c, ref)
	out, err := e.c.ElasticBeanstalk.DescribeEnvironments(e.ctx, &eb.DescribeEnvironmentsInput{})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]ebtypes.EnvironmentStatus{}
	for _, d := range out.Environments {
		status[aws.ToString(d.EnvironmentArn)] = d.Status
	}
	if status[mine] != ebtypes.EnvironmentStatusTerminated || status[other] != ebtypes.EnvironmentStatusReady || status[lookalike] != ebtypes.EnvironmentStatusReady {
		t.Fatalf("after cleanup: %v; want the student's Terminated (still described) and the decoys Ready", status)
	}
	if _, err := typ.Tags(e.ctx, e.c, ref); !errors.Is(err, resources.ErrGone) {
		t.Fatalf("Tags of the terminated environment: %v, want ErrGone", err)
	}
}

// moto has no TerminateEnvironment (and no environment states: everything is
// Ready), so on moto only the lister is tested.
func TestBeanstalkEnvironmentMoto(t *testing.T) {
	e := motoEnv(t)
	mine, _, lookalike := ebEnvSetup(t, e)
	ebListEnvs(t, e, mine, lookalike)
}
