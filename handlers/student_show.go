package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/web"
)

var errBadLink = errorf(http.StatusNotFound, "link not valid", "this personal link is unknown or was revoked; ask your instructor for a new one")

// showStudentByLink is a student's own page; the token in the path is the only credential
// and reaches exactly one student.
func (s *Server) showStudentByLink(c *gin.Context) {
	token := c.Param("token")
	if len(token) != 32 {
		s.renderError(c, errBadLink)
		return
	}
	st, err := s.store.StudentByLink(c.Request.Context(), token)
	if errors.Is(err, db.ErrNotFound) {
		s.renderError(c, errBadLink)
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	class, err := s.store.Class(c.Request.Context(), st.ClassID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := s.studentPage(c, class, st)
	p.Page.User = nil // a student page never shows staff navigation
	render(c, s.log, http.StatusOK, web.Student(p))
}

// showStudentAsStaff shows the instructor or an assistant what a student sees.
func (s *Server) showStudentAsStaff(c *gin.Context) {
	class, err := s.classFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	st, err := s.store.Student(c.Request.Context(), class.ID, c.Param("student"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := s.studentPage(c, class, st)
	p.Staff, p.BackURL = true, "/classes/"+class.ID
	render(c, s.log, http.StatusOK, web.Student(p))
}

func (s *Server) studentPage(c *gin.Context, class *db.Class, st *db.Student) web.StudentPage {
	p := web.StudentPage{Page: s.page(c, st.Name, ""), ClassName: class.Name, StudentName: st.Name, Slug: st.Slug}
	for _, id := range class.Labs {
		if l, ok := s.labs.Lab(id); ok {
			p.Labs = append(p.Labs, web.StudentLab{ID: l.ID, Title: l.Title, Summary: l.Summary})
		}
	}
	return p
}
