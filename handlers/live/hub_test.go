package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// syncBuffer collects hub logs so tests can check why a client was closed.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type env struct {
	hub    *Hub
	srv    *httptest.Server
	logs   *syncBuffer
	cancel context.CancelFunc
	ran    chan struct{} // closed when Run returns
}

// newEnv starts a hub and an httptest server whose handler serves the topic
// named by ?topic=, opened with the grant whose ID is ?grant=. smallSendBuf shrinks the server's socket send buffers so
// a client that stops reading stalls the writer quickly.
func newEnv(t testing.TB, opts Options, smallSendBuf bool) *env {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := NewHub(log, opts)
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{hub: h, logs: logs, cancel: cancel, ran: make(chan struct{})}
	go func() {
		defer close(e.ran)
		h.Run(ctx)
	}()
	e.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeWS(w, r, r.URL.Query().Get("topic"), Grant{Kind: "test", ID: r.URL.Query().Get("grant")})
	}))
	if smallSendBuf {
		e.srv.Listener = smallBufListener{e.srv.Listener}
	}
	e.srv.Start()
	t.Cleanup(e.stop)
	return e
}

func (e *env) stop() {
	e.cancel()
	<-e.ran
	e.srv.Close()
}

func (e *env) url(topic string) string {
	return "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/?topic=" + url.QueryEscape(topic)
}

type smallBufListener struct{ net.Listener }

func (l smallBufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(8 << 10)
	}
	return c, err
}

// dial connects to topic and waits until the hub has subscribed the client,
// so a Publish right after dial reaches it.
func (e *env) dial(t testing.TB, topic string) *websocket.Conn {
	t.Helper()
	return e.dialWith(t, topic, websocket.DefaultDialer)
}

func (e *env) dialWith(t testing.TB, topic string, d *websocket.Dialer) *websocket.Conn {
	t.Helper()
	want := e.hub.Clients() + 1
	conn, resp, err := d.Dial(e.url(topic), nil)
	if err != nil {
		t.Fatalf("dial %s: %v (resp %v)", topic, err, resp)
	}
	t.Cleanup(func() { _ = conn.Close() })
	waitFor(t, 2*time.Second, func() bool { return e.hub.Clients() >= want }, "client subscribed")
	return conn
}

// stalledDialer dials with a tiny receive buffer; the test then never reads.
func stalledDialer() *websocket.Dialer {
	return &websocket.Dialer{
		HandshakeTimeout: 5 * time.Second,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetReadBuffer(4 << 10)
			}
			return c, err
		},
	}
}

