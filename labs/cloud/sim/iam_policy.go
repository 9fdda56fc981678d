package sim

// Customer managed IAM policies: created with a document (validated as JSON and
// within IAM's 6,144-character limit), read back by ARN, their tags listed
// (ListPolicyTags, sorted by key). ListEntitiesForPolicy lists the roles a
// managed policy (customer or AWS managed) is attached to, or is the permissions
// boundary of (PolicyUsageFilter PermissionsPolicy, PermissionsBoundary, or both
// when absent); users and groups are not modelled, so PolicyUsers and
// PolicyGroups are always empty. Documents are stored; SimulatePrincipalPolicy
// evaluates them (iam.go).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

type managedPolicy struct {
	name, path, arn, id, doc string // doc is the default version's document
	tags                     tagList
	createdAt                time.Time
	versions                 []*policyVersion // oldest first; IAM keeps at most five
	def                      string           // the default version's id
	nextVersion              int
}

type policyVersion struct {
	id, doc   string
	createdAt time.Time
}

func (p *managedPolicy) out() *iamtypes.Policy {
	updated := p.createdAt
	for _, v := range p.versions {
		if v.id == p.def {
			updated = v.createdAt
		}
	}
	return &iamtypes.Policy{Arn: ptr(p.arn), PolicyName: ptr(p.name), Path: ptr(p.path), PolicyId: ptr(p.id),
		DefaultVersionId: ptr(p.def), IsAttachable: true, CreateDate: ptr(p.createdAt), UpdateDate: ptr(updated)}
}

// addVersion stores doc as the policy's next version.
func (p *managedPolicy) addVersion(doc string, now time.Time, setDefault bool) *policyVersion {
	p.nextVersion++
	v := &policyVersion{id: fmt.Sprintf("v%d", p.nextVersion), doc: doc, createdAt: now}
	p.versions = append(p.versions, v)
	if setDefault {
		p.def, p.doc = v.id, doc
	}
	return v
}

func (v *policyVersion) out(def string) *iamtypes.PolicyVersion {
	// IAM returns the document URL-encoded (RFC 3986), as the API reference says.
	return &iamtypes.PolicyVersion{VersionId: ptr(v.id), Document: ptr(url.QueryEscape(v.doc)), IsDefaultVersion: v.id == def, CreateDate: ptr(v.createdAt)}
}

// policyDoc checks a policy document as CreatePolicy and CreatePolicyVersion do:
// JSON, and IAM's size limit.
func policyDoc(doc string) error {
	var parsed map[string]any
	if json.Unmarshal([]byte(doc), &parsed) != nil {
		return &iamtypes.MalformedPolicyDocumentException{Message: ptr("Syntax errors in policy.")}
	}
	size := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			size++
		}
	}
	if size > 6144 {
		return &iamtypes.LimitExceededException{Message: ptr("Cannot exceed quota for PolicySize: 6144")}
	}
	return nil
}

// policy finds a customer managed policy by ARN.
func (a *account) policy(arn *string) (*managedPolicy, error) {
	if !policyArnRE.MatchString(str(arn)) {
		return nil, validationError("The policy ARN is not valid.")
	}
	p := a.policies[str(arn)]
	if p == nil {
		return nil, &iamtypes.NoSuchEntityException{Message: msg("Policy %s does not exist or is not attachable.", str(arn))}
	}
	return p, nil
}

// CreatePolicyVersion stores a new version; IAM keeps five at most.
func (c *iamClient) CreatePolicyVersion(ctx context.Context, in *iam.CreatePolicyVersionInput, _ ...func(*iam.Options)) (*iam.CreatePolicyVersionOutput, error) {
	return do(ctx, c.base, "iam", "CreatePolicyVersion", in, func(r *region) (*iam.CreatePolicyVersionOutput, error) {
		a := r.acct
		if in == nil {
			in = &iam.CreatePolicyVersionInput{}
		}
		p, err := a.policy(in.PolicyArn)
		if err != nil {
			return nil, err
		}
		if err := policyDoc(str(in.PolicyDocument)); err != nil {
			return nil, err
		}
		if len(p.versions) >= 5 {
			return nil, &iamtypes.LimitExceededException{Message: msg("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")}
		}
		v := p.addVersion(str(in.PolicyDocument), c.w.now, in.SetAsDefault)
		return &iam.CreatePolicyVersionOutput{PolicyVersion: v.out(p.def)}, nil
	})
}

