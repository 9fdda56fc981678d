package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/labs/roster"
)

func (s *Server) apiListStudents(c *gin.Context) {
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
	out := make([]apiStudent, len(students))
	for i, st := range students {
		out[i] = toAPIStudent(st)
	}
	c.JSON(http.StatusOK, gin.H{"students": out})
}

type studentInput struct {
	Name      string `json:"name"`
	Email     string `json:"email"`
	AccountID string `json:"account_id"`
}

// apiAddStudent adds one student; the response carries their personal link, once.
func (s *Server) apiAddStudent(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	var in studentInput
	if err := decodeJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	st, token, rowErrs, err := roster.AddOne(c.Request.Context(), s.store, class, roster.Row{Name: in.Name, Email: in.Email, AccountID: in.AccountID}, actor(c))
	if errors.Is(err, roster.ErrInvalid) {
		errs := map[string]string{}
		for _, e := range rowErrs {
			errs[e.Field] = e.Message
		}
		s.renderError(c, validationError(errs))
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := toAPIStudent(*st)
	out.Link = s.studentURL(c, token)
	c.Header("Location", "/api/v1/classes/"+class.ID+"/students/"+st.Slug)
	c.JSON(http.StatusCreated, out)
}

func (s *Server) apiRemoveStudent(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.deleteStudent(c, class, c.Param("student")); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
