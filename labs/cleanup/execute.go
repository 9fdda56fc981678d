package cleanup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
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
// The error is a *PlanChangedError naming what changed when that is known.
var ErrPlanChanged = errors.New("cleanup: the plan changed since it was shown; review it again")

// ErrWrongName means the typed confirmation is not the class's name.
var ErrWrongName = errors.New("cleanup: the typed name does not match the class")

// ErrJobOpen means the class already has an unfinished cleanup job: it is
// resumed, not started again. The error is a *JobOpenError naming the job.
var ErrJobOpen = errors.New("cleanup: the class has an unfinished cleanup job")

// JobOpenError is ErrJobOpen with the job already open (ID 0 when it finished
// before it could be read).
type JobOpenError struct {
	ID       int64
	PlanHash string
	State    string
}

func (e *JobOpenError) Error() string {
	if e.ID == 0 {
		return ErrJobOpen.Error() + "; it resumes rather than starting again"
	}
	return fmt.Sprintf("%s: job %d (plan %s) is %s; it resumes rather than starting again", ErrJobOpen, e.ID, e.PlanHash, e.State)
}

// Is makes errors.Is(err, ErrJobOpen) hold.
func (e *JobOpenError) Is(target error) bool { return target == ErrJobOpen }

// jobOpen turns the store's answer for a class's open job into a *JobOpenError.
func jobOpen(j *db.Job) error {
	if j == nil {
		return &JobOpenError{}
	}
	return &JobOpenError{ID: j.ID, PlanHash: j.PlanHash, State: j.State}
}

// PlanChangedError is ErrPlanChanged with what changed: the confirmed hash, the
// current one, and the resources that are new or gone since, when the confirmed
// plan was recorded (SaveCleanupPlan).
type PlanChangedError struct {
	Confirmed, Now string
	Known          bool // the confirmed plan was recorded: Added and Removed are exact
	Added, Removed []string
}

func (e *PlanChangedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cleanup: plan %s is not the class's plan now (%s); nothing was deleted", e.Confirmed, e.Now)
	switch {
	case !e.Known:
		b.WriteString("; plan it again and confirm the new hash")
	default:
		if len(e.Added) > 0 {
			fmt.Fprintf(&b, "; new since: %s", listClip(e.Added, 10))
		}
		if len(e.Removed) > 0 {
			fmt.Fprintf(&b, "; gone since: %s", listClip(e.Removed, 10))
		}
		if len(e.Added)+len(e.Removed) == 0 {
			b.WriteString("; the same resources, in another scope, account or regions")
		}
	}
	return b.String()
}

// Is makes errors.Is(err, ErrPlanChanged) hold.
func (e *PlanChangedError) Is(target error) bool { return target == ErrPlanChanged }

func listClip(list []string, n int) string {
	if len(list) <= n {
		return strings.Join(list, ", ")
	}
	return strings.Join(list[:n], ", ") + fmt.Sprintf(" and %d more", len(list)-n)
}

// LeaseHeldError means another live process runs the job.
type LeaseHeldError struct {
	Job    int64
	Holder string
	Beat   time.Time
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("cleanup: job %d is being run by %s (last heartbeat %s); it is not run twice", e.Job, e.Holder, e.Beat.Format(time.RFC3339))
}

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
	// BlockedAfter is how long AWS may keep answering that a resource is in use
	// before the engine asks who uses it and reports a user outside the plan as
	// the blocker (default 2 min, on the provider's clock).
	BlockedAfter time.Duration
	// Owner names this process in job leases (default host|pid|random); LeaseTTL
	// is how long a lease lasts without a heartbeat (default 30 s, renewed every
	// third of it). A job whose holder died on this host is taken over at once.
	Owner    string
	LeaseTTL time.Duration
	// Intercept, when set, wraps every client after the guard (tests inject faults).
	Intercept cloud.Interceptor
}

