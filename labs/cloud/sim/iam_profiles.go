package sim

// IAM instance profiles, global to an account like roles: a profile has a name
// (unique per account, case-insensitively), a path, tags and at most one role.
// CreateInstanceProfile, GetInstanceProfile, ListInstanceProfiles (PathPrefix),
// ListInstanceProfilesForRole, ListInstanceProfileTags, AddRoleToInstanceProfile
// (LimitExceeded for a second role: "an instance profile can contain only one
// role, and this quota cannot be increased"), RemoveRoleFromInstanceProfile and
// DeleteInstanceProfile (DeleteConflict while it still has its role) share one
// store with CloudFormation's AWS::IAM::InstanceProfile, which Elastic Beanstalk's
// IamInstanceProfile option names (signup.go). DeleteRole answers DeleteConflict
// while the role is in a profile, as IAM does.
//
// As in IAM's listing operations, ListInstanceProfiles and
// ListInstanceProfilesForRole return no tags, and a profile's role is shown as
// ListRoles shows roles (no tags, no permissions boundary). Lists are sorted by
// name (the simulator's order; IAM documents none). Error codes are IAM's; the
// messages of EntityAlreadyExists, LimitExceeded, DeleteConflict and a missing
// profile's NoSuchEntity read like IAM's, the others (a role that is not in the
// profile, validation) are the simulator's. Not modelled: instances using a
// profile (EC2's IamInstanceProfile), eventual consistency.

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

type instanceProfile struct {
	name, path, arn, id string
	tags                tagList
	createdAt           time.Time
	role                *role // nil, or the one role
	dead                bool
}

func noSuchProfile(name string) error {
	return &iamtypes.NoSuchEntityException{Message: msg("Instance Profile %s cannot be found.", name)}
}

