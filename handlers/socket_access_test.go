package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers/live"
)

// socket is a live socket a test opened, with the topic it is subscribed to.
type socket struct {
	name  string
	conn  *websocket.Conn
	topic string
}

// openSocket upgrades path with hdr (a session cookie or a bearer token), fails the
// test if it is refused, and waits until the hub has subscribed it.
func (h *harness) openSocket(t *testing.T, name, path string, hdr http.Header, topic string) socket {
	t.Helper()
	want := h.hub.Clients() + 1
	conn, resp, err := h.dial(path, hdr)
	if err != nil {
		t.Fatalf("%s: upgrade of %s refused: %v (%v)", name, path, err, resp)
	}
	t.Cleanup(func() { conn.Close() })
	eventually(t, 3*time.Second, func() bool { return h.hub.Clients() >= want }, "the hub to subscribe "+name)
	return socket{name: name, conn: conn, topic: topic}
}

// cookieHeader carries c's session cookie, as a browser's upgrade request does.
func (c *client) cookieHeader() http.Header {
	hdr := http.Header{}
	for _, k := range c.http.Jar.Cookies(mustURL(c.h.ts.URL)) {
		hdr.Add("Cookie", k.String())
	}
	return hdr
}

// sessionToken is c's session cookie value (the secret behind the session).
func (c *client) sessionToken() string {
	for _, k := range c.http.Jar.Cookies(mustURL(c.h.ts.URL)) {
		if k.Name == sessionCookie {
			return k.Value
		}
	}
	c.h.t.Fatal("client has no session cookie")
	return ""
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

var probes atomic.Int64

// receives publishes a fresh frame on s's topic and fails unless s reads it within
// 2 s: the socket is still open and streaming.
func (h *harness) receives(t *testing.T, s socket) {
	t.Helper()
	want := fmt.Sprintf("probe %d for %s", probes.Add(1), s.name)
	h.hub.Publish(s.topic, live.Message{Key: "probe", Payload: []byte(want)})
	s.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		_, p, err := s.conn.ReadMessage()
		if err != nil {
			t.Fatalf("%s stopped streaming: %v", s.name, err)
		}
		if string(p) == want {
			return
		}
	}
}

// ended fails unless s is closed within timeout with the access-ended code and reason.
func ended(t *testing.T, s socket, timeout time.Duration, reason string) {
	t.Helper()
	s.conn.SetReadDeadline(time.Now().Add(timeout))
	for {
		_, p, err := s.conn.ReadMessage()
		if err == nil {
			continue // frames already in flight; the close frame follows them
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("%s not closed within %v (got %v; last frame %q)", s.name, timeout, err, p)
		}
		if ce.Code != live.CloseAccessEnded || ce.Text != reason {
			t.Fatalf("%s closed with %d %q, want %d %q", s.name, ce.Code, ce.Text, live.CloseAccessEnded, reason)
		}
		return
	}
}

// refused fails unless a new upgrade of path with hdr is refused.
func (h *harness) refused(t *testing.T, what, path string, hdr http.Header) {
	t.Helper()
	if conn, resp, err := h.dial(path, hdr); err == nil {
		conn.Close()
		t.Fatalf("%s: a new upgrade was accepted", what)
	} else if resp == nil || resp.StatusCode == http.StatusSwitchingProtocols {
		t.Fatalf("%s: %v", what, resp)
	}
}

// endsAccess checks a route that ends access: its response is not an error.
func endsAccess(t *testing.T, what string, r response) {
	t.Helper()
	if r.status >= 400 {
		t.Fatalf("%s: status %d: %.300s", what, r.status, r.body)
	}
}

// The immediate closes below are told apart from the once-a-second re-check by their
// reason: only the action that ended access knows it was a revoke, a sign-out, etc.
// (the re-check only sees "no longer valid"), so each test fails if its route stopped
// telling the hub and left the socket to the backstop.

