// Package live fans out live lab state from the monitor to browsers over
// websockets.
//
// # Model
//
// Publishers (the monitor) call [Hub.Publish] with keyed [Message]s on a
// topic: "class:<id>" for instructor views and "student:<id>" for a
// student's own page. A Message's Key names the thing it replaces
// ("grid:s07", "widget:s07:fargate:service"); its Payload is either an
// htmx out-of-band fragment or compact chart JSON. The hub never looks
// inside a Payload: it sends each one as a single text frame.
//
// # Latest value per key, not a queue
//
// Each client holds a pending map Key → latest Payload plus the order in
// which keys first became dirty since its last flush. Publish overwrites the
// pending value for a key; the client's writer flushes at most once per
// FlushInterval and sends each pending key once. This is deliberate: the
// browser only needs the current state of each cell, so
//
//   - a slow client skips intermediate states instead of replaying them;
//   - its memory is bounded by the number of distinct keys, not by how long
//     it has been slow (a queue, as in gorilla's chat example, either grows
//     without bound or has to drop messages, and a dropped update for a key
//     that then stops changing would leave the browser wrong forever);
//   - a publisher never waits: merging is a few map operations under the
//     client's own mutex, which is never held during network I/O.
//
// A client whose write does not finish within WriteWait, or whose pending map
// would exceed MaxKeysPerClient, is closed; the browser reconnects and the
// snapshot (see [Hub.SetSnapshot]) brings it back to the full current state.
//
// # Access ends while a socket is open
//
// A socket is authenticated once, at the upgrade, but the credential behind
// it can end later: a student link revoked or reissued, an assistant removed
// from the class, a session ended, an API token deleted. Every client
// therefore remembers the [Grant] it was opened with, and the hub closes it
// with [CloseAccessEnded] and a reason the page can show in two ways:
//
//   - [Hub.End] closes at once the clients whose grant matches; the actions
//     that end access call it after their change is committed.
//   - Every RecheckInterval the hub hands the distinct grants of all open
//     clients, in one call, to the function set with [Hub.SetAuthorize] and
//     closes the clients of the grants it reports ended. This is the backstop
//     for whatever changes the database without telling the hub (the CLI,
//     another process, an expiring session) and for a socket that was
//     authenticated just before its credential ended but subscribed just
//     after End ran.
//
// # Goroutines and ownership
//
//   - Hub.Run is the only goroutine that owns the topic → clients map. It
//     receives register/unregister requests on channels and, after every
//     change, stores an immutable slice of the topic's clients into a read
//     view that Publish reads without locking.
//   - Every client has exactly one reader (the ServeWS goroutine: it
//     enforces the read limit and the pong deadline and discards frames, as
//     the protocol is server → client only) and exactly one writer goroutine
//     (every data, ping and close frame, each write preceded by a write
//     deadline). gorilla/websocket allows one concurrent reader and one
//     concurrent writer; Close and WriteControl are safe from anywhere.
//   - client.mu guards only the pending map and the closed flag; it is held
//     for map operations, never across a write.
//   - A re-check goroutine, started and waited for by Run, reads the same
//     read view as Publish to collect grants and calls the authorize
//     function; it never touches the topic map. End reads the view too, from
//     the caller's goroutine. Closing a client is only a flag and a channel
//     close, so neither ever blocks on a socket.
//   - Unregistering selects on the hub's done channel, so a client ending
//     after Run has returned never blocks (the chat example's hub has no
//     stop; Mattermost's fix selected on a stop channel the same way).
package live

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Message is one keyed update. Key identifies what it replaces, e.g.
// "grid:s07" or "widget:s07:fargate:service". Payload is sent as one text
// frame: either a server-rendered fragment for an htmx out-of-band swap (it
// must carry hx-swap-oob and an id) or compact JSON for charts. The hub
// shares one Payload among all subscribed clients without copying, so the
// publisher must not modify it after Publish.
type Message struct {
	Key     string
	Payload []byte
}

// Grant is the credential a socket was opened with and what it reached
// through it. The hub does not interpret it: it only compares grants, hands
// them to the authorize function (see [Hub.SetAuthorize]) and lets [Hub.End]
// match them. It is a map key, so it must stay comparable.
type Grant struct {
	// Kind says what the credential is ("session", "token", "link").
	Kind string
	// ID says which one: never the secret itself, but an identifier the
	// store can look up (a session's id hash, an API token's id, a link's
	// hash), so a socket can be matched with the credential being ended.
	ID string
	// User is the account the credential acts for; 0 for a student link.
	User int64
	// Class is the class whose topic the socket is subscribed to.
	Class string
	// Student is the student whose topic the socket is subscribed to, or ""
	// for a class topic.
	Student string
}

