package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/labdash/labdash/db"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "labdash_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "labdash_http_request_duration_seconds", Help: "HTTP request durations by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// routeLabel is the route pattern, never the raw path: paths carry secrets (/s/:token) and
// unbounded ids that would blow up the metric's cardinality.
func routeLabel(c *gin.Context) string {
	if p := c.FullPath(); p != "" {
		return p
	}
	return "unmatched"
}

func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := routeLabel(c)
	s.metrics.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
	s.metrics.duration.WithLabelValues(route, c.Request.Method).Observe(time.Since(start).Seconds())
}

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

const requestIDKey = "request_id"

func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDRE.MatchString(id) {
		id = db.NewToken(8)
	}
	c.Set(requestIDKey, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

// accessLog writes one line per request. Secret path parameters are redacted.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	path := c.Request.URL.Path
	for _, p := range c.Params {
		if p.Key == "token" {
			path = strings.Replace(path, p.Value, "REDACTED", 1)
		}
	}
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(c.Request.Context(), level, "http request",
		slog.String("request_id", c.GetString(requestIDKey)),
		slog.String("method", c.Request.Method),
		slog.String("route", routeLabel(c)),
		slog.String("path", path),
		slog.Int("status", c.Writer.Status()),
		slog.Int("bytes", c.Writer.Size()),
		slog.Duration("duration", time.Since(start)),
		slog.String("ip", c.ClientIP()),
	)
}

// recoverPanics turns a handler panic into a logged 500 instead of a dropped connection.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic in handler", slog.Any("panic", v), slog.String("request_id", c.GetString(requestIDKey)))
			if !c.Writer.Written() {
				s.renderError(c, errorf(http.StatusInternalServerError, "internal error", "labdash hit a bug; the request id is in the server log"))
			}
			c.Abort()
		}
	}()
	c.Next()
}

// securityHeaders sets a strict content policy. Referers go only to this site
// (same-origin), so an error page can offer a way back and no other site learns a
// path; a student's pages, whose path is their personal link, send none at all.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	referrer := "same-origin"
	if strings.HasPrefix(c.Request.URL.Path, "/s/") {
		referrer = "no-referrer"
	}
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", referrer)
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("readyz: database unreachable", slog.Any("error", err))
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "detail": "database unreachable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

func (s *Server) notFound(c *gin.Context) {
	s.renderError(c, errorf(http.StatusNotFound, "not found", "there is no page at "+c.Request.URL.Path))
}

func (s *Server) methodNotAllowed(c *gin.Context) {
	s.renderError(c, errorf(http.StatusMethodNotAllowed, "method not allowed", c.Request.Method+" is not allowed here"))
}
