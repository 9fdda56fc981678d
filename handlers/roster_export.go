package handlers

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/labs/roster"
)

// exportRoster downloads the roster as CSV, with formula-like cells neutralised.
// Links are not included: labdash keeps only their hashes.
func (s *Server) exportRoster(c *gin.Context) {
	class, err := s.classFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	students, err := s.store.Students(c.Request.Context(), class.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	recs := make([][]string, len(students))
	for i, st := range students {
		recs[i] = []string{st.Slug, st.Name, st.Email, st.AccountID}
	}
	var b bytes.Buffer
	if err := roster.Write(&b, []string{"id", "name", "email", "account_id"}, recs); err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+class.ID+`-roster.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}
