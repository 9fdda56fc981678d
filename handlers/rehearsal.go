package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/web"
)

// Rehearsal runs a lab's rehearsal action on a virtual student's sandbox (the
// simulator only): stop an origin instance, take sns:Publish away.
type Rehearsal interface {
	// Act runs one action. It answers ErrNoAction while the student has no
	// sandbox in the lab, and a *NotOfferedError, without running anything, when
	// the action makes no sense in its subject's current state.
	Act(ctx context.Context, classID, slug, labID, actionID string) error
	// State reads, from the sandbox, the current state of what the lab's paired
	// actions change, by subject ("Origin instance in us-east-1": "stopped"), and
	// the simulated time of the reading. It answers ErrNoAction like Act.
	State(ctx context.Context, classID, slug, labID string) (map[string]string, time.Time, error)
}

// WithRehearsal connects rehearsal actions (on the simulator).
func (s *Server) WithRehearsal(r Rehearsal) { s.rehearsal = r }

// ErrNoAction is what a Rehearsal answers for an action it cannot run.
var ErrNoAction = errors.New("no such action for this student")

// NotOfferedError is a Rehearsal's refusal of an action that would do nothing
// (or fail) in its subject's current state: stop an instance already stopped.
type NotOfferedError struct {
	Subject, State string
}

func (e *NotOfferedError) Error() string { return "rehearsal: " + e.Subject + " is " + e.State }

// noSandbox is what the rehearsal block says before the virtual student's
// sandbox exists (its prerequisite stack is still being made).
const noSandbox = "No sandbox yet — try again in a moment."

// rehearsalStudent is the class and student of a rehearsal request (class owner,
// simulator only); on false the error page has been rendered.
func (s *Server) rehearsalStudent(c *gin.Context) (*db.Class, *db.Student, bool) {
	class, st, err := s.studentFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return nil, nil, false
	}
	if s.rehearsal == nil || s.cfg.Cloud != "sim" {
		s.renderError(c, errorf(http.StatusNotFound, "no rehearsal here", "rehearsal actions exist only on the simulated AWS"))
		return nil, nil, false
	}
	return class, st, true
}

// runAction is the student page's rehearsal button (class owner, simulator only).
// With htmx it answers the lab's rehearsal block with the new state and the
// result; without, it redirects back to the block (post/redirect/get) with the
// result in the query, so a reload does not run the action again.
func (s *Server) runAction(c *gin.Context) {
	class, st, ok := s.rehearsalStudent(c)
	if !ok {
		return
	}
	labID, actionID := strings.TrimSpace(c.PostForm("lab")), strings.TrimSpace(c.PostForm("action"))
	l, ok := s.labs.Lab(labID)
	a, known := labAction(l, actionID)
	if !ok || !known || !classHasLab(class, labID) {
		s.renderError(c, errorf(http.StatusUnprocessableEntity, "invalid input", fmt.Sprintf("lab %q has no action %q in this class", clip(labID, 40), clip(actionID, 60))))
		return
	}
	ctx := c.Request.Context()
	hx := c.GetHeader("HX-Request") == "true"
	page := "/classes/" + class.ID + "/students/" + st.Slug
	err := s.rehearsal.Act(ctx, class.ID, st.Slug, labID, actionID)
	var refused *NotOfferedError
	switch {
	case errors.Is(err, ErrNoAction):
		if !hx {
			s.redirect(c, rehearsalReturn(page, labID, "no-sandbox", time.Time{}))
			return
		}
		v, _ := s.rehearsalView(ctx, class, st, l, s.csrfToken(c))
		v.Result, v.ResultTone = noSandbox, "warn"
		render(c, s.log, http.StatusOK, web.Rehearsal(*v))
		return
	case errors.As(err, &refused):
		msg := fmt.Sprintf("“%s” was not run: %s is %s.", a.Title, refused.Subject, refused.State)
		if !hx {
			s.renderError(c, errorf(http.StatusConflict, "not run", msg))
			return
		}
		v, _ := s.rehearsalView(ctx, class, st, l, s.csrfToken(c))
		v.Result, v.ResultTone = msg, "warn"
		render(c, s.log, http.StatusConflict, web.Rehearsal(*v))
		return
	case err != nil:
		s.log.Warn("rehearsal action failed", slog.String("class", class.ID), slog.String("student", st.Slug),
			slog.String("lab", labID), slog.String("action", actionID), slog.Any("error", err))
		msg := fmt.Sprintf("“%s” failed in the simulated AWS; the server log has the details.", a.Title)
		if !hx {
			s.renderError(c, &httpError{Status: http.StatusBadGateway, Msg: "the action failed", Detail: msg, Err: err})
			return
		}
		v, _ := s.rehearsalView(ctx, class, st, l, s.csrfToken(c))
		v.Result, v.ResultTone = msg, "warn"
		render(c, s.log, http.StatusBadGateway, web.Rehearsal(*v))
		return
	}
	if err := s.store.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "rehearsal.action",
		Detail: st.Slug + " " + labID + " " + actionID}); err != nil {
		s.renderError(c, err)
		return
	}
	v, at := s.rehearsalView(ctx, class, st, l, s.csrfToken(c))
	if !hx {
		s.redirect(c, rehearsalReturn(page, labID, actionID, at))
		return
	}
	v.Result, v.ResultTone = actionDone(a, at), "ok"
	render(c, s.log, http.StatusOK, web.Rehearsal(*v))
}

