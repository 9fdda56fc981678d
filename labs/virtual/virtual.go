// Package virtual runs virtual students: each follows its lab's script through the
// same cloud interfaces a real student's console would call, at its own pace, some
// making the lab's usual mistakes and some getting stuck. Together with the simulator
// they make the demo class and rehearsal mode.
//
// Concurrency: one goroutine (Run) owns the students and executes due steps; Start and
// Stop hand work to it under mu.
package virtual

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// LoadSetter is the simulator's stand-in for a student's load-test tool.
type LoadSetter interface {
	SetLoad(account, region, loadBalancerArn string, requestsPerSecond float64) error
}

// Student is one virtual student to run.
type Student struct {
	ClassID, Slug, Account, Region string
	Lab                            labs.Lab
	Persona                        labs.Persona
	// OwnAccount is true in an account-per-student class (labs.Target.OwnAccount).
	OwnAccount bool
	// Role, when set, is the sandbox role the student acts as (shared-account mode):
	// every step of the lab runs with that role's clients, so IAM evaluation in the
	// simulator judges it by the class's policies. The prerequisite stack and the
	// instructor's rehearsal actions are labdash's and run with its own clients.
	Role string
}

type state struct {
	work    sync.Mutex // held while a step or an action runs on env
	stopped bool       // guarded by work: Stop forgot it, so no step or action runs any more
	s       Student
	env     *labs.Env
	admin   *cloud.Clients // labdash's own clients: the stack and rehearsal actions
	step    int            // -1: provisioning the prerequisite stack
	due     time.Time
	tries   int
	stuck   bool
	lastErr string
}

// Runner executes virtual students' scripts.
type Runner struct {
	log      *slog.Logger
	provider cloud.Provider
	load     LoadSetter
	now      func() time.Time

	mu       sync.Mutex
	students map[string]*state // "class/slug/lab"
}

// New returns a runner; now is the simulated clock.
func New(log *slog.Logger, provider cloud.Provider, load LoadSetter, now func() time.Time) *Runner {
	return &Runner{log: log, provider: provider, load: load, now: now, students: map[string]*state{}}
}

// Start adds students (ones already running are left alone).
func (r *Runner) Start(students ...Student) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range students {
		k := s.ClassID + "/" + s.Slug + "/" + s.Lab.ID
		if _, ok := r.students[k]; ok || len(s.Lab.Script) == 0 {
			continue
		}
		r.students[k] = &state{s: s, step: -1, due: r.now().Add(time.Duration(float64(20*time.Second) * pace(s.Persona)))}
	}
}

// Stop forgets every virtual student of a class. When it returns nothing of
// theirs runs any more: it waits for a step or action already under way (each is
// bounded, a step by 10 s) and none starts after, so a cleanup that plans right
// after Stop plans a class that holds still.
func (r *Runner) Stop(classID string) {
	r.stopWhere(func(s Student) bool { return s.ClassID == classID })
}

// StopStudent forgets one student's virtual stand-ins (in every lab), as Stop does
// for a class: a student removed from the roster stops acting at once.
func (r *Runner) StopStudent(classID, slug string) {
	r.stopWhere(func(s Student) bool { return s.ClassID == classID && s.Slug == slug })
}

// StopUnless forgets every virtual student for which keep reports false (a student
// no longer on a roster, a class cleaned up or deleted) and returns how many went.
func (r *Runner) StopUnless(keep func(classID, slug string) bool) int {
	return r.stopWhere(func(s Student) bool { return !keep(s.ClassID, s.Slug) })
}

// stopWhere forgets the students that match; when it returns, none of them runs a
// step or an action any more.
func (r *Runner) stopWhere(match func(Student) bool) int {
	r.mu.Lock()
	var gone []*state
	for k, st := range r.students {
		if match(st.s) {
			delete(r.students, k)
			gone = append(gone, st)
		}
	}
	r.mu.Unlock() // advance and retry take r.mu while holding work
	for _, st := range gone {
		st.work.Lock()
		st.stopped = true
		st.work.Unlock()
	}
	return len(gone)
}

// Running returns how many virtual students the runner holds (all classes).
func (r *Runner) Running() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.students)
}

// Progress reports, per student slug, the step reached and whether they are stuck.
func (r *Runner) Progress(classID string) map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]string{}
	for _, st := range r.students {
		if st.s.ClassID != classID {
			continue
		}
		switch {
		case st.stuck:
			out[st.s.Slug] = "stuck"
		case st.step < 0:
			out[st.s.Slug] = "provisioning"
		case st.step >= len(st.s.Lab.Script):
			out[st.s.Slug] = "done"
		default:
			out[st.s.Slug] = st.s.Lab.Script[st.step].Name
		}
	}
	return out
}

// Failures reports, per "slug/lab", the last error of each virtual student of a
// class that gave up (an AccessDenied from its role, say).
func (r *Runner) Failures(classID string) map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]string{}
	for _, st := range r.students {
		if st.s.ClassID == classID && st.stuck && st.lastErr != "" {
			out[st.s.Slug+"/"+st.s.Lab.ID] = st.lastErr
		}
	}
	return out
}

