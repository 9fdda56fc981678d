package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
)

func (s *Server) apiListClasses(c *gin.Context) {
	classes, err := s.store.ClassesFor(c.Request.Context(), currentUser(c))
	if err != nil {
		s.renderError(c, err)
		return
	}
	out := make([]apiClass, len(classes))
	for i := range classes {
		out[i] = toAPIClass(c, &classes[i])
	}
	c.JSON(http.StatusOK, gin.H{"classes": out})
}

func (s *Server) apiCreateClass(c *gin.Context) {
	if currentUser(c).Role != db.RoleInstructor {
		s.renderError(c, errInstructorsOnly)
		return
	}
	var in classInput
	if err := decodeJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	if errs := in.validate(s.labs); len(errs) > 0 {
		s.renderError(c, validationError(errs))
		return
	}
	class, err := s.insertClass(c, in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Location", "/api/v1/classes/"+class.ID)
	c.JSON(http.StatusCreated, toAPIClass(c, class))
}

func (s *Server) apiShowClass(c *gin.Context) {
	class, err := s.classFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIClass(c, class))
}
