package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/labs/roster"
	"github.com/labdash/labdash/web"
)

// importRoster writes the previewed roster, re-validating it: the roster may have
// changed since the preview, and the form field is as hostile as any input.
func (s *Server) importRoster(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	data := []byte(c.PostForm("csv"))
	students, tokens, rowErrs, err := roster.Import(c.Request.Context(), s.store, class, data, actor(c))
	if errors.Is(err, roster.ErrInvalid) {
		// Sent twice (the back button and the form again): say that it was imported.
		repeated, err := roster.AlreadyImported(c.Request.Context(), s.store, class, data)
		if err != nil {
			s.renderError(c, err)
			return
		}
		render(c, s.log, http.StatusUnprocessableEntity, web.RosterPreview(web.RosterPreviewPage{Page: s.page(c, "Roster preview", "classes"),
			Class: classView(c, class), FileName: "(resubmitted roster)", Errors: rowErrorViews(rowErrs), Repeated: repeated}))
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	links := make([]web.LinkRow, len(students))
	for i, st := range students {
		links[i] = web.LinkRow{Slug: st.Slug, Name: st.Name, Email: st.Email, URL: s.studentURL(c, tokens[i])}
	}
	s.showOnce(c, web.Links(web.LinksPage{Page: s.page(c, "Roster imported", "classes"), Class: classView(c, class),
		Heading: web.Plural(len(students), "student", "students") + " imported", Links: links, CSV: linksCSV(links)}),
		fmt.Sprintf("The personal links of the %s imported into %s", web.Plural(len(students), "student", "students"), class.Name),
		"The students are on the roster. To give one of them a new link, use Reissue link on the roster (their current link stops working).",
		"/classes/"+class.ID)
}
