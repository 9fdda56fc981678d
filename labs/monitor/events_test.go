package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog/asg"
	"github.com/labdash/labdash/labs/catalog/pca"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/sandbox"
)

// eventWorld is a simulator with classes running Labs 8 and 9 in one shared
// account, a store and a monitor over them.
type eventWorld struct {
	t       *testing.T
	ctx     context.Context
	clock   *sim.ManualClock
	w       *sim.World
	prov    *faultyProvider
	c       *cloud.Clients
	store   *db.Store
	reg     *labs.Registry
	m       *Monitor
	counter *cloud.CallCounter
	owner   int64
}

func newEventWorld(t *testing.T) *eventWorld {
	t.Helper()
	e := &eventWorld{t: t, ctx: context.Background(), clock: sim.NewManualClock(time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)), counter: cloud.NewCallCounter(nil, "sim")}
	e.w = sim.New(sim.Options{Clock: e.clock, Counter: e.counter, DefaultAccount: "111122223333", Seed: 11})
	e.prov = &faultyProvider{World: e.w}
	var err error
	if e.c, err = e.w.Clients(e.ctx, "", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	if e.store, err = db.Open(e.ctx, filepath.Join(t.TempDir(), "ev.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	u := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	if err := e.store.CreateUser(e.ctx, u); err != nil {
		t.Fatal(err)
	}
	e.owner = u.ID
	e.reg = labs.NewRegistry()
	e.reg.Register(asg.Lab())
	e.reg.Register(pca.Lab())
	e.m = New(slog.New(slog.NewTextHandler(io.Discard, nil)), e.store, e.reg, e.prov, Options{Interval: 2 * time.Second})
	return e
}

func (e *eventWorld) class(name string, n int, ls ...string) *db.Class {
	e.t.Helper()
	c := &db.Class{Name: name, OwnerID: e.owner, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared, Labs: ls}
	if err := e.store.CreateClass(e.ctx, c); err != nil {
		e.t.Fatal(err)
	}
	var rows []db.NewStudent
	for i := 1; i <= n; i++ {
		rows = append(rows, db.NewStudent{Name: fmt.Sprintf("S%d", i), Email: fmt.Sprintf("%s-s%d@example.edu", name, i)})
	}
	if _, _, err := e.store.AddStudents(e.ctx, c.ID, rows); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// student runs a lab's virtual student to the end of its script, as labdash's
// own clients (the sandbox's fences are the sandbox package's tests).
func (e *eventWorld) student(l labs.Lab, classID, slug string) *labs.Env {
	e.t.Helper()
	tg := labs.NewTarget(classID, slug, "111122223333", "us-east-1")
	name, err := labs.CreatePrereqStack(e.ctx, e.c, l, tg)
	if err != nil {
		e.t.Fatal(err)
	}
	var out map[string]string
	for try := 0; ; try++ {
		if out, err = labs.StackOutputs(e.ctx, e.c, name); err == nil {
			break
		}
		if !errors.Is(err, labs.ErrNotYet) || try > 60 {
			e.t.Fatalf("%s/%s stack: %v", classID, slug, err)
		}
		e.clock.Advance(10 * time.Second)
	}
	env := &labs.Env{C: e.c, T: tg, Persona: &labs.Persona{Pace: 1, Mistakes: map[string]bool{}, StuckAfter: -1}, Stack: out, Memo: map[string]string{},
		Load: func(arn string, rps float64) error { return e.w.SetLoad("", "us-east-1", arn, rps) }}
	for _, st := range l.Script {
		for try := 0; ; try++ {
			err := st.Do(e.ctx, env)
			if err == nil {
				break
			}
			if (!errors.Is(err, labs.ErrNotYet) && !strings.Contains(err.Error(), "not yet")) || try > 60 {
				e.t.Fatalf("%s/%s %s step %q: %v", classID, slug, l.ID, st.Name, err)
			}
			e.clock.Advance(15 * time.Second)
		}
		e.clock.Advance(2 * time.Second)
	}
	return env
}

func (e *eventWorld) cycle(n int) {
	e.t.Helper()
	for i := 0; i < n; i++ {
		if err := e.m.Cycle(e.ctx); err != nil {
			e.t.Fatalf("cycle: %v", err)
		}
		e.clock.Advance(2 * time.Second)
	}
}

// feed is a student's Events widget of a lab: its rows' cells joined, or its empty state.
func (e *eventWorld) feed(classID, slug, lab string) (rows []string, empty string) {
	_, views := e.m.StudentSnapshot(classID, slug)
	v, ok := views[lab]["events"]
	if !ok {
		return nil, "(no events widget published)"
	}
	if v.Table == nil {
		return nil, v.Empty
	}
	for _, r := range v.Table.Rows {
		rows = append(rows, strings.Join(r.Cells, " | "))
	}
	return rows, ""
}

func has(rows []string, parts ...string) bool {
	for _, r := range rows {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(r, p)
		}
		if ok {
			return true
		}
	}
	return false
}

func action(l labs.Lab, id string) labs.Action {
	for _, a := range l.Actions {
		if a.ID == id {
			return a
		}
	}
	panic("no action " + id)
}

// TestEventModeLab8SpotInterruption: a virtual Lab 8 student's Spot instance gets
// its interruption notice (the rehearsal action); the warning reaches that
// student's Events widget and no one else's: not their classmate's, and not
// another class's student in the same account, whose own launches land in the
// same queue (the rule matches the whole account's Auto Scaling events).
func TestEventModeLab8SpotInterruption(t *testing.T) {
	e := newEventWorld(t)
	a := e.class("ev-a", 2, asg.ID)
	b := e.class("ev-b", 1, asg.ID) // another class, event mode not provisioned
	if err := sandbox.EnsureEvents(e.ctx, e.c, e.reg, a); err != nil {
		t.Fatal(err)
	}
	if err := sandbox.EnsureEvents(e.ctx, e.c, e.reg, a); err != nil { // twice: nothing made twice
		t.Fatal(err)
	}
	env1 := e.student(asg.Lab(), a.ID, "s01")
	e.student(asg.Lab(), a.ID, "s02")
	envB := e.student(asg.Lab(), b.ID, "s01")
	e.cycle(3) // discovery reaches the ledger; the launch events are attributed

	rows1, _ := e.feed(a.ID, "s01", asg.ID)
	if !has(rows1, "Launched") {
		t.Errorf("s01's feed has no launch: %q", rows1)
	}
	// Another class's instances (same account, same queue) are nobody's here.
	bIDs := instanceIDs(t, e, envB)
	for _, slug := range []string{"s01", "s02"} {
		rows, _ := e.feed(a.ID, slug, asg.ID)
		for _, id := range bIDs {
			if has(rows, id) {
				t.Errorf("class %s's instance %s is in %s/%s's feed: %q", b.ID, id, a.ID, slug, rows)
			}
		}
	}
	if _, empty := e.feed(b.ID, "s01", asg.ID); !strings.Contains(empty, "events: off (no queue labdash-"+b.ID+"-events") {
		t.Errorf("class b's feed without event mode: %q", empty)
	}

	interrupt := action(asg.Lab(), "interrupt-spot")
	if err := interrupt.Do(e.ctx, env1); err != nil {
		t.Fatal(err)
	}
	e.cycle(1)
	rows1, _ = e.feed(a.ID, "s01", asg.ID)
	if !has(rows1, "Spot interruption warning", "instance-action terminate", "us-east-1") {
		t.Fatalf("s01's feed has no interruption warning (with its AZ): %q", rows1)
	}
	rows2, _ := e.feed(a.ID, "s02", asg.ID)
	if has(rows2, "Spot interruption warning") {
		t.Errorf("s02's feed has s01's interruption: %q", rows2)
	}
	rowsB, _ := e.feed(b.ID, "s01", asg.ID)
	if has(rowsB, "Spot interruption warning") {
		t.Errorf("class b's s01 has class a's interruption: %q", rowsB)
	}
	// The queue is drained: what was read is deleted.
	if n := e.w.QueueDepth("", "us-east-1", labs.EventsQueueName(a.ID)); n != 0 {
		t.Errorf("queue holds %d messages after the cycle; the monitor deletes what it read", n)
	}
	// Two minutes on, the instance is reclaimed and replaced: termination and the
	// replacement's launch reach s01 too.
	e.clock.Advance(2*time.Minute + 30*time.Second)
	e.cycle(5)
	rows1, _ = e.feed(a.ID, "s01", asg.ID)
	t.Logf("s01 feed:\n%s", strings.Join(rows1, "\n"))
	if !has(rows1, "Terminated") || !has(rows1, "State change", "shutting-down") {
		t.Errorf("s01's feed after the reclaim: %q", rows1)
	}
	if len(rows1) > labs.EventRing {
		t.Errorf("feed has %d lines; the ring keeps %d", len(rows1), labs.EventRing)
	}
}

func instanceIDs(t *testing.T, e *eventWorld, env *labs.Env) []string {
	t.Helper()
	entries, err := e.store.Ledger(e.ctx, env.T.ClassID, env.T.StudentID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, en := range entries {
		if i := strings.Index(en.ARN, ":instance/"); i >= 0 {
			ids = append(ids, en.ARN[i+len(":instance/"):])
		}
	}
	return ids
}

// TestEventModeLab9CACreation: a Lab 9 student's CA creation (and its
// certificates) reach that student's Events widget, once the observation has
// found the CA (the event comes first and waits), and no other student's.
func TestEventModeLab9CACreation(t *testing.T) {
	e := newEventWorld(t)
	a := e.class("ev-p", 2, pca.ID)
	if err := sandbox.EnsureEvents(e.ctx, e.c, e.reg, a); err != nil {
		t.Fatal(err)
	}
	e.student(pca.Lab(), a.ID, "s01")
	e.cycle(4)
	rows1, _ := e.feed(a.ID, "s01", pca.ID)
	if !has(rows1, "CA created", "success") {
		t.Fatalf("s01's feed has no CA creation: %q", rows1)
	}
	if !has(rows1, "Certificate issued by a CA") || !has(rows1, "ACM certificate available") {
		t.Errorf("s01's feed lacks the issuance or ACM's certificate: %q", rows1)
	}
	rows2, empty2 := e.feed(a.ID, "s02", pca.ID)
	if len(rows2) > 0 {
		t.Errorf("s02 (who made nothing) has lines: %q", rows2)
	}
	if !strings.Contains(empty2, "events: on") || !strings.Contains(empty2, "polling continues") {
		t.Errorf("s02's empty state: %q; want it to say event mode is on and polling continues", empty2)
	}
}

// TestEventModeOff: without the queue (never provisioned), with reads throttled
// or refused, the widget says why event mode is off, polling goes on (the other
// widgets still publish) and the cycle does not fail.
func TestEventModeOff(t *testing.T) {
	e := newEventWorld(t)
	a := e.class("ev-off", 1, asg.ID)
	e.student(asg.Lab(), a.ID, "s01")
	e.cycle(1)
	if _, empty := e.feed(a.ID, "s01", asg.ID); !strings.Contains(empty, "events: off (no queue labdash-"+a.ID+"-events") {
		t.Errorf("no queue: %q", empty)
	}
	_, views := e.m.StudentSnapshot(a.ID, "s01")
	if views[asg.ID]["instances"].Table == nil {
		t.Errorf("polling stopped without event mode: %+v", views[asg.ID]["instances"])
	}
	if err := sandbox.EnsureEvents(e.ctx, e.c, e.reg, a); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(eventsOffFor)
	e.cycle(1)
	if _, empty := e.feed(a.ID, "s01", asg.ID); !strings.Contains(empty, "events: on") && empty != "" {
		t.Errorf("after provisioning: %q", empty)
	}
	for _, c := range []struct{ code, want string }{
		{"ThrottlingException", "throttled"},
		{"AccessDenied", "may not read"},
	} {
		e.prov.set(nil, func(_ context.Context, call cloud.Call) error {
			if call.Op == "ReceiveMessage" {
				return apiErr(c.code)
			}
			return nil
		})
		e.clock.Advance(eventsOffFor)
		e.cycle(1) // fails the test if the cycle fails
		rows, empty := e.feed(a.ID, "s01", asg.ID)
		if !strings.Contains(empty+strings.Join(rows, "\n"), c.want) {
			t.Errorf("%s: widget %q %q; want %q", c.code, empty, rows, c.want)
		}
	}
}

// TestEventAttributionIsByARNOnly: the ledger names s07's group and instance;
// events about a near-miss group (s070's), another class's group, an instance
// id the class never saw and a group named like s07's in another account are
// attributed to nobody, and are dropped once they have waited pendingFor.
func TestEventAttributionIsByARNOnly(t *testing.T) {
	e := newEventWorld(t)
	a := e.class("ev-arn", 7, asg.ID) // s01 … s07
	acct := "111122223333"
	group := func(name string) string {
		return "arn:aws:autoscaling:us-east-1:" + acct + ":autoScalingGroup:0b1c2d3e-aaaa-4bbb-accc-000000000001:autoScalingGroupName/" + name
	}
	own := group(a.ID + "s07-asg")
	inst := "arn:aws:ec2:us-east-1:" + acct + ":instance/i-0aaaaaaaaaaaaaaa7"
	for _, arn := range []string{own, inst} {
		if _, err := e.store.Record(e.ctx, db.LedgerEntry{ClassID: a.ID, Student: "s07", ARN: arn, Type: "x", Region: "us-east-1", Account: acct, FoundBy: "tag"}); err != nil {
			t.Fatal(err)
		}
	}
	launch := func(id, groupARN, instance, account string) labs.Event {
		return labs.Event{ID: id, Source: "aws.autoscaling", DetailType: "EC2 Instance Launch Successful", Account: account, Region: "us-east-1",
			Time: e.clock.Now(), Resources: []string{groupARN, "arn:aws:ec2:us-east-1:" + account + ":instance/" + instance},
			Detail: map[string]any{"AutoScalingGroupName": groupARN[strings.LastIndex(groupARN, "/")+1:], "EC2InstanceId": instance}}
	}
	evs := []labs.Event{
		launch("near-miss", group(a.ID+"s070-asg"), "i-0bbbbbbbbbbbbbbb1", acct),
		launch("other-class", group("zz9qqs07-asg"), "i-0ccccccccccccccc2", acct),
		launch("unseen-instance", group(a.ID+"s07-asg-x"), "i-0ddddddddddddddd3", acct),
		launch("other-account", "arn:aws:autoscaling:us-east-1:444455556666:autoScalingGroup:0b1c2d3e-aaaa-4bbb-accc-000000000001:autoScalingGroupName/"+a.ID+"s07-asg",
			"i-0aaaaaaaaaaaaaaa7", "444455556666"),
		launch("mine", own, "i-0eeeeeeeeeeeeeee4", acct),
		{ID: "spot", Source: "aws.ec2", DetailType: "EC2 Spot Instance Interruption Warning", Account: acct, Region: "us-east-1", Time: e.clock.Now(),
			Resources: []string{"arn:aws:ec2:us-east-1a:instance/i-0aaaaaaaaaaaaaaa7"}, Detail: map[string]any{"instance-id": "i-0aaaaaaaaaaaaaaa7", "instance-action": "terminate"}},
	}
	students, err := e.store.Students(e.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	owners := func() map[string]string {
		entries, _ := e.store.Ledger(e.ctx, a.ID, "")
		m := map[string]string{}
		for _, en := range entries {
			m[en.ARN] = en.Student
		}
		return m
	}
	k := queueKey{a.ID, "", "us-east-1"}
	q := &eventQueue{}
	ls := []labs.Lab{asg.Lab()}
	e.m.deliver(k, q, ls, students, owners, e.clock.Now(), evs)
	h := e.m.hist[key{a.ID, "s07", asg.ID}]
	if h == nil || len(h.Events) != 2 {
		t.Fatalf("s07's lines: %+v; want the launch into its own group and the warning for its instance", h)
	}
	for _, l := range h.Events {
		if l.ID != "mine" && l.ID != "spot" {
			t.Errorf("s07 got %q (%+v)", l.ID, l)
		}
	}
	for k, h := range e.m.hist {
		if k.student != "s07" && len(h.Events) > 0 {
			t.Errorf("%s has lines: %+v", k.student, h.Events)
		}
	}
	if len(q.pending) != 4 {
		t.Errorf("pending: %d; want the 4 unattributed events waiting", len(q.pending))
	}
	// Delivered again (at least once), the same event is one line.
	e.m.deliver(k, q, ls, students, owners, e.clock.Now(), evs[4:5])
	if n := len(e.m.hist[key{a.ID, "s07", asg.ID}].Events); n != 2 {
		t.Errorf("a redelivered event made %d lines", n)
	}
	e.m.deliver(k, q, ls, students, owners, e.clock.Now().Add(pendingFor), nil)
	if len(q.pending) != 0 {
		t.Errorf("pending after %v: %d; want none", pendingFor, len(q.pending))
	}
}

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: code + " (test)", Fault: smithy.FaultClient}
}
