// Package handlers is labdash's HTTP surface: the gin engine, HTML pages rendered
// with templ, the JSON API under /api/v1, authentication, CSRF and operations
// endpoints. Handlers are thin: they read input, make one call into db or labs,
// and render. Every route is listed in routes.go.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers/live"
	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/monitor"
)

// Config is what the HTTP layer needs to know about the deployment.
type Config struct {
	// Cloud is "sim" or "aws"; pages label the simulated mode.
	Cloud string
	// BaseURL, when set, prefixes personal and setup links (e.g. https://labs.example.edu);
	// otherwise links use the request's scheme and host.
	BaseURL string
	// SecureCookies forces the Secure cookie attribute (set it behind a TLS proxy).
	SecureCookies bool
	// SessionTTL is how long a sign-in lasts.
	SessionTTL time.Duration
	// BcryptCost is the password hashing cost; tests lower it.
	BcryptCost int
}

// Server holds the dependencies every handler uses. It is safe for concurrent use.
type Server struct {
	log     *slog.Logger
	store   *db.Store
	labs    *labs.Registry
	cfg     Config
	csrfKey []byte
	limiter *loginLimiter
	metrics *httpMetrics
	gather  prometheus.Gatherer
	engine  *gin.Engine
	shown   *shownStore // pages that show a secret once, after a redirect

	// The live pipeline (WithLive); nil when it is off.
	hub     *live.Hub
	monitor *monitor.Monitor
	demo    DemoResetter

	provisioner Provisioner    // nil: provisioning off
	console     ConsoleLinker  // nil: no console links (the simulator)
	planner     CleanupPlanner // nil: cleanup off
	cleaner     CleanupRunner  // nil: cleanup execution off
	rehearsal   Rehearsal      // nil: no rehearsal actions (real AWS)
	account     AccountReader  // nil: policies show the account placeholder unless the class names one
}

// New builds the server and its routes. reg receives the HTTP metrics and gather
// serves /metrics (pass the same prometheus.Registry for both).
func New(ctx context.Context, log *slog.Logger, store *db.Store, registry *labs.Registry, cfg Config, reg prometheus.Registerer, gather prometheus.Gatherer) (*Server, error) {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = db.DefaultPasswordCost
	}
	key, err := store.EnsureSetting(ctx, "csrf_key", db.NewToken(32))
	if err != nil {
		return nil, err
	}
	m, err := newHTTPMetrics(reg)
	if err != nil {
		return nil, err
	}
	s := &Server{log: log, store: store, labs: registry, cfg: cfg, csrfKey: []byte(key),
		limiter: newLoginLimiter(time.Now), metrics: m, gather: gather, shown: newShownStore()}
	s.engine = s.routes()
	return s, nil
}

// Handler returns the http.Handler serving every route.
func (s *Server) Handler() http.Handler { return s.engine }

// Engine exposes the gin engine so tests can compare its routes with the OpenAPI document.
func (s *Server) Engine() *gin.Engine { return s.engine }

// SetClock replaces the clock of the login rate limiter; tests use it.
func (s *Server) SetClock(now func() time.Time) { s.limiter.now = now }