// CloseAccessEnded is the close code sent to a socket whose credential,
// membership or session has ended; its reason says which ("access ended:
// link revoked"). It is in the private range 4000-4999, so the browser's
// websocket extension does not reconnect after it (it reconnects only after
// 1006, 1011, 1012 and 1013), and the page can tell it from a restart.
const CloseAccessEnded = 4001

// AuthorizeFunc re-checks the grants of the open sockets and returns those
// that no longer hold, each with the close reason sent to the browser (at
// most 123 bytes, e.g. "access ended: link no longer valid"). It receives
// every distinct grant at once, each exactly once, so it can check them in a
// few batched queries rather than one per socket. If it returns an error,
// every socket stays open until the next check, which tries again.
type AuthorizeFunc func(ctx context.Context, grants []Grant) (ended map[Grant]string, err error)

// Options tunes a Hub. A zero field takes its default.
type Options struct {
	// BatchBytes, when positive, packs a flush's payloads back to back into
	// frames of up to this many bytes instead of one frame per key. Payloads
	// must then be self-delimiting (htmx out-of-band elements are). With 200
	// viewers of a 2,000-student class this turns thousands of small writes a
	// second per socket into a few.
	BatchBytes int
	// FlushInterval is the minimum time between two flushes to one client
	// (default 100ms). An isolated change goes out at once; a burst is
	// coalesced into at most one flush per interval.
	FlushInterval time.Duration
	// WriteWait is the time allowed to write one frame (default 10s). A
	// client that cannot take a frame within it is closed as too slow.
	WriteWait time.Duration
	// PongWait is how long the reader waits for any frame, pongs included,
	// before it gives the peer up (default 60s).
	PongWait time.Duration
	// PingPeriod is how often the writer pings (default PongWait*9/10). It
	// must be less than PongWait; a larger value is replaced by the default.
	PingPeriod time.Duration
	// MaxMessageSize is the read limit for frames from the browser (default
	// 4096). The protocol is server → client only, so this stays small.
	MaxMessageSize int64
	// MaxKeysPerClient bounds one client's pending map (default 10000). It
	// must exceed the largest snapshot; a client that would go beyond it is
	// closed as too slow or too big.
	MaxKeysPerClient int
	// RecheckInterval is how often the grants of open sockets are checked
	// again with the authorize function (default 1s), so a credential that
	// ends without End being called closes its sockets within about this
	// long.
	RecheckInterval time.Duration
}

// Defaults for Options.
const (
	DefaultFlushInterval    = 100 * time.Millisecond
	DefaultWriteWait        = 10 * time.Second
	DefaultPongWait         = 60 * time.Second
	DefaultMaxMessageSize   = 4096
	DefaultMaxKeysPerClient = 10000
	DefaultRecheckInterval  = time.Second
)

func (o Options) withDefaults() Options {
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.WriteWait <= 0 {
		o.WriteWait = DefaultWriteWait
	}
	if o.PongWait <= 0 {
		o.PongWait = DefaultPongWait
	}
	if o.PingPeriod <= 0 || o.PingPeriod >= o.PongWait {
		o.PingPeriod = o.PongWait * 9 / 10
	}
	if o.MaxMessageSize <= 0 {
		o.MaxMessageSize = DefaultMaxMessageSize
	}
	if o.MaxKeysPerClient <= 0 {
		o.MaxKeysPerClient = DefaultMaxKeysPerClient
	}
	if o.RecheckInterval <= 0 {
		o.RecheckInterval = DefaultRecheckInterval
	}
	return o
}

// Hub fans out keyed lab state to websocket clients grouped by topic.
//
// Only Run touches the authoritative topic → clients map. Publish reads an
// immutable per-topic slice that Run republishes after each change, and
// writes only into each client's pending map under that client's mutex, so
// it never blocks on the network or on Run. Create a Hub with NewHub, start
// Run once, then call ServeWS from HTTP handlers and Publish from anywhere.
type Hub struct {
	log      *slog.Logger
	opts     Options
	upgrader websocket.Upgrader

	register   chan *client
	unregister chan *client
	// done is closed by Run when it starts shutting down; ServeWS and
	// client teardown select on it so they never block on a stopped Run.
	done    chan struct{}
	started atomic.Bool

	// view maps topic → []*client. Only Run stores or deletes entries, and
	// every stored slice is immutable, so Publish may range over it freely.
	view      sync.Map
	snapshot  atomic.Pointer[func(topic string) []Message]
	authorize atomic.Pointer[AuthorizeFunc]
	clients   atomic.Int64
	// pumps counts registered clients whose goroutines are still running.
	// Only Run calls Add (and Wait); ServeWS calls Done.
	pumps sync.WaitGroup
}

