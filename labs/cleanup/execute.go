package cleanup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

// JobKind is the jobs.kind of cleanup jobs.
const JobKind = "cleanup"

// ErrPlanChanged means the class's plan is not the one the instructor confirmed.
var ErrPlanChanged = errors.New("cleanup: the plan changed since it was shown; review it again")

// ErrWrongName means the typed confirmation is not the class's name.
var ErrWrongName = errors.New("cleanup: the typed name does not match the class")

// Executor confirms and runs cleanup plans as resumable jobs.
type Executor struct {
	Log      *slog.Logger
	Store    *db.Store
	Provider cloud.Provider
	Planner  *Planner
	// Workers bounds the delete attempts in flight at once (default 16); PerService
	// bounds them per AWS service (default 4), under the services' rate limits.
	Workers, PerService int
	// Sleep waits between attempts; tests make it short. Deadlines are measured on
	// the provider's clock (simulated time in the simulator).
	Sleep func(ctx context.Context, d time.Duration) error
	// Speed, when above 1, is how much faster than real time the provider's clock
	// runs (a simulator at 60×): waits pass at that speed.
	Speed float64
	// Deadline bounds each resource's deletion (default 20 min, LABS.md §4's
	// DependencyViolation window after an ENI is released).
	Deadline time.Duration
	// Intercept, when set, wraps every client after the guard (tests inject faults).
	Intercept cloud.Interceptor
}

// Confirm binds a cleanup of the whole class to the plan the instructor saw.
func (x *Executor) Confirm(ctx context.Context, classID, hash, typedName string) (*db.Job, error) {
	return x.ConfirmFor(ctx, classID, "", hash, typedName)
}

// ConfirmFor binds a cleanup of class classID — or of one student of it — to the
// plan the instructor saw: the hash (which covers the scope, the account, the
// regions and every ARN) and the class's name typed out. It creates the job
// holding exactly the plan's items; the guard lets nothing else be touched.
func (x *Executor) ConfirmFor(ctx context.Context, classID, student, hash, typedName string) (*db.Job, error) {
	class, err := x.Store.Class(ctx, classID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(typedName) != class.Name {
		return nil, ErrWrongName
	}
	plan, err := x.Planner.PlanFor(ctx, classID, student)
	if err != nil {
		return nil, err
	}
	if plan.Hash != hash {
		return nil, ErrPlanChanged
	}
	items := make([]db.JobItem, len(plan.Items))
	for i, it := range plan.Items {
		b, _ := json.Marshal(it)
		items[i] = db.JobItem{Key: it.ARN, Payload: string(b)}
	}
	job, err := x.Store.CreateScopedJob(ctx, classID, JobKind, student, items)
	if err != nil {
		return nil, err
	}
	what := "the class"
	if student != "" {
		what = "student " + student
	}
	err = x.Store.Audit(ctx, db.AuditEntry{ClassID: classID, Actor: "cleanup", Action: "cleanup.confirm",
		Detail: fmt.Sprintf("job %d: %s; plan %s, account %s, regions %s, %d resources, $%.3f/h", job.ID, what, plan.Hash, plan.Account,
			strings.Join(plan.Regions, ","), len(plan.Items), plan.HourlyUSD)})
	return job, err
}

// run is one Run's shared state.
type run struct {
	x       *Executor
	jobID   int64
	class   *db.Class
	all     cloud.Interceptor // the guard (and any test interceptor)
	slots   chan struct{}
	perSvc  map[string]chan struct{}
	mu      sync.Mutex
	cond    *sync.Cond
	rem     map[string]map[int]int // student ("" = class-level) → rank → unfinished items
	remRank map[int]int            // rank → unfinished items, all students
}

// Run executes (or resumes) cleanup job id. Every unfinished resource runs its
// own state machine; it starts once the resources it may depend on — its
// student's of lower rank, and the class-level ones of lower rank; for a
// class-level resource, every resource of lower rank — are finished. Then Run
// verifies with a fresh plan and records what is left. Cancelling ctx stops it
// where it is; Run on the same job resumes from the database alone.
func (x *Executor) Run(ctx context.Context, id int64) error {
	job, err := x.Store.Job(ctx, id)
	if err != nil {
		return err
	}
	if err := x.Store.SetJobState(ctx, id, db.JobRunning, ""); err != nil {
		return err
	}
	class, err := x.Store.Class(ctx, job.ClassID)
	if err != nil {
		return err
	}
	var refs []resources.Ref
	var todo []Item
	for _, ji := range job.Items {
		var it Item
		if err := json.Unmarshal([]byte(ji.Payload), &it); err != nil || it.ARN != ji.Key {
			return fmt.Errorf("cleanup: job %d item %s is corrupt", id, ji.Key)
		}
		refs = append(refs, it.Ref)
		if ji.State != db.ItemDone && ji.State != db.ItemFailed {
			todo = append(todo, it)
		}
	}
	r := &run{x: x, jobID: id, class: class, slots: make(chan struct{}, pick(x.Workers, 16)), perSvc: map[string]chan struct{}{},
		rem: map[string]map[int]int{}, remRank: map[int]int{}}
	r.cond = sync.NewCond(&r.mu)
	guard := resources.Guard(refs, func(e *resources.Refused) {
		x.Log.Error("cleanup guard refused a call outside the confirmed plan", slog.Int64("job", id), slog.String("call", e.Service+":"+e.Op),
			slog.Any("targets", e.Targets), slog.String("why", e.Why))
		_ = x.Store.Audit(context.WithoutCancel(ctx), db.AuditEntry{ClassID: class.ID, Actor: "cleanup", Action: "cleanup.refused", Detail: clip(e.Error(), 1000)})
	})
	r.all = guard
	if x.Intercept != nil {
		r.all = func(ctx context.Context, call cloud.Call) error {
			if err := guard(ctx, call); err != nil {
				return err
			}
			return x.Intercept(ctx, call)
		}
	}
	for _, it := range todo {
		r.count(it, 1)
		if r.perSvc[svcOf(it.ARN)] == nil {
			r.perSvc[svcOf(it.ARN)] = make(chan struct{}, pick(x.PerService, 4))
		}
	}
	var wg sync.WaitGroup
	for _, it := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { r.count(it, -1) }()
			if !r.waitTurn(ctx, it) {
				return
			}
			r.deleteOne(ctx, it)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err // the job stays running and resumes where it stopped
	}
	return x.verify(ctx, id, class, job.Scope)
}

