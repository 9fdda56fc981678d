package sandbox

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/virtual"
)

// TestTheUsualMistakesAreNotAccessDenials: every lab's usual mistakes, made by
// virtual students acting as their fenced roles, fail the checkpoints they break
// (tested with each lab), never on a permission the policies forgot: no student
// gives up with AccessDenied.
func TestTheUsualMistakesAreNotAccessDenials(t *testing.T) {
	for _, lab := range catalog.New().All() {
		if !lab.Built() || len(lab.Script) == 0 {
			continue
		}
		ctx := context.Background()
		f := newFixture(t, len(lab.Mistakes), takes(lab))
		p := f.provisioner()
		students, _ := f.store.Students(ctx, f.class.ID)
		runner := virtual.New(slog.New(slog.NewTextHandler(io.Discard, nil)), f.world, f.world, f.clock.Now)
		i := 0
		for m := range lab.Mistakes {
			st := students[i]
			i++
			role, _ := p.EnsureRole(ctx, f.class, st)
			runner.Start(virtual.Student{ClassID: f.class.ID, Slug: st.Slug, Region: f.class.Regions[0], Lab: lab, Role: role,
				Persona: labs.Persona{Pace: 1, Mistakes: map[string]bool{m: true}, StuckAfter: -1}})
		}
		for i := 0; i < 90*12; i++ {
			f.clock.Advance(5 * time.Second)
			runner.RunDue(ctx)
		}
		for k, e := range runner.Failures(f.class.ID) {
			if strings.Contains(e, "not authorized") {
				t.Errorf("%s (%s): %s", k, lab.ID, e)
			}
		}
		t.Logf("%s: %v", lab.ID, runner.Progress(f.class.ID))
	}
}
