// Package labs is the vocabulary every lab uses: a Lab and the Registry that
// holds them. The catalog of labs lives in labs/catalog.
package labs

import (
	"context"
	"fmt"
	"regexp"
	"sort"

	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/labdash/labdash/labs/cloud/authz"
)

// Lab describes one hands-on lab. Checkpoints, widgets, prerequisite templates
// and virtual-student scripts join this struct as the monitor and simulator land.
type Lab struct {
	// ID is a short slug used in URLs, tags (labdash:lab) and stack names.
	ID string
	// Title is what instructors and students read.
	Title string
	// Summary is one sentence saying what the student builds.
	Summary string
	// Order places the lab in lists; LABS.md's numbering.
	Order int
	// AccountPerStudentOnly marks labs a shared account cannot isolate (LABS.md §1.1);
	// Why says what breaks and is shown when a class tries it.
	AccountPerStudentOnly bool
	Why                   string

	// The parts below exist once a lab is built; a lab without Checkpoints is listed
	// but says plainly that its checks are not built yet.

	// Regions the lab needs; empty means the class's first region.
	Regions []string
	// Cleanup names the resource types (labs/cleanup/resources, CloudFormation
	// style) that the lab's students and its prerequisite stack can create. A
	// class's cleanup looks only for these and the sandbox's own, in only the
	// class's regions (and a type's home region, such as Global Accelerator's
	// us-west-2, only when a lab of the class names it). Labs whose checks are not
	// built yet declare theirs too: their students still make resources.
	Cleanup []string
	// Checkpoints in the order students meet them.
	Checkpoints []Checkpoint
	// Widgets are the lab's live views.
	Widgets []Widget
	// Observe reads the lab's state for many students at once (see Observer).
	Observe Observer
	// Template is the prerequisite CloudFormation template (YAML), one stack per student.
	Template []byte
	// Capabilities are what CreateStack must acknowledge for Template: exactly
	// what it needs (CAPABILITY_NAMED_IAM for named IAM roles), nothing for a
	// template without IAM resources.
	Capabilities []cfntypes.Capability
	// StackParams gives the template's lab-specific parameters (Lab 7's sample-app
	// bundle); the common ones (Prefix, GroupName, RolePath, PermissionsBoundary,
	// VpcId, Subnets) come from StackParameters for every lab.
	StackParams func(ctx context.Context, e StackEnv) (map[string]string, error)
	// Demo puts the lab in the demo class (simulated AWS, virtual students).
	Demo bool
	// Script is what a virtual student does, in order.
	Script []Step
	// Mistakes are the ids of the usual mistakes the script can make, with what each does.
	Mistakes map[string]string
	// Quotas the lab presses on, checked by provisioning's preflight (LABS.md §3).
	Quotas []QuotaNeed
	// Summarize, when set, gives the class grid more than the checkpoint count for
	// one student: a task badge, an alarm lamp, a short text badge.
	Summarize func(obs Observation) Summary
	// Grants are what the lab's students may do in a shared account, written for
	// one class: the lab's steps, fenced to the calling student's own resources by
	// name prefix and tags. The class identity policy is the sandbox's common grants
	// plus every lab's. A lab without Grants cannot run in a shared account
	// (provisioning refuses it there and says why).
	Grants func(g GrantScope) []authz.Statement
	// Events, when set, is the lab's event mode: the EventBridge events its
	// services emit that feed its "Events" widget (see Events).
	Events *Events
	// Actions are what an instructor may do to a virtual student's sandbox in a
	// rehearsal (simulator only) to show a failure live: stop an origin instance,
	// take sns:Publish away from a role.
	Actions []Action
}

// Summary is what the class grid shows of one student's lab besides the count of
// checkpoints passed.
type Summary struct {
	Running int    // running tasks (the Fargate lab); -1 when the lab has none
	Alarm   string // an alarm lamp: OK, ALARM, INSUFFICIENT_DATA, or ""
	// Badge is a short text (the region serving an accelerator, an app's error
	// rate), BadgeTone colours it (ok, warn, bad) and BadgeTitle explains it.
	Badge, BadgeTone, BadgeTitle string
}

