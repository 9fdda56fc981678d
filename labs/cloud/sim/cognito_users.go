package sim

// Cognito user pool app clients, users and the domain's status, as Lab 1's
// checkpoint 4 reads them:
//   - CreateUserPoolClient gives a client a 26-character id (lower-case letters
//     and digits) and, with GenerateSecret, a secret; ListUserPoolClients pages
//     (MaxResults 1–60). Clients belong to their pool: DeleteUserPool removes them.
//   - SignUp (unsigned on AWS: it is authorized by the app client id) makes an
//     UNCONFIRMED user, checking the pool's password policy (InvalidPasswordException)
//     and that the username is new (UsernameExistsException); AdminConfirmSignUp
//     makes it CONFIRMED (a user that is not UNCONFIRMED answers
//     NotAuthorizedException). AdminCreateUser makes a FORCE_CHANGE_PASSWORD user.
//   - ListUsers pages (Limit 0–60, 0 and absent meaning 60) and filters on
//     username, email, sub and cognito:user_status (status) with = or ^=.
//   - DescribeUserPoolDomain answers a prefix domain of the caller's account and
//     region CREATING for a simulated minute after CreateUserPoolDomain, then
//     ACTIVE; an unknown domain (or another account's) answers an empty
//     DomainDescription, as AWS does for a domain it does not find.
// Not modelled: sign-in flows and tokens, attribute verification, aliases,
// groups, client settings beyond the names, flows and OAuth fields stored as given.

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

type poolClient struct {
	id, name, secret string
	created          time.Time
	in               *cip.CreateUserPoolClientInput
}

type poolUser struct {
	name, sub string
	status    ciptypes.UserStatusType
	attrs     []ciptypes.AttributeType
	created   time.Time
	modified  time.Time
}

// cognitoDomainReady is how long a new prefix domain stays CREATING.
const cognitoDomainReady = time.Minute

var cognitoClientNameRE = regexp.MustCompile(`^[\w\s+=,.@-]{1,128}$`)

func (w *World) lowerAlnum(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[w.rng.IntN(len(chars))]
	}
	return string(b)
}

// CreateUserPoolClient adds an app client to a pool.
func (c *cognitoClient) CreateUserPoolClient(ctx context.Context, in *cip.CreateUserPoolClientInput, _ ...func(*cip.Options)) (*cip.CreateUserPoolClientOutput, error) {
	return do(ctx, c.base, "cognito-idp", "CreateUserPoolClient", in, func(r *region) (*cip.CreateUserPoolClientOutput, error) {
		if in == nil {
			in = &cip.CreateUserPoolClientInput{}
		}
		p, err := cognitoOf(r).pool(str(in.UserPoolId))
		if err != nil {
			return nil, err
		}
		name := str(in.ClientName)
		if !cognitoClientNameRE.MatchString(name) {
			return nil, cognitoInvalid("1 validation error detected: Value '%s' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+", name)
		}
		pc := &poolClient{id: c.w.lowerAlnum(26), name: name, created: c.w.now, in: cloneJSON(in)}
		if in.GenerateSecret {
			pc.secret = c.w.lowerAlnum(51)
		}
		p.clients = append(p.clients, pc)
		return &cip.CreateUserPoolClientOutput{UserPoolClient: pc.out(p)}, nil
	})
}

func (pc *poolClient) out(p *userPool) *ciptypes.UserPoolClientType {
	o := &ciptypes.UserPoolClientType{UserPoolId: ptr(p.id), ClientId: ptr(pc.id), ClientName: ptr(pc.name), CreationDate: tptr(pc.created),
		LastModifiedDate: tptr(pc.created), ExplicitAuthFlows: pc.in.ExplicitAuthFlows, CallbackURLs: pc.in.CallbackURLs, LogoutURLs: pc.in.LogoutURLs,
		AllowedOAuthFlows: pc.in.AllowedOAuthFlows, AllowedOAuthScopes: pc.in.AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient: ptr(pc.in.AllowedOAuthFlowsUserPoolClient),
		SupportedIdentityProviders: pc.in.SupportedIdentityProviders, RefreshTokenValidity: 30, TokenValidityUnits: &ciptypes.TokenValidityUnitsType{},
		EnableTokenRevocation: ptr(true), PreventUserExistenceErrors: ciptypes.PreventUserExistenceErrorTypesEnabled, AuthSessionValidity: ptr(int32(3))}
	if pc.secret != "" {
		o.ClientSecret = ptr(pc.secret)
	}
	return o
}

