package resources

// AWS::Lambda::Function — Lab 1's labelling function and Lab 4's slotPull,
// tagged or named with the class prefix. DeleteFunction removes the function and
// every version at once. Its log group (/aws/lambda/NAME) is AWS::Logs::LogGroup's.

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name: "AWS::Lambda::Function",
		Match: func(arn string) bool {
			name, ok := strings.CutPrefix(Resource(arn), "function:")
			return Service(arn) == "lambda" && ok && name != "" && !strings.Contains(name, ":")
		},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			return lambdaTags(ctx, c, r.ARN)
		},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Found, error) {
			// Functions are not forced to carry tags; the boundary forces the prefix.
			var found []Found
			var marker *string
			for {
				out, err := c.Lambda.ListFunctions(ctx, &lambda.ListFunctionsInput{Marker: marker})
				if err != nil {
					return nil, err
				}
				for _, fn := range out.Functions {
					name := aws.ToString(fn.FunctionName)
					st := s.StudentOf(name)
					if st == "" {
						continue
					}
					arn := c.ARN("lambda", "function:"+name)
					f := Found{Ref: Ref{ARN: arn, Type: "AWS::Lambda::Function", Region: c.Region, Account: c.Account, Student: st}}
					tags, err := lambdaTags(ctx, c, arn)
					switch {
					case errors.Is(err, ErrGone):
						continue
					case err != nil:
						f.Reason = "named like the class but its tags could not be read: " + err.Error()
					case tags["labdash:class"] != "" && tags["labdash:class"] != s.ClassID:
						f.Reason = "named like the class but tagged for class " + tags["labdash:class"]
					default:
						f.Proof = "name prefix " + s.Prefix(st)
					}
					found = append(found, f)
				}
				if marker = out.NextMarker; aws.ToString(marker) == "" {
					return found, nil
				}
			}
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.Lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(lambdaName(r.ARN))})
			if IsCode(err, "ResourceConflictException") {
				return Waiting("waiting", "the function is being changed: %v", err)
			}
			return GoneIf(err, "ResourceNotFoundException")
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, lambdaName(r.ARN)}, nil },
	})
}

// lambdaName is NAME in arn:aws:lambda:REGION:ACCOUNT:function:NAME.
func lambdaName(arn string) string { return strings.TrimPrefix(Resource(arn), "function:") }

func lambdaTags(ctx context.Context, c *cloud.Clients, arn string) (map[string]string, error) {
	out, err := c.Lambda.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
	if err != nil {
		return nil, GoneIf(err, "ResourceNotFoundException")
	}
	if out.Tags == nil {
		return map[string]string{}, nil
	}
	return out.Tags, nil
}
