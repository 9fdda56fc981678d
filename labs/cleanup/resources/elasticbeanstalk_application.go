package resources

// AWS::ElasticBeanstalk::Application — Lab 7's application. Deleted after its
// environments, which are plan items of their own (AWS::ElasticBeanstalk::Environment):
// DeleteApplication is never sent with TerminateEnvByForce, which would terminate
// environments the plan has not vouched for. While an environment of the
// application is still Terminating, Delete waits; one that is running (not in this
// cleanup, or made since the plan) is an error for the instructor: AWS would refuse
// anyway ("Unable to delete application … because it has running environments").

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  "AWS::ElasticBeanstalk::Application",
		Gone:  []NotFound{{Code: "InvalidParameterValue", Message: "No Application named"}, {Code: "ResourceNotFoundException"}}, // "No Application named 'x' found."; ListTagsForResource
		After: []string{"AWS::ElasticBeanstalk::Environment"},
		Match: MatchPrefix("elasticbeanstalk", "application/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			return ebTags(ctx, c, r.ARN)
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			out, err := c.ElasticBeanstalk.DescribeApplications(ctx, &elasticbeanstalk.DescribeApplicationsInput{})
			if err != nil {
				return nil, err
			}
			var found []Candidate
			for _, a := range out.Applications {
				if name := aws.ToString(a.ApplicationName); strings.HasPrefix(name, s.ClassID) {
					found = append(found, Candidate{ARN: c.ARN("elasticbeanstalk", "application/"+name), Name: name})
				}
			}
			return found, nil
		},
		Naming: NamePrefix,
		NameOf: ebAppName,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			name := ebAppName(r.ARN)
			apps, err := c.ElasticBeanstalk.DescribeApplications(ctx, &elasticbeanstalk.DescribeApplicationsInput{ApplicationNames: []string{name}})
			if err != nil {
				return err
			}
			exists := false
			for _, a := range apps.Applications { // filter again: moto ignores ApplicationNames
				exists = exists || aws.ToString(a.ApplicationName) == name
			}
			if !exists {
				return ErrGone
			}
			envs, err := c.ElasticBeanstalk.DescribeEnvironments(ctx, &elasticbeanstalk.DescribeEnvironmentsInput{ApplicationName: aws.String(name), IncludeDeleted: aws.Bool(false)})
			if err != nil {
				return err
			}
			var terminating, running []string
			for _, e := range envs.Environments {
				switch {
				case aws.ToString(e.ApplicationName) != name || e.Status == ebtypes.EnvironmentStatusTerminated:
				case e.Status == ebtypes.EnvironmentStatusTerminating:
					terminating = append(terminating, aws.ToString(e.EnvironmentName))
				default:
					running = append(running, aws.ToString(e.EnvironmentName)+" ("+string(e.Status)+")")
				}
			}
			if len(running) > 0 {
				return fmt.Errorf("application %s still has running environments %s: they are deleted as their own items, never with TerminateEnvByForce", name, strings.Join(running, ", "))
			}
			if len(terminating) > 0 {
				return Waiting("waiting", "environments %s are Terminating", strings.Join(terminating, ", "))
			}
			_, err = c.ElasticBeanstalk.DeleteApplication(ctx, &elasticbeanstalk.DeleteApplicationInput{ApplicationName: aws.String(name)})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, ebAppName(r.ARN)}, nil },
	})
}

// ebAppName is APP in …:application/APP.
func ebAppName(arn string) string { return strings.TrimPrefix(Resource(arn), "application/") }
