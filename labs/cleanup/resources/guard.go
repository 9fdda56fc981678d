package resources

// The guard: the last line of defence in the AWS client stack. Cleanup's clients
// are wrapped (cloud.Intercept) so that every mutating call is checked against the
// confirmed plan before it leaves labdash. A bug in a deleter, a wrong ARN from a
// lister or a hostile AWS response cannot make cleanup touch anything else.

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cloud"
)

// Refused is the guard's error: a mutating call whose targets are not in the plan.
// It is an AWS-style API error (code LabdashGuardRefused) so the engine treats it
// as terminal for that resource.
type Refused struct {
	Service, Op string
	Targets     []string // the identifiers the call carried
	Why         string
}

func (e *Refused) Error() string {
	return fmt.Sprintf("guard refused %s:%s on %s: %s", e.Service, e.Op, strings.Join(e.Targets, ", "), e.Why)
}

// ErrorCode, ErrorMessage and ErrorFault make Refused a smithy.APIError.
func (e *Refused) ErrorCode() string             { return "LabdashGuardRefused" }
func (e *Refused) ErrorMessage() string          { return e.Error() }
func (e *Refused) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// Guard returns an interceptor that lets read-only calls through and refuses any
// mutating call unless every identifier in its input (cloud.Identifiers) is one the
// plan's resources may pass (their Targets) and at least one of them names a
// resource of the plan itself, not merely a parent. A call that carries no
// identifier acts on a whole service in an account and region: it passes only if
// a plan item claims cloud.AccountWide for exactly that service, account and region.
// refused, when not nil, is told about each refusal (the engine logs and shows it).
func Guard(plan []Ref, refused func(*Refused)) cloud.Interceptor {
	own, ctxIDs := map[string]bool{}, map[string]bool{}
	for _, r := range plan {
		t, ok := Lookup(r.Type)
		if !ok {
			continue
		}
		o, c := t.Targets(r)
		for _, id := range o {
			own[id] = true
		}
		for _, id := range c {
			ctxIDs[id] = true
		}
	}
	return func(ctx context.Context, call cloud.Call) error {
		if !call.Mutating {
			return nil
		}
		ids := cloud.Identifiers(call.Op, call.Input)
		if len(ids) == 0 { // an account-wide operation: only a plan item claiming it allows it
			ids = []string{cloud.AccountWide(call.Service, call.Account, call.Region)}
		}
		why := ""
		hasOwn := false
		for _, id := range ids {
			switch {
			case own[id]:
				hasOwn = true
			case ctxIDs[id]:
			default:
				why = id + " is not in the confirmed plan"
			}
		}
		switch {
		case why == "" && !hasOwn:
			why = "the call names no resource of the plan, only a parent of one"
		}
		if why == "" {
			return nil
		}
		e := &Refused{Service: call.Service, Op: call.Op, Targets: ids, Why: why}
		if refused != nil {
			refused(e)
		}
		return e
	}
}
