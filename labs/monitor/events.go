package monitor

// Event mode (labs.Events): each cycle, per class and (account, lab region) with
// a lab that declares events, the monitor drains the class's queue
// labdash-<class>-events — ReceiveMessage, 10 at a time, up to eventPages pages (DrainQueue)
// — deletes what it read (DeleteMessageBatch), and names each event's student
// only by the ARNs its lab's Describe returns, matched exactly against the ARNs
// the class's observations discovered (the ledger). A name prefix alone names
// nobody: an instance id the class never saw, another class's group or a
// near-miss name stays unattributed. An event whose resource is not in the
// ledger yet (a CA created a moment ago, before the next observation found it)
// waits, in memory, up to pendingFor, and is tried again each cycle.
//
// A student's lines go into the lab's History (labs.History.AddEvent, a ring
// of labs.EventRing), which the lab's "Events" widget renders on this cycle's
// judge. A queue that is missing or unreadable (not provisioned, AccessDenied,
// throttled) leaves polling exactly as it is: the widget says "events: off
// (reason)" and the cycle goes on.

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

const (
	// ReceiveMessage calls per queue per cycle at most (200 events): a class of
	// 2,000 Lab 8 students launching at once makes ~24,000 events (pending,
	// running, launched per instance), drained in two minutes of 2 s cycles.
	eventPages   = 20
	pendingFor   = 5 * time.Minute // how long an event waits for its resource to be discovered
	pendingMax   = 500             // unattributed events kept per queue
	eventsOffFor = 30 * time.Second
)

// eventState is the monitor's event-mode memory, per queue. Its zero value is
// ready; the monitor's mu guards it.
type eventState struct {
	queues map[queueKey]*eventQueue
}

// queueKey is one class's queue in one account and region.
type queueKey struct{ class, account, region string }

type eventQueue struct {
	mode    string // the widgets' status line
	retryAt time.Time
	pending []pendingEvent
}

type pendingEvent struct {
	lab  string
	line labs.EventLine
	ids  []string
	seen time.Time
}

// pollEvents drains the class's queues. It never fails the cycle: what it could
// not read it says in the widgets' status line.
func (m *Monitor) pollEvents(ctx context.Context, c *db.Class, students []db.Student) {
	byRegion := labs.EventRegions(m.registry, c.Labs, c.Regions)
	if len(byRegion) == 0 {
		return
	}
	accounts := map[string][]db.Student{}
	for _, st := range students {
		accounts[st.AccountID] = append(accounts[st.AccountID], st)
	}
	var owners map[string]string // ARN → student, read from the ledger once, when an event needs it
	ownerOf := func() map[string]string {
		if owners != nil {
			return owners
		}
		owners = map[string]string{}
		entries, err := m.store.Ledger(ctx, c.ID, "")
		if err != nil {
			m.log.Warn("monitor: events: ledger", slog.String("class", c.ID), slog.Any("error", err))
			return owners
		}
		for _, e := range entries {
			if e.Student != "" {
				owners[e.ARN] = e.Student
			}
		}
		return owners
	}
	for _, region := range slices.Sorted(maps.Keys(byRegion)) {
		for _, acct := range slices.Sorted(maps.Keys(accounts)) {
			m.pollQueue(ctx, c.ID, acct, region, byRegion[region], accounts[acct], ownerOf)
		}
	}
}

func (m *Monitor) pollQueue(ctx context.Context, classID, account, region string, ls []labs.Lab, students []db.Student, ownerOf func() map[string]string) {
	k := queueKey{classID, account, region}
	m.mu.Lock()
	if m.ev.queues == nil {
		m.ev.queues = map[queueKey]*eventQueue{}
	}
	q := m.ev.queues[k]
	if q == nil {
		q = &eventQueue{}
		m.ev.queues[k] = q
	}
	m.mu.Unlock()

	clients, err := m.provider.Clients(ctx, account, region)
	if err != nil {
		m.setMode(k, q, ls, students, "events: off (no clients for "+region+": "+errText(err)+")", time.Now().Add(eventsOffFor))
		return
	}
	now := clients.Clock()
	if now.Before(q.retryAt) {
		m.deliver(k, q, ls, students, ownerOf, now, nil) // still off: only the pending ones are tried
		return
	}
	name := labs.EventsQueueName(classID)
	got, err := DrainQueue(ctx, clients, classID)
	mode := ""
	if err != nil {
		mode = "events: off (" + eventsReadProblem(err, name, region) + ")"
	}
	if mode == "" {
		mode = "events: on (queue " + name + ", " + region + ")"
		m.setMode(k, q, ls, students, mode, time.Time{})
	} else {
		m.setMode(k, q, ls, students, mode, now.Add(eventsOffFor))
	}
	m.deliver(k, q, ls, students, ownerOf, now, got)
}

