package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

type apiLab struct {
	ID                    string `json:"id"`
	Title                 string `json:"title"`
	Summary               string `json:"summary"`
	Order                 int    `json:"order"`
	AccountPerStudentOnly bool   `json:"account_per_student_only"`
	Why                   string `json:"why,omitempty"`
	// Built: labdash checks this lab's progress (checkpoints, live view, virtual
	// students); false for a lab that is listed but not built yet.
	Built bool `json:"built"`
}

func (s *Server) apiListLabs(c *gin.Context) {
	all := s.labs.All()
	out := make([]apiLab, len(all))
	for i, l := range all {
		out[i] = apiLab{ID: l.ID, Title: l.Title, Summary: l.Summary, Order: l.Order, AccountPerStudentOnly: l.AccountPerStudentOnly, Why: l.Why, Built: l.Built()}
	}
	c.JSON(http.StatusOK, gin.H{"labs": out})
}
