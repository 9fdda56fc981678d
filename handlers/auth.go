package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers/live"
)

const (
	sessionCookie = "labdash_session"
	sessionKey    = "labdash_session_id" // the signed-in session's id (its token's hash), which CSRF tokens are bound to
	userKey       = "labdash_user"
	viaKey        = "labdash_via"
	badBearerKey  = "labdash_bad_bearer"
)

// identify attaches the signed-in user, from a bearer token (API only) or a session cookie, to the request.
// A bearer header that is present but wrong is remembered so the API answers 401 rather than
// falling back to the cookie.
func (s *Server) identify(c *gin.Context) {
	ctx := c.Request.Context()
	// Bearer tokens are for the API; pages use the session cookie only.
	if h := c.GetHeader("Authorization"); h != "" && isAPI(c) {
		scheme, tok, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || tok == "" || len(tok) > 200 {
			c.Set(badBearerKey, true)
			c.Next()
			return
		}
		u, id, err := s.store.APITokenHolder(ctx, strings.TrimSpace(tok))
		switch {
		case err == nil:
			c.Set(userKey, u)
			c.Set(viaKey, "token")
			c.Set(grantKey, live.Grant{Kind: grantToken, ID: strconv.FormatInt(id, 10), User: u.ID})
		case errors.Is(err, db.ErrNotFound):
			c.Set(badBearerKey, true)
		default:
			s.renderError(c, err)
			return
		}
		c.Next()
		return
	}
	if tok := s.readCookie(c, sessionCookie); tok != "" && len(tok) <= 200 {
		u, err := s.store.SessionUser(ctx, tok)
		switch {
		case err == nil:
			c.Set(userKey, u)
			c.Set(viaKey, "session")
			c.Set(sessionKey, db.HashToken(tok))
			c.Set(grantKey, live.Grant{Kind: grantSession, ID: db.HashToken(tok), User: u.ID})
		case !errors.Is(err, db.ErrNotFound):
			s.renderError(c, err)
			return
		}
	}
	c.Next()
}

func currentUser(c *gin.Context) *db.User {
	if v, ok := c.Get(userKey); ok {
		return v.(*db.User)
	}
	return nil
}

func actor(c *gin.Context) string {
	if u := currentUser(c); u != nil {
		return "user:" + u.Email
	}
	return "anonymous"
}

// requireUserPage sends anonymous visitors to the sign-in page and back afterwards.
func (s *Server) requireUserPage(c *gin.Context) {
	if currentUser(c) == nil {
		next := c.Request.URL.RequestURI()
		if c.Request.Method != http.MethodGet {
			next = "/classes"
		}
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
		c.Abort()
		return
	}
	c.Next()
}

// requireUserAPI answers 401 to API calls without a valid token or session.
func (s *Server) requireUserAPI(c *gin.Context) {
	if c.GetBool(badBearerKey) {
		s.renderError(c, errorf(http.StatusUnauthorized, "unauthorized", "the bearer token is not valid; create one with `labdash token create --email E` or on the Account page"))
		return
	}
	if currentUser(c) == nil {
		s.renderError(c, errorf(http.StatusUnauthorized, "unauthorized", "send Authorization: Bearer <token>, or sign in"))
		return
	}
	c.Next()
}

// checkAPIOrigin protects cookie-authenticated API writes from cross-site requests:
// the Origin, when sent, must be this host. Bearer calls carry no ambient credential.
func (s *Server) checkAPIOrigin(c *gin.Context) {
	if c.GetString(viaKey) == "session" && c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		if o := c.GetHeader("Origin"); o != "" {
			u, err := url.Parse(o)
			if err != nil || u.Host != c.Request.Host {
				s.renderError(c, errorf(http.StatusForbidden, "cross-site request refused", "the Origin header does not match this server"))
				return
			}
		}
	}
	c.Next()
}

// classFor loads the class named in the path and checks the user may see it (and
// change it, when write is set). A class the user may not see is reported as not found.
func (s *Server) classFor(c *gin.Context, write bool) (*db.Class, error) {
	u := currentUser(c)
	id := c.Param("class")
	if u == nil || len(id) > 40 {
		return nil, errNotFound
	}
	acc, err := s.store.ClassAccess(c.Request.Context(), u, id)
	if err != nil {
		return nil, err
	}
	if acc == db.AccessNone {
		return nil, errNotFound
	}
	if write && acc != db.AccessOwner {
		return nil, errForbidden
	}
	return s.store.Class(c.Request.Context(), id)
}

// canEdit reports whether the current user owns class c.
func canEdit(c *gin.Context, class *db.Class) bool {
	u := currentUser(c)
	return u != nil && u.Role == db.RoleInstructor && class.OwnerID == u.ID
}

func (s *Server) logFailure(c *gin.Context, msg string, err error) {
	s.log.Warn(msg, slog.String("request_id", c.GetString(requestIDKey)), slog.Any("error", err))
}

// studentFor loads the class named in the path (checking the user may see it, or
// change it when write is set) and its student named by :student.
func (s *Server) studentFor(c *gin.Context, write bool) (*db.Class, *db.Student, error) {
	class, err := s.classFor(c, write)
	if err != nil {
		return nil, nil, err
	}
	st, err := s.store.Student(c.Request.Context(), class.ID, c.Param("student"))
	if err != nil {
		return nil, nil, err
	}
	return class, st, nil
}

// linkStudent resolves the personal link in the path to its student; an unknown or
// revoked link is errBadLink. The link is the only credential of these routes.
func (s *Server) linkStudent(c *gin.Context) (*db.Student, error) {
	token := c.Param("token")
	if len(token) != 32 {
		return nil, errBadLink
	}
	st, err := s.store.StudentByLink(c.Request.Context(), token)
	if errors.Is(err, db.ErrNotFound) {
		return nil, errBadLink
	}
	return st, err
}
