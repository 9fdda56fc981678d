package live

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// dialGrant connects to topic as a socket opened with the grant whose ID is
// id (see newEnv) and waits until the hub has subscribed it.
func (e *env) dialGrant(t testing.TB, topic, id string) *websocket.Conn {
	t.Helper()
	want := e.hub.Clients() + 1
	conn, resp, err := websocket.DefaultDialer.Dial(e.url(topic)+"&grant="+url.QueryEscape(id), nil)
	if err != nil {
		t.Fatalf("dial %s as %s: %v (resp %v)", topic, id, err, resp)
	}
	t.Cleanup(func() { _ = conn.Close() })
	waitFor(t, 2*time.Second, func() bool { return e.hub.Clients() >= want }, "client subscribed")
	return conn
}

// readClose reads (and discards data frames) until the server closes conn,
// and fails unless that happens within timeout with a close frame.
func readClose(t testing.TB, conn *websocket.Conn, timeout time.Duration) *websocket.CloseError {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("socket not closed with a close frame within %v: %v", timeout, err)
		}
		return ce
	}
}

// expectAccessEnded fails unless conn is closed within timeout with
// CloseAccessEnded and reason.
func expectAccessEnded(t testing.TB, conn *websocket.Conn, timeout time.Duration, reason string) {
	t.Helper()
	ce := readClose(t, conn, timeout)
	if ce.Code != CloseAccessEnded || ce.Text != reason {
		t.Fatalf("closed with %d %q, want %d %q", ce.Code, ce.Text, CloseAccessEnded, reason)
	}
}

// End closes every socket of the matching grant, on every topic, with the
// access-ended code and reason, and leaves a socket of another grant on the
// same topic streaming.
func TestEndClosesOnlyMatchingGrants(t *testing.T) {
	e := newEnv(t, Options{FlushInterval: time.Millisecond}, false)
	a1 := e.dialGrant(t, "class:c1", "a")
	a2 := e.dialGrant(t, "student:c1/s01", "a")
	b := e.dialGrant(t, "class:c1", "b")

	if n := e.hub.End("access ended: test", func(g Grant) bool { return g.ID == "a" }); n != 2 {
		t.Errorf("End closed %d sockets, want 2", n)
	}
	expectAccessEnded(t, a1, 2*time.Second, "access ended: test")
	expectAccessEnded(t, a2, 2*time.Second, "access ended: test")
	waitFor(t, 2*time.Second, func() bool { return e.hub.Clients() == 1 }, "the ended sockets unsubscribed")

	e.hub.Publish("class:c1", msg("k", "still here"))
	if got := readText(t, b, 2*time.Second); got != "still here" {
		t.Fatalf("the other grant's socket got %q", got)
	}
	if n := e.hub.End("access ended: test", func(g Grant) bool { return g.ID == "nobody" }); n != 0 {
		t.Errorf("End with no match closed %d sockets", n)
	}
}

// recorder is an AuthorizeFunc that records each call's grants and ends the
// grants listed in ended.
type recorder struct {
	mu    sync.Mutex
	calls [][]Grant
	ended map[Grant]string
	err   error
}

func (r *recorder) authorize(_ context.Context, gs []Grant) (map[Grant]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, append([]Grant(nil), gs...))
	if r.err != nil {
		return nil, r.err
	}
	out := map[Grant]string{}
	for _, g := range gs {
		if reason, ok := r.ended[g]; ok {
			out[g] = reason
		}
	}
	return out, nil
}

func (r *recorder) set(ended map[Grant]string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended, r.err = ended, err
}

func (r *recorder) lastCall() []Grant {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		return nil
	}
	return r.calls[len(r.calls)-1]
}

func (r *recorder) callCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

