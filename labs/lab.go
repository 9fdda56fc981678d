package labs

import (
	"context"
	"errors"
	"time"

	"github.com/labdash/labdash/labs/cloud"
)

// Status is a checkpoint's outcome (LABS.md §0).
type Status string

// Checkpoint outcomes.
const (
	Pending Status = "pending" // nothing to judge yet: the student has not got there
	Pass    Status = "pass"
	Fail    Status = "fail" // the student's resource exists but is wrong
	Error   Status = "error"
)

// Result is one checkpoint's outcome with short evidence a person can act on.
type Result struct {
	Status   Status
	Evidence string
}

// Target is one student's sandbox as a lab sees it.
type Target struct {
	ClassID   string // "c7k2q"
	StudentID string // "s07"
	Prefix    string // "c7k2qs07-": the name prefix every resource of the student starts with
	Account   string
	Region    string
	// OwnAccount is true in an account-per-student class: the student has the
	// account to themselves (Account is theirs alone). False in a shared-account
	// class, where the account is the class's. The monitor, provisioning and the
	// virtual students set it from the class's isolation mode; a lab must not
	// guess it from how many students a batch holds.
	OwnAccount bool
}

// NewTarget builds the target of student in class.
func NewTarget(classID, studentID, account, region string) Target {
	return Target{ClassID: classID, StudentID: studentID, Prefix: classID + studentID + "-", Account: account, Region: region}
}

// Observation is what a lab read from AWS about one student in one cycle. Each lab
// defines its own concrete type; its checkpoints and widgets know it.
type Observation any

// Resource is an AWS resource an observation found that belongs to a student.
type Resource struct {
	ARN    string
	Type   string // "AWS::ECS::Cluster", …
	Region string
	Parent string // the ARN this one lives in, if any
	// FoundBy says how it was found: "tag" or "prefix" (name prefix, untagged).
	FoundBy string
}

// Discoverer is implemented by observations that can list the student's resources they
// found (by tag or name prefix), so the monitor can add them to the ledger for cleanup.
type Discoverer interface {
	Resources() []Resource
}

// Staler is implemented by observations that can say which of their parts were not
// read this cycle for a reason other than "not found" (throttling, an outage): those
// parts hold the last good state, and the grid marks the cell stale rather than
// judging the resource gone.
type Staler interface {
	StaleParts() []string
}

// Checkpoint is one step a student must reach, judged from an observation.
type Checkpoint struct {
	// ID is a slug stable across releases; results are stored under it.
	ID string
	// Title is the step as the student reads it.
	Title string
	// Optional checkpoints do not count towards completion.
	Optional bool
	// Check judges the step. It must be a pure function of the observation.
	Check func(obs Observation) Result
}

// Widget is one live view of a student's lab state.
type Widget struct {
	// ID is a slug, unique within the lab.
	ID string
	// Title heads the widget.
	Title string
	// View builds the widget's state from an observation; history carries what the
	// monitor remembers across cycles (for sparklines and state timelines).
	View func(obs Observation, history *History) WidgetView
}

// Step is one thing a virtual student does. Do returns ErrNotYet when the world is
// not ready for it (a load balancer still provisioning), and the runner retries it later.
type Step struct {
	Name string
	// Think is how long (simulated) the student takes before attempting this step.
	Think time.Duration
	Do    func(ctx context.Context, e *Env) error
}

// Env is what a virtual student's step works with.
type Env struct {
	C       *cloud.Clients
	T       Target
	Persona *Persona
	// Load starts (rps > 0) or stops simulated HTTP load against a load balancer;
	// it stands for the load-test tool a real student would run.
	Load func(loadBalancerArn string, rps float64) error
	// AsCredentials returns clients in C's region that act as temporary
	// credentials the student's page was handed (Lab 4's Cognito guest
	// credentials), every call judged as that session, as a browser holding them
	// would be. Nil where the provider cannot (real AWS: the page is a real browser).
	AsCredentials func(ctx context.Context, accessKeyID, secretAccessKey, sessionToken string) (*cloud.Clients, error)
	// Stack holds the outputs of the student's prerequisite stack.
	Stack map[string]string
	// Memo carries values between steps (ARNs the student noted down).
	Memo map[string]string
}

// ErrNotYet tells the virtual-student runner to retry a step later.
var ErrNotYet = errors.New("labs: not yet")

// Persona is how one virtual student behaves.
type Persona struct {
	// Pace multiplies every think time (0.5: fast, 2: slow).
	Pace float64
	// Mistakes holds the lab's mistake ids this student makes (e.g. "wrong-port").
	Mistakes map[string]bool
	// StuckAfter is the number of steps after which the student stops (-1: never).
	StuckAfter int
	// Seed makes the student's choices repeatable.
	Seed int64
}

// Makes reports whether the persona makes mistake id.
func (p *Persona) Makes(id string) bool { return p != nil && p.Mistakes[id] }

// Observer reads, in as few calls as the APIs allow, the state of many students of a
// class who share one (account, region), and returns each student's observation.
// Errors for one student are carried in its observation; a returned error means the
// whole batch could not be read. cache is the group's memory between cycles (see
// Cache; nil remembers nothing).
//
// targets are the group's students due this cycle, not always all of them: the
// monitor reads a student whose lab is settled (finished, or not started) every
// 30 s rather than every cycle (monitor.Options.Settled). Anything an observation
// says about the whole group (a class distribution, "shared account or not") must
// come from the cache or the class, never from len(targets).
type Observer func(ctx context.Context, c *cloud.Clients, cache *Cache, targets []Target) (map[string]Observation, error)
