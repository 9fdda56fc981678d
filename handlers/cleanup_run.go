package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cleanup"
	"github.com/labdash/labdash/web"
)

// CleanupRunner confirms a plan and runs its cleanup job in the background.
type CleanupRunner interface {
	// ConfirmCleanup binds the cleanup of a class (student "") or of one of its
	// students to the plan's hash and the typed class name, and starts it.
	ConfirmCleanup(ctx context.Context, classID, student, hash, typedName string) (*db.Job, error)
	// Quiesce stops, for good, what keeps changing a class's resources that labdash
	// controls (the rehearsal's virtual students). Only a confirmation calls it,
	// before ConfirmCleanup re-plans: a GET of the plan page must leave the
	// rehearsal running.
	Quiesce(classID string)
}

// noticePlanChanged is the plan page's notice after a confirmation that found the
// plan changed (runCleanup redirects there).
const noticePlanChanged = "plan-changed"

var errWrongName = errorf(http.StatusUnprocessableEntity, "confirmation does not match", "confirm: type the class's name or its id to confirm the cleanup")

// confirmationMatches reports whether typed names class: its name or its id, in
// any case, with spaces, dashes and underscores alike and ignored at the ends
// ("Spring Cohort", "spring-cohort", "SPRING_COHORT"). Anything else, a near
// miss included, is no confirmation.
func confirmationMatches(typed string, class *db.Class) bool {
	t := confirmationKey(typed)
	return t != "" && (t == confirmationKey(class.Name) || t == confirmationKey(class.ID))
}

// confirmationKey lower-cases s and turns every run of spaces, dashes and
// underscores into one dash, trimmed at both ends.
func confirmationKey(s string) string {
	sep := func(r rune) bool { return unicode.IsSpace(r) || r == '-' || r == '_' }
	return strings.ToLower(strings.Join(strings.FieldsFunc(s, sep), "-"))
}

// wrongConfirmation is the plan page's message for a confirmation that did not
// match, naming what was typed.
func wrongConfirmation(typed string, class *db.Class) string {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return "Type the class's name, " + class.Name + ", or its id, " + class.ID + ", to confirm. Nothing was deleted."
	}
	return fmt.Sprintf("%q is not this class's name (%s) or id (%s), so nothing was deleted. Check the spelling and confirm again.", clip(typed, 80), class.Name, class.ID)
}

// WithCleanupRunner connects cleanup execution.
func (s *Server) WithCleanupRunner(r CleanupRunner) { s.cleaner = r }

func (s *Server) confirmCleanup(c *gin.Context, class *db.Class, student, hash, typed string) (*db.Job, error) {
	if s.cleaner == nil {
		return nil, errNoPlanner
	}
	student, err := s.cleanupScope(c, class, student)
	if err != nil {
		return nil, err
	}
	if !confirmationMatches(typed, class) {
		return nil, errWrongName // a mistyped name stops nothing
	}
	// The instructor means it: stop the virtual students first, so that the plan
	// ConfirmCleanup makes now (and the job deletes) is one nothing of labdash's
	// changes any more. A plan read while they still worked is then usually not
	// this one: the answer is "plan changed", and the plan shown again holds still.
	s.cleaner.Quiesce(class.ID)
	// The executor checks the name too (the CLI's confirmation has no other
	// check): what was typed matched, so it is handed the name itself.
	job, err := s.cleaner.ConfirmCleanup(c.Request.Context(), class.ID, student, hash, class.Name)
	switch {
	case errors.Is(err, cleanup.ErrWrongName):
		return nil, errWrongName
	case errors.Is(err, cleanup.ErrPlanChanged):
		detail := "the class's resources changed since the plan was shown; nothing was deleted: review the new plan and confirm again"
		var pc *cleanup.PlanChangedError
		if errors.As(err, &pc) && pc.Known {
			detail = strings.TrimPrefix(pc.Error(), "cleanup: ") + "; review the new plan and confirm again"
		}
		return nil, &httpError{Status: http.StatusConflict, Msg: "plan changed", Detail: detail, Err: err}
	case errors.Is(err, cleanup.ErrJobOpen):
		detail := strings.TrimPrefix(err.Error(), "cleanup: ")
		var open *cleanup.JobOpenError
		if errors.As(err, &open) && open.ID != 0 {
			detail = fmt.Sprintf("cleanup job %d of this class (plan %s) is already %s, so this confirmation started nothing; it resumes rather than starting again: follow it at /classes/%s/cleanup/progress",
				open.ID, open.PlanHash, open.State, class.ID)
			if isAPI(c) {
				c.Header("Location", fmt.Sprintf("/api/v1/jobs/%d", open.ID))
			}
		}
		return nil, &httpError{Status: http.StatusConflict, Msg: "cleanup already running", Detail: detail, Err: err}
	case err != nil:
		return nil, err
	}
	return job, nil
}

