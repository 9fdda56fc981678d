// Package resources is what cleanup knows about each AWS resource type, one file
// per type: how to recognise its ARN, how to find the ones the tag sweep cannot
// (a lister), how to re-read its tags (the ownership test), how to delete it (one
// attempt at a time, so the engine can poll, back off and resume), which
// identifiers that deletion may pass to AWS (the guard's allow-list) and which
// types must be gone first (the dependency graph).
//
// A type that is not registered here is never deleted: the planner lists it as
// skipped. Each Delete is written against labs/cloud's interfaces, so it runs
// unchanged on the simulator, on moto and on AWS.
package resources

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cloud"
)

// Ref is one resource as the cleanup engine knows it.
type Ref struct {
	ARN     string `json:"arn"`
	Type    string `json:"type"` // CloudFormation-style, e.g. AWS::ECS::Service
	Region  string `json:"region"`
	Account string `json:"account"`
	Student string `json:"student"`          // "s07", or "" for class-level resources
	Parent  string `json:"parent,omitempty"` // the ARN of the resource it belongs to
}

// Candidate is one resource a lister (or the tag sweep, or the ledger) puts
// forward, with the raw facts the ownership decision needs. A candidate is not a
// claim: listers only enumerate, and cleanup.Decide alone turns a candidate into
// a plan item or a skipped one with its reason. A lister therefore has no way to
// make anything owned.
type Candidate struct {
	ARN     string
	Type    string // "" means the lister's own type
	Account string
	Region  string // "" for global types; an S3 bucket's own region
	// Name is what the type's Naming rule reads: a log group's name, an IAM role's
	// path and name, an instance's Name tag. "" when the lister does not know it
	// (the planner derives it from the ARN with NameOf when it can).
	Name string
	// Tags are the resource's own tags as its service returned them; nil means
	// not read yet, and the planner reads them (Type.Tags) before deciding.
	Tags map[string]string
	// TagsErr is why the tags could not be read: the decision skips the resource.
	TagsErr error
	// Parents tie a child to resources it belongs to (a listener to its load
	// balancer, a record to its zone); the first one the plan owns makes an untagged
	// child owned, as that parent's student's.
	Parents []Link
	// Takes are the identifiers (ARNs, names, ids) of what deleting it deletes too
	// (a target-tracking policy's alarms): when it is owned, those are not judged
	// or deleted on their own, and their tags are not read.
	Takes []string
	// After names types whose resources (of the same student) must be gone before
	// this one, beyond its type's After: an NS record that delegates a name to a
	// student's zone goes after that zone (AWS: delete the child zone, then
	// update the parent). The planner ranks it after them, and the resource it
	// belongs to (Ref.Parent: the parent zone) after it.
	After []string
	// Undeletable says why cleanup could not delete it even if it is the class's
	// (a record tied to a health check the guard would refuse): the decision
	// reports such a resource instead of planning it.
	Undeletable string
}

// Link is one tie from a candidate to a parent: the parent's ARN and how the
// child belongs to it, which the proof quotes ("a listener of").
type Link struct {
	ARN string
	Tie string
}

// Blocker is something that uses a resource AWS will not delete while it does.
type Blocker struct {
	ARN string
	Why string // "the listener rule forwards to the target group"
	// Passing blockers go away on their own once the plan's own deletions finish
	// (the network interface of a task that is stopping): worth waiting for.
	Passing bool
}

// Naming is where a type's resources carry a student's name prefix
// <class><student>- when they are not tagged: the decision's name rule.
type Naming int

// The name rules. The prefix is always exact and case-sensitive, and always ends
// with its separator, so s1 never matches s10 and c42 never matches c42x.
const (
	// NameNone: ownership only by tag or by an owned parent.
	NameNone Naming = iota
	// NamePrefix: the name starts with <class><student>-.
	NamePrefix
	// NameStem: the name is <class><student> or starts with <class><student>-
	// (X-Ray groups named after the student).
	NameStem
	// NameSegment: a "/"-separated part of the name starts with <class><student>-
	// (log groups /ecs/…, /aws/lambda/…; target-tracking alarms
	// TargetTracking-service/<cluster>/…; scaling targets service/<cluster>/…).
	NameSegment
	// NameIAMPath: the name is an IAM path and name under /labdash/<class>/<student>/.
	NameIAMPath
	// NameDNS: a record name whose first label (after a leading "*.") is the
	// student's stem, or which lies under <student>.<class>. (LABS.md Lab 3).
	NameDNS
	// NameTag: the resource's Name tag starts with <class><student>- (EC2 instances).
	NameTag
)

