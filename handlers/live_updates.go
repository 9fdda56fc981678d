package handlers

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers/live"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/monitor"
	"github.com/labdash/labdash/web"
)

// DemoResetter starts the simulated demo class over: a fresh class (new id, so new
// resource names in the simulator) with the same virtual roster. It returns the new id.
type DemoResetter interface {
	ResetDemo(ctx context.Context, classID string) (string, error)
	// SeedDemo creates the demo class now if it is owed (a new database whose
	// first instructor just set up their account), so the first page they see
	// has it.
	SeedDemo(ctx context.Context) error
}

// WithLive connects the live pipeline: the hub that streams to browsers, the monitor
// whose state pages render, and the demo controller (sim mode). Call it before serving.
// The hub re-checks its open sockets' credentials with the store (authorizeSockets).
func (s *Server) WithLive(hub *live.Hub, mon *monitor.Monitor, demo DemoResetter) {
	s.hub, s.monitor, s.demo = hub, mon, demo
	hub.SetSnapshot(s.snapshot)
	hub.SetAuthorize(s.authorizeSockets)
}

func classTopic(classID string) string         { return "class:" + classID }
func studentTopic(classID, slug string) string { return "student:" + classID + "/" + slug }

// Watched reports whether a student's own page is open somewhere (its live topic
// has a subscriber): the monitor then reads their labs every cycle, settled or not.
func (s *Server) Watched(classID, slug string) bool {
	return s.hub != nil && s.hub.Subscribed(studentTopic(classID, slug))
}

// PublishUpdates renders a monitor cycle's changes as out-of-band fragments and hands
// them to the hub: grid cells to the class topic, checklists and widgets to the student's.
func (s *Server) PublishUpdates(ups []monitor.Update) {
	if s.hub == nil {
		return
	}
	ctx := context.Background()
	byTopic := map[string][]live.Message{}
	for _, u := range ups {
		lab, ok := s.labs.Lab(u.Lab)
		if !ok {
			continue
		}
		st := studentTopic(u.ClassID, u.Student)
		if u.Cell != nil {
			cell := cellView(u.Student, lab, u.Cell, true)
			byTopic[classTopic(u.ClassID)] = append(byTopic[classTopic(u.ClassID)], s.message(ctx, "cell:"+u.Student+":"+u.Lab, web.GridCell(cell)))
			byTopic[st] = append(byTopic[st], s.message(ctx, "checklist:"+u.Lab, web.Checklist(checklistView(u.Student, lab, u.Cell, true))))
		}
		if u.Widget != "" {
			for _, w := range lab.Widgets {
				if w.ID == u.Widget {
					box := web.WidgetBox{Slug: u.Student, Lab: u.Lab, ID: w.ID, Title: w.Title, View: u.View, OOB: true, Simulated: s.cfg.Cloud == "sim"}
					byTopic[st] = append(byTopic[st], s.message(ctx, "widget:"+u.Lab+":"+w.ID, web.Widget(box)))
				}
			}
		}
	}
	for topic, msgs := range byTopic {
		s.hub.Publish(topic, msgs...)
	}
}

func (s *Server) message(ctx context.Context, key string, c templ.Component) live.Message {
	var b bytes.Buffer
	if err := c.Render(ctx, &b); err != nil {
		s.log.Error("render live fragment", slog.String("key", key), slog.Any("error", err))
	}
	return live.Message{Key: key, Payload: b.Bytes()}
}

// snapshot is the full current state of a topic, sent first to every (re)connecting client.
func (s *Server) snapshot(topic string) []live.Message {
	if s.monitor == nil {
		return nil
	}
	ctx := context.Background()
	var out []live.Message
	switch {
	case strings.HasPrefix(topic, "class:"):
		classID := strings.TrimPrefix(topic, "class:")
		for slug, cells := range s.monitor.ClassSnapshot(classID) {
			for labID, cell := range cells {
				if lab, ok := s.labs.Lab(labID); ok {
					c := cell
					out = append(out, s.message(ctx, "cell:"+slug+":"+labID, web.GridCell(cellView(slug, lab, &c, true))))
				}
			}
		}
	case strings.HasPrefix(topic, "student:"):
		classID, slug, _ := strings.Cut(strings.TrimPrefix(topic, "student:"), "/")
		cells, views := s.monitor.StudentSnapshot(classID, slug)
		for labID, cell := range cells {
			if lab, ok := s.labs.Lab(labID); ok {
				c := cell
				out = append(out, s.message(ctx, "checklist:"+labID, web.Checklist(checklistView(slug, lab, &c, true))))
				for _, w := range lab.Widgets {
					if v, ok := views[labID][w.ID]; ok {
						out = append(out, s.message(ctx, "widget:"+labID+":"+w.ID, web.Widget(web.WidgetBox{Slug: slug, Lab: labID, ID: w.ID, Title: w.Title, View: v, OOB: true, Simulated: s.cfg.Cloud == "sim"})))
					}
				}
			}
		}
	}
	return out
}

