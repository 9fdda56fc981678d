package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/labs/roster"
	"github.com/labdash/labdash/web"
)

func (s *Server) accountPage(c *gin.Context) (web.AccountPage, error) {
	p := web.AccountPage{Page: s.page(c, "Account", "account")}
	tokens, err := s.store.APITokens(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		return p, err
	}
	for _, t := range tokens {
		p.Tokens = append(p.Tokens, web.TokenRow{ID: t.ID, Name: t.Name, Created: fmtTime(t.CreatedAt), LastUsed: fmtTime(t.LastUsedAt)})
	}
	return p, nil
}

func (s *Server) showAccount(c *gin.Context) {
	p, err := s.accountPage(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p.PasswordNotice = passwordNotice(c)
	render(c, s.log, http.StatusOK, web.Account(p))
}

// createToken makes an API token for the signed-in user and shows it once.
func (s *Server) createToken(c *gin.Context) {
	name := strings.TrimSpace(c.PostForm("name"))
	if problem := roster.NameProblem(name, 60); problem != "" {
		p, err := s.accountPage(c)
		if err != nil {
			s.renderError(c, err)
			return
		}
		p.Error = "Give the token a name of at most 60 visible characters: the " + problem + "."
		render(c, s.log, http.StatusUnprocessableEntity, web.Account(p))
		return
	}
	secret, _, err := s.store.CreateAPIToken(c.Request.Context(), currentUser(c).ID, name)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p, err := s.accountPage(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p.NewToken, p.NewName = secret, name
	s.showOnce(c, web.Account(p), "The API token “"+name+"”", "The token exists and works. To get a secret you can copy, create a new token and delete this one.", "/account")
}

func (s *Server) deleteToken(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.renderError(c, errNotFound)
		return
	}
	if err := s.store.DeleteAPIToken(c.Request.Context(), currentUser(c).ID, id); err != nil {
		s.renderError(c, err)
		return
	}
	s.endSockets(endTokenDeleted, credentialSockets(grantToken, strconv.FormatInt(id, 10)))
	s.redirect(c, "/account")
}
