package labs

import (
	"sort"
	"sync"
)

// Cache is what one lab remembers between cycles about one group of a class: the
// students of one class who share an (account, region). The monitor makes one per
// (class, lab, account, region), hands it to every Observe of that group, forgets a
// student's entries when the student leaves the class and drops the whole cache
// when the class is deleted. It is keyed by student and name, never by the clients
// that read AWS, so the simulator (a fresh client per cycle) and AWS take the same
// path.
//
// A nil *Cache remembers nothing: each Keep returns a fresh value. The values Keep
// returns are the lab's to mutate; the monitor runs one Observe of a group at a
// time, so they need no lock of their own.
type Cache struct {
	mu      sync.Mutex
	entries map[string]map[string]any // student ("" for the whole group) → key → value
	class   *Cache                    // the cache the class's groups share (ShareClass), nil: none
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{entries: map[string]map[string]any{}}
}

// Keep returns the value remembered under key for student ("" for the whole
// group), creating a zero T on first use (or when the key held another type).
func Keep[T any](c *Cache, student, key string) *T {
	if c == nil {
		return new(T)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.entries[student]
	if m == nil {
		m = map[string]any{}
		c.entries[student] = m
	}
	if v, ok := m[key].(*T); ok {
		return v
	}
	v := new(T)
	m[key] = v
	return v
}

// Class is the cache every group of the class shares for the lab: for what is
// read once for the whole class whatever account a group is in (Lab 3's parent
// zone in labdash's own account, which delegates to each student account's
// zone). The monitor links it (ShareClass); a cache it did not link is its own
// class cache, and a nil one remembers nothing. The monitor observes one class's
// groups one after another, but values kept here are reached from several
// groups: a lab guards them as it would any shared value.
func (c *Cache) Class() *Cache {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.class != nil {
		return c.class
	}
	return c
}

// ShareClass makes class the cache Class returns.
func (c *Cache) ShareClass(class *Cache) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.class = class
}

// Forget drops everything remembered about student.
func (c *Cache) Forget(student string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, student)
}

// Students lists, sorted, the students the cache holds entries for (the group-wide
// "" excluded).
func (c *Cache) Students() []string {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for s := range c.entries {
		if s != "" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
