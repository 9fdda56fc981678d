package sim

// Amazon Cognito user pools, as Lab 1's sign-in uses them: pools, their hosted-UI
// domain and deletion protection. Modelled as AWS does it:
//   - pool ids are REGION_ followed by nine letters and digits; the ARN is
//     arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID and the tagging API lists the
//     pool (with its UserPoolTags) as cognito-idp:userpool. Pool names need not be
//     unique;
//   - DeleteUserPool is InvalidParameterException while DeletionProtection is
//     ACTIVE, and while the pool has a domain (DeleteUserPoolDomain, which needs
//     both the Domain and the UserPoolId, first). An unknown pool is
//     ResourceNotFoundException;
//   - UpdateUserPool resets every setting the request leaves out to its default,
//     as AWS documents: DeletionProtection (INACTIVE), MFA (OFF), auto-verified
//     attributes, the password policy, Lambda triggers — and the UserPoolTags,
//     which AWS removes too. Send back what must survive;
//   - a domain prefix is unique per region across every account (a custom domain,
//     one with CustomDomainConfig, is stored as the pool's CustomDomain); a pool
//     has at most one of each. Prefixes are lower-case letters, digits and hyphens
//     and may not contain "aws", "amazon" or "cognito". DescribeUserPool shows
//     them at once; DescribeUserPoolDomain shows a new domain CREATING for a
//     simulated minute, then ACTIVE (cognito_users.go);
//   - app clients and users (SignUp, AdminConfirmSignUp, AdminCreateUser,
//     ListUsers) are in cognito_users.go; deleting a pool deletes them with it.
//
// Not modelled: groups, identity providers, sign-in, MFA and
// SMS/email configuration beyond storing a few settings, schema attributes,
// feature tiers, TagResource/UntagResource and ListTagsForResource.

import (
	"context"
	"regexp"
	"strings"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	registerService("cognito-idp", func(b base, c *cloud.Clients) { c.Cognito = &cognitoClient{b} })
}

// cognitoClient implements cloud.Cognito.
type cognitoClient struct{ base }

var _ cloud.Cognito = (*cognitoClient)(nil)

// cognitoState is one region's user pools, by id and in creation order.
type cognitoState struct {
	pools map[string]*userPool
	order []*userPool
}

type userPool struct {
	tagged
	id, name     string
	created      time.Time
	modified     time.Time
	protection   ciptypes.DeletionProtectionType
	domain       string // the hosted-UI prefix, "" for none
	customDomain string
	domainAt     time.Time // when the prefix domain was created (CREATING for a minute)
	clients      []*poolClient
	users        []*poolUser
	// The settings UpdateUserPool resets when it is not given them.
	autoVerified []ciptypes.VerifiedAttributeType
	mfa          ciptypes.UserPoolMfaType
	policies     *ciptypes.UserPoolPolicyType
	lambda       *ciptypes.LambdaConfigType
}

func cognitoOf(r *region) *cognitoState {
	return state(r, "cognito-idp", func() *cognitoState { return &cognitoState{pools: map[string]*userPool{}} })
}

func cognitoInvalid(format string, a ...any) error {
	return &ciptypes.InvalidParameterException{Message: msg(format, a...)}
}

func cognitoPoolNotFound(id string) error {
	return &ciptypes.ResourceNotFoundException{Message: msg("User pool %s does not exist.", id)}
}

var (
	cognitoPoolNameRE = regexp.MustCompile(`^[\w\s+=,.@-]{1,128}$`)
	cognitoDomainRE   = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	cognitoPoolIDRE   = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)
)

// defaultPolicies is the password policy a pool gets when none is given.
func defaultPolicies() *ciptypes.UserPoolPolicyType {
	return &ciptypes.UserPoolPolicyType{PasswordPolicy: &ciptypes.PasswordPolicyType{MinimumLength: ptr(int32(8)),
		RequireLowercase: true, RequireNumbers: true, RequireSymbols: true, RequireUppercase: true, TemporaryPasswordValidityDays: 7}}
}

// pool resolves a pool id. The world's lock must be held.
func (st *cognitoState) pool(id string) (*userPool, error) {
	if !cognitoPoolIDRE.MatchString(id) || len(id) > 55 {
		return nil, cognitoInvalid("1 validation error detected: Value '%s' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+", id)
	}
	p := st.pools[id]
	if p == nil {
		return nil, cognitoPoolNotFound(id)
	}
	return p, nil
}