func waitFor(t testing.TB, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func readText(t testing.TB, conn *websocket.Conn, timeout time.Duration) string {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	_, p, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(p)
}

func msg(key, payload string) Message { return Message{Key: key, Payload: []byte(payload)} }

// 1. A client that stops reading never delays another client or a publisher,
// and is closed once a write exceeds WriteWait.
func TestStalledClientDoesNotDelayOthers(t *testing.T) {
	const writeWait = 300 * time.Millisecond
	e := newEnv(t, Options{WriteWait: writeWait, FlushInterval: 20 * time.Millisecond}, true)
	const topic = "class:c1"

	e.dialWith(t, topic, stalledDialer()) // never read from
	live := e.dial(t, topic)

	const last = "k=199"
	gotLast := make(chan time.Time, 1)
	go func() {
		for {
			_, p, err := live.ReadMessage()
			if err != nil {
				return
			}
			if string(p) == last {
				gotLast <- time.Now()
				return
			}
		}
	}()

	// 20 large payloads under distinct keys fill the stalled client's
	// socket buffers many times over; then 180 small updates to one key.
	big := bytes.Repeat([]byte("x"), 64<<10)
	var durs []time.Duration
	var lastPublish time.Time
	for i := range 200 {
		m := msg("k", fmt.Sprintf("k=%d", i))
		if i < 20 {
			m = Message{Key: fmt.Sprintf("big:%d", i), Payload: big}
		}
		start := time.Now()
		e.hub.Publish(topic, m)
		lastPublish = time.Now()
		durs = append(durs, lastPublish.Sub(start))
	}

	select {
	case at := <-gotLast:
		lag := at.Sub(lastPublish)
		if lag > 500*time.Millisecond {
			t.Errorf("live client got the latest value %v after the last publish; want <= 500ms", lag)
		}
		t.Logf("live client got the latest value %v after the last publish", lag)
	case <-time.After(3 * time.Second):
		t.Fatal("live client never received the latest value")
	}

	// A Publish that waited on the stalled client would take ~WriteWait.
	// Scheduling on a loaded 2-core runner can preempt a goroutine for a
	// few ms, so allow a couple of outliers over 5ms but none near 100ms.
	slices.Sort(durs)
	slow := 0
	for _, d := range durs {
		if d > 5*time.Millisecond {
			slow++
		}
	}
	if max := durs[len(durs)-1]; slow > 2 || max > 100*time.Millisecond {
		t.Errorf("Publish blocked: %d of %d calls over 5ms, max %v, median %v", slow, len(durs), max, durs[len(durs)/2])
	}
	t.Logf("Publish: median %v, p99 %v, max %v", durs[len(durs)/2], durs[len(durs)*99/100], durs[len(durs)-1])

	// The stalled client is closed by its write deadline; the live one stays.
	waitFor(t, 3*time.Second, func() bool { return e.hub.Clients() == 1 }, "stalled client closed")
	t.Logf("stalled client closed %v after the last publish", time.Since(lastPublish))
	if !strings.Contains(e.logs.String(), "i/o timeout") {
		t.Errorf("stalled client not closed by a write timeout; logs:\n%s", e.logs.String())
	}
	e.hub.Publish(topic, msg("k", "after"))
	if got := readText(t, live, 2*time.Second); got != "after" {
		t.Errorf("live client after stalled close: got %q", got)
	}
}

// 2. Coalescing: a burst on one key produces few frames, ending with the
// latest value.
func TestCoalescingKeepsLatestValue(t *testing.T) {
	e := newEnv(t, Options{FlushInterval: 200 * time.Millisecond}, false)
	conn := e.dial(t, "class:c1")

	for i := 1; i <= 100; i++ {
		e.hub.Publish("class:c1", msg("k", fmt.Sprint(i)))
	}
	var frames []string
	for {
		p := readText(t, conn, 2*time.Second)
		frames = append(frames, p)
		if p == "100" {
			break
		}
	}
	// Nothing may follow the latest value.
	_ = conn.SetReadDeadline(time.Now().Add(400 * time.Millisecond))
	if _, p, err := conn.ReadMessage(); err == nil {
		t.Errorf("unexpected frame after the latest value: %q", p)
	}
	if len(frames) > 5 {
		t.Errorf("got %d frames for 100 publishes, want a handful: %v", len(frames), frames)
	}
	t.Logf("frames received: %v", frames)
}

// 3. Topic isolation: a student never sees another student's or a class's
// messages.
func TestTopicIsolation(t *testing.T) {
	e := newEnv(t, Options{FlushInterval: time.Millisecond}, false)
	topics := []string{"student:A", "student:B", "class:X"}
	a := e.dial(t, "student:A")
	e.dial(t, "student:B")
	e.dial(t, "class:X")

	rng := rand.New(rand.NewPCG(1, 2))
	wantA := 0
	for i := range 100 {
		topic := topics[rng.IntN(len(topics))]
		if topic == "student:A" {
			wantA++
		}
		// Distinct keys so coalescing cannot hide a leak.
		e.hub.Publish(topic, msg(fmt.Sprintf("key:%d", i), topic+"|"+fmt.Sprint(i)))
	}
	e.hub.Publish("student:A", msg("end", "student:A|end"))

	got := 0
	for {
		p := readText(t, a, 2*time.Second)
		if !strings.HasPrefix(p, "student:A|") {
			t.Fatalf("student:A received %q", p)
		}
		if p == "student:A|end" {
			break
		}
		got++
	}
	if got != wantA {
		t.Errorf("student:A got %d of its own messages, want %d", got, wantA)
	}
}

// 4. A new or reconnecting client first receives the full snapshot.
func TestSnapshotOnConnectAndReconnect(t *testing.T) {
	e := newEnv(t, Options{}, false)
	var mu sync.Mutex
	state := map[string]string{"grid:s1": "s1=ok", "grid:s2": "s2=pending", "grid:s3": "s3=fail"}
	order := []string{"grid:s1", "grid:s2", "grid:s3"}
	var calls []string
	e.hub.SetSnapshot(func(topic string) []Message {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, topic)
		var out []Message
		for _, k := range order {
			out = append(out, msg(k, state[k]))
		}
		return out
	})
	readN := func(conn *websocket.Conn, n int) []string {
		var out []string
		for range n {
			out = append(out, readText(t, conn, 2*time.Second))
		}
		return out
	}

	conn := e.dial(t, "class:X")
	if got, want := readN(conn, 3), []string{"s1=ok", "s2=pending", "s3=fail"}; !slices.Equal(got, want) {
		t.Fatalf("first frames = %v, want snapshot %v", got, want)
	}
	// A live change: the publisher updates its state, then publishes.
	mu.Lock()
	state["grid:s2"] = "s2=ok"
	mu.Unlock()
	e.hub.Publish("class:X", msg("grid:s2", "s2=ok"))
	if got := readText(t, conn, 2*time.Second); got != "s2=ok" {
		t.Fatalf("live update = %q", got)
	}

	_ = conn.Close()
	waitFor(t, 2*time.Second, func() bool { return e.hub.Clients() == 0 }, "client gone")
	conn = e.dial(t, "class:X")
	if got, want := readN(conn, 3), []string{"s1=ok", "s2=ok", "s3=fail"}; !slices.Equal(got, want) {
		t.Fatalf("frames after reconnect = %v, want current snapshot %v", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(calls, []string{"class:X", "class:X"}) {
		t.Errorf("snapshot calls = %v", calls)
	}
}

// A publish that lands between subscription and the snapshot is kept: the
// snapshot comes first, and a live value wins over the snapshot's for its key.
func TestSnapshotMergesWithRacingPublish(t *testing.T) {
	e := newEnv(t, Options{}, false)
	e.hub.SetSnapshot(func(topic string) []Message {
		// The client is already subscribed when the snapshot is taken.
		e.hub.Publish(topic, msg("grid:s9", "s9=live"), msg("grid:s1", "s1=live"))
		return []Message{msg("grid:s1", "s1=stale"), msg("grid:s2", "s2=snap")}
	})
	conn := e.dial(t, "class:X")
	var got []string
	for range 3 {
		got = append(got, readText(t, conn, 2*time.Second))
	}
	if want := []string{"s1=live", "s2=snap", "s9=live"}; !slices.Equal(got, want) {
		t.Errorf("frames = %v, want %v", got, want)
	}
}

// 5. Cross-origin upgrades are refused by gorilla's default CheckOrigin.
func TestCrossOriginRefused(t *testing.T) {
	e := newEnv(t, Options{}, false)
	tests := []struct {
		name   string
		origin string
		ok     bool
	}{
		{"foreign origin", "http://evil.example", false},
		{"same origin", e.srv.URL, true},
		{"no origin (non-browser)", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{}
			if tt.origin != "" {
				hdr.Set("Origin", tt.origin)
			}
			conn, resp, err := websocket.DefaultDialer.Dial(e.url("class:X"), hdr)
			if !tt.ok {
				if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil || resp.StatusCode != http.StatusForbidden {
					t.Fatalf("got err %v, resp %v; want 403 bad handshake", err, resp)
				}
				return
			}
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			defer conn.Close()
			if resp.StatusCode != http.StatusSwitchingProtocols {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
}

// 6. A message over MaxMessageSize disconnects the client, whether it comes
// as one frame or fragmented; small messages are discarded harmlessly.
func TestReadLimit(t *testing.T) {
	tests := []struct {
		name    string
		dialBuf int // gorilla fragments messages larger than its write buffer
	}{
		{"single frame", 8192},
		{"fragmented", 1024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{MaxMessageSize: 4096}, false)
			conn := e.dialWith(t, "student:A", &websocket.Dialer{WriteBufferSize: tt.dialBuf})

			if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"hello":"ignored"}`)); err != nil {
				t.Fatal(err)
			}
			e.hub.Publish("student:A", msg("k", "still here"))
			if got := readText(t, conn, 2*time.Second); got != "still here" {
				t.Fatalf("got %q", got)
			}

			if err := conn.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("a"), 5000)); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			_, _, err := conn.ReadMessage()
			if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
				t.Errorf("read after oversize message: %v; want close 1009", err)
			}
			waitFor(t, 2*time.Second, func() bool { return e.hub.Clients() == 0 }, "client dropped")
			// The close is logged as the client goes, not necessarily before the
			// hub has dropped it: wait for the line rather than race it.
			waitFor(t, 2*time.Second, func() bool { return strings.Contains(e.logs.String(), "read limit exceeded") }, "the read-limit close logged")
		})
	}
}

// A panicking snapshot function neither leaks the client nor hangs Run.
func TestSnapshotPanicDoesNotWedgeHub(t *testing.T) {
	e := newEnv(t, Options{}, false)
	e.hub.SetSnapshot(func(string) []Message { panic("boom") })
	conn, _, err := websocket.DefaultDialer.Dial(e.url("class:X"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, _, err := conn.ReadMessage(); err == nil {
		t.Error("expected the connection to end")
	}
	waitFor(t, 2*time.Second, func() bool { return e.hub.Clients() == 0 }, "client unregistered")
	e.cancel()
	select {
	case <-e.ran:
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return")
	}
}

// 7. Cancelling Run closes every client and leaks no goroutines.
func TestRunCancelClosesClients(t *testing.T) {
	base := runtime.NumGoroutine()
	e := newEnv(t, Options{}, false)

	errs := make(chan error, 6)
	for i := range 6 {
		conn := e.dial(t, fmt.Sprintf("student:%d", i%3))
		go func() {
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	e.hub.Publish("student:0", msg("k", "v"))

	e.cancel()
	select {
	case <-e.ran:
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not return")
	}
	if n := e.hub.Clients(); n != 0 {
		t.Errorf("Clients() = %d after Run returned", n)
	}
	for range 6 {
		select {
		case err := <-errs:
			if !websocket.IsCloseError(err, websocket.CloseServiceRestart) {
				t.Errorf("client ended with %v; want close 1012", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("a client was not closed")
		}
	}
	// Publishing and connecting after shutdown are harmless.
	e.hub.Publish("student:0", msg("k", "late"))
	if conn, _, err := websocket.DefaultDialer.Dial(e.url("student:0"), nil); err == nil {
		_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, _, err := conn.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseServiceRestart) {
			t.Errorf("late client: %v; want close 1012", err)
		}
		conn.Close()
	}

	e.srv.Close()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > base+2 {
		if time.Now().After(deadline) {
			_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
			t.Fatalf("goroutines: %d, baseline %d", runtime.NumGoroutine(), base)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// 8. A stalled client's pending state is bounded by its distinct keys.
func TestPendingBoundedByKeys(t *testing.T) {
	e := newEnv(t, Options{WriteWait: 10 * time.Second, FlushInterval: time.Millisecond}, true)
	e.dialWith(t, "class:X", stalledDialer()) // never read from

	bigs := make([][]byte, 50)
	for i := range bigs {
		bigs[i] = bytes.Repeat([]byte{byte('a' + i%26)}, 64<<10)
	}
	maxPending := 0
	for i := range 10000 {
		e.hub.Publish("class:X", Message{Key: fmt.Sprintf("k%d", i%50), Payload: bigs[i%50]})
		for _, n := range e.hub.pendingLens("class:X") {
			maxPending = max(maxPending, n)
		}
	}
	lens := e.hub.pendingLens("class:X")
	if len(lens) != 1 {
		t.Fatalf("stalled client no longer subscribed: %v", lens)
	}
	if maxPending > 50 {
		t.Errorf("pending grew to %d entries, want <= 50", maxPending)
	}
	if lens[0] == 0 {
		t.Errorf("nothing pending: the client did not stall, so the test proves nothing")
	}
	t.Logf("max pending %d, final %d", maxPending, lens[0])
}

// A client whose pending keys would exceed MaxKeysPerClient is closed.
func TestTooManyKeysClosesClient(t *testing.T) {
	e := newEnv(t, Options{MaxKeysPerClient: 10, FlushInterval: time.Second}, false)
	conn := e.dial(t, "class:X")
	e.hub.Publish("class:X", msg("first", "1")) // flushed at once
	if got := readText(t, conn, 2*time.Second); got != "1" {
		t.Fatalf("got %q", got)
	}
	var burst []Message
	for i := range 11 {
		burst = append(burst, msg(fmt.Sprint(i), "x"))
	}
	e.hub.Publish("class:X", burst...)
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, _, err := conn.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseTryAgainLater) {
		t.Errorf("got %v; want close 1013", err)
	}
	waitFor(t, 2*time.Second, func() bool { return e.hub.Clients() == 0 }, "client dropped")
}

// The writer pings every PingPeriod and a client that answers stays open; a
// peer that never answers is dropped after PongWait.
func TestPingPong(t *testing.T) {
	e := newEnv(t, Options{PongWait: 300 * time.Millisecond, PingPeriod: 100 * time.Millisecond}, false)

	pings := make(chan struct{}, 100)
	alive := e.dial(t, "student:A")
	alive.SetPingHandler(func(data string) error {
		pings <- struct{}{}
		return alive.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	go func() {
		for {
			if _, _, err := alive.ReadMessage(); err != nil {
				return
			}
		}
	}()
	// A client that reads (so it is not "slow") but never answers pings.
	mute := e.dial(t, "student:B")
	mute.SetPingHandler(func(string) error { return nil })
	go func() {
		for {
			if _, _, err := mute.ReadMessage(); err != nil {
				return
			}
		}
	}()

	waitFor(t, 2*time.Second, func() bool { return e.hub.Clients() == 1 }, "mute client dropped")
	time.Sleep(400 * time.Millisecond) // past PongWait for the answering client
	if n := e.hub.Clients(); n != 1 {
		t.Errorf("Clients() = %d; the answering client should stay", n)
	}
	if len(pings) < 3 {
		t.Errorf("got %d pings, want several", len(pings))
	}
	if !strings.Contains(e.logs.String(), "pong timeout") {
		t.Errorf("mute client not dropped for pong timeout; logs:\n%s", e.logs.String())
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{PongWait: time.Second, PingPeriod: 2 * time.Second}.withDefaults()
	if o.PingPeriod >= o.PongWait {
		t.Errorf("PingPeriod %v not below PongWait %v", o.PingPeriod, o.PongWait)
	}
	d := Options{}.withDefaults()
	want := Options{FlushInterval: 100 * time.Millisecond, WriteWait: 10 * time.Second, PongWait: 60 * time.Second,
		PingPeriod: 54 * time.Second, MaxMessageSize: 4096, MaxKeysPerClient: 10000, RecheckInterval: time.Second}
	if d != want {
		t.Errorf("defaults = %+v, want %+v", d, want)
	}
}

// pendingLens reports each subscribed client's pending size on topic.
func (h *Hub) pendingLens(topic string) []int {
	v, ok := h.view.Load(topic)
	if !ok {
		return nil
	}
	var out []int
	for _, c := range v.([]*client) {
		out = append(out, c.pendingLen())
	}
	return out
}

// With BatchBytes, one flush of many keys goes out as few frames, payloads back to
// back in dirty order, and no frame exceeds the limit unless one payload alone does.
func TestBatchedFrames(t *testing.T) {
	e := newEnv(t, Options{FlushInterval: 300 * time.Millisecond, BatchBytes: 40}, false)
	conn := e.dial(t, "class:c1")
	waitFor(t, 2*time.Second, func() bool { return len(e.hub.pendingLens("class:c1")) == 1 }, "the topic's read view to hold the client")
	e.hub.Publish("class:c1", msg("first", "<a/>")) // goes out at once: the client was idle
	if got := readText(t, conn, 2*time.Second); got != "<a/>" {
		t.Fatalf("first frame %q", got)
	}
	for i := 0; i < 20; i++ {
		e.hub.Publish("class:c1", msg(fmt.Sprint("k", i), fmt.Sprintf("<p id=%02d>", i))) // 9 bytes each
	}
	var all strings.Builder
	frames := 0
	for all.Len() < 20*9 {
		f := readText(t, conn, 2*time.Second)
		if len(f) > 40 {
			t.Fatalf("frame of %d bytes exceeds BatchBytes 40: %q", len(f), f)
		}
		frames++
		all.WriteString(f)
	}
	var want strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&want, "<p id=%02d>", i)
	}
	if all.String() != want.String() {
		t.Fatalf("batched payloads out of order:\n got %s\nwant %s", all.String(), want.String())
	}
	if frames > 5 {
		t.Fatalf("%d frames for 20 payloads of 9 bytes at 40 bytes a frame; want 5", frames)
	}
}

// TestSubscribed: a topic is subscribed while a client holds it and not after the
// last one leaves; a near-miss topic never is (the monitor reads a student's labs
// every cycle only while their own page is open).
func TestSubscribed(t *testing.T) {
	e := newEnv(t, Options{}, false)
	if e.hub.Subscribed("student:c1/s07") {
		t.Fatal("subscribed before anyone connected")
	}
	a := e.dial(t, "student:c1/s07")
	b := e.dial(t, "student:c1/s07")
	if !e.hub.Subscribed("student:c1/s07") {
		t.Fatal("not subscribed with two clients on the topic")
	}
	for _, near := range []string{"student:c1/s0", "student:c1/s070", "student:c2/s07", "class:c1"} {
		if e.hub.Subscribed(near) {
			t.Errorf("%s reads as subscribed", near)
		}
	}
	_ = a.Close()
	waitFor(t, 2*time.Second, func() bool { return e.hub.Clients() == 1 }, "first client gone")
	if !e.hub.Subscribed("student:c1/s07") {
		t.Fatal("not subscribed with one client left")
	}
	_ = b.Close()
	waitFor(t, 2*time.Second, func() bool { return !e.hub.Subscribed("student:c1/s07") }, "topic unsubscribed after the last client left")
}
