package cleanup

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/labdash/labdash/db"
)

// TestRunNeverTwiceAndTakesOverTheDead: a job whose lease another live process
// holds is refused with a *LeaseHeldError and left alone; one whose holder on
// this host has died is taken over at once and finished. (A stale lease of a
// holder elsewhere is the store's ClaimJob, tested in db.)
func TestRunNeverTwiceAndTakesOverTheDead(t *testing.T) {
	f := newFixture(t)
	a := f.class("A", 1)
	f.build(a)
	plan, err := f.planner().Plan(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	x := f.executor()
	job, err := x.Confirm(f.ctx, a.ID, plan.Hash, a.Name)
	if err != nil {
		t.Fatal(err)
	}
	// A live holder elsewhere, heartbeat fresh: refused, nothing touched.
	if ok, _, _, err := f.store.ClaimJob(f.ctx, job.ID, "elsewhere|4242|live", time.Now().Add(-time.Minute), ""); err != nil || !ok {
		t.Fatal(ok, err)
	}
	var held *LeaseHeldError
	if err := x.Run(f.ctx, job.ID); !errors.As(err, &held) || held.Holder != "elsewhere|4242|live" {
		t.Fatalf("run of a job held elsewhere: %v", err)
	}
	if j, _ := f.store.Job(f.ctx, job.ID); j.Counts()[db.ItemDone] != 0 || j.Owner != "elsewhere|4242|live" {
		t.Fatalf("the refused run touched the job: %v, owner %q", j.Counts(), j.Owner)
	}
	// A holder on this host whose process is gone: taken over at once, whatever the TTL.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	holder := fmt.Sprintf("%s|%d|gone", host, dead.Process.Pid)
	if holderAlive(holder) {
		t.Fatalf("%s is reported alive", holder)
	}
	x2 := f.executor()
	x2.LeaseTTL = time.Hour // only the dead-process check can take it over now
	if ok, _, _, err := f.store.ClaimJob(f.ctx, job.ID, holder, time.Now().Add(-time.Hour), "elsewhere|4242|live"); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := x2.Run(f.ctx, job.ID); err != nil {
		t.Fatalf("run after the holder died: %v", err)
	}
	j, _ := f.store.Job(f.ctx, job.ID)
	if j.State != db.JobDone || j.Outcome != db.OutcomeVerified || j.Owner != "" {
		t.Fatalf("taken-over job: %s %s owner %q: %s", j.State, j.Outcome, j.Owner, j.Error)
	}
	if !holderAlive(processOwner) || !holderAlive("otherhost|1|x") || !holderAlive("malformed") {
		t.Error("only a holder on this host whose process is gone may be reported dead")
	}
}
