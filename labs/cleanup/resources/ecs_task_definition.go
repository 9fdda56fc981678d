package resources

// AWS::ECS::TaskDefinition — one revision: deregistered (INACTIVE), then deleted
// (DeleteTaskDefinitions, DELETE_IN_PROGRESS) so nothing of it is left to list.
// Students register revisions by hand, often untagged: the lister puts forward
// every revision, active or inactive, of every family that starts with the class
// id; the name rule owns those whose family starts with a student's prefix.

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  "AWS::ECS::TaskDefinition",
		Gone:  taskDefGone,
		After: []string{"AWS::ECS::Service"},
		Match: MatchPrefix("ecs", "task-definition/"),
		// ListTaskDefinitions' familyPrefix matches a whole family name, so the
		// families come first (ListTaskDefinitionFamilies takes a real prefix, the
		// class id), then every revision of each, active or inactive.
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var families []string
			var token *string
			for {
				out, err := c.ECS.ListTaskDefinitionFamilies(ctx, &ecs.ListTaskDefinitionFamiliesInput{FamilyPrefix: aws.String(s.ClassID),
					Status: ecstypes.TaskDefinitionFamilyStatusAll, NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, f := range out.Families {
					if strings.HasPrefix(f, s.ClassID) {
						families = append(families, f)
					}
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					break
				}
			}
			var found []Candidate
			seen := map[string]bool{}
			for _, family := range families {
				for _, status := range []ecstypes.TaskDefinitionStatus{ecstypes.TaskDefinitionStatusActive, ecstypes.TaskDefinitionStatusInactive} {
					var token *string
					for {
						out, err := c.ECS.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: status, NextToken: token})
						if err != nil {
							return nil, err
						}
						for _, arn := range out.TaskDefinitionArns {
							if f := taskFamily(arn); f == family && !seen[arn] {
								seen[arn] = true
								found = append(found, Candidate{ARN: arn, Name: f})
							}
						}
						if token = out.NextToken; aws.ToString(token) == "" {
							break
						}
					}
				}
			}
			return found, nil
		},
		Naming: NamePrefix,
		NameOf: taskFamily,
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(r.ARN), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags}})
			if err != nil {
				return nil, err
			}
			if out.TaskDefinition.Status == ecstypes.TaskDefinitionStatusDeleteInProgress {
				return nil, ErrGone
			}
			return ecsTags(out.Tags), nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			out, err := c.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(r.ARN)})
			if err != nil {
				return err
			}
			switch out.TaskDefinition.Status {
			case ecstypes.TaskDefinitionStatusDeleteInProgress:
				return ErrGone
			case ecstypes.TaskDefinitionStatusActive:
				if _, err := c.ECS.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(r.ARN)}); err != nil {
					return err
				}
			}
			del, err := c.ECS.DeleteTaskDefinitions(ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{r.ARN}})
			if err != nil {
				// Deregistered is what matters for cost; an endpoint without
				// DeleteTaskDefinitions leaves an INACTIVE revision, which is free.
				if IsCode(err, "InvalidAction", "UnknownOperationException", "UnsupportedOperation") {
					return fmt.Errorf("%w: deregistered; this endpoint cannot delete task definitions", ErrGone)
				}
				return err
			}
			if len(del.Failures) > 0 {
				f := del.Failures[0]
				return &Failure{ARN: aws.ToString(f.Arn), Reason: aws.ToString(f.Reason), Detail: aws.ToString(f.Detail)}
			}
			return nil
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN}, nil },
	})
}

// taskFamily is FAMILY in …:task-definition/FAMILY:REVISION.
func taskFamily(arn string) string {
	f, _, _ := strings.Cut(Last(arn, "task-definition/"), ":")
	return f
}

// taskDefGone is how ECS says a revision does not exist. ECS has no not-found code
// for task definitions: it answers ClientException, and only the message tells
// (DescribeTaskDefinition: "Unable to describe task definition."; Deregister:
// "The specified task definition does not exist."). DeleteTaskDefinitions lists
// such a revision as a failure ("The specified task definition does not exist.
// Specify a valid account, family, revision and try again."; the simulator's
// reason is TASK_DEFINITION_NOT_FOUND). A revision whose deletion finished is no
// longer described at all, so a resumed cleanup meets exactly these answers.
var taskDefGone = []NotFound{
	{Code: "ClientException", Message: "Unable to describe task definition"},
	{Code: "ClientException", Message: "The specified task definition does not exist"},
	{Code: "Failure", Message: "The specified task definition does not exist"},
	{Code: "Failure", Message: "TASK_DEFINITION_NOT_FOUND"},
}