// A revoked or reissued personal link closes the socket opened with it at once,
// while another student's socket on the same class keeps streaming.
func TestRevokedOrReissuedLinkClosesItsSocket(t *testing.T) {
	for name, tc := range map[string]struct {
		route, reason string
	}{
		"revoke":  {"/link/revoke", endLinkRevoked},
		"reissue": {"/link", endLinkReissued},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			a := h.openSocket(t, "student A's link socket", "/s/"+h.a.token+"/ws", nil, studentTopic(h.class.ID, h.a.slug))
			b := h.openSocket(t, "student B's link socket", "/s/"+h.b.token+"/ws", nil, studentTopic(h.class.ID, h.b.slug))
			h.receives(t, a)
			h.receives(t, b)

			endsAccess(t, name, h.as(h.instructor).postForm("/classes/"+h.class.ID+"/students/"+h.a.slug+tc.route, nil))
			ended(t, a, 2*time.Second, tc.reason)
			h.receives(t, b)
			h.refused(t, "A's old link", "/s/"+h.a.token+"/ws", nil)
		})
	}
}

// Removing an assistant closes each of their sockets on that class at once, opened
// with a session or a token, on the grid or a student's page; the instructor's socket
// on the class and the assistant's own socket on another class keep streaming.
func TestRemovedAssistantSocketsClose(t *testing.T) {
	h := newHarness(t)
	if err := h.store.AddAssistant(context.Background(), h.otherClass.ID, h.assistant.ID); err != nil {
		t.Fatal(err)
	}
	ta := h.as(h.assistant)
	grid := h.openSocket(t, "assistant's grid", "/classes/"+h.class.ID+"/ws", ta.cookieHeader(), classTopic(h.class.ID))
	page := h.openSocket(t, "assistant's view of A", "/classes/"+h.class.ID+"/students/"+h.a.slug+"/ws", ta.cookieHeader(), studentTopic(h.class.ID, h.a.slug))
	script := h.openSocket(t, "assistant's token socket", "/api/v1/classes/"+h.class.ID+"/live", bearer(h.assistantToken), classTopic(h.class.ID))
	other := h.openSocket(t, "assistant's grid of the other class", "/classes/"+h.otherClass.ID+"/ws", ta.cookieHeader(), classTopic(h.otherClass.ID))
	owner := h.openSocket(t, "instructor's grid", "/classes/"+h.class.ID+"/ws", h.as(h.instructor).cookieHeader(), classTopic(h.class.ID))
	for _, s := range []socket{grid, page, script, other, owner} {
		h.receives(t, s)
	}

	endsAccess(t, "remove assistant", h.as(h.instructor).postForm("/classes/"+h.class.ID+"/assistants/"+strconv.FormatInt(h.assistant.ID, 10)+"/remove", nil))
	for _, s := range []socket{grid, page, script} {
		ended(t, s, 2*time.Second, endAssistantGone)
	}
	h.receives(t, owner)
	h.receives(t, other)
	h.refused(t, "assistant's new grid socket", "/classes/"+h.class.ID+"/ws", ta.cookieHeader())
}

// Signing out closes the sockets of that session at once; the same user's other
// session (another browser) and their API token socket keep streaming.
func TestLogoutClosesThatSessionsSockets(t *testing.T) {
	h := newHarness(t)
	laptop, phone := h.as(h.instructor), h.as(h.instructor)
	grid := h.openSocket(t, "laptop's grid", "/classes/"+h.class.ID+"/ws", laptop.cookieHeader(), classTopic(h.class.ID))
	page := h.openSocket(t, "laptop's view of A", "/classes/"+h.class.ID+"/students/"+h.a.slug+"/ws", laptop.cookieHeader(), studentTopic(h.class.ID, h.a.slug))
	other := h.openSocket(t, "phone's grid", "/classes/"+h.class.ID+"/ws", phone.cookieHeader(), classTopic(h.class.ID))
	script := h.openSocket(t, "instructor's token socket", "/api/v1/classes/"+h.class.ID+"/live", bearer(h.apiToken), classTopic(h.class.ID))
	for _, s := range []socket{grid, page, other, script} {
		h.receives(t, s)
	}
	hdr := laptop.cookieHeader() // the cookie as it was, before sign-out clears it

	endsAccess(t, "logout", laptop.postForm("/logout", nil))
	ended(t, grid, 2*time.Second, endSignedOut)
	ended(t, page, 2*time.Second, endSignedOut)
	h.receives(t, other)
	h.receives(t, script)
	h.refused(t, "the signed-out session's cookie", "/classes/"+h.class.ID+"/ws", hdr)
}

