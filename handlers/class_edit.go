package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/web"
)

// classChange is an edit of a class as the form or the API sends it; a nil field
// is left as it is.
type classChange struct {
	Name    *string   `json:"name"`
	Regions *[]string `json:"regions"`
	Labs    *[]string `json:"labs"`
}

// configLock says why a class's regions and labs cannot change any more ("" when
// they can): its sandboxes, policies and stacks were made for them. A class that
// was cleaned up since, with nothing left, may change them before it is
// provisioned again.
func configLock(f db.ClassFootprint) string {
	switch {
	case f.OpenJobs > 0:
		return "Regions and labs cannot change while a provisioning or cleanup job of the class runs."
	case f.Live > 0:
		return fmt.Sprintf("Regions and labs cannot change while the class has sandboxes: labdash records %s of the class in AWS. Clean up the class first.", labs.Plural(f.Live, "resource", "resources"))
	case f.ProvisionJobs > 0 && !f.CleanedUp():
		return "Regions and labs cannot change once the class is provisioned: its sandboxes were made for them. Clean up the class first."
	}
	return ""
}

// applyChange merges ch into class as a classInput and validates it. Regions and
// labs that would change while lock is set are refused with the lock's reason;
// sent unchanged (in any order) they are kept as they are.
func applyChange(class *db.Class, ch classChange, lock string, reg *labs.Registry) (classInput, map[string]string) {
	in := classInput{Name: class.Name, Regions: class.Regions, Isolation: class.Isolation, Labs: class.Labs, AccountID: class.AccountID, storedLabs: class.Labs}
	if ch.Name != nil {
		in.Name = *ch.Name
	}
	locked := map[string]string{}
	if ch.Regions != nil {
		if lock != "" && !sameSet(*ch.Regions, class.Regions) {
			locked["regions"] = lock
		} else {
			in.Regions = keepOrder(class.Regions, *ch.Regions)
		}
	}
	if ch.Labs != nil {
		if lock != "" && !sameSet(*ch.Labs, class.Labs) {
			locked["labs"] = lock
		} else {
			in.Labs = *ch.Labs
		}
	}
	errs := in.validate(reg)
	for k, v := range locked {
		errs[k] = v
	}
	return in, errs
}

// sameSet reports whether xs, trimmed and without blanks, holds exactly the values of want.
func sameSet(xs, want []string) bool {
	got := dedupe(xs)
	if len(got) != len(want) {
		return false
	}
	for _, x := range got {
		if !slices.Contains(want, x) {
			return false
		}
	}
	return true
}

// keepOrder is chosen in the order of current for the values it keeps, then the new
// ones in the order sent: checkboxes arrive in the form's order, and a class's
// first region (its home) must not change because a region was added. Duplicates
// are left for validate to name.
func keepOrder(current, chosen []string) []string {
	var out []string
	for _, r := range current {
		for _, x := range chosen {
			if strings.TrimSpace(x) == r {
				out = append(out, x)
			}
		}
	}
	for _, x := range chosen {
		if !slices.Contains(current, strings.TrimSpace(x)) {
			out = append(out, x)
		}
	}
	return out
}

// saveClass stores a validated change with its audit entry, saying what changed.
func (s *Server) saveClass(c *gin.Context, class *db.Class, in classInput) error {
	ctx := c.Request.Context()
	var changed []string
	if in.Name != class.Name {
		changed = append(changed, fmt.Sprintf("name %q → %q", class.Name, in.Name))
	}
	if !slices.Equal(in.Regions, class.Regions) {
		changed = append(changed, fmt.Sprintf("regions %s → %s", strings.Join(class.Regions, ", "), strings.Join(in.Regions, ", ")))
	}
	if !slices.Equal(in.Labs, class.Labs) {
		changed = append(changed, fmt.Sprintf("labs %s → %s", strings.Join(class.Labs, ", "), strings.Join(in.Labs, ", ")))
	}
	if len(changed) == 0 {
		return nil
	}
	updated := *class
	updated.Name, updated.Regions, updated.Labs = in.Name, in.Regions, in.Labs
	err := s.store.WithTx(ctx, func(tx *db.Store) error {
		// Decided again inside the transaction: a provisioning started since the
		// page was read locks the regions and labs.
		f, err := tx.ClassFootprint(ctx, class.ID)
		if err != nil {
			return err
		}
		if lock := configLock(f); lock != "" && (!slices.Equal(in.Regions, class.Regions) || !slices.Equal(in.Labs, class.Labs)) {
			return errorf(http.StatusConflict, "class is provisioned", lock)
		}
		if err := tx.UpdateClass(ctx, &updated); err != nil {
			return err
		}
		return tx.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "class.edit", Detail: strings.Join(changed, "; ")})
	})
	if err != nil {
		return err
	}
	*class = updated
	return nil
}

