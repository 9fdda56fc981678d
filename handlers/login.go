package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

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
	if ok, retry, why := s.limiter.allow(c.ClientIP(), email); !ok {
		secs := int(math.Ceil(retry.Seconds()))
		c.Header("Retry-After", fmt.Sprint(secs))
		view.Error = rateLimitMessage(why, secs)
		s.log.Warn("login rate limited", slog.String("ip", c.ClientIP()), slog.String("email", email), slog.Int("limit", int(why)))
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
	if !db.CheckPassword(hash, pw, s.cfg.BcryptCost) {
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

// rateLimitMessage says which sign-in limit was hit and how long to wait.
func rateLimitMessage(why limitReason, secs int) string {
	wait := fmt.Sprintf("Wait %s and try again.", web.Plural(secs, "second", "seconds"))
	switch why {
	case limitAccount:
		return "Too many sign-in attempts for this account from your address. " + wait
	case limitGlobal:
		return "Too many sign-in attempts for this account from many addresses, so it is paused for a moment for everyone. " + wait
	default:
		return "Too many sign-in attempts from your address. " + wait
	}
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
	if tok := s.readCookie(c, sessionCookie); tok != "" {
		if err := s.store.DeleteSession(c.Request.Context(), tok); err != nil {
			s.renderError(c, err)
			return
		}
		s.endSockets(endSignedOut, credentialSockets(grantSession, db.HashToken(tok)))
	}
	s.setCookie(c, sessionCookie, "", -1)
	s.redirect(c, "/login")
}

// maxNextLen bounds a post-sign-in target. Real ones are request URIs of pages;
// a longer value is refused rather than cut, since a cut one is not what was asked for.
const maxNextLen = 2048

// safeNext returns next when it is a path on this site, and "/classes" otherwise. It is
// the one place a post-sign-in redirect target is chosen: the sign-in page, its form's
// hidden field and the sign-in itself all go through it.
func safeNext(next string) string {
	if !isLocalPath(next) {
		return "/classes"
	}
	return next
}

// isLocalPath reports whether p, sent as a Location header, keeps a browser on this
// origin. Browsers are more lenient than net/url: they drop tab, CR and LF anywhere,
// strip leading control characters and spaces, and read "\" as "/", so "/\t/evil" and
// "/\evil" both become the scheme-relative "//evil". So p must be clean before parsing
// (no control character or backslash anywhere), must parse as a bare path (no scheme,
// host or user info), and its path, raw and decoded, must start with a single "/" and
// already be in clean form (no "//", "." or ".." segments, which a redirect or a proxy
// would otherwise rewrite into something else).
func isLocalPath(p string) bool {
	if p == "" || len(p) > maxNextLen || !utf8.ValidString(p) || !singleSlash(p) || hasControlOrBackslash(p) {
		return false
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	return singleSlash(u.Path) && !hasControlOrBackslash(u.Path) && isCleanPath(u.Path)
}

// singleSlash reports whether p starts with "/" not followed by "/" or "\".
func singleSlash(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\")
}

// hasControlOrBackslash reports whether s holds a backslash or a control character
// (C0, DEL or C1).
func hasControlOrBackslash(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r == '\\' || unicode.IsControl(r) })
}

// isCleanPath reports whether p is already what path.Clean makes of it, allowing a
// trailing slash.
func isCleanPath(p string) bool {
	c := path.Clean(p)
	return c == p || c+"/" == p
}
