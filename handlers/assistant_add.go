package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/roster"
	"github.com/labdash/labdash/web"
)

const inviteTTL = 7 * 24 * time.Hour

// addAssistant gives an account read-only access to the class. An e-mail without an
// account gets one, with a one-time set-up link shown to the instructor to pass on.
func (s *Server) addAssistant(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	problem := roster.EmailProblem(email)
	if problem == "" && email == strings.ToLower(currentUser(c).Email) {
		problem = "you own this class already"
	}
	if problem != "" {
		p, err := s.consolePage(ctx, c, class)
		if err != nil {
			s.renderError(c, err)
			return
		}
		p.AssistantError = problem
		render(c, s.log, http.StatusUnprocessableEntity, web.Console(p))
		return
	}
	var invite string
	var replaced bool
	err = s.store.WithTx(ctx, func(tx *db.Store) error {
		u, err := tx.UserByEmail(ctx, email)
		if errors.Is(err, db.ErrNotFound) {
			u = &db.User{Email: email, Role: db.RoleAssistant}
			err = tx.CreateUser(ctx, u)
		}
		if err != nil {
			return err
		}
		if u.PasswordHash == "" { // not set up yet: a fresh one-time link replaces any earlier one
			if replaced, err = tx.HasOpenInvite(ctx, db.RoleAssistant, email); err != nil {
				return err
			}
			if err := tx.DeleteOpenInvites(ctx, db.RoleAssistant, email); err != nil {
				return err
			}
			if invite, err = tx.CreateInvite(ctx, db.Invite{Role: db.RoleAssistant, Email: email}, inviteTTL); err != nil {
				return err
			}
		}
		if err := tx.AddAssistant(ctx, class.ID, u.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "assistant.add", Detail: email})
	})
	if err != nil {
		s.renderError(c, err)
		return
	}
	if invite == "" {
		s.redirect(c, "/classes/"+class.ID+"?notice=assistant-added")
		return
	}
	s.showOnce(c, web.AssistantInvite(web.AssistantInvitePage{Page: s.page(c, "Assistant invited", "classes"),
		Class: classView(c, class), Email: email, URL: s.baseURL(c) + "/setup/" + invite, Replaced: replaced}),
		"The set-up link of "+email+" (invited to "+class.Name+")",
		email+" is an assistant of the class. If the link is lost, remove the assistant and invite them again for a new one.",
		"/classes/"+class.ID)
}

func (s *Server) removeAssistant(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	id, err := strconv.ParseInt(c.Param("user"), 10, 64)
	if err != nil {
		s.renderError(c, errNotFound)
		return
	}
	ctx := c.Request.Context()
	err = s.store.WithTx(ctx, func(tx *db.Store) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.RemoveAssistant(ctx, class.ID, id); err != nil {
			return err
		}
		return tx.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "assistant.remove", Detail: u.Email})
	})
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.endSockets(endAssistantGone, memberSockets(id, class.ID))
	s.redirect(c, "/classes/"+class.ID+"?notice=assistant-removed")
}
