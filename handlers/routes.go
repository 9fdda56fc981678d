package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/labdash/labdash/static"
)

// Body limits. Forms are small; a roster upload may be large enough to be
// refused with a clear message rather than a dropped connection.
const (
	formLimit   = 1 << 20
	uploadLimit = 16 << 20
	apiLimit    = 2 << 20
)

// routes is the whole route table.
func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	_ = r.SetTrustedProxies(nil) // the client IP is the peer address; rate limits depend on it
	r.MaxMultipartMemory = 1 << 20
	r.HandleMethodNotAllowed = true
	r.Use(s.recoverPanics, s.requestID, s.accessLog, s.observe, securityHeaders, s.identify)
	r.NoRoute(s.notFound)
	r.NoMethod(s.methodNotAllowed)

	// Operations.
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(s.gather, promhttp.HandlerOpts{})))
	r.StaticFS("/static", http.FS(static.FS))

	// Sign-in and account set-up (CSRF-checked, no account needed).
	pub := r.Group("/", s.bodyLimit(formLimit), s.checkCSRF)
	pub.GET("/", s.showHome)
	pub.GET("/login", s.showLogin)
	pub.POST("/login", s.login)
	pub.GET("/setup/:token", s.showSetup)
	pub.POST("/setup/:token", s.completeSetup)

	// Student pages: the personal link is the credential.
	pub.GET("/s/:token", s.showStudentByLink)
	r.GET("/s/:token/ws", s.serveLinkWS)
	r.GET("/s/:token/console", s.openConsole)

	// Instructor and assistant pages.
	ui := r.Group("/", s.requireUserPage)
	forms := ui.Group("/", s.bodyLimit(formLimit), s.checkCSRF)
	forms.POST("/logout", s.logout)
	forms.GET("/classes", s.listClasses)
	forms.GET("/classes/new", s.showClassForm)
	forms.POST("/classes", s.createClass)
	forms.GET("/classes/:class", s.showConsole)
	forms.GET("/classes/:class/edit", s.showClassEdit)
	forms.POST("/classes/:class/edit", s.editClass)
	forms.POST("/classes/:class/delete", s.deleteClass)
	forms.GET("/classes/:class/audit", s.showAudit)
	forms.GET("/classes/:class/roster.csv", s.exportRoster)
	forms.GET("/classes/:class/students/:student", s.showStudentAsStaff)
	forms.GET("/classes/:class/labs/:lab", s.showLabHeatmap)
	forms.POST("/classes/:class/demo/reset", s.resetDemo)
	forms.POST("/classes/:class/provision", s.provisionClass)
	forms.GET("/classes/:class/cleanup", s.showCleanupPlan)
	forms.POST("/classes/:class/cleanup/run", s.runCleanup)
	forms.GET("/classes/:class/cleanup/progress", s.showCleanupProgress)
	forms.POST("/classes/:class/students/:student/deprovision", s.deprovisionStudent)
	forms.POST("/classes/:class/students/:student/actions", s.runAction)
	forms.GET("/classes/:class/students/:student/actions", s.showRehearsal)
	forms.GET("/classes/:class/provision/progress", s.showProvisionProgress)
	forms.GET("/classes/:class/sandboxes/policies", s.showPolicies)

	// Live updates (websocket; authenticated at upgrade like the page they belong to).
	ui.GET("/classes/:class/ws", s.serveClassWS)
	ui.GET("/classes/:class/students/:student/ws", s.serveStaffStudentWS)
	forms.POST("/classes/:class/students", s.addStudent)
	forms.POST("/classes/:class/students/:student/remove", s.removeStudent)
	forms.POST("/classes/:class/students/:student/link", s.issueLink)
	forms.POST("/classes/:class/students/:student/link/revoke", s.revokeLink)
	forms.POST("/classes/:class/roster/import", s.importRoster)
	forms.POST("/classes/:class/assistants", s.addAssistant)
	forms.POST("/classes/:class/assistants/:user/remove", s.removeAssistant)
	forms.GET("/shown/:id", s.showShown)
	forms.GET("/account", s.showAccount)
	forms.POST("/account/password", s.changePassword)
	forms.POST("/account/tokens", s.createToken)
	forms.POST("/account/tokens/:id/delete", s.deleteToken)
	uploads := ui.Group("/", s.bodyLimit(uploadLimit), s.checkCSRF)
	uploads.POST("/classes/:class/roster/preview", s.previewRoster)

	// JSON API (bearer token or session; see openapi.json).
	r.GET("/api/v1/openapi.json", s.openAPI)
	api := r.Group("/api/v1", s.bodyLimit(apiLimit), s.requireUserAPI, s.checkAPIOrigin)
	api.GET("/labs", s.apiListLabs)
	api.GET("/classes", s.apiListClasses)
	api.POST("/classes", s.apiCreateClass)
	api.GET("/classes/:class", s.apiShowClass)
	api.PATCH("/classes/:class", s.apiEditClass)
	api.DELETE("/classes/:class", s.apiDeleteClass)
	api.GET("/classes/:class/students", s.apiListStudents)
	api.POST("/classes/:class/students", s.apiAddStudent)
	api.DELETE("/classes/:class/students/:student", s.apiRemoveStudent)
	api.POST("/classes/:class/roster", s.apiImportRoster)
	api.GET("/classes/:class/progress", s.apiProgress)
	api.GET("/classes/:class/live", s.serveClassWS) // websocket for scripts: bearer token at upgrade
	api.POST("/classes/:class/provision", s.apiProvision)
	api.GET("/classes/:class/policies", s.apiShowPolicies)
	api.POST("/classes/:class/cleanup/plan", s.apiCleanupPlan)
	api.POST("/classes/:class/cleanup/run", s.apiCleanupRun)
	api.POST("/classes/:class/students/:student/deprovision", s.deprovisionStudent)
	api.GET("/jobs/:job", s.apiShowJob)
	return r
}
