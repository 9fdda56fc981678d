package sim

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func (e *env) mkRole(name, path, boundary string, tags ...string) {
	e.t.Helper()
	in := &iam.CreateRoleInput{RoleName: aws.String(name), Path: optStr(path), AssumeRolePolicyDocument: aws.String(ec2Trust), PermissionsBoundary: optStr(boundary)}
	for i := 0; i+1 < len(tags); i += 2 {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
	}
	if _, err := e.c.IAM.CreateRole(e.ctx, in); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) mkPolicy(name string, tags ...string) string {
	e.t.Helper()
	in := &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(xrTablePolicy)}
	for i := 0; i+1 < len(tags); i += 2 {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
	}
	out, err := e.c.IAM.CreatePolicy(e.ctx, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.Policy.Arn)
}

func (e *env) attach(role, policy string) {
	e.t.Helper()
	if _, err := e.c.IAM.AttachRolePolicy(e.ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(policy)}); err != nil {
		e.t.Fatal(err)
	}
}

// pages collects every page of an IAM listing: next reads one page at marker.
func pages[T any](t *testing.T, next func(marker *string) ([]T, bool, *string, error)) ([]T, int) {
	t.Helper()
	var all []T
	var marker *string
	for n := 1; ; n++ {
		items, truncated, m, err := next(marker)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, items...)
		if truncated != (m != nil) {
			t.Fatalf("page %d: IsTruncated %v with Marker %v", n, truncated, m)
		}
		if !truncated {
			return all, n
		}
		marker = m
	}
}

func roleNames(rs []iamtypes.Role) []string {
	var out []string
	for _, r := range rs {
		out = append(out, aws.ToString(r.RoleName))
	}
	return out
}

func TestIAMListRoles(t *testing.T) {
	e := newEnv(t)
	e.mkRole("c42s07-web", "/labdash/c42/s07/", "arn:aws:iam::aws:policy/PowerUserAccess", "labdash:class", "c42")
	e.mkRole("c42s08-web", "/labdash/c42/s08/", "")
	e.mkRole("c42s07-db", "/labdash/c42/s07/", "")
	e.mkRole("other", "/other/", "")
	list := func(prefix string, max int32) func(*string) ([]iamtypes.Role, bool, *string, error) {
		return func(m *string) ([]iamtypes.Role, bool, *string, error) {
			in := &iam.ListRolesInput{PathPrefix: optStr(prefix), Marker: m}
			if max > 0 {
				in.MaxItems = aws.Int32(max)
			}
			out, err := e.c.IAM.ListRoles(e.ctx, in)
			if err != nil {
				return nil, false, nil, err
			}
			return out.Roles, out.IsTruncated, out.Marker, nil
		}
	}
	for _, tc := range []struct {
		prefix    string
		max       int32
		want      []string
		wantPages int
	}{
		{"", 0, []string{"c42s07-db", "c42s07-web", "c42s08-web", "ecsTaskExecutionRole", "other"}, 1},
		{"/", 2, []string{"c42s07-db", "c42s07-web", "c42s08-web", "ecsTaskExecutionRole", "other"}, 3},
		{"/labdash/c42/", 1, []string{"c42s07-db", "c42s07-web", "c42s08-web"}, 3},
		{"/labdash/c42/s07/", 0, []string{"c42s07-db", "c42s07-web"}, 1},
		{"/labdash/c42/s0", 0, []string{"c42s07-db", "c42s07-web", "c42s08-web"}, 1}, // a prefix of the path, not a whole path
		{"/nope/", 0, nil, 1},
	} {
		got, n := pages(t, list(tc.prefix, tc.max))
		if !reflect.DeepEqual(roleNames(got), tc.want) || n != tc.wantPages {
			t.Errorf("PathPrefix %q MaxItems %d: %q in %d pages, want %q in %d", tc.prefix, tc.max, roleNames(got), n, tc.want, tc.wantPages)
		}
		for _, r := range got {
			if r.Tags != nil || r.PermissionsBoundary != nil {
				t.Errorf("ListRoles returned tags or a boundary for %s", aws.ToString(r.RoleName))
			}
		}
	}
	// GetRole still shows both.
	if g, err := e.c.IAM.GetRole(e.ctx, &iam.GetRoleInput{RoleName: aws.String("c42s07-web")}); err != nil || len(g.Role.Tags) != 1 || g.Role.PermissionsBoundary == nil {
		t.Errorf("GetRole: %+v, %v", g, err)
	}
	for _, tc := range []struct {
		name string
		in   iam.ListRolesInput
	}{
		{"MaxItems 0", iam.ListRolesInput{MaxItems: aws.Int32(0)}},
		{"MaxItems 1001", iam.ListRolesInput{MaxItems: aws.Int32(1001)}},
		{"bad marker", iam.ListRolesInput{Marker: aws.String("x")}},
		{"PathPrefix without a leading slash", iam.ListRolesInput{PathPrefix: aws.String("labdash/")}},
	} {
		if _, err := e.c.IAM.ListRoles(e.ctx, &tc.in); apiCode(err) != "ValidationError" {
			t.Errorf("%s: %v, want ValidationError", tc.name, err)
		}
	}
}

