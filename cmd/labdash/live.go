package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers"
	"github.com/labdash/labdash/handlers/live"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/cloud"
	awsprovider "github.com/labdash/labdash/labs/cloud/aws"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/monitor"
	"github.com/labdash/labdash/labs/sandbox"
	"github.com/labdash/labdash/labs/virtual"
)

// Demo class shape (issue: a class of 12 virtual students in the Fargate lab).
const (
	demoStudents = 12
	demoName     = "Demo: Fargate, Route 53, Global Accelerator, X-Ray, Auto Scaling and Private CA labs (simulated)"
)

// liveStack is the running live pipeline: the simulated AWS, its virtual students,
// the monitor and the websocket hub. Every goroutine it starts (those, the resume
// and sync loops, each provisioning or cleanup job) is tracked, so Close can wait
// for all of them before the caller closes the database.
type liveStack struct {
	log      *slog.Logger
	store    *db.Store
	registry *labs.Registry
	world    *sim.World
	runner   *virtual.Runner
	mon      *monitor.Monitor
	hub      *live.Hub

	prov      *sandbox.Provisioner
	cleaner   *cleanup.Executor
	ctx       context.Context // the stack's own: background jobs run under it; Close cancels it
	cancel    context.CancelFunc
	tasks     tasks // every goroutine above, by name
	closeOnce sync.Once
	left      []string // what Close found still running
	jobsMu    sync.Mutex
	running   map[int64]bool    // jobs with a goroutine
	cleaned   map[string]bool   // classes quiesced for cleanup this run: no virtual students until provisioned again (guarded by mu)
	roles     map[string]string // "class/slug" → the sandbox role its virtual students act as (guarded by mu)

	mu sync.Mutex // serialises demo seeding and resets
}

// Close stops the stack: it cancels the stack's context, so every goroutine it
// started winds down (the hub closes every websocket; a job stops where it is and
// stays unfinished, to resume at the next start), and waits up to d for all of
// them. Those still running after d are logged by name and returned; the
// caller closes the database once Close returns. Later calls return at once,
// with the first one's answer.
func (ls *liveStack) Close(d time.Duration) []string {
	ls.closeOnce.Do(func() {
		ls.cancel()
		ls.left = ls.tasks.Wait(d)
		if len(ls.left) > 0 {
			ls.log.Error("shutdown: background work did not stop in time; the database closes under it",
				slog.Duration("waited", d), slog.Any("still_running", ls.left))
		} else {
			ls.log.Debug("shutdown: background work stopped")
		}
	})
	return ls.left
}

// Go runs fn(ctx) in a tracked goroutine under the stack's context (unless the
// stack is closing), so Close waits for it.
func (ls *liveStack) Go(name string, fn func(ctx context.Context)) bool {
	return ls.tasks.Go(name, func() { fn(ls.ctx) })
}

// onLiveStarted, when set (by tests), sees the stack after it is built and before
// any of its goroutines start.
var onLiveStarted func(*liveStack)

