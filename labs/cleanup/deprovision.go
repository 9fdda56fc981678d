package cleanup

// Deprovisioning one student is a cleanup of that student narrowed to what
// provisioning made: the same plan (every candidate through Owner.Decide), the
// same job (it survives a restart and shows its progress), the same deleters and
// the same guard. There is no second way to delete.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/labdash/labdash/db"
)

// NotProvenError lists what provisioning recorded for a student that the plan
// could not prove the class's: it was not deleted.
type NotProvenError struct {
	Student string
	Items   []string // "ARN: why"
}

func (e *NotProvenError) Error() string {
	return fmt.Sprintf("cleanup: %d resource(s) recorded as provisioned for %s were not deleted because their ownership by the class is not proven: %s",
		len(e.Items), e.Student, strings.Join(e.Items, "; "))
}

// DeprovisionFailedError is a deprovisioning job whose deletions did not all succeed.
type DeprovisionFailedError struct {
	JobID  int64
	Failed []string // "ARN: detail"
}

func (e *DeprovisionFailedError) Error() string {
	return fmt.Sprintf("cleanup: deprovisioning job %d: %d deletion(s) failed: %s", e.JobID, len(e.Failed), strings.Join(e.Failed, "; "))
}

// Deprovision removes what provisioning made for student slug of class classID —
// the ledger entries found_by=provisioned: the sandbox role and the prerequisite
// stacks — and leaves what the student built for the class cleanup. It plans the
// student's cleanup (each resource's ownership decided by Owner.Decide), keeps the
// provisioned items the plan proves the class's, and runs them as a cleanup job
// under the guard, to the end. It returns how many of the student's resources
// remain in the ledger. A provisioned entry the plan cannot prove is reported
// (*NotProvenError), never deleted; a deletion that fails is reported
// (*DeprovisionFailedError). Running it again when nothing is left is harmless.
func (x *Executor) Deprovision(ctx context.Context, classID, slug string) (left int, err error) {
	class, err := x.Store.Class(ctx, classID)
	if err != nil {
		return 0, err
	}
	entries, err := x.Store.Ledger(ctx, classID, slug)
	if err != nil {
		return 0, err
	}
	wanted := map[string]bool{}
	for _, e := range entries {
		if e.FoundBy == db.FoundProvisioned {
			wanted[e.ARN] = true
		}
	}
	if len(wanted) == 0 {
		return len(entries), nil
	}
	plan, err := x.Planner.PlanFor(ctx, classID, slug)
	if err != nil {
		return 0, err
	}
	sub := *plan
	sub.Items, sub.Skipped = nil, nil
	for _, it := range plan.Items {
		if wanted[it.ARN] {
			sub.Items = append(sub.Items, it)
			delete(wanted, it.ARN)
		}
	}
	why := map[string]string{}
	for _, it := range plan.Skipped {
		why[it.ARN] = it.Reason
	}
	var unproven []string
	for arn := range wanted {
		r := why[arn]
		if r == "" {
			r = "the plan found nothing of the student's at this ARN that it could prove the class's"
		}
		unproven = append(unproven, arn+": "+r)
	}
	sort.Strings(unproven)
	if len(sub.Items) > 0 {
		sub.seal(db.FoundProvisioned)
		job, err := x.ConfirmPlan(ctx, &sub, class.Name)
		if err != nil {
			return 0, err
		}
		if err := x.Run(ctx, job.ID); err != nil {
			return 0, err
		}
		done, err := x.Store.Job(ctx, job.ID)
		if err != nil {
			return 0, err
		}
		var failed []string
		for _, it := range done.Items {
			if it.State == db.ItemFailed {
				failed = append(failed, it.Key+": "+it.Detail)
			}
		}
		if len(failed) > 0 {
			left, err := x.remaining(ctx, classID, slug)
			return left, errors.Join(&DeprovisionFailedError{JobID: job.ID, Failed: failed}, err)
		}
	}
	if left, err = x.remaining(ctx, classID, slug); err != nil {
		return 0, err
	}
	if len(unproven) > 0 {
		return left, &NotProvenError{Student: slug, Items: unproven}
	}
	return left, nil
}

// remaining counts the student's resources the ledger still lists.
func (x *Executor) remaining(ctx context.Context, classID, slug string) (int, error) {
	rest, err := x.Store.Ledger(ctx, classID, slug)
	return len(rest), err
}