func TestIAMListPolicyTags(t *testing.T) {
	e := newEnv(t)
	arn := e.mkPolicy("c42-table", "zeta", "1", "alpha", "2", "labdash:class", "c42")
	untagged := e.mkPolicy("untagged")
	got, n := pages(t, func(m *string) ([]iamtypes.Tag, bool, *string, error) {
		out, err := e.c.IAM.ListPolicyTags(e.ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(2), Marker: m})
		if err != nil {
			return nil, false, nil, err
		}
		return out.Tags, out.IsTruncated, out.Marker, nil
	})
	var keys []string
	for _, tg := range got {
		keys = append(keys, aws.ToString(tg.Key))
	}
	if want := []string{"alpha", "labdash:class", "zeta"}; !reflect.DeepEqual(keys, want) || n != 2 {
		t.Errorf("tags %q in %d pages, want %q (sorted by key) in 2", keys, n, want)
	}
	if out, err := e.c.IAM.ListPolicyTags(e.ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(untagged)}); err != nil || out.Tags == nil || len(out.Tags) != 0 {
		t.Errorf("untagged policy: %+v, %v", out, err)
	}
	for _, tc := range []struct{ arn, code string }{
		{"arn:aws:iam::111122223333:policy/nope", "NoSuchEntity"},
		{"arn:aws:iam::444455556666:policy/c42-table", "NoSuchEntity"},
		{"not-an-arn", "InvalidInput"},
		{"", "ValidationError"},
	} {
		if _, err := e.c.IAM.ListPolicyTags(e.ctx, &iam.ListPolicyTagsInput{PolicyArn: optStr(tc.arn)}); apiCode(err) != tc.code {
			t.Errorf("ListPolicyTags(%q): %v, want %s", tc.arn, err, tc.code)
		}
	}
}

