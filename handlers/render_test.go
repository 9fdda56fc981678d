package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"github.com/labdash/labdash/web"
)

// capturedLog is a slog handler that keeps every record at every level.
type capturedLog struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *capturedLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *capturedLog) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r)
	return nil
}
func (h *capturedLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *capturedLog) WithGroup(string) slog.Handler      { return h }

// at returns the messages logged at level.
func (h *capturedLog) at(level slog.Level) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Level == level {
			out = append(out, r.Message)
		}
	}
	return out
}

func renderWith(t *testing.T, ctx context.Context, comp templ.Component) *capturedLog {
	t.Helper()
	gin.SetMode(gin.TestMode)
	h := &capturedLog{}
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodGet, "/login", nil).WithContext(ctx)
	render(c, slog.New(h), http.StatusOK, comp)
	return h
}

func TestRenderClientGoneIsNotAnError(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	page := web.Login(web.LoginPage{Page: web.Page{Title: "Sign in"}})
	failing := func(err error) templ.Component {
		return templ.ComponentFunc(func(context.Context, io.Writer) error { return err })
	}
	for name, tc := range map[string]struct {
		ctx  context.Context
		comp templ.Component
	}{
		"real page, request context cancelled": {cancelled, page},
		"context.Canceled, wrapped":            {context.Background(), failing(fmt.Errorf("write: %w", context.Canceled))},
		"broken pipe":                          {context.Background(), failing(fmt.Errorf("write tcp: %w", syscall.EPIPE))},
		"connection reset":                     {context.Background(), failing(fmt.Errorf("write tcp: %w", syscall.ECONNRESET))},
		"request context done, other error":    {cancelled, failing(errors.New("short write"))},
	} {
		t.Run(name, func(t *testing.T) {
			h := renderWith(t, tc.ctx, tc.comp)
			if errs := h.at(slog.LevelError); len(errs) != 0 {
				t.Fatalf("client went away, but render logged at ERROR: %q", errs)
			}
			if dbg := h.at(slog.LevelDebug); len(dbg) != 1 || dbg[0] != "render failed" {
				t.Fatalf("want one Debug 'render failed', got %q", dbg)
			}
		})
	}
}

func TestRenderOtherFailuresStayErrors(t *testing.T) {
	comp := templ.ComponentFunc(func(context.Context, io.Writer) error { return errors.New("template bug: nil view model") })
	h := renderWith(t, context.Background(), comp)
	if errs := h.at(slog.LevelError); len(errs) != 1 || errs[0] != "render failed" {
		t.Fatalf("a component's own failure must log one ERROR 'render failed', got %q", errs)
	}
}

// TestSlowAnonymousPostsThatHangUpLogNoErrors is the probe's shape: many anonymous
// requests whose clients are gone by the time labdash renders write no ERROR lines.
func TestSlowAnonymousPostsThatHangUpLogNoErrors(t *testing.T) {
	hr := newHarness(t)
	h := &capturedLog{}
	hr.srv.log = slog.New(h)
	handler := hr.srv.Handler()
	for i := 0; i < 50; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		method, body := http.MethodGet, ""
		if i%2 == 1 {
			method, body = http.MethodPost, "email=x%40example.edu&password=nope"
		}
		req := httptest.NewRequest(method, "/login", strings.NewReader(body)).WithContext(ctx)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		handler.ServeHTTP(httptest.NewRecorder(), req)
	}
	var buf bytes.Buffer
	for _, m := range h.at(slog.LevelError) {
		buf.WriteString(m + "\n")
	}
	if buf.Len() > 0 {
		t.Fatalf("50 hung-up requests logged ERROR lines:\n%s", buf.String())
	}
}
