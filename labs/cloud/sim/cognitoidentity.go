package sim

// Amazon Cognito identity pools (federated identities), as Lab 4's slot machine
// uses them: guest (unauthenticated) identities and their credentials.

import (
	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	registerService("cognito-identity", func(b base, c *cloud.Clients) { c.CognitoIdentity = &cognitoIdentityClient{b} })
}

// cognitoIdentityClient implements cloud.CognitoIdentity.
type cognitoIdentityClient struct{ base }

var _ cloud.CognitoIdentity = (*cognitoIdentityClient)(nil)