// runCleanup is the plan page's typed confirmation. A plan that changed since it
// was shown (virtual students still working until this confirmation stopped them,
// say) deletes nothing and sends the instructor back to the plan as it is now.
func (s *Server) runCleanup(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	student, typed := c.PostForm("student"), c.PostForm("confirm")
	_, err = s.confirmCleanup(c, class, student, c.PostForm("hash"), typed)
	switch {
	case errors.Is(err, errWrongName):
		// Nothing was stopped or deleted: the plan again, as it is now, with the
		// field's error and what was typed, so the instructor corrects it in place.
		scope, _ := s.cleanupScope(c, class, student) // checked by confirmCleanup already
		v, err := s.cleanupPlanPage(c, class, scope)
		if err != nil {
			s.renderError(c, err)
			return
		}
		v.Confirm, v.ConfirmError = typed, wrongConfirmation(typed, class)
		render(c, s.log, http.StatusUnprocessableEntity, web.CleanupPlanView(v))
		return
	case errors.Is(err, cleanup.ErrPlanChanged):
		// Nothing was deleted: show the plan as it is now, saying why.
		to := "/classes/" + class.ID + "/cleanup?notice=" + noticePlanChanged
		if student = strings.TrimSpace(student); student != "" {
			to += "&student=" + url.QueryEscape(student)
		}
		s.redirect(c, to)
		return
	case err != nil:
		s.renderError(c, err)
		return
	}
	s.redirect(c, "/classes/"+class.ID+"/cleanup/progress")
}

// showCleanupProgress shows the latest cleanup job: bar, counts, per-resource events
// and, when done, the verification report. It polls itself while the job runs.
func (s *Server) showCleanupProgress(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	job, err := s.store.LatestJob(c.Request.Context(), class.ID, cleanup.JobKind)
	if errors.Is(err, db.ErrNotFound) {
		s.redirect(c, "/classes/"+class.ID+"/cleanup") // nothing confirmed yet: show the plan
		return
	}
	if err != nil {
		s.renderError(c, err)
		return
	}
	counts := job.Counts()
	v := web.CleanupProgressPage{Page: s.page(c, "Cleaning up "+class.Name, "classes"), Class: classView(c, class), JobID: job.ID, State: job.State, Student: job.Scope,
		Report: job.Error, Verified: job.Outcome == db.OutcomeVerified, Total: len(job.Items), Done: counts[db.ItemDone], Failed: counts[db.ItemFailed],
		Running: job.State == db.JobQueued || job.State == db.JobRunning}
	if v.Total > 0 {
		v.Percent = 100 * (v.Done + v.Failed) / v.Total
	} else if !v.Running {
		v.Percent = 100 // nothing to delete: done at once
	}
	if v.Running {
		v.ETA = cleanupETA(job, time.Now())
	} else {
		v.Page.Title = "Cleanup done · " + class.Name
		if job.State == db.JobFailed {
			v.Page.Title = "Cleanup failed · " + class.Name
		}
	}
	names := map[string]string{}
	if sts, err := s.store.Students(c.Request.Context(), class.ID); err == nil {
		for _, st := range sts {
			names[st.Slug] = st.Name
		}
	}
	if job.Scope != "" {
		v.StudentName = studentLabel(names, job.Scope)
	}
	for _, it := range job.Items {
		if it.State == db.ItemPending {
			continue
		}
		var ci cleanup.Item
		_ = json.Unmarshal([]byte(it.Payload), &ci) // an unreadable payload shows the ARN alone
		v.Events = append(v.Events, web.CleanupEvent{ARN: it.Key, Student: studentLabel(names, ci.Student), Type: ci.Type,
			State: it.State, Step: it.Step, Detail: it.Detail, At: fmtTime(it.UpdatedAt)})
	}
	if c.GetHeader("HX-Request") == "true" {
		render(c, s.log, http.StatusOK, web.CleanupProgressSwap(v))
		return
	}
	render(c, s.log, http.StatusOK, web.CleanupProgressView(v))
}