// Deleting an API token closes the sockets opened with it at once; the same user's
// other token and their session keep streaming.
func TestDeletedTokenClosesItsSockets(t *testing.T) {
	h := newHarness(t)
	second, _, err := h.store.CreateAPIToken(context.Background(), h.instructor.ID, "second")
	if err != nil {
		t.Fatal(err)
	}
	session := h.as(h.instructor)
	doomed := h.openSocket(t, "token 1's socket", "/api/v1/classes/"+h.class.ID+"/live", bearer(h.apiToken), classTopic(h.class.ID))
	kept := h.openSocket(t, "token 2's socket", "/api/v1/classes/"+h.class.ID+"/live", bearer(second), classTopic(h.class.ID))
	page := h.openSocket(t, "the instructor's grid", "/classes/"+h.class.ID+"/ws", session.cookieHeader(), classTopic(h.class.ID))
	for _, s := range []socket{doomed, kept, page} {
		h.receives(t, s)
	}

	endsAccess(t, "delete token", session.postForm("/account/tokens/"+strconv.FormatInt(h.apiTokenID, 10)+"/delete", nil))
	ended(t, doomed, 2*time.Second, endTokenDeleted)
	h.receives(t, kept)
	h.receives(t, page)
	h.refused(t, "the deleted token", "/api/v1/classes/"+h.class.ID+"/live", bearer(h.apiToken))
}

// Removing a student closes their link socket and staff's sockets on their page at
// once; another student's page keeps streaming.
func TestRemovedStudentSocketsClose(t *testing.T) {
	h := newHarness(t)
	own := h.openSocket(t, "A's link socket", "/s/"+h.a.token+"/ws", nil, studentTopic(h.class.ID, h.a.slug))
	staff := h.openSocket(t, "instructor's view of A", "/classes/"+h.class.ID+"/students/"+h.a.slug+"/ws", h.as(h.instructor).cookieHeader(), studentTopic(h.class.ID, h.a.slug))
	b := h.openSocket(t, "B's link socket", "/s/"+h.b.token+"/ws", nil, studentTopic(h.class.ID, h.b.slug))
	for _, s := range []socket{own, staff, b} {
		h.receives(t, s)
	}
	endsAccess(t, "remove student", h.as(h.instructor).postForm("/classes/"+h.class.ID+"/students/"+h.a.slug+"/remove", nil))
	ended(t, own, 2*time.Second, endStudentRemoved)
	ended(t, staff, 2*time.Second, endStudentRemoved)
	h.receives(t, b)
}

