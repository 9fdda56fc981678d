package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/monitor"
	"github.com/labdash/labdash/web"
)

var errBadLink = errorf(http.StatusNotFound, "link not valid", "this personal link is unknown or was revoked; ask your instructor for a new one")

// showStudentByLink is a student's own page; the token in the path is the only credential
// and reaches exactly one student.
func (s *Server) showStudentByLink(c *gin.Context) {
	token := c.Param("token")
	st, err := s.linkStudent(c)
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
	p.ConsoleURL = "/s/" + token + "/console"
	if s.hub != nil && s.liveLabs(class) {
		p.WSURL = "/s/" + token + "/ws"
	}
	render(c, s.log, http.StatusOK, web.Student(p))
}

// showStudentAsStaff shows the instructor or an assistant what a student sees.
func (s *Server) showStudentAsStaff(c *gin.Context) {
	class, st, err := s.studentFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := s.studentPage(c, class, st)
	p.Staff, p.BackURL = true, "/classes/"+class.ID
	if s.rehearsal != nil && s.cfg.Cloud == "sim" && canEdit(c, class) {
		for i, sl := range p.Labs {
			l, _ := s.labs.Lab(sl.ID)
			if len(l.Actions) == 0 || !sl.Built {
				continue
			}
			v, _ := s.rehearsalView(c.Request.Context(), class, st, l, p.Page.CSRF)
			v.Result, v.ResultTone = rehearsalResult(c, l)
			p.Labs[i].Rehearsal = v
		}
	}
	if s.hub != nil && s.liveLabs(class) {
		p.WSURL = "/classes/" + class.ID + "/students/" + st.Slug + "/ws"
	}
	render(c, s.log, http.StatusOK, web.Student(p))
}

func (s *Server) studentPage(c *gin.Context, class *db.Class, st *db.Student) web.StudentPage {
	p := web.StudentPage{Page: s.page(c, st.Name, ""), ClassName: class.Name, StudentName: st.Name, Slug: st.Slug}
	var cells map[string]monitor.Cell
	var views map[string]map[string]labs.WidgetView
	if s.monitor != nil {
		cells, views = s.monitor.StudentSnapshot(class.ID, st.Slug)
	}
	for _, id := range class.Labs {
		l, ok := s.labs.Lab(id)
		if !ok {
			continue
		}
		sl := web.StudentLab{ID: l.ID, Title: l.Title, Summary: l.Summary, Built: l.Built()}
		if sl.Built {
			var cell *monitor.Cell
			if c, ok := cells[l.ID]; ok {
				cell = &c
			}
			sl.Checklist = checklistView(st.Slug, l, cell, false)
			for _, w := range l.Widgets {
				v, ok := views[l.ID][w.ID]
				if !ok {
					v = labs.WidgetView{Empty: "Waiting for the first reading."}
				}
				sl.Widgets = append(sl.Widgets, web.WidgetBox{Slug: st.Slug, Lab: l.ID, ID: w.ID, Title: w.Title, View: v, Simulated: s.cfg.Cloud == "sim"})
			}
		}
		p.Labs = append(p.Labs, sl)
	}
	return p
}
