package sim

// Amazon Cognito identity pools (federated identities), as Lab 4's slot machine
// uses them: guest (unauthenticated) identities and their credentials.
//   - pools: ids REGION:UUID, names [\w\s+=,.@-]+ of 1 to 128 characters (the API
//     reference's IdentityPoolName pattern) (names need not
//     be unique), AllowUnauthenticatedIdentities and AllowClassicFlow (off unless
//     given), tags (IdentityPoolTags, TagResource; the tagging API lists pools as
//     cognito-identity:identitypool), roles by "authenticated"/"unauthenticated";
//     an unknown pool is ResourceNotFoundException, a malformed id
//     ValidationException-shaped InvalidParameterException;
//   - GetId (unauthenticated: no Logins) makes a new identity REGION:UUID each
//     call, NotAuthorizedException when the pool does not allow guests;
//   - the enhanced flow, GetCredentialsForIdentity: the pool's unauthenticated
//     role, assumed as cognito-identity.amazonaws.com would (the role's trust
//     policy must allow sts:AssumeRoleWithWebIdentity for the Federated principal
//     cognito-identity.amazonaws.com with cognito-identity.amazonaws.com:aud = the
//     pool id and :amr = "unauthenticated", evaluated by the IAM evaluator; else
//     InvalidIdentityPoolConfigurationException), SCOPED DOWN by the managed
//     session policy AmazonCognitoUnAuthedIdentitiesSessionPolicy (v3, below): a
//     guest's calls are allowed only where the role AND that policy allow them,
//     and lambda:InvokeFunction is not in it (LABS.md Lab 4's trap);
//   - the basic (classic) flow: GetOpenIdToken (InvalidParameterException "Basic
//     (classic) flow is not enabled, please use enhanced flow." unless
//     AllowClassicFlow), then STS AssumeRoleWithWebIdentity (sts_webidentity.go)
//     with no session policy: the role's own permissions.
//
// Not modelled: authenticated identities (Logins answer NotAuthorizedException),
// developer identities, role mappings (stored, not applied), CustomRoleArn,
// identity ids surviving their pool, and throttling.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"time"

	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"

	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/authz"
)

func init() {
	registerService("cognito-identity", func(b base, c *cloud.Clients) { c.CognitoIdentity = &cognitoIdentityClient{b} })
}

// cognitoIdentityClient implements cloud.CognitoIdentity.
type cognitoIdentityClient struct{ base }

var _ cloud.CognitoIdentity = (*cognitoIdentityClient)(nil)