func TestIAMListEntitiesForPolicy(t *testing.T) {
	e := newEnv(t)
	p := e.mkPolicy("c42-boundary")
	other := e.mkPolicy("c42-other")
	e.mkRole("attached", "/labdash/c42/", "")
	e.attach("attached", p)
	e.mkRole("bounded", "/labdash/c42/", p)
	e.mkRole("both", "/other/", p)
	e.attach("both", p)
	e.mkRole("neither", "/labdash/c42/", "")
	e.attach("neither", other)
	list := func(in iam.ListEntitiesForPolicyInput) ([]string, error) {
		var names []string
		for {
			out, err := e.c.IAM.ListEntitiesForPolicy(e.ctx, &in)
			if err != nil {
				return nil, err
			}
			if out.PolicyUsers == nil || out.PolicyGroups == nil || len(out.PolicyUsers)+len(out.PolicyGroups) != 0 {
				t.Errorf("users %v, groups %v: want empty lists", out.PolicyUsers, out.PolicyGroups)
			}
			for _, r := range out.PolicyRoles {
				if aws.ToString(r.RoleId) == "" {
					t.Errorf("role %s without RoleId", aws.ToString(r.RoleName))
				}
				names = append(names, aws.ToString(r.RoleName))
			}
			if !out.IsTruncated {
				return names, nil
			}
			in.Marker = out.Marker
		}
	}
	for _, tc := range []struct {
		name string
		in   iam.ListEntitiesForPolicyInput
		want []string
		code string
	}{
		{"attached or boundary", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(p)}, []string{"attached", "both", "bounded"}, ""},
		{"PermissionsPolicy", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(p), PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsPolicy}, []string{"attached", "both"}, ""},
		{"PermissionsBoundary", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(p), PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary}, []string{"both", "bounded"}, ""},
		{"EntityFilter Role", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(p), EntityFilter: iamtypes.EntityTypeRole}, []string{"attached", "both", "bounded"}, ""},
		{"EntityFilter User", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(p), EntityFilter: iamtypes.EntityTypeUser}, nil, ""},
		{"EntityFilter Group", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(p), EntityFilter: iamtypes.EntityTypeGroup}, nil, ""},
		{"PathPrefix", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(p), PathPrefix: aws.String("/labdash/")}, []string{"attached", "bounded"}, ""},
		{"one a page", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(p), MaxItems: aws.Int32(1)}, []string{"attached", "both", "bounded"}, ""},
		{"other policy", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(other)}, []string{"neither"}, ""},
		{"AWS managed", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(ecsExecPolicy)}, []string{"ecsTaskExecutionRole"}, ""},
		{"AWS managed, boundary only", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(ecsExecPolicy), PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary}, nil, ""},
		{"unknown customer policy", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::111122223333:policy/nope")}, nil, "NoSuchEntity"},
		{"bad ARN", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String("c42-boundary")}, nil, "InvalidInput"},
		{"bad usage filter", iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(p), PolicyUsageFilter: "Everything"}, nil, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := list(tc.in)
			if apiCode(err) != tc.code {
				t.Fatalf("err %v, want %q", err, tc.code)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("roles %q, want %q", got, tc.want)
			}
		})
	}
}

