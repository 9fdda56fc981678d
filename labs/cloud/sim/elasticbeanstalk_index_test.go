package sim

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
)

// TestBeanstalkHealthByName checks DescribeEnvironmentHealth's name index
// against what a scan gives: a near-miss name does not exist, a terminated
// environment does not answer, one re-created under the same name does (the new
// id), also after the terminated one is compacted away an hour later, and an
// environment created after that compaction is found.
func TestBeanstalkHealthByName(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c.ElasticBeanstalk
	if _, err := c.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	create := func(name string) string {
		t.Helper()
		out, err := c.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String("app"), EnvironmentName: aws.String(name), SolutionStackName: aws.String("x")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.EnvironmentId)
	}
	health := func(name string) (string, string) {
		t.Helper()
		out, err := c.DescribeEnvironmentHealth(ctx, &eb.DescribeEnvironmentHealthInput{EnvironmentName: aws.String(name)})
		if err != nil {
			return "", errCodeOf(err)
		}
		return aws.ToString(out.EnvironmentName), ""
	}
	idOf := func(name string) string {
		t.Helper()
		out, err := c.DescribeEnvironments(ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: []string{name}, IncludeDeleted: aws.Bool(false)})
		if err != nil || len(out.Environments) != 1 {
			t.Fatalf("describe %s: %v %+v", name, err, out)
		}
		return aws.ToString(out.Environments[0].EnvironmentId)
	}
	first := create("env-a")
	create("env-ab")
	e.clock.Advance(6 * time.Minute)
	if n, code := health("env-a"); n != "env-a" || code != "" {
		t.Fatalf("env-a: %q %s", n, code)
	}
	if _, code := health("env-"); code != "InvalidRequestException" {
		t.Fatalf("near-miss name env-: %s, want InvalidRequestException", code)
	}
	if _, err := c.TerminateEnvironment(ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String("env-a")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Minute)
	if _, code := health("env-a"); code != "InvalidRequestException" {
		t.Fatalf("terminated env-a: %s, want InvalidRequestException", code)
	}
	second := create("env-a")
	if second == first || idOf("env-a") != second {
		t.Fatalf("re-created env-a: id %s (first %s), described %s", second, first, idOf("env-a"))
	}
	if n, code := health("env-a"); n != "env-a" || code != "" {
		t.Fatalf("re-created env-a: %q %s", n, code)
	}
	e.clock.Advance(time.Hour) // the terminated env-a is compacted away
	create("env-b")
	e.clock.Advance(6 * time.Minute)
	for _, name := range []string{"env-a", "env-ab", "env-b"} {
		if n, code := health(name); n != name || code != "" {
			t.Errorf("after compaction, %s: %q %s", name, n, code)
		}
	}
}
