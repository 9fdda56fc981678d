package sim

// How a service joins the simulator without touching the world's core: its file
// registers, in init, how to hang its client on cloud.Clients and, if its
// resources change with time, its steps (per second or per minute, each with an
// explicit order). Its per-region state lives in
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
	attach func(b base, c *cloud.Clients)
	steps  []simStep
}

// simStep is one of a service's steps: run once per simulated second (or, if
// minute, once per simulated minute, after that second's steps) per region, with
// the world locked, in order among the others of its cadence.
type simStep struct {
	order  int
	minute bool
	run    func(r *region, now time.Time)
}

// everySecond and everyMinute are a service's steps.
func everySecond(order int, run func(r *region, now time.Time)) simStep {
	return simStep{order: order, run: run}
}

func everyMinute(order int, run func(r *region, now time.Time)) simStep {
	return simStep{order: order, minute: true, run: run}
}

var (
	services  []simService
	stepsOnce sync.Once
	stepHooks [2][]func(r *region, now time.Time) // per second, per minute
)

// registerService adds a service: attach sets its client(s) on every Clients the
// world hands out; its steps run in their declared order among every service's
// steps of the same cadence. The order is explicit so that a step never depends on
// the name of the file it is written in; two steps of one cadence may not share an
// order.
func registerService(name string, attach func(b base, c *cloud.Clients), steps ...simStep) {
	for _, s := range services {
		if s.name == name {
			panic("sim: service " + name + " registered twice")
		}
		for _, a := range s.steps {
			for _, b := range steps {
				if a.order == b.order && a.minute == b.minute {
					panic(fmt.Sprintf("sim: services %s and %s both step at order %d", s.name, name, b.order))
				}
			}
		}
	}
	for _, st := range steps {
		if st.order <= 0 || st.run == nil {
			panic("sim: service " + name + " has a step without an order or a function")
		}
	}
	services = append(services, simService{name: name, attach: attach, steps: steps})
}

// steps returns the registered steps of one cadence (minute or not) in their
// order (computed once, after every init).
func steps(minute bool) []func(r *region, now time.Time) {
	stepsOnce.Do(func() {
		var all []simStep
		for _, s := range services {
			all = append(all, s.steps...)
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].order < all[j].order })
		for _, st := range all {
			k := 0
			if st.minute {
				k = 1
			}
			stepHooks[k] = append(stepHooks[k], st.run)
		}
	})
	if minute {
		return stepHooks[1]
	}
	return stepHooks[0]
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
