package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
)

const csrfCookie = "labdash_csrf"

// csrfToken returns the token forms must echo: an HMAC of the visitor's random CSRF
// cookie under a server key, so a page on another site can neither read nor forge it
// (and a cookie planted by a sibling domain is useless without the key). It sets the
// cookie on first use, which covers the sign-in form before any session exists.
func (s *Server) csrfToken(c *gin.Context) string {
	seed, err := c.Cookie(csrfCookie)
	if err != nil || len(seed) != 32 {
		if v, ok := c.Get(csrfCookie); ok {
			seed = v.(string)
		} else {
			seed = db.NewToken(16)
			c.Set(csrfCookie, seed)
			s.setCookie(c, csrfCookie, seed, 0)
		}
	}
	return s.csrfFor(seed)
}

func (s *Server) csrfFor(seed string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(seed))
	return hex.EncodeToString(m.Sum(nil))
}

// checkCSRF refuses state-changing requests whose token is missing or wrong.
func (s *Server) checkCSRF(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	sent := c.GetHeader("X-CSRF-Token")
	if sent == "" {
		var err error
		if strings.HasPrefix(c.GetHeader("Content-Type"), "multipart/form-data") {
			err = c.Request.ParseMultipartForm(1 << 20)
		} else {
			err = c.Request.ParseForm()
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.renderError(c, errorf(http.StatusRequestEntityTooLarge, "request too large",
				fmt.Sprintf("the upload is larger than %d MB, which labdash does not accept here", mbe.Limit>>20)))
			return
		}
		sent = c.Request.PostFormValue("csrf_token")
	}
	seed, err := c.Cookie(csrfCookie)
	if err != nil || seed == "" || sent == "" || !hmac.Equal([]byte(sent), []byte(s.csrfFor(seed))) {
		s.renderError(c, errorf(http.StatusForbidden, "form expired", "the form's security token is missing or does not match; reload the page and submit it again"))
		return
	}
	c.Next()
}

// setCookie sets an HttpOnly, SameSite=Lax cookie; maxAge 0 makes it a session cookie.
func (s *Server) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.cfg.SecureCookies || c.Request.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
}
