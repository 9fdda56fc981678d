package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
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
	render(c, s.log, he.Status, web.ErrorView(web.ErrorPage{Page: s.page(c, heading, ""), Status: he.Status, Heading: heading, Message: he.Detail}))
}
