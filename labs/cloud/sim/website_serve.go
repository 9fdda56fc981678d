package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ServeWebsite serves the simulated S3 websites (Website) at addr, a loopback
// host:port (port 0 picks a free one), until ctx ends, and returns the address
// it listens on. It is an origin of its own, never labdash's: a student's page
// is the student's HTML and script, which must not run where labdash's pages
// and session are (a different port is a different origin, so it can neither
// read labdash's pages nor send its forms' tokens).
func (w *World) ServeWebsite(ctx context.Context, addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("sim: website address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("sim: the simulated websites are served on loopback only, not %q", host)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("sim: websites at %s: %w", addr, err)
	}
	srv := &http.Server{Handler: http.MaxBytesHandler(w.Website(), 1<<20), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = ln.Close()
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	bound := ln.Addr().String()
	w.webAt.Store(bound)
	return bound, nil
}

// WebsiteServer is where ServeWebsite listens, "" when it does not.
func (w *World) WebsiteServer() string {
	s, _ := w.webAt.Load().(string)
	return s
}

// browse is cloud.Clients.Browse on the simulator: an S3 website endpoint
// (http://BUCKET.s3-website-REGION.amazonaws.com/PATH, or the dotted form)
// becomes the same page on ServeWebsite's loopback address; anything else, or
// any URL while the websites are not served, is "": nothing on this machine
// answers it.
func (w *World) browse(raw string) string {
	at := w.WebsiteServer()
	u, err := url.Parse(raw)
	if at == "" || err != nil || u.Scheme != "http" || u.Port() != "" || u.User != nil {
		return ""
	}
	m := websiteHostRE.FindStringSubmatch(strings.ToLower(u.Hostname()))
	if m == nil {
		return ""
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	out := "http://" + at + "/" + url.PathEscape(m[1]) + p
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}
