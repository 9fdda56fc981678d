package handlers

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/web"
)

// changePassword replaces the signed-in user's password after checking the current
// one, then signs out every other session of the account (a password is changed
// because it may be known to someone else, whose sign-in must not outlive it). The
// session that made the change stays signed in. Attempts count against the sign-in
// rate limits, so this form is no faster way to guess the current password.
func (s *Server) changePassword(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	current, pw, confirm := c.PostForm("current"), c.PostForm("password"), c.PostForm("confirm")
	errs := map[string]string{}
	status := http.StatusUnprocessableEntity
	switch {
	case current == "":
		errs["current"] = "enter your current password"
	case len(current) > 1024:
		errs["current"] = "the current password is wrong"
	}
	if msg := db.PasswordProblem(pw); msg != "" {
		errs["password"] = msg
	} else if pw != confirm {
		errs["confirm"] = "the two passwords differ"
	} else if pw == current {
		errs["password"] = "the new password is the same as the current one"
	}
	if len(errs) == 0 {
		if ok, retry, _ := s.limiter.allow(c.ClientIP(), u.Email); !ok {
			secs := int(math.Ceil(retry.Seconds()))
			c.Header("Retry-After", strconv.Itoa(secs))
			errs["current"] = fmt.Sprintf("too many password attempts; wait %s and try again", web.Plural(secs, "second", "seconds"))
			status = http.StatusTooManyRequests
		} else if !db.CheckPassword(u.PasswordHash, current, s.cfg.BcryptCost) {
			s.log.Info("password change refused: wrong current password", slog.String("email", u.Email), slog.String("ip", c.ClientIP()))
			errs["current"] = "the current password is wrong"
		}
	}
	if len(errs) > 0 {
		p, err := s.accountPage(c)
		if err != nil {
			s.renderError(c, err)
			return
		}
		p.PasswordErrors = errs
		render(c, s.log, status, web.Account(p))
		return
	}
	hash, err := db.HashPassword(pw, s.cfg.BcryptCost)
	if err != nil {
		s.renderError(c, err)
		return
	}
	var ended []string
	err = s.store.WithTx(ctx, func(tx *db.Store) error {
		if err := tx.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		ended, err = tx.DeleteOtherSessions(ctx, u.ID, s.readCookie(c, sessionCookie))
		return err
	})
	if err != nil {
		s.renderError(c, err)
		return
	}
	for _, h := range ended {
		s.endSockets(endSignedOut, credentialSockets(grantSession, h))
	}
	s.log.Info("password changed", slog.String("email", u.Email), slog.Int("other_sessions_ended", len(ended)))
	s.redirect(c, "/account?password=changed&ended="+strconv.Itoa(len(ended)))
}

// passwordNotice is the Account page's notice after a password change, from the
// redirect's query; anything else shows nothing.
func passwordNotice(c *gin.Context) string {
	if c.Query("password") != "changed" {
		return ""
	}
	n, err := strconv.Atoi(c.Query("ended"))
	switch {
	case err != nil || n < 0 || n > 1_000_000:
		return "Your password was changed."
	case n == 0:
		return "Your password was changed. No other sign-in of your account was open."
	default:
		return fmt.Sprintf("Your password was changed, and %s of your account %s signed out.", web.Plural(n, "other sign-in", "other sign-ins"), map[bool]string{true: "was", false: "were"}[n == 1])
	}
}
