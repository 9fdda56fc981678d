package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/web"
)

func (s *Server) showHome(c *gin.Context) {
	if currentUser(c) != nil {
		s.redirect(c, "/classes")
		return
	}
	s.redirect(c, "/login")
}

func (s *Server) showLogin(c *gin.Context) {
	if currentUser(c) != nil {
		s.redirect(c, safeNext(c.Query("next")))
		return
	}
	render(c, s.log, http.StatusOK, web.Login(web.LoginPage{Page: s.page(c, "Sign in", ""), Next: safeNext(c.Query("next"))}))
}

// login checks the rate limits, then the password, and starts a new session.
func (s *Server) login(c *gin.Context) {
	email := strings.TrimSpace(c.PostForm("email"))
	pw := c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	view := web.LoginPage{Page: s.page(c, "Sign in", ""), Email: email, Next: next}
	if len(email) > 254 || len(pw) > 1024 {
		view.Error = "E-mail or password is too long."
		render(c, s.log, http.StatusUnprocessableEntity, web.Login(view))
		return
	}
	if ok, retry := s.limiter.allow(c.ClientIP(), email); !ok {
		secs := int(math.Ceil(retry.Seconds()))
		c.Header("Retry-After", fmt.Sprint(secs))
		view.Error = fmt.Sprintf("Too many sign-in attempts. Wait %d seconds and try again.", secs)
		s.log.Warn("login rate limited", slog.String("ip", c.ClientIP()), slog.String("email", email))
		render(c, s.log, http.StatusTooManyRequests, web.Login(view))
		return
	}
	u, err := s.store.UserByEmail(c.Request.Context(), email)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		s.renderError(c, err)
		return
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	if !db.CheckPassword(hash, pw) {
		s.log.Info("login failed", slog.String("ip", c.ClientIP()), slog.String("email", email))
		view.Error = "E-mail or password is wrong."
		render(c, s.log, http.StatusUnauthorized, web.Login(view))
		return
	}
	if err := s.startSession(c, u); err != nil {
		s.renderError(c, err)
		return
	}
	s.log.Info("login", slog.String("email", u.Email), slog.String("ip", c.ClientIP()))
	s.redirect(c, next)
}

func (s *Server) startSession(c *gin.Context, u *db.User) error {
	token := db.NewToken(32)
	if err := s.store.CreateSession(c.Request.Context(), token, u.ID, s.cfg.SessionTTL); err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, token, int(s.cfg.SessionTTL.Seconds()))
	return nil
}

func (s *Server) logout(c *gin.Context) {
	if tok, err := c.Cookie(sessionCookie); err == nil {
		if err := s.store.DeleteSession(c.Request.Context(), tok); err != nil {
			s.renderError(c, err)
			return
		}
		s.endSockets(endSignedOut, credentialSockets(grantSession, db.HashToken(tok)))
	}
	s.setCookie(c, sessionCookie, "", -1)
	s.redirect(c, "/login")
}

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/classes"
	}
	return next
}
