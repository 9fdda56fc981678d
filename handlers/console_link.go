package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/sandbox"
	"github.com/labdash/labdash/web"
)

// ConsoleLinker makes AWS console sign-in links for students' sandbox roles. issuer
// is labdash's own base URL, where the console sends a student whose session ended.
type ConsoleLinker interface {
	URL(ctx context.Context, class *db.Class, slug, issuer string) (string, error)
}

// WithConsole connects console sign-in links (real AWS only).
func (s *Server) WithConsole(c ConsoleLinker) { s.console = c }

// openConsole sends a student to their sandbox's AWS console. On the simulator there
// is no console, and the page says so.
func (s *Server) openConsole(c *gin.Context) {
	st, err := s.linkStudent(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	page := web.ErrorPage{Page: s.page(c, "AWS console", ""), Status: http.StatusOK, Heading: "AWS console"}
	page.Page.User = nil
	if s.cfg.Cloud != "aws" || s.console == nil {
		page.Message = "This class runs on labdash's simulated AWS, so there is no AWS console to open. Your checklist and live view are read from the simulation."
		render(c, s.log, http.StatusOK, web.ErrorView(page))
		return
	}
	class, err := s.store.Class(c.Request.Context(), st.ClassID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	url, err := s.console.URL(c.Request.Context(), class, st.Slug, s.baseURL(c))
	if errors.Is(err, sandbox.ErrNotProvisioned) {
		page.Status, page.Message = http.StatusConflict, "Your sandbox is not provisioned yet. Ask your instructor to provision the class, then try again."
		render(c, s.log, http.StatusConflict, web.ErrorView(page))
		return
	}
	if errors.Is(err, sandbox.ErrNoAccount) {
		page.Status, page.Message = http.StatusConflict, "Your class gives each student their own AWS account, but the roster names no account for you yet. Ask your instructor to add your AWS account id to the roster, then try again."
		render(c, s.log, http.StatusConflict, web.ErrorView(page))
		return
	}
	if err != nil {
		s.renderError(c, &httpError{Status: http.StatusBadGateway, Msg: "console sign-in failed", Detail: "AWS did not give a sign-in link; try again in a minute or ask your instructor", Err: err})
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, url)
}