// DrainQueue reads the class's event queue in c's account and region, 10
// messages a call, until a call returns fewer or eventPages calls were made, and
// deletes what each call read. It returns the events read (unreadable bodies are
// deleted and skipped) and the error of a read that failed, with what was read
// before it.
func DrainQueue(ctx context.Context, c *cloud.Clients, classID string) ([]labs.Event, error) {
	name := labs.EventsQueueName(classID)
	url := "https://sqs." + c.Region + ".amazonaws.com/" + c.Account + "/" + name
	var got []labs.Event
	for page := 0; page < eventPages; page++ {
		out, err := c.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			return got, err
		}
		var del []sqstypes.DeleteMessageBatchRequestEntry
		for i, msg := range out.Messages {
			if ev, err := labs.ParseEvent(aws.ToString(msg.Body)); err == nil {
				got = append(got, ev)
			}
			// Unreadable bodies are deleted too: nothing will ever read them.
			del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String("m" + strconv.Itoa(i)), ReceiptHandle: msg.ReceiptHandle})
		}
		if len(del) > 0 {
			// Not deleted (an error): they come back after the visibility timeout,
			// and the feed shows each event once (by id).
			_, _ = c.SQS.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: del})
		}
		if len(out.Messages) < 10 {
			break
		}
	}
	return got, nil
}

// eventsReadProblem is why a queue could not be read, in words.
func eventsReadProblem(err error, name, region string) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist":
			return "no queue " + name + " in " + region + "; provision the class again to turn event mode on"
		case "AccessDenied", "AccessDeniedException":
			return "labdash may not read queue " + name + " in " + region
		case "Throttling", "ThrottlingException", "RequestThrottled", "OverLimit":
			return "reading queue " + name + " was throttled; trying again shortly"
		}
		return ae.ErrorCode() + " reading queue " + name
	}
	return errText(err)
}

// setMode records the queue's status on every student's history of its labs.
func (m *Monitor) setMode(k queueKey, q *eventQueue, ls []labs.Lab, students []db.Student, mode string, retryAt time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.forgotten[k.class] {
		return
	}
	q.mode, q.retryAt = mode, retryAt
	for _, st := range students {
		for _, l := range ls {
			m.historyLocked(key{k.class, st.Slug, l.ID}).EventMode = mode
		}
	}
}

func (m *Monitor) historyLocked(k key) *labs.History {
	h := m.hist[k]
	if h == nil {
		h = labs.NewHistory()
		m.hist[k] = h
	}
	return h
}

// deliver attributes the new events and the pending ones, and adds each
// attributed line to its student's history.
func (m *Monitor) deliver(k queueKey, q *eventQueue, ls []labs.Lab, students []db.Student, ownerOf func() map[string]string, now time.Time, got []labs.Event) {
	m.mu.Lock()
	pending := q.pending
	m.mu.Unlock()
	for _, ev := range got {
		for _, l := range ls {
			if !l.Events.Wants(ev.Source, ev.DetailType) || l.Events.Describe == nil {
				continue
			}
			line, ids := l.Events.Describe(ev)
			if line.At.IsZero() {
				line.At = now
			}
			pending = append(pending, pendingEvent{lab: l.ID, line: line, ids: ids, seen: now})
		}
	}
	if len(pending) == 0 {
		return
	}
	roster := map[string]bool{}
	for _, st := range students {
		roster[st.Slug] = true
	}
	owners := ownerOf()
	var keep []pendingEvent
	type hit struct {
		student, lab string
		line         labs.EventLine
	}
	var hits []hit
	for _, p := range pending {
		student := ""
		for _, id := range p.ids {
			if s := owners[id]; s != "" && roster[s] {
				student = s
				break
			}
		}
		switch {
		case student != "":
			hits = append(hits, hit{student, p.lab, p.line})
		case now.Sub(p.seen) < pendingFor:
			keep = append(keep, p)
		}
	}
	if len(keep) > pendingMax {
		keep = keep[len(keep)-pendingMax:]
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	q.pending = keep
	if m.forgotten[k.class] {
		return
	}
	for _, h := range hits {
		m.historyLocked(key{k.class, h.student, h.lab}).AddEvent(h.line)
		// Something happened to them: their lab is read this cycle even if it
		// was settled (finished, or not started), so the feed and the cell show it.
		delete(m.next, key{k.class, h.student, h.lab})
	}
}

// forgetEvents drops a class's event memory. m.mu must be held.
func (m *Monitor) forgetEventsLocked(classID string) {
	for k := range m.ev.queues {
		if k.class == classID {
			delete(m.ev.queues, k)
		}
	}
}