func validProtection(v ciptypes.DeletionProtectionType) error {
	switch v {
	case "", ciptypes.DeletionProtectionTypeActive, ciptypes.DeletionProtectionTypeInactive:
		return nil
	}
	return cognitoInvalid("1 validation error detected: Value '%s' at 'deletionProtection' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, INACTIVE]", v)
}

// settings applies the resettable settings: what the request gives, defaults for the rest.
func (p *userPool) settings(protection ciptypes.DeletionProtectionType, mfa ciptypes.UserPoolMfaType, auto []ciptypes.VerifiedAttributeType,
	pol *ciptypes.UserPoolPolicyType, lambda *ciptypes.LambdaConfigType, tags map[string]string) {
	p.protection = protection
	if p.protection == "" {
		p.protection = ciptypes.DeletionProtectionTypeInactive
	}
	p.mfa = mfa
	if p.mfa == "" {
		p.mfa = ciptypes.UserPoolMfaTypeOff
	}
	p.autoVerified = append([]ciptypes.VerifiedAttributeType(nil), auto...)
	p.policies = defaultPolicies()
	if pol != nil {
		p.policies = cloneJSON(pol)
	}
	p.lambda = nil
	if lambda != nil {
		p.lambda = cloneJSON(lambda)
	}
	p.tags = nil
	for _, k := range sortedKeys(tags) {
		p.tags.set(k, tags[k])
	}
}

func (p *userPool) tagMap() map[string]string {
	if len(p.tags) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, t := range p.tags {
		m[t.k] = t.v
	}
	return m
}

func (p *userPool) describe() *ciptypes.UserPoolType {
	out := &ciptypes.UserPoolType{Id: ptr(p.id), Name: ptr(p.name), Arn: ptr(p.arn),
		CreationDate: tptr(p.created), LastModifiedDate: tptr(p.modified), DeletionProtection: p.protection,
		MfaConfiguration: p.mfa, AutoVerifiedAttributes: append([]ciptypes.VerifiedAttributeType(nil), p.autoVerified...),
		Policies: cloneJSON(p.policies), UserPoolTags: p.tagMap(), Domain: optStr(p.domain), CustomDomain: optStr(p.customDomain),
		UserPoolTier: ciptypes.UserPoolTierTypeEssentials}
	if p.lambda != nil {
		out.LambdaConfig = cloneJSON(p.lambda)
	} else {
		out.LambdaConfig = &ciptypes.LambdaConfigType{}
	}
	return out
}

// CreateUserPool creates a pool.
func (c *cognitoClient) CreateUserPool(ctx context.Context, in *cip.CreateUserPoolInput, _ ...func(*cip.Options)) (*cip.CreateUserPoolOutput, error) {
	return do(ctx, c.base, "cognito-idp", "CreateUserPool", in, func(r *region) (*cip.CreateUserPoolOutput, error) {
		if in == nil {
			in = &cip.CreateUserPoolInput{}
		}
		if !cognitoPoolNameRE.MatchString(str(in.PoolName)) {
			return nil, cognitoInvalid("1 validation error detected: Value '%s' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+", str(in.PoolName))
		}
		if err := validProtection(in.DeletionProtection); err != nil {
			return nil, err
		}
		var tags tagList
		for k, v := range in.UserPoolTags {
			tags.set(k, v)
		}
		if err := validTags(tags); err != nil {
			return nil, cognitoInvalid("%v", err)
		}
		st := cognitoOf(r)
		id := ""
		for id == "" || st.pools[id] != nil {
			id = r.name + "_" + c.w.alnum(9)
		}
		p := &userPool{id: id, name: str(in.PoolName), created: r.w.now, modified: r.w.now}
		p.settings(in.DeletionProtection, in.MfaConfiguration, in.AutoVerifiedAttributes, in.Policies, in.LambdaConfig, in.UserPoolTags)
		st.pools[id] = p
		st.order = append(st.order, p)
		r.addTaggable(&p.tagged, r.arn("cognito-idp", "userpool/"+id), "cognito-idp:userpool")
		return &cip.CreateUserPoolOutput{UserPool: p.describe()}, nil
	})
}