// The backstop: access ended straight in the database, as the CLI or another
// process would, without any route telling the hub, still closes the socket within
// ~2 s of the once-a-second re-check (its reason is the re-check's), and a socket of
// a credential that still holds keeps streaming.
func TestSocketsRecheckedAgainstTheDatabase(t *testing.T) {
	ctx := context.Background()
	type setup struct {
		gone    []socket
		reasons []string
		kept    []socket
		end     func() error
	}
	for name, mk := range map[string]func(h *harness) setup{
		"link revoked": func(h *harness) setup {
			return setup{
				gone:    []socket{h.openSocket(h.t, "A's link", "/s/"+h.a.token+"/ws", nil, studentTopic(h.class.ID, h.a.slug))},
				reasons: []string{endLinkInvalid},
				kept:    []socket{h.openSocket(h.t, "B's link", "/s/"+h.b.token+"/ws", nil, studentTopic(h.class.ID, h.b.slug))},
				end:     func() error { return h.store.RevokeLink(ctx, h.class.ID, h.a.slug) },
			}
		},
		"link reissued": func(h *harness) setup {
			return setup{
				gone:    []socket{h.openSocket(h.t, "A's link", "/s/"+h.a.token+"/ws", nil, studentTopic(h.class.ID, h.a.slug))},
				reasons: []string{endLinkInvalid},
				kept:    []socket{h.openSocket(h.t, "B's link", "/s/"+h.b.token+"/ws", nil, studentTopic(h.class.ID, h.b.slug))},
				end:     func() error { _, err := h.store.IssueLink(ctx, h.class.ID, h.a.slug); return err },
			}
		},
		"student removed": func(h *harness) setup {
			return setup{
				gone: []socket{
					h.openSocket(h.t, "A's link", "/s/"+h.a.token+"/ws", nil, studentTopic(h.class.ID, h.a.slug)),
					h.openSocket(h.t, "instructor's view of A", "/classes/"+h.class.ID+"/students/"+h.a.slug+"/ws", h.as(h.instructor).cookieHeader(), studentTopic(h.class.ID, h.a.slug)),
				},
				reasons: []string{endLinkInvalid, endNotOnRoster},
				kept:    []socket{h.openSocket(h.t, "instructor's view of B", "/classes/"+h.class.ID+"/students/"+h.b.slug+"/ws", h.as(h.instructor).cookieHeader(), studentTopic(h.class.ID, h.b.slug))},
				end:     func() error { return h.store.RemoveStudent(ctx, h.class.ID, h.a.slug) },
			}
		},
		"assistant removed": func(h *harness) setup {
			return setup{
				gone: []socket{
					h.openSocket(h.t, "assistant's grid", "/classes/"+h.class.ID+"/ws", h.as(h.assistant).cookieHeader(), classTopic(h.class.ID)),
					h.openSocket(h.t, "assistant's token socket", "/api/v1/classes/"+h.class.ID+"/live", bearer(h.assistantToken), classTopic(h.class.ID)),
				},
				reasons: []string{endNoLongerMember, endNoLongerMember},
				kept:    []socket{h.openSocket(h.t, "instructor's grid", "/classes/"+h.class.ID+"/ws", h.as(h.instructor).cookieHeader(), classTopic(h.class.ID))},
				end:     func() error { return h.store.RemoveAssistant(ctx, h.class.ID, h.assistant.ID) },
			}
		},
		"session deleted": func(h *harness) setup {
			doomed := h.as(h.instructor)
			return setup{
				gone:    []socket{h.openSocket(h.t, "session 1's grid", "/classes/"+h.class.ID+"/ws", doomed.cookieHeader(), classTopic(h.class.ID))},
				reasons: []string{endSessionEnded},
				kept:    []socket{h.openSocket(h.t, "session 2's grid", "/classes/"+h.class.ID+"/ws", h.as(h.instructor).cookieHeader(), classTopic(h.class.ID))},
				end:     func() error { return h.store.DeleteSession(ctx, doomed.sessionToken()) },
			}
		},
		"token deleted": func(h *harness) setup {
			return setup{
				gone:    []socket{h.openSocket(h.t, "token's socket", "/api/v1/classes/"+h.class.ID+"/live", bearer(h.apiToken), classTopic(h.class.ID))},
				reasons: []string{endTokenInvalid},
				kept:    []socket{h.openSocket(h.t, "session's grid", "/classes/"+h.class.ID+"/ws", h.as(h.instructor).cookieHeader(), classTopic(h.class.ID))},
				end:     func() error { return h.store.DeleteAPIToken(ctx, h.instructor.ID, h.apiTokenID) },
			}
		},
		"class deleted": func(h *harness) setup {
			return setup{
				gone: []socket{
					h.openSocket(h.t, "instructor's grid", "/classes/"+h.class.ID+"/ws", h.as(h.instructor).cookieHeader(), classTopic(h.class.ID)),
					h.openSocket(h.t, "A's link", "/s/"+h.a.token+"/ws", nil, studentTopic(h.class.ID, h.a.slug)),
				},
				reasons: []string{endNoLongerMember, endLinkInvalid},
				kept:    []socket{h.openSocket(h.t, "C's link in the other class", "/s/"+h.c.token+"/ws", nil, studentTopic(h.otherClass.ID, h.c.slug))},
				end:     func() error { return h.store.DeleteClass(ctx, h.class.ID) },
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			s := mk(h)
			for _, x := range append(s.gone, s.kept...) {
				h.receives(t, x)
			}
			if err := s.end(); err != nil {
				t.Fatal(err)
			}
			for i, x := range s.gone {
				ended(t, x, 2500*time.Millisecond, s.reasons[i])
			}
			for _, x := range s.kept {
				h.receives(t, x)
			}
		})
	}
}

