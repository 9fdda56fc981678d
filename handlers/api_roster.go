package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/labs/roster"
)

// apiImportRoster imports a text/csv roster whole: 200 with the count and the new
// students' links, or 422 with every bad row and nothing written.
func (s *Server) apiImportRoster(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "text/csv" {
		s.renderError(c, errorf(http.StatusUnsupportedMediaType, "unsupported media type", "send the roster as Content-Type: text/csv"))
		return
	}
	data, err := io.ReadAll(io.LimitReader(c.Request.Body, roster.MaxBytes+1))
	var mbe *http.MaxBytesError
	if len(data) > roster.MaxBytes || errors.As(err, &mbe) {
		s.renderError(c, errorf(http.StatusRequestEntityTooLarge, "roster too large",
			fmt.Sprintf("a roster may be at most %d MB (about %d students)", roster.MaxBytes>>20, roster.MaxStudents)))
		return
	}
	if err != nil {
		s.renderError(c, errorf(http.StatusBadRequest, "unreadable body", err.Error()))
		return
	}
	students, tokens, rowErrs, err := roster.Import(c.Request.Context(), s.store, class, data, actor(c))
	if errors.Is(err, roster.ErrInvalid) {
		c.JSON(http.StatusUnprocessableEntity, gin.H{"error": "invalid roster",
			"detail": fmt.Sprintf("%d problem(s); nothing was imported", len(rowErrs)), "rows": rowErrs})
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := make([]apiStudent, len(students))
	for i, st := range students {
		out[i] = toAPIStudent(st)
		out[i].Link = s.studentURL(c, tokens[i])
	}
	c.JSON(http.StatusOK, gin.H{"imported": len(students), "students": out})
}
