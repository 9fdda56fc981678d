package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/monitor"
	"github.com/labdash/labdash/web"
)

const timeFormat = "2006-01-02 15:04"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(timeFormat)
}

func classView(c *gin.Context, class *db.Class) web.ClassView {
	return web.ClassView{ID: class.ID, Name: class.Name, Isolation: class.Isolation,
		Regions: strings.Join(class.Regions, ", "), CanEdit: canEdit(c, class)}
}

// cleanedText is the class header's "Cleaned up on 2026-12-03 09:14 (verified)"
// once a whole-class cleanup finished after the last provisioning, or "".
func cleanedText(f db.ClassFootprint) string {
	if !f.CleanedUp() {
		return ""
	}
	return cleanedLine(fmtTime(f.CleanedAt), f.CleanupOutcome == db.OutcomeVerified)
}

func cleanedLine(at string, verified bool) string {
	if verified {
		return "Cleaned up on " + at + " (verified)"
	}
	return "Cleaned up on " + at + " (not verified)"
}

// baseURL is where links handed to people point: the configured base URL, or this request's origin.
func (s *Server) baseURL(c *gin.Context) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

func (s *Server) studentURL(c *gin.Context, token string) string { return s.baseURL(c) + "/s/" + token }

// consolePage gathers everything the instructor console shows for class.
func (s *Server) consolePage(ctx context.Context, c *gin.Context, class *db.Class) (web.ConsolePage, error) {
	p := web.ConsolePage{Page: s.page(c, class.Name, "classes"), Class: classView(c, class),
		NeedAccount: class.Isolation == db.IsolationPerStudent}
	for _, id := range class.Labs {
		title := id
		if l, ok := s.labs.Lab(id); ok {
			title = l.Title
		}
		p.Labs = append(p.Labs, web.LabColumn{ID: id, Title: title})
	}
	students, err := s.store.Students(ctx, class.ID)
	if err != nil {
		return p, err
	}
	var snap map[string]map[string]monitor.Cell
	if s.monitor != nil {
		snap = s.monitor.ClassSnapshot(class.ID)
	}
	if s.hub != nil && s.liveLabs(class) {
		p.WSURL = "/classes/" + class.ID + "/ws"
	}
	p.Demo = s.isDemo(ctx, class.ID)
	if p.Sandboxes, err = s.provisionView(c, class); err != nil {
		return p, err
	}
	if sb := p.Sandboxes; sb.CleanedUp {
		p.CleanedUp, p.CleanedAt, p.CleanupVerified = true, sb.CleanedAt, sb.Verified
		p.Class.Cleaned = cleanedLine(sb.CleanedAt, sb.Verified)
	}
	for _, st := range students {
		row := web.StudentRow{Slug: st.Slug, Name: st.Name, Email: st.Email, AccountID: st.AccountID,
			HasLink: st.HasLink, LinkIssued: fmtTime(st.LinkIssuedAt)}
		for _, l := range p.Labs {
			lab, _ := s.labs.Lab(l.ID)
			var cell *monitor.Cell
			if c, ok := snap[st.Slug][l.ID]; ok {
				cell = &c
			}
			row.Cells = append(row.Cells, cellView(st.Slug, lab, cell, false))
		}
		p.Students = append(p.Students, row)
	}
	assistants, err := s.store.Assistants(ctx, class.ID)
	if err != nil {
		return p, err
	}
	for _, a := range assistants {
		p.Assistants = append(p.Assistants, web.AssistantRow{ID: a.ID, Email: a.Email, Name: a.Name, Active: a.PasswordHash != ""})
	}
	audit, err := s.store.AuditLog(ctx, class.ID, 20)
	if err != nil {
		return p, err
	}
	p.Audit = auditRows(audit)
	return p, nil
}

func auditRows(entries []db.AuditEntry) []web.AuditRow {
	out := make([]web.AuditRow, 0, len(entries))
	for _, e := range entries {
		out = append(out, web.AuditRow{At: fmtTime(e.At), Actor: e.Actor, Action: e.Action, Detail: e.Detail})
	}
	return out
}

// isDemo reports whether classID is the simulated demo class.
func (s *Server) isDemo(ctx context.Context, classID string) bool {
	if s.demo == nil {
		return false
	}
	v, err := s.store.Setting(ctx, "demo_class")
	return err == nil && v == classID
}