// GetPolicyVersion returns one version, its document URL-encoded as IAM returns it.
func (c *iamClient) GetPolicyVersion(ctx context.Context, in *iam.GetPolicyVersionInput, _ ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error) {
	return do(ctx, c.base, "iam", "GetPolicyVersion", in, func(r *region) (*iam.GetPolicyVersionOutput, error) {
		a := r.acct
		if in == nil {
			in = &iam.GetPolicyVersionInput{}
		}
		p, err := a.policy(in.PolicyArn)
		if err != nil {
			return nil, err
		}
		for _, v := range p.versions {
			if v.id == str(in.VersionId) {
				return &iam.GetPolicyVersionOutput{PolicyVersion: v.out(p.def)}, nil
			}
		}
		return nil, &iamtypes.NoSuchEntityException{Message: msg("Policy %s version %s does not exist or is not attachable.", p.arn, str(in.VersionId))}
	})
}

// ListPolicyVersions lists a policy's versions, newest first (documents omitted, as IAM does).
func (c *iamClient) ListPolicyVersions(ctx context.Context, in *iam.ListPolicyVersionsInput, _ ...func(*iam.Options)) (*iam.ListPolicyVersionsOutput, error) {
	return do(ctx, c.base, "iam", "ListPolicyVersions", in, func(r *region) (*iam.ListPolicyVersionsOutput, error) {
		a := r.acct
		if in == nil {
			in = &iam.ListPolicyVersionsInput{}
		}
		p, err := a.policy(in.PolicyArn)
		if err != nil {
			return nil, err
		}
		out := &iam.ListPolicyVersionsOutput{}
		for i := len(p.versions) - 1; i >= 0; i-- {
			v := p.versions[i].out(p.def)
			v.Document = nil
			out.Versions = append(out.Versions, *v)
		}
		return out, nil
	})
}

// DeletePolicyVersion deletes a version that is not the default.
func (c *iamClient) DeletePolicyVersion(ctx context.Context, in *iam.DeletePolicyVersionInput, _ ...func(*iam.Options)) (*iam.DeletePolicyVersionOutput, error) {
	return do(ctx, c.base, "iam", "DeletePolicyVersion", in, func(r *region) (*iam.DeletePolicyVersionOutput, error) {
		a := r.acct
		if in == nil {
			in = &iam.DeletePolicyVersionInput{}
		}
		p, err := a.policy(in.PolicyArn)
		if err != nil {
			return nil, err
		}
		if str(in.VersionId) == p.def {
			return nil, &iamtypes.DeleteConflictException{Message: ptr("Cannot delete the default version of a policy.")}
		}
		for i, v := range p.versions {
			if v.id == str(in.VersionId) {
				p.versions = append(p.versions[:i], p.versions[i+1:]...)
				return &iam.DeletePolicyVersionOutput{}, nil
			}
		}
		return nil, &iamtypes.NoSuchEntityException{Message: msg("Policy %s version %s does not exist.", p.arn, str(in.VersionId))}
	})
}

