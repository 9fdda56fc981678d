package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/web"
)

func (s *Server) showConsole(c *gin.Context) {
	class, err := s.classFor(c, false)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p, err := s.consolePage(c.Request.Context(), c, class)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p.Notice = noticeText(c.Query("notice"))
	render(c, s.log, http.StatusOK, web.Console(p))
}

// noticeText maps the fixed notices redirects may carry; anything else shows nothing.
func noticeText(key string) string {
	return map[string]string{
		"removed":           "Student removed.",
		"revoked":           "Personal link revoked: it no longer opens the student's page.",
		"assistant-added":   "Assistant added. They see this class read-only.",
		"assistant-removed": "Assistant removed.",
		"deprovisioned":     "The student's sandbox was removed; what they built themselves stays for the class cleanup (see the audit log).",
	}[key]
}
