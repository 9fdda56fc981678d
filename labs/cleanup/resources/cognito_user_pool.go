package resources

// AWS::Cognito::UserPool — Lab 1's sign-in pool (tagged when the dashboard made it,
// or made by hand with the class prefix) — and, registered here with it,
// AWS::Cognito::UserPoolDomain, its hosted-UI domain (c42s07-photos).
//
// AWS refuses DeleteUserPool while the pool has a domain or while
// DeletionProtection is ACTIVE (InvalidParameterException both; LABS.md Lab 1
// cleanup step 6). The domain is its own plan item: DeleteUserPoolDomain must name
// the Domain as well as the UserPoolId, and the guard lets a call through only if
// every identifier in it is in the plan — a domain prefix cannot be derived from
// the pool's ARN, so it needs a Ref of its own. Its ARN is made up by labdash
// (domains have none): the pool's ARN + "/domain/" + the domain; the lister finds
// it under an owned pool (DescribeUserPool shows Domain and CustomDomain), and the
// pool waits for it (After). Then the pool's Delete turns deletion protection off
// and deletes the pool.
//
// The UpdateUserPool trap: UpdateUserPool is not a patch. Every setting the request
// leaves out goes back to its default — MFA, password policy, auto-verified
// attributes, Lambda triggers, and the pool's tags (aws-cli issue #3302; moto
// models it too). Delete sends only the pool id, DeletionProtection=INACTIVE and
// the pool's current UserPoolTags: the other settings do not matter to a pool that
// is deleted a moment later, but the tags are its proof of ownership, which the
// engine may re-read if that deletion has to be retried.

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	Register(Type{
		Name:  "AWS::Cognito::UserPool",
		Gone:  []NotFound{{Code: "ResourceNotFoundException"}},
		After: []string{"AWS::Cognito::UserPoolDomain"},
		Match: func(arn string) bool {
			return Service(arn) == "cognito-idp" && strings.HasPrefix(Resource(arn), "userpool/") && strings.Count(Resource(arn), "/") == 1
		},
		Tags: func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			p, err := cognitoDescribePool(ctx, c, cognitoPoolID(r.ARN))
			if err != nil {
				return nil, err
			}
			return cognitoTags(p), nil
		},
		// Hand-made pools: named with the class id; their tags are read by the planner.
		List: func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error) {
			var found []Candidate
			var token *string
			for {
				out, err := c.Cognito.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60), NextToken: token})
				if err != nil {
					return nil, err
				}
				for _, d := range out.UserPools {
					if name := aws.ToString(d.Name); strings.HasPrefix(name, s.ClassID) {
						found = append(found, Candidate{ARN: c.ARN("cognito-idp", "userpool/"+aws.ToString(d.Id)), Name: name})
					}
				}
				if token = out.NextToken; aws.ToString(token) == "" {
					return found, nil
				}
			}
		},
		Naming: NamePrefix,
		Delete: func(ctx context.Context, c *cloud.Clients, r Ref) error {
			id := cognitoPoolID(r.ARN)
			p, err := cognitoDescribePool(ctx, c, id)
			if err != nil {
				return err
			}
			if d := aws.ToString(p.Domain) + aws.ToString(p.CustomDomain); d != "" {
				// Deleted as its own item before the pool; one that is still there is being
				// deleted (AWS takes a moment) or is not in the plan — then this times out.
				return Waiting("waiting", "its domain %s must be deleted first", d)
			}
			if p.DeletionProtection == ciptypes.DeletionProtectionTypeActive {
				// Only the id, the switch and the tags: see the UpdateUserPool trap above.
				_, err := c.Cognito.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(id),
					DeletionProtection: ciptypes.DeletionProtectionTypeInactive, UserPoolTags: p.UserPoolTags})
				if err != nil {
					return err
				}
			}
			_, err = c.Cognito.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(id)})
			return err
		},
		Targets: func(r Ref) (own, context []string) { return []string{r.ARN, cognitoPoolID(r.ARN)}, nil },
	})

}

// cognitoPoolID is the id in …:userpool/ID (and in a domain's …:userpool/ID/domain/D).
func cognitoPoolID(arn string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(Resource(arn), "userpool/"), "/")
	return id
}

// cognitoDomainParts splits labdash's domain ARN …:userpool/ID/domain/D.
func cognitoDomainParts(arn string) (pool, domain string) {
	_, domain, _ = strings.Cut(Resource(arn), "/domain/")
	return cognitoPoolID(arn), domain
}

func cognitoDescribePool(ctx context.Context, c *cloud.Clients, id string) (*ciptypes.UserPoolType, error) {
	out, err := c.Cognito.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)})
	if err != nil {
		return nil, err
	}
	if out.UserPool == nil {
		return nil, ErrGone
	}
	return out.UserPool, nil
}

func cognitoTags(p *ciptypes.UserPoolType) map[string]string {
	m := map[string]string{}
	if p != nil {
		for k, v := range p.UserPoolTags {
			m[k] = v
		}
	}
	return m
}
