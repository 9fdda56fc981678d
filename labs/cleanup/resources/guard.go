package resources

// The guard: the last line of defence in the AWS client stack. Cleanup's clients
// are wrapped (cloud.Intercept) so that every mutating call is checked against the
// confirmed plan before it leaves labdash. A bug in a deleter, a wrong ARN from a
// lister or a hostile AWS response cannot make cleanup touch anything else.

import (
	"context"
	"fmt"
	"reflect"
	"sort"
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
// mutating call unless every identifier in its input (see Identifiers) is one the
// plan's resources may pass (their Targets) and at least one of them names a
// resource of the plan itself, not merely a parent. A call that carries no
// identifier at all is refused: the guard cannot tell what it would touch.
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
		ids := Identifiers(call.Op, call.Input)
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
		case len(ids) == 0:
			why = "the call names no resource"
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

// skipFields are input fields that describe rather than name a target: tags,
// filters, an alias record's target, a policy document.
var skipFields = map[string]bool{"Tags": true, "TagList": true, "TagKeys": true, "Filters": true, "AliasTarget": true,
	"PolicyDocument": true, "ResourceRecords": true, "Attributes": true, "ClientToken": true, "IdempotencyToken": true}

// parameterFields are, per operation, input fields that name something the call
// uses but does not change: detaching a policy changes the role, not the policy.
var parameterFields = map[string]map[string]bool{
	"DetachRolePolicy": {"PolicyArn": true},
	"DeleteRolePolicy": {"PolicyName": true},
}

// Identifiers returns the identifier values in operation op's input: every string
// (or list of strings) in a field whose name ends in Arn, ARN, Name, Id, Ids,
// Identifier, Url or Names, or is one of ECS's and S3's bare names (Cluster,
// Service, TaskDefinition(s), Bucket), searched through nested structs and lists
// except descriptive ones (tags, filters, alias targets). Sorted, without repeats.
func Identifiers(op string, input any) []string {
	set := map[string]bool{}
	walk(reflect.ValueOf(input), "", set, 0, parameterFields[op])
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func isIDField(name string) bool {
	switch name {
	case "Cluster", "Service", "TaskDefinition", "TaskDefinitions", "Bucket", "QueueUrl", "Domain":
		return true
	}
	for _, s := range []string{"Arn", "ARN", "Arns", "Name", "Names", "Id", "Ids", "Identifier", "Url"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

func walk(v reflect.Value, field string, set map[string]bool, depth int, params map[string]bool) {
	if depth > 8 || !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), field, set, depth+1, params)
		}
	case reflect.String:
		if field != "" && isIDField(field) && v.String() != "" {
			set[v.String()] = true
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), field, set, depth+1, params)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || skipFields[f.Name] || (depth == 1 && params[f.Name]) {
				continue
			}
			walk(v.Field(i), f.Name, set, depth+1, params)
		}
	}
}
