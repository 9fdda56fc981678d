package resources

// AWS::DynamoDB::Table — Lab 4's slotWheels, Lab 7's signup table and Lab 10's
// MyTestApp table, tagged or named with the class prefix. Deletion protection is
// turned off first (UpdateTable DeletionProtectionEnabled=false); the table is then
// DELETING for a while and Delete answers Waiting until DescribeTable no longer
// finds it. A table that is CREATING or UPDATING cannot be changed: Waiting too.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name: "AWS::DynamoDB::Table",
		Gone: []NotFound{{Code: "ResourceNotFoundException"}},
		Match: func(arn string) bool {
			name, ok := strings.CutPrefix(Resource(arn), "table/")
			return Service(arn) == "dynamodb" && ok && name != "" && !strings.Contains(name, "/")
		},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			return tableTags(ctx, c, r.ARN)
		},
		// Tables are not forced to carry tags; the boundary forces the prefix.
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var start *string
			for {
				out, err := c.DynamoDB.ListTables(ctx, &dynamodb.ListTablesInput{ExclusiveStartTableName: start})
				if err != nil {
					return nil, err
				}
				for _, name := range out.TableNames {
					if strings.HasPrefix(name, s.ClassID) {
						found = append(found, Candidate{ARN: c.ARN("dynamodb", "table/"+name), Name: name})
					}
				}
				if start = out.LastEvaluatedTableName; aws.ToString(start) == "" {
					return found, nil
				}
			}
		},
		Naming: NamePrefix,
		NameOf: tableName,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			name := tableName(r.ARN)
			out, err := c.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
			if err != nil {
				return err
			}
			if out.Table == nil {
				return ErrGone
			}
			switch status := out.Table.TableStatus; status {
			case ddbtypes.TableStatusDeleting:
				return Waiting("deleting", "status DELETING")
			case ddbtypes.TableStatusActive, ddbtypes.TableStatusInaccessibleEncryptionCredentials, ddbtypes.TableStatusArchived, "":
			default:
				return Waiting("waiting", "status %s: a table can be changed once it is ACTIVE", status)
			}
			if aws.ToBool(out.Table.DeletionProtectionEnabled) {
				_, err := c.DynamoDB.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(name), DeletionProtectionEnabled: aws.Bool(false)})
				switch {
				case IsCode(err, "ResourceInUseException"):
					return Waiting("disabling", "%v", err)
				case err != nil:
					return err
				}
			}
			_, err = c.DynamoDB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
			switch {
			case err == nil:
				return Waiting("deleting", "DeleteTable accepted")
			case IsCode(err, "ResourceInUseException"):
				return Waiting("waiting", "%v", err)
			case IsCode(err, "ValidationException") && strings.Contains(strings.ToLower(err.Error()), "protect"):
				return Waiting("disabling", "deletion protection is still on: %v", err)
			}
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, tableName(r.ARN)}, nil },
	})
}

// tableName is NAME in arn:aws:dynamodb:REGION:ACCOUNT:table/NAME.
func tableName(arn string) string { return strings.TrimPrefix(Resource(arn), "table/") }

func tableTags(ctx context.Context, c *cloud.Clients, arn string) (map[string]string, error) {
	tags := map[string]string{}
	var token *string
	for {
		out, err := c.DynamoDB.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(arn), NextToken: token})
		if err != nil {
			return nil, err
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if token = out.NextToken; aws.ToString(token) == "" {
			return tags, nil
		}
	}
}