// NewHub returns a Hub with opts' zero fields replaced by defaults. A nil log
// uses slog.Default. The hub does nothing until Run is started.
func NewHub(log *slog.Logger, opts Options) *Hub {
	if log == nil {
		log = slog.Default()
	}
	opts = opts.withDefaults()
	return &Hub{
		log:  log,
		opts: opts,
		upgrader: websocket.Upgrader{
			HandshakeTimeout: opts.WriteWait,
			ReadBufferSize:   1024,
			WriteBufferSize:  4096,
			// A shared pool keeps idle connections from each pinning a
			// write buffer.
			WriteBufferPool: &sync.Pool{},
			// CheckOrigin is left nil on purpose: gorilla's default
			// refuses cross-origin upgrades, and our sockets carry the
			// session cookie.
		},
		register:   make(chan *client),
		unregister: make(chan *client),
		done:       make(chan struct{}),
	}
}

// SetSnapshot sets the function that returns the full current state of a
// topic. It is called from the subscribing client's ServeWS goroutine (never
// from Run or Publish), after the client is subscribed and before its writer
// starts, so a new or reconnecting client first receives the whole topic and
// then live updates. It must be safe for concurrent use. A live update that
// races with the snapshot wins for its key, since it was published after the
// client subscribed.
func (h *Hub) SetSnapshot(fn func(topic string) []Message) {
	if fn == nil {
		h.snapshot.Store(nil)
		return
	}
	h.snapshot.Store(&fn)
}

// SetAuthorize sets the function that re-checks, every RecheckInterval, the
// grants of all open sockets; the sockets of grants it reports ended are
// closed with CloseAccessEnded. It is called from the hub's re-check
// goroutine only, never concurrently with itself. With no function set,
// sockets are not re-checked.
func (h *Hub) SetAuthorize(fn AuthorizeFunc) {
	if fn == nil {
		h.authorize.Store(nil)
		return
	}
	h.authorize.Store(&fn)
}

// End closes, with CloseAccessEnded and reason, every subscribed client
// whose grant matches, and reports how many it closed. It is safe from any
// goroutine and does no I/O: each client's writer sends the close frame.
// Call it after the change that ends access is committed; a client that
// subscribes after End has looked is left to the next re-check.
func (h *Hub) End(reason string, match func(Grant) bool) int {
	n := 0
	h.view.Range(func(_, v any) bool {
		for _, c := range v.([]*client) {
			if match(c.grant) {
				c.close(CloseAccessEnded, reason)
				n++
			}
		}
		return true
	})
	return n
}

// recheckLoop re-checks the open sockets' grants every RecheckInterval
// until ctx is done. Run starts it and waits for it.
func (h *Hub) recheckLoop(ctx context.Context) {
	t := time.NewTicker(h.opts.RecheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.recheck(ctx)
		}
	}
}

// recheck hands every distinct grant of the subscribed clients to the
// authorize function once and closes the clients of those it reports ended.
func (h *Hub) recheck(ctx context.Context) {
	fn := h.authorize.Load()
	if fn == nil {
		return
	}
	byGrant := make(map[Grant][]*client, h.clients.Load())
	h.view.Range(func(_, v any) bool {
		for _, c := range v.([]*client) {
			byGrant[c.grant] = append(byGrant[c.grant], c)
		}
		return true
	})
	if len(byGrant) == 0 {
		return
	}
	grants := make([]Grant, 0, len(byGrant))
	for g := range byGrant {
		grants = append(grants, g)
	}
	ctx, cancel := context.WithTimeout(ctx, max(h.opts.RecheckInterval, 5*time.Second))
	defer cancel()
	ended, err := (*fn)(ctx, grants)
	if err != nil {
		if ctx.Err() == nil {
			h.log.Warn("live: re-checking socket access failed; sockets stay open until the next check",
				"grants", len(byGrant), "error", err)
		}
		return
	}
	for g, reason := range ended {
		for _, c := range byGrant[g] {
			c.close(CloseAccessEnded, reason)
		}
	}
}

// Clients reports the number of subscribed clients.
func (h *Hub) Clients() int { return int(h.clients.Load()) }

// Subscribed reports whether topic has at least one client. It is safe for
// concurrent use and costs one map read.
func (h *Hub) Subscribed(topic string) bool {
	_, ok := h.view.Load(topic)
	return ok
}

// Publish merges msgs into the pending state of every client subscribed to
// topic and wakes their writers. It never blocks on a client: it takes each
// client's mutex only for map operations and signals with a non-blocking
// send. It is safe for concurrent use; msgs published together are merged
// into each client atomically. Publishing to a topic with no clients, or
// after Run has returned, does nothing.
func (h *Hub) Publish(topic string, msgs ...Message) {
	if len(msgs) == 0 {
		return
	}
	v, ok := h.view.Load(topic)
	if !ok {
		return
	}
	for _, c := range v.([]*client) {
		c.merge(msgs)
	}
}