// Confirm binds a cleanup of the whole class to the plan the instructor saw.
func (x *Executor) Confirm(ctx context.Context, classID, hash, typedName string) (*db.Job, error) {
	return x.ConfirmFor(ctx, classID, "", hash, typedName)
}

// ConfirmFor binds a cleanup of class classID — or of one student of it — to the
// plan the instructor saw: it plans once, and creates the job only if that plan's
// hash (which covers the scope, the account, the regions and every ARN) is hash;
// otherwise it returns a *PlanChangedError naming what changed.
func (x *Executor) ConfirmFor(ctx context.Context, classID, student, hash, typedName string) (*db.Job, error) {
	class, err := x.Store.Class(ctx, classID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(typedName) != class.Name {
		return nil, ErrWrongName
	}
	if err := x.noOpenJob(ctx, classID); err != nil {
		return nil, err
	}
	plan, err := x.Planner.PlanFor(ctx, classID, student)
	if err != nil {
		return nil, err
	}
	if plan.Hash != hash {
		return nil, x.changed(ctx, classID, hash, plan)
	}
	return x.ConfirmPlan(ctx, plan, typedName)
}

// ConfirmPlan creates the job for plan, which the instructor has just been shown
// (the command line's interactive confirmation): the job holds exactly the plan's
// items, and the guard lets nothing else be touched.
func (x *Executor) ConfirmPlan(ctx context.Context, plan *Plan, typedName string) (*db.Job, error) {
	class, err := x.Store.Class(ctx, plan.ClassID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(typedName) != class.Name {
		return nil, ErrWrongName
	}
	if err := x.noOpenJob(ctx, plan.ClassID); err != nil {
		return nil, err
	}
	items := make([]db.JobItem, len(plan.Items))
	for i, it := range plan.Items {
		b, _ := json.Marshal(it)
		items[i] = db.JobItem{Key: it.ARN, Payload: string(b)}
	}
	job, err := x.Store.CreatePlannedJob(ctx, plan.ClassID, JobKind, plan.Student, plan.Hash, items)
	var open *db.JobOpenError
	if errors.As(err, &open) {
		return nil, jobOpen(open.Job) // another confirmation got there first (noOpenJob is only the early answer)
	}
	if err != nil {
		return nil, err
	}
	what := "the class"
	if plan.Student != "" {
		what = "student " + plan.Student
	}
	err = x.Store.Audit(ctx, db.AuditEntry{ClassID: plan.ClassID, Actor: "cleanup", Action: "cleanup.confirm",
		Detail: fmt.Sprintf("job %d: %s; plan %s, account %s, regions %s, %d resources, $%.3f/h", job.ID, what, plan.Hash, plan.Account,
			strings.Join(plan.Regions, ","), len(plan.Items), plan.HourlyUSD)})
	return job, err
}

// noOpenJob refuses a second cleanup job while one of the class is unfinished,
// before planning. It is the early, cheap answer; the database's unique index
// (CreatePlannedJob) is what holds when confirmations race past it.
func (x *Executor) noOpenJob(ctx context.Context, classID string) error {
	open, err := x.Store.OpenJob(ctx, classID, JobKind)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	return jobOpen(open)
}

// changed explains why plan is not the confirmed one (hash).
func (x *Executor) changed(ctx context.Context, classID, hash string, plan *Plan) error {
	e := &PlanChangedError{Confirmed: hash, Now: plan.Hash}
	_, arns, err := x.Store.CleanupPlan(ctx, classID, hash)
	if err != nil {
		return e
	}
	e.Known = true
	was := map[string]bool{}
	for _, a := range arns {
		was[a] = true
	}
	for _, it := range plan.Items {
		if !was[it.ARN] {
			e.Added = append(e.Added, it.ARN)
		}
		delete(was, it.ARN)
	}
	for a := range was {
		e.Removed = append(e.Removed, a)
	}
	sort.Strings(e.Removed)
	return e
}

// run is one Run's shared state.
type run struct {
	x       *Executor
	jobID   int64
	class   *db.Class
	all     cloud.Interceptor // the guard (and any test interceptor)
	planned map[string]bool   // the job's ARNs
	slots   chan struct{}
	perSvc  map[string]chan struct{}
	mu      sync.Mutex
	cond    *sync.Cond
	rem     map[string]map[int]int   // student ("" = class-level) → rank → unfinished items
	remRank map[int]int              // rank → unfinished items, all students
	writers map[string]chan struct{} // resources.Type.OneWriter key → its one writer's slot
}

// writer is the one-writer slot of key (a Route 53 zone), made on first use.
func (r *run) writer(key string) chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.writers == nil {
		r.writers = map[string]chan struct{}{}
	}
	if r.writers[key] == nil {
		r.writers[key] = make(chan struct{}, 1)
	}
	return r.writers[key]
}

// Run executes (or resumes) cleanup job id. It first takes the job's lease (a job
// another live process runs is refused with a *LeaseHeldError; one whose holder
// died is taken over) and renews it while it runs. Every unfinished resource runs
// its own state machine; it starts once the resources it may depend on — its
// student's of lower rank, and the class-level ones of lower rank; for a
// class-level resource, every resource of lower rank — are finished. Then Run
// verifies with a fresh plan and records the outcome. Cancelling ctx stops it
// where it is; Run on the same job resumes from the database alone.
func (x *Executor) Run(ctx context.Context, id int64) error {
	owner := x.owner()
	if err := x.claim(ctx, id, owner); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lost := make(chan struct{})
	beating := make(chan struct{})
	go func() { defer close(beating); x.heartbeat(ctx, id, owner, cancel, lost) }()
	err := x.runClaimed(ctx, id)
	cancel()
	<-beating // no lease renewal outlives Run: the caller may close the store once it returns
	select {
	case <-lost:
		return fmt.Errorf("cleanup: job %d: lost its lease to another process; stopped", id)
	default:
	}
	_ = x.Store.ReleaseJob(context.WithoutCancel(ctx), id, owner) // finished jobs are already released
	return err
}

func (x *Executor) runClaimed(ctx context.Context, id int64) error {
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
	planned := map[string]bool{}
	for _, ji := range job.Items {
		var it Item
		if err := json.Unmarshal([]byte(ji.Payload), &it); err != nil || it.ARN != ji.Key {
			return fmt.Errorf("cleanup: job %d item %s is corrupt", id, ji.Key)
		}
		refs = append(refs, it.Ref)
		planned[it.ARN] = true
		if ji.State != db.ItemDone && ji.State != db.ItemFailed {
			todo = append(todo, it)
		}
	}
	r := &run{x: x, jobID: id, class: class, planned: planned, slots: make(chan struct{}, pick(x.Workers, 16)), perSvc: map[string]chan struct{}{},
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
	groups, singles := batches(todo)
	for _, it := range singles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { r.count(it, -1) }()
			if !r.waitTurn(ctx, it) {
				return
			}
			r.deleteOne(ctx, it, "")
		}()
	}
	for _, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rest := map[string]string{} // ARN → why it goes on its own after all
			if r.waitTurn(ctx, g[0]) {
				rest = r.deleteBatch(ctx, g)
			}
			for _, it := range g {
				note, alone := rest[it.ARN]
				if !alone {
					r.count(it, -1)
					continue
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { r.count(it, -1) }()
					r.deleteOne(ctx, it, note)
				}()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err // the job stays running and resumes where it stopped
	}
	return x.verify(ctx, id, class, job.Scope)
}

