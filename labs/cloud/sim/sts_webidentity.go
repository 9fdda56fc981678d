package sim

// STS AssumeRoleWithWebIdentity, for Cognito's basic (classic) flow: the token
// must be one the simulated GetOpenIdToken issued and not yet expired
// (InvalidIdentityToken / ExpiredTokenException otherwise); the role's trust
// policy, evaluated by the IAM evaluator with the token's claims as
// cognito-identity.amazonaws.com:aud, :sub and :amr, must allow
// sts:AssumeRoleWithWebIdentity for the Federated principal
// cognito-identity.amazonaws.com (AccessDenied otherwise); DurationSeconds is
// 900 up to the role's MaxSessionDuration (default 3600). Policy, when given, is
// the session policy that scopes the credentials down. The credentials act as
// the role (ClientsWithCredentials).

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cloud/authz"
)

var sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// AssumeRoleWithWebIdentity exchanges a Cognito OpenID token for a role's credentials.
func (c *stsClient) AssumeRoleWithWebIdentity(ctx context.Context, in *sts.AssumeRoleWithWebIdentityInput, _ ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	return do(ctx, c.base, "sts", "AssumeRoleWithWebIdentity", in, func(r *region) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		if in == nil {
			in = &sts.AssumeRoleWithWebIdentityInput{}
		}
		arn, name, tokStr := str(in.RoleArn), str(in.RoleSessionName), str(in.WebIdentityToken)
		switch {
		case len(arn) < 20:
			return nil, validationError("1 validation error detected: Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20", arn)
		case !sessionNameRE.MatchString(name):
			return nil, validationError("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", name)
		case len(tokStr) < 4:
			return nil, validationError("1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4")
		}
		w := c.w
		tok := w.webTokens[tokStr]
		if tok == nil {
			return nil, &ststypes.InvalidIdentityTokenException{Message: ptr("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.")}
		}
		if !w.now.Before(tok.expires) {
			return nil, &ststypes.ExpiredTokenException{Message: ptr("Token is expired")}
		}
		acct, roleName, ok := roleOf(arn)
		var ro *role
		if ok {
			ro = w.accountLocked(acct).roles[strings.ToLower(roleName)]
		}
		if ro == nil || ro.arn != arn || !w.webIdentityTrust(ro, tok.pool, tok.identity, tok.amr).Allowed {
			return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "Not authorized to perform sts:AssumeRoleWithWebIdentity", Fault: smithy.FaultClient}
		}
		d := time.Duration(i32(in.DurationSeconds, 3600)) * time.Second
		if d < 15*time.Minute {
			return nil, validationError("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", int(d.Seconds()))
		}
		if d > time.Duration(ro.maxSession)*time.Second {
			return nil, validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		var session *authz.Policy
		if doc := str(in.Policy); doc != "" {
			p, err := authz.DecodePolicy(doc)
			if err != nil {
				return nil, &ststypes.MalformedPolicyDocumentException{Message: ptr("The policy is not in the valid JSON format.")}
			}
			session = &p
		}
		cr := w.issueCredsLocked(acct, ro, name, session, d)
		return &sts.AssumeRoleWithWebIdentityOutput{
			Credentials:                 &ststypes.Credentials{AccessKeyId: ptr(cr.akid), SecretAccessKey: ptr(cr.secret), SessionToken: ptr(cr.token), Expiration: ptr(cr.expires)},
			AssumedRoleUser:             &ststypes.AssumedRoleUser{Arn: ptr(cr.sessionARN), AssumedRoleId: ptr(ro.id + ":" + name)},
			SubjectFromWebIdentityToken: ptr(tok.identity), Audience: ptr(tok.pool), Provider: ptr("cognito-identity.amazonaws.com"),
		}, nil
	})
}
