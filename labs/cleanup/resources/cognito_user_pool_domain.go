package resources

// AWS::Cognito::UserPoolDomain — the hosted-UI domain of an owned user pool. Its
// own item because DeleteUserPoolDomain must name the domain, which the pool's ARN
// does not carry; labdash names it <pool ARN>/domain/<domain>.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name: "AWS::Cognito::UserPoolDomain",
		Gone: []NotFound{{Code: "ResourceNotFoundException"}, {Code: "InvalidParameterException", Message: "No such domain or user pool exists"}}, // its pool gone; the domain gone
		Match: func(arn string) bool {
			return Service(arn) == "cognito-idp" && strings.Contains(Resource(arn), "/domain/")
		},
		Untaggable: true,
		Under:      []string{"AWS::Cognito::UserPool"},
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			for _, o := range s.Owned {
				if o.Type != "AWS::Cognito::UserPool" || o.Account != c.Account || Region(o.ARN) != c.Region {
					continue
				}
				p, err := cognitoDescribePool(ctx, c, cognitoPoolID(o.ARN))
				if isGone("AWS::Cognito::UserPool", err) {
					continue
				}
				if err != nil {
					return nil, err
				}
				for _, d := range []string{aws.ToString(p.Domain), aws.ToString(p.CustomDomain)} {
					if d != "" {
						found = append(found, Candidate{ARN: o.ARN + "/domain/" + d, Parents: []Link{{ARN: o.ARN, Tie: "the domain of the user pool"}}})
					}
				}
			}
			return found, nil
		},
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			pool, domain := cognitoDomainParts(r.ARN)
			p, err := cognitoDescribePool(ctx, c, pool)
			if err != nil {
				return err
			}
			if aws.ToString(p.Domain) != domain && aws.ToString(p.CustomDomain) != domain {
				return ErrGone
			}
			_, err = c.Cognito.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{Domain: aws.String(domain), UserPoolId: aws.String(pool)})
			return err
		},
		Targets: func(r Ref) (own, context []string) {
			pool, domain := cognitoDomainParts(r.ARN)
			return []string{r.ARN, domain}, []string{pool}
		},
	})
}
