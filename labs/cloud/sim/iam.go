package sim

// IAM roles, global to an account: a client made for any region sees the same
// roles. Every account starts with ecsTaskExecutionRole (with
// AmazonECSTaskExecutionRolePolicy attached). Roles can be created (path, trust
// policy, tags, permissions boundary), read, listed (ListRoles by PathPrefix,
// sorted by name, paged; without tags or boundary, as IAM lists them), deleted
// (DeleteConflict while policies are attached or the role is in an instance
// profile, iam_profiles.go) and have managed policies attached and listed.
//
// SimulatePrincipalPolicy evaluates a role's inline and attached customer managed
// policies (explicit Deny wins, else a matching Allow, else implicitDeny); Lab 7's
// signup app uses the same evaluation for its instance role.
//
// Not modelled: enforcement on API calls (the simulator allows every call),
// conditions, AWS managed policy documents (any well-formed policy ARN attaches
// and grants nothing in evaluation), permissions boundaries in evaluation,
// RoleLastUsed, users and groups.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/authz"
)

type role struct {
	name, path, arn, id string
	trust               string
	desc                string
	maxSession          int32
	boundary            string
	tags                tagList
	createdAt           time.Time
	attached            []string          // policy ARNs in attach order
	inline              map[string]string // inline policy name → document
	evalCtx             *roleContext      // evaluate's last principal context (read-only)
}

// roleContext is a role's principal context as evaluate built it, with what it
// was built from: reused while the account and the role's tags are the same.
// It also remembers evaluate's decisions (the sample app asks the same two
// every simulated request) with the policies they were made from: a decision
// is reused only while the role's attached, inline and boundary documents are
// the very ones it was made with.
type roleContext struct {
	acct string
	tags tagList
	c    authz.Context

	attached, docs        []string          // the role's attached ARNs and their documents ("" if missing)
	inline                map[string]string // a copy of the role's inline documents
	boundary, boundaryDoc string
	decisions             map[evalKey]iamtypes.PolicyEvaluationDecisionType
}

type evalKey struct{ action, resource string }

// evalDecisionsMax bounds a role's remembered decisions.
const evalDecisionsMax = 64

// docOf is the document of managed policy arn in a, "" if there is none.
func (a *account) docOf(arn string) string {
	if mp := a.policies[arn]; mp != nil {
		return mp.doc
	}
	return ""
}

// sameInputs reports whether x's policies are the ones rc's decisions were made
// from. Documents compare by content; an unchanged document is the same string,
// so the comparison stops at its pointer.
func (rc *roleContext) sameInputs(a *account, x *role) bool {
	if len(x.attached) != len(rc.attached) || len(x.inline) != len(rc.inline) || x.boundary != rc.boundary || a.docOf(x.boundary) != rc.boundaryDoc {
		return false
	}
	for i, arn := range x.attached {
		if arn != rc.attached[i] || a.docOf(arn) != rc.docs[i] {
			return false
		}
	}
	for name, doc := range x.inline {
		if d, ok := rc.inline[name]; !ok || d != doc {
			return false
		}
	}
	return true
}

// remember records what x's decisions are made from, forgetting older ones.
func (rc *roleContext) remember(a *account, x *role) {
	rc.attached, rc.docs = slices.Clone(x.attached), make([]string, len(x.attached))
	for i, arn := range x.attached {
		rc.docs[i] = a.docOf(arn)
	}
	rc.inline = maps.Clone(x.inline)
	rc.boundary, rc.boundaryDoc = x.boundary, a.docOf(x.boundary)
	rc.decisions = map[evalKey]iamtypes.PolicyEvaluationDecisionType{}
}

const ecsExecPolicy = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