// owner is this process's name in job leases.
func (x *Executor) owner() string {
	if x.Owner != "" {
		return x.Owner
	}
	return processOwner
}

// claim takes job id's lease for owner, taking over one whose holder has died.
func (x *Executor) claim(ctx context.Context, id int64, owner string) error {
	ttl := pick(x.LeaseTTL, 30*time.Second)
	ok, holder, beat, err := x.Store.ClaimJob(ctx, id, owner, time.Now().Add(-ttl), "")
	if err != nil || ok {
		return err
	}
	if !holderAlive(holder) {
		x.Log.Info("cleanup: taking over a job whose process died", slog.Int64("job", id), slog.String("was", holder))
		if ok, holder, beat, err = x.Store.ClaimJob(ctx, id, owner, time.Now().Add(-ttl), holder); err != nil || ok {
			return err
		}
	}
	return &LeaseHeldError{Job: id, Holder: holder, Beat: beat}
}

// heartbeat renews the lease every third of its lifetime until ctx ends; if the
// lease is lost (another process took it over after a stall), it stops the run.
func (x *Executor) heartbeat(ctx context.Context, id int64, owner string, stop context.CancelFunc, lost chan<- struct{}) {
	t := time.NewTicker(pick(x.LeaseTTL, 30*time.Second) / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			ok, err := x.Store.BeatJob(ctx, id, owner)
			if err != nil {
				x.Log.Warn("cleanup: renew job lease", slog.Int64("job", id), slog.Any("error", err))
				continue
			}
			if !ok && ctx.Err() == nil {
				x.Log.Error("cleanup: lost the job's lease; stopping", slog.Int64("job", id))
				close(lost)
				stop()
				return
			}
		}
	}
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

