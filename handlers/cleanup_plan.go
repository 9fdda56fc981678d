package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/web"
)

// CleanupPlanner builds a class's cleanup plan (a dry run), or one student's.
type CleanupPlanner interface {
	PlanFor(ctx context.Context, classID, student string) (*cleanup.Plan, error)
}

// WithCleanupPlanner connects the cleanup planner.
func (s *Server) WithCleanupPlanner(p CleanupPlanner) { s.planner = p }

var errNoPlanner = errorf(http.StatusNotImplemented, "cleanup off", "this labdash has no provider to plan a cleanup with")

// cleanupScope checks the optional student a cleanup is limited to: "" (the whole
// class) or a slug on the class's roster.
func (s *Server) cleanupScope(c *gin.Context, class *db.Class, student string) (string, error) {
	student = strings.TrimSpace(student)
	if student == "" {
		return "", nil
	}
	if !studentSlugRE.MatchString(student) {
		return "", errorf(http.StatusUnprocessableEntity, "invalid input", fmt.Sprintf("student: %q is not a student id such as s07", clip(student, 40)))
	}
	if _, err := s.store.Student(c.Request.Context(), class.ID, student); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return "", errorf(http.StatusNotFound, "no such student", fmt.Sprintf("class %s has no student %s", class.ID, student))
		}
		return "", err
	}
	return student, nil
}

var studentSlugRE = regexp.MustCompile(`^s[0-9]{2,4}$`)

func (s *Server) cleanupPlan(c *gin.Context, class *db.Class, student string) (*cleanup.Plan, error) {
	if s.planner == nil {
		return nil, errNoPlanner
	}
	plan, err := s.planner.PlanFor(c.Request.Context(), class.ID, student)
	if err != nil {
		return nil, &httpError{Status: http.StatusBadGateway, Msg: "cleanup plan failed", Detail: err.Error(), Err: err}
	}
	return plan, nil
}

// showCleanupPlan is the console's "Clean up class" page: the dry run, readable
// first. It is a GET and changes nothing: no audit row, and the class's virtual
// students keep working (only the confirmation stops them, runCleanup), so what it
// shows may change before the instructor confirms; the confirmation re-plans and
// refuses a changed plan.
func (s *Server) showCleanupPlan(c *gin.Context) {
	class, err := s.classFor(c, true) // only the instructor cleans up; assistants never do
	if err != nil {
		s.renderError(c, err)
		return
	}
	student, err := s.cleanupScope(c, class, c.Query("student"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	plan, err := s.cleanupPlan(c, class, student)
	if err != nil {
		s.renderError(c, err)
		return
	}
	title := "Clean up " + class.Name
	if student != "" {
		title = "Clean up " + student + " of " + class.Name
	}
	v := web.CleanupPlanPage{Page: s.page(c, title, "classes"), Class: classView(c, class), Student: student, Hash: plan.Hash, Account: plan.Account,
		Regions: fmt.Sprint(plan.Regions), Total: len(plan.Items), HourlyUSD: fmt.Sprintf("%.2f", plan.HourlyUSD),
		Changed: c.Query("notice") == noticePlanChanged}
	groups := map[[3]string]*web.CleanupGroup{}
	for _, it := range plan.Items {
		k := [3]string{it.Student, it.Type, it.Region}
		g := groups[k]
		if g == nil {
			g = &web.CleanupGroup{Student: it.Student, Type: it.Type, Region: it.Region}
			groups[k] = g
		}
		g.Count++
		g.HourlyUSD += it.HourlyUSD
	}
	for _, g := range groups {
		v.Groups = append(v.Groups, *g)
	}
	sort.Slice(v.Groups, func(i, j int) bool {
		a, b := v.Groups[i], v.Groups[j]
		if a.Student != b.Student {
			return a.Student < b.Student
		}
		return a.Type < b.Type
	})
	for _, it := range plan.Skipped {
		v.Skipped = append(v.Skipped, web.CleanupSkip{ARN: it.ARN, Type: it.Type, Student: it.Student, Reason: it.Reason})
	}
	for _, g := range plan.Unchecked {
		v.Unchecked = append(v.Unchecked, g.String())
	}
	render(c, s.log, http.StatusOK, web.CleanupPlanView(v))
}

func (s *Server) apiCleanupPlan(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	student, err := s.cleanupScope(c, class, c.Query("student"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	plan, err := s.cleanupPlan(c, class, student)
	if err != nil {
		s.renderError(c, err)
		return
	}
	// Recorded, so that a confirmation of this hash against a changed class names
	// what changed, and audited as the CLI's `labdash cleanup plan` is: a script
	// has been handed a hash it can confirm. (The HTML plan page records nothing.)
	ctx := c.Request.Context()
	err = s.store.WithTx(ctx, func(tx *db.Store) error {
		if err := tx.SaveCleanupPlan(ctx, class.ID, student, plan.Hash, plan.ARNs()); err != nil {
			return err
		}
		return tx.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "cleanup.plan",
			Detail: fmt.Sprintf("plan %s%s: %d to delete, %d skipped, %d not checked, $%.2f/h", plan.Hash, scopeNote(student), len(plan.Items), len(plan.Skipped), len(plan.Unchecked), plan.HourlyUSD)})
	})
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, plan)
}

func scopeNote(student string) string {
	if student == "" {
		return ""
	}
	return " (student " + student + " only)"
}
