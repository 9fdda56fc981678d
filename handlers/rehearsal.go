package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
)

// Rehearsal runs a lab's rehearsal action on a virtual student's sandbox (the
// simulator only): stop an origin instance, take sns:Publish away.
type Rehearsal interface {
	Act(ctx context.Context, classID, slug, labID, actionID string) error
}

// WithRehearsal connects rehearsal actions (on the simulator).
func (s *Server) WithRehearsal(r Rehearsal) { s.rehearsal = r }

// ErrNoAction is what a Rehearsal answers for an action it cannot run.
var ErrNoAction = errors.New("no such action for this student")

// runAction is the student page's rehearsal button (class owner, simulator only).
func (s *Server) runAction(c *gin.Context) {
	class, st, err := s.studentFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if s.rehearsal == nil || s.cfg.Cloud != "sim" {
		s.renderError(c, errorf(http.StatusNotFound, "no rehearsal here", "rehearsal actions exist only on the simulated AWS"))
		return
	}
	labID, actionID := strings.TrimSpace(c.PostForm("lab")), strings.TrimSpace(c.PostForm("action"))
	l, ok := s.labs.Lab(labID)
	known := false
	for _, a := range l.Actions {
		known = known || a.ID == actionID
	}
	if !ok || !known || !classHasLab(class, labID) {
		s.renderError(c, errorf(http.StatusUnprocessableEntity, "invalid input", fmt.Sprintf("lab %q has no action %q in this class", clip(labID, 40), clip(actionID, 60))))
		return
	}
	if err := s.rehearsal.Act(c.Request.Context(), class.ID, st.Slug, labID, actionID); err != nil {
		if errors.Is(err, ErrNoAction) {
			s.renderError(c, errorf(http.StatusConflict, "not yet", "this virtual student has no sandbox in that lab yet; try again in a moment"))
			return
		}
		s.renderError(c, &httpError{Status: http.StatusBadGateway, Msg: "the action failed", Detail: err.Error(), Err: err})
		return
	}
	if err := s.store.Audit(c.Request.Context(), db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "rehearsal.action",
		Detail: st.Slug + " " + labID + " " + actionID}); err != nil {
		s.renderError(c, err)
		return
	}
	s.redirect(c, "/classes/"+class.ID+"/students/"+st.Slug)
}

func classHasLab(class *db.Class, id string) bool {
	for _, l := range class.Labs {
		if l == id {
			return true
		}
	}
	return false
}