// showRehearsal is the rehearsal block of one lab alone, read again while a
// subject is between states (class owner, simulator only).
func (s *Server) showRehearsal(c *gin.Context) {
	class, st, ok := s.rehearsalStudent(c)
	if !ok {
		return
	}
	labID := strings.TrimSpace(c.Query("lab"))
	l, ok := s.labs.Lab(labID)
	if !ok || len(l.Actions) == 0 || !classHasLab(class, labID) {
		s.renderError(c, errorf(http.StatusUnprocessableEntity, "invalid input", fmt.Sprintf("lab %q has no rehearsal actions in this class", clip(labID, 40))))
		return
	}
	v, _ := s.rehearsalView(c.Request.Context(), class, st, l, s.csrfToken(c))
	v.Result, v.ResultTone = rehearsalResult(c, l)
	render(c, s.log, http.StatusOK, web.Rehearsal(*v))
}

// rehearsalView is lab l's rehearsal block for student st: the state of each
// paired subject read from the sandbox, and each button, disabled with the
// reason when it would do nothing. It also returns the simulated time of the
// reading (zero when nothing could be read).
func (s *Server) rehearsalView(ctx context.Context, class *db.Class, st *db.Student, l labs.Lab, csrf string) (*web.RehearsalView, time.Time) {
	v := &web.RehearsalView{Lab: l.ID, URL: "/classes/" + class.ID + "/students/" + st.Slug + "/actions", CSRF: csrf}
	states, at, err := s.rehearsal.State(ctx, class.ID, st.Slug, l.ID)
	switch {
	case errors.Is(err, ErrNoAction):
		v.Note, states = noSandbox, nil
	case err != nil:
		s.log.Warn("rehearsal state unreadable", slog.String("class", class.ID), slog.String("student", st.Slug),
			slog.String("lab", l.ID), slog.Any("error", err))
		v.Note, states, at = "The sandbox's current state could not be read just now; the buttons still work.", nil, time.Time{}
	}
	seen := map[string]bool{}
	offered := map[string]bool{} // subject: some action of it is offered now
	for _, a := range l.Actions {
		b := web.LabAction{ID: a.ID, Title: a.Title}
		if now, ok := states[a.Subject]; ok && a.State != nil {
			if !seen[a.Subject] {
				seen[a.Subject] = true
				v.States = append(v.States, web.RehearsalState{Subject: a.Subject, State: now})
			}
			if a.Offered(now) {
				offered[a.Subject] = true
			} else {
				b.Disabled = a.Subject + " is " + now + "."
			}
		}
		v.Actions = append(v.Actions, b)
	}
	if len(v.States) > 0 && !at.IsZero() {
		v.ReadAt = labs.Clock(at, true)
	}
	// A subject none of whose actions is offered is between states (stopping,
	// pending): read it again shortly, as when there is no sandbox yet.
	refresh := errors.Is(err, ErrNoAction)
	for subject := range seen {
		refresh = refresh || !offered[subject]
	}
	if refresh {
		v.RefreshURL = v.URL + "?" + url.Values{"lab": {l.ID}}.Encode()
	}
	return v, at
}

// rehearsalResult is the result line for the redirect after a plain-form press:
// the query names the lab, the action (or "no-sandbox") and the simulated time in
// Unix seconds. Only the lab's own actions become text, so a crafted link can
// make the line say nothing but what an action's result says.
func rehearsalResult(c *gin.Context, l labs.Lab) (string, string) {
	if c.Query("rehearsal") != l.ID {
		return "", ""
	}
	did := c.Query("did")
	if did == "no-sandbox" {
		return noSandbox, "warn"
	}
	a, ok := labAction(l, did)
	if !ok {
		return "", ""
	}
	var at time.Time
	if n, err := strconv.ParseInt(c.Query("at"), 10, 64); err == nil && n > 0 && n < 1<<40 {
		at = time.Unix(n, 0)
	}
	return actionDone(a, at), "ok"
}

// rehearsalReturn is the student page, scrolled to lab's rehearsal block, with
// the result of a press in the query (see rehearsalResult).
func rehearsalReturn(page, lab, did string, at time.Time) string {
	q := url.Values{"rehearsal": {lab}, "did": {did}}
	if !at.IsZero() {
		q.Set("at", strconv.FormatInt(at.Unix(), 10))
	}
	return page + "?" + q.Encode() + "#rehearsal-" + lab
}

// actionDone is the result line of an action that ran: "Stopped the origin
// instance in us-east-1 at 09:14:03 (simulated time)." The time is the
// simulator's clock, which runs apart from the wall clock, so it says so.
func actionDone(a labs.Action, at time.Time) string {
	done := a.Done
	if done == "" {
		done = "Done: " + a.Title
	}
	if at.IsZero() {
		return done + "."
	}
	return done + " at " + labs.Clock(at, true) + "."
}

// labAction finds the lab's action by id.
func labAction(l labs.Lab, id string) (labs.Action, bool) {
	for _, a := range l.Actions {
		if a.ID == id {
			return a, true
		}
	}
	return labs.Action{}, false
}

func classHasLab(class *db.Class, id string) bool {
	for _, l := range class.Labs {
		if l == id {
			return true
		}
	}
	return false
}
