package sandbox

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cloud/authz"
	"github.com/labdash/labdash/labs/virtual"
)

// takes makes a fixture's class take labs, in the regions they need.
func takes(ls ...labs.Lab) func(*db.Class) {
	return func(c *db.Class) {
		c.Labs, c.Regions = nil, []string{"us-east-1"}
		for _, l := range ls {
			c.Labs = append(c.Labs, l.ID)
			for _, r := range l.Regions {
				if !slices.Contains(c.Regions, r) {
					c.Regions = append(c.Regions, r)
				}
			}
		}
	}
}

// TestVirtualStudentsCompleteEveryLabAsTheirFencedRole: in a shared-account class,
// each built lab's virtual students act as their sandbox role, every call judged by
// the simulator's IAM evaluation of the class's boundary and identity policy, and
// still complete the lab and pass every required checkpoint. A permission the
// policies lack makes a student give up with AWS's AccessDenied message, which
// this test prints.
func TestVirtualStudentsCompleteEveryLabAsTheirFencedRole(t *testing.T) {
	for _, lab := range catalog.New().All() {
		if !lab.Built() || len(lab.Script) == 0 {
			continue
		}
		t.Run(lab.ID, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, 2, takes(lab))
			p := f.provisioner()
			if err := p.CheckLabs(f.class); err != nil {
				t.Fatalf("a shared class refuses %s: %v", lab.ID, err)
			}
			students, err := f.store.Students(ctx, f.class.ID)
			if err != nil {
				t.Fatal(err)
			}
			runner := virtual.New(slog.New(slog.NewTextHandler(io.Discard, nil)), f.world, f.world, f.clock.Now)
			var targets []labs.Target
			for _, st := range students {
				role, err := p.EnsureRole(ctx, f.class, st)
				if err != nil {
					t.Fatal(err)
				}
				// The role's clients are judged by IAM: the caller is the assumed role.
				rc, err := f.world.ClientsAs(ctx, role, st.Slug, f.class.Regions[0])
				if err != nil {
					t.Fatal(err)
				}
				who, err := rc.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				if err != nil || !strings.Contains(*who.Arn, ":assumed-role/"+RoleName(f.class.ID, st.Slug)+"/") {
					t.Fatalf("the role's clients answer as %v (%v)", who, err)
				}
				runner.Start(virtual.Student{ClassID: f.class.ID, Slug: st.Slug, Region: f.class.Regions[0], Lab: lab, Role: role,
					Persona: labs.Persona{Pace: 1, Mistakes: map[string]bool{}, StuckAfter: -1}})
				targets = append(targets, labs.NewTarget(f.class.ID, st.Slug, "", f.class.Regions[0]))
			}
			admin, err := f.world.Clients(ctx, "", f.class.Regions[0])
			if err != nil {
				t.Fatal(err)
			}
			passed := map[string]map[string]bool{}
			cache := labs.NewCache() // the monitor's memory of this group
			for elapsed := time.Duration(0); elapsed < 90*time.Minute; elapsed += 5 * time.Second {
				f.clock.Advance(5 * time.Second)
				runner.RunDue(ctx)
				if elapsed%(30*time.Second) != 0 {
					continue
				}
				obs, err := lab.Observe(ctx, admin, cache, targets)
				if err != nil {
					t.Fatal(err)
				}
				for slug, o := range obs {
					if passed[slug] == nil {
						passed[slug] = map[string]bool{}
					}
					for _, cp := range lab.Checkpoints {
						if cp.Check(o).Status == labs.Pass {
							passed[slug][cp.ID] = true
						}
					}
				}
			}
			for k, e := range runner.Failures(f.class.ID) {
				t.Errorf("%s gave up: %s", k, e)
			}
			for slug, step := range runner.Progress(f.class.ID) {
				if step != "done" {
					t.Errorf("%s stopped at %q", slug, step)
				}
			}
			for _, st := range students {
				for _, cp := range lab.Checkpoints {
					if !cp.Optional && !passed[st.Slug][cp.ID] {
						t.Errorf("%s never passed %s (%s)", st.Slug, cp.ID, cp.Title)
					}
				}
			}
		})
	}
}

