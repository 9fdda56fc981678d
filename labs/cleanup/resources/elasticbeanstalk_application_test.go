package resources_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

// noForce fails the test if DeleteApplication is ever sent with TerminateEnvByForce.
func noForce(t *testing.T, c *cloud.Clients) *cloud.Clients {
	return cloud.Intercept(c, func(ctx context.Context, call cloud.Call) error {
		if in, ok := call.Input.(*eb.DeleteApplicationInput); ok && aws.ToBool(in.TerminateEnvByForce) {
			t.Errorf("DeleteApplication with TerminateEnvByForce")
		}
		return nil
	})
}

// The simulator: an application with a running environment is not deleted (an
// error for the instructor, no TerminateEnvByForce); once the environment is
// terminated (its own item), the application goes; the decoys stay.
func TestBeanstalkApplicationSim(t *testing.T) {
	e := simEnv(t)
	mine, _, lookalike := ebEnvSetup(t, e)
	if _, err := e.c.ElasticBeanstalk.CreateApplication(e.ctx, &eb.CreateApplicationInput{ApplicationName: aws.String(classID + "s02-tagged"),
		Tags: []ebtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c9zzz")}}}); err != nil {
		t.Fatal(err)
	}
	typ, _ := resources.Lookup("AWS::ElasticBeanstalk::Application")
	found, err := judge(e.ctx, typ, e.c, resources.Scope{ClassID: classID, Students: []string{"s01", "s02"}})
	if err != nil {
		t.Fatal(err)
	}
	appARN := func(name string) string { return e.c.ARN("elasticbeanstalk", "application/"+name) }
	var ref resources.Ref
	for _, f := range found {
		switch f.ARN {
		case appARN(classID + "s01-xray"):
			if f.Proof == "" || f.Student != "s01" {
				t.Errorf("own application not proven: %+v", f)
			}
			ref = f.Ref
		case appARN(classID + "s02-xray"):
			if f.Proof == "" {
				t.Errorf("the s02 application (untagged, class prefix) not proven: %+v", f)
			}
		case appARN(classID + "s02-tagged"):
			if f.Proof != "" || f.Reason == "" {
				t.Errorf("look-alike tagged for another class proven owned: %+v", f)
			}
		default:
			t.Errorf("lister found %s, which is not the class's", f.ARN)
		}
	}
	if ref.ARN == "" {
		t.Fatalf("lister did not find the application among %+v", found)
	}
	envType, _ := resources.Lookup("AWS::ElasticBeanstalk::Environment")
	if typ.Rank() <= envType.Rank() {
		t.Errorf("application rank %d is not after environment rank %d", typ.Rank(), envType.Rank())
	}
	c := noForce(t, e.c)
	err = typ.Delete(e.ctx, cloud.Intercept(c, resources.Guard([]resources.Ref{ref}, nil)), ref)
	if err == nil || errors.Is(err, resources.ErrGone) || errors.Is(err, resources.ErrWaiting) {
		t.Fatalf("delete with a running environment: %v, want an error", err)
	}
	env := resources.Ref{ARN: mine, Type: "AWS::ElasticBeanstalk::Environment", Region: e.c.Region, Account: e.c.Account, Student: "s01"}
	e.DeleteUntilGone(e.c, env, 100)
	e.DeleteUntilGone(c, ref, 3)
	e.Gone(c, ref)
	apps, err := e.c.ElasticBeanstalk.DescribeApplications(e.ctx, &eb.DescribeApplicationsInput{})
	if err != nil {
		t.Fatal(err)
	}
	left := map[string]bool{}
	for _, a := range apps.Applications {
		left[aws.ToString(a.ApplicationName)] = true
	}
	if left[classID+"s01-xray"] || !left["c9zzzs01-xray"] || !left[classID+"s02-xray"] || !left[classID+"s02-tagged"] {
		t.Fatalf("applications left: %v", left)
	}
	envs, _ := e.c.ElasticBeanstalk.DescribeEnvironments(e.ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: []string{classID + "s02-xray"}})
	if len(envs.Environments) != 1 || envs.Environments[0].Status != ebtypes.EnvironmentStatusReady || aws.ToString(envs.Environments[0].EnvironmentArn) != lookalike {
		t.Fatalf("look-alike environment: %+v", envs.Environments)
	}
}

// moto: DescribeApplications ignores ApplicationNames and applications carry no
// tags (ListTagsForResource answers ResourceNotFoundException for them), so the
// lister cannot prove anything there; Delete (which filters by name itself) is tested.
func TestBeanstalkApplicationMoto(t *testing.T) {
	e := motoEnv(t)
	for _, n := range []string{classID + "s01-xray", "c9zzzs01-xray"} {
		if _, err := e.c.ElasticBeanstalk.CreateApplication(e.ctx, &eb.CreateApplicationInput{ApplicationName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	ref := resources.Ref{ARN: e.c.ARN("elasticbeanstalk", "application/"+classID+"s01-xray"), Type: "AWS::ElasticBeanstalk::Application",
		Region: e.c.Region, Account: e.c.Account, Student: "s01"}
	c := noForce(t, e.c)
	e.DeleteUntilGone(c, ref, 3)
	e.Gone(c, ref)
	apps, err := e.c.ElasticBeanstalk.DescribeApplications(e.ctx, &eb.DescribeApplicationsInput{})
	if err != nil || len(apps.Applications) != 1 || aws.ToString(apps.Applications[0].ApplicationName) != "c9zzzs01-xray" {
		t.Fatalf("applications left: %+v %v", apps, err)
	}
}
