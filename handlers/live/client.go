package live

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// client is one websocket subscribed to one topic.
//
// Ownership: conn's read side belongs to readPump (the ServeWS goroutine),
// its write side to writePump; Close and WriteControl may be called by
// either (gorilla allows that). mu guards pending, order, closed, code and
// reason, and is never held across I/O. spareMap and spareOrder belong to
// writePump alone.
type client struct {
	hub   *Hub
	conn  *websocket.Conn
	topic string
	grant Grant // set before the client is subscribed, never changed

	mu      sync.Mutex
	pending map[string][]byte // latest payload per key since the last flush
	order   []string          // keys of pending, in the order they first became dirty
	closed  bool
	code    int    // close code to send; 0 means send no close frame
	reason  string // why the client ended, for logs

	spareMap   map[string][]byte
	spareOrder []string

	wake       chan struct{} // 1-buffered: "pending is non-empty"
	done       chan struct{} // closed once by close
	closeOnce  sync.Once
	registered chan struct{} // closed by Run once c is subscribed
	writerDone chan struct{} // closed when writePump returns
}

func newClient(h *Hub, conn *websocket.Conn, topic string) *client {
	return &client{
		hub:        h,
		conn:       conn,
		topic:      topic,
		pending:    make(map[string][]byte),
		spareMap:   make(map[string][]byte),
		wake:       make(chan struct{}, 1),
		done:       make(chan struct{}),
		registered: make(chan struct{}),
		writerDone: make(chan struct{}),
	}
}

// merge records msgs as the latest values for their keys and wakes the
// writer. Called by Publish from any goroutine; it never blocks on I/O.
func (c *client) merge(msgs []Message) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	for _, m := range msgs {
		if _, ok := c.pending[m.Key]; !ok {
			if len(c.pending) >= c.hub.opts.MaxKeysPerClient {
				c.mu.Unlock()
				c.close(websocket.CloseTryAgainLater, "too slow: pending keys over limit")
				return
			}
			c.order = append(c.order, m.Key)
		}
		c.pending[m.Key] = m.Payload
	}
	c.mu.Unlock()
	c.signal()
}

// mergeSnapshot puts the topic's snapshot ahead of anything already pending.
// A key that is already pending keeps its live value: it was published after
// c subscribed, so it is at least as new as the snapshot. Called once by
// ServeWS before the writer starts.
func (c *client) mergeSnapshot(snap []Message) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	pending := make(map[string][]byte, len(snap)+len(c.pending))
	order := make([]string, 0, len(snap)+len(c.order))
	for _, m := range snap {
		if _, dup := pending[m.Key]; !dup {
			order = append(order, m.Key)
		}
		pending[m.Key] = m.Payload
	}
	for _, k := range c.order {
		if _, inSnap := pending[k]; !inSnap {
			order = append(order, k)
		}
		pending[k] = c.pending[k]
	}
	if len(pending) > c.hub.opts.MaxKeysPerClient {
		c.mu.Unlock()
		c.close(websocket.CloseTryAgainLater, "snapshot over pending key limit")
		return
	}
	c.pending, c.order = pending, order
	c.mu.Unlock()
	c.signal()
}

func (c *client) signal() {
	select {
	case c.wake <- struct{}{}:
	default: // the writer already has a wake-up pending
	}
}

// close ends the client once: it drops pending state, records why, and
// closes done so the writer sends a close frame (if code != 0) and closes
// the connection, which in turn ends the reader. Safe from any goroutine;
// it does no I/O itself.
func (c *client) close(code int, reason string) {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.code, c.reason = code, reason
		c.pending, c.order = nil, nil
		c.mu.Unlock()
		close(c.done)
	})
}

func (c *client) closeReason() (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.code, c.reason
}

// pendingLen reports how many keys are waiting to be flushed (for tests).
func (c *client) pendingLen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// take swaps the pending map for the writer's spare and returns the batch.
// Only writePump calls it.
func (c *client) take() (map[string][]byte, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || len(c.order) == 0 {
		return nil, nil
	}
	vals, keys := c.pending, c.order
	c.pending, c.order = c.spareMap, c.spareOrder[:0]
	c.spareMap, c.spareOrder = nil, nil
	return vals, keys
}

