package resources

// AWS::Cognito::IdentityPool — Lab 4's guest-credentials pool (<class><student>-slots),
// tagged at creation (the lab's grants allow CreateIdentityPool only with the
// student's tags) or, made by hand, named with the class prefix. Its ARN is
// arn:aws:cognito-identity:REGION:ACCOUNT:identitypool/REGION:GUID: the pool id
// holds a colon, so it is everything after "identitypool/".
//
// DescribeIdentityPool returns the pool's tags (IdentityPoolTags), the ownership
// proof. DeleteIdentityPool has no precondition: the pool's roles are IAM's and
// go in their own step (LABS.md Lab 4 cleanup: the pool, then the roles), and a
// deleted pool's identities go with it.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name: "AWS::Cognito::IdentityPool",
		Gone: []NotFound{{Code: "ResourceNotFoundException"}},
		Match: func(arn string) bool {
			id, ok := strings.CutPrefix(Resource(arn), "identitypool/")
			return Service(arn) == "cognito-identity" && ok && identityPoolIDOK(id)
		},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			out, err := c.CognitoIdentity.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String(identityPoolID(r.ARN))})
			if err != nil {
				return nil, err
			}
			m := map[string]string{}
			for k, v := range out.IdentityPoolTags {
				m[k] = v
			}
			return m, nil
		},
		// Hand-made pools: named with the class id (60 a page, the API's most); their
		// tags are read by the planner.
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			in := &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(60)}
			for {
				out, err := c.CognitoIdentity.ListIdentityPools(ctx, in)
				if err != nil {
					return found, err
				}
				for _, p := range out.IdentityPools {
					if name := aws.ToString(p.IdentityPoolName); strings.HasPrefix(name, s.ClassID) {
						found = append(found, Candidate{ARN: c.ARN("cognito-identity", "identitypool/"+aws.ToString(p.IdentityPoolId)), Name: name})
					}
				}
				if aws.ToString(out.NextToken) == "" {
					return found, nil
				}
				in.NextToken = out.NextToken
			}
		},
		Naming: NamePrefix,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			_, err := c.CognitoIdentity.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: aws.String(identityPoolID(r.ARN))})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, identityPoolID(r.ARN)}, nil },
	})
}

// identityPoolID is the id in …:identitypool/REGION:GUID.
func identityPoolID(arn string) string {
	return strings.TrimPrefix(Resource(arn), "identitypool/")
}

// identityPoolIDOK reports whether id looks like an identity pool id, REGION:GUID
// (IdentityPoolId's pattern is [\w-]+:[0-9a-f-]+).
func identityPoolIDOK(id string) bool {
	region, guid, ok := strings.Cut(id, ":")
	if !ok || region == "" || guid == "" {
		return false
	}
	for _, r := range guid {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r == '-') {
			return false
		}
	}
	return true
}
