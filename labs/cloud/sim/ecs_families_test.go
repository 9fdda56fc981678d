package sim

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// registerRevs registers n revisions of family.
func (e *env) registerRevs(family string, n int) {
	e.t.Helper()
	for i := 0; i < n; i++ {
		if _, err := e.c.ECS.RegisterTaskDefinition(e.ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(family), NetworkMode: ecstypes.NetworkModeAwsvpc,
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("c"), Image: aws.String("busybox")}}}); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) deregister(ref string) {
	e.t.Helper()
	if _, err := e.c.ECS.DeregisterTaskDefinition(e.ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(ref)}); err != nil {
		e.t.Fatal(err)
	}
}

// allFamilies reads every page of ListTaskDefinitionFamilies.
func (e *env) allFamilies(in ecs.ListTaskDefinitionFamiliesInput) ([]string, int, error) {
	var names []string
	pages := 0
	for {
		out, err := e.c.ECS.ListTaskDefinitionFamilies(e.ctx, &in)
		if err != nil {
			return nil, pages, err
		}
		pages++
		names = append(names, out.Families...)
		if out.NextToken == nil {
			return names, pages, nil
		}
		in.NextToken = out.NextToken
	}
}

func TestListTaskDefinitionFamilies(t *testing.T) {
	e := newEnv(t)
	e.registerRevs("web", 2)     // ACTIVE, ACTIVE
	e.registerRevs("webapp", 1)  // INACTIVE
	e.deregister("webapp:1")     //
	e.registerRevs("web-old", 1) // DELETE_IN_PROGRESS only: not a family any more
	e.deregister("web-old:1")    //
	e.registerRevs("api", 2)     // INACTIVE and ACTIVE
	e.deregister("api:1")        //
	e.registerRevs("Web", 1)     // prefixes are case-sensitive
	out, err := e.c.ECS.DeleteTaskDefinitions(e.ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{"web-old:1"}})
	if err != nil || len(out.Failures) != 0 {
		t.Fatalf("DeleteTaskDefinitions: %v %+v", err, out)
	}
	for _, tc := range []struct {
		name   string
		prefix string
		status ecstypes.TaskDefinitionFamilyStatus
		want   []string
	}{
		{"default lists ACTIVE and INACTIVE", "", "", []string{"Web", "api", "web", "webapp"}},
		{"ALL", "", ecstypes.TaskDefinitionFamilyStatusAll, []string{"Web", "api", "web", "webapp"}},
		{"ACTIVE: at least one ACTIVE revision", "", ecstypes.TaskDefinitionFamilyStatusActive, []string{"Web", "api", "web"}},
		{"INACTIVE: no ACTIVE revision", "", ecstypes.TaskDefinitionFamilyStatusInactive, []string{"webapp"}},
		{"prefix", "web", "", []string{"web", "webapp"}},
		{"prefix is a prefix, not a family", "we", ecstypes.TaskDefinitionFamilyStatusActive, []string{"web"}},
		{"prefix is case-sensitive", "W", "", []string{"Web"}},
		{"no match", "x", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := e.allFamilies(ecs.ListTaskDefinitionFamiliesInput{FamilyPrefix: optStr(tc.prefix), Status: tc.status})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}

	// Pagination: 7 families, 3 a page, sorted across pages.
	p := newEnv(t)
	for _, f := range []string{"f5", "f1", "f7", "f3", "f2", "f6", "f4"} {
		p.registerRevs(f, 1)
	}
	got, pages, err := p.allFamilies(ecs.ListTaskDefinitionFamiliesInput{MaxResults: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"f1", "f2", "f3", "f4", "f5", "f6", "f7"}; !reflect.DeepEqual(got, want) || pages != 3 {
		t.Errorf("paged: %q in %d pages, want %q in 3", got, pages, want)
	}
	for _, tc := range []struct {
		name string
		in   ecs.ListTaskDefinitionFamiliesInput
		code string
	}{
		{"maxResults 0", ecs.ListTaskDefinitionFamiliesInput{MaxResults: aws.Int32(0)}, "InvalidParameterException"},
		{"maxResults 101", ecs.ListTaskDefinitionFamiliesInput{MaxResults: aws.Int32(101)}, "InvalidParameterException"},
		{"bad token", ecs.ListTaskDefinitionFamiliesInput{NextToken: aws.String("nonsense")}, "InvalidParameterException"},
		{"bad status", ecs.ListTaskDefinitionFamiliesInput{Status: "DELETED"}, "ClientException"},
	} {
		if _, err := p.c.ECS.ListTaskDefinitionFamilies(p.ctx, &tc.in); apiCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
}

// ListTaskDefinitions' FamilyPrefix is the full family name, not a prefix.
func TestListTaskDefinitionsFamilyIsExact(t *testing.T) {
	e := newEnv(t)
	e.registerRevs("web", 2)
	e.registerRevs("webapp", 1)
	for _, tc := range []struct {
		family string
		want   int
	}{{"web", 2}, {"webapp", 1}, {"we", 0}, {"", 3}} {
		out, err := e.c.ECS.ListTaskDefinitions(e.ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: optStr(tc.family)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.TaskDefinitionArns) != tc.want {
			t.Errorf("FamilyPrefix %q: %q, want %d", tc.family, out.TaskDefinitionArns, tc.want)
		}
		for _, a := range out.TaskDefinitionArns {
			if tc.family != "" && !strings.Contains(a, "/"+tc.family+":") {
				t.Errorf("FamilyPrefix %q listed %s", tc.family, a)
			}
		}
	}
}
