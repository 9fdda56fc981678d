package sim

// How a service joins the simulator without touching the world's core: its file
// registers, in init, how to hang its client on cloud.Clients (and, if its
// resources change with time, a per-second step). Its per-region state lives in
// region.ext under the service's name (see state).

import (
	"time"

	"github.com/labdash/labdash/labs/cloud"
)

var (
	clientHooks []func(b base, c *cloud.Clients)
	stepHooks   []func(r *region, now time.Time)
)

// registerService adds a service: attach sets its client on every Clients the
// world hands out; step (optional) runs once per simulated second per region,
// with the world locked.
func registerService(attach func(b base, c *cloud.Clients), step func(r *region, now time.Time)) {
	clientHooks = append(clientHooks, attach)
	if step != nil {
		stepHooks = append(stepHooks, step)
	}
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
