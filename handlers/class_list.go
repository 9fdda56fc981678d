package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/web"
)

func (s *Server) listClasses(c *gin.Context) {
	u := currentUser(c)
	classes, err := s.store.ClassesFor(c.Request.Context(), u)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := web.ClassListPage{Page: s.page(c, "Classes", "classes"), CanCreate: u.Role == db.RoleInstructor}
	if c.Query("notice") == "class-deleted" {
		p.Notice = "Class deleted. Its students' personal links no longer open anything."
	}
	for _, cl := range classes {
		role := "assistant"
		if cl.OwnerID == u.ID {
			role = "owner"
		}
		p.Classes = append(p.Classes, web.ClassRow{ID: cl.ID, Name: cl.Name, Isolation: cl.Isolation,
			Regions: strings.Join(cl.Regions, ", "), Labs: len(cl.Labs), Students: cl.Students, Role: role})
	}
	render(c, s.log, http.StatusOK, web.ClassList(p))
}