// TestProvisioningRefusesWhatASharedAccountCannotHold: a lab refuses a class that
// lacks a region it needs; in a shared account, a lab that cannot be isolated or has
// no grants of its own is refused with the reason; the three built labs are accepted.
func TestProvisioningRefusesWhatASharedAccountCannotHold(t *testing.T) {
	reg := catalog.New()
	p := &Provisioner{Registry: reg}
	for _, c := range []struct {
		name    string
		labs    []string
		regions []string
		iso     string
		want    string // "" accepted
	}{
		{"Global Accelerator without eu-west-1", []string{"ga"}, []string{"us-east-1"}, db.IsolationShared, "ga needs us-east-1 and eu-west-1"},
		{"Global Accelerator without eu-west-1, own accounts", []string{"ga"}, []string{"us-east-1"}, db.IsolationPerStudent, "ga needs"},
		{"Global Accelerator with both", []string{"ga"}, []string{"us-east-1", "eu-west-1"}, db.IsolationShared, ""},
		{"the three built labs", []string{"fargate", "ga", "xray"}, []string{"us-east-1", "eu-west-1"}, db.IsolationShared, ""},
		{"a lab with no sandbox policy yet", []string{"photos"}, []string{"us-east-1"}, db.IsolationShared, "no sandbox policy"},
		{"the same lab, own accounts", []string{"photos"}, []string{"us-east-1"}, db.IsolationPerStudent, ""},
	} {
		err := p.CheckLabs(&db.Class{ID: "cabcd", Labs: c.labs, Regions: c.regions, Isolation: c.iso})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v; want a refusal saying %q", c.name, err, c.want)
		}
	}
	for _, l := range reg.All() {
		if l.AccountPerStudentOnly {
			if err := p.CheckLabs(&db.Class{ID: "cabcd", Labs: []string{l.ID}, Regions: append([]string{"us-east-1"}, l.Regions...), Isolation: db.IsolationShared}); err == nil || !strings.Contains(err.Error(), l.Why) {
				t.Errorf("%s: a shared account was not refused with the lab's reason: %v", l.ID, err)
			}
		}
	}
}

// TestAMissingPermissionStopsTheVirtualStudent: with one action taken out of the
// Fargate lab's grants, its virtual student gives up at that step with AWS's
// AccessDenied message naming the action, so a policy that lacks what a lab needs
// fails here before it fails a class.
func TestAMissingPermissionStopsTheVirtualStudent(t *testing.T) {
	ctx := context.Background()
	lab, _ := catalog.New().Lab("fargate")
	grants := lab.Grants
	lab.Grants = func(g labs.GrantScope) []authz.Statement {
		var out []authz.Statement
		for _, st := range grants(g) {
			var keep []string
			for _, a := range authz.Strings(st.Action) {
				if a != "ecs:CreateService" {
					keep = append(keep, a)
				}
			}
			st.Action = keep
			out = append(out, st)
		}
		return out
	}
	reg := labs.NewRegistry()
	reg.Register(lab)
	f := newFixture(t, 1, takes(lab))
	p := f.provisioner()
	p.Registry = reg
	students, _ := f.store.Students(ctx, f.class.ID)
	role, err := p.EnsureRole(ctx, f.class, students[0])
	if err != nil {
		t.Fatal(err)
	}
	runner := virtual.New(slog.New(slog.NewTextHandler(io.Discard, nil)), f.world, f.world, f.clock.Now)
	runner.Start(virtual.Student{ClassID: f.class.ID, Slug: students[0].Slug, Region: "us-east-1", Lab: lab, Role: role,
		Persona: labs.Persona{Pace: 1, Mistakes: map[string]bool{}, StuckAfter: -1}})
	for i := 0; i < 60*12; i++ {
		f.clock.Advance(5 * time.Second)
		runner.RunDue(ctx)
	}
	got := runner.Failures(f.class.ID)[students[0].Slug+"/fargate"]
	if !strings.Contains(got, "AccessDeniedException") || !strings.Contains(got, "is not authorized to perform: ecs:CreateService") ||
		!strings.Contains(got, "because no identity-based policy allows the ecs:CreateService action") {
		t.Fatalf("the student's last error = %q; want AWS's AccessDenied for ecs:CreateService", got)
	}
	if step := runner.Progress(f.class.ID)[students[0].Slug]; step != "stuck" {
		t.Errorf("the student is at %q, want stuck", step)
	}
}