// ListUserPoolClients lists a pool's clients, MaxResults (1–60, default 60) per page.
func (c *cognitoClient) ListUserPoolClients(ctx context.Context, in *cip.ListUserPoolClientsInput, _ ...func(*cip.Options)) (*cip.ListUserPoolClientsOutput, error) {
	return do(ctx, c.base, "cognito-idp", "ListUserPoolClients", in, func(r *region) (*cip.ListUserPoolClientsOutput, error) {
		if in == nil {
			in = &cip.ListUserPoolClientsInput{}
		}
		p, err := cognitoOf(r).pool(str(in.UserPoolId))
		if err != nil {
			return nil, err
		}
		limit := int(i32(in.MaxResults, 60))
		if limit < 1 || limit > 60 {
			return nil, cognitoInvalid("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60", limit)
		}
		from, ok := readIntToken(in.NextToken)
		if !ok || from > len(p.clients) {
			return nil, cognitoInvalid("Invalid pagination token.")
		}
		out := &cip.ListUserPoolClientsOutput{UserPoolClients: []ciptypes.UserPoolClientDescription{}}
		for i := from; i < len(p.clients); i++ {
			if i == from+limit {
				out.NextToken = intToken(i)
				break
			}
			out.UserPoolClients = append(out.UserPoolClients, ciptypes.UserPoolClientDescription{ClientId: ptr(p.clients[i].id),
				ClientName: ptr(p.clients[i].name), UserPoolId: ptr(p.id)})
		}
		return out, nil
	})
}

// DescribeUserPoolDomain describes a prefix or custom domain of the caller's account and region.
func (c *cognitoClient) DescribeUserPoolDomain(ctx context.Context, in *cip.DescribeUserPoolDomainInput, _ ...func(*cip.Options)) (*cip.DescribeUserPoolDomainOutput, error) {
	return do(ctx, c.base, "cognito-idp", "DescribeUserPoolDomain", in, func(r *region) (*cip.DescribeUserPoolDomainOutput, error) {
		d := ""
		if in != nil {
			d = str(in.Domain)
		}
		if d == "" || len(d) > 63 {
			return nil, cognitoInvalid("1 validation error detected: Value '%s' at 'domain' failed to satisfy constraint: Member must have length between 1 and 63", d)
		}
		out := &cip.DescribeUserPoolDomainOutput{DomainDescription: &ciptypes.DomainDescriptionType{}}
		for _, p := range cognitoOf(r).order {
			switch d {
			case p.domain:
				status := ciptypes.DomainStatusTypeActive
				if c.w.now.Before(p.domainAt.Add(cognitoDomainReady)) {
					status = ciptypes.DomainStatusTypeCreating
				}
				out.DomainDescription = &ciptypes.DomainDescriptionType{UserPoolId: ptr(p.id), AWSAccountId: ptr(r.account), Domain: ptr(d),
					Status: status, Version: ptr("20230101000000"), ManagedLoginVersion: ptr(int32(1)),
					CloudFrontDistribution: ptr("d" + hashID(13, "cognito-domain", r.name, d) + ".cloudfront.net"),
					S3Bucket:               ptr("aws-cognito-prod-" + r.name[:3] + "-assets")}
			case p.customDomain:
				out.DomainDescription = &ciptypes.DomainDescriptionType{UserPoolId: ptr(p.id), AWSAccountId: ptr(r.account), Domain: ptr(d),
					Status: ciptypes.DomainStatusTypeActive, ManagedLoginVersion: ptr(int32(1))}
			}
		}
		return out, nil
	})
}

func (p *userPool) user(name string) *poolUser {
	for _, u := range p.users {
		if u.name == name {
			return u
		}
	}
	return nil
}