// pick is v when it is set (positive), else def.
func pick[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// svcOf is the service an ARN belongs to ("ecs:service/…" fallback ids included).
func svcOf(arn string) string {
	if s := resources.Service(arn); s != "" {
		return s
	}
	s, _, _ := strings.Cut(arn, ":")
	return s
}

func (r *run) count(it Item, d int) {
	r.mu.Lock()
	if r.rem[it.Student] == nil {
		r.rem[it.Student] = map[int]int{}
	}
	r.rem[it.Student][it.Rank] += d
	r.remRank[it.Rank] += d
	r.mu.Unlock()
	if d < 0 {
		r.cond.Broadcast()
	}
}

// ready reports whether nothing it may depend on is unfinished. r.mu is held.
func (r *run) ready(it Item) bool {
	for rank, n := range r.remRank {
		if rank >= it.Rank || n == 0 {
			continue
		}
		if it.Student == "" || r.rem[it.Student][rank] > 0 || r.rem[""][rank] > 0 {
			return false
		}
	}
	return true
}

// waitTurn blocks until it is ready or ctx ends.
func (r *run) waitTurn(ctx context.Context, it Item) bool {
	stop := context.AfterFunc(ctx, func() { r.mu.Lock(); r.cond.Broadcast(); r.mu.Unlock() })
	defer stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for !r.ready(it) {
		if ctx.Err() != nil {
			return false
		}
		r.cond.Wait()
	}
	return ctx.Err() == nil
}

// deleteOne runs one resource's state machine: deleting (disabling, waiting) →
// gone, or failed with the reason.
func (r *run) deleteOne(ctx context.Context, it Item) {
	x := r.x
	set := func(state, step, detail string) {
		if err := x.Store.SetJobItem(context.WithoutCancel(ctx), r.jobID, it.ARN, state, step, clip(detail, 500)); err != nil {
			x.Log.Warn("cleanup: record progress", slog.Any("error", err))
		}
	}
	t, ok := resources.Lookup(it.Type)
	if !ok {
		set(db.ItemFailed, "failed", "labdash has no deleter for "+it.Type)
		return
	}
	acct := it.Account // a student's own account; the provider's default one in a shared class
	if r.class.Isolation == db.IsolationShared {
		acct = ""
	}
	region := it.Region
	if t.Home != "" {
		region = t.Home
	}
	if region == "" {
		region = r.class.Regions[0]
	}
	raw, err := x.Provider.Clients(ctx, acct, region)
	if err != nil {
		set(db.ItemFailed, "failed", "no clients: "+err.Error())
		return
	}
	c := cloud.Intercept(raw, r.all)
	deadline := pick(x.Deadline, 20*time.Minute)
	start := c.Clock()
	svc := r.perSvc[svcOf(it.ARN)]
	set(db.ItemRunning, "deleting", "")
	notable := "" // the last answer that says why it is not gone yet (not mere progress)
	for attempt := 1; ; attempt++ {
		r.slots <- struct{}{}
		svc <- struct{}{}
		err = t.Delete(ctx, c, it.Ref)
		<-svc
		<-r.slots
		if ctx.Err() != nil {
			return // stopped: the item stays as it is and a resumed run retries it
		}
		out := classify(err)
		switch out {
		case done:
			if err := x.Store.MarkDeleted(context.WithoutCancel(ctx), r.class.ID, it.ARN); err != nil {
				set(db.ItemFailed, "failed", "ledger: "+err.Error())
				return
			}
			_ = x.Store.Audit(context.WithoutCancel(ctx), db.AuditEntry{ClassID: r.class.ID, Actor: "cleanup", Action: "cleanup.delete", Detail: it.Type + " " + it.ARN})
			set(db.ItemDone, "gone", "")
			return
		case terminal:
			var refused *resources.Refused
			if errors.As(err, &refused) {
				set(db.ItemFailed, "refused", "the guard refused it: "+refused.Why)
				return
			}
			set(db.ItemFailed, "failed", errText(err))
			return
		}
		if ctx.Err() != nil {
			return
		}
		var we *resources.WaitError
		if !errors.As(err, &we) || (we.Step != "deleting" && we.Step != "waiting") {
			notable = errText(err)
		}
		if c.Clock().Sub(start) > deadline {
			why := errText(err)
			if notable != "" && notable != why {
				why = notable + " (now: " + why + ")"
			}
			set(db.ItemFailed, "failed", fmt.Sprintf("still not deleted after %s: %s", deadline, why))
			return
		}
		step, wait := "waiting", 10*time.Second
		switch {
		case we != nil:
			step, wait = we.Step, 5*time.Second
		case out == backoff:
			step = "throttled"
			wait = time.Duration(min(1<<min(attempt, 6), 60)) * time.Second // 2, 4 … 60 s
			wait += time.Duration(rand.Int64N(int64(wait / 2)))             // jitter: retries of many workers spread out
		}
		set(db.ItemRunning, step, errText(err))
		if x.sleep(ctx, wait) != nil {
			return
		}
	}
}

func (x *Executor) sleep(ctx context.Context, d time.Duration) error {
	if x.Sleep != nil {
		return x.Sleep(ctx, d)
	}
	if x.Speed > 1 {
		d = time.Duration(float64(d) / x.Speed)
	}
	return wait(ctx, d)
}

// wait blocks for d or until ctx ends.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// verify re-plans the job's scope: anything still owned is a leftover, named in the job.
func (x *Executor) verify(ctx context.Context, id int64, class *db.Class, scope string) error {
	plan, err := x.Planner.PlanFor(ctx, class.ID, scope)
	if err != nil {
		return err
	}
	job, err := x.Store.Job(ctx, id)
	if err != nil {
		return err
	}
	var left []string
	for _, it := range plan.Items {
		left = append(left, it.Type+" "+it.ARN)
	}
	failed := job.Counts()[db.ItemFailed]
	detail := fmt.Sprintf("verified: %d resource(s) left", len(left))
	if len(left) > 0 {
		detail += ": " + strings.Join(left, "; ")
	}
	_ = x.Store.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: "cleanup", Action: "cleanup.verify", Detail: clip(detail, 2000)})
	if len(left) > 0 || failed > 0 {
		return x.Store.SetJobState(ctx, id, db.JobDone, clip(fmt.Sprintf("%d failed; %s", failed, detail), 2000))
	}
	return x.Store.SetJobState(ctx, id, db.JobDone, "")
}