// readPump is the client's only reader. It enforces the read limit and the
// pong deadline and discards whatever the browser sends: the protocol is
// server → client only, and reading is needed to process pong and close
// frames. It returns when the connection fails or is closed.
func (c *client) readPump() {
	o := c.hub.opts
	c.conn.SetReadLimit(o.MaxMessageSize)
	_ = c.conn.SetReadDeadline(time.Now().Add(o.PongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(o.PongWait))
	})
	for {
		// Drain each message rather than only calling NextReader: gorilla
		// counts the read limit while a message is read, so skipping an
		// unread fragmented message would let it bypass the limit.
		_, r, err := c.conn.NextReader()
		if err == nil {
			_, err = io.Copy(io.Discard, r)
		}
		if err != nil {
			// gorilla has already answered a peer's close frame and sent
			// 1009 for ErrReadLimit, so no close frame from us.
			c.close(0, readReason(err))
			return
		}
	}
}

// Close reasons that are routine and logged at debug level.
const (
	reasonPeerClosed = "peer closed"
	reasonShutdown   = "server shutting down"
)

func readReason(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, websocket.ErrReadLimit):
		return "read limit exceeded"
	case errors.As(err, &ne) && ne.Timeout():
		return "pong timeout"
	case websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway):
		return reasonPeerClosed
	default:
		return fmt.Sprintf("read: %v", err)
	}
}

// writePump is the client's only writer: data frames, pings and the final
// close frame. Every write is preceded by a WriteWait deadline, so a client
// that stops reading is closed instead of holding the writer forever. It
// flushes at once when woken after a quiet period, otherwise at most once
// per FlushInterval. It closes the connection when it returns.
func (c *client) writePump() {
	o := c.hub.opts
	ping := time.NewTicker(o.PingPeriod)
	flush := time.NewTimer(time.Hour)
	flush.Stop()
	defer func() {
		ping.Stop()
		flush.Stop()
		_ = c.conn.Close()
		close(c.writerDone)
	}()

	var (
		flushC    <-chan time.Time // non-nil while a delayed flush is armed
		lastFlush time.Time
	)
	for {
		select {
		case <-c.done:
			if code, reason := c.closeReason(); code != 0 {
				_ = c.conn.WriteControl(websocket.CloseMessage,
					websocket.FormatCloseMessage(code, reason), time.Now().Add(closeWait(o)))
			}
			return
		case <-c.wake:
			if flushC != nil {
				continue // the armed flush will pick this up
			}
			if wait := o.FlushInterval - time.Since(lastFlush); wait > 0 {
				flush.Reset(wait)
				flushC = flush.C
				continue
			}
		case <-flushC:
			flushC = nil
		case <-ping.C:
			_ = c.conn.SetWriteDeadline(time.Now().Add(o.WriteWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				c.close(0, fmt.Sprintf("ping: %v", err))
				return
			}
			continue
		}
		lastFlush = time.Now()
		if !c.flush() {
			return
		}
	}
}

// flush writes one batch in dirty order: one text frame per key, or, with
// Options.BatchBytes set, as few frames as fit the payloads back to back (an
// htmx client applies every out-of-band element of a frame). It reports false
// if the client has failed.
func (c *client) flush() bool {
	vals, keys := c.take()
	if keys == nil {
		return true
	}
	defer func() {
		clear(vals)
		clear(keys) // drop key strings so they can be collected
		c.spareMap, c.spareOrder = vals, keys[:0]
	}()
	batch := c.hub.opts.BatchBytes
	for i := 0; i < len(keys); {
		select {
		case <-c.done:
			return true // the main loop sends the close frame
		default:
		}
		_ = c.conn.SetWriteDeadline(time.Now().Add(c.hub.opts.WriteWait))
		w, err := c.conn.NextWriter(websocket.TextMessage)
		if err == nil {
			size := 0
			for ; i < len(keys); i++ {
				p := vals[keys[i]]
				if size > 0 && (batch <= 0 || size+len(p) > batch) {
					break
				}
				if _, err = w.Write(p); err != nil {
					break
				}
				size += len(p)
			}
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			c.close(0, fmt.Sprintf("too slow: write: %v", err))
			return false
		}
	}
	return true
}