// startLive builds the pipeline for cfg and starts its goroutines under a context
// of its own, derived from ctx: cancelling ctx stops them, and so does Close,
// which also waits for them.
func startLive(ctx context.Context, log *slog.Logger, store *db.Store, registry *labs.Registry, cfg Config, reg prometheus.Registerer, srv *handlers.Server) (*liveStack, error) {
	counter := cloud.NewCallCounter(reg, cfg.Cloud)
	ls := &liveStack{log: log, store: store, registry: registry}
	var provider cloud.Provider
	if cfg.Cloud == "aws" {
		p, err := awsprovider.New(ctx, cfg.awsOptions(awsprovider.Options{Counter: counter, ExternalID: classExternalID(ctx, log, store)}))
		if err != nil {
			return nil, fmt.Errorf("aws: %w", err)
		}
		provider = p
		srv.WithConsole(&sandbox.Console{Store: store, Provider: p, Issuer: cfg.BaseURL})
	} else {
		clock := sim.NewScaledClock(cfg.SimSpeed)
		ls.world = sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 1})
		ls.world.PrepareClassAccount("111122223333") // the vCPU increases a class account has (sim.ClassAccountQuotas)
		ls.runner = virtual.New(log, ls.world, ls.world, clock.Now)
		provider = ls.world
	}
	ls.hub = live.NewHub(log, live.Options{})
	ls.mon = monitor.New(log, store, registry, provider, monitor.Options{
		Interval: cfg.MonitorInterval,
		Publish:  srv.PublishUpdates,
		Watched:  srv.Watched,
		AtRest: func(ctx context.Context) (map[string]bool, error) {
			return store.ClassesCleanedUp(ctx, cleanup.JobKind, sandbox.JobKind)
		},
	})
	var demo handlers.DemoResetter
	if ls.world != nil {
		demo = ls
		srv.WithRehearsal(ls)
	}
	srv.WithLive(ls.hub, ls.mon, demo)
	ls.running, ls.cleaned = map[int64]bool{}, map[string]bool{}
	ls.prov = &sandbox.Provisioner{Log: log, Store: store, Registry: registry, Provider: provider}
	srv.WithProvisioner(ls)
	planner := &cleanup.Planner{Store: store, Provider: provider, Registry: registry}
	srv.WithCleanupPlanner(planner)
	ls.cleaner = &cleanup.Executor{Log: log, Store: store, Provider: provider, Planner: planner}
	if ls.world != nil {
		// On the simulator, waits pass at the clock's speed: a 10 s poll is 10 s of
		// simulated time, which is what the deadlines are measured in.
		ls.cleaner.Speed = cfg.SimSpeed
	}
	srv.WithCleanupRunner(ls)
	// Everything that can fail comes before the first goroutine: an error here
	// leaves nothing running.
	unfinished, err := ls.unfinishedJobs(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.Demo && ls.world != nil {
		if err := ls.markDemoPending(ctx); err != nil {
			return nil, err
		}
	}
	if onLiveStarted != nil {
		onLiveStarted(ls)
	}
	ls.ctx, ls.cancel = context.WithCancel(ctx)
	if ls.world != nil && cfg.SimDNS != "" && cfg.SimDNS != "off" {
		// The simulated zones over real DNS (Lab 3's `dig`); it stops with ls.ctx.
		addr, err := ls.world.ServeDNS(ls.ctx, cfg.SimDNS)
		if err != nil {
			ls.cancel()
			return nil, fmt.Errorf("simulated DNS: %w", err)
		}
		ls.log.Info("simulated DNS answering for the hosted zones", slog.String("addr", addr))
	}
	if ls.world != nil && cfg.SimWebsite != "" && cfg.SimWebsite != "off" {
		// The simulated S3 websites (Lab 4's slot machine), on a port of their own:
		// a student's page must not share labdash's origin. It stops with ls.ctx.
		addr, err := ls.world.ServeWebsite(ls.ctx, cfg.SimWebsite)
		if err != nil {
			ls.cancel()
			return nil, fmt.Errorf("simulated websites: %w", err)
		}
		ls.log.Info("simulated S3 websites served", slog.String("addr", addr))
	}
	ls.Go("websocket hub", ls.hub.Run)
	ls.Go("monitor", ls.mon.Run)
	ls.Go("resume loop", func(ctx context.Context) { ls.resumeLoop(ctx, 30*time.Second) })
	if ls.world != nil { // virtual students and the demo exist only on the simulator
		ls.Go("virtual students", func(ctx context.Context) { ls.runner.Run(ctx, 200*time.Millisecond) })
		ls.Go("sync loop", func(ctx context.Context) { ls.syncLoop(ctx, 2*time.Second) })
	}
	for _, j := range unfinished {
		ls.log.Info("resuming a job", slog.String("kind", j.Kind), slog.Int64("job", j.ID), slog.String("class", j.ClassID))
		ls.runJob(j.ID, j.Kind)
	}
	return ls, nil
}

// markDemoPending records, on a database with no classes, that the demo class is
// owed to the first instructor (who may not exist until the setup link is used).
func (ls *liveStack) markDemoPending(ctx context.Context) error {
	classes, err := ls.store.AllClasses(ctx)
	if err != nil {
		return err
	}
	if _, err := ls.store.Setting(ctx, "demo_pending"); err == nil || len(classes) > 0 {
		return nil
	}
	return ls.store.SetSetting(ctx, "demo_pending", "1")
}