// Run owns the topic → clients map until ctx is done. Call it exactly once,
// in its own goroutine, before serving websockets. On ctx.Done it stops
// routing publishes, closes every client (with a best-effort close frame)
// and returns once all client goroutines have exited, which takes at most
// about WriteWait for a client stuck in a write.
func (h *Hub) Run(ctx context.Context) {
	if !h.started.CompareAndSwap(false, true) {
		panic("live: Hub.Run called more than once")
	}
	topics := make(map[string]map[*client]struct{})
	rechecked := make(chan struct{})
	go func() {
		defer close(rechecked)
		h.recheckLoop(ctx)
	}()
	defer h.shutdown(topics, rechecked)
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-h.register:
			set := topics[c.topic]
			if set == nil {
				set = make(map[*client]struct{})
				topics[c.topic] = set
			}
			set[c] = struct{}{}
			h.storeView(c.topic, set)
			h.clients.Add(1)
			h.pumps.Add(1)
			close(c.registered)
		case c := <-h.unregister:
			set := topics[c.topic]
			if _, ok := set[c]; !ok {
				continue
			}
			delete(set, c)
			if len(set) == 0 {
				delete(topics, c.topic)
			}
			h.storeView(c.topic, set)
			h.clients.Add(-1)
		}
	}
}

// storeView publishes an immutable copy of set as topic's read view. Only
// Run calls it.
func (h *Hub) storeView(topic string, set map[*client]struct{}) {
	if len(set) == 0 {
		h.view.Delete(topic)
		return
	}
	cs := make([]*client, 0, len(set))
	for c := range set {
		cs = append(cs, c)
	}
	h.view.Store(topic, cs)
}

// shutdown runs when Run returns: publishes stop reaching clients, pending
// registrations and unregistrations are released by closing done, every
// client is closed, and Run waits for their goroutines and for the re-check
// loop (which stops on the same ctx).
func (h *Hub) shutdown(topics map[string]map[*client]struct{}, rechecked <-chan struct{}) {
	h.view.Clear()
	close(h.done)
	for _, set := range topics {
		for c := range set {
			// 1012 (service restart), not 1001: htmx's ws extension reconnects only
			// after 1006, 1011, 1012 and 1013, and a restarted labdash wants its pages back.
			c.close(websocket.CloseServiceRestart, reasonShutdown)
		}
	}
	h.pumps.Wait()
	<-rechecked
	h.clients.Store(0)
	h.log.Debug("live: hub stopped")
}

// ServeWS upgrades the request and serves one client subscribed to topic
// until the connection ends; it returns after both of the client's
// goroutines have exited. The caller must already have authenticated the
// request and chosen a topic the caller is allowed to see (a student link
// only ever gets its own "student:<id>"); grant is the credential it
// authenticated, which End and the re-checks match to close the socket
// when that access ends. The upgrade uses gorilla's default
// same-origin check; if it fails, the upgrader has already written the HTTP
// error (403 for a foreign Origin) and ServeWS returns. Run must be running
// for the client to be subscribed.
func (h *Hub) ServeWS(w http.ResponseWriter, r *http.Request, topic string, grant Grant) {
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.log.Info("live: websocket upgrade refused", "topic", topic, "err", err)
		return
	}
	c := newClient(h, conn, topic)
	c.grant = grant
	select {
	case h.register <- c:
		<-c.registered // Run closes it in the same step that subscribes c.
	case <-h.done:
		_ = conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseServiceRestart, reasonShutdown),
			time.Now().Add(closeWait(h.opts)))
		_ = conn.Close()
		return
	case <-r.Context().Done():
		_ = conn.Close()
		return
	}
	writerStarted := false
	defer func() {
		// Runs even if the snapshot function panics, so Run's shutdown
		// never waits on a client that was subscribed but never served.
		c.close(0, "handler returned")
		if writerStarted {
			<-c.writerDone
		} else {
			_ = conn.Close()
		}
		select {
		case h.unregister <- c:
		case <-h.done:
		}
		h.pumps.Done()
		code, reason := c.closeReason()
		level := slog.LevelInfo
		if reason == reasonPeerClosed || reason == reasonShutdown {
			level = slog.LevelDebug
		}
		h.log.Log(context.Background(), level, "live: client closed",
			"topic", topic, "close_code", code, "reason", reason)
	}()

	// c is subscribed, so any update from now on reaches it; the snapshot
	// taken now is merged ahead of those updates.
	if fn := h.snapshot.Load(); fn != nil {
		c.mergeSnapshot((*fn)(topic))
	}
	go c.writePump()
	writerStarted = true
	c.readPump()
}

func closeWait(o Options) time.Duration { return min(o.WriteWait, time.Second) }