var namingNames = [...]string{"none", "prefix", "stem", "segment", "IAM path", "DNS name", "Name tag"}

func (n Naming) String() string {
	if int(n) < len(namingNames) {
		return namingNames[n]
	}
	return fmt.Sprintf("Naming(%d)", int(n))
}

// Scope is what a lister knows about the class being cleaned up: enough to narrow
// its listing (a name filter on the class id, the owned parents to look under),
// never enough to decide.
type Scope struct {
	ClassID  string
	Students []string // roster slugs
	// Owned holds what is already proven the class's, by ARN: the parents that
	// untaggable children (records, subscriptions, listeners …) are found under.
	Owned map[string]Ref
	// Accounts maps a student's own account to the student (account-per-student
	// classes only): account-wide settings are the class's only there.
	Accounts map[string]string
}

// Type is one resource type's cleanup knowledge.
type Type struct {
	// Name is the CloudFormation-style type name, e.g. "AWS::S3::Bucket".
	Name string
	// After lists the types whose resources (of the same student) must be gone before
	// one of this type can be deleted: children and dependents. Ranks follow from it.
	After []string
	// Hourly is the estimated USD per hour while one exists (LABS.md §4).
	Hourly float64
	// Global types (IAM, Route 53) live in no region: they are handled once, through
	// the class's first region.
	Global bool
	// Home is the only region its API is served from ("us-west-2" for Global
	// Accelerator); "" means the resource's own region.
	Home string
	// OneWriter, when set, names what a resource's deletion writes to ("" for
	// nothing shared): deletions with the same key run one at a time. Route 53
	// rejects a change to a hosted zone still applying another with
	// PriorRequestNotComplete, so a shared class zone takes one writer.
	OneWriter func(arn string) string
	// AccountPerStudentOnly types are account-wide (Macie): cleanup touches them only
	// in a student's own account, never in a shared one.
	AccountPerStudentOnly bool
	// Match reports whether an ARN is of this type (the tag sweep's ARNs).
	Match func(arn string) bool
	// Tags reads the resource's own tags through its service: the ownership test.
	// Every candidate is read, the swept ones too (the tagging API lags behind
	// deletions and tag changes). An error wrapping ErrGone means it no longer
	// exists. Nil only for Untaggable types.
	Tags func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error)
	// BatchTags, when set, is Tags for many resources of one account and region in
	// as few calls as the service allows (DescribeClusters takes 100, ELB's
	// DescribeTags 20 …): the planner uses it for its re-check. A resource missing
	// from the answer no longer exists. It is an optimisation; Tags stays required.
	BatchTags func(ctx context.Context, c *cloud.Clients, refs []Ref) (map[string]map[string]string, error)
	// List enumerates candidates of this type the tag sweep cannot see (untagged
	// children of owned parents, hand-made resources named with a student's
	// prefix), with their facts. It never decides: cleanup.Decide does. Nil: the
	// tag sweep and the ledger suffice. A lister that could not list everything
	// returns what it did list and the error: the plan keeps both, the error as a
	// gap that keeps the cleanup from being verified.
	List func(ctx context.Context, c *cloud.Clients, s Scope) ([]Candidate, error)
	// Under lists the types whose owned resources List looks under (Scope.Owned):
	// the planner decides those types first.
	Under []string
	// Untaggable types cannot carry tags (Route 53 records, SNS subscriptions,
	// scaling policies …): ownership comes from an owned parent or the name rule.
	// Every other type must have Tags, and a resource whose tags cannot be read is
	// never deleted.
	Untaggable bool
	// Naming is where an untagged resource of this type carries a student's
	// prefix; NameOf derives that name from an ARN (for candidates from the sweep
	// or the ledger), nil when the ARN does not hold it.
	Naming Naming
	NameOf func(arn string) string
	// Locate returns the region a resource lives in when its ARN holds none (S3
	// buckets): the decision checks it against the class's regions.
	Locate func(ctx context.Context, c *cloud.Clients, arn string) (string, error)
	// Blockers, when set, names what uses the resource while AWS answers that it is
	// in use (a listener rule forwarding to a target group, an interface in a
	// security group): the engine reports a blocker outside the plan instead of
	// waiting for it until the deadline.
	Blockers func(ctx context.Context, c *cloud.Clients, r Ref) ([]Blocker, error)
	// Delete makes one attempt. It returns nil or an error wrapping ErrGone when the
	// resource is gone; Waiting(step) while a deletion (or a disable before it) is
	// in progress, and the engine calls it again later; otherwise AWS's error,
	// which the engine classifies (retry later, back off, terminal).
	Delete func(ctx context.Context, c *cloud.Clients, r Ref) error
	// DeleteBatch, when set, deletes several resources of the type in one call:
	// the engine hands it one student's resources that share a OneWriter key (a
	// student's records in one Route 53 zone go in one ChangeBatch), at most
	// BatchMax at a time. gone[i] says refs[i] was found already gone; a nil error
	// means every other ref is deleted. An error means the call deleted nothing
	// (the service applies the batch all or nothing): the engine then runs each
	// resource's own Delete, with its own retries and the guard's own verdict on
	// it; a *BatchError names the refs the service's answer was about. Its errors
	// are not read by Gone (one record's "not found" is not the whole batch's).
	DeleteBatch func(ctx context.Context, c *cloud.Clients, refs []Ref) (gone []bool, err error)
	// BatchMax bounds the refs of one DeleteBatch call (required with it).
	BatchMax int
	// Gone lists every way the type's service answers that the resource does not
	// exist — or that the parent that takes it along does not (a listener's load
	// balancer) — and nothing else: an error code, with the words of its message
	// where the service uses that code for other mistakes too (ECS's
	// ClientException, CloudFormation's ValidationError). It is the one place the
	// type's "not found" is decided: Register wraps Delete, Tags and Locate so that
	// any error they return that matches becomes ErrGone (done, for the engine),
	// and the engine itself treats no other not-found code as gone. A not-found
	// about something else (a subnet, a KMS key) therefore fails the item, and the
	// verify sweep still proves whatever counted as gone is gone. Required.
	Gone []NotFound
	// Targets lists the identifiers Delete may pass to mutating calls: own names
	// the resource itself (its ARN, name, id, URL), context its parents' names it
	// must also pass (a service's cluster). The guard lets a mutating call through
	// only if every identifier in it is allowed and at least one is someone's own.
	Targets func(r Ref) (own, context []string)

	rank int
}

