package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
)

func TestBeanstalkLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c.ElasticBeanstalk
	tags := []ebtypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String("c42")}}
	app, err := c.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("c42s07-xray"), Tags: tags})
	if err != nil || aws.ToString(app.Application.ApplicationArn) != "arn:aws:elasticbeanstalk:us-east-1:111122223333:application/c42s07-xray" {
		t.Fatalf("CreateApplication: %+v %v", app, err)
	}
	if _, err := c.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("c42s07-xray")}); errCodeOf(err) != "InvalidParameterValue" {
		t.Fatalf("duplicate application: %v", err)
	}
	if _, err := c.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String("nope"), EnvironmentName: aws.String("c42s07-xray"),
		SolutionStackName: aws.String("64bit Amazon Linux 2023 v6.1.0 running Node.js 20")}); errCodeOf(err) != "InvalidParameterValue" {
		t.Fatalf("environment of a missing application: %v", err)
	}
	env, err := c.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String("c42s07-xray"), EnvironmentName: aws.String("c42s07-xray"),
		SolutionStackName: aws.String("64bit Amazon Linux 2023 v6.1.0 running Node.js 20"), Tags: tags,
		OptionSettings: []ebtypes.ConfigurationOptionSetting{{Namespace: aws.String("aws:elasticbeanstalk:environment"), OptionName: aws.String("EnvironmentType"), Value: aws.String("SingleInstance")}}})
	if err != nil {
		t.Fatal(err)
	}
	envArn := "arn:aws:elasticbeanstalk:us-east-1:111122223333:environment/c42s07-xray/c42s07-xray"
	if env.Status != ebtypes.EnvironmentStatusLaunching || env.Health != ebtypes.EnvironmentHealthGrey || aws.ToString(env.EnvironmentArn) != envArn ||
		!strings.HasPrefix(aws.ToString(env.EnvironmentId), "e-") || aws.ToString(env.CNAME) != "c42s07-xray.us-east-1.elasticbeanstalk.com" {
		t.Fatalf("new environment: %+v", env)
	}
	if _, err := c.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String("c42s07-xray"), EnvironmentName: aws.String("c42s07-xray"),
		SolutionStackName: aws.String("x")}); errCodeOf(err) != "InvalidParameterValue" {
		t.Fatalf("duplicate environment name: %v", err)
	}
	describe := func(includeDeleted bool) []ebtypes.EnvironmentDescription {
		t.Helper()
		out, err := c.DescribeEnvironments(ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: []string{"c42s07-xray"}, IncludeDeleted: aws.Bool(includeDeleted)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Environments
	}
	// Terminating is refused while it launches.
	if _, err := c.TerminateEnvironment(ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String("c42s07-xray")}); errCodeOf(err) != "InvalidParameterValue" ||
		!strings.Contains(err.Error(), "Must be Ready") {
		t.Fatalf("terminate while Launching: %v", err)
	}
	e.clock.Advance(6 * time.Minute)
	if d := describe(true); len(d) != 1 || d[0].Status != ebtypes.EnvironmentStatusReady || d[0].Health != ebtypes.EnvironmentHealthGreen {
		t.Fatalf("after 6 min: %+v, want Ready/Green", d)
	}
	tl, err := c.ListTagsForResource(ctx, &eb.ListTagsForResourceInput{ResourceArn: aws.String(envArn)})
	if err != nil || len(tl.ResourceTags) != 3 {
		t.Fatalf("environment tags %+v: %v", tl, err)
	}
	got, _ := e.c.Tagging.GetResources(ctx, &rgt.GetResourcesInput{ResourceTypeFilters: []string{"elasticbeanstalk"}})
	if len(got.ResourceTagMappingList) != 2 {
		t.Fatalf("tagging API: %+v", got.ResourceTagMappingList)
	}
	// An application with a running environment cannot be deleted.
	if _, err := c.DeleteApplication(ctx, &eb.DeleteApplicationInput{ApplicationName: aws.String("c42s07-xray")}); errCodeOf(err) != "InvalidParameterValue" ||
		!strings.Contains(err.Error(), "running environments") {
		t.Fatalf("delete application with a Ready environment: %v", err)
	}
	term, err := c.TerminateEnvironment(ctx, &eb.TerminateEnvironmentInput{EnvironmentId: env.EnvironmentId})
	if err != nil || term.Status != ebtypes.EnvironmentStatusTerminating {
		t.Fatalf("terminate: %+v %v", term, err)
	}
	if _, err := c.TerminateEnvironment(ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String("c42s07-xray")}); errCodeOf(err) != "InvalidParameterValue" {
		t.Fatalf("terminate while Terminating: %v", err)
	}
	if _, err := c.DeleteApplication(ctx, &eb.DeleteApplicationInput{ApplicationName: aws.String("c42s07-xray")}); errCodeOf(err) != "InvalidParameterValue" {
		t.Fatalf("delete application with a Terminating environment: %v", err)
	}
	e.clock.Advance(5 * time.Minute)
	if d := describe(true); len(d) != 1 || d[0].Status != ebtypes.EnvironmentStatusTerminated || d[0].Health != ebtypes.EnvironmentHealthGrey {
		t.Fatalf("after termination: %+v, want Terminated (still described)", d)
	}
	if d := describe(false); len(d) != 0 {
		t.Fatalf("IncludeDeleted=false lists %+v", d)
	}
	if _, err := c.ListTagsForResource(ctx, &eb.ListTagsForResourceInput{ResourceArn: aws.String(envArn)}); errCodeOf(err) != "ResourceNotFoundException" {
		t.Fatalf("tags of a terminated environment: %v", err)
	}
	got, _ = e.c.Tagging.GetResources(ctx, &rgt.GetResourcesInput{ResourceTypeFilters: []string{"elasticbeanstalk:environment"}})
	if len(got.ResourceTagMappingList) != 0 {
		t.Fatalf("terminated environment in the tagging API: %+v", got.ResourceTagMappingList)
	}
	// The name is free again once terminated.
	if _, err := c.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String("c42s07-xray"), EnvironmentName: aws.String("c42s07-xray"),
		SolutionStackName: aws.String("x")}); err != nil {
		t.Fatalf("re-create after termination: %v", err)
	}
	e.clock.Advance(time.Hour)
	if d := describe(true); len(d) != 1 || d[0].Status != ebtypes.EnvironmentStatusReady {
		t.Fatalf("an hour later: %+v, want only the new, Ready one", d)
	}
	// TerminateEnvByForce takes running environments along.
	if _, err := c.DeleteApplication(ctx, &eb.DeleteApplicationInput{ApplicationName: aws.String("c42s07-xray"), TerminateEnvByForce: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if d := describe(true); len(d) != 1 || d[0].Status != ebtypes.EnvironmentStatusTerminating {
		t.Fatalf("after a forced delete: %+v", d)
	}
	apps, _ := c.DescribeApplications(ctx, &eb.DescribeApplicationsInput{ApplicationNames: []string{"c42s07-xray"}})
	if len(apps.Applications) != 0 {
		t.Fatalf("deleted application described: %+v", apps.Applications)
	}
	if _, err := c.DeleteApplication(ctx, &eb.DeleteApplicationInput{ApplicationName: aws.String("c42s07-xray")}); errCodeOf(err) != "InvalidParameterValue" ||
		!strings.Contains(err.Error(), "No Application named") {
		t.Fatalf("delete a missing application: %v", err)
	}
}