// The periodic re-check hands each distinct grant over once per check (not
// once per socket), and closes every socket of a grant it reports ended,
// whichever topic it is on, while other grants keep streaming.
func TestRecheckClosesEndedGrants(t *testing.T) {
	e := newEnv(t, Options{FlushInterval: time.Millisecond, RecheckInterval: 20 * time.Millisecond}, false)
	r := &recorder{}
	e.hub.SetAuthorize(r.authorize)
	a1 := e.dialGrant(t, "class:c1", "a")
	a2 := e.dialGrant(t, "student:c1/s01", "a")
	b := e.dialGrant(t, "class:c1", "b")

	waitFor(t, 2*time.Second, func() bool { return len(r.lastCall()) == 2 }, "a check with both grants")
	r.mu.Lock()
	for i, call := range r.calls {
		seen := map[Grant]bool{}
		for _, g := range call {
			if seen[g] {
				t.Errorf("check %d passed grant %+v twice: %+v", i, g, call)
			}
			seen[g] = true
		}
	}
	r.mu.Unlock()

	ga := Grant{Kind: "test", ID: "a"}
	r.set(map[Grant]string{ga: "access ended: rechecked"}, nil)
	expectAccessEnded(t, a1, 2*time.Second, "access ended: rechecked")
	expectAccessEnded(t, a2, 2*time.Second, "access ended: rechecked")
	waitFor(t, 2*time.Second, func() bool { return e.hub.Clients() == 1 }, "the ended sockets unsubscribed")
	waitFor(t, 2*time.Second, func() bool {
		last := r.lastCall()
		return len(last) == 1 && last[0].ID == "b"
	}, "checks to pass only the remaining grant")

	e.hub.Publish("class:c1", msg("k", "b still streams"))
	if got := readText(t, b, 2*time.Second); got != "b still streams" {
		t.Fatalf("grant b's socket got %q", got)
	}
}

// A failing check closes nothing (the next one tries again), is logged, and
// once checks succeed again an ended grant is closed.
func TestRecheckErrorKeepsSocketsUntilNextCheck(t *testing.T) {
	e := newEnv(t, Options{FlushInterval: time.Millisecond, RecheckInterval: 20 * time.Millisecond}, false)
	r := &recorder{}
	ga := Grant{Kind: "test", ID: "a"}
	r.set(map[Grant]string{ga: "access ended: rechecked"}, errors.New("database is locked"))
	e.hub.SetAuthorize(r.authorize)
	a := e.dialGrant(t, "class:c1", "a")

	start := r.callCount()
	waitFor(t, 2*time.Second, func() bool { return r.callCount() >= start+3 }, "three failed checks")
	waitFor(t, 2*time.Second, func() bool { return strings.Contains(e.logs.String(), "database is locked") }, "the failure logged")
	e.hub.Publish("class:c1", msg("k", "open"))
	if got := readText(t, a, 2*time.Second); got != "open" {
		t.Fatalf("got %q", got)
	}

	r.set(map[Grant]string{ga: "access ended: rechecked"}, nil)
	expectAccessEnded(t, a, 2*time.Second, "access ended: rechecked")
}

// BenchmarkRecheck measures the hub's own cost of one re-check of 2,000
// sockets (collecting and de-duplicating their grants, handing them over),
// with an authorize function that ends nothing.
func BenchmarkRecheck(b *testing.B) {
	for _, distinct := range []int{200, 2000} {
		b.Run(fmt.Sprintf("sockets=2000/grants=%d", distinct), func(b *testing.B) {
			h := NewHub(nil, Options{})
			byTopic := map[string][]*client{}
			for i := range 2000 {
				topic := fmt.Sprintf("student:c1/s%04d", i)
				if i%10 == 0 {
					topic = "class:c1"
				}
				c := newClient(h, nil, topic)
				c.grant = Grant{Kind: "link", ID: fmt.Sprintf("%064d", i%distinct), Class: "c1", Student: topic}
				byTopic[topic] = append(byTopic[topic], c)
			}
			for topic, cs := range byTopic {
				h.view.Store(topic, cs)
			}
			h.clients.Store(2000)
			h.SetAuthorize(func(context.Context, []Grant) (map[Grant]string, error) { return nil, nil })
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				h.recheck(ctx)
			}
		})
	}
}