// syncLoop seeds the demo class when it is owed, and gives every student of every
// class a virtual student in sim mode (rehearsal), including students added later.
func (ls *liveStack) syncLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := ls.sync(ctx); err != nil && ctx.Err() == nil {
			ls.log.Warn("virtual class sync failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SeedDemo creates the demo class now if it is owed and an instructor exists (the
// set-up page calls it before its redirect).
func (ls *liveStack) SeedDemo(ctx context.Context) error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.seedDemoLocked(ctx)
}

func (ls *liveStack) seedDemoLocked(ctx context.Context) error {
	if v, _ := ls.store.Setting(ctx, "demo_pending"); v == "1" {
		if owner, err := ls.store.FirstInstructor(ctx); err == nil {
			id, err := ls.createDemo(ctx, owner.ID)
			if err != nil {
				return err
			}
			if err := ls.store.SetSetting(ctx, "demo_pending", "0"); err != nil {
				return err
			}
			ls.log.Info("demo class created", slog.String("class", id))
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
	}
	return nil
}

func (ls *liveStack) sync(ctx context.Context) error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if err := ls.seedDemoLocked(ctx); err != nil {
		return err
	}
	classes, err := ls.store.AllClasses(ctx)
	if err != nil {
		return err
	}
	// A class cleaned up (in this process, or before a restart: the jobs say so)
	// keeps its virtual students stopped until it is provisioned again; otherwise
	// they would rebuild what the cleanup deleted.
	cleanedUp, err := ls.store.ClassesCleanedUp(ctx, cleanup.JobKind, sandbox.JobKind)
	if err != nil {
		return err
	}
	rosters := map[string][]db.Student{}
	keep := map[string]bool{} // "class/slug" of every student who should have stand-ins
	for _, c := range classes {
		if ls.cleaned[c.ID] || cleanedUp[c.ID] {
			continue
		}
		students, err := ls.store.Students(ctx, c.ID)
		if err != nil {
			return err
		}
		rosters[c.ID] = students
		for _, st := range students {
			keep[c.ID+"/"+st.Slug] = true
		}
	}
	// Stand-ins of students removed from a roster, of deleted classes and of
	// cleaned-up classes stop here (removal through the console stops them at once,
	// StopStudent; this catches every other path).
	if n := ls.runner.StopUnless(func(classID, slug string) bool { return keep[classID+"/"+slug] }); n > 0 {
		ls.log.Debug("virtual students stopped", slog.Int("count", n))
		for k := range ls.roles {
			if !keep[k] {
				delete(ls.roles, k)
			}
		}
	}
	for _, c := range classes {
		students, ok := rosters[c.ID]
		if !ok {
			continue
		}
		for _, labID := range c.Labs {
			lab, ok := ls.registry.Lab(labID)
			if !ok || !lab.Built() || len(lab.Script) == 0 {
				continue
			}
			personas := virtual.DemoPersonas(lab, len(students), int64(len(c.ID)))
			var vs []virtual.Student
			for i, st := range students {
				v := virtual.Student{ClassID: c.ID, Slug: st.Slug, Account: st.AccountID, Region: c.Regions[0], Lab: lab, Persona: personas[i],
					OwnAccount: c.Isolation != db.IsolationShared}
				if c.Isolation == db.IsolationShared {
					// A virtual student of a shared-account class acts as its fenced role,
					// so the simulator's IAM evaluation judges every step by the class's policies.
					role, err := ls.studentRole(ctx, &c, st)
					if err != nil {
						return err
					}
					v.Role = role
				}
				vs = append(vs, v)
			}
			ls.runner.Start(vs...)
		}
	}
	return nil
}

// studentRole makes sure a shared-account student's sandbox role exists (once per
// run: the provisioner's steps are idempotent but write the ledger) and returns it.
func (ls *liveStack) studentRole(ctx context.Context, c *db.Class, st db.Student) (string, error) {
	k := c.ID + "/" + st.Slug
	if r := ls.roles[k]; r != "" {
		return r, nil
	}
	r, err := ls.prov.EnsureRole(ctx, c, st)
	if err != nil {
		return "", fmt.Errorf("sandbox role of %s in %s: %w", st.Slug, c.ID, err)
	}
	if ls.roles == nil {
		ls.roles = map[string]string{}
	}
	ls.roles[k] = r
	return r, nil
}

// demoLabs are the labs of the demo class: the registry's Demo labs, in Order.
func demoLabs(registry *labs.Registry) []string {
	var ids []string
	for _, l := range registry.Demo() {
		ids = append(ids, l.ID)
	}
	return ids
}

var demoNames = []string{"Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson", "Edsger Dijkstra", "Barbara Liskov",
	"Donald Knuth", "Margaret Hamilton", "Ken Thompson", "Frances Allen", "Dennis Ritchie", "Radia Perlman"}

// createDemo makes the demo class owned by owner and returns its id.
func (ls *liveStack) createDemo(ctx context.Context, owner int64) (string, error) {
	class := &db.Class{Name: demoName, OwnerID: owner, Regions: []string{"us-east-1", "eu-west-1"}, Isolation: db.IsolationShared, Labs: demoLabs(ls.registry)}
	err := ls.store.WithTx(ctx, func(tx *db.Store) error {
		if err := tx.CreateClass(ctx, class); err != nil {
			return err
		}
		var rows []db.NewStudent
		for i := 0; i < demoStudents; i++ {
			first := strings.ToLower(strings.Fields(demoNames[i%len(demoNames)])[0])
			rows = append(rows, db.NewStudent{Name: demoNames[i%len(demoNames)] + " (virtual)", Email: fmt.Sprintf("%s%02d@demo.labdash.invalid", first, i+1)})
		}
		if _, _, err := tx.AddStudents(ctx, class.ID, rows); err != nil {
			return err
		}
		if err := tx.SetSetting(ctx, "demo_class", class.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: "system", Action: "demo.create", Detail: fmt.Sprintf("%d virtual students on the simulated AWS", demoStudents)})
	})
	if err != nil {
		return "", err
	}
	// The demo is not provisioned (its virtual students act as labdash), but its
	// event mode is, so Labs 8 and 9's Events widgets are live (labs.Events).
	if ls.world != nil {
		c, err := ls.world.Clients(ctx, "", class.Regions[0])
		if err == nil {
			err = sandbox.EnsureEvents(ctx, c, ls.registry, class)
		}
		if err != nil {
			ls.log.Warn("demo: event mode not set up; polling continues", slog.Any("error", err))
		}
	}
	return class.ID, nil
}

