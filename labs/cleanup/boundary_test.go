package cleanup

import (
	"strings"
	"testing"

	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/sandbox"
)

// TestEveryBoundaryNamePatternHasALister walks the class boundary's name and
// path fences (LABS.md §1.1: what a student may create, by name or IAM path) and
// checks, for every pattern, with the prefix where the pattern lets a student put
// it: that a registered type claims the ARN, that the type has a lister, that a
// lab or the sandbox declares it (so a class that can make it looks for it), and
// that the ownership decision's name rule gives the resource to the student. A
// fence added to the boundary without a lister fails here.
func TestEveryBoundaryNamePatternHasALister(t *testing.T) {
	doc := sandbox.Boundary(sandbox.ClassScope{ClassID: tClass, Account: tAcct, Regions: []string{tRegion}})
	declared := map[string]bool{}
	for _, n := range sandbox.CleanupTypes {
		declared[n] = true
	}
	for _, l := range catalog.New().All() {
		for _, n := range l.Cleanup {
			declared[n] = true
		}
	}
	own := testOwner(false)
	vars := strings.NewReplacer("${aws:PrincipalTag/labdash:class}", tClass, "${aws:PrincipalTag/labdash:student}", "s01", "ACCT", tAcct)
	checked := 0
	for _, st := range doc.Statement {
		if st.Sid != "NameFenceWrites" && st.Sid != "IamPathFence" {
			continue
		}
		for _, pat := range asList(st.NotResource) {
			pat = vars.Replace(pat)
			parts := strings.SplitN(pat, ":", 6)
			if len(parts) != 6 {
				t.Errorf("%s: pattern %q is not an ARN", st.Sid, pat)
				continue
			}
			if parts[2] == "s3" && strings.Contains(parts[5], "/") {
				continue // objects: they go with their bucket
			}
			if parts[3] == "*" {
				parts[3] = tRegion
			}
			if parts[4] == "*" {
				parts[4] = tAcct
			}
			// Where the pattern lets the prefix sit: a "*" before it may be any path
			// (log groups: /aws/lambda/, /ecs/ …); the one after it, any suffix.
			res := parts[5]
			var samples []string
			if i := strings.Index(res, "*"+tClass); i >= 0 {
				for _, lead := range []string{"", "/aws/lambda/", "/ecs/", "/aws/elasticbeanstalk/"} {
					samples = append(samples, res[:i]+lead+strings.Replace(res[i+1:], "*", "x", -1))
				}
			} else {
				samples = append(samples, strings.Replace(res, "*", "x", -1))
			}
			for _, r := range samples {
				arn := strings.Join(append(parts[:5:5], r), ":")
				typ, ok := resources.ForARN(arn)
				switch {
				case !ok:
					t.Errorf("%s lets students create %s, but no resource type claims it", st.Sid, arn)
					continue
				case typ.List == nil:
					t.Errorf("%s: students can create %s (%s), untagged, but the type has no lister", st.Sid, arn, typ.Name)
				case !declared[typ.Name]:
					t.Errorf("%s: %s can be created but neither a lab nor the sandbox declares it for cleanup", st.Sid, typ.Name)
				case typ.NameOf == nil || typ.Naming == resources.NameNone:
					t.Errorf("%s: %s has no name rule, so an untagged one cannot be proven the student's", st.Sid, typ.Name)
				default:
					if who, ok := own.nameOwner(typ.Naming, typ.NameOf(arn)); !ok || who != "s01" {
						t.Errorf("%s: %s named %q (%s) is not given to s01 by the %s rule", st.Sid, arn, typ.NameOf(arn), typ.Name, typ.Naming)
					}
				}
				checked++
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d boundary patterns checked: did the fences' Sids change?", checked)
	}
}

func asList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	}
	return nil
}

// TestEveryResourceALabLetsStudentsCreateIsLookedFor: for every lab with
// sandbox grants, every ARN pattern of its create statements (the tag-on-create
// grants) is claimed by a resource type that the lab or the sandbox declares for
// cleanup, with a lister if the type cannot carry tags (the tag sweep finds the
// rest): what a student can make in a shared account, cleanup looks for.
func TestEveryResourceALabLetsStudentsCreateIsLookedFor(t *testing.T) {
	declared := map[string]bool{}
	for _, n := range sandbox.CleanupTypes {
		declared[n] = true
	}
	vars := strings.NewReplacer("${aws:PrincipalTag/labdash:student}", "s01")
	checked := 0
	for _, l := range catalog.New().All() {
		if l.Grants == nil {
			continue
		}
		mine := map[string]bool{}
		for n := range declared {
			mine[n] = true
		}
		for _, n := range l.Cleanup {
			mine[n] = true
		}
		for _, st := range sandbox.LabPolicy(sandbox.ClassScope{ClassID: tClass, Account: tAcct, Regions: []string{tRegion}}, l).Statement {
			creates := false
			for _, a := range asList(st.Action) {
				_, op, _ := strings.Cut(a, ":")
				creates = creates || strings.HasPrefix(op, "Create") || strings.HasPrefix(op, "Register") || strings.HasPrefix(op, "Put")
			}
			if st.Effect != "Allow" || !creates || !strings.Contains(st.Sid, "Create") {
				continue
			}
			for _, pat := range asList(st.Resource) {
				if pat == "*" {
					continue // an action without a resource type: its tag fence makes it findable by tag
				}
				parts := strings.SplitN(vars.Replace(pat), ":", 6)
				if parts[3] == "*" {
					parts[3] = tRegion
				}
				parts[5] = strings.ReplaceAll(parts[5], "*", "x")
				arn := strings.Join(parts, ":")
				typ, ok := resources.ForARN(arn)
				switch {
				case !ok:
					// Statements name resources an action only acts on (CreateListener acts on
					// its load balancer): those are claimed by that resource's type.
					t.Errorf("%s (%s): no resource type claims %s", l.ID, st.Sid, arn)
				case typ.List == nil && typ.Untaggable:
					t.Errorf("%s (%s): %s (%s) cannot carry tags and has no lister", l.ID, st.Sid, arn, typ.Name)
				case !mine[typ.Name]:
					t.Errorf("%s (%s): students can make %s (%s), but neither the lab nor the sandbox declares it for cleanup", l.ID, st.Sid, arn, typ.Name)
				default:
					checked++
				}
			}
		}
	}
	if checked < 4 {
		t.Fatalf("checked %d patterns; the grants were not read", checked)
	}
}