// alnum returns n random letters and digits from the world's seeded source.
func (w *World) alnum(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[w.rng.IntN(len(chars))]
	}
	return string(b)
}

// DescribeUserPool describes a pool, with its domain and tags.
func (c *cognitoClient) DescribeUserPool(ctx context.Context, in *cip.DescribeUserPoolInput, _ ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error) {
	return do(ctx, c.base, "cognito-idp", "DescribeUserPool", in, func(r *region) (*cip.DescribeUserPoolOutput, error) {
		if in == nil {
			in = &cip.DescribeUserPoolInput{}
		}
		p, err := cognitoOf(r).pool(str(in.UserPoolId))
		if err != nil {
			return nil, err
		}
		return &cip.DescribeUserPoolOutput{UserPool: p.describe()}, nil
	})
}

// UpdateUserPool replaces the pool's settings: what is not given goes back to its default.
func (c *cognitoClient) UpdateUserPool(ctx context.Context, in *cip.UpdateUserPoolInput, _ ...func(*cip.Options)) (*cip.UpdateUserPoolOutput, error) {
	return do(ctx, c.base, "cognito-idp", "UpdateUserPool", in, func(r *region) (*cip.UpdateUserPoolOutput, error) {
		if in == nil {
			in = &cip.UpdateUserPoolInput{}
		}
		p, err := cognitoOf(r).pool(str(in.UserPoolId))
		if err != nil {
			return nil, err
		}
		if err := validProtection(in.DeletionProtection); err != nil {
			return nil, err
		}
		if in.PoolName != nil && !cognitoPoolNameRE.MatchString(*in.PoolName) {
			return nil, cognitoInvalid("1 validation error detected: Value '%s' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+", *in.PoolName)
		}
		var tags tagList
		for k, v := range in.UserPoolTags {
			tags.set(k, v)
		}
		if err := validTags(tags); err != nil {
			return nil, cognitoInvalid("%v", err)
		}
		if in.PoolName != nil {
			p.name = *in.PoolName
		}
		p.settings(in.DeletionProtection, in.MfaConfiguration, in.AutoVerifiedAttributes, in.Policies, in.LambdaConfig, in.UserPoolTags)
		p.modified = r.w.now
		return &cip.UpdateUserPoolOutput{}, nil
	})
}

// DeleteUserPool deletes a pool without deletion protection or a domain.
func (c *cognitoClient) DeleteUserPool(ctx context.Context, in *cip.DeleteUserPoolInput, _ ...func(*cip.Options)) (*cip.DeleteUserPoolOutput, error) {
	return do(ctx, c.base, "cognito-idp", "DeleteUserPool", in, func(r *region) (*cip.DeleteUserPoolOutput, error) {
		if in == nil {
			in = &cip.DeleteUserPoolInput{}
		}
		st := cognitoOf(r)
		p, err := st.pool(str(in.UserPoolId))
		if err != nil {
			return nil, err
		}
		if p.protection == ciptypes.DeletionProtectionTypeActive {
			return nil, cognitoInvalid("The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
		}
		if p.domain != "" || p.customDomain != "" {
			return nil, cognitoInvalid("User pool cannot be deleted. It has a domain configured that should be deleted first.")
		}
		p.dead = true
		delete(st.pools, p.id)
		st.order = compact(st.order, func(x *userPool) bool { return x != p })
		return &cip.DeleteUserPoolOutput{}, nil
	})
}

// ListUserPools lists the region's pools, MaxResults (1–60, required) per page.
func (c *cognitoClient) ListUserPools(ctx context.Context, in *cip.ListUserPoolsInput, _ ...func(*cip.Options)) (*cip.ListUserPoolsOutput, error) {
	return do(ctx, c.base, "cognito-idp", "ListUserPools", in, func(r *region) (*cip.ListUserPoolsOutput, error) {
		if in == nil || in.MaxResults == nil {
			return nil, cognitoInvalid("1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null")
		}
		limit := int(*in.MaxResults)
		if limit < 1 || limit > 60 {
			return nil, cognitoInvalid("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60", limit)
		}
		from, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, cognitoInvalid("Invalid pagination token.")
		}
		st := cognitoOf(r)
		out := &cip.ListUserPoolsOutput{}
		for i := from; i < len(st.order); i++ {
			if i == from+limit {
				out.NextToken = intToken(i)
				break
			}
			p := st.order[i]
			d := ciptypes.UserPoolDescriptionType{Id: ptr(p.id), Name: ptr(p.name), CreationDate: tptr(p.created), LastModifiedDate: tptr(p.modified),
				LambdaConfig: &ciptypes.LambdaConfigType{}}
			if p.lambda != nil {
				d.LambdaConfig = cloneJSON(p.lambda)
			}
			out.UserPools = append(out.UserPools, d)
		}
		return out, nil
	})
}