// batches splits todo into groups that one DeleteBatch call may take — one
// student's resources of a type with DeleteBatch, in one account and region and
// under one OneWriter key (a student's records in one zone), at most BatchMax —
// and the resources that go one by one (every group has two or more).
func batches(todo []Item) (groups [][]Item, singles []Item) {
	at := map[string]int{}
	for _, it := range todo {
		t, ok := resources.Lookup(it.Type)
		if !ok || t.DeleteBatch == nil {
			singles = append(singles, it)
			continue
		}
		key := ""
		if t.OneWriter != nil {
			key = t.OneWriter(it.ARN)
		}
		k := strings.Join([]string{it.Type, key, it.Student, it.Account, it.Region}, "\x00")
		i, ok := at[k]
		if !ok || len(groups[i]) >= t.BatchMax {
			i = len(groups)
			at[k] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], it)
	}
	kept := groups[:0]
	for _, g := range groups {
		if len(g) == 1 {
			singles = append(singles, g[0])
			continue
		}
		kept = append(kept, g)
	}
	return kept, singles
}

// setItem records an item's progress (a failure to record is logged, not fatal).
func (r *run) setItem(ctx context.Context, arn, state, step, detail string) {
	if err := r.x.Store.SetJobItem(context.WithoutCancel(ctx), r.jobID, arn, state, step, clip(detail, 500)); err != nil {
		r.x.Log.Warn("cleanup: record progress", slog.Any("error", err))
	}
}

// clients are the guarded clients it is deleted through: its own account in an
// account-per-student class, its type's home region or its own.
func (r *run) clients(ctx context.Context, t resources.Type, it Item) (*cloud.Clients, error) {
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
	raw, err := r.x.Provider.Clients(ctx, acct, region)
	if err != nil {
		return nil, err
	}
	return cloud.Intercept(raw, r.all), nil
}

