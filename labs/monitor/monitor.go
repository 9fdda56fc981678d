// Package monitor watches every class's labs: each cycle it reads AWS (or the
// simulator) in batches per (account, region) through each lab's Observer, judges the
// checkpoints, diffs against the last cycle, writes checkpoint transitions to SQLite
// and hands changes to a publisher (the websocket hub). Widget state and its history
// stay in memory.
//
// Concurrency: Run's goroutine owns the cycle; the latest state is kept under mu so
// pages and new websocket clients can read a snapshot at any time.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// Cell is one student × lab cell of the class grid.
type Cell struct {
	Results []labs.Result // latest result per checkpoint, in the lab's order
	Ever    []bool        // whether each checkpoint has ever passed (alarms fire, then clear)
	Passed  int           // required checkpoints ever passed
	Total   int           // required checkpoints
	Running int           // task-count badge (labs with tasks); -1: none
	Alarm   string        // alarm lamp state ("", OK, ALARM, INSUFFICIENT_DATA)
	// Badge, BadgeTone and BadgeTitle are the lab's short text badge (labs.Summary).
	Badge, BadgeTone, BadgeTitle string
	// Stale says why the cell shows the last state read rather than this cycle's
	// (reads throttled or failing; "" when fresh).
	Stale string
}

// Update is one change the monitor publishes.
type Update struct {
	ClassID string
	Student string // slug
	Lab     string
	Cell    *Cell           // set when the grid cell changed
	Widget  string          // set with View when a widget changed
	View    labs.WidgetView //
}

// Monitor is the live-state engine. Create it with New and start Run once.
type Monitor struct {
	log      *slog.Logger
	store    *db.Store
	registry *labs.Registry
	provider cloud.Provider
	interval time.Duration
	atRest   func(context.Context) (map[string]bool, error)
	publish  func([]Update)

	mu        sync.Mutex
	forgotten map[string]bool // classes deleted: a cycle already under way must not bring them back
	known     map[string]bool // ARNs already in the ledger ("class|arn")
	cells     map[key]Cell
	ever      map[key]map[string]bool // checkpoint id → passed once; seeded from SQLite
	loaded    map[string]bool         // classes whose stored passes are in ever
	views     map[key]map[string]labs.WidgetView
	hist      map[key]*labs.History
	backoff   map[groupKey]*retry // groups whose last read failed
	caches    map[cacheKey]*labs.Cache
	// next holds, for a settled student's lab (finished, or not started), when it
	// is read again; a key that is not here is read every cycle (see due).
	next    map[key]time.Time
	pace    map[groupKey]*pace // each group's recent steps between reads (dueTargets)
	settled time.Duration
	watched func(classID, student string) bool
	phase   func(key) time.Duration // where in each Settled period a key is read (spreadPhase)
	ev      eventState              // event mode's queues (events.go)
}

// cacheKey names the memory one lab keeps for one group of a class; the class's
// shared cache (labs.Cache.Class) has account classWide and no region.
type cacheKey struct{ class, lab, account, region string }

// classWide is the account of a class's shared cache key: no account id is "*".
const classWide = "*"

// groupKey is one lab's batch of a class in one account.
type groupKey struct{ class, lab, account string }

// retry is a failing group's back-off: it is read again at next, and the wait
// doubles with each failure up to maxBackoff.
type retry struct {
	fails int
	next  time.Time
}

// maxBackoff caps the wait before a failing group is read again.
const maxBackoff = time.Minute

type key struct{ class, student, lab string }

// Options configure a Monitor.
type Options struct {
	Interval time.Duration  // time between cycles (default 2 s)
	Publish  func([]Update) // receives each cycle's changes; must not block for long
	// AtRest names the classes not to read this cycle (nil: read every class). The
	// product passes the classes whose whole-class cleanup was confirmed and that
	// were not provisioned since (db.ClassesCleanedUp): they are history, and reading
	// sandboxes being deleted would only turn their passed cells back to pending.
	AtRest func(context.Context) (map[string]bool, error)
	// Settled is how often a student's lab is read once it is settled: every
	// required checkpoint passed, or nothing started yet (every checkpoint pending,
	// none ever passed). Such a cell can still change, but rarely, and at 2,000
	// students reading it every cycle is most of the cycle. It is measured on the
	// provider's clock, like the labs' own cadences (default 30 s; negative: read
	// every student every cycle). A watched student, or one woken by Wake (an
	// event, a rehearsal action, a viewer asking), is read on the next cycle.
	Settled time.Duration
	// Watched reports whether someone is looking at a student's own page (the
	// live hub's student topic has a subscriber): their labs are read every cycle
	// whatever their state. Nil: nobody is.
	Watched func(classID, student string) bool
}

