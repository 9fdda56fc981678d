package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

type apiResult struct {
	Lab         string     `json:"lab"`
	Checkpoint  string     `json:"checkpoint"`
	Status      string     `json:"status"`
	Evidence    string     `json:"evidence"`
	FirstPassAt *time.Time `json:"first_pass_at"`
	CheckedAt   time.Time  `json:"checked_at"`
}

type apiProgressStudent struct {
	ID      string      `json:"id"`
	Name    string      `json:"name"`
	Results []apiResult `json:"results"`
}

// apiProgress returns every stored checkpoint result of the class, per student.
func (s *Server) apiProgress(c *gin.Context) {
	class, err := s.classFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	ctx := c.Request.Context()
	students, err := s.store.Students(ctx, class.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	results, err := s.store.ClassResults(ctx, class.ID)
	if err != nil {
		s.renderError(c, err)
		return
	}
	byStudent := map[int64][]apiResult{}
	for _, r := range results {
		ar := apiResult{Lab: r.Lab, Checkpoint: r.Checkpoint, Status: r.Status, Evidence: r.Evidence, CheckedAt: r.CheckedAt}
		if !r.FirstPassAt.IsZero() {
			t := r.FirstPassAt
			ar.FirstPassAt = &t
		}
		byStudent[r.StudentID] = append(byStudent[r.StudentID], ar)
	}
	out := make([]apiProgressStudent, len(students))
	for i, st := range students {
		rs := byStudent[st.ID]
		if rs == nil {
			rs = []apiResult{}
		}
		out[i] = apiProgressStudent{ID: st.Slug, Name: st.Name, Results: rs}
	}
	c.JSON(http.StatusOK, gin.H{
		"class":    class.ID,
		"labs":     nonNil(class.Labs),
		"students": out,
		"monitor":  s.monitorStatus(class.Labs),
	})
}

// monitorStatus says, in a sentence, whether results are being produced for
// these labs: the monitor on or off, and the labs whose checks are not built.
func (s *Server) monitorStatus(labIDs []string) string {
	if s.monitor == nil {
		return "off: this labdash runs without the live monitor, so no results are added"
	}
	var unbuilt []string
	for _, id := range labIDs {
		if lab, ok := s.labs.Lab(id); !ok || !lab.Built() {
			unbuilt = append(unbuilt, id)
		}
	}
	msg := "running: each cycle judges every student's checkpoints and stores the results"
	if len(unbuilt) > 0 {
		msg += "; no checks are built yet for " + strings.Join(unbuilt, ", ") + ", so those labs have no results"
	}
	return msg
}