// seedRoles creates the roles every account has.
func (a *account) seedRoles(w *World) {
	trust := `{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	r := &role{name: "ecsTaskExecutionRole", path: "/", trust: trust, maxSession: 3600, createdAt: w.now,
		id: "AROA" + strings.ToUpper(hashID(17, a.id, "ecsTaskExecutionRole")), attached: []string{ecsExecPolicy}}
	r.arn = "arn:aws:iam::" + a.id + ":role/ecsTaskExecutionRole"
	a.roles[strings.ToLower(r.name)] = r
}

// iamClient implements cloud.IAM.
type iamClient struct{ base }

var (
	roleNameRE  = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	iamPathRE   = regexp.MustCompile(`^/([\x21-\x7E]*/)?$`)
	policyArnRE = regexp.MustCompile(`^arn:aws:iam::(aws|[0-9]{12}):policy/([\x21-\x7E]+/)?[\w+=,.@-]{1,128}$`)
)

func noSuchRole(name string) error {
	return &iamtypes.NoSuchEntityException{Message: msg("The role with name %s cannot be found.", name)}
}

// awsEncode percent-encodes a policy document as IAM returns it.
func awsEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func (x *role) out() *iamtypes.Role {
	out := &iamtypes.Role{
		Arn: ptr(x.arn), RoleName: ptr(x.name), Path: ptr(x.path), RoleId: ptr(x.id), CreateDate: ptr(x.createdAt),
		AssumeRolePolicyDocument: ptr(awsEncode(x.trust)), Description: nilIfEmpty(x.desc), MaxSessionDuration: ptr(x.maxSession),
	}
	if x.boundary != "" {
		out.PermissionsBoundary = &iamtypes.AttachedPermissionsBoundary{PermissionsBoundaryArn: ptr(x.boundary), PermissionsBoundaryType: iamtypes.PermissionsBoundaryAttachmentTypePolicy}
	}
	for _, t := range x.tags {
		out.Tags = append(out.Tags, iamtypes.Tag{Key: ptr(t.k), Value: ptr(t.v)})
	}
	return out
}

// listOut is the role as IAM's listing operations show it: "This operation does
// not return the following attributes …: PermissionsBoundary, RoleLastUsed, Tags".
func (x *role) listOut() *iamtypes.Role {
	out := x.out()
	out.PermissionsBoundary, out.Tags = nil, nil
	return out
}

var pathPrefixRE = regexp.MustCompile(`^/[\x21-\x7E]*$`)

// pathPrefix reads a PathPrefix parameter ("/" when absent).
func pathPrefix(p *string) (string, error) {
	if p == nil || *p == "" {
		return "/", nil
	}
	if len(*p) > 512 || !pathPrefixRE.MatchString(*p) {
		return "", validationError("1 validation error detected: Value '%s' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*", *p)
	}
	return *p, nil
}

// ListRoles lists the roles whose path starts with PathPrefix, sorted by name
// (the simulator's order), MaxItems at a time.
func (c *iamClient) ListRoles(ctx context.Context, in *iam.ListRolesInput, _ ...func(*iam.Options)) (*iam.ListRolesOutput, error) {
	return do(ctx, c.base, "iam", "ListRoles", in, func(r *region) (*iam.ListRolesOutput, error) {
		a := r.acct
		if in == nil {
			in = &iam.ListRolesInput{}
		}
		prefix, err := pathPrefix(in.PathPrefix)
		if err != nil {
			return nil, err
		}
		var all []iamtypes.Role
		for _, k := range sortedKeys(a.roles) {
			if x := a.roles[k]; strings.HasPrefix(x.path, prefix) {
				all = append(all, *x.listOut())
			}
		}
		page, trunc, next, err := iamPage(all, in.MaxItems, in.Marker)
		if err != nil {
			return nil, err
		}
		return &iam.ListRolesOutput{Roles: page, IsTruncated: trunc, Marker: next}, nil
	})
}

// GetRole returns a role by name.
func (c *iamClient) GetRole(ctx context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	return do(ctx, c.base, "iam", "GetRole", in, func(r *region) (*iam.GetRoleOutput, error) {
		a := r.acct
		if in == nil || str(in.RoleName) == "" {
			return nil, validationError("1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null")
		}
		x := a.roles[strings.ToLower(str(in.RoleName))]
		if x == nil {
			return nil, noSuchRole(str(in.RoleName))
		}
		return &iam.GetRoleOutput{Role: x.out()}, nil
	})
}

// CreateRole creates a role; names are unique per account, case-insensitively.
func (c *iamClient) CreateRole(ctx context.Context, in *iam.CreateRoleInput, _ ...func(*iam.Options)) (*iam.CreateRoleOutput, error) {
	return do(ctx, c.base, "iam", "CreateRole", in, func(r *region) (*iam.CreateRoleOutput, error) {
		a := r.acct
		if in == nil {
			in = &iam.CreateRoleInput{}
		}
		var tags tagList
		for _, t := range in.Tags {
			tags.set(str(t.Key), str(t.Value))
		}
		x, err := a.createRole(c.w, str(in.RoleName), str(in.Path), str(in.AssumeRolePolicyDocument), str(in.Description), str(in.PermissionsBoundary), i32(in.MaxSessionDuration, 3600), tags)
		if err != nil {
			return nil, err
		}
		return &iam.CreateRoleOutput{Role: x.out()}, nil
	})
}

// createRole is CreateRole's model, shared with CloudFormation.
func (a *account) createRole(w *World, name, path, trust, desc, boundary string, maxSession int32, tags tagList) (*role, error) {
	if !roleNameRE.MatchString(name) {
		return nil, validationError("1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and 64", name)
	}
	if path == "" {
		path = "/"
	}
	if len(path) > 512 || !iamPathRE.MatchString(path) {
		return nil, validationError("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	if trust == "" {
		return nil, validationError("1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null")
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(trust), &doc); err != nil {
		return nil, &iamtypes.MalformedPolicyDocumentException{Message: ptr("This policy contains invalid Json")}
	}
	if _, ok := doc["Statement"]; !ok {
		return nil, &iamtypes.MalformedPolicyDocumentException{Message: ptr("Syntax errors in policy.")}
	}
	if boundary != "" && !policyArnRE.MatchString(boundary) {
		return nil, &iamtypes.InvalidInputException{Message: msg("ARN %s is not valid.", boundary)}
	}
	if maxSession < 3600 || maxSession > 43200 {
		return nil, validationError("The requested MaxSessionDuration exceeds the allowed range of 3600 to 43200 seconds.")
	}
	if err := validTags(tags); err != nil {
		return nil, &iamtypes.InvalidInputException{Message: msg("%v", err)}
	}
	if a.roles[strings.ToLower(name)] != nil {
		return nil, &iamtypes.EntityAlreadyExistsException{Message: msg("Role with name %s already exists.", name)}
	}
	x := &role{name: name, path: path, trust: trust, desc: desc, boundary: boundary, maxSession: maxSession, tags: tags.clone(),
		createdAt: w.now, id: "AROA" + strings.ToUpper(w.hexID(17)), arn: "arn:aws:iam::" + a.id + ":role" + path + name}
	a.roles[strings.ToLower(name)] = x
	return x, nil
}

// DeleteRole deletes a role with no attached policies.
func (c *iamClient) DeleteRole(ctx context.Context, in *iam.DeleteRoleInput, _ ...func(*iam.Options)) (*iam.DeleteRoleOutput, error) {
	return do(ctx, c.base, "iam", "DeleteRole", in, func(r *region) (*iam.DeleteRoleOutput, error) {
		a := r.acct
		if in == nil || str(in.RoleName) == "" {
			return nil, validationError("1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null")
		}
		if err := a.deleteRole(str(in.RoleName)); err != nil {
			return nil, err
		}
		return &iam.DeleteRoleOutput{}, nil
	})
}

func (a *account) deleteRole(name string) error {
	x := a.roles[strings.ToLower(name)]
	if x == nil {
		return noSuchRole(name)
	}
	if len(x.attached) > 0 {
		return &iamtypes.DeleteConflictException{Message: ptr("Cannot delete entity, must detach all policies first.")}
	}
	if len(x.inline) > 0 {
		return &iamtypes.DeleteConflictException{Message: ptr("Cannot delete entity, must delete policies first.")}
	}
	if len(a.profilesOfRole(x)) > 0 {
		return &iamtypes.DeleteConflictException{Message: ptr("Cannot delete entity, must remove roles from instance profile first.")}
	}
	delete(a.roles, strings.ToLower(name))
	return nil
}

// AttachRolePolicy attaches a managed policy (idempotent).
func (c *iamClient) AttachRolePolicy(ctx context.Context, in *iam.AttachRolePolicyInput, _ ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error) {
	return do(ctx, c.base, "iam", "AttachRolePolicy", in, func(r *region) (*iam.AttachRolePolicyOutput, error) {
		a := r.acct
		if in == nil {
			in = &iam.AttachRolePolicyInput{}
		}
		if str(in.RoleName) == "" || str(in.PolicyArn) == "" {
			return nil, validationError("RoleName and PolicyArn are required.")
		}
		x := a.roles[strings.ToLower(str(in.RoleName))]
		if x == nil {
			return nil, noSuchRole(str(in.RoleName))
		}
		p := str(in.PolicyArn)
		if !policyArnRE.MatchString(p) {
			return nil, &iamtypes.InvalidInputException{Message: msg("ARN %s is not valid.", p)}
		}
		if !contains(x.attached, p) {
			if len(x.attached) >= 20 {
				return nil, &iamtypes.LimitExceededException{Message: ptr("Cannot exceed quota for PoliciesPerRole: 20")}
			}
			x.attached = append(x.attached, p)
		}
		return &iam.AttachRolePolicyOutput{}, nil
	})
}

// DetachRolePolicy removes a managed policy from a role (NoSuchEntity if it is not attached).
func (c *iamClient) DetachRolePolicy(ctx context.Context, in *iam.DetachRolePolicyInput, _ ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error) {
	return do(ctx, c.base, "iam", "DetachRolePolicy", in, func(r *region) (*iam.DetachRolePolicyOutput, error) {
		a := r.acct
		if in == nil || str(in.RoleName) == "" || str(in.PolicyArn) == "" {
			return nil, validationError("RoleName and PolicyArn are required.")
		}
		x := a.roles[strings.ToLower(str(in.RoleName))]
		if x == nil {
			return nil, noSuchRole(str(in.RoleName))
		}
		for i, p := range x.attached {
			if p == str(in.PolicyArn) {
				x.attached = append(x.attached[:i:i], x.attached[i+1:]...)
				return &iam.DetachRolePolicyOutput{}, nil
			}
		}
		return nil, &iamtypes.NoSuchEntityException{Message: msg("Policy %s was not found.", str(in.PolicyArn))}
	})
}

// ListAttachedRolePolicies lists a role's managed policies.
func (c *iamClient) ListAttachedRolePolicies(ctx context.Context, in *iam.ListAttachedRolePoliciesInput, _ ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error) {
	return do(ctx, c.base, "iam", "ListAttachedRolePolicies", in, func(r *region) (*iam.ListAttachedRolePoliciesOutput, error) {
		a := r.acct
		if in == nil || str(in.RoleName) == "" {
			return nil, validationError("1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null")
		}
		x := a.roles[strings.ToLower(str(in.RoleName))]
		if x == nil {
			return nil, noSuchRole(str(in.RoleName))
		}
		max := int(i32(in.MaxItems, 100))
		if max < 1 || max > 1000 {
			return nil, validationError("MaxItems must be between 1 and 1000.")
		}
		start, ok := readIntToken(in.Marker)
		if !ok {
			return nil, validationError("Invalid Marker.")
		}
		var all []iamtypes.AttachedPolicy
		for _, p := range x.attached {
			rest := p[strings.Index(p, ":policy")+len(":policy"):]
			if pp := str(in.PathPrefix); pp != "" && !strings.HasPrefix(rest, pp) {
				continue
			}
			all = append(all, iamtypes.AttachedPolicy{PolicyArn: ptr(p), PolicyName: ptr(rest[strings.LastIndex(rest, "/")+1:])})
		}
		out := &iam.ListAttachedRolePoliciesOutput{}
		if start > len(all) {
			start = len(all)
		}
		end := start + max
		if end < len(all) {
			out.IsTruncated, out.Marker = true, intToken(end)
		} else {
			end = len(all)
		}
		out.AttachedPolicies = all[start:end]
		return out, nil
	})
}

// PutRolePolicy adds or replaces an inline policy of a role.
func (c *iamClient) PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, _ ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	return do(ctx, c.base, "iam", "PutRolePolicy", in, func(r *region) (*iam.PutRolePolicyOutput, error) {
		a := r.acct
		if in == nil || str(in.RoleName) == "" || str(in.PolicyName) == "" || str(in.PolicyDocument) == "" {
			return nil, validationError("RoleName, PolicyName and PolicyDocument are required.")
		}
		x := a.roles[strings.ToLower(str(in.RoleName))]
		if x == nil {
			return nil, noSuchRole(str(in.RoleName))
		}
		if x.inline == nil {
			x.inline = map[string]string{}
		}
		x.inline[str(in.PolicyName)] = str(in.PolicyDocument)
		return &iam.PutRolePolicyOutput{}, nil
	})
}

// UpdateAssumeRolePolicy replaces a role's trust policy (Lab 4: the guest role's
// trust names the student's identity pool, which the stack could not know).
func (c *iamClient) UpdateAssumeRolePolicy(ctx context.Context, in *iam.UpdateAssumeRolePolicyInput, _ ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error) {
	return do(ctx, c.base, "iam", "UpdateAssumeRolePolicy", in, func(r *region) (*iam.UpdateAssumeRolePolicyOutput, error) {
		if in == nil || str(in.RoleName) == "" || str(in.PolicyDocument) == "" {
			return nil, validationError("RoleName and PolicyDocument are required.")
		}
		x := r.acct.roles[strings.ToLower(str(in.RoleName))]
		if x == nil {
			return nil, noSuchRole(str(in.RoleName))
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(str(in.PolicyDocument)), &doc); err != nil {
			return nil, &iamtypes.MalformedPolicyDocumentException{Message: ptr("This policy contains invalid Json")}
		}
		if _, ok := doc["Statement"]; !ok {
			return nil, &iamtypes.MalformedPolicyDocumentException{Message: ptr("Syntax errors in policy.")}
		}
		x.trust = str(in.PolicyDocument)
		return &iam.UpdateAssumeRolePolicyOutput{}, nil
	})
}

// ListRolePolicies lists a role's inline policy names, sorted.
func (c *iamClient) ListRolePolicies(ctx context.Context, in *iam.ListRolePoliciesInput, _ ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error) {
	return do(ctx, c.base, "iam", "ListRolePolicies", in, func(r *region) (*iam.ListRolePoliciesOutput, error) {
		a := r.acct
		if in == nil || str(in.RoleName) == "" {
			return nil, validationError("1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null")
		}
		x := a.roles[strings.ToLower(str(in.RoleName))]
		if x == nil {
			return nil, noSuchRole(str(in.RoleName))
		}
		names := []string{}
		for n := range x.inline {
			names = append(names, n)
		}
		sort.Strings(names)
		return &iam.ListRolePoliciesOutput{PolicyNames: names}, nil
	})
}

// DeleteRolePolicy deletes an inline policy of a role.
func (c *iamClient) DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, _ ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error) {
	return do(ctx, c.base, "iam", "DeleteRolePolicy", in, func(r *region) (*iam.DeleteRolePolicyOutput, error) {
		a := r.acct
		if in == nil || str(in.RoleName) == "" || str(in.PolicyName) == "" {
			return nil, validationError("RoleName and PolicyName are required.")
		}
		x := a.roles[strings.ToLower(str(in.RoleName))]
		if x == nil {
			return nil, noSuchRole(str(in.RoleName))
		}
		if _, ok := x.inline[str(in.PolicyName)]; !ok {
			return nil, &iamtypes.NoSuchEntityException{Message: msg("The role policy with name %s cannot be found.", str(in.PolicyName))}
		}
		delete(x.inline, str(in.PolicyName))
		return &iam.DeleteRolePolicyOutput{}, nil
	})
}

// evaluate decides action on resource for role x with the one evaluator every
// sandbox call goes through (authz.go): its attached customer managed and inline
// policies, its permissions boundary, the role's principal tags and the given
// context keys. AWS managed policies are not known to the simulator and grant
// nothing here. The world's lock must be held.
func (w *World) evaluate(a *account, x *role, action, resource string, keys map[string][]string) iamtypes.PolicyEvaluationDecisionType {
	var c authz.Context
	var memo *roleContext
	if len(keys) == 0 {
		// The signup app asks this twice per simulated request: build the
		// context once per role and tags, and reuse a decision while the role's
		// policies are the same. Evaluate only reads the context.
		rc := x.evalCtx
		if rc == nil || rc.acct != a.id || !slices.Equal(rc.tags, x.tags) {
			rc = &roleContext{acct: a.id, tags: x.tags.clone(), c: principalContext(x, a.id, x.arn, "us-east-1")}
			rc.remember(a, x)
			x.evalCtx = rc
		} else if !rc.sameInputs(a, x) || len(rc.decisions) >= evalDecisionsMax {
			rc.remember(a, x)
		}
		if d, ok := rc.decisions[evalKey{action, resource}]; ok {
			return d
		}
		c, memo = rc.c, rc
	} else {
		c = principalContext(x, a.id, x.arn, "us-east-1")
		for k, v := range keys {
			c.Set(k, v...)
		}
	}
	d := w.principalLocked(a, x, x.arn).Evaluate(authz.Request{Action: action, Resource: resource, Context: c})
	out := iamtypes.PolicyEvaluationDecisionTypeImplicitDeny
	switch {
	case d.Allowed:
		out = iamtypes.PolicyEvaluationDecisionTypeAllowed
	case strings.HasPrefix(d.Why, "with an explicit deny"):
		out = iamtypes.PolicyEvaluationDecisionTypeExplicitDeny
	}
	if memo != nil {
		memo.decisions[evalKey{action, resource}] = out
	}
	return out
}

// roleByArn finds a role of this account by its ARN.
func (a *account) roleByArn(arn string) *role {
	if !strings.HasPrefix(arn, "arn:aws:iam::"+a.id+":role/") {
		return nil
	}
	x := a.roles[strings.ToLower(arn[strings.LastIndex(arn, "/")+1:])]
	if x == nil || x.arn != arn {
		return nil
	}
	return x
}

// SimulatePrincipalPolicy evaluates a role's policies for each action and resource
// with the evaluator every sandbox call goes through (World.evaluate). Only roles are modelled as policy sources.
func (c *iamClient) SimulatePrincipalPolicy(ctx context.Context, in *iam.SimulatePrincipalPolicyInput, _ ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error) {
	return do(ctx, c.base, "iam", "SimulatePrincipalPolicy", in, func(r *region) (*iam.SimulatePrincipalPolicyOutput, error) {
		a := r.acct
		if in == nil || str(in.PolicySourceArn) == "" || len(in.ActionNames) == 0 {
			return nil, validationError("PolicySourceArn and ActionNames are required.")
		}
		src := str(in.PolicySourceArn)
		if !strings.Contains(src, ":role/") {
			return nil, &iamtypes.InvalidInputException{Message: msg("The simulator models only roles as policy sources: %s", src)}
		}
		x := a.roleByArn(src)
		if x == nil {
			return nil, &iamtypes.NoSuchEntityException{Message: msg("Role %s does not exist.", src)}
		}
		resources := in.ResourceArns
		if len(resources) == 0 {
			resources = []string{"*"}
		}
		keys := map[string][]string{}
		for _, e := range in.ContextEntries {
			keys[str(e.ContextKeyName)] = e.ContextKeyValues
		}
		out := &iam.SimulatePrincipalPolicyOutput{EvaluationResults: []iamtypes.EvaluationResult{}}
		for _, act := range in.ActionNames {
			if !strings.Contains(act, ":") {
				return nil, &iamtypes.InvalidInputException{Message: msg("Action %s is not a valid action name.", act)}
			}
			for _, res := range resources {
				out.EvaluationResults = append(out.EvaluationResults, iamtypes.EvaluationResult{
					EvalActionName: ptr(act), EvalResourceName: ptr(res), EvalDecision: c.w.evaluate(a, x, act, res, keys)})
			}
		}
		return out, nil
	})
}

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::IAM::Role", cfnRole)
	registerCFN("AWS::IAM::RolePolicy", cfnRolePolicy)
}

// cfnRole creates an AWS::IAM::Role for a stack.
func cfnRole(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "RoleName")
	if name == "" {
		name = r.genName(st, logical, 64)
	}
	trust := ""
	switch d := p["AssumeRolePolicyDocument"].(type) {
	case string:
		trust = d
	case map[string]any:
		b, _ := json.Marshal(d)
		trust = string(b)
	}
	maxS, err := propInt(p, "MaxSessionDuration")
	if err != nil {
		return err
	}
	x, err := r.acct.createRole(r.w, name, propStr(p, "Path"), trust, propStr(p, "Description"), propStr(p, "PermissionsBoundary"), i32(maxS, 3600), st.resourceTags(logical, propTags(p)))
	if err != nil {
		return err
	}
	for _, pa := range propList(p, "ManagedPolicyArns") {
		if !policyArnRE.MatchString(pa) {
			delete(r.acct.roles, strings.ToLower(name))
			return fmt.Errorf("ARN %s is not valid.", pa)
		}
		x.attached = append(x.attached, pa)
	}
	// Policies: the role's inline policies.
	for _, pol := range propMaps(p, "Policies") {
		pn, doc := propStr(pol, "PolicyName"), cfnPolicyDoc(pol["PolicyDocument"])
		if pn == "" || doc == "" || !json.Valid([]byte(doc)) {
			delete(r.acct.roles, strings.ToLower(name))
			return fmt.Errorf("Property Policies: each policy needs a PolicyName and a valid JSON PolicyDocument.")
		}
		if x.inline == nil {
			x.inline = map[string]string{}
		}
		x.inline[pn] = doc
	}
	rs.physical = name
	rs.attrs["Arn"], rs.attrs["RoleId"] = x.arn, x.id
	rs.del = func() error {
		x.attached = nil
		if err := r.acct.deleteRole(name); err != nil && !strings.Contains(err.Error(), "cannot be found") {
			return err
		}
		return nil
	}
	return nil
}

// cfnRolePolicy creates an AWS::IAM::RolePolicy for a stack.
func cfnRolePolicy(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	roleName, name, doc := propStr(p, "RoleName"), propStr(p, "PolicyName"), cfnPolicyDoc(p["PolicyDocument"])
	if roleName == "" || name == "" || doc == "" {
		return fmt.Errorf("Properties RoleName, PolicyName and PolicyDocument are required.")
	}
	if !json.Valid([]byte(doc)) {
		return fmt.Errorf("This policy contains invalid Json")
	}
	x := r.acct.roles[strings.ToLower(roleName)]
	if x == nil {
		return noSuchRole(roleName)
	}
	if x.inline == nil {
		x.inline = map[string]string{}
	}
	x.inline[name] = doc
	rs.physical = name
	rs.del = func() error {
		if r.acct.roles[strings.ToLower(roleName)] == x {
			delete(x.inline, name)
		}
		return nil
	}
	return nil
}

func init() {
	registerService("iam", func(b base, c *cloud.Clients) { c.IAM = &iamClient{b} })
}