// A grant the re-check cannot place (no credential was identified, or a malformed
// one) is ended, not waved through.
func TestRecheckEndsUnknownGrants(t *testing.T) {
	h := newHarness(t)
	odd := []live.Grant{
		{Class: h.class.ID},
		{Kind: grantToken, ID: "not-a-number", User: h.instructor.ID, Class: h.class.ID},
		{Kind: grantSession, ID: db.HashToken("never issued"), User: h.instructor.ID, Class: h.class.ID},
	}
	got, err := h.srv.authorizeSockets(context.Background(), odd)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range odd {
		if got[g] == "" {
			t.Errorf("grant %+v not ended", g)
		}
	}
	// A live session of one user presented as another's is ended too.
	tok := h.as(h.assistant).sessionToken()
	forged := live.Grant{Kind: grantSession, ID: db.HashToken(tok), User: h.instructor.ID, Class: h.class.ID}
	if got, _ := h.srv.authorizeSockets(context.Background(), []live.Grant{forged}); got[forged] != endWrongCredential {
		t.Errorf("a session presented as another user's: %q", got[forged])
	}
}

// BenchmarkAuthorizeSockets measures one re-check at DESIGN.md §8's scale on real
// SQLite: 2,000 students each with their page open (2,000 link grants) and 200 staff
// viewers of the grid (200 sessions of 20 assistants), all valid, so nothing is closed
// and every lookup is paid for.
func BenchmarkAuthorizeSockets(b *testing.B) {
	ctx := context.Background()
	store, err := db.Open(ctx, b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	owner := &db.User{Email: "ana@example.edu", Name: "Ana", Role: db.RoleInstructor}
	if err := store.CreateUser(ctx, owner); err != nil {
		b.Fatal(err)
	}
	class := &db.Class{Name: "Big", OwnerID: owner.ID, Regions: []string{"us-east-1"}, Isolation: db.IsolationShared}
	if err := store.CreateClass(ctx, class); err != nil {
		b.Fatal(err)
	}
	rows := make([]db.NewStudent, 2000)
	for i := range rows {
		rows[i] = db.NewStudent{Name: fmt.Sprint("S", i), Email: fmt.Sprintf("s%d@example.edu", i)}
	}
	sts, toks, err := store.AddStudents(ctx, class.ID, rows)
	if err != nil {
		b.Fatal(err)
	}
	var grants []live.Grant
	for i, st := range sts {
		grants = append(grants, linkGrant(toks[i], &st))
	}
	for i := range 200 {
		u := &db.User{Email: fmt.Sprintf("ta%d@example.edu", i%20), Role: db.RoleAssistant}
		if i < 20 {
			if err := store.CreateUser(ctx, u); err != nil {
				b.Fatal(err)
			}
			store.AddAssistant(ctx, class.ID, u.ID)
		} else if u, err = store.UserByEmail(ctx, u.Email); err != nil {
			b.Fatal(err)
		}
		tok := db.NewToken(32)
		if err := store.CreateSession(ctx, tok, u.ID, time.Hour); err != nil {
			b.Fatal(err)
		}
		grants = append(grants, live.Grant{Kind: grantSession, ID: db.HashToken(tok), User: u.ID, Class: class.ID})
	}
	s := &Server{store: store}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ended, err := s.authorizeSockets(ctx, grants)
		if err != nil || len(ended) != 0 {
			b.Fatalf("ended %d, %v", len(ended), err)
		}
	}
}
