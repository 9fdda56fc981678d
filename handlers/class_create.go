package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/web"
)

var errInstructorsOnly = errorf(http.StatusForbidden, "forbidden", "only instructors create classes")

func (s *Server) classFormPage(c *gin.Context, in classInput, errs map[string]string) web.ClassFormPage {
	p := web.ClassFormPage{Page: s.page(c, "New class", "classes"), Name: in.Name, Isolation: in.Isolation, AccountID: in.AccountID,
		Regions: map[string]bool{}, Labs: map[string]bool{}, Errors: errs, RegionOpts: labs.Regions}
	for _, r := range in.Regions {
		p.Regions[r] = true
	}
	for _, l := range in.Labs {
		p.Labs[l] = true
	}
	for _, l := range s.labs.All() {
		p.LabOpts = append(p.LabOpts, web.LabOption{ID: l.ID, Title: l.Title, Summary: l.Summary, AccountOnly: l.AccountPerStudentOnly, Why: l.Why, Built: l.Built()})
	}
	return p
}

func (s *Server) showClassForm(c *gin.Context) {
	if currentUser(c).Role != db.RoleInstructor {
		s.renderError(c, errInstructorsOnly)
		return
	}
	render(c, s.log, http.StatusOK, web.ClassForm(s.classFormPage(c, classInput{Regions: []string{"us-east-1"}}, nil)))
}

func (s *Server) createClass(c *gin.Context) {
	if currentUser(c).Role != db.RoleInstructor {
		s.renderError(c, errInstructorsOnly)
		return
	}
	in := classInput{Name: c.PostForm("name"), Regions: c.PostFormArray("regions"), Isolation: c.PostForm("isolation"), Labs: c.PostFormArray("labs"), AccountID: c.PostForm("account_id")}
	if errs := in.validate(s.labs); len(errs) > 0 {
		render(c, s.log, http.StatusUnprocessableEntity, web.ClassForm(s.classFormPage(c, in, errs)))
		return
	}
	class, err := s.insertClass(c, in)
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.redirect(c, "/classes/"+class.ID)
}

// insertClass stores a validated class with its audit entry.
func (s *Server) insertClass(c *gin.Context, in classInput) (*db.Class, error) {
	ctx := c.Request.Context()
	class := &db.Class{Name: in.Name, OwnerID: currentUser(c).ID, Regions: in.Regions, Isolation: in.Isolation, Labs: in.Labs, AccountID: in.AccountID}
	err := s.store.WithTx(ctx, func(tx *db.Store) error {
		if err := tx.CreateClass(ctx, class); err != nil {
			return err
		}
		return tx.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "class.create",
			Detail: fmt.Sprintf("%s; %s; regions %s; labs %s", class.Name, class.Isolation, strings.Join(class.Regions, ","), strings.Join(class.Labs, ","))})
	})
	if err != nil {
		return nil, err
	}
	return class, nil
}
