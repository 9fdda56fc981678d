package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/web"
)

// httpError carries a status and a message safe to show; Err, if any, is only logged.
type httpError struct {
	Status int
	Msg    string // short: "not found"
	Detail string // what was wrong and what to do
	Err    error
}

func (e *httpError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg + ": " + e.Detail
}

func (e *httpError) Unwrap() error { return e.Err }

func errorf(status int, msg, detail string) *httpError {
	return &httpError{Status: status, Msg: msg, Detail: detail}
}

var (
	errNotFound  = errorf(http.StatusNotFound, "not found", "no such class, student or page, or you may not see it")
	errForbidden = errorf(http.StatusForbidden, "forbidden", "assistants see this class read-only; only its instructor can change it")
)

func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

// renderError is the one place errors become responses: JSON {error, detail} under
// /api/, an error page elsewhere. Unexpected errors are logged once with the request id
// and shown as a generic 500; a cancelled request gets 499 and no body.
func (s *Server) renderError(c *gin.Context, err error) {
	var he *httpError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
	case errors.Is(err, context.Canceled):
		c.AbortWithStatus(499)
		return
	case errors.As(err, &mbe):
		he = errorf(http.StatusRequestEntityTooLarge, "request too large", "the request body is larger than this endpoint accepts")
	case errors.Is(err, db.ErrNotFound):
		he = errNotFound
	default:
		he = &httpError{Status: http.StatusInternalServerError, Msg: "internal error", Detail: "labdash failed to handle this request; the request id is in the server log", Err: err}
	}
	if he.Status >= 500 {
		s.log.Error("request failed", slog.String("request_id", c.GetString(requestIDKey)), slog.Any("error", err))
	}
	if he.Status == http.StatusUnauthorized && isAPI(c) {
		c.Header("WWW-Authenticate", `Bearer realm="labdash"`)
	}
	if isAPI(c) {
		c.AbortWithStatusJSON(he.Status, gin.H{"error": he.Msg, "detail": he.Detail})
		return
	}
	c.Abort()
	heading := http.StatusText(he.Status)
	if heading == "" {
		heading = he.Msg
	}
	view := web.ErrorPage{Page: s.page(c, heading, ""), Status: he.Status, Heading: heading, Message: he.Detail, Back: s.backLink(c)}
	if he == errBadLink {
		// The page says how a student gets a new link; the detail would say it twice.
		view.StudentLink = true
		view.Message = "this personal link is unknown, or it was revoked or replaced by a new one"
	} else if currentUser(c) != nil {
		view.Home = "/classes"
	}
	render(c, s.log, he.Status, web.ErrorView(view))
}

// backLink returns where an error page's "Back" goes: the page the visitor came from,
// when the Referer names a page of this site, and "" otherwise. The Referer is
// attacker-controlled (any site can link here), so it must be an http(s) URL on this
// host (or the configured base URL's), and its path and query must pass the same
// check as a post-sign-in target (isLocalPath); a Back to the failing page itself is
// no way back, so it is dropped too.
func (s *Server) backLink(c *gin.Context) string {
	ref := c.Request.Referer()
	if ref == "" || len(ref) > maxNextLen {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Opaque != "" || !s.isOwnHost(c, u.Host) {
		return ""
	}
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	if !isLocalPath(p) || p == c.Request.URL.RequestURI() {
		return ""
	}
	return p
}

// isOwnHost reports whether host (from a URL) is the host this request was sent to, or
// the host of the configured base URL.
func (s *Server) isOwnHost(c *gin.Context, host string) bool {
	if host == "" {
		return false
	}
	if strings.EqualFold(host, c.Request.Host) {
		return true
	}
	if s.cfg.BaseURL != "" {
		if b, err := url.Parse(s.cfg.BaseURL); err == nil && strings.EqualFold(host, b.Host) {
			return true
		}
	}
	return false
}
