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

const (
	csrfCookie  = "labdash_csrf"
	csrfSeedKey = "labdash_csrf_seed" // a seed made for this request, before its cookie reaches the browser
)

// Domains of the two kinds of CSRF token, so that an anonymous visitor's seed can
// never yield a session's token or the other way round.
const (
	csrfAnonymous = "anonymous"
	csrfSession   = "session"
)

// csrfToken returns the token this request's forms must echo, an HMAC under a server
// key so a page on another site can neither read nor forge it.
//
// Signed in, it is derived from the session's id: only that session's pages carry it,
// so a token minted before sign-in, or for another session, is refused even with a
// CSRF cookie an attacker planted from a sibling domain or another port.
//
// Anonymous (the sign-in and set-up forms), it is derived from a random per-visitor
// cookie, set on first use, since there is no session yet to bind it to.
func (s *Server) csrfToken(c *gin.Context) string {
	if sid := c.GetString(sessionKey); sid != "" {
		return s.csrfFor(csrfSession, sid)
	}
	seed, ok := s.csrfSeed(c)
	if !ok {
		seed = db.NewToken(16)
		c.Set(csrfSeedKey, seed)
		s.setCookie(c, csrfCookie, seed, 0)
	}
	return s.csrfFor(csrfAnonymous, seed)
}

// csrfSeed returns the visitor's anonymous CSRF seed: the one made earlier in this
// request, else the cookie's when it has the shape NewToken(16) gives.
func (s *Server) csrfSeed(c *gin.Context) (string, bool) {
	if v := c.GetString(csrfSeedKey); v != "" {
		return v, true
	}
	seed := s.readCookie(c, csrfCookie)
	return seed, len(seed) == 32
}

func (s *Server) csrfFor(kind, id string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

// checkCSRF refuses state-changing requests whose token is missing or is not the one
// csrfToken gives this request: the session's when signed in, the visitor's otherwise.
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
	if sent == "" {
		s.renderError(c, errCSRFMissing)
		return
	}
	seed, hasSeed := s.csrfSeed(c)
	anonymous := hasSeed && hmac.Equal([]byte(sent), []byte(s.csrfFor(csrfAnonymous, seed)))
	if sid := c.GetString(sessionKey); sid != "" {
		switch {
		case hmac.Equal([]byte(sent), []byte(s.csrfFor(csrfSession, sid))):
			c.Next()
		case anonymous:
			s.renderError(c, errCSRFBeforeSignIn)
		default:
			s.renderError(c, errCSRFOtherSession)
		}
		return
	}
	if !anonymous {
		s.renderError(c, errCSRFMismatch)
		return
	}
	c.Next()
}

// The refusals of checkCSRF, each naming what is wrong with the token.
var (
	errCSRFMissing      = errorf(http.StatusForbidden, "form expired", "the form's security token is missing; reload the page and submit it again")
	errCSRFMismatch     = errorf(http.StatusForbidden, "form expired", "the form's security token does not match; reload the page and submit it again")
	errCSRFBeforeSignIn = errorf(http.StatusForbidden, "form expired", "the form's security token was issued before you signed in and is not valid for your session; reload the page and submit it again")
	errCSRFOtherSession = errorf(http.StatusForbidden, "form expired", "the form's security token does not belong to your session (it was issued for another one, or before you signed in again); reload the page and submit it again")
)