// deleteBatch deletes group (one student's records in one zone) in one
// DeleteBatch call, in the zone's one-writer slot, each item keeping its own
// status. A throttled or busy batch is tried again a few times. It returns the
// items still to be deleted, each with why it goes on its own: when the batch is
// refused — by the guard, or by AWS because one record changed or went since it
// was read (InvalidChangeBatch, which names it) — nothing of it was applied, so
// each item runs its own state machine (retries, the guard's own verdict, gone
// when it is gone), the one AWS named reported as such; the class goes on.
func (r *run) deleteBatch(ctx context.Context, group []Item) map[string]string {
	t, _ := resources.Lookup(group[0].Type)
	rest := map[string]string{}
	alone := func(why string) map[string]string {
		for _, it := range group {
			rest[it.ARN] = why
		}
		return rest
	}
	c, err := r.clients(ctx, t, group[0])
	if err != nil {
		return alone("") // each item reports its own "no clients"
	}
	refs := make([]resources.Ref, len(group))
	for i, it := range group {
		refs[i] = it.Ref
		r.setItem(ctx, it.ARN, db.ItemRunning, "deleting", fmt.Sprintf("in one change batch of %d", len(group)))
	}
	var one chan struct{}
	if t.OneWriter != nil {
		if key := t.OneWriter(group[0].ARN); key != "" {
			one = r.writer(key)
		}
	}
	svc := r.perSvc[svcOf(group[0].ARN)]
	var gone []bool
	for attempt := 1; ; attempt++ {
		if one != nil {
			one <- struct{}{}
		}
		r.slots <- struct{}{}
		svc <- struct{}{}
		gone, err = t.DeleteBatch(ctx, c, refs)
		<-svc
		<-r.slots
		if one != nil {
			<-one
		}
		if ctx.Err() != nil {
			return nil // stopped: the items stay as they are and a resumed run retries them
		}
		if err == nil {
			break
		}
		if out := classify(err); (out != backoff && out != retryLater) || attempt == 3 {
			return r.batchRefused(ctx, group, err)
		}
		if r.x.sleep(ctx, time.Duration(attempt)*5*time.Second) != nil {
			return nil
		}
	}
	for i, it := range group {
		detail := fmt.Sprintf("deleted in one change batch of %d", len(group))
		if gone[i] {
			detail = "already gone when its change batch was made"
		}
		if err := r.finish(ctx, it, detail); err != nil {
			r.setItem(ctx, it.ARN, db.ItemFailed, "failed", "recording the deletion: "+err.Error())
		}
	}
	return rest
}

// batchRefused explains a refused batch on each of its items, which then go on
// their own, and audits it.
func (r *run) batchRefused(ctx context.Context, group []Item, err error) map[string]string {
	named := map[int]bool{}
	var be *resources.BatchError
	if errors.As(err, &be) {
		for _, i := range be.Named {
			named[i] = true
		}
	}
	var who []string
	rest := map[string]string{}
	for i, it := range group {
		why := fmt.Sprintf("its change batch of %d was not applied (%s); deleted on its own", len(group), errText(err))
		if named[i] {
			why = fmt.Sprintf("AWS refused its change batch of %d over this record, changed or gone since it was read (%s): the others are deleted on their own, and this one as it is now", len(group), errText(err))
			who = append(who, it.ARN)
		}
		rest[it.ARN] = why
	}
	detail := fmt.Sprintf("%d records of %s in one change batch: %s", len(group), group[0].Student, errText(err))
	if len(who) > 0 {
		detail += "; named: " + strings.Join(who, ", ")
	}
	_ = r.x.Store.Audit(context.WithoutCancel(ctx), db.AuditEntry{ClassID: r.class.ID, Actor: "cleanup", Action: "cleanup.batch", Detail: clip(detail, 1000)})
	return rest
}