// domainOwner returns the pool holding domain in any account of region name, or nil.
func (w *World) domainOwner(regionName, domain string) *userPool {
	for _, r := range w.order {
		if r.name != regionName {
			continue
		}
		st, ok := r.ext["cognito-idp"].(*cognitoState)
		if !ok {
			continue
		}
		for _, p := range st.order {
			if p.domain == domain || p.customDomain == domain {
				return p
			}
		}
	}
	return nil
}

// CreateUserPoolDomain gives a pool its hosted-UI domain prefix (or a custom domain).
func (c *cognitoClient) CreateUserPoolDomain(ctx context.Context, in *cip.CreateUserPoolDomainInput, _ ...func(*cip.Options)) (*cip.CreateUserPoolDomainOutput, error) {
	return do(ctx, c.base, "cognito-idp", "CreateUserPoolDomain", in, func(r *region) (*cip.CreateUserPoolDomainOutput, error) {
		if in == nil {
			in = &cip.CreateUserPoolDomainInput{}
		}
		p, err := cognitoOf(r).pool(str(in.UserPoolId))
		if err != nil {
			return nil, err
		}
		d := str(in.Domain)
		custom := in.CustomDomainConfig != nil
		if custom {
			if !strings.Contains(d, ".") || str(in.CustomDomainConfig.CertificateArn) == "" {
				return nil, cognitoInvalid("Custom domain requires a fully qualified domain name and a CertificateArn.")
			}
		} else {
			if !cognitoDomainRE.MatchString(d) {
				return nil, cognitoInvalid("1 validation error detected: Value '%s' at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$", d)
			}
			for _, word := range []string{"aws", "amazon", "cognito"} {
				if strings.Contains(d, word) {
					return nil, cognitoInvalid("Domain cannot contain reserved word: %s", word)
				}
			}
		}
		if (custom && p.customDomain != "") || (!custom && p.domain != "") {
			return nil, cognitoInvalid("User pool already has a domain configured.")
		}
		if c.w.domainOwner(r.name, d) != nil {
			return nil, cognitoInvalid("Domain already exists.")
		}
		if custom {
			p.customDomain = d
		} else {
			p.domain, p.domainAt = d, r.w.now
		}
		p.modified = r.w.now
		out := &cip.CreateUserPoolDomainOutput{ManagedLoginVersion: ptr(int32(1))}
		if in.ManagedLoginVersion != nil {
			out.ManagedLoginVersion = in.ManagedLoginVersion
		}
		if custom {
			out.CloudFrontDomain = ptr("d" + c.w.hexID(13) + ".cloudfront.net")
		}
		return out, nil
	})
}

// DeleteUserPoolDomain removes a pool's domain; both the domain and the pool id must match.
func (c *cognitoClient) DeleteUserPoolDomain(ctx context.Context, in *cip.DeleteUserPoolDomainInput, _ ...func(*cip.Options)) (*cip.DeleteUserPoolDomainOutput, error) {
	return do(ctx, c.base, "cognito-idp", "DeleteUserPoolDomain", in, func(r *region) (*cip.DeleteUserPoolDomainOutput, error) {
		if in == nil {
			in = &cip.DeleteUserPoolDomainInput{}
		}
		if str(in.Domain) == "" {
			return nil, cognitoInvalid("1 validation error detected: Value null at 'domain' failed to satisfy constraint: Member must not be null")
		}
		p, err := cognitoOf(r).pool(str(in.UserPoolId))
		if err != nil {
			return nil, err
		}
		switch str(in.Domain) {
		case p.domain:
			p.domain = ""
		case p.customDomain:
			p.customDomain = ""
		default:
			return nil, cognitoInvalid("No such domain or user pool exists.")
		}
		p.modified = r.w.now
		return &cip.DeleteUserPoolDomainOutput{}, nil
	})
}
