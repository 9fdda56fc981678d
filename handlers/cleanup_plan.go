package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/labs/cleanup/resources"
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
	v, err := s.cleanupPlanPage(c, class, student)
	if err != nil {
		s.renderError(c, err)
		return
	}
	v.Changed = c.Query("notice") == noticePlanChanged
	render(c, s.log, http.StatusOK, web.CleanupPlanView(v))
}

// cleanupPlanPage plans the cleanup of class (or of one student of it) and shapes
// it for the plan page: by student, then by resource type, with why each region
// is read.
func (s *Server) cleanupPlanPage(c *gin.Context, class *db.Class, student string) (web.CleanupPlanPage, error) {
	plan, err := s.cleanupPlan(c, class, student)
	if err != nil {
		return web.CleanupPlanPage{}, err
	}
	sts, err := s.store.Students(c.Request.Context(), class.ID)
	if err != nil {
		return web.CleanupPlanPage{}, err
	}
	names := map[string]string{}
	for _, st := range sts {
		names[st.Slug] = st.Name
	}
	title := "Clean up " + class.Name
	scopeName := ""
	if student != "" {
		scopeName = studentLabel(names, student)
		title = "Clean up " + scopeName + " of " + class.Name
	}
	v := web.CleanupPlanPage{Page: s.page(c, title, "classes"), Class: classView(c, class), Student: student, StudentName: scopeName,
		Hash: plan.Hash, Account: plan.Account, Total: len(plan.Items), HourlyUSD: fmt.Sprintf("%.2f", plan.HourlyUSD),
		Students: planByStudent(plan.Items, names), Regions: planRegions(s.labs, class, plan)}
	v.PrivateCAs, v.PrivateCAMonthlyUSD = privateCANote(plan)
	for _, it := range plan.Skipped {
		v.Skipped = append(v.Skipped, web.CleanupSkip{ARN: it.ARN, Type: it.Type, Student: studentLabel(names, it.Student), Reason: it.Reason})
	}
	for _, g := range plan.Unchecked {
		v.Unchecked = append(v.Unchecked, g.String())
	}
	return v, nil
}

// privateCANote is how many private CAs the plan deletes and what they bill a
// month together ("800"), for the note above the list; 0 and "" without any.
func privateCANote(plan *cleanup.Plan) (int, string) {
	n, usd := plan.PrivateCAs()
	if n == 0 {
		return 0, ""
	}
	return n, fmt.Sprintf("%.0f", usd)
}

// studentLabel names a student for the plan ("Ada Zephyrine (s01)"); "" is the
// class's own resources, and a slug no longer on the roster shows as itself.
func studentLabel(names map[string]string, slug string) string {
	switch name, ok := names[slug]; {
	case slug == "":
		return "Class-wide"
	case ok && name != "":
		return name + " (" + slug + ")"
	default:
		return slug
	}
}

// planByStudent groups plan items by student (class-wide first, then by name) and
// within a student by resource type, keeping each resource's ARN and region.
func planByStudent(items []cleanup.Item, names map[string]string) []web.CleanupStudent {
	byStudent := map[string]*web.CleanupStudent{}
	byType := map[[2]string]*web.CleanupType{}
	var order []string
	for _, it := range items {
		st := byStudent[it.Student]
		if st == nil {
			st = &web.CleanupStudent{Slug: it.Student, Label: studentLabel(names, it.Student)}
			byStudent[it.Student] = st
			order = append(order, it.Student)
		}
		st.Count++
		st.HourlyUSD += it.HourlyUSD
		k := [2]string{it.Student, it.Type}
		ty := byType[k]
		if ty == nil {
			ty = &web.CleanupType{Type: it.Type}
			byType[k] = ty
		}
		ty.Count++
		ty.HourlyUSD += it.HourlyUSD
		ty.Items = append(ty.Items, web.CleanupResource{ARN: it.ARN, Region: regionLabel(it.Region)})
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if (a == "") != (b == "") {
			return a == "" // the class's own resources first
		}
		if na, nb := strings.ToLower(names[a]), strings.ToLower(names[b]); na != nb {
			return na < nb
		}
		return a < b
	})
	out := make([]web.CleanupStudent, 0, len(order))
	for _, slug := range order {
		st := byStudent[slug]
		for k, ty := range byType {
			if k[0] == slug {
				st.Types = append(st.Types, *ty)
			}
		}
		sort.Slice(st.Types, func(i, j int) bool { return st.Types[i].Type < st.Types[j].Type })
		out = append(out, *st)
	}
	return out
}

func regionLabel(r string) string {
	if r == "" {
		return "global"
	}
	return r
}

// planRegions says why each region of the plan is read or holds a resource: one
// of the class's regions, the only region a resource type's API is served from
// (Global Accelerator's us-west-2), or — neither — only because a resource of the
// class was found there.
func planRegions(registry *labs.Registry, class *db.Class, plan *cleanup.Plan) []web.CleanupRegion {
	var out []web.CleanupRegion
	seen := map[string]bool{}
	add := func(region, why string) {
		if !seen[region] {
			seen[region] = true
			out = append(out, web.CleanupRegion{Region: region, Why: why})
		}
	}
	for _, r := range class.Regions {
		add(r, "one of the class's regions ("+strings.Join(class.Regions, ", ")+")")
	}
	homes := map[string][]string{} // region → the services served only from there
	var homeRegions []string
	if registry != nil {
		types := make([]string, 0)
		for n := range cleanup.ClassTypes(registry, class) {
			types = append(types, n)
		}
		sort.Strings(types)
		for _, n := range types {
			t, ok := resources.Lookup(n)
			if !ok || t.Home == "" {
				continue
			}
			if homes[t.Home] == nil {
				homeRegions = append(homeRegions, t.Home)
			}
			if svc := serviceName(n); !slices.Contains(homes[t.Home], svc) {
				homes[t.Home] = append(homes[t.Home], svc)
			}
		}
	}
	for _, r := range homeRegions {
		add(r, "the only region "+joinAnd(homes[r])+" is served from (a lab of the class uses it)")
	}
	found := map[string]bool{}
	for _, it := range plan.Items {
		found[it.Region] = true
	}
	var rest []string
	for r := range found {
		if r != "" && !seen[r] {
			rest = append(rest, r)
		}
	}
	sort.Strings(rest)
	for _, r := range rest {
		add(r, "not one of the class's regions: listed only because a resource of the class was found there")
	}
	if found[""] {
		add("global", "resources with no region (IAM, Route 53), read once through "+class.Regions[0])
	}
	return out
}

// serviceName is a resource type's service in words: "AWS::GlobalAccelerator::Accelerator"
// is "Global Accelerator".
func serviceName(typ string) string {
	parts := strings.Split(typ, "::")
	if len(parts) < 2 {
		return typ
	}
	var b strings.Builder
	svc := parts[1]
	for i, r := range svc {
		if i > 0 && unicode.IsUpper(r) && !unicode.IsUpper(rune(svc[i-1])) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// joinAnd lists words for a sentence: "a", "a and b", "a, b and c".
func joinAnd(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
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