// deleteOne runs one resource's state machine: deleting (disabling, waiting) →
// gone, or failed with the reason — blocked, when AWS keeps answering that it is
// in use and what uses it is outside the plan. note, when set, is why it goes on
// its own (its batch was refused): every detail it records keeps it.
func (r *run) deleteOne(ctx context.Context, it Item, note string) {
	x := r.x
	set := func(state, step, detail string) {
		if note != "" {
			detail = strings.TrimSuffix(note+"; "+detail, "; ")
		}
		r.setItem(ctx, it.ARN, state, step, detail)
	}
	t, ok := resources.Lookup(it.Type)
	if !ok {
		set(db.ItemFailed, "failed", "labdash has no deleter for "+it.Type)
		return
	}
	c, err := r.clients(ctx, t, it)
	if err != nil {
		set(db.ItemFailed, "failed", "no clients: "+err.Error())
		return
	}
	deadline := pick(x.Deadline, 20*time.Minute)
	blockedAfter := pick(x.BlockedAfter, 2*time.Minute)
	start := c.Clock()
	var inUseSince, lastAsked time.Time
	svc := r.perSvc[svcOf(it.ARN)]
	set(db.ItemRunning, "deleting", "")
	notable := ""         // the last answer that says why it is not gone yet (not mere progress)
	var one chan struct{} // the deletion's one-writer slot (its Route 53 zone), if any
	if t.OneWriter != nil {
		if key := t.OneWriter(it.ARN); key != "" {
			one = r.writer(key)
		}
	}
	for attempt := 1; ; attempt++ {
		if one != nil { // taken first, so a waiter holds no worker slot
			one <- struct{}{}
		}
		r.slots <- struct{}{}
		svc <- struct{}{}
		err = t.Delete(ctx, c, it.Ref)
		<-svc
		<-r.slots
		if one != nil {
			<-one
		}
		if ctx.Err() != nil {
			return // stopped: the item stays as it is and a resumed run retries it
		}
		out := classify(err)
		switch out {
		case done:
			if err := r.finish(ctx, it, note); err != nil {
				set(db.ItemFailed, "failed", "recording the deletion: "+err.Error())
			}
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
		now := c.Clock()
		var we *resources.WaitError
		if !errors.As(err, &we) || (we.Step != "deleting" && we.Step != "waiting") {
			notable = errText(err)
		}
		// In use: after blockedAfter, ask who uses it; something outside the plan
		// will not go away by waiting, so say so now and carry on with the rest.
		if inUse(err) {
			if inUseSince.IsZero() {
				inUseSince = now
			}
			if t.Blockers != nil && now.Sub(inUseSince) >= blockedAfter && now.Sub(lastAsked) >= time.Minute {
				lastAsked = now
				if outside := r.outside(ctx, t, c, it); len(outside) > 0 {
					why := "blocked by " + strings.Join(outside, "; ")
					_ = x.Store.Audit(context.WithoutCancel(ctx), db.AuditEntry{ClassID: r.class.ID, Actor: "cleanup", Action: "cleanup.blocked",
						Detail: clip(it.Type+" "+it.ARN+": "+why, 1000)})
					set(db.ItemFailed, "blocked", why)
					return
				}
			}
		} else {
			inUseSince = time.Time{}
		}
		if now.Sub(start) > deadline {
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
		case !inUseSince.IsZero():
			step = "in use"
		}
		set(db.ItemRunning, step, errText(err))
		if x.sleep(ctx, wait) != nil {
			return
		}
	}
}

// finish records, in one transaction, that it is gone: the ledger, the audit
// log and the job item. A process killed before it commits retries the delete,
// which finds the resource gone: nothing is deleted or audited twice.
func (r *run) finish(ctx context.Context, it Item, detail string) error {
	ctx = context.WithoutCancel(ctx)
	return r.x.Store.WithTx(ctx, func(tx *db.Store) error {
		for _, arn := range append([]string{it.ARN}, it.Takes...) {
			if err := tx.MarkDeleted(ctx, r.class.ID, arn); err != nil {
				return err
			}
		}
		if err := tx.Audit(ctx, db.AuditEntry{ClassID: r.class.ID, Actor: "cleanup", Action: "cleanup.delete", Detail: it.Type + " " + it.ARN}); err != nil {
			return err
		}
		return tx.SetJobItem(ctx, r.jobID, it.ARN, db.ItemDone, "gone", clip(detail, 500))
	})
}

// outside names what keeps it in use that is outside the plan (neither planned
// nor part of a planned resource, and not passing), each as "ARN (outside the
// class): why". A failed look-up names nothing: the engine waits on.
func (r *run) outside(ctx context.Context, t resources.Type, c *cloud.Clients, it Item) []string {
	bs, err := t.Blockers(ctx, c, it.Ref)
	if err != nil {
		r.x.Log.Warn("cleanup: who uses it", slog.String("arn", it.ARN), slog.Any("error", err))
		return nil
	}
	var out []string
	for _, b := range bs {
		if b.Passing || r.planned[b.ARN] {
			continue
		}
		inside := false
		for _, p := range resources.Within(b.ARN) {
			inside = inside || r.planned[p]
		}
		if !inside {
			out = append(out, b.ARN+" (outside the class): "+b.Why)
		}
	}
	sort.Strings(out)
	return out
}

// inUse reports whether AWS said the resource is still used by something.
func inUse(err error) bool {
	code := resources.ErrorCode(err)
	return code == "DependencyViolation" || code == "ResourceInUse" || code == "ResourceInUseException" || code == "DeleteConflict" ||
		strings.Contains(code, "InUse")
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

// verify re-plans the job's scope and records how the job ended. It is verified
// only when every item was deleted, the fresh plan holds nothing the class owns,
// and every sweep, lister and tag read of that plan succeeded; otherwise the
// report names what failed, what is blocked, what is left and what could not be
// checked.
func (x *Executor) verify(ctx context.Context, id int64, class *db.Class, scope string) error {
	plan, err := x.Planner.PlanFor(ctx, class.ID, scope)
	if err != nil {
		return err
	}
	job, err := x.Store.Job(ctx, id)
	if err != nil {
		return err
	}
	var parts []string
	var failed, blocked []string
	for _, it := range job.Items {
		switch {
		case it.State != db.ItemFailed:
		case it.Step == "blocked":
			blocked = append(blocked, it.Key+" is "+it.Detail)
		default:
			failed = append(failed, it.Key+": "+it.Detail)
		}
	}
	if len(blocked) > 0 {
		parts = append(parts, fmt.Sprintf("%d blocked by something outside the class (not touched): %s", len(blocked), strings.Join(blocked, "; ")))
	}
	if len(failed) > 0 {
		parts = append(parts, fmt.Sprintf("%d failed: %s", len(failed), strings.Join(failed, "; ")))
	}
	var left []string
	for _, it := range plan.Items {
		left = append(left, it.Type+" "+it.ARN)
	}
	if len(left) > 0 {
		parts = append(parts, fmt.Sprintf("%d resource(s) of the class left: %s", len(left), strings.Join(left, "; ")))
	}
	if !plan.Complete() {
		var gaps []string
		for _, g := range plan.Unchecked {
			gaps = append(gaps, g.String())
		}
		parts = append(parts, fmt.Sprintf("%d check(s) could not be made, so something of the class may be left: %s", len(gaps), strings.Join(gaps, "; ")))
	}
	outcome, report := db.OutcomeVerified, ""
	detail := "verified: a fresh sweep that read everything finds nothing the class owns"
	if len(parts) > 0 {
		outcome, report = db.OutcomeNotVerified, clip(strings.Join(parts, "\n"), 4000) // one finding a line
		detail = "not verified: " + strings.Join(parts, "; ")
	}
	_ = x.Store.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: "cleanup", Action: "cleanup.verify", Detail: clip(detail, 2000)})
	return x.Store.FinishJob(ctx, id, db.JobDone, outcome, report)
}

// outcome classifies a delete attempt (DESIGN.md §5). Gone is decided by the
// resource's type (ErrGone), never by the code alone.
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
	// No not-found code is "done" here: a type's Delete answers ErrGone for its own
	// (resources.Type.Gone), and any other one (a subnet's, a KMS key's) is about
	// something else, so it fails the item rather than pass for a deletion.
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