// ResetDemo replaces the demo class with a fresh one (new id, so its virtual students
// build everything again under new names) and forgets the old one.
func (ls *liveStack) ResetDemo(ctx context.Context, classID string) (string, error) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	old, err := ls.store.Class(ctx, classID)
	if err != nil {
		return "", err
	}
	ls.runner.Stop(classID)
	ls.mon.Forget(classID)
	if err := ls.store.DeleteClass(ctx, classID); err != nil {
		return "", err
	}
	return ls.createDemo(ctx, old.OwnerID)
}

// StartProvisioning starts or resumes a class's provisioning job and runs it in the
// background. Provisioning a class that was cleaned up starts its rehearsal again:
// the sync loop gives its students virtual stand-ins once more.
func (ls *liveStack) StartProvisioning(ctx context.Context, classID string) (*db.Job, error) {
	job, err := ls.prov.Start(ctx, classID)
	if err != nil {
		return nil, err
	}
	ls.mu.Lock()
	delete(ls.cleaned, classID)
	ls.mu.Unlock()
	ls.runJob(job.ID, sandbox.JobKind)
	return job, nil
}

// StopStudent stops a removed student's virtual stand-ins at once (the handlers
// call it once the student is off the roster), rather than at the next sync.
func (ls *liveStack) StopStudent(classID, slug string) {
	if ls.runner == nil {
		return
	}
	ls.mu.Lock() // after a sync that read the old roster, never before it
	defer ls.mu.Unlock()
	ls.runner.StopStudent(classID, slug)
	delete(ls.roles, classID+"/"+slug)
}

// Quiesce stops a rehearsal class's virtual students until the class is provisioned
// again (after a restart too, once the cleanup job exists: ClassesCleanedUp): the
// instructor has confirmed its cleanup, and the plan made next must hold still.
// The handlers call it on the confirmation only, before ConfirmCleanup, never for
// a view of the plan.
func (ls *liveStack) Quiesce(classID string) {
	if ls.runner == nil {
		return
	}
	ls.mu.Lock()
	ls.cleaned[classID] = true
	ls.mu.Unlock()
	ls.runner.Stop(classID)
}