// unauthedSessionPolicy is AmazonCognitoUnAuthedIdentitiesSessionPolicy, version
// v3 (the default), as AWS publishes it:
// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonCognitoUnAuthedIdentitiesSessionPolicy.html
const unauthedSessionPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"CognitoUnAuthedIdentitiesSessionPolicy","Effect":"Allow","Action":[` +
	`"rum:PutRumEvents","sagemaker:InvokeEndpoint","polly:*","comprehend:*","translate:*","transcribe:*","rekognition:*","mobiletargeting:*",` +
	`"firehose:*","personalize:*","geo:GetMap*","geo:SearchPlaceIndex*","geo:GetPlace","geo:CalculateRoute*","geo:*Geofence","geo:*Geofences",` +
	`"geo:*DevicePosition*","kms:Encrypt","kms:Decrypt","kms:ReEncryptTo","kms:ReEncryptFrom","kms:GenerateDataKey","kms:GenerateDataKeyPair",` +
	`"kms:GenerateDataKeyPairWithoutPlaintext","kms:GenerateDataKeyWithoutPlaintext"],"Resource":"*"}]}`

// UnauthedSessionPolicy returns the session policy the simulated enhanced flow
// scopes guest credentials down with (AmazonCognitoUnAuthedIdentitiesSessionPolicy v3).
func UnauthedSessionPolicy() string { return unauthedSessionPolicy }

// guestSession is the role session name of enhanced-flow credentials.
const guestSession = "CognitoIdentityCredentials"

type ciState struct {
	pools      map[string]*identityPool
	identities map[string]*identityPool // identity id → its pool
	order      []string                 // identity ids, oldest first
}

// maxIdentities is how many guest identities a region keeps: each unauthenticated
// GetId makes one, and virtual students pull all day; the oldest are forgotten
// (their ids then answer ResourceNotFoundException).
const maxIdentities = 20000

type identityPool struct {
	tagged
	id, name, arn             string
	allowUnauth, allowClassic bool
	providers                 []citypes.CognitoIdentityProvider
	developer                 string
	oidc, saml                []string
	logins                    map[string]string
	roles                     map[string]string
	mappings                  map[string]citypes.RoleMapping
	created                   time.Time
}

// webToken is an OpenID token GetOpenIdToken issued.
type webToken struct {
	pool, identity, amr string
	expires             time.Time
}

func ciOf(r *region) *ciState {
	return state(r, "cognito-identity", func() *ciState {
		return &ciState{pools: map[string]*identityPool{}, identities: map[string]*identityPool{}}
	})
}

var (
	ciPoolNameRE = regexp.MustCompile(`^[\w\s+=,.@-]{1,128}$`)
	ciPoolIDRE   = regexp.MustCompile(`^[\w-]+:[0-9a-f-]+$`)
)

func ciInvalid(format string, a ...any) error {
	return &citypes.InvalidParameterException{Message: msg(format, a...)}
}

func ciPoolNotFound(id string) error {
	return &citypes.ResourceNotFoundException{Message: msg("IdentityPool '%s' not found.", id)}
}

// pool returns the pool id names in r: InvalidParameterException for a malformed
// id, ResourceNotFoundException for an unknown one.
func (st *ciState) pool(id string) (*identityPool, error) {
	if !ciPoolIDRE.MatchString(id) || len(id) > 55 {
		return nil, ciInvalid("1 validation error detected: Value '%s' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+", id)
	}
	p := st.pools[id]
	if p == nil {
		return nil, ciPoolNotFound(id)
	}
	return p, nil
}

// findPoolLocked finds a pool by id among every account's pools in regionName
// (GetId and the guest calls are not tied to the caller's account). The world's
// lock must be held.
func (w *World) findPoolLocked(regionName, id string) (*region, *identityPool) {
	for _, r := range w.order {
		if r.name != regionName {
			continue
		}
		if st, ok := r.ext["cognito-identity"].(*ciState); ok {
			if p := st.pools[id]; p != nil {
				return r, p
			}
		}
	}
	return nil, nil
}

// findIdentityLocked finds the pool an identity id belongs to, in regionName.
func (w *World) findIdentityLocked(regionName, id string) (*region, *identityPool) {
	for _, r := range w.order {
		if r.name != regionName {
			continue
		}
		if st, ok := r.ext["cognito-identity"].(*ciState); ok {
			if p := st.identities[id]; p != nil && st.pools[p.id] == p {
				return r, p
			}
		}
	}
	return nil, nil
}

func (p *identityPool) describe() *ci.DescribeIdentityPoolOutput {
	out := &ci.DescribeIdentityPoolOutput{AllowUnauthenticatedIdentities: p.allowUnauth, IdentityPoolId: ptr(p.id), IdentityPoolName: ptr(p.name),
		AllowClassicFlow: ptr(p.allowClassic), CognitoIdentityProviders: cloneJSON(p.providers), OpenIdConnectProviderARNs: append([]string(nil), p.oidc...),
		SamlProviderARNs: append([]string(nil), p.saml...), IdentityPoolTags: map[string]string{}}
	if p.developer != "" {
		out.DeveloperProviderName = ptr(p.developer)
	}
	if len(p.logins) > 0 {
		out.SupportedLoginProviders = map[string]string{}
		for k, v := range p.logins {
			out.SupportedLoginProviders[k] = v
		}
	}
	for _, t := range p.tags {
		out.IdentityPoolTags[t.k] = t.v
	}
	return out
}

// set applies a create or update input's fields.
func (p *identityPool) set(name string, unauth bool, classic *bool, providers []citypes.CognitoIdentityProvider, dev *string, oidc, saml []string,
	logins map[string]string) error {
	if !ciPoolNameRE.MatchString(name) {
		return ciInvalid("1 validation error detected: Value '%s' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+", name)
	}
	p.name, p.allowUnauth = name, unauth
	p.allowClassic = classic != nil && *classic
	p.providers, p.developer = cloneJSON(providers), str(dev)
	p.oidc, p.saml = append([]string(nil), oidc...), append([]string(nil), saml...)
	p.logins = map[string]string{}
	for k, v := range logins {
		p.logins[k] = v
	}
	return nil
}

// CreateIdentityPool creates a pool in the client's region.
func (c *cognitoIdentityClient) CreateIdentityPool(ctx context.Context, in *ci.CreateIdentityPoolInput, _ ...func(*ci.Options)) (*ci.CreateIdentityPoolOutput, error) {
	return do(ctx, c.base, "cognito-identity", "CreateIdentityPool", in, func(r *region) (*ci.CreateIdentityPoolOutput, error) {
		if in == nil {
			in = &ci.CreateIdentityPoolInput{}
		}
		p := &identityPool{id: r.name + ":" + c.w.uuid(), created: c.w.now, roles: map[string]string{}}
		p.arn = r.arn("cognito-identity", "identitypool/"+p.id)
		if err := p.set(str(in.IdentityPoolName), in.AllowUnauthenticatedIdentities, in.AllowClassicFlow, in.CognitoIdentityProviders,
			in.DeveloperProviderName, in.OpenIdConnectProviderARNs, in.SamlProviderARNs, in.SupportedLoginProviders); err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(in.IdentityPoolTags) {
			p.tags.set(k, in.IdentityPoolTags[k])
		}
		if err := validTags(p.tags); err != nil {
			return nil, ciInvalid("%v", err)
		}
		st := ciOf(r)
		st.pools[p.id] = p
		r.addTaggable(&p.tagged, p.arn, "cognito-identity:identitypool")
		d := p.describe()
		return &ci.CreateIdentityPoolOutput{AllowUnauthenticatedIdentities: d.AllowUnauthenticatedIdentities, IdentityPoolId: d.IdentityPoolId,
			IdentityPoolName: d.IdentityPoolName, AllowClassicFlow: d.AllowClassicFlow, CognitoIdentityProviders: d.CognitoIdentityProviders,
			DeveloperProviderName: d.DeveloperProviderName, IdentityPoolTags: d.IdentityPoolTags, OpenIdConnectProviderARNs: d.OpenIdConnectProviderARNs,
			SamlProviderARNs: d.SamlProviderARNs, SupportedLoginProviders: d.SupportedLoginProviders}, nil
	})
}

// DescribeIdentityPool describes a pool.
func (c *cognitoIdentityClient) DescribeIdentityPool(ctx context.Context, in *ci.DescribeIdentityPoolInput, _ ...func(*ci.Options)) (*ci.DescribeIdentityPoolOutput, error) {
	return do(ctx, c.base, "cognito-identity", "DescribeIdentityPool", in, func(r *region) (*ci.DescribeIdentityPoolOutput, error) {
		if in == nil {
			in = &ci.DescribeIdentityPoolInput{}
		}
		p, err := ciOf(r).pool(str(in.IdentityPoolId))
		if err != nil {
			return nil, err
		}
		return p.describe(), nil
	})
}

// UpdateIdentityPool replaces a pool's settings (the input is the whole pool, as AWS's is).
func (c *cognitoIdentityClient) UpdateIdentityPool(ctx context.Context, in *ci.UpdateIdentityPoolInput, _ ...func(*ci.Options)) (*ci.UpdateIdentityPoolOutput, error) {
	return do(ctx, c.base, "cognito-identity", "UpdateIdentityPool", in, func(r *region) (*ci.UpdateIdentityPoolOutput, error) {
		if in == nil {
			in = &ci.UpdateIdentityPoolInput{}
		}
		p, err := ciOf(r).pool(str(in.IdentityPoolId))
		if err != nil {
			return nil, err
		}
		next := *p
		if err := next.set(str(in.IdentityPoolName), in.AllowUnauthenticatedIdentities, in.AllowClassicFlow, in.CognitoIdentityProviders,
			in.DeveloperProviderName, in.OpenIdConnectProviderARNs, in.SamlProviderARNs, in.SupportedLoginProviders); err != nil {
			return nil, err
		}
		p.name, p.allowUnauth, p.allowClassic, p.providers, p.developer, p.oidc, p.saml, p.logins =
			next.name, next.allowUnauth, next.allowClassic, next.providers, next.developer, next.oidc, next.saml, next.logins
		if in.IdentityPoolTags != nil {
			var tags tagList
			for _, k := range sortedKeys(in.IdentityPoolTags) {
				tags.set(k, in.IdentityPoolTags[k])
			}
			if err := validTags(tags); err != nil {
				return nil, ciInvalid("%v", err)
			}
			p.tags = tags
		}
		d := p.describe()
		return &ci.UpdateIdentityPoolOutput{AllowUnauthenticatedIdentities: d.AllowUnauthenticatedIdentities, IdentityPoolId: d.IdentityPoolId,
			IdentityPoolName: d.IdentityPoolName, AllowClassicFlow: d.AllowClassicFlow, CognitoIdentityProviders: d.CognitoIdentityProviders,
			DeveloperProviderName: d.DeveloperProviderName, IdentityPoolTags: d.IdentityPoolTags, OpenIdConnectProviderARNs: d.OpenIdConnectProviderARNs,
			SamlProviderARNs: d.SamlProviderARNs, SupportedLoginProviders: d.SupportedLoginProviders}, nil
	})
}

// DeleteIdentityPool deletes a pool and its identities.
func (c *cognitoIdentityClient) DeleteIdentityPool(ctx context.Context, in *ci.DeleteIdentityPoolInput, _ ...func(*ci.Options)) (*ci.DeleteIdentityPoolOutput, error) {
	return do(ctx, c.base, "cognito-identity", "DeleteIdentityPool", in, func(r *region) (*ci.DeleteIdentityPoolOutput, error) {
		if in == nil {
			in = &ci.DeleteIdentityPoolInput{}
		}
		st := ciOf(r)
		p, err := st.pool(str(in.IdentityPoolId))
		if err != nil {
			return nil, err
		}
		p.dead = true
		delete(st.pools, p.id)
		for id, q := range st.identities {
			if q == p {
				delete(st.identities, id)
			}
		}
		return &ci.DeleteIdentityPoolOutput{}, nil
	})
}

// ListIdentityPools lists the region's pools by id, MaxResults (1–60, required) a page.
func (c *cognitoIdentityClient) ListIdentityPools(ctx context.Context, in *ci.ListIdentityPoolsInput, _ ...func(*ci.Options)) (*ci.ListIdentityPoolsOutput, error) {
	return do(ctx, c.base, "cognito-identity", "ListIdentityPools", in, func(r *region) (*ci.ListIdentityPoolsOutput, error) {
		if in == nil {
			in = &ci.ListIdentityPoolsInput{}
		}
		if in.MaxResults == nil || *in.MaxResults < 1 || *in.MaxResults > 60 {
			return nil, ciInvalid("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60", i32(in.MaxResults, 0))
		}
		after, ok := readToken(in.NextToken)
		if !ok {
			return nil, ciInvalid("Invalid pagination token")
		}
		st := ciOf(r)
		var ids []string
		for id := range st.pools {
			if id > after {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		out := &ci.ListIdentityPoolsOutput{IdentityPools: []citypes.IdentityPoolShortDescription{}}
		for i, id := range ids {
			if i == int(*in.MaxResults) {
				out.NextToken = pageToken(ids[i-1])
				break
			}
			out.IdentityPools = append(out.IdentityPools, citypes.IdentityPoolShortDescription{IdentityPoolId: ptr(id), IdentityPoolName: ptr(st.pools[id].name)})
		}
		return out, nil
	})
}

var roleARNRE = regexp.MustCompile(`^arn:aws:iam::\d{12}:role/[\w+=,.@/-]+$`)

// SetIdentityPoolRoles sets the pool's roles ("authenticated", "unauthenticated").
func (c *cognitoIdentityClient) SetIdentityPoolRoles(ctx context.Context, in *ci.SetIdentityPoolRolesInput, _ ...func(*ci.Options)) (*ci.SetIdentityPoolRolesOutput, error) {
	return do(ctx, c.base, "cognito-identity", "SetIdentityPoolRoles", in, func(r *region) (*ci.SetIdentityPoolRolesOutput, error) {
		if in == nil {
			in = &ci.SetIdentityPoolRolesInput{}
		}
		p, err := ciOf(r).pool(str(in.IdentityPoolId))
		if err != nil {
			return nil, err
		}
		if in.Roles == nil {
			return nil, ciInvalid("1 validation error detected: Value null at 'roles' failed to satisfy constraint: Member must not be null")
		}
		for k, v := range in.Roles {
			if k != "authenticated" && k != "unauthenticated" {
				return nil, ciInvalid("Invalid role type: %s. Valid types are: authenticated, unauthenticated", k)
			}
			if len(v) < 20 || len(v) > 2048 || !roleARNRE.MatchString(v) {
				return nil, ciInvalid("1 validation error detected: Value '%s' at 'roles' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 2048, Member must have length greater than or equal to 20, Member must satisfy regular expression pattern: arn:aws:iam::\\d+:role/.*]", v)
			}
		}
		p.roles = map[string]string{}
		for k, v := range in.Roles {
			p.roles[k] = v
		}
		p.mappings = cloneJSON(in.RoleMappings)
		return &ci.SetIdentityPoolRolesOutput{}, nil
	})
}

// GetIdentityPoolRoles returns the pool's roles.
func (c *cognitoIdentityClient) GetIdentityPoolRoles(ctx context.Context, in *ci.GetIdentityPoolRolesInput, _ ...func(*ci.Options)) (*ci.GetIdentityPoolRolesOutput, error) {
	return do(ctx, c.base, "cognito-identity", "GetIdentityPoolRoles", in, func(r *region) (*ci.GetIdentityPoolRolesOutput, error) {
		if in == nil {
			in = &ci.GetIdentityPoolRolesInput{}
		}
		p, err := ciOf(r).pool(str(in.IdentityPoolId))
		if err != nil {
			return nil, err
		}
		out := &ci.GetIdentityPoolRolesOutput{IdentityPoolId: ptr(p.id), Roles: map[string]string{}}
		for k, v := range p.roles {
			out.Roles[k] = v
		}
		if len(p.mappings) > 0 {
			out.RoleMappings = cloneJSON(p.mappings)
		}
		return out, nil
	})
}

// GetId makes a new guest identity in a pool (of any account) of the client's region.
func (c *cognitoIdentityClient) GetId(ctx context.Context, in *ci.GetIdInput, _ ...func(*ci.Options)) (*ci.GetIdOutput, error) {
	return do(ctx, c.base, "cognito-identity", "GetId", in, func(r *region) (*ci.GetIdOutput, error) {
		if in == nil {
			in = &ci.GetIdInput{}
		}
		id := str(in.IdentityPoolId)
		if !ciPoolIDRE.MatchString(id) || len(id) > 55 {
			return nil, ciInvalid("1 validation error detected: Value '%s' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+", id)
		}
		pr, p := c.w.findPoolLocked(r.name, id)
		if p == nil || (str(in.AccountId) != "" && str(in.AccountId) != pr.account) {
			return nil, ciPoolNotFound(id)
		}
		if len(in.Logins) > 0 {
			return nil, &citypes.NotAuthorizedException{Message: msg("Invalid login token. The simulator does not model authenticated identities.")}
		}
		if !p.allowUnauth {
			return nil, &citypes.NotAuthorizedException{Message: msg("Unauthenticated access is not supported for this identity pool.")}
		}
		identity := r.name + ":" + c.w.uuid()
		st := ciOf(pr)
		st.identities[identity] = p
		st.order = append(st.order, identity)
		if len(st.order) > 2*maxIdentities {
			for _, old := range st.order[:len(st.order)-maxIdentities] {
				delete(st.identities, old)
			}
			st.order = append(st.order[:0], st.order[len(st.order)-maxIdentities:]...)
		}
		return &ci.GetIdOutput{IdentityId: ptr(identity)}, nil
	})
}

// guestIdentity checks an identity id for the guest calls and returns its pool.
func (c *cognitoIdentityClient) guestIdentity(r *region, id string, logins map[string]string) (*region, *identityPool, error) {
	if !ciPoolIDRE.MatchString(id) || len(id) > 55 {
		return nil, nil, ciInvalid("1 validation error detected: Value '%s' at 'identityId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+", id)
	}
	pr, p := c.w.findIdentityLocked(r.name, id)
	if p == nil {
		return nil, nil, &citypes.ResourceNotFoundException{Message: msg("Identity '%s' not found.", id)}
	}
	if len(logins) > 0 {
		return nil, nil, &citypes.NotAuthorizedException{Message: msg("Invalid login token. The simulator does not model authenticated identities.")}
	}
	if !p.allowUnauth {
		return nil, nil, &citypes.NotAuthorizedException{Message: msg("Unauthenticated access is not supported for this identity pool.")}
	}
	return pr, p, nil
}

// guestRoleLocked is the pool's unauthenticated role, if its trust policy lets
// Cognito assume it for identity; nil otherwise.
func (w *World) guestRoleLocked(p *identityPool, identity string) *role {
	arn := p.roles["unauthenticated"]
	acct, name, ok := roleOf(arn)
	if !ok {
		return nil
	}
	ro := w.accountLocked(acct).roles[strings.ToLower(name)]
	if ro == nil || ro.arn != arn {
		return nil
	}
	if !w.webIdentityTrust(ro, p.id, identity, "unauthenticated").Allowed {
		return nil
	}
	return ro
}

// webIdentityTrust evaluates a role's trust policy for sts:AssumeRoleWithWebIdentity
// by the Federated principal cognito-identity.amazonaws.com with the token's claims.
func (w *World) webIdentityTrust(ro *role, aud, sub, amr string) authz.Decision {
	var raw struct {
		Version   string
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(ro.trust), &raw); err != nil {
		return authz.Decision{Why: "because the role's trust policy does not read"}
	}
	var stmts []map[string]any
	if err := json.Unmarshal(raw.Statement, &stmts); err != nil {
		var one map[string]any
		if json.Unmarshal(raw.Statement, &one) != nil {
			return authz.Decision{Why: "because the role's trust policy does not read"}
		}
		stmts = []map[string]any{one}
	}
	var keep []map[string]any
	for _, st := range stmts {
		pr, _ := st["Principal"].(map[string]any)
		for _, f := range authz.Strings(pr["Federated"]) {
			if f == "cognito-identity.amazonaws.com" {
				delete(st, "Principal")
				keep = append(keep, st)
				break
			}
		}
	}
	doc, _ := json.Marshal(map[string]any{"Version": raw.Version, "Statement": keep})
	pol, err := authz.DecodePolicy(string(doc))
	if err != nil {
		return authz.Decision{Why: "because the role's trust policy does not read"}
	}
	ctx := authz.Context{}
	ctx.Set("cognito-identity.amazonaws.com:aud", aud)
	ctx.Set("cognito-identity.amazonaws.com:sub", sub)
	ctx.Set("cognito-identity.amazonaws.com:amr", amr)
	return authz.Principal{ARN: "cognito-identity.amazonaws.com", Identity: []authz.Policy{pol}}.Evaluate(authz.Request{
		Action: "sts:AssumeRoleWithWebIdentity", Resource: ro.arn, Context: ctx})
}

// GetCredentialsForIdentity is the enhanced flow: the pool's unauthenticated
// role's credentials, scoped down by AmazonCognitoUnAuthedIdentitiesSessionPolicy.
func (c *cognitoIdentityClient) GetCredentialsForIdentity(ctx context.Context, in *ci.GetCredentialsForIdentityInput, _ ...func(*ci.Options)) (*ci.GetCredentialsForIdentityOutput, error) {
	return do(ctx, c.base, "cognito-identity", "GetCredentialsForIdentity", in, func(r *region) (*ci.GetCredentialsForIdentityOutput, error) {
		if in == nil {
			in = &ci.GetCredentialsForIdentityInput{}
		}
		pr, p, err := c.guestIdentity(r, str(in.IdentityId), in.Logins)
		if err != nil {
			return nil, err
		}
		if str(in.CustomRoleArn) != "" {
			return nil, ciInvalid("CustomRoleArn is only valid for authenticated identities with role mappings.")
		}
		ro := c.w.guestRoleLocked(p, str(in.IdentityId))
		if ro == nil {
			return nil, &citypes.InvalidIdentityPoolConfigurationException{Message: msg("Invalid identity pool configuration. Check assigned IAM roles for this pool.")}
		}
		pol := c.w.parsedLocked(unauthedSessionPolicy)
		cr := c.w.issueCredsLocked(pr.account, ro, guestSession, &pol, time.Hour)
		return &ci.GetCredentialsForIdentityOutput{IdentityId: in.IdentityId, Credentials: &citypes.Credentials{AccessKeyId: ptr(cr.akid),
			SecretKey: ptr(cr.secret), SessionToken: ptr(cr.token), Expiration: ptr(cr.expires)}}, nil
	})
}

// GetOpenIdToken is the basic flow's first step: an OpenID token for the
// identity, valid 10 minutes, only when the pool allows the classic flow.
func (c *cognitoIdentityClient) GetOpenIdToken(ctx context.Context, in *ci.GetOpenIdTokenInput, _ ...func(*ci.Options)) (*ci.GetOpenIdTokenOutput, error) {
	return do(ctx, c.base, "cognito-identity", "GetOpenIdToken", in, func(r *region) (*ci.GetOpenIdTokenOutput, error) {
		if in == nil {
			in = &ci.GetOpenIdTokenInput{}
		}
		_, p, err := c.guestIdentity(r, str(in.IdentityId), in.Logins)
		if err != nil {
			return nil, err
		}
		if !p.allowClassic {
			return nil, ciInvalid("Basic (classic) flow is not enabled, please use enhanced flow.")
		}
		w := c.w
		if w.webTokens == nil {
			w.webTokens = map[string]*webToken{}
		}
		exp := w.now.Add(10 * time.Minute)
		claims, _ := json.Marshal(map[string]any{"iss": "https://cognito-identity.amazonaws.com", "sub": str(in.IdentityId), "aud": p.id,
			"amr": []string{"unauthenticated"}, "iat": w.now.Unix(), "exp": exp.Unix()})
		enc := base64.RawURLEncoding
		tok := enc.EncodeToString([]byte(`{"kid":"`+r.name+`-sim","typ":"JWS","alg":"RS512"}`)) + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString([]byte(w.hexID(64)))
		w.webTokens[tok] = &webToken{pool: p.id, identity: str(in.IdentityId), amr: "unauthenticated", expires: exp}
		return &ci.GetOpenIdTokenOutput{IdentityId: in.IdentityId, Token: ptr(tok)}, nil
	})
}

// poolByARN finds a pool of r by its ARN.
func (st *ciState) poolByARN(r *region, arn string) (*identityPool, error) {
	id, ok := strings.CutPrefix(arn, "arn:aws:cognito-identity:"+r.name+":"+r.account+":identitypool/")
	if !ok {
		if !strings.HasPrefix(arn, "arn:aws:cognito-identity:") {
			return nil, ciInvalid("1 validation error detected: Value '%s' at 'resourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws:cognito-identity:[-\\w]+:\\d{12}:identitypool/[\\w-]+:[0-9a-f-]+", arn)
		}
		return nil, &citypes.ResourceNotFoundException{Message: msg("Resource '%s' not found.", arn)}
	}
	p := st.pools[id]
	if p == nil {
		return nil, &citypes.ResourceNotFoundException{Message: msg("Resource '%s' not found.", arn)}
	}
	return p, nil
}

// ListTagsForResource lists a pool's tags by its ARN.
func (c *cognitoIdentityClient) ListTagsForResource(ctx context.Context, in *ci.ListTagsForResourceInput, _ ...func(*ci.Options)) (*ci.ListTagsForResourceOutput, error) {
	return do(ctx, c.base, "cognito-identity", "ListTagsForResource", in, func(r *region) (*ci.ListTagsForResourceOutput, error) {
		if in == nil {
			in = &ci.ListTagsForResourceInput{}
		}
		p, err := ciOf(r).poolByARN(r, str(in.ResourceArn))
		if err != nil {
			return nil, err
		}
		out := &ci.ListTagsForResourceOutput{Tags: map[string]string{}}
		for _, t := range p.tags {
			out.Tags[t.k] = t.v
		}
		return out, nil
	})
}

// TagResource adds or replaces tags of a pool (at most 50 in all).
func (c *cognitoIdentityClient) TagResource(ctx context.Context, in *ci.TagResourceInput, _ ...func(*ci.Options)) (*ci.TagResourceOutput, error) {
	return do(ctx, c.base, "cognito-identity", "TagResource", in, func(r *region) (*ci.TagResourceOutput, error) {
		if in == nil {
			in = &ci.TagResourceInput{}
		}
		p, err := ciOf(r).poolByARN(r, str(in.ResourceArn))
		if err != nil {
			return nil, err
		}
		if len(in.Tags) == 0 {
			return nil, ciInvalid("1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1")
		}
		tags := p.tags.clone()
		for _, k := range sortedKeys(in.Tags) {
			tags.set(k, in.Tags[k])
		}
		if err := validTags(tags); err != nil {
			return nil, ciInvalid("%v", err)
		}
		p.tags = tags
		return &ci.TagResourceOutput{}, nil
	})
}