// cellView turns a monitor cell (nil: no reading yet) into the grid's view.
func cellView(slug string, lab labs.Lab, c *monitor.Cell, oob bool) web.CellView {
	v := web.CellView{Slug: slug, Lab: lab.ID, LabName: lab.Title, Running: -1, OOB: oob}
	if v.LabName == "" {
		v.LabName = lab.ID
	}
	switch {
	case !lab.Built():
		v.Tone, v.Label, v.Title = "none", "–", lab.ID+": checks not built yet"
	case c == nil:
		v.Tone, v.Label, v.Title = "pending", "…", lab.ID+": waiting for the first reading"
	default:
		v.Label = fmt.Sprintf("%d/%d", c.Passed, c.Total)
		v.Tone = "pending"
		// Only a Fail (the resource exists and is wrong) turns a cell red. An Error is
		// a checkpoint that could not be read (no observation of the student yet, a
		// read that failed): not yet judged, so pending, not failing.
		failed, unread := 0, 0
		for i, r := range c.Results {
			if i < len(c.Ever) && c.Ever[i] {
				continue
			}
			switch r.Status {
			case labs.Fail:
				failed++
			case labs.Error:
				unread++
			}
		}
		switch {
		case c.Passed == c.Total:
			v.Tone = "pass"
		case failed > 0:
			v.Tone = "fail"
		case c.Passed > 0:
			v.Tone = "progress"
		}
		v.Running, v.Alarm, v.Badge, v.BadgeTone = c.Running, c.Alarm, c.Badge, c.BadgeTone
		v.Title = fmt.Sprintf("%s: %d of %d checkpoints passed, %d failing", lab.ID, c.Passed, c.Total, failed)
		if unread > 0 {
			v.Title += fmt.Sprintf(", %d not readable yet", unread)
		}
		if c.Running >= 0 {
			v.Title += ", " + labs.Plural(c.Running, "task", "tasks") + " running"
		}
		if c.Alarm != "" {
			v.Title += ", AlarmHigh " + c.Alarm
		}
		if c.BadgeTitle != "" {
			v.Title += ", " + c.BadgeTitle
		}
		if c.Stale != "" {
			v.Stale = true
			v.Title += ", stale: " + c.Stale
		}
	}
	return v
}

func checklistView(slug string, lab labs.Lab, c *monitor.Cell, oob bool) web.ChecklistView {
	v := web.ChecklistView{Slug: slug, Lab: lab.ID, OOB: oob}
	for i, cp := range lab.Checkpoints {
		it := web.CheckItem{Title: cp.Title, Status: string(labs.Pending), Optional: cp.Optional}
		if c != nil && i < len(c.Results) {
			it.Status, it.Evidence = string(c.Results[i].Status), c.Results[i].Evidence
			if i < len(c.Ever) && c.Ever[i] && c.Results[i].Status != labs.Pass {
				it.Status, it.Evidence = string(labs.Pass), "passed earlier; now: "+c.Results[i].Evidence
			}
		}
		v.Items = append(v.Items, it)
	}
	return v
}

// liveLabs reports whether any of the class's labs has live checks.
func (s *Server) liveLabs(class *db.Class) bool {
	for _, id := range class.Labs {
		if l, ok := s.labs.Lab(id); ok && l.Built() {
			return true
		}
	}
	return false
}

var errNoLive = errorf(http.StatusNotFound, "live updates off", "this labdash runs without the live monitor")

// serveClassWS streams a class's grid to its instructor and assistants. Like every
// socket here it remembers the credential it was opened with and is closed when that
// access ends (socket_access.go).
func (s *Server) serveClassWS(c *gin.Context) {
	class, err := s.classFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if s.hub == nil {
		s.renderError(c, errNoLive)
		return
	}
	s.hub.ServeWS(c.Writer, c.Request, classTopic(class.ID), staffGrant(c, class.ID, ""))
}

// serveStaffStudentWS streams one student's checklist and widgets to staff.
func (s *Server) serveStaffStudentWS(c *gin.Context) {
	class, st, err := s.studentFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if s.hub == nil {
		s.renderError(c, errNoLive)
		return
	}
	s.hub.ServeWS(c.Writer, c.Request, studentTopic(class.ID, st.Slug), staffGrant(c, class.ID, st.Slug))
}

// serveLinkWS streams a student's own state; the link reaches only its own topic.
func (s *Server) serveLinkWS(c *gin.Context) {
	st, err := s.linkStudent(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if s.hub == nil {
		s.renderError(c, errNoLive)
		return
	}
	s.hub.ServeWS(c.Writer, c.Request, studentTopic(st.ClassID, st.Slug), linkGrant(c.Param("token"), st))
}

// resetDemo starts the demo class over (instructor of the demo class only).
func (s *Server) resetDemo(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if s.demo == nil || !s.isDemo(c.Request.Context(), class.ID) {
		s.renderError(c, errorf(http.StatusNotFound, "no demo", "only the demo class on the simulated AWS can be reset"))
		return
	}
	fresh, err := s.demo.ResetDemo(c.Request.Context(), class.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.store.Audit(c.Request.Context(), db.AuditEntry{ClassID: fresh, Actor: actor(c), Action: "demo.reset", Detail: "demo restarted from " + class.ID + "; virtual students start over"}); err != nil {
		s.renderError(c, err)
		return
	}
	s.redirect(c, "/classes/"+fresh)
}