func nameRequired(field string) error {
	return validationError("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
}

// createInstanceProfile is CreateInstanceProfile's model, shared with CloudFormation.
func (a *account) createInstanceProfile(w *World, name, path string, tags tagList) (*instanceProfile, error) {
	if !cfnProfileNameRE.MatchString(name) {
		return nil, validationError("1 validation error detected: Value '%s' at 'instanceProfileName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and 128", name)
	}
	if path == "" {
		path = "/"
	}
	if len(path) > 512 || !iamPathRE.MatchString(path) {
		return nil, validationError("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	if err := validTags(tags); err != nil {
		return nil, &iamtypes.InvalidInputException{Message: msg("%v", err)}
	}
	if a.profiles[strings.ToLower(name)] != nil {
		return nil, &iamtypes.EntityAlreadyExistsException{Message: msg("Instance Profile %s already exists.", name)}
	}
	p := &instanceProfile{name: name, path: path, tags: tags.clone(), createdAt: w.now,
		arn: "arn:aws:iam::" + a.id + ":instance-profile" + path + name, id: "AIPA" + strings.ToUpper(w.hexID(17))}
	a.profiles[strings.ToLower(name)] = p
	return p, nil
}

// addRole puts x in p; a profile holds one role.
func (p *instanceProfile) addRole(x *role) error {
	if p.role != nil {
		return &iamtypes.LimitExceededException{Message: ptr("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")}
	}
	p.role = x
	return nil
}

// deleteInstanceProfile is DeleteInstanceProfile's model, shared with CloudFormation.
func (a *account) deleteInstanceProfile(p *instanceProfile) error {
	if p.role != nil {
		return &iamtypes.DeleteConflictException{Message: ptr("Cannot delete entity, must remove roles from instance profile first.")}
	}
	p.dead = true
	if a.profiles[strings.ToLower(p.name)] == p {
		delete(a.profiles, strings.ToLower(p.name))
	}
	return nil
}

// profilesOfRole lists the profiles holding x, by name.
func (a *account) profilesOfRole(x *role) []*instanceProfile {
	var out []*instanceProfile
	for _, p := range a.sortedProfiles() {
		if p.role == x {
			out = append(out, p)
		}
	}
	return out
}

func (a *account) sortedProfiles() []*instanceProfile {
	out := make([]*instanceProfile, 0, len(a.profiles))
	for _, k := range sortedKeys(a.profiles) {
		out = append(out, a.profiles[k])
	}
	return out
}

// profileByName finds a profile by name or, as Elastic Beanstalk's option takes
// either, by ARN.
func (a *account) profileByName(ref string) *instanceProfile {
	if strings.HasPrefix(ref, "arn:") {
		p := a.profiles[strings.ToLower(ref[strings.LastIndex(ref, "/")+1:])]
		if p == nil || p.arn != ref {
			return nil
		}
		return p
	}
	return a.profiles[strings.ToLower(ref)]
}

// out is the profile as IAM shows it; tags only where the operation returns them.
func (p *instanceProfile) out(withTags bool) *iamtypes.InstanceProfile {
	o := &iamtypes.InstanceProfile{Arn: ptr(p.arn), InstanceProfileName: ptr(p.name), InstanceProfileId: ptr(p.id), Path: ptr(p.path),
		CreateDate: ptr(p.createdAt), Roles: []iamtypes.Role{}}
	if p.role != nil {
		o.Roles = append(o.Roles, *p.role.listOut())
	}
	if withTags {
		o.Tags = iamTags(p.tags, false)
	}
	return o
}

// iamTags converts tags, sorted by key when the operation says so.
func iamTags(t tagList, sorted bool) []iamtypes.Tag {
	out := []iamtypes.Tag{}
	for _, x := range t {
		out = append(out, iamtypes.Tag{Key: ptr(x.k), Value: ptr(x.v)})
	}
	if sorted {
		sort.Slice(out, func(i, j int) bool { return *out[i].Key < *out[j].Key })
	}
	return out
}

// iamPage pages a list with IAM's MaxItems (1–1000, default 100) and Marker.
func iamPage[T any](all []T, maxItems *int32, marker *string) (page []T, truncated bool, next *string, err error) {
	max := int(i32(maxItems, 100))
	if max < 1 || max > 1000 {
		return nil, false, nil, validationError("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", max)
	}
	start, ok := readIntToken(marker)
	if !ok || start > len(all) {
		return nil, false, nil, validationError("Invalid Marker.")
	}
	end := start + max
	if end >= len(all) {
		return append([]T{}, all[start:]...), false, nil, nil
	}
	return append([]T{}, all[start:end]...), true, intToken(end), nil
}

// CreateInstanceProfile creates an empty instance profile.
func (c *iamClient) CreateInstanceProfile(ctx context.Context, in *iam.CreateInstanceProfileInput, _ ...func(*iam.Options)) (*iam.CreateInstanceProfileOutput, error) {
	return do(ctx, c.base, "iam", "CreateInstanceProfile", in, func(r *region) (*iam.CreateInstanceProfileOutput, error) {
		a := r.acct
		if in == nil || in.InstanceProfileName == nil {
			return nil, nameRequired("instanceProfileName")
		}
		var tags tagList
		for _, t := range in.Tags {
			tags.set(str(t.Key), str(t.Value))
		}
		p, err := a.createInstanceProfile(c.w, str(in.InstanceProfileName), str(in.Path), tags)
		if err != nil {
			return nil, err
		}
		return &iam.CreateInstanceProfileOutput{InstanceProfile: p.out(true)}, nil
	})
}

// GetInstanceProfile returns a profile with its role and tags.
func (c *iamClient) GetInstanceProfile(ctx context.Context, in *iam.GetInstanceProfileInput, _ ...func(*iam.Options)) (*iam.GetInstanceProfileOutput, error) {
	return do(ctx, c.base, "iam", "GetInstanceProfile", in, func(r *region) (*iam.GetInstanceProfileOutput, error) {
		a := r.acct
		if in == nil || str(in.InstanceProfileName) == "" {
			return nil, nameRequired("instanceProfileName")
		}
		p := a.profiles[strings.ToLower(str(in.InstanceProfileName))]
		if p == nil {
			return nil, noSuchProfile(str(in.InstanceProfileName))
		}
		return &iam.GetInstanceProfileOutput{InstanceProfile: p.out(true)}, nil
	})
}

// ListInstanceProfiles lists profiles whose path starts with PathPrefix.
func (c *iamClient) ListInstanceProfiles(ctx context.Context, in *iam.ListInstanceProfilesInput, _ ...func(*iam.Options)) (*iam.ListInstanceProfilesOutput, error) {
	return do(ctx, c.base, "iam", "ListInstanceProfiles", in, func(r *region) (*iam.ListInstanceProfilesOutput, error) {
		a := r.acct
		if in == nil {
			in = &iam.ListInstanceProfilesInput{}
		}
		prefix, err := pathPrefix(in.PathPrefix)
		if err != nil {
			return nil, err
		}
		var all []iamtypes.InstanceProfile
		for _, p := range a.sortedProfiles() {
			if strings.HasPrefix(p.path, prefix) {
				all = append(all, *p.out(false))
			}
		}
		page, trunc, next, err := iamPage(all, in.MaxItems, in.Marker)
		if err != nil {
			return nil, err
		}
		return &iam.ListInstanceProfilesOutput{InstanceProfiles: page, IsTruncated: trunc, Marker: next}, nil
	})
}

// ListInstanceProfilesForRole lists the profiles holding a role.
func (c *iamClient) ListInstanceProfilesForRole(ctx context.Context, in *iam.ListInstanceProfilesForRoleInput, _ ...func(*iam.Options)) (*iam.ListInstanceProfilesForRoleOutput, error) {
	return do(ctx, c.base, "iam", "ListInstanceProfilesForRole", in, func(r *region) (*iam.ListInstanceProfilesForRoleOutput, error) {
		a := r.acct
		if in == nil || str(in.RoleName) == "" {
			return nil, nameRequired("roleName")
		}
		x := a.roles[strings.ToLower(str(in.RoleName))]
		if x == nil {
			return nil, noSuchRole(str(in.RoleName))
		}
		var all []iamtypes.InstanceProfile
		for _, p := range a.profilesOfRole(x) {
			all = append(all, *p.out(false))
		}
		page, trunc, next, err := iamPage(all, in.MaxItems, in.Marker)
		if err != nil {
			return nil, err
		}
		return &iam.ListInstanceProfilesForRoleOutput{InstanceProfiles: page, IsTruncated: trunc, Marker: next}, nil
	})
}

// ListInstanceProfileTags lists a profile's tags, sorted by key.
func (c *iamClient) ListInstanceProfileTags(ctx context.Context, in *iam.ListInstanceProfileTagsInput, _ ...func(*iam.Options)) (*iam.ListInstanceProfileTagsOutput, error) {
	return do(ctx, c.base, "iam", "ListInstanceProfileTags", in, func(r *region) (*iam.ListInstanceProfileTagsOutput, error) {
		a := r.acct
		if in == nil || str(in.InstanceProfileName) == "" {
			return nil, nameRequired("instanceProfileName")
		}
		p := a.profiles[strings.ToLower(str(in.InstanceProfileName))]
		if p == nil {
			return nil, noSuchProfile(str(in.InstanceProfileName))
		}
		page, trunc, next, err := iamPage(iamTags(p.tags, true), in.MaxItems, in.Marker)
		if err != nil {
			return nil, err
		}
		return &iam.ListInstanceProfileTagsOutput{Tags: page, IsTruncated: trunc, Marker: next}, nil
	})
}

// AddRoleToInstanceProfile puts a role in an empty profile.
func (c *iamClient) AddRoleToInstanceProfile(ctx context.Context, in *iam.AddRoleToInstanceProfileInput, _ ...func(*iam.Options)) (*iam.AddRoleToInstanceProfileOutput, error) {
	return do(ctx, c.base, "iam", "AddRoleToInstanceProfile", in, func(r *region) (*iam.AddRoleToInstanceProfileOutput, error) {
		a := r.acct
		if in == nil || str(in.InstanceProfileName) == "" || str(in.RoleName) == "" {
			return nil, validationError("InstanceProfileName and RoleName are required.")
		}
		p := a.profiles[strings.ToLower(str(in.InstanceProfileName))]
		if p == nil {
			return nil, noSuchProfile(str(in.InstanceProfileName))
		}
		x := a.roles[strings.ToLower(str(in.RoleName))]
		if x == nil {
			return nil, noSuchRole(str(in.RoleName))
		}
		if err := p.addRole(x); err != nil {
			return nil, err
		}
		return &iam.AddRoleToInstanceProfileOutput{}, nil
	})
}

// RemoveRoleFromInstanceProfile takes the role out of a profile; a role that is
// not in it is NoSuchEntity (the simulator's message).
func (c *iamClient) RemoveRoleFromInstanceProfile(ctx context.Context, in *iam.RemoveRoleFromInstanceProfileInput, _ ...func(*iam.Options)) (*iam.RemoveRoleFromInstanceProfileOutput, error) {
	return do(ctx, c.base, "iam", "RemoveRoleFromInstanceProfile", in, func(r *region) (*iam.RemoveRoleFromInstanceProfileOutput, error) {
		a := r.acct
		if in == nil || str(in.InstanceProfileName) == "" || str(in.RoleName) == "" {
			return nil, validationError("InstanceProfileName and RoleName are required.")
		}
		p := a.profiles[strings.ToLower(str(in.InstanceProfileName))]
		if p == nil {
			return nil, noSuchProfile(str(in.InstanceProfileName))
		}
		x := a.roles[strings.ToLower(str(in.RoleName))]
		if x == nil {
			return nil, noSuchRole(str(in.RoleName))
		}
		if p.role != x {
			return nil, &iamtypes.NoSuchEntityException{Message: msg("The role %s is not in instance profile %s.", x.name, p.name)}
		}
		p.role = nil
		return &iam.RemoveRoleFromInstanceProfileOutput{}, nil
	})
}

// DeleteInstanceProfile deletes an empty profile.
func (c *iamClient) DeleteInstanceProfile(ctx context.Context, in *iam.DeleteInstanceProfileInput, _ ...func(*iam.Options)) (*iam.DeleteInstanceProfileOutput, error) {
	return do(ctx, c.base, "iam", "DeleteInstanceProfile", in, func(r *region) (*iam.DeleteInstanceProfileOutput, error) {
		a := r.acct
		if in == nil || str(in.InstanceProfileName) == "" {
			return nil, nameRequired("instanceProfileName")
		}
		p := a.profiles[strings.ToLower(str(in.InstanceProfileName))]
		if p == nil {
			return nil, noSuchProfile(str(in.InstanceProfileName))
		}
		if err := a.deleteInstanceProfile(p); err != nil {
			return nil, err
		}
		return &iam.DeleteInstanceProfileOutput{}, nil
	})
}

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::IAM::InstanceProfile", cfnInstanceProfile)
}

// cfnInstanceProfile creates an AWS::IAM::InstanceProfile for a stack.
func cfnInstanceProfile(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "InstanceProfileName")
	if name == "" {
		name = r.genName(st, logical, 128)
	}
	if !cfnProfileNameRE.MatchString(name) {
		return fmt.Errorf("1 validation error detected: Value '%s' at 'instanceProfileName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name)
	}
	path := propStr(p, "Path")
	if path == "" {
		path = "/"
	}
	if len(path) > 512 || !iamPathRE.MatchString(path) {
		return fmt.Errorf("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	roles := propList(p, "Roles")
	if len(roles) != 1 {
		return fmt.Errorf("Property Roles must name exactly one role (an instance profile holds one role).")
	}
	x := r.acct.roles[strings.ToLower(roles[0])]
	if x == nil {
		return noSuchRole(roles[0])
	}
	// The same profile IAM's instance-profile operations see (iam_profiles.go).
	ip, err := r.acct.createInstanceProfile(r.w, name, path, nil)
	if err != nil {
		return err
	}
	_ = ip.addRole(x) // a new profile is empty
	rs.physical = name
	rs.attrs["Arn"] = ip.arn
	rs.del = func() error {
		if ip.dead {
			return nil
		}
		ip.role = nil // CloudFormation removes the role, then deletes the profile
		return r.acct.deleteInstanceProfile(ip)
	}
	return nil
}