// ConfirmCleanup binds a cleanup to the plan the instructor saw and runs it in the
// background. The caller has quiesced the class first (handlers.confirmCleanup), so
// the plan ConfirmFor makes, which is the one the job deletes, is made once the
// virtual students have stopped.
func (ls *liveStack) ConfirmCleanup(ctx context.Context, classID, student, hash, typedName string) (*db.Job, error) {
	job, err := ls.cleaner.ConfirmFor(ctx, classID, student, hash, typedName)
	if err != nil {
		return nil, err
	}
	ls.runJob(job.ID, cleanup.JobKind)
	return job, nil
}

// unfinishedJobs are the jobs (provisioning or cleanup) a previous process left
// unfinished: startLive resumes them.
func (ls *liveStack) unfinishedJobs(ctx context.Context) ([]*db.Job, error) {
	ids, err := ls.store.UnfinishedJobs(ctx)
	if err != nil {
		return nil, err
	}
	var jobs []*db.Job
	for _, id := range ids {
		j, err := ls.store.Job(ctx, id)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// resumeLoop looks, every period, for cleanup jobs whose process died while this
// one runs (a `labdash cleanup run` killed mid-job) and resumes them; a job
// another live process holds is left to it.
func (ls *liveStack) resumeLoop(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ids, err := ls.store.UnfinishedJobs(ctx)
		if err != nil {
			continue
		}
		for _, id := range ids {
			if j, err := ls.store.Job(ctx, id); err == nil && j.Kind == cleanup.JobKind {
				ls.runJob(id, j.Kind)
			}
		}
	}
}

// runJob runs job id (provisioning or cleanup) in its own tracked goroutine unless
// one already does. While the stack is closing it starts nothing: the job stays
// unfinished in the database and the next start resumes it. A job stopped by
// Close likewise stays unfinished (its runner returns the context's error
// without marking it failed).
func (ls *liveStack) runJob(id int64, kind string) {
	ls.jobsMu.Lock()
	defer ls.jobsMu.Unlock()
	if ls.running[id] {
		return
	}
	ls.running[id] = true
	started := ls.Go(fmt.Sprintf("job %d (%s)", id, kind), func(ctx context.Context) {
		defer func() { ls.jobsMu.Lock(); delete(ls.running, id); ls.jobsMu.Unlock() }()
		run := ls.prov.Run
		if kind == cleanup.JobKind {
			run = ls.cleaner.Run
		}
		err := run(ctx, id)
		var held *cleanup.LeaseHeldError
		switch {
		case errors.As(err, &held):
			ls.log.Debug("job runs in another process", slog.Int64("job", id), slog.String("holder", held.Holder))
		case err != nil && ctx.Err() == nil:
			ls.log.Warn("job failed", slog.String("kind", kind), slog.Int64("job", id), slog.Any("error", err))
		}
	})
	if !started {
		delete(ls.running, id)
	}
}

// Deprovision removes one student's sandbox: a cleanup of what provisioning made
// for them, through the cleanup engine's plan, job and guard.
func (ls *liveStack) Deprovision(ctx context.Context, classID, slug string) (int, error) {
	return ls.cleaner.Deprovision(ctx, classID, slug)
}

// Act runs a rehearsal action on a virtual student's sandbox (the simulator only).
func (ls *liveStack) Act(ctx context.Context, classID, slug, labID, actionID string) error {
	if ls.runner == nil {
		return handlers.ErrNoAction
	}
	err := ls.runner.Act(ctx, classID, slug, labID, actionID)
	if err == nil {
		ls.mon.Wake(classID, slug) // the sandbox changed: read it next cycle, finished or not
	}
	var refused *virtual.NotOfferedError
	switch {
	case errors.Is(err, virtual.ErrNoSuchAction):
		return handlers.ErrNoAction
	case errors.As(err, &refused):
		return &handlers.NotOfferedError{Subject: refused.Subject, State: refused.State}
	}
	return err
}

// State reads what a virtual student's rehearsal actions change, at simulated time.
func (ls *liveStack) State(ctx context.Context, classID, slug, labID string) (map[string]string, time.Time, error) {
	if ls.runner == nil {
		return nil, time.Time{}, handlers.ErrNoAction
	}
	st, at, err := ls.runner.State(ctx, classID, slug, labID)
	if errors.Is(err, virtual.ErrNoSuchAction) {
		return nil, time.Time{}, handlers.ErrNoAction
	}
	return st, at, err
}
