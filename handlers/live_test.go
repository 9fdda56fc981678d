package handlers

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/labdash/labdash/handlers/live"
)

func (h *harness) dial(path string, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Set("Origin", h.ts.URL)
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(h.ts.URL, "http")+path, hdr)
}

// TestStudentSocketCarriesOnlyThatStudent: a personal link's socket is subscribed to its
// own student's topic and nothing else; unauthenticated upgrades are refused.
func TestStudentSocketCarriesOnlyThatStudent(t *testing.T) {
	h := newHarness(t)
	conn, _, err := h.dial("/s/"+h.a.token+"/ws", nil)
	if err != nil {
		t.Fatalf("student A's socket: %v", err)
	}
	defer conn.Close()
	// The hub registers the client in its own goroutine: publish once it has.
	eventually(t, 3*time.Second, func() bool { return h.hub.Clients() == 1 }, "the hub to register student A's socket")
	h.hub.Publish(studentTopic(h.class.ID, h.b.slug), live.Message{Key: "x", Payload: []byte("secret of " + h.b.name)})
	h.hub.Publish(classTopic(h.class.ID), live.Message{Key: "y", Payload: []byte("class grid with " + h.b.name)})
	h.hub.Publish(studentTopic(h.class.ID, h.a.slug), live.Message{Key: "z", Payload: []byte("hello " + h.a.name)})
	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, msg, err := conn.ReadMessage()
	if err != nil || string(msg) != "hello "+h.a.name {
		t.Fatalf("first frame %q, %v; want only A's own message", msg, err)
	}
	conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if _, msg, err := conn.ReadMessage(); err == nil {
		t.Fatalf("student A received another frame: %q", msg)
	}

	for name, path := range map[string]string{
		"class socket without a session":   "/classes/" + h.class.ID + "/ws",
		"student socket without a session": "/classes/" + h.class.ID + "/students/" + h.a.slug + "/ws",
		"revoked or unknown link":          "/s/" + strings.Repeat("0", 32) + "/ws",
	} {
		t.Run(name, func(t *testing.T) {
			c, resp, err := h.dial(path, nil)
			if err == nil {
				c.Close()
				t.Fatal("upgrade accepted")
			}
			if resp == nil || resp.StatusCode == http.StatusSwitchingProtocols {
				t.Fatalf("response %v", resp)
			}
		})
	}
	// Scripts authenticate the upgrade with a bearer token.
	tokConn, _, err := h.dial("/api/v1/classes/"+h.class.ID+"/live", http.Header{"Authorization": {"Bearer " + h.apiToken}})
	if err != nil {
		t.Fatalf("bearer socket: %v", err)
	}
	tokConn.Close()
	if c, resp, err := h.dial("/api/v1/classes/"+h.class.ID+"/live", http.Header{"Authorization": {"Bearer " + h.a.token}}); err == nil {
		c.Close()
		t.Fatal("a student link opened the class socket")
	} else if resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("student link as bearer: %v", resp)
	}
	// Another class's assistant cannot watch this class.
	c := h.as(h.otherAssistant)
	hdr := http.Header{"Cookie": {c.http.Jar.Cookies(mustURL(h.ts.URL))[0].String()}}
	if conn, resp, err := h.dial("/classes/"+h.class.ID+"/ws", hdr); err == nil {
		conn.Close()
		t.Fatal("other class's assistant got the class socket")
	} else if resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("other assistant: %v", resp)
	}
	// The class's own assistant can; a cross-site page cannot, even with the cookie.
	ta := h.as(h.assistant)
	hdr = http.Header{"Cookie": {ta.http.Jar.Cookies(mustURL(h.ts.URL))[0].String()}}
	conn2, _, err := h.dial("/classes/"+h.class.ID+"/ws", hdr)
	if err != nil {
		t.Fatalf("assistant socket: %v", err)
	}
	conn2.Close()
	hdr.Set("Origin", "https://evil.example")
	if conn3, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(h.ts.URL, "http")+"/classes/"+h.class.ID+"/ws", hdr); err == nil {
		conn3.Close()
		t.Fatal("cross-origin upgrade accepted")
	} else if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin: %v", resp)
	}
}
