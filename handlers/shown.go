package handlers

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/web"
)

// Post/redirect/get for pages that show a secret once (fresh personal links, a
// new API token). The POST that made the secret keeps the page in memory, bound
// to the signed-in user, and answers 303 See Other to GET /shown/ID, which
// renders it the first time. A reload of that page (or a second tab) does not
// post again and does not show the secret again: it says what happened and
// when, and how to get a new secret. Nothing here is stored in the database, so
// a restart forgets the pages (their secrets' hashes are what the store keeps).

const (
	shownTTL = 15 * time.Minute // a page not opened within this is gone
	shownMax = 1000             // pages kept at most; the oldest go first
)

type shownStore struct {
	mu      sync.Mutex
	entries map[string]*shownEntry
	order   []string // ids, oldest first
}

type shownEntry struct {
	user  int64
	page  templ.Component
	what  string // what the POST did, for the reload: "9 personal links for Cloud 101"
	again string // how to get a new secret
	back  string // where "Back" goes
	at    time.Time
	taken bool
}

func newShownStore() *shownStore {
	return &shownStore{entries: map[string]*shownEntry{}}
}

func (st *shownStore) put(e *shownEntry) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.expireLocked(e.at)
	id := db.NewToken(16)
	st.entries[id] = e
	st.order = append(st.order, id)
	for len(st.order) > shownMax {
		delete(st.entries, st.order[0])
		st.order = st.order[1:]
	}
	return id
}

// take returns the entry for id if it belongs to user, and whether this is its
// first showing.
func (st *shownStore) take(id string, user int64, now time.Time) (e *shownEntry, first bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.expireLocked(now)
	e = st.entries[id]
	if e == nil || e.user != user {
		return nil, false
	}
	first = !e.taken
	e.taken = true
	return e, first
}

func (st *shownStore) expireLocked(now time.Time) {
	n := 0
	for n < len(st.order) {
		e := st.entries[st.order[n]]
		if e != nil && now.Sub(e.at) < shownTTL {
			break
		}
		delete(st.entries, st.order[n])
		n++
	}
	st.order = st.order[n:]
}

// showOnce answers a POST that made a secret: the page is rendered by GET
// /shown/ID, once.
func (s *Server) showOnce(c *gin.Context, page templ.Component, what, again, back string) {
	id := s.shown.put(&shownEntry{user: currentUser(c).ID, page: page, what: what, again: again, back: back, at: time.Now()})
	c.Redirect(http.StatusSeeOther, "/shown/"+id)
}

// showShown renders a shown-once page the first time, and what happened after.
func (s *Server) showShown(c *gin.Context) {
	c.Header("Cache-Control", "no-store") // the secret must not come back from the browser's cache either
	e, first := s.shown.take(c.Param("id"), currentUser(c).ID, time.Now())
	if e == nil {
		render(c, s.log, http.StatusNotFound, web.ErrorView(web.ErrorPage{Page: s.page(c, "Already shown", ""), Status: http.StatusNotFound,
			Heading: "Nothing to show here",
			Message: fmt.Sprintf("This page showed its links or token once and is gone (pages are kept for %d minutes, until a restart, and only for the person who made them). Nothing was changed by opening it again.", int(shownTTL/time.Minute))}))
		return
	}
	if first {
		render(c, s.log, http.StatusOK, e.page)
		return
	}
	render(c, s.log, http.StatusOK, web.AlreadyShown(web.AlreadyShownPage{Page: s.page(c, "Already shown", ""), What: e.what,
		At: e.at.UTC().Format("15:04:05 UTC"), Again: e.again, Back: e.back}))
}
