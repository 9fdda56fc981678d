package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/sandbox"
	"github.com/labdash/labdash/web"
)

// Provisioner starts or resumes a class's provisioning job in the background.
type Provisioner interface {
	StartProvisioning(ctx context.Context, classID string) (*db.Job, error)
	// Deprovision removes one student's sandbox and reports how many of their own
	// resources remain for the class cleanup.
	Deprovision(ctx context.Context, classID, slug string) (int, error)
}

// WithProvisioner connects sandbox provisioning; without it the routes say it is off.
func (s *Server) WithProvisioner(p Provisioner) { s.provisioner = p }

var errNoProvisioner = errorf(http.StatusNotImplemented, "provisioning off", "this labdash has no provider to provision sandboxes with")

// provisionClass starts or resumes provisioning from the console.
func (s *Server) provisionClass(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if _, err := s.startProvisioning(c, class); err != nil {
		s.renderError(c, err)
		return
	}
	s.redirect(c, "/classes/"+class.ID+"#sandboxes")
}

// errNoStudents refuses to provision a class with an empty roster: it would make
// no sandbox and report "0 of 0 ready".
var errNoStudents = errorf(http.StatusUnprocessableEntity, "no students", "Add students first: provisioning makes one sandbox per student on the roster, and this class has none yet.")

func (s *Server) startProvisioning(c *gin.Context, class *db.Class) (*db.Job, error) {
	if s.provisioner == nil {
		return nil, errNoProvisioner
	}
	if class.Students == 0 {
		return nil, errNoStudents
	}
	job, err := s.provisioner.StartProvisioning(c.Request.Context(), class.ID)
	if err != nil {
		var he *httpError
		if errors.As(err, &he) {
			return nil, err
		}
		return nil, &httpError{Status: http.StatusUnprocessableEntity, Msg: "cannot provision", Detail: err.Error(), Err: err}
	}
	if err := s.store.Audit(c.Request.Context(), db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "provision.start", Detail: fmt.Sprintf("job %d", job.ID)}); err != nil {
		return nil, err
	}
	return job, nil
}

// showProvisionProgress is the sandboxes panel, polled by the console while a job
// runs. It is built as the console builds it (provisionView), so the poll that
// swaps it in shows the same actions as the page did.
func (s *Server) showProvisionProgress(c *gin.Context) {
	class, err := s.classFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	v, err := s.provisionView(c, class)
	if err != nil {
		s.renderError(c, err)
		return
	}
	render(c, s.log, http.StatusOK, web.Sandboxes(v))
}

// provisionView summarises the class's latest provisioning job for the console and
// for its poll: progress, each student by name, the actions the user may take, and,
// once a whole-class cleanup finished after it, that the sandboxes are gone.
func (s *Server) provisionView(c *gin.Context, class *db.Class) (web.SandboxView, error) {
	ctx := c.Request.Context()
	v := web.SandboxView{ClassID: class.ID, Enabled: s.provisioner != nil, CSRF: s.csrfToken(c), CanEdit: canEdit(c, class),
		Students: class.Students, Sim: s.cfg.Cloud == "sim"}
	f, err := s.store.ClassFootprint(ctx, class.ID)
	if err != nil {
		return v, err
	}
	if f.CleanedUp() {
		v.CleanedUp, v.CleanedAt, v.Verified = true, fmtTime(f.CleanedAt), f.CleanupOutcome == db.OutcomeVerified
	}
	job, err := s.store.LatestJob(ctx, class.ID, "provision")
	if errors.Is(err, db.ErrNotFound) {
		return v, nil
	}
	if err != nil {
		return v, err
	}
	students, err := s.store.Students(ctx, class.ID)
	if err != nil {
		return v, err
	}
	names := make(map[string]string, len(students))
	for _, st := range students {
		names[st.Slug] = st.Name
	}
	counts := job.Counts()
	v.HasJob, v.JobID, v.State, v.Error = true, job.ID, job.State, job.Error
	v.Total, v.Done, v.Failed = len(job.Items), counts[db.ItemDone], counts[db.ItemFailed]
	v.Running = job.State == db.JobQueued || job.State == db.JobRunning
	if v.Total > 0 {
		v.Percent = 100 * (v.Done + v.Failed) / v.Total
	}
	if v.Running {
		v.ETA = provisionETA(job, time.Now())
	}
	for _, it := range job.Items {
		name := names[it.Key]
		if it.Key == sandbox.EventsItem { // the class's own item, not a student's
			name = "Class event mode (EventBridge rules → SQS)"
		}
		v.Items = append(v.Items, web.SandboxItem{Student: it.Key, Name: name, State: it.State, Step: it.Step, Detail: it.Detail})
	}
	return v, nil
}