// CreatePolicy stores a customer managed policy.
func (c *iamClient) CreatePolicy(ctx context.Context, in *iam.CreatePolicyInput, _ ...func(*iam.Options)) (*iam.CreatePolicyOutput, error) {
	return do(ctx, c.base, "iam", "CreatePolicy", in, func(r *region) (*iam.CreatePolicyOutput, error) {
		a := r.acct
		if in == nil || !roleNameRE.MatchString(str(in.PolicyName)) {
			return nil, validationError("1 validation error detected: Value at 'policyName' failed to satisfy constraint")
		}
		path := str(in.Path)
		if path == "" {
			path = "/"
		}
		if !iamPathRE.MatchString(path) {
			return nil, validationError("The specified value for path is invalid.")
		}
		doc := str(in.PolicyDocument)
		if err := policyDoc(doc); err != nil {
			return nil, err
		}
		arn := "arn:aws:iam::" + a.id + ":policy" + path + str(in.PolicyName)
		for _, p := range a.policies {
			if strings.EqualFold(p.name, str(in.PolicyName)) {
				return nil, &iamtypes.EntityAlreadyExistsException{Message: msg("A policy called %s already exists. Duplicate names are not allowed.", str(in.PolicyName))}
			}
		}
		p := &managedPolicy{name: str(in.PolicyName), path: path, arn: arn, createdAt: c.w.now,
			id: "ANPA" + strings.ToUpper(hashID(17, a.id, arn))}
		p.addVersion(doc, c.w.now, true)
		for _, t := range in.Tags {
			p.tags.set(str(t.Key), str(t.Value))
		}
		a.policies[arn] = p
		return &iam.CreatePolicyOutput{Policy: p.out()}, nil
	})
}

// GetPolicy returns a customer managed policy by ARN.
func (c *iamClient) GetPolicy(ctx context.Context, in *iam.GetPolicyInput, _ ...func(*iam.Options)) (*iam.GetPolicyOutput, error) {
	return do(ctx, c.base, "iam", "GetPolicy", in, func(r *region) (*iam.GetPolicyOutput, error) {
		a := r.acct
		if in == nil || !policyArnRE.MatchString(str(in.PolicyArn)) {
			return nil, validationError("The policy ARN is not valid.")
		}
		p := a.policies[str(in.PolicyArn)]
		if p == nil {
			return nil, &iamtypes.NoSuchEntityException{Message: msg("Policy %s does not exist or is not attachable.", str(in.PolicyArn))}
		}
		return &iam.GetPolicyOutput{Policy: p.out()}, nil
	})
}

// DeletePolicy deletes a customer managed policy; one still attached to a role or used
// as a role's permissions boundary is a DeleteConflict, as in IAM.
func (c *iamClient) DeletePolicy(ctx context.Context, in *iam.DeletePolicyInput, _ ...func(*iam.Options)) (*iam.DeletePolicyOutput, error) {
	return do(ctx, c.base, "iam", "DeletePolicy", in, func(r *region) (*iam.DeletePolicyOutput, error) {
		a := r.acct
		if in == nil || !policyArnRE.MatchString(str(in.PolicyArn)) {
			return nil, validationError("The policy ARN is not valid.")
		}
		arn := str(in.PolicyArn)
		if a.policies[arn] == nil {
			return nil, &iamtypes.NoSuchEntityException{Message: msg("Policy %s does not exist or is not attachable.", arn)}
		}
		for _, r := range a.roles {
			if r.boundary == arn || contains(r.attached, arn) {
				return nil, &iamtypes.DeleteConflictException{Message: ptr("Cannot delete a policy attached to entities.")}
			}
		}
		if len(a.policies[arn].versions) > 1 {
			return nil, &iamtypes.DeleteConflictException{Message: ptr("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")}
		}
		delete(a.policies, arn)
		return &iam.DeletePolicyOutput{}, nil
	})
}

// ListPolicyTags lists a customer managed policy's tags, sorted by key. An unknown
// policy is NoSuchEntity (the message is the simulator's); so is an AWS managed
// one, which the simulator does not model (what AWS answers for one is not
// documented).
func (c *iamClient) ListPolicyTags(ctx context.Context, in *iam.ListPolicyTagsInput, _ ...func(*iam.Options)) (*iam.ListPolicyTagsOutput, error) {
	return do(ctx, c.base, "iam", "ListPolicyTags", in, func(r *region) (*iam.ListPolicyTagsOutput, error) {
		a := r.acct
		if in == nil || str(in.PolicyArn) == "" {
			return nil, nameRequired("policyArn")
		}
		arn := str(in.PolicyArn)
		if !policyArnRE.MatchString(arn) {
			return nil, &iamtypes.InvalidInputException{Message: msg("ARN %s is not valid.", arn)}
		}
		p := a.policies[arn]
		if p == nil {
			return nil, &iamtypes.NoSuchEntityException{Message: msg("The policy with ARN %s cannot be found.", arn)}
		}
		page, trunc, next, err := iamPage(iamTags(p.tags, true), in.MaxItems, in.Marker)
		if err != nil {
			return nil, err
		}
		return &iam.ListPolicyTagsOutput{Tags: page, IsTruncated: trunc, Marker: next}, nil
	})
}

