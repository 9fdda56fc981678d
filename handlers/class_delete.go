package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/web"
)

var errWrongDeleteName = errorf(http.StatusUnprocessableEntity, "confirmation does not match", "type the class's name (or its id) to delete it")

// deleteRefusal says why a class cannot be deleted yet ("" when it can): only a
// class cleaned up since its last provisioning, with nothing of it left in AWS
// as far as labdash knows, or one never provisioned, may go; deleting any other
// would leave its sandboxes running with nothing to clean them up.
func deleteRefusal(f db.ClassFootprint) string {
	switch {
	case f.OpenJobs > 0:
		return "A provisioning or cleanup job of the class is still running: wait for it to finish."
	case f.LiveSandboxes > 0:
		return fmt.Sprintf("The class still has sandboxes in AWS: labdash records %s of the class there (%d made by provisioning: roles, policies and stacks). Clean up the class first: deleting it now would leave them with nothing to clean them up.",
			labs.Plural(f.Live, "resource", "resources"), f.LiveSandboxes)
	case f.Live > 0:
		return fmt.Sprintf("labdash records %s of the class still in AWS. Clean up the class first: deleting it now would leave them with nothing to clean them up.", labs.Plural(f.Live, "resource", "resources"))
	case f.ProvisionJobs > 0 && !f.CleanedUp():
		return "The class was provisioned and has not been cleaned up since. Clean up the class first."
	}
	return ""
}

// removeClass deletes class once typed confirms it and deleteRefusal allows it,
// both decided in one transaction so a provisioning that starts meanwhile is not
// orphaned. The class's virtual students (the simulator's rehearsal) are stopped
// and the monitor forgets it.
func (s *Server) removeClass(c *gin.Context, class *db.Class, typed string) error {
	if !confirmationMatches(typed, class) {
		return errWrongDeleteName
	}
	ctx := c.Request.Context()
	err := s.store.WithTx(ctx, func(tx *db.Store) error {
		f, err := tx.ClassFootprint(ctx, class.ID)
		if err != nil {
			return err
		}
		if why := deleteRefusal(f); why != "" {
			return errorf(http.StatusConflict, "class not cleaned up", why)
		}
		if err := tx.DeleteClass(ctx, class.ID); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s; %s; regions %s; labs %s", class.Name, labs.Plural(class.Students, "student", "students"), strings.Join(class.Regions, ","), strings.Join(class.Labs, ","))
		return tx.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "class.delete", Detail: detail})
	})
	if err != nil {
		return err
	}
	if s.cleaner != nil {
		s.cleaner.Quiesce(class.ID)
	}
	if s.monitor != nil {
		s.monitor.Forget(class.ID)
	}
	return nil
}

// deleteClass is the edit page's delete form. A mistyped name or a class not yet
// cleaned up shows the edit page again with the reason (and the cleanup link).
func (s *Server) deleteClass(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	err = s.removeClass(c, class, c.PostForm("confirm"))
	var he *httpError
	if errors.As(err, &he) && (he == errWrongDeleteName || he.Status == http.StatusConflict) {
		in := classInput{Name: class.Name, Regions: class.Regions, Isolation: class.Isolation, Labs: class.Labs, AccountID: class.AccountID}
		p, perr := s.classEditPage(c.Request.Context(), c, class, in, nil)
		if perr != nil {
			s.renderError(c, perr)
			return
		}
		if he == errWrongDeleteName {
			p.DeleteError = "That is not the class's name: type " + class.Name + " (or its id, " + class.ID + ") to delete it. Nothing was deleted."
		} else if p.DeleteBlocked == "" {
			p.DeleteBlocked = he.Detail
		}
		render(c, s.log, he.Status, web.ClassEdit(p))
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	s.redirect(c, "/classes?notice=class-deleted")
}

// apiDeleteClass is DELETE /api/v1/classes/:class?confirm=<name or id>.
func (s *Server) apiDeleteClass(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.removeClass(c, class, c.Query("confirm")); err != nil {
		if errors.Is(err, errWrongDeleteName) {
			err = errorf(http.StatusUnprocessableEntity, "confirmation does not match", "pass ?confirm= with the class's name or id to delete it")
		}
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