// Rank orders deletion: a type's rank is greater than that of every type in After.
func (t Type) Rank() int { return t.rank }

// ErrGone means the resource no longer exists.
var ErrGone = errors.New("resource is gone")

// NotFound is one way a service answers that a resource does not exist.
type NotFound struct {
	// Code is the AWS error code (smithy.APIError's ErrorCode).
	Code string
	// Message, when set, must appear in the error's message (case-insensitive): for
	// a code the service also uses for other mistakes.
	Message string
}

// Is reports whether err is this answer.
func (n NotFound) Is(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != n.Code {
		return false
	}
	return n.Message == "" || strings.Contains(strings.ToLower(ae.ErrorMessage()), strings.ToLower(n.Message))
}

// IsGone reports whether err says the resource is gone: ErrGone, or one of the
// type's Gone answers.
func (t Type) IsGone(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrGone) {
		return true
	}
	for _, n := range t.Gone {
		if n.Is(err) {
			return true
		}
	}
	return false
}

// gone is err as the type's Gone reads it: wrapped in ErrGone when it says the
// resource does not exist (AWS's answer kept for the report), unchanged otherwise.
func (t Type) gone(err error) error {
	if err == nil || errors.Is(err, ErrGone) || !t.IsGone(err) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrGone, err)
}

// isGone reports whether err says a resource of the registered type typ is gone
// (a lister meeting a parent deleted meanwhile).
func isGone(typ string, err error) bool {
	t, ok := Lookup(typ)
	return ok && t.IsGone(err)
}

