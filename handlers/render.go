package handlers

import (
	"log/slog"
	"net/http"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/web"
)

// render writes comp with status, rendering with the request's context.
func render(c *gin.Context, log *slog.Logger, status int, comp templ.Component) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(status)
	if err := comp.Render(c.Request.Context(), c.Writer); err != nil {
		log.Error("render failed", slog.String("request_id", c.GetString(requestIDKey)), slog.Any("error", err))
	}
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