// New returns a monitor over the classes in store.
func New(log *slog.Logger, store *db.Store, registry *labs.Registry, provider cloud.Provider, opt Options) *Monitor {
	if opt.Interval <= 0 {
		opt.Interval = 2 * time.Second
	}
	if opt.Publish == nil {
		opt.Publish = func([]Update) {}
	}
	if opt.Settled == 0 {
		opt.Settled = DefaultSettled
	}
	return &Monitor{log: log, store: store, registry: registry, provider: provider, interval: opt.Interval, publish: opt.Publish, atRest: opt.AtRest,
		settled: opt.Settled, watched: opt.Watched, next: map[key]time.Time{}, pace: map[groupKey]*pace{}, phase: spreadPhase(opt.Settled),
		known: map[string]bool{}, cells: map[key]Cell{}, ever: map[key]map[string]bool{}, loaded: map[string]bool{}, views: map[key]map[string]labs.WidgetView{}, hist: map[key]*labs.History{}, backoff: map[groupKey]*retry{}, caches: map[cacheKey]*labs.Cache{}}
}

// DefaultSettled is Options.Settled's default: issue 17's "observed every 30 s".
const DefaultSettled = 30 * time.Second

// Run cycles until ctx is done.
func (m *Monitor) Run(ctx context.Context) {
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		if err := m.Cycle(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn("monitor cycle failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Cycle runs one pass over every class with built labs.
func (m *Monitor) Cycle(ctx context.Context) error {
	classes, err := m.store.AllClasses(ctx)
	if err != nil {
		return err
	}
	m.pruneCaches(classes)
	// A class at rest (its cleanup confirmed) keeps its last readings as they were;
	// provisioning it again makes it read again.
	var atRest map[string]bool
	if m.atRest != nil {
		if atRest, err = m.atRest(ctx); err != nil {
			return err
		}
	}
	var errs []error
	for i := range classes {
		if atRest[classes[i].ID] {
			continue
		}
		if err := m.cycleClass(ctx, &classes[i]); err != nil {
			errs = append(errs, fmt.Errorf("class %s: %w", classes[i].ID, err))
		}
	}
	return errors.Join(errs...)
}

// group is the students of a class that share one (account, region).
type group struct {
	account, region string
	targets         []labs.Target
	ids             map[string]int64 // slug → db id
}

func (m *Monitor) cycleClass(ctx context.Context, c *db.Class) error {
	students, err := m.store.Students(ctx, c.ID)
	if err != nil || len(students) == 0 || len(c.Regions) == 0 {
		return err
	}
	if err := m.loadPasses(ctx, c.ID, students); err != nil {
		return err
	}
	m.pollEvents(ctx, c, students) // event mode (events.go): never fails the cycle
	var changes []db.CheckpointResult
	var updates []Update
	var errs []error
	for _, labID := range c.Labs {
		lab, ok := m.registry.Lab(labID)
		if !ok || !lab.Built() {
			continue
		}
		region := c.Regions[0]
		if len(lab.Regions) > 0 {
			region = lab.Regions[0]
		}
		groups := map[string]*group{}
		for _, st := range students {
			g := groups[st.AccountID]
			if g == nil {
				g = &group{account: st.AccountID, region: region, ids: map[string]int64{}}
				groups[st.AccountID] = g
			}
			t := labs.NewTarget(c.ID, st.Slug, st.AccountID, region)
			t.OwnAccount = c.Isolation != db.IsolationShared
			g.targets = append(g.targets, t)
			g.ids[st.Slug] = st.ID
		}
		caches := m.groupCaches(c.ID, lab.ID, groups)
		for _, acct := range slices.Sorted(maps.Keys(groups)) {
			g := groups[acct]
			gk := groupKey{c.ID, lab.ID, g.account}
			clients, err := m.provider.Clients(ctx, g.account, g.region)
			if err != nil {
				errs = append(errs, fmt.Errorf("lab %s account %s: %w", lab.ID, g.account, err))
				updates = append(updates, m.failed(gk, lab, g, time.Now(), err)...)
				continue
			}
			now := clients.Clock()
			if m.waiting(gk, now) {
				continue
			}
			// Only the students whose lab can still change this cycle are read; a
			// group with none is not read at all.
			if g.targets = m.dueTargets(gk, g.targets, now); len(g.targets) == 0 {
				continue
			}
			obs, err := lab.Observe(ctx, clients, caches[acct], g.targets)
			if err != nil {
				// One lab's batch failing (the tagging sweep throttled, an outage)
				// keeps its cells' last state, marked stale, and is retried with
				// back-off; the class's other labs and accounts are read as usual.
				errs = append(errs, fmt.Errorf("lab %s account %s: %w", lab.ID, g.account, err))
				updates = append(updates, m.failed(gk, lab, g, now, err)...)
				continue
			}
			m.mu.Lock()
			delete(m.backoff, gk)
			m.mu.Unlock()
			for _, t := range g.targets {
				o, ok := obs[t.StudentID]
				if !ok {
					continue
				}
				if err := m.discover(ctx, c.ID, t, clients.Account, o); err != nil {
					errs = append(errs, fmt.Errorf("lab %s student %s: ledger: %w", lab.ID, t.StudentID, err))
				}
				ch, up := m.judge(c.ID, t.StudentID, g.ids[t.StudentID], lab, o, now)
				changes = append(changes, ch...)
				updates = append(updates, up...)
			}
		}
	}
	// A student removed while the cycle observed them has no row to write to: their
	// results are skipped, everyone else's are written.
	gone, err := m.store.PutCheckpointResults(ctx, changes)
	if err != nil {
		errs = append(errs, err)
	}
	for _, id := range gone {
		slug := ""
		for _, st := range students {
			if st.ID == id {
				slug = st.Slug
			}
		}
		m.log.Debug("monitor: student removed during the cycle; results not written", slog.String("class", c.ID), slog.String("student", slug), slog.Int64("student_id", id))
	}
	if len(updates) > 0 {
		m.publish(updates)
	}
	return errors.Join(errs...)
}

// pruneCaches drops the caches of classes that are gone from the store, however
// they went, and of labs a class no longer has: nothing of theirs is read again.
func (m *Monitor) pruneCaches(classes []db.Class) {
	live := map[[2]string]bool{}
	for _, c := range classes {
		for _, l := range c.Labs {
			live[[2]string{c.ID, l}] = true
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.caches {
		if !live[[2]string{k.class, k.lab}] {
			delete(m.caches, k)
		}
	}
}

// groupCaches returns the cache of each of lab's groups in class (by account),
// creating the missing ones, forgetting the students who left a group and dropping
// the caches of groups that no longer exist (every student of an account gone, or
// the lab's region changed).
func (m *Monitor) groupCaches(classID, labID string, groups map[string]*group) map[string]*labs.Cache {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]*labs.Cache, len(groups))
	if m.forgotten[classID] {
		return out // a deleted class gets throwaway (nil) caches
	}
	for k, cache := range m.caches {
		if k.class != classID || k.lab != labID || k.account == classWide {
			continue
		}
		g := groups[k.account]
		if g == nil || g.region != k.region {
			delete(m.caches, k)
			continue
		}
		for _, st := range cache.Students() {
			if _, ok := g.ids[st]; !ok {
				cache.Forget(st)
			}
		}
	}
	ck := cacheKey{classID, labID, classWide, ""}
	if m.caches[ck] == nil {
		m.caches[ck] = labs.NewCache()
	}
	for _, st := range m.caches[ck].Students() { // the class's cache forgets who left the class
		in := false
		for _, g := range groups {
			if _, in = g.ids[st]; in {
				break
			}
		}
		if !in {
			m.caches[ck].Forget(st)
		}
	}
	for acct, g := range groups {
		k := cacheKey{classID, labID, g.account, g.region}
		if m.caches[k] == nil {
			m.caches[k] = labs.NewCache()
			m.caches[k].ShareClass(m.caches[ck])
		}
		out[acct] = m.caches[k]
	}
	return out
}

// dueTargets returns the targets of group gk to read at now: every student whose
// lab is not settled, a settled one whose time has come, and anyone being
// watched. It keeps targets' order and reuses its array.
//
// Settled reads are spread over the Settled period, a few a cycle (nextRead).
// But a cycle that ends late by more than the period (a stall, a slow machine,
// and at the simulator's 10× a 3 s cycle is 30 s) finds every settled student
// due at once, and the cycle that reads them all is the next late one. So the
// settled students that are due are read at most settledCap a cycle, the longest
// overdue first; the others wait a cycle or two, and the backlog drains at half
// the steady rate again.
func (m *Monitor) dueTargets(gk groupKey, targets []labs.Target, now time.Time) []labs.Target {
	m.mu.Lock()
	defer m.mu.Unlock()
	step := m.stepLocked(gk, now)
	type overdue struct {
		i    int
		next time.Time
	}
	var settledDue []overdue
	nSettled := 0
	keep := make([]bool, len(targets))
	for i, t := range targets {
		next, ok := m.next[key{gk.class, t.StudentID, gk.lab}]
		switch {
		case !ok || (m.watched != nil && m.watched(gk.class, t.StudentID)):
			keep[i] = true
		case !now.Before(next):
			nSettled++
			settledDue = append(settledDue, overdue{i, next})
		default:
			nSettled++
		}
	}
	if limit := settledCap(nSettled, step, m.settled); len(settledDue) > limit {
		slices.SortStableFunc(settledDue, func(a, b overdue) int { return a.next.Compare(b.next) })
		settledDue = settledDue[:limit]
	}
	for _, d := range settledDue {
		keep[d.i] = true
	}
	due := targets[:0]
	for i, t := range targets {
		if keep[i] {
			due = append(due, t)
		}
	}
	return due
}

// settledCap is how many of n settled students are read in one cycle of step (the
// provider's time between cycles) at most: the steady share n·step/every, plus half
// of it or three standard deviations of the phases' unevenness, whichever is more,
// so a student who is on time is not deferred; at least settledFloor (a small class
// is cheap to read whole); all of them when step is unknown or a whole period.
func settledCap(n int, step, every time.Duration) int {
	if step <= 0 || every <= 0 || step >= every {
		return n
	}
	share := float64(n) * float64(step) / float64(every)
	return max(settledFloor, int(math.Ceil(share+max(share/2, 3*math.Sqrt(share)))))
}

// settledFloor is the fewest settled students a cycle may read.
const settledFloor = 10

// stepLocked records a read of group gk at now and returns the group's usual
// step between reads on the provider's clock: the shortest of its last paceLen
// (a late cycle is a long step, never a short one), 0 until it has two.
func (m *Monitor) stepLocked(gk groupKey, now time.Time) time.Duration {
	p := m.pace[gk]
	if p == nil {
		p = &pace{}
		m.pace[gk] = p
	}
	if !p.last.IsZero() && now.After(p.last) {
		p.steps[p.n%paceLen] = now.Sub(p.last)
		p.n++
	}
	p.last = now
	var step time.Duration
	for i := range min(p.n, paceLen) {
		if step == 0 || p.steps[i] < step {
			step = p.steps[i]
		}
	}
	return step
}

// paceLen is how many of a group's steps between reads stepLocked remembers.
const paceLen = 8

// pace is one group's recent steps between reads.
type pace struct {
	last  time.Time
	steps [paceLen]time.Duration
	n     int
}

// nextRead is when a settled key is read again: the first time after now at
// which the clock, shifted by phase, is a whole number of every — at most
// every from now. Each key keeps its own phase, so a class whose students
// settled in the same cycle is read a few students a cycle, evenly, rather than
// all of them together every Settled (which made every third cycle the long one).
func nextRead(now time.Time, every, phase time.Duration) time.Time {
	t := now.Add(every)
	return t.Add(-time.Duration((t.UnixNano() + int64(phase)) % int64(every)))
}

// spreadPhase gives each key a fixed phase in [0, every) from a hash of it.
func spreadPhase(every time.Duration) func(key) time.Duration {
	return func(k key) time.Duration {
		if every <= 0 {
			return 0
		}
		h := fnv.New64a()
		h.Write([]byte(k.class + "\x00" + k.student + "\x00" + k.lab))
		return time.Duration(h.Sum64() % uint64(every))
	}
}

// settled reports whether a cell is unlikely to change: every required checkpoint
// passed once (finished), or nothing begun (every result pending and nothing ever
// passed). A stale cell is never settled: its reads are failing.
func settled(c *Cell) bool {
	if c.Stale != "" {
		return false
	}
	if c.Total > 0 && c.Passed == c.Total {
		return true
	}
	for i, r := range c.Results {
		if r.Status != labs.Pending || c.Ever[i] {
			return false
		}
	}
	return len(c.Results) > 0
}

// Wake makes a student's labs in a class due on the next cycle, whatever their
// state: an event about them arrived, a rehearsal action changed their sandbox, a
// viewer asked. Unknown students and classes are ignored.
func (m *Monitor) Wake(classID, student string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.next {
		if k.class == classID && k.student == student {
			delete(m.next, k)
		}
	}
}

// waiting reports whether group k failed recently and is still backing off.
func (m *Monitor) waiting(k groupKey, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.backoff[k]
	return r != nil && now.Before(r.next)
}

// failed records that group g of lab could not be read: the group backs off (read
// again next cycle after the first failure, then after 1, 3, 7 … intervals, at most
// maxBackoff), and every cell it has keeps its results, marked stale.
func (m *Monitor) failed(k groupKey, lab labs.Lab, g *group, now time.Time, err error) []Update {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.backoff[k]
	if r == nil {
		r = &retry{}
		m.backoff[k] = r
	}
	r.fails++
	wait := m.interval * time.Duration(1<<min(r.fails-1, 16)-1)
	r.next = now.Add(min(wait, maxBackoff))
	if m.forgotten[k.class] {
		return nil
	}
	why := "last state shown: the lab could not be read (" + errText(err) + ")"
	var updates []Update
	for _, t := range g.targets {
		ck := key{k.class, t.StudentID, lab.ID}
		cell, ok := m.cells[ck]
		if !ok || cell.Stale == why {
			continue
		}
		cell.Stale = why
		m.cells[ck] = cell
		c := cell
		updates = append(updates, Update{ClassID: k.class, Student: t.StudentID, Lab: lab.ID, Cell: &c})
	}
	return updates
}

func errText(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// judge evaluates one student's observation and returns what changed.
func (m *Monitor) judge(classID, slug string, studentID int64, lab labs.Lab, o labs.Observation, now time.Time) ([]db.CheckpointResult, []Update) {
	k := key{classID, slug, lab.ID}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.forgotten[classID] { // deleted while this cycle was reading it: keep nothing
		return nil, nil
	}
	ever := m.ever[k]
	if ever == nil {
		ever = map[string]bool{}
		m.ever[k] = ever
	}
	cell := Cell{Results: make([]labs.Result, len(lab.Checkpoints)), Ever: make([]bool, len(lab.Checkpoints))}
	for i, cp := range lab.Checkpoints {
		r := cp.Check(o)
		cell.Results[i] = r
		if r.Status == labs.Pass {
			ever[cp.ID] = true
		}
		cell.Ever[i] = ever[cp.ID]
		if !cp.Optional {
			cell.Total++
			if ever[cp.ID] {
				cell.Passed++
			}
		}
	}
	if st, ok := o.(labs.Staler); ok {
		if parts := st.StaleParts(); len(parts) > 0 {
			cell.Stale = "last state shown for " + strings.Join(parts, ", ") + " (read failed this cycle)"
		}
	}
	cell.Running = -1
	if lab.Summarize != nil {
		sum := lab.Summarize(o)
		cell.Running, cell.Alarm, cell.Badge, cell.BadgeTone, cell.BadgeTitle = sum.Running, sum.Alarm, sum.Badge, sum.BadgeTone, sum.BadgeTitle
	}

	if m.settled > 0 && settled(&cell) {
		m.next[k] = nextRead(now, m.settled, m.phase(k))
	} else {
		delete(m.next, k)
	}

	var changes []db.CheckpointResult
	var updates []Update
	prev, seen := m.cells[k]
	for i, r := range cell.Results {
		if seen && i < len(prev.Results) && prev.Results[i] == r {
			continue
		}
		changes = append(changes, db.CheckpointResult{StudentID: studentID, Lab: lab.ID, Checkpoint: lab.Checkpoints[i].ID, Status: string(r.Status), Evidence: r.Evidence})
	}
	if !seen || !reflect.DeepEqual(prev, cell) {
		m.cells[k] = cell
		c := cell
		updates = append(updates, Update{ClassID: classID, Student: slug, Lab: lab.ID, Cell: &c})
	}
	h := m.hist[k]
	if h == nil {
		h = labs.NewHistory()
		m.hist[k] = h
	}
	views := m.views[k]
	if views == nil {
		views = map[string]labs.WidgetView{}
		m.views[k] = views
	}
	for _, w := range lab.Widgets {
		v := w.View(o, h)
		if old, ok := views[w.ID]; ok && reflect.DeepEqual(old, v) {
			continue
		}
		views[w.ID] = v
		updates = append(updates, Update{ClassID: classID, Student: slug, Lab: lab.ID, Widget: w.ID, View: v})
	}
	return changes, updates
}

// discover adds what a student created, found by tag or name prefix, to the ledger
// (once per resource per process), so cleanup knows it even if the student
// deletes the tags later.
func (m *Monitor) discover(ctx context.Context, classID string, t labs.Target, account string, o labs.Observation) error {
	d, ok := o.(labs.Discoverer)
	if !ok {
		return nil
	}
	for _, r := range d.Resources() {
		k := classID + "|" + r.ARN
		m.mu.Lock()
		seen := m.known[k]
		m.known[k] = true
		m.mu.Unlock()
		if seen {
			continue
		}
		found := r.FoundBy
		if found == "" {
			found = "tag"
		}
		if _, err := m.store.Record(ctx, db.LedgerEntry{ClassID: classID, Student: t.StudentID, ARN: r.ARN, Type: r.Type, Region: r.Region,
			Account: account, Parent: r.Parent, FoundBy: found}); err != nil {
			return err
		}
	}
	return nil
}

// loadPasses seeds, once per class, which checkpoints students passed before this
// process started, so a restart never turns a passed checkpoint back to open.
func (m *Monitor) loadPasses(ctx context.Context, classID string, students []db.Student) error {
	m.mu.Lock()
	done := m.loaded[classID]
	m.mu.Unlock()
	if done {
		return nil
	}
	results, err := m.store.ClassResults(ctx, classID)
	if err != nil {
		return err
	}
	slugs := map[int64]string{}
	for _, st := range students {
		slugs[st.ID] = st.Slug
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range results {
		if r.FirstPassAt.IsZero() || slugs[r.StudentID] == "" {
			continue
		}
		k := key{classID, slugs[r.StudentID], r.Lab}
		if m.ever[k] == nil {
			m.ever[k] = map[string]bool{}
		}
		m.ever[k][r.Checkpoint] = true
	}
	m.loaded[classID] = true
	return nil
}

// ClassSnapshot returns the current cell of every student × lab of a class, keyed by slug then lab.
func (m *Monitor) ClassSnapshot(classID string) map[string]map[string]Cell {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]map[string]Cell{}
	for k, c := range m.cells {
		if k.class != classID {
			continue
		}
		if out[k.student] == nil {
			out[k.student] = map[string]Cell{}
		}
		out[k.student][k.lab] = c
	}
	return out
}

// StudentSnapshot returns a student's cells and widget views per lab.
func (m *Monitor) StudentSnapshot(classID, slug string) (map[string]Cell, map[string]map[string]labs.WidgetView) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cells := map[string]Cell{}
	views := map[string]map[string]labs.WidgetView{}
	for k, c := range m.cells {
		if k.class == classID && k.student == slug {
			cells[k.lab] = c
		}
	}
	for k, vs := range m.views {
		if k.class == classID && k.student == slug {
			cp := make(map[string]labs.WidgetView, len(vs))
			for id, v := range vs {
				cp[id] = v
			}
			views[k.lab] = cp
		}
	}
	return cells, views
}

// Forget drops everything remembered about a class (after a demo reset).
func (m *Monitor) Forget(classID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.forgotten == nil {
		m.forgotten = map[string]bool{}
	}
	m.forgotten[classID] = true // class ids are never reused
	delete(m.loaded, classID)
	m.forgetEventsLocked(classID)
	for k := range m.caches {
		if k.class == classID {
			delete(m.caches, k)
		}
	}
	for k := range m.next {
		if k.class == classID {
			delete(m.next, k)
		}
	}
	for k := range m.pace {
		if k.class == classID {
			delete(m.pace, k)
		}
	}
	for k := range m.cells {
		if k.class == classID {
			delete(m.cells, k)
			delete(m.views, k)
			delete(m.hist, k)
			delete(m.ever, k)
		}
	}
}