// Failure is an entry of a batch API's failure list (ECS DeleteTaskDefinitions
// answers a revision it cannot delete with one instead of an error) as an AWS
// error with code "Failure", so a type's Gone reads it like any other answer.
type Failure struct {
	ARN, Reason, Detail string
}

func (f *Failure) Error() string {
	return "Failure: " + f.ErrorMessage()
}

// ErrorCode is "Failure".
func (f *Failure) ErrorCode() string { return "Failure" }

// ErrorMessage names the resource, the reason and any detail.
func (f *Failure) ErrorMessage() string {
	msg := f.ARN + ": " + f.Reason
	if f.Detail != "" {
		msg += " (" + f.Detail + ")"
	}
	return msg
}

// ErrorFault is smithy.FaultServer: AWS says what it did not do.
func (f *Failure) ErrorFault() smithy.ErrorFault { return smithy.FaultServer }

// BatchError is DeleteBatch's failure: the service's answer, and the indexes
// of the refs it names (the record that changed or is gone), if any.
type BatchError struct {
	Err   error
	Named []int
}

func (e *BatchError) Error() string { return e.Err.Error() }

// Unwrap gives the service's answer (the engine classifies it).
func (e *BatchError) Unwrap() error { return e.Err }

// ErrWaiting means a deletion is under way; errors.Is(Waiting(step), ErrWaiting).
var ErrWaiting = errors.New("deletion in progress")

// WaitError is Delete's "not yet": Step names the state (disabling, deleting,
// waiting) and Detail what AWS says.
type WaitError struct{ Step, Detail string }

func (e *WaitError) Error() string {
	if e.Detail == "" {
		return e.Step
	}
	return e.Step + ": " + e.Detail
}

// Is makes errors.Is(err, ErrWaiting) hold.
func (e *WaitError) Is(target error) bool { return target == ErrWaiting }

// Waiting is Delete's answer while the resource is on its way out.
func Waiting(step, detailFormat string, a ...any) error {
	return &WaitError{Step: step, Detail: fmt.Sprintf(detailFormat, a...)}
}

var (
	mu     sync.Mutex
	types  = map[string]*Type{}
	ranked bool
)

// Register adds a type; each type's file calls it from init. It panics on a
// malformed or duplicate type, so a mistake fails every test at once.
func Register(t Type) {
	mu.Lock()
	defer mu.Unlock()
	switch {
	case t.Name == "" || !strings.HasPrefix(t.Name, "AWS::"):
		panic(fmt.Sprintf("resources: type name %q is not AWS::Service::Resource", t.Name))
	case types[t.Name] != nil:
		panic("resources: duplicate type " + t.Name)
	case t.Match == nil || t.Delete == nil || t.Targets == nil:
		panic("resources: type " + t.Name + " needs Match, Delete and Targets")
	case t.Tags == nil && !t.Untaggable:
		panic("resources: type " + t.Name + " can carry tags, so it needs Tags: ownership is read from them")
	case t.Tags != nil && t.Untaggable:
		panic("resources: type " + t.Name + " is Untaggable but has Tags")
	case t.Naming == NameNone && t.NameOf != nil:
		panic("resources: type " + t.Name + " has NameOf but no Naming rule")
	case t.DeleteBatch != nil && t.BatchMax < 2:
		panic("resources: type " + t.Name + " has DeleteBatch but no BatchMax")
	case len(t.Gone) == 0:
		panic("resources: type " + t.Name + " needs Gone: how its service says one no longer exists")
	}
	for _, n := range t.Gone {
		if n.Code == "" {
			panic("resources: type " + t.Name + " has a Gone answer without a code")
		}
	}
	wrapGone(&t)
	types[t.Name] = &t
	ranked = false
}