// classEditPage is the edit page of class showing in (as sent, or as stored) and errs.
func (s *Server) classEditPage(ctx context.Context, c *gin.Context, class *db.Class, in classInput, errs map[string]string) (web.ClassEditPage, error) {
	f, err := s.store.ClassFootprint(ctx, class.ID)
	if err != nil {
		return web.ClassEditPage{}, err
	}
	form := s.classFormPage(c, in, errs)
	form.Page = s.page(c, "Edit · "+class.Name, "classes")
	p := web.ClassEditPage{ClassFormPage: form, Class: classView(c, class), Locked: configLock(f), DeleteBlocked: deleteRefusal(f)}
	p.Class.Cleaned = cleanedText(f)
	return p, nil
}

func (s *Server) showClassEdit(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	in := classInput{Name: class.Name, Regions: class.Regions, Isolation: class.Isolation, Labs: class.Labs, AccountID: class.AccountID}
	p, err := s.classEditPage(c.Request.Context(), c, class, in, nil)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p.Saved = c.Query("notice") == "saved"
	render(c, s.log, http.StatusOK, web.ClassEdit(p))
}

// editClass saves the edit form. Disabled fields (regions and labs of a
// provisioned class) are not sent by the browser and stay as they are.
func (s *Server) editClass(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	f, err := s.store.ClassFootprint(ctx, class.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	lock := configLock(f)
	name := c.PostForm("name")
	ch := classChange{Name: &name}
	regions, regionsSent := c.GetPostFormArray("regions")
	labIDs, labsSent := c.GetPostFormArray("labs")
	if lock == "" || regionsSent {
		ch.Regions = &regions
	}
	if lock == "" || labsSent {
		ch.Labs = &labIDs
	}
	in, errs := applyChange(class, ch, lock, s.labs)
	if len(errs) == 0 {
		err = s.saveClass(c, class, in)
		var he *httpError
		if errors.As(err, &he) && he.Status == http.StatusConflict {
			errs = map[string]string{"regions": he.Detail}
		} else if err != nil {
			s.renderError(c, err)
			return
		}
	}
	if len(errs) > 0 {
		p, err := s.classEditPage(ctx, c, class, in, errs)
		if err != nil {
			s.renderError(c, err)
			return
		}
		render(c, s.log, http.StatusUnprocessableEntity, web.ClassEdit(p))
		return
	}
	s.redirect(c, "/classes/"+class.ID+"/edit?notice=saved")
}

// apiEditClass is PATCH /api/v1/classes/:class: the fields sent change, the others stay.
func (s *Server) apiEditClass(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	var ch classChange
	if err := decodeJSON(c, &ch); err != nil {
		s.renderError(c, err)
		return
	}
	f, err := s.store.ClassFootprint(c.Request.Context(), class.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	lock := configLock(f)
	in, errs := applyChange(class, ch, lock, s.labs)
	if len(errs) > 0 {
		if lock != "" && (errs["regions"] == lock || errs["labs"] == lock) {
			s.renderError(c, errorf(http.StatusConflict, "class is provisioned", lock))
			return
		}
		s.renderError(c, validationError(errs))
		return
	}
	if err := s.saveClass(c, class, in); err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIClass(c, class))
}
