package sim

// Faults: the simulator misbehaving the way AWS does, for rehearsals and for the
// tests that prove labdash copes — throttling, a resource that stays in use for a
// while, a resource the caller may not touch. A Faults is an interceptor
// (cloud.Intercept); attach it to the clients under test only, so the test's own
// reads stay clean.

import (
	"context"
	"math/rand/v2"
	"sync"

	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs/cloud"
)

// Faults injects AWS errors into calls. The zero value injects nothing.
type Faults struct {
	// Throttle is the share of calls (0–1) answered with a throttling error.
	Throttle float64
	// FailFirst answers the first N mutating calls naming an identifier with an
	// error code, e.g. {"sg-0abc": {2, "DependencyViolation"}}.
	FailFirst map[string]Fail
	// Deny answers every call naming one of these identifiers — reads included, so
	// its tags cannot be read either — with AccessDenied.
	Deny map[string]bool
	// Seed makes the throttling reproducible.
	Seed uint64

	mu       sync.Mutex
	rng      *rand.Rand
	used     map[string]int
	injected map[string]int // error code → times injected
}

// Fail is FailFirst's rule: the first N calls fail with Code.
type Fail struct {
	N    int
	Code string
}

// Intercept is the cloud.Interceptor that injects the faults.
func (f *Faults) Intercept(_ context.Context, call cloud.Call) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rng == nil {
		f.rng = rand.New(rand.NewPCG(f.Seed, 0x6661756c7473))
		f.used, f.injected = map[string]int{}, map[string]int{}
	}
	if f.Throttle > 0 && f.rng.Float64() < f.Throttle {
		return f.fail("ThrottlingException", "Rate exceeded")
	}
	for _, id := range cloud.Identifiers(call.Op, call.Input) {
		if f.Deny[id] {
			return f.fail("AccessDenied", "User is not authorized to perform: "+call.Op+" on resource: "+id+" with an explicit deny")
		}
		if !call.Mutating {
			continue
		}
		if rule, ok := f.FailFirst[id]; ok && f.used[id] < rule.N {
			f.used[id]++
			return f.fail(rule.Code, "resource "+id+" has a dependent object")
		}
	}
	return nil
}

func (f *Faults) fail(code, msg string) error {
	f.injected[code]++
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

// Injected returns how many times each error code was injected.
func (f *Faults) Injected() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.injected {
		out[k] = v
	}
	return out
}