// ListEntitiesForPolicy lists the roles (sorted by name, with PathPrefix on
// their paths) that have the policy attached (PermissionsPolicy) or as their
// permissions boundary (PermissionsBoundary); without PolicyUsageFilter, both.
// EntityFilter Role lists roles, User and Group nothing (not modelled);
// LocalManagedPolicy and AWSManagedPolicy list the entities only when the policy
// is of that kind (the simulator's reading of an unexplained filter). A customer
// managed policy must exist (NoSuchEntity); any well-formed AWS managed policy
// ARN is taken to exist, as AttachRolePolicy takes it.
func (c *iamClient) ListEntitiesForPolicy(ctx context.Context, in *iam.ListEntitiesForPolicyInput, _ ...func(*iam.Options)) (*iam.ListEntitiesForPolicyOutput, error) {
	return do(ctx, c.base, "iam", "ListEntitiesForPolicy", in, func(r *region) (*iam.ListEntitiesForPolicyOutput, error) {
		a := r.acct
		if in == nil || str(in.PolicyArn) == "" {
			return nil, nameRequired("policyArn")
		}
		arn := str(in.PolicyArn)
		if !policyArnRE.MatchString(arn) {
			return nil, &iamtypes.InvalidInputException{Message: msg("ARN %s is not valid.", arn)}
		}
		awsManaged := strings.HasPrefix(arn, "arn:aws:iam::aws:policy/")
		if !awsManaged && a.policies[arn] == nil {
			return nil, &iamtypes.NoSuchEntityException{Message: msg("Policy %s does not exist or is not attachable.", arn)}
		}
		prefix, err := pathPrefix(in.PathPrefix)
		if err != nil {
			return nil, err
		}
		attached, boundary := true, true
		switch in.PolicyUsageFilter {
		case "":
		case iamtypes.PolicyUsageTypePermissionsPolicy:
			boundary = false
		case iamtypes.PolicyUsageTypePermissionsBoundary:
			attached = false
		default:
			return nil, validationError("1 validation error detected: Value '%s' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]", in.PolicyUsageFilter)
		}
		roles := true
		switch in.EntityFilter {
		case "", iamtypes.EntityTypeRole:
		case iamtypes.EntityTypeUser, iamtypes.EntityTypeGroup:
			roles = false
		case iamtypes.EntityTypeLocalManagedPolicy:
			roles = !awsManaged
		case iamtypes.EntityTypeAWSManagedPolicy:
			roles = awsManaged
		default:
			return nil, validationError("1 validation error detected: Value '%s' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [User, Role, LocalManagedPolicy, Group, AWSManagedPolicy]", in.EntityFilter)
		}
		var all []iamtypes.PolicyRole
		for _, k := range sortedKeys(a.roles) {
			x := a.roles[k]
			if !roles || !strings.HasPrefix(x.path, prefix) {
				continue
			}
			if attached && contains(x.attached, arn) || boundary && x.boundary == arn {
				all = append(all, iamtypes.PolicyRole{RoleName: ptr(x.name), RoleId: ptr(x.id)})
			}
		}
		page, trunc, next, err := iamPage(all, in.MaxItems, in.Marker)
		if err != nil {
			return nil, err
		}
		return &iam.ListEntitiesForPolicyOutput{PolicyRoles: page, PolicyUsers: []iamtypes.PolicyUser{}, PolicyGroups: []iamtypes.PolicyGroup{},
			IsTruncated: trunc, Marker: next}, nil
	})
}
