package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/labs/roster"
	"github.com/labdash/labdash/web"
)

func (s *Server) addStudent(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	row := roster.Row{Name: c.PostForm("name"), Email: c.PostForm("email"), AccountID: c.PostForm("account_id")}
	st, token, rowErrs, err := roster.AddOne(c.Request.Context(), s.store, class, row, actor(c))
	if errors.Is(err, roster.ErrInvalid) {
		p, perr := s.consolePage(c.Request.Context(), c, class)
		if perr != nil {
			s.renderError(c, perr)
			return
		}
		p.AddName, p.AddEmail, p.AddAccount = row.Name, row.Email, row.AccountID
		p.AddErrors = map[string]string{}
		for _, e := range rowErrs {
			p.AddErrors[e.Field] = e.Message
		}
		render(c, s.log, http.StatusUnprocessableEntity, web.Console(p))
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	link := web.LinkRow{Slug: st.Slug, Name: st.Name, Email: st.Email, URL: s.studentURL(c, token)}
	s.showOnce(c, web.Links(web.LinksPage{Page: s.page(c, "Student added", "classes"), Class: classView(c, class),
		Heading: st.Name + " added", Links: []web.LinkRow{link}, CSV: linksCSV([]web.LinkRow{link})}),
		"The personal link of "+st.Name+" (added to "+class.Name+")",
		st.Name+" is on the roster. To give them a new link, use Reissue link on the roster (the current one stops working).",
		"/classes/"+class.ID)
}