// checkPassword applies the pool's password policy; "" when it conforms.
func (p *userPool) checkPassword(pw string) string {
	pol := defaultPolicies().PasswordPolicy
	if p.policies != nil && p.policies.PasswordPolicy != nil {
		pol = p.policies.PasswordPolicy
	}
	has := func(f func(rune) bool) bool { return strings.IndexFunc(pw, f) >= 0 }
	switch {
	case len(pw) < int(i32(pol.MinimumLength, 8)):
		return "Password not long enough"
	case pol.RequireLowercase && !has(unicode.IsLower):
		return "Password must have lowercase characters"
	case pol.RequireUppercase && !has(unicode.IsUpper):
		return "Password must have uppercase characters"
	case pol.RequireNumbers && !has(unicode.IsDigit):
		return "Password must have numeric characters"
	case pol.RequireSymbols && !has(func(c rune) bool { return strings.ContainsRune("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ", c) }):
		return "Password must have symbol characters"
	}
	return ""
}

var cognitoUsernameRE = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`)

func (c *cognitoClient) addUser(p *userPool, name, pw string, attrs []ciptypes.AttributeType, status ciptypes.UserStatusType) (*poolUser, error) {
	if !cognitoUsernameRE.MatchString(name) {
		return nil, cognitoInvalid("1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
	}
	if pw != "" {
		if why := p.checkPassword(pw); why != "" {
			return nil, &ciptypes.InvalidPasswordException{Message: msg("Password did not conform with policy: %s", why)}
		}
	}
	if p.user(name) != nil {
		return nil, &ciptypes.UsernameExistsException{Message: ptr("User already exists")}
	}
	u := &poolUser{name: name, sub: c.w.uuid(), status: status, created: c.w.now, modified: c.w.now}
	u.attrs = append([]ciptypes.AttributeType{{Name: ptr("sub"), Value: ptr(u.sub)}}, cloneJSON(attrs)...)
	p.users = append(p.users, u)
	return u, nil
}

// SignUp registers an UNCONFIRMED user through an app client of the pool.
func (c *cognitoClient) SignUp(ctx context.Context, in *cip.SignUpInput, _ ...func(*cip.Options)) (*cip.SignUpOutput, error) {
	return do(ctx, c.base, "cognito-idp", "SignUp", in, func(r *region) (*cip.SignUpOutput, error) {
		if in == nil {
			in = &cip.SignUpInput{}
		}
		var pool *userPool
		for _, p := range cognitoOf(r).order {
			for _, pc := range p.clients {
				if pc.id == str(in.ClientId) {
					pool = p
				}
			}
		}
		if pool == nil {
			return nil, &ciptypes.ResourceNotFoundException{Message: ptr("User pool client " + str(in.ClientId) + " does not exist.")}
		}
		if str(in.Password) == "" {
			return nil, cognitoInvalid("1 validation error detected: Value at 'password' failed to satisfy constraint: Member must not be null")
		}
		u, err := c.addUser(pool, str(in.Username), str(in.Password), in.UserAttributes, ciptypes.UserStatusTypeUnconfirmed)
		if err != nil {
			return nil, err
		}
		return &cip.SignUpOutput{UserConfirmed: false, UserSub: ptr(u.sub)}, nil
	})
}

// AdminConfirmSignUp confirms an UNCONFIRMED user.
func (c *cognitoClient) AdminConfirmSignUp(ctx context.Context, in *cip.AdminConfirmSignUpInput, _ ...func(*cip.Options)) (*cip.AdminConfirmSignUpOutput, error) {
	return do(ctx, c.base, "cognito-idp", "AdminConfirmSignUp", in, func(r *region) (*cip.AdminConfirmSignUpOutput, error) {
		if in == nil {
			in = &cip.AdminConfirmSignUpInput{}
		}
		p, err := cognitoOf(r).pool(str(in.UserPoolId))
		if err != nil {
			return nil, err
		}
		u := p.user(str(in.Username))
		if u == nil {
			return nil, &ciptypes.UserNotFoundException{Message: ptr("User does not exist.")}
		}
		if u.status != ciptypes.UserStatusTypeUnconfirmed {
			return nil, &ciptypes.NotAuthorizedException{Message: msg("User cannot be confirmed. Current status is %s", u.status)}
		}
		u.status, u.modified = ciptypes.UserStatusTypeConfirmed, c.w.now
		return &cip.AdminConfirmSignUpOutput{}, nil
	})
}

// AdminCreateUser creates a FORCE_CHANGE_PASSWORD user (no message is sent).
func (c *cognitoClient) AdminCreateUser(ctx context.Context, in *cip.AdminCreateUserInput, _ ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error) {
	return do(ctx, c.base, "cognito-idp", "AdminCreateUser", in, func(r *region) (*cip.AdminCreateUserOutput, error) {
		if in == nil {
			in = &cip.AdminCreateUserInput{}
		}
		p, err := cognitoOf(r).pool(str(in.UserPoolId))
		if err != nil {
			return nil, err
		}
		u, err := c.addUser(p, str(in.Username), str(in.TemporaryPassword), in.UserAttributes, ciptypes.UserStatusTypeForceChangePassword)
		if err != nil {
			if _, dup := err.(*ciptypes.UsernameExistsException); dup {
				return nil, &ciptypes.UsernameExistsException{Message: ptr("User account already exists")}
			}
			return nil, err
		}
		return &cip.AdminCreateUserOutput{User: u.out()}, nil
	})
}

func (u *poolUser) out() *ciptypes.UserType {
	return &ciptypes.UserType{Username: ptr(u.name), UserStatus: u.status, Enabled: true, UserCreateDate: tptr(u.created),
		UserLastModifiedDate: tptr(u.modified), Attributes: cloneJSON(u.attrs)}
}

// cognitoFilterRE is ListUsers' filter: attribute, = or ^=, a quoted value.
var cognitoFilterRE = regexp.MustCompile(`^\s*"?([\w:]+)"?\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$`)

// ListUsers lists a pool's users, Limit (0–60) per page, with an optional filter.
func (c *cognitoClient) ListUsers(ctx context.Context, in *cip.ListUsersInput, _ ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	return do(ctx, c.base, "cognito-idp", "ListUsers", in, func(r *region) (*cip.ListUsersOutput, error) {
		if in == nil {
			in = &cip.ListUsersInput{}
		}
		p, err := cognitoOf(r).pool(str(in.UserPoolId))
		if err != nil {
			return nil, err
		}
		limit := int(i32(in.Limit, 60))
		if limit < 0 || limit > 60 {
			return nil, cognitoInvalid("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60", limit)
		}
		if limit == 0 {
			limit = 60
		}
		match := func(*poolUser) bool { return true }
		if f := str(in.Filter); strings.TrimSpace(f) != "" {
			m := cognitoFilterRE.FindStringSubmatch(f)
			if m == nil {
				return nil, cognitoInvalid("Error while parsing filter.")
			}
			attr, op, want := m[1], m[2], strings.ReplaceAll(m[3], `\"`, `"`)
			switch attr {
			case "username", "email", "sub", "status", "cognito:user_status", "name", "given_name", "family_name", "phone_number", "preferred_username":
			default:
				return nil, cognitoInvalid("Invalid search attribute: %s", attr)
			}
			match = func(u *poolUser) bool {
				var v string
				switch attr {
				case "username":
					v = u.name
				case "status", "cognito:user_status":
					v = string(u.status)
				default:
					for _, a := range u.attrs {
						if str(a.Name) == attr {
							v = str(a.Value)
						}
					}
				}
				if op == "^=" {
					return strings.HasPrefix(v, want)
				}
				return v == want
			}
		}
		var users []*poolUser
		for _, u := range p.users {
			if match(u) {
				users = append(users, u)
			}
		}
		from, ok := readIntToken(in.PaginationToken)
		if !ok || from > len(users) {
			return nil, cognitoInvalid("Invalid pagination token.")
		}
		out := &cip.ListUsersOutput{Users: []ciptypes.UserType{}}
		for i := from; i < len(users); i++ {
			if i == from+limit {
				out.PaginationToken = intToken(i)
				break
			}
			out.Users = append(out.Users, *users[i].out())
		}
		return out, nil
	})
}
