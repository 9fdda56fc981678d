package handlers

import (
	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
)

// standInStopper is a Rehearsal that can stop one student's virtual stand-ins; the
// simulator's does, so a student removed from the roster stops acting at once.
type standInStopper interface {
	StopStudent(classID, slug string)
}

func (s *Server) removeStudent(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.deleteStudent(c, class, c.Param("student")); err != nil {
		s.renderError(c, err)
		return
	}
	s.redirect(c, "/classes/"+class.ID+"?notice=removed")
}

// deleteStudent removes a student and records it, then closes the sockets on the
// student's topic (their link's and staff's) and stops their virtual stand-ins on the
// simulator; shared by the page and the API.
func (s *Server) deleteStudent(c *gin.Context, class *db.Class, slug string) error {
	ctx := c.Request.Context()
	err := s.store.WithTx(ctx, func(tx *db.Store) error {
		st, err := tx.Student(ctx, class.ID, slug)
		if err != nil {
			return err
		}
		if err := tx.RemoveStudent(ctx, class.ID, slug); err != nil {
			return err
		}
		return tx.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "student.remove", Detail: "removed " + st.Slug + " (" + st.Email + ")"})
	})
	if err == nil {
		s.endSockets(endStudentRemoved, studentSockets(class.ID, slug))
		if st, ok := s.rehearsal.(standInStopper); ok {
			st.StopStudent(class.ID, slug)
		}
	}
	return err
}