func TestIAMInstanceProfiles(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c
	e.mkRole("c42s07-web", "/labdash/c42/s07/", "")
	e.mkRole("c42s07-db", "/labdash/c42/s07/", "")
	for _, p := range []struct{ name, path string }{{"c42s07-web", "/labdash/c42/s07/"}, {"c42s08-web", "/labdash/c42/s08/"}, {"plain", ""}} {
		out, err := c.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(p.name), Path: optStr(p.path),
			Tags: []iamtypes.Tag{{Key: aws.String("z"), Value: aws.String("1")}, {Key: aws.String("labdash:class"), Value: aws.String("c42")}}})
		if err != nil {
			t.Fatal(err)
		}
		path := p.path
		if path == "" {
			path = "/"
		}
		if ip := out.InstanceProfile; aws.ToString(ip.Arn) != "arn:aws:iam::111122223333:instance-profile"+path+p.name || aws.ToString(ip.Path) != path || len(ip.Roles) != 0 || len(aws.ToString(ip.InstanceProfileId)) != 21 {
			t.Errorf("created %+v", ip)
		}
	}
	// Errors, each with its code.
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"duplicate name, any case", func() error {
			_, err := c.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("C42S07-WEB")})
			return err
		}, "EntityAlreadyExists"},
		{"bad name", func() error {
			_, err := c.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("no spaces")})
			return err
		}, "ValidationError"},
		{"bad path", func() error {
			_, err := c.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("x"), Path: aws.String("nopath")})
			return err
		}, "ValidationError"},
		{"get unknown", func() error {
			_, err := c.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("nope")})
			return err
		}, "NoSuchEntity"},
		{"tags of unknown", func() error {
			_, err := c.IAM.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("nope")})
			return err
		}, "NoSuchEntity"},
		{"profiles of unknown role", func() error {
			_, err := c.IAM.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity"},
		{"add to unknown profile", func() error {
			_, err := c.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("nope"), RoleName: aws.String("c42s07-web")})
			return err
		}, "NoSuchEntity"},
		{"add unknown role", func() error {
			_, err := c.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("c42s07-web"), RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity"},
		{"remove a role that is not in it", func() error {
			_, err := c.IAM.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("c42s07-web"), RoleName: aws.String("c42s07-web")})
			return err
		}, "NoSuchEntity"},
		{"delete unknown", func() error {
			_, err := c.IAM.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("nope")})
			return err
		}, "NoSuchEntity"},
	} {
		if err := tc.call(); apiCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}

	// One role per profile.
	if _, err := c.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("c42s07-web"), RoleName: aws.String("c42s07-web")}); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"c42s07-db", "c42s07-web"} {
		if _, err := c.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("c42s07-web"), RoleName: aws.String(role)}); !errorsAs[*iamtypes.LimitExceededException](err) {
			t.Errorf("second role %s: %v, want LimitExceeded", role, err)
		}
	}
	if _, err := c.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("plain"), RoleName: aws.String("c42s07-web")}); err != nil {
		t.Fatal(err) // a role may be in several profiles
	}
	g, err := c.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("c42s07-web")})
	if err != nil || len(g.InstanceProfile.Roles) != 1 || aws.ToString(g.InstanceProfile.Roles[0].RoleName) != "c42s07-web" || len(g.InstanceProfile.Tags) != 2 {
		t.Fatalf("GetInstanceProfile: %+v, %v", g, err)
	}

	// Listings: path prefix, paging, no tags; profiles of a role; tags sorted by key.
	list := func(prefix string, max int32) ([]string, int) {
		got, n := pages(t, func(m *string) ([]iamtypes.InstanceProfile, bool, *string, error) {
			out, err := c.IAM.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: optStr(prefix), MaxItems: aws.Int32(max), Marker: m})
			if err != nil {
				return nil, false, nil, err
			}
			return out.InstanceProfiles, out.IsTruncated, out.Marker, nil
		})
		var names []string
		for _, p := range got {
			if p.Tags != nil {
				t.Errorf("ListInstanceProfiles returned tags of %s", aws.ToString(p.InstanceProfileName))
			}
			names = append(names, aws.ToString(p.InstanceProfileName))
		}
		return names, n
	}
	if got, n := list("", 2); !reflect.DeepEqual(got, []string{"c42s07-web", "c42s08-web", "plain"}) || n != 2 {
		t.Errorf("all profiles %q in %d pages", got, n)
	}
	if got, _ := list("/labdash/c42/s07/", 100); !reflect.DeepEqual(got, []string{"c42s07-web"}) {
		t.Errorf("PathPrefix /labdash/c42/s07/: %q", got)
	}
	if got, _ := list("/labdash/", 1); !reflect.DeepEqual(got, []string{"c42s07-web", "c42s08-web"}) {
		t.Errorf("PathPrefix /labdash/: %q", got)
	}
	fr, err := c.IAM.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("c42s07-web")})
	if err != nil || len(fr.InstanceProfiles) != 2 || aws.ToString(fr.InstanceProfiles[0].InstanceProfileName) != "c42s07-web" || aws.ToString(fr.InstanceProfiles[1].InstanceProfileName) != "plain" {
		t.Errorf("profiles of c42s07-web: %+v, %v", fr, err)
	}
	if fr, err := c.IAM.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("c42s07-db")}); err != nil || len(fr.InstanceProfiles) != 0 {
		t.Errorf("profiles of c42s07-db: %+v, %v", fr, err)
	}
	tags, err := c.IAM.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("c42s07-web")})
	if err != nil || len(tags.Tags) != 2 || aws.ToString(tags.Tags[0].Key) != "labdash:class" || aws.ToString(tags.Tags[1].Key) != "z" {
		t.Errorf("ListInstanceProfileTags: %+v, %v", tags, err)
	}

	// DeleteRole is a DeleteConflict while the role is in a profile; so is
	// DeleteInstanceProfile while the profile has its role.
	if _, err := c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("c42s07-web")}); !errorsAs[*iamtypes.DeleteConflictException](err) {
		t.Errorf("DeleteRole in two profiles: %v, want DeleteConflict", err)
	}
	if _, err := c.IAM.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("c42s07-web")}); !errorsAs[*iamtypes.DeleteConflictException](err) {
		t.Errorf("DeleteInstanceProfile with a role: %v, want DeleteConflict", err)
	}
	for _, p := range []string{"c42s07-web", "plain"} {
		if _, err := c.IAM.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String(p), RoleName: aws.String("c42s07-web")}); err != nil {
			t.Fatal(err)
		}
		if p == "c42s07-web" {
			if _, err := c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("c42s07-web")}); !errorsAs[*iamtypes.DeleteConflictException](err) {
				t.Errorf("DeleteRole still in one profile: %v, want DeleteConflict", err)
			}
		}
	}
	if _, err := c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("c42s07-web")}); err != nil {
		t.Errorf("DeleteRole out of every profile: %v", err)
	}
	if _, err := c.IAM.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("c42s07-web")}); err != nil {
		t.Errorf("DeleteInstanceProfile when empty: %v", err)
	}
	if got, _ := list("", 100); !reflect.DeepEqual(got, []string{"c42s08-web", "plain"}) {
		t.Errorf("after delete: %q", got)
	}
	// IAM is global: another region's client sees the same profiles.
	west, _ := e.w.Clients(ctx, "", "eu-west-1")
	if g, err := west.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("plain")}); err != nil || aws.ToString(g.InstanceProfile.InstanceProfileName) != "plain" {
		t.Errorf("eu-west-1 GetInstanceProfile: %+v, %v", g, err)
	}
}

