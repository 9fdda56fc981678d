package resources

// AWS::ElasticBeanstalk::Environment — Lab 7's X-Ray signup environment (its tags
// spread from the environment to the instances EB launches), or one made by hand
// with the class prefix. TerminateEnvironment (TerminateResources left at its
// default, true, so EB removes its instance, load balancer and awseb-e-* stack);
// the environment is Terminating for a few minutes and Delete answers Waiting
// until DescribeEnvironments says Terminated (the EnvironmentTerminated waiter's
// condition; terminated environments are still described for a while, which is
// why only a Terminated or absent one counts as gone). AWS accepts termination
// only from Ready: a Launching or Updating environment is waited for first.
//
// Hourly: a t3.micro-class instance (0.0104) plus, for a load-balanced
// environment, its load balancer (0.0225). Lab 7's SingleInstance environment has
// no load balancer; the estimate takes the larger case.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:   "AWS::ElasticBeanstalk::Environment",
		Gone:   []NotFound{{Code: "InvalidParameterValue", Message: "No Environment found"}, {Code: "ResourceNotFoundException"}}, // "No Environment found for EnvironmentName = 'x'."; ListTagsForResource
		Hourly: 0.0104 + 0.0225,
		Match:  MatchPrefix("elasticbeanstalk", "environment/"),
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			return ebTags(ctx, c, r.ARN)
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var token *string
			for {
				out, err := c.ElasticBeanstalk.DescribeEnvironments(ctx, &elasticbeanstalk.DescribeEnvironmentsInput{IncludeDeleted: aws.Bool(false), NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, e := range out.Environments {
					name := aws.ToString(e.EnvironmentName)
					if !strings.HasPrefix(name, s.ClassID) || e.Status == ebtypes.EnvironmentStatusTerminated {
						continue
					}
					found = append(found, Candidate{ARN: c.ARN("elasticbeanstalk", "environment/"+aws.ToString(e.ApplicationName)+"/"+name), Name: name})
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Naming: NamePrefix,
		NameOf: func(arn string) string { _, n := ebEnvParts(arn); return n },
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			app, name := ebEnvParts(r.ARN)
			out, err := c.ElasticBeanstalk.DescribeEnvironments(ctx, &elasticbeanstalk.DescribeEnvironmentsInput{
				ApplicationName: aws.String(app), EnvironmentNames: []string{name}, IncludeDeleted: aws.Bool(false)})
			if err != nil {
				return err
			}
			var env *ebtypes.EnvironmentDescription
			for i, e := range out.Environments {
				if aws.ToString(e.EnvironmentName) == name && aws.ToString(e.ApplicationName) == app && e.Status != ebtypes.EnvironmentStatusTerminated {
					env = &out.Environments[i]
				}
			}
			if env == nil {
				return ErrGone
			}
			switch env.Status {
			case ebtypes.EnvironmentStatusTerminating:
				return Waiting("deleting", "%s is Terminating", name)
			case ebtypes.EnvironmentStatusReady:
			default:
				return Waiting("waiting", "%s is %s; AWS terminates only a Ready environment", name, env.Status)
			}
			_, err = c.ElasticBeanstalk.TerminateEnvironment(ctx, &elasticbeanstalk.TerminateEnvironmentInput{EnvironmentName: aws.String(name)})
			if err != nil {
				return err
			}
			return Waiting("deleting", "%s is Terminating", name)
		},
		Targets: func(r Ref) (own, context []string) {
			_, name := ebEnvParts(r.ARN)
			return []string{r.ARN, name}, nil
		},
	})
}

// ebEnvParts splits …:environment/APP/ENV.
func ebEnvParts(arn string) (app, env string) {
	rest := strings.TrimPrefix(Resource(arn), "environment/")
	i := strings.LastIndex(rest, "/")
	if i < 0 {
		return "", rest
	}
	return rest[:i], rest[i+1:]
}

// ebTags reads an application's or environment's tags.
func ebTags(ctx context.Context, c *cloud.Clients, arn string) (map[string]string, error) {
	out, err := c.ElasticBeanstalk.ListTagsForResource(ctx, &elasticbeanstalk.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(out.ResourceTags))
	for _, t := range out.ResourceTags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m, nil
}
