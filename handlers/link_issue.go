package handlers

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers/live"
	"github.com/labdash/labdash/labs/roster"
	"github.com/labdash/labdash/web"
)

// issueLink gives a student a new personal link (the old one stops working). An htmx
// request gets the link fragment for the roster row; a plain form POST gets a page.
func (s *Server) issueLink(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	var st *db.Student
	var token string
	err = s.store.WithTx(ctx, func(tx *db.Store) error {
		var err error
		if st, err = tx.Student(ctx, class.ID, c.Param("student")); err != nil {
			return err
		}
		if token, err = tx.IssueLink(ctx, class.ID, st.Slug); err != nil {
			return err
		}
		return tx.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "link.issue", Detail: "new personal link for " + st.Slug + "; the previous one no longer works"})
	})
	if err != nil {
		s.renderError(c, err)
		return
	}
	newHash := db.HashToken(token)
	s.endSockets(endLinkReissued, func(g live.Grant) bool { return linkSockets(class.ID, st.Slug)(g) && g.ID != newHash })
	row := web.LinkRow{Slug: st.Slug, Name: st.Name, Email: st.Email, URL: s.studentURL(c, token)}
	if c.GetHeader("HX-Request") == "true" {
		render(c, s.log, http.StatusOK, web.LinkReissued(row))
		return
	}
	s.showOnce(c, web.Links(web.LinksPage{Page: s.page(c, "Personal link", "classes"), Class: classView(c, class),
		Heading: "New personal link for " + st.Name, Links: []web.LinkRow{row}, CSV: linksCSV([]web.LinkRow{row})}),
		"The new personal link of "+st.Name, "The previous link stopped working when this one was issued. To get another, reissue the link again from the roster.",
		"/classes/"+class.ID)
}

func (s *Server) revokeLink(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	slug := c.Param("student")
	err = s.store.WithTx(ctx, func(tx *db.Store) error {
		if err := tx.RevokeLink(ctx, class.ID, slug); err != nil {
			return err
		}
		return tx.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "link.revoke", Detail: "revoked the personal link of " + slug})
	})
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.endSockets(endLinkRevoked, linkSockets(class.ID, slug))
	s.redirect(c, "/classes/"+class.ID+"?notice=revoked")
}

// linksCSV is the downloadable list of freshly issued links, cells neutralised.
func linksCSV(rows []web.LinkRow) string {
	recs := make([][]string, len(rows))
	for i, r := range rows {
		recs[i] = []string{r.Slug, r.Name, r.Email, r.URL}
	}
	var b bytes.Buffer
	_ = roster.Write(&b, []string{"id", "name", "email", "link"}, recs)
	return b.String()
}