// Action is one rehearsal action on a virtual student's sandbox. Do runs with the
// student's environment (clients, stack outputs, what the script noted down).
type Action struct {
	ID    string // a slug, unique within the lab: "stop-instance-us-east-1"
	Title string // the button: "Stop the instance in us-east-1"
	Do    func(ctx context.Context, e *Env) error
	// Done is the result line once Do succeeded: "Stopped the origin instance in us-east-1".
	Done string
	// Subject, From and State pair the action with the one that undoes it: both
	// change Subject ("Origin instance in us-east-1"), and this one makes sense only
	// while State, read from the sandbox, is one of From ("pending", "running"). The
	// instructor sees the state, the button that would do nothing (or fail) is
	// disabled with the reason, and a press of it from a stale page is refused
	// rather than run. An action without State is always offered.
	Subject string
	From    []string
	State   func(ctx context.Context, e *Env) (string, error)
}

// Offered reports whether the action makes sense while its Subject is in state.
func (a Action) Offered(state string) bool {
	if a.State == nil {
		return true
	}
	for _, f := range a.From {
		if f == state {
			return true
		}
	}
	return false
}

// QuotaNeed is how much of one Service Quotas quota a lab uses per student.
type QuotaNeed struct {
	Service    string  // Service Quotas service code, e.g. "elasticloadbalancing"
	Code       string  // quota code, e.g. "L-53DA6B97"
	Name       string  // what people call it
	PerStudent float64 // units each student uses at the lab's peak
	Unit       string  // the quota's unit as people say it ("vCPUs"); "" for a count of resources
}

// Built reports whether the lab's checks exist.
func (l Lab) Built() bool { return len(l.Checkpoints) > 0 && l.Observe != nil }

var slugRE = regexp.MustCompile(`^[a-z][a-z0-9-]{1,30}$`)

// Registry holds labs by id. Build one with NewRegistry; tests build their own.
// It is not safe for concurrent Register calls; register at start-up, then only read.
type Registry struct {
	byID map[string]Lab
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byID: map[string]Lab{}} }

// Register adds l. It panics on an invalid or duplicate id, as database/sql's Register does:
// both are programming errors found at start-up.
func (r *Registry) Register(l Lab) {
	if !slugRE.MatchString(l.ID) {
		panic(fmt.Sprintf("labs: invalid lab id %q", l.ID))
	}
	if l.Title == "" {
		panic(fmt.Sprintf("labs: lab %q has no title", l.ID))
	}
	seen := map[string]bool{}
	for _, c := range l.Checkpoints {
		if !slugRE.MatchString(c.ID) || c.Title == "" || c.Check == nil || seen[c.ID] {
			panic(fmt.Sprintf("labs: lab %q has an invalid or duplicate checkpoint %q", l.ID, c.ID))
		}
		seen[c.ID] = true
	}
	for _, w := range l.Widgets {
		if !slugRE.MatchString(w.ID) || w.View == nil || seen["w:"+w.ID] {
			panic(fmt.Sprintf("labs: lab %q has an invalid or duplicate widget %q", l.ID, w.ID))
		}
		seen["w:"+w.ID] = true
	}
	if _, dup := r.byID[l.ID]; dup {
		panic(fmt.Sprintf("labs: duplicate lab id %q", l.ID))
	}
	r.byID[l.ID] = l
}

// Lab returns the lab with id and whether it exists.
func (r *Registry) Lab(id string) (Lab, bool) {
	l, ok := r.byID[id]
	return l, ok
}

// Demo returns the labs of the demo class (Lab.Demo), in Order then id order.
func (r *Registry) Demo() []Lab {
	var out []Lab
	for _, l := range r.All() {
		if l.Demo {
			out = append(out, l)
		}
	}
	return out
}

// All returns every lab, in Order then id order.
func (r *Registry) All() []Lab {
	out := make([]Lab, 0, len(r.byID))
	for _, l := range r.byID {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].ID < out[j].ID
	})
	return out
}