const roleTemplate = `
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: c42s07-app-role
      Path: /labdash/c42/s07/
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
`

const profileTemplate = roleTemplate + `
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      InstanceProfileName: c42s07-app-profile
      Path: /labdash/c42/s07/
      Roles: [!Ref Role]
Outputs:
  ProfileArn:
    Value: !GetAtt Profile.Arn
`

// A stack's instance profile is the one IAM lists, and goes with the stack.
func TestStackInstanceProfile(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c
	if _, err := c.CloudFormation.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("c42s07-profile"), TemplateBody: aws.String(profileTemplate),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityNamedIam}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	st := e.stack("c42s07-profile")
	if st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("stack %s: %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	g, err := c.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("c42s07-app-profile")})
	if err != nil || len(g.InstanceProfile.Roles) != 1 || aws.ToString(g.InstanceProfile.Roles[0].RoleName) != "c42s07-app-role" ||
		aws.ToString(g.InstanceProfile.Arn) != aws.ToString(st.Outputs[0].OutputValue) {
		t.Fatalf("stack's profile: %+v, %v (output %v)", g, err, st.Outputs)
	}
	if l, err := c.IAM.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/labdash/c42/")}); err != nil || len(l.InstanceProfiles) != 1 {
		t.Errorf("ListInstanceProfiles: %+v, %v", l, err)
	}
	if fr, err := c.IAM.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("c42s07-app-role")}); err != nil || len(fr.InstanceProfiles) != 1 {
		t.Errorf("ListInstanceProfilesForRole: %+v, %v", fr, err)
	}
	// The stack's role cannot be deleted from under it; the name is taken for CreateInstanceProfile.
	if _, err := c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("c42s07-app-role")}); !errorsAs[*iamtypes.DeleteConflictException](err) {
		t.Errorf("DeleteRole of the stack's role: %v", err)
	}
	if _, err := c.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("c42s07-app-profile")}); !errorsAs[*iamtypes.EntityAlreadyExistsException](err) {
		t.Errorf("CreateInstanceProfile over the stack's: %v", err)
	}

	if _, err := c.CloudFormation.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("c42s07-profile")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if st := e.stack(aws.ToString(st.StackId)); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("after DeleteStack: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	if _, err := c.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("c42s07-app-profile")}); apiCode(err) != "NoSuchEntity" {
		t.Errorf("profile after DeleteStack: %v", err)
	}
	if l, err := c.IAM.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/labdash/")}); err != nil || len(l.Roles) != 0 {
		t.Errorf("roles after DeleteStack: %+v, %v", l, err)
	}
}