// wrapGone makes Delete, Tags and Locate answer ErrGone for every error that the
// type's Gone recognises, whichever call inside them met it.
func wrapGone(t *Type) {
	tt := *t // the wrappers read the registration as it is now
	del, tags, locate := t.Delete, t.Tags, t.Locate
	t.Delete = func(ctx context.Context, c *cloud.Clients, r Ref) error { return tt.gone(del(ctx, c, r)) }
	if tags != nil {
		t.Tags = func(ctx context.Context, c *cloud.Clients, r Ref) (map[string]string, error) {
			m, err := tags(ctx, c, r)
			if err != nil {
				return nil, tt.gone(err)
			}
			return m, nil
		}
	}
	if locate != nil {
		t.Locate = func(ctx context.Context, c *cloud.Clients, arn string) (string, error) {
			region, err := locate(ctx, c, arn)
			if err != nil {
				return "", tt.gone(err)
			}
			return region, nil
		}
	}
}

// rankLocked computes every type's rank from After: 1 + the highest rank among the
// types it waits for. It panics on an unknown type in After or a cycle.
func rankLocked() {
	if ranked {
		return
	}
	state := map[string]int{} // 0 new, 1 visiting, 2 done
	var visit func(n string) int
	visit = func(n string) int {
		t := types[n]
		if t == nil {
			return 0 // a type not registered (yet) has no resources to wait for; TestAfterIsRegistered catches typos
		}
		switch state[n] {
		case 1:
			panic("resources: dependency cycle through " + n)
		case 2:
			return t.rank
		}
		state[n] = 1
		r := 1
		for _, a := range t.After {
			r = max(r, visit(a)+1)
		}
		t.rank, state[n] = r, 2
		return r
	}
	for n := range types {
		visit(n)
	}
	ranked = true
}

// Lookup returns the registered type name.
func Lookup(name string) (Type, bool) {
	mu.Lock()
	defer mu.Unlock()
	rankLocked()
	t := types[name]
	if t == nil {
		return Type{}, false
	}
	return *t, true
}

// ForARN returns the type an ARN is of, if exactly one type claims it.
func ForARN(arn string) (Type, bool) {
	var hit []Type
	for _, t := range All() {
		if t.Match(arn) {
			hit = append(hit, t)
		}
	}
	if len(hit) != 1 {
		return Type{}, false
	}
	return hit[0], true
}

// All returns every registered type, by rank then name.
func All() []Type {
	mu.Lock()
	defer mu.Unlock()
	rankLocked()
	out := make([]Type, 0, len(types))
	for _, t := range types {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].rank != out[j].rank {
			return out[i].rank < out[j].rank
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// ARN helpers shared by the type files.

// Service returns an ARN's service field ("ecs", "s3" …).
func Service(arn string) string { return field(arn, 2) }

// Region returns an ARN's region field.
func Region(arn string) string { return field(arn, 3) }

// Account returns an ARN's account field.
func Account(arn string) string { return field(arn, 4) }

// Resource returns an ARN's resource part (after the fifth colon).
func Resource(arn string) string { return field(arn, 5) }

func field(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ""
	}
	return parts[i]
}

// pathPart returns the i-th "/"-separated part of an ARN's resource part
// (cluster/NAME → part 1 is NAME), or "".
func pathPart(arn string, i int) string {
	parts := strings.Split(Resource(arn), "/")
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

// MatchPrefix returns a Match for ARNs of service whose resource part starts with prefix.
func MatchPrefix(service, prefix string) func(string) bool {
	return func(arn string) bool { return Service(arn) == service && strings.HasPrefix(Resource(arn), prefix) }
}

// Last returns what follows the last sep in s.
func Last(s, sep string) string { return s[strings.LastIndex(s, sep)+len(sep):] }

// ErrorCode returns an AWS error's code, or "".
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// IsCode reports whether err is an AWS error with one of codes.
func IsCode(err error, codes ...string) bool {
	code := ErrorCode(err)
	for _, c := range codes {
		if code != "" && code == c {
			return true
		}
	}
	return false
}

// Chunks splits list into slices of at most n.
func Chunks[T any](list []T, n int) [][]T {
	var out [][]T
	for len(list) > n {
		out = append(out, list[:n])
		list = list[n:]
	}
	if len(list) > 0 {
		out = append(out, list)
	}
	return out
}

// ErrNoBatch is BatchTags telling the planner to use Tags one by one instead (a
// batch would cost more).
var ErrNoBatch = errors.New("no batch for so few")
