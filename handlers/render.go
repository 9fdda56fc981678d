package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"syscall"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/web"
)

// render writes comp with status, rendering with the request's context. A render that
// fails because the client went away (cancelled request, broken pipe, reset) is logged at
// Debug: nobody is left to read the page, and 500 slow clients hanging up must not write
// 500 ERROR lines. Any other failure is a bug in a component and is logged at Error.
func render(c *gin.Context, log *slog.Logger, status int, comp templ.Component) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(status)
	if err := comp.Render(c.Request.Context(), c.Writer); err != nil {
		level := slog.LevelError
		if clientGone(c.Request.Context(), err) {
			level = slog.LevelDebug
		}
		log.Log(c.Request.Context(), level, "render failed", slog.String("request_id", c.GetString(requestIDKey)), slog.Any("error", err))
	}
}

// clientGone reports whether err (from writing a response) means the client hung up
// rather than that labdash failed.
func clientGone(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}

// page fills the layout's view model for the current request.
func (s *Server) page(c *gin.Context, title, nav string) web.Page {
	p := web.Page{Title: title, CSRF: s.csrfToken(c), Cloud: s.cfg.Cloud, Nav: nav}
	if u := currentUser(c); u != nil {
		p.User = &web.UserView{Name: u.Name, Email: u.Email, Role: u.Role}
	}
	return p
}

func (s *Server) redirect(c *gin.Context, to string) {
	c.Redirect(http.StatusSeeOther, to)
}