// Run executes due steps every tick until ctx is done.
func (r *Runner) Run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.RunDue(ctx)
		}
	}
}

// RunDue executes every step whose time has come (tests call it on a manual clock).
func (r *Runner) RunDue(ctx context.Context) {
	now := r.now()
	r.mu.Lock()
	var due []*state
	for _, st := range r.students {
		if !st.stuck && st.step < len(st.s.Lab.Script) && !st.due.After(now) {
			due = append(due, st)
		}
	}
	r.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].s.Slug < due[j].s.Slug })
	for _, st := range due {
		if ctx.Err() != nil {
			return
		}
		r.advance(ctx, st)
	}
}

func (r *Runner) advance(ctx context.Context, st *state) {
	st.work.Lock()
	defer st.work.Unlock()
	if st.stopped {
		return // RunDue picked it before Stop forgot it
	}
	// Two RunDue passes can pick the same student (one still inside its step when the
	// next starts): the second waits for st.work above and must then re-check that a
	// step is still due, or it runs the step after the last one.
	r.mu.Lock()
	due := !st.stuck && st.step < len(st.s.Lab.Script) && !st.due.After(r.now())
	r.mu.Unlock()
	if !due {
		return
	}
	s := st.s
	if st.env == nil {
		admin, err := r.provider.Clients(ctx, s.Account, s.Region)
		if err != nil {
			r.retry(st, err)
			return
		}
		c := admin
		if s.Role != "" {
			rp, ok := r.provider.(cloud.RoleProvider)
			if !ok {
				r.retry(st, fmt.Errorf("virtual: the provider cannot act as the sandbox role %s", s.Role))
				return
			}
			if c, err = rp.ClientsAs(ctx, s.Role, s.Slug, s.Region); err != nil {
				r.retry(st, err)
				return
			}
		}
		st.admin = admin
		p := s.Persona
		t := labs.NewTarget(s.ClassID, s.Slug, s.Account, s.Region)
		t.OwnAccount = s.OwnAccount
		st.env = &labs.Env{C: c, T: t, Persona: &p, Stack: map[string]string{}, Memo: map[string]string{}}
		if r.load != nil {
			st.env.Load = func(lb string, rps float64) error { return r.load.SetLoad(c.Account, s.Region, lb, rps) }
		}
		if cp, ok := r.provider.(cloud.CredentialsProvider); ok {
			st.env.AsCredentials = func(ctx context.Context, akid, secret, token string) (*cloud.Clients, error) {
				return cp.ClientsWithCredentials(ctx, akid, secret, token, s.Region)
			}
		}
	}
	var err error
	if st.step < 0 {
		err = r.provision(ctx, st)
	} else {
		step := s.Lab.Script[st.step]
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err = step.Do(sctx, st.env)
		cancel()
	}
	if err != nil {
		r.retry(st, err)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st.step++
	st.tries, st.lastErr = 0, ""
	if s.Persona.StuckAfter >= 0 && st.step >= s.Persona.StuckAfter {
		st.stuck = true
		return
	}
	if st.step < len(s.Lab.Script) {
		st.due = r.now().Add(time.Duration(float64(s.Lab.Script[st.step].Think) * pace(s.Persona)))
	}
}

func (r *Runner) retry(st *state, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if errors.Is(err, labs.ErrNotYet) {
		st.due = r.now().Add(15 * time.Second)
		return
	}
	st.tries++
	st.lastErr = err.Error()
	if st.tries >= 5 {
		st.stuck = true
		r.log.Info("virtual student gave up", slog.String("class", st.s.ClassID), slog.String("student", st.s.Slug), slog.Int("step", st.step), slog.String("error", st.lastErr))
		return
	}
	st.due = r.now().Add(30 * time.Second)
}

// provision deploys the lab's prerequisite stack and waits for its outputs, as
// labdash's provisioning does (LABS.md §0: stack <prefix><lab>-pre).
func (r *Runner) provision(ctx context.Context, st *state) error {
	if len(st.s.Lab.Template) == 0 {
		return nil
	}
	c, t := st.admin, st.env.T
	regions := st.s.Lab.StackRegions(c.Region)
	waiting := false
	for _, region := range regions {
		rc := c
		if region != c.Region {
			var err error
			if rc, err = c.InRegion(ctx, region); err != nil {
				return err
			}
		}
		name := st.s.Lab.StackName(t.Prefix, region)
		stack, err := labs.DescribeStack(ctx, rc, name)
		if err != nil {
			return err // throttled or failing: try again later, never create over it
		}
		if stack == nil {
			if _, err := labs.CreatePrereqStack(ctx, rc, st.s.Lab, t); err != nil {
				return err
			}
			waiting = true
			continue
		}
		switch stack.StackStatus {
		case cfntypes.StackStatusCreateComplete:
			for _, o := range stack.Outputs {
				key := aws.ToString(o.OutputKey)
				if len(regions) > 1 {
					st.env.Stack[region+"/"+key] = aws.ToString(o.OutputValue)
				}
				if region == c.Region || len(regions) == 1 {
					st.env.Stack[key] = aws.ToString(o.OutputValue)
				}
			}
		case cfntypes.StackStatusCreateInProgress:
			waiting = true
		default:
			return fmt.Errorf("stack %s is %s: %s", name, stack.StackStatus, aws.ToString(stack.StackStatusReason))
		}
	}
	if waiting {
		return labs.ErrNotYet
	}
	return nil
}

func pace(p labs.Persona) float64 {
	if p.Pace <= 0 {
		return 1
	}
	return p.Pace
}

// DemoPersonas gives n virtual students a spread of paces, the lab's mistakes and two
// who get stuck, deterministically from seed.
func DemoPersonas(lab labs.Lab, n int, seed int64) []labs.Persona {
	var mistakes []string
	for id := range lab.Mistakes {
		mistakes = append(mistakes, id)
	}
	sort.Strings(mistakes)
	h := fnv.New64a()
	fmt.Fprint(h, lab.ID, seed)
	rng := rand.New(rand.NewSource(int64(h.Sum64())))
	out := make([]labs.Persona, n)
	for i := range out {
		p := labs.Persona{Pace: 0.6 + rng.Float64()*0.9, Mistakes: map[string]bool{}, StuckAfter: -1, Seed: rng.Int63()}
		switch {
		case i%4 == 2 && len(mistakes) > 0:
			p.Mistakes[mistakes[(i/4)%len(mistakes)]] = true
		case i == n-1 && n > 3:
			p.StuckAfter = len(lab.Script) / 3
		case i == n-2 && n > 6:
			p.StuckAfter = 2 * len(lab.Script) / 3
		}
		out[i] = p
	}
	return out
}

// ErrNoSuchAction means the lab has no such action, or the student has no sandbox
// in that lab yet (its prerequisite stack is still being made).
var ErrNoSuchAction = errors.New("virtual: no such action for this student yet")

// NotOfferedError is Act's refusal of an action that makes no sense in its
// subject's current state (stop an instance that is already stopped).
type NotOfferedError struct {
	Subject, State string
}

func (e *NotOfferedError) Error() string {
	return "virtual: " + e.Subject + " is " + e.State
}

// sandbox returns the student's state with its work lock held, or ErrNoSuchAction
// while it has no sandbox (or was stopped for good). The caller unlocks st.work.
func (r *Runner) sandbox(classID, slug, labID string) (*state, error) {
	r.mu.Lock()
	st := r.students[classID+"/"+slug+"/"+labID]
	r.mu.Unlock()
	if st == nil {
		return nil, ErrNoSuchAction
	}
	st.work.Lock()
	if st.stopped || st.env == nil || st.step < 0 {
		st.work.Unlock()
		return nil, ErrNoSuchAction
	}
	return st, nil
}

// adminEnv is the student's environment with labdash's own clients: the
// instructor acts and looks with those, not the student's role.
func adminEnv(st *state) *labs.Env {
	e := *st.env
	e.C = st.admin
	return &e
}

// Act runs a lab's rehearsal action on one virtual student's sandbox. An action
// with a State is read and checked under the same lock as it runs, so no step of
// the script slips in between, and one that makes no sense now is refused with a
// *NotOfferedError instead of run.
func (r *Runner) Act(ctx context.Context, classID, slug, labID, actionID string) error {
	st, err := r.sandbox(classID, slug, labID)
	if err != nil {
		return err
	}
	defer st.work.Unlock()
	for _, a := range st.s.Lab.Actions {
		if a.ID != actionID {
			continue
		}
		e := adminEnv(st)
		if a.State != nil {
			now, err := a.State(ctx, e)
			if err != nil {
				return fmt.Errorf("virtual: read %s: %w", a.Subject, err)
			}
			if !a.Offered(now) {
				return &NotOfferedError{Subject: a.Subject, State: now}
			}
		}
		return a.Do(ctx, e)
	}
	return ErrNoSuchAction
}

// State reads the current state of what the lab's paired actions change, by
// subject ("Origin instance in us-east-1": "stopped"), and the simulated time of
// the reading; a subject that cannot be read is left out. It answers
// ErrNoSuchAction while the student has no sandbox.
func (r *Runner) State(ctx context.Context, classID, slug, labID string) (map[string]string, time.Time, error) {
	st, err := r.sandbox(classID, slug, labID)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer st.work.Unlock()
	out := map[string]string{}
	e := adminEnv(st)
	for _, a := range st.s.Lab.Actions {
		if _, done := out[a.Subject]; done || a.State == nil {
			continue
		}
		v, err := a.State(ctx, e)
		if err != nil {
			// One subject not readable yet (an origin still being made in its
			// region) leaves the others: its buttons stay offered, and Act
			// answers for it.
			r.log.Debug("rehearsal state unreadable", slog.String("student", slug), slog.String("subject", a.Subject), slog.Any("error", err))
			continue
		}
		out[a.Subject] = v
	}
	return out, r.now(), nil
}
