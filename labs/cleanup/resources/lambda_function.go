package resources

// AWS::Lambda::Function — Lab 1's labelling function and Lab 4's slotPull,
// tagged or named with the class prefix. DeleteFunction removes the function and
// every version at once. Its log group (/aws/lambda/NAME) is AWS::Logs::LogGroup's.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name: "AWS::Lambda::Function",
		Gone: []NotFound{{Code: "ResourceNotFoundException"}},
		Match: func(arn string) bool {
			name, ok := strings.CutPrefix(Resource(arn), "function:")
			return Service(arn) == "lambda" && ok && name != "" && !strings.Contains(name, ":")
		},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			return lambdaTags(ctx, c, r.ARN)
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			// Functions are not forced to carry tags; the boundary forces the prefix.
			var found []Candidate
			var marker *string
			for {
				out, err := c.Lambda.ListFunctions(ctx, &lambda.ListFunctionsInput{Marker: marker})
				if err != nil {
					return nil, err
				}
				for _, fn := range out.Functions {
					if name := aws.ToString(fn.FunctionName); strings.HasPrefix(name, s.ClassID) {
						found = append(found, Candidate{ARN: c.ARN("lambda", "function:"+name), Name: name})
					}
				}
				if marker = out.NextMarker; aws.ToString(marker) == "" {
					return found, nil
				}
			}
		},
		Naming: NamePrefix,
		NameOf: lambdaName,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.Lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(lambdaName(r.ARN))})
			if IsCode(err, "ResourceConflictException") {
				return Waiting("waiting", "the function is being changed: %v", err)
			}
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, lambdaName(r.ARN)}, nil },
	})
}

// lambdaName is NAME in arn:aws:lambda:REGION:ACCOUNT:function:NAME.
func lambdaName(arn string) string { return strings.TrimPrefix(Resource(arn), "function:") }

func lambdaTags(ctx context.Context, c *cloud.Clients, arn string) (map[string]string, error) {
	out, err := c.Lambda.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	if out.Tags == nil {
		return map[string]string{}, nil
	}
	return out.Tags, nil
}
