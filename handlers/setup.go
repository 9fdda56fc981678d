package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/roster"
	"github.com/labdash/labdash/web"
)

var errBadInvite = errorf(http.StatusNotFound, "link not valid", "this set-up link is unknown, used or expired; ask for a new one (the first-start link is printed again at every start until an instructor exists)")

func (s *Server) showSetup(c *gin.Context) {
	token := c.Param("token")
	inv, err := s.store.InviteByToken(c.Request.Context(), token)
	if errors.Is(err, db.ErrNotFound) {
		s.renderError(c, errBadInvite)
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	// An account made ahead (`labdash user add --name`) brings its name to the form.
	name := ""
	if inv.Email != "" {
		u, err := s.store.UserByEmail(c.Request.Context(), inv.Email)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			s.renderError(c, err)
			return
		}
		if err == nil && u.PasswordHash == "" {
			name = u.Name
		}
	}
	render(c, s.log, http.StatusOK, web.Setup(web.SetupPage{Page: s.page(c, "Set up your account", ""), Token: token,
		Role: inv.Role, Email: inv.Email, EmailFixed: inv.Email != "", Name: name}))
}

// completeSetup creates (or, for an invited assistant, activates) the account and signs it in.
func (s *Server) completeSetup(c *gin.Context) {
	ctx := c.Request.Context()
	token := c.Param("token")
	inv, err := s.store.InviteByToken(ctx, token)
	if errors.Is(err, db.ErrNotFound) {
		s.renderError(c, errBadInvite)
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	email := strings.ToLower(strings.TrimSpace(c.PostForm("email")))
	if inv.Email != "" {
		email = inv.Email
	}
	name := strings.TrimSpace(c.PostForm("name"))
	pw, confirm := c.PostForm("password"), c.PostForm("confirm")
	errs := map[string]string{}
	if msg := roster.EmailProblem(email); msg != "" {
		errs["email"] = msg
	}
	if msg := roster.NameProblem(name, roster.MaxNameRunes); msg != "" {
		errs["name"] = msg
	}
	if msg := db.PasswordProblem(pw); msg != "" {
		errs["password"] = msg
	} else if pw != confirm {
		errs["confirm"] = "the two passwords differ"
	}
	view := web.SetupPage{Page: s.page(c, "Set up your account", ""), Token: token, Role: inv.Role, Email: email, EmailFixed: inv.Email != "", Name: name, Errors: errs}
	if len(errs) > 0 {
		render(c, s.log, http.StatusUnprocessableEntity, web.Setup(view))
		return
	}
	hash, err := db.HashPassword(pw, s.cfg.BcryptCost)
	if err != nil {
		s.renderError(c, err)
		return
	}
	var user *db.User
	err = s.store.WithTx(ctx, func(tx *db.Store) error {
		if err := tx.UseInvite(ctx, token); err != nil {
			return errBadInvite
		}
		existing, err := tx.UserByEmail(ctx, email)
		switch {
		case err == nil && existing.PasswordHash == "":
			if err := tx.ActivateUser(ctx, existing.ID, name, hash); err != nil {
				return err
			}
			user = existing
			return nil
		case err == nil:
			return errorf(http.StatusConflict, "account exists", "an account with this e-mail already exists; sign in instead")
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
		user = &db.User{Email: email, Name: name, Role: inv.Role, PasswordHash: hash}
		return tx.CreateUser(ctx, user)
	})
	var he *httpError
	if errors.As(err, &he) && he.Status == http.StatusConflict {
		view.Errors = map[string]string{"email": he.Detail}
		render(c, s.log, http.StatusConflict, web.Setup(view))
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.log.Info("account set up", slog.String("email", user.Email), slog.String("role", user.Role))
	if s.demo != nil {
		// Before the redirect, so the first class list has the demo; if this fails the
		// sync loop makes it within a few seconds.
		if err := s.demo.SeedDemo(ctx); err != nil {
			s.log.Warn("demo class not created yet", slog.Any("error", err))
		}
	}
	if err := s.startSession(c, user); err != nil {
		s.renderError(c, err)
		return
	}
	s.redirect(c, "/classes")
}