// etaGap is the longest pause between two finished resources that counts as
// working time: a longer one (the process was down, the job resumed) counts as
// the pace so far, so a resumed job is not estimated from the hours it stood still.
const etaGap = 2 * time.Minute

// etaAfter is how many resources must have finished before the page estimates.
const etaAfter = 5

// cleanupETA says how long a running cleanup has left, at its pace over the whole
// run so far: resources finished per minute of working time, so the estimate
// does not jump about with each resource's own time; a slow resource (a Global
// Accelerator waiting to be disabled) slows the pace gradually, poll by poll. It is in whole minutes ("about 3 min left", "under a minute
// left"), says "finishing…" once every resource is done (the verification sweep
// runs), and "working out the time left…" until etaAfter have finished.
func cleanupETA(job *db.Job, now time.Time) string {
	var ends []time.Time
	for _, it := range job.Items {
		if it.State == db.ItemDone || it.State == db.ItemFailed {
			ends = append(ends, it.UpdatedAt)
		}
	}
	left := len(job.Items) - len(ends)
	switch {
	case left <= 0:
		return "finishing…"
	case len(ends) < etaAfter && len(ends) < len(job.Items)/2:
		return "working out the time left…" // one or two resources are no pace yet
	}
	slices.SortFunc(ends, func(a, b time.Time) int { return a.Compare(b) })
	busy, prev := time.Duration(0), job.CreatedAt
	for i, t := range ends {
		gap := t.Sub(prev)
		if gap > etaGap && i > 0 {
			gap = busy / time.Duration(i) // stood still: count it at the pace so far
		}
		if gap > 0 {
			busy += gap
		}
		if t.After(prev) {
			prev = t
		}
	}
	per := busy / time.Duration(len(ends))
	// Waiting longer than the pace for the next resource slows the pace from then
	// on, a little at each poll; waiting less changes nothing, so an even run's
	// estimate only ever goes down.
	if since := min(now.Sub(prev), etaGap); since > per {
		per = (busy + since - per) / time.Duration(len(ends))
	}
	rest := per * time.Duration(left)
	if rest < time.Minute {
		return "under a minute left"
	}
	return "about " + labs.Duration(rest.Round(time.Minute)) + " left"
}

type cleanupRunInput struct {
	Hash    string `json:"hash"`
	Confirm string `json:"confirm"`
	Student string `json:"student"`
}

func (s *Server) apiCleanupRun(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	var in cleanupRunInput
	if err := decodeJSON(c, &in); err != nil {
		s.renderError(c, err)
		return
	}
	if strings.TrimSpace(in.Hash) == "" {
		s.renderError(c, errorf(http.StatusUnprocessableEntity, "invalid input", "hash: the plan's hash is required (POST …/cleanup/plan first)"))
		return
	}
	job, err := s.confirmCleanup(c, class, in.Student, in.Hash, in.Confirm)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Location", fmt.Sprintf("/api/v1/jobs/%d", job.ID))
	c.JSON(http.StatusAccepted, toAPIJob(job))
}