type apiJob struct {
	ID        int64          `json:"id"`
	Class     string         `json:"class"`
	Kind      string         `json:"kind"`
	State     string         `json:"state"`
	Error     string         `json:"error,omitempty"`
	Outcome   string         `json:"outcome,omitempty"` // cleanup: "verified" or "not verified" once done
	Verified  bool           `json:"verified"`          // cleanup: done, and a fresh sweep that read everything found nothing left
	PlanHash  string         `json:"plan,omitempty"`    // cleanup: the confirmed plan
	Counts    map[string]int `json:"counts"`
	Items     []apiJobItem   `json:"items"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

type apiJobItem struct {
	Key    string `json:"key"`
	State  string `json:"state"`
	Step   string `json:"step"`
	Detail string `json:"detail"`
}

func toAPIJob(j *db.Job) apiJob {
	out := apiJob{ID: j.ID, Class: j.ClassID, Kind: j.Kind, State: j.State, Error: j.Error, Outcome: j.Outcome, Verified: j.Outcome == db.OutcomeVerified,
		PlanHash: j.PlanHash, Counts: j.Counts(), CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, Items: []apiJobItem{}}
	for _, it := range j.Items {
		out.Items = append(out.Items, apiJobItem{Key: it.Key, State: it.State, Step: it.Step, Detail: it.Detail})
	}
	return out
}

func (s *Server) apiProvision(c *gin.Context) {
	class, err := s.classFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	job, err := s.startProvisioning(c, class)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Location", fmt.Sprintf("/api/v1/jobs/%d", job.ID))
	c.JSON(http.StatusAccepted, toAPIJob(job))
}

// apiShowJob reports a job to anyone who may see its class.
func (s *Server) apiShowJob(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("job"), 10, 64)
	if err != nil {
		s.renderError(c, errNotFound)
		return
	}
	job, err := s.store.Job(c.Request.Context(), id)
	if err != nil {
		s.renderError(c, err)
		return
	}
	acc, err := s.store.ClassAccess(c.Request.Context(), currentUser(c), job.ClassID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if acc == db.AccessNone {
		s.renderError(c, errNotFound)
		return
	}
	c.JSON(http.StatusOK, toAPIJob(job))
}

// deprovisionStudent removes one student's sandbox (page and API).
func (s *Server) deprovisionStudent(c *gin.Context) {
	class, st, err := s.studentFor(c, true)
	if err != nil {
		s.renderError(c, err)
		return
	}
	if s.provisioner == nil {
		s.renderError(c, errNoProvisioner)
		return
	}
	left, err := s.provisioner.Deprovision(c.Request.Context(), class.ID, st.Slug)
	if err != nil {
		s.renderError(c, &httpError{Status: http.StatusBadGateway, Msg: "deprovisioning failed", Detail: err.Error(), Err: err})
		return
	}
	detail := fmt.Sprintf("removed the sandbox of %s; %d resource(s) the student created remain for the class cleanup", st.Slug, left)
	if err := s.store.Audit(c.Request.Context(), db.AuditEntry{ClassID: class.ID, Actor: actor(c), Action: "deprovision.student", Detail: detail}); err != nil {
		s.renderError(c, err)
		return
	}
	if isAPI(c) {
		c.JSON(http.StatusOK, gin.H{"student": st.Slug, "remaining": left, "detail": detail})
		return
	}
	s.redirect(c, "/classes/"+class.ID+"?notice=deprovisioned")
}

// provisionETA says how long a running provisioning job has left from its pace so
// far: "about 10 min left", "finishing…" once less than a second's work (or none)
// remains, and "" until an item has finished. It never says "0s left".
func provisionETA(job *db.Job, now time.Time) string {
	counts := job.Counts()
	finished := counts[db.ItemDone] + counts[db.ItemFailed]
	switch {
	case finished == 0:
		return ""
	case finished >= len(job.Items):
		return "finishing…"
	}
	per := now.Sub(job.CreatedAt) / time.Duration(finished)
	left := per * time.Duration(len(job.Items)-finished)
	if left < time.Second {
		return "finishing…"
	}
	return "about " + labs.Duration(left) + " left"
}
