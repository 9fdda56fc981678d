package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// hostPrefix marks a cookie the browser only accepts when it is Secure, has Path=/ and
// no Domain: a sibling subdomain or a plain-HTTP page on another port cannot set or
// overwrite it, which is what keeps an attacker from planting a session or CSRF cookie.
const hostPrefix = "__Host-"

// secureCookies reports whether this request's cookies are Secure: served over TLS, or
// configured so behind a TLS proxy.
func (s *Server) secureCookies(c *gin.Context) bool {
	return s.cfg.SecureCookies || c.Request.TLS != nil
}

// cookieName is the name cookie base goes by on this request: "__Host-"+base when
// cookies are Secure, base itself otherwise (browsers refuse __Host- cookies that are
// not Secure).
func (s *Server) cookieName(c *gin.Context, base string) string {
	if s.secureCookies(c) {
		return hostPrefix + base
	}
	return base
}

// readCookie returns the value of cookie base under the name this request uses, ""
// when it is not sent. Every cookie read goes through it. Over TLS it reads only the
// __Host- name: accepting the plain one too would let a planted cookie back in.
func (s *Server) readCookie(c *gin.Context, base string) string {
	v, err := c.Cookie(s.cookieName(c, base))
	if err != nil {
		return ""
	}
	return v
}

// setCookie sets an HttpOnly, SameSite=Lax cookie named after base as cookieName says;
// maxAge 0 makes it a session cookie and a negative one deletes it.
func (s *Server) setCookie(c *gin.Context, base, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.cookieName(c, base), Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secureCookies(c), SameSite: http.SameSiteLaxMode,
	})
}