// outcome classifies a delete attempt (DESIGN.md §5).
type outcome int

const (
	done       outcome = iota // deleted, or already gone
	retryLater                // DependencyViolation, in use, not yet disabled, still deleting
	backoff                   // throttled
	terminal                  // AccessDenied and the like: reported, others continue
)

func classify(err error) outcome {
	if err == nil || errors.Is(err, resources.ErrGone) {
		return done
	}
	if errors.Is(err, resources.ErrWaiting) {
		return retryLater
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return terminal
	}
	code := ae.ErrorCode()
	switch {
	case code == "LabdashGuardRefused":
		return terminal
	case strings.Contains(code, "NotFound"), code == "NoSuchEntity", code == "NoSuchBucket":
		return done
	case strings.Contains(code, "Throttl"), code == "RequestLimitExceeded", code == "TooManyRequestsException", code == "SlowDown",
		code == "RequestThrottled", code == "ProvisionedThroughputExceededException":
		return backoff
	case code == "DependencyViolation", code == "ResourceInUse", strings.Contains(code, "InUse"), strings.Contains(code, "Contains"),
		code == "DeleteConflict", code == "PriorRequestNotComplete", code == "ServiceNotActiveException", strings.Contains(code, "NotDisabled"),
		strings.HasPrefix(code, "Associated"), code == "InvalidStateException", code == "ConcurrentModificationException",
		code == "ScalingActivityInProgress", code == "OperationInProgress", code == "BucketNotEmpty":
		return retryLater
	}
	return terminal
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return clip(err.Error(), 300)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
