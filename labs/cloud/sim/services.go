package sim

// How a service joins the simulator without touching the world's core: its file
// registers, in init, how to hang its client on cloud.Clients (and, if its
// resources change with time, a per-second step). Its per-region state lives in
// region.ext under the service's name (see state).

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/labdash/labdash/labs/cloud"
)

// simService is one registered service.
type simService struct {
	name   string
	order  int // when its step runs among the others' (lower first); 0 for a service without one
	attach func(b base, c *cloud.Clients)
	step   func(r *region, now time.Time)
}

var (
	services    []simService
	stepsOnce   sync.Once
	stepHooks   []func(r *region, now time.Time)
	clientHooks []func(b base, c *cloud.Clients)
)

// registerService adds a service: attach sets its client on every Clients the
// world hands out; step (optional) runs once per simulated second per region,
// with the world locked, in the order given (ties by name), after the core
// services' steps (load balancers, tasks, targets, services, load, stacks). The
// order is explicit so that a service's step never depends on the name of the
// file it is written in.
func registerService(name string, order int, attach func(b base, c *cloud.Clients), step func(r *region, now time.Time)) {
	if step != nil && order <= 0 {
		panic("sim: service " + name + " has a step but no order")
	}
	for _, s := range services {
		if s.name == name {
			panic("sim: service " + name + " registered twice")
		}
		if step != nil && s.step != nil && s.order == order {
			panic(fmt.Sprintf("sim: services %s and %s both step at order %d", s.name, name, order))
		}
	}
	services = append(services, simService{name: name, order: order, attach: attach, step: step})
	clientHooks = append(clientHooks, attach)
}

// steps returns the registered steps in their order (computed once, after every init).
func steps() []func(r *region, now time.Time) {
	stepsOnce.Do(func() {
		ordered := append([]simService(nil), services...)
		sort.SliceStable(ordered, func(i, j int) bool {
			if ordered[i].order != ordered[j].order {
				return ordered[i].order < ordered[j].order
			}
			return ordered[i].name < ordered[j].name
		})
		for _, s := range ordered {
			if s.step != nil {
				stepHooks = append(stepHooks, s.step)
			}
		}
	})
	return stepHooks
}

// state returns region r's state for service key, creating it with mk the first
// time. The world's lock must be held.
func state[T any](r *region, key string, mk func() *T) *T {
	if r.ext == nil {
		r.ext = map[string]any{}
	}
	if v, ok := r.ext[key].(*T); ok {
		return v
	}
	v := mk()
	r.ext[key] = v
	return v
}
