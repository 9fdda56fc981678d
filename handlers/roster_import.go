package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
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
	var students []db.Student
	var tokens []string
	var skipped []roster.Row
	var rowErrs []roster.RowError
	if c.PostForm("skip_existing") == "1" {
		students, tokens, skipped, rowErrs, err = roster.ImportSkipping(c.Request.Context(), s.store, class, data, actor(c))
		if err == nil && len(students) == 0 { // every student is on the roster: nothing to do
			render(c, s.log, http.StatusOK, web.RosterPreview(web.RosterPreviewPage{Page: s.page(c, "Roster preview", "classes"),
				Class: classView(c, class), FileName: "(resubmitted roster)", Repeated: true}))
			return
		}
	} else {
		students, tokens, rowErrs, err = roster.Import(c.Request.Context(), s.store, class, data, actor(c))
	}
	if errors.Is(err, roster.ErrInvalid) {
		// Sent twice (the back button and the form again): say that it was imported.
		repeated, err := roster.AlreadyImported(c.Request.Context(), s.store, class, data)
		if err != nil {
			s.renderError(c, err)
			return
		}
		p := web.RosterPreviewPage{Page: s.page(c, "Roster preview", "classes"),
			Class: classView(c, class), FileName: "(resubmitted roster)", Errors: rowErrorViews(rowErrs), Repeated: repeated}
		if err := s.offerSkip(c, class, data, &p); err != nil {
			s.renderError(c, err)
			return
		}
		render(c, s.log, http.StatusUnprocessableEntity, web.RosterPreview(p))
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
		Heading: importedHeading(len(students), len(skipped)), Links: links, CSV: linksCSV(links)}),
		fmt.Sprintf("The personal links of the %s imported into %s", web.Plural(len(students), "student", "students"), class.Name),
		"The students are on the roster. To give one of them a new link, use Reissue link on the roster (their current link stops working).",
		"/classes/"+class.ID)
}

// importedHeading heads the links page of an import: how many were added and, when
// asked to skip, how many were on the roster already.
func importedHeading(added, skipped int) string {
	h := web.Plural(added, "student", "students") + " imported"
	if skipped > 0 {
		h += "; " + web.Plural(skipped, "student was", "students were") + " on the roster already and kept their links"
	}
	return h
}