// A profile created outside the stack that holds the stack's role keeps the role
// alive: the stack's deletion fails on it, as on AWS.
func TestStackRoleHeldByForeignProfile(t *testing.T) {
	e := newEnv(t)
	ctx, c := e.ctx, e.c
	if _, err := c.CloudFormation.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("c42s07-role"), TemplateBody: aws.String(roleTemplate),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityNamedIam}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if _, err := c.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("by-hand")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("by-hand"), RoleName: aws.String("c42s07-app-role")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CloudFormation.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("c42s07-role")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if st := e.stack("c42s07-role"); st.StackStatus != cftypes.StackStatusDeleteFailed {
		t.Errorf("stack whose role is in a foreign profile: %s, want DELETE_FAILED", st.StackStatus)
	}
}

// Elastic Beanstalk's IamInstanceProfile names a profile of the account's IAM:
// the signup app calls AWS with the profile's role, whichever client made it.
func TestBeanstalkUsesInstanceProfileRole(t *testing.T) {
	e := newEnv(t)
	e.xrayLab() // IamInstanceProfile c42s07-xray-eb-role: no such profile yet, a role of that name
	signup := func(email string) int {
		t.Helper()
		s, err := e.w.Signup("", "us-east-1", "c42s07-xray", email)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := signup("a@example.com"); s != 200 {
		t.Fatalf("with the role of the same name: %d", s)
	}
	// A profile of that name, made through another region's client, holding a role
	// with no policies: the app now runs as that role and is refused.
	west, _ := e.w.Clients(e.ctx, "", "eu-west-1")
	e.mkRole("c42s07-empty", "", "")
	if _, err := west.IAM.CreateInstanceProfile(e.ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("c42s07-xray-eb-role")}); err != nil {
		t.Fatal(err)
	}
	if _, err := west.IAM.AddRoleToInstanceProfile(e.ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("c42s07-xray-eb-role"), RoleName: aws.String("c42s07-empty")}); err != nil {
		t.Fatal(err)
	}
	if s := signup("b@example.com"); s != 500 {
		t.Errorf("with the profile's policy-less role: %d, want 500", s)
	}
	if _, err := e.c.IAM.RemoveRoleFromInstanceProfile(e.ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("c42s07-xray-eb-role"), RoleName: aws.String("c42s07-empty")}); err != nil {
		t.Fatal(err)
	}
	if s := signup("c@example.com"); s != 500 {
		t.Errorf("with an empty profile: %d, want 500", s)
	}
	if _, err := e.c.IAM.AddRoleToInstanceProfile(e.ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("c42s07-xray-eb-role"), RoleName: aws.String("c42s07-xray-eb-role")}); err != nil {
		t.Fatal(err)
	}
	if s := signup("d@example.com"); s != 200 {
		t.Errorf("with the profile holding the lab's role: %d, want 200", s)
	}
}
