package main

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// tasks tracks a serving process's background goroutines by name, so that
// shutdown can wait for every one that may write to the database before the
// database closes, and say which ones did not stop.
type tasks struct {
	mu      sync.Mutex
	closed  bool           // Wait has begun: no new goroutine may start
	running map[string]int // name → goroutines of that name still running
	wg      sync.WaitGroup
}

// Go runs fn in a new goroutine named name, unless Wait has begun (then it
// reports false and fn does not run).
func (g *tasks) Go(name string, fn func()) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	if g.running == nil {
		g.running = map[string]int{}
	}
	g.running[name]++
	g.wg.Add(1) // under mu, before closed is set: never concurrent with Wait's first wait
	go func() {
		defer g.wg.Done()
		defer g.finish(name)
		fn()
	}()
	return true
}

func (g *tasks) finish(name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.running[name]--; g.running[name] <= 0 {
		delete(g.running, name)
	}
}

// Wait refuses new goroutines, then waits up to d for the running ones to
// return. It returns the names of those still running when d ran out ("job 3
// (cleanup)", "monitor ×2"), sorted; none means everything stopped.
func (g *tasks) Wait(d time.Duration) []string {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var names []string
	for name, n := range g.running {
		if n > 1 {
			name = fmt.Sprintf("%s ×%d", name, n)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
