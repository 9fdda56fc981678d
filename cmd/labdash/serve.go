package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/roster"
)

// Shutdown budgets: in-flight requests get httpShutdownWait to finish, then the
// background goroutines (monitor, virtual students, jobs, loops, the websocket
// hub) get backgroundShutdownWait to stop before the database closes.
const (
	httpShutdownWait       = 10 * time.Second
	backgroundShutdownWait = 10 * time.Second
)

// beforeStoreClose, when set (by tests), runs just before serve closes the database.
var beforeStoreClose func()

// serve runs the dashboard until ctx is cancelled, then shuts down gracefully, in
// this order: stop accepting HTTP and let requests finish, stop the background
// goroutines and wait for them, close the database. Nothing writes to the
// database once it is closed.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer, e *env) error {
	var cfg Config
	fs := flag.NewFlagSet("labdash serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	serveFlags(fs, &cfg, e)
	if err := parseFlags(fs, args, e); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	if err := cfg.validate(true); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := cfg.logger(stderr)

	store, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer func() {
		if beforeStoreClose != nil {
			beforeStoreClose()
		}
		if err := store.Close(); err != nil {
			log.Warn("closing the database", slog.Any("error", err))
		}
	}()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	base := cfg.BaseURL
	if base == "" {
		base = "http://" + displayAddr(ln.Addr())
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registry := catalog.New()
	srv, err := handlers.New(ctx, log, store, registry, handlers.Config{
		Cloud: cfg.Cloud, BaseURL: cfg.BaseURL, SecureCookies: cfg.SecureCookies, SessionTTL: cfg.SessionTTL,
	}, reg, reg)
	if err != nil {
		ln.Close()
		return err
	}
	// The background runs under a context of its own: the signal stops HTTP
	// first, and the background only once requests are done (ls.Close).
	ls, err := startLive(context.WithoutCancel(ctx), log, store, registry, cfg, reg, srv)
	if err != nil {
		ln.Close()
		return err
	}
	defer ls.Close(backgroundShutdownWait) // runs before the store closes; a no-op after the one below
	srv.WithAccount(accountReader(ls))
	if err := bootstrap(ctx, store, cfg, base, stdout, log); err != nil {
		ln.Close()
		return err
	}

	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ls.Go("session sweep", func(ctx context.Context) { sweepSessions(ctx, store, log) })

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "labdash is running on %s (cloud: %s; database: %s)\n", base, cfg.Cloud, cfg.DB)
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("cloud", cfg.Cloud), slog.String("db", cfg.DB))

	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), httpShutdownWait)
	defer cancel()
	// Stop accepting and let in-flight requests finish. Websockets are hijacked:
	// Shutdown does not track them; the hub closes them in ls.Close.
	shutErr := hs.Shutdown(sctx)
	// Then the background: cancel it and wait for every goroutine (the deferred
	// store.Close runs after).
	ls.Close(backgroundShutdownWait)
	if shutErr != nil {
		return fmt.Errorf("shutdown: %w", shutErr)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// bootstrap makes sure someone can sign in: the admin from LABDASH_ADMIN_EMAIL and
// LABDASH_ADMIN_PASSWORD, or a one-time setup link printed while no account exists.
func bootstrap(ctx context.Context, store *db.Store, cfg Config, base string, stdout io.Writer, log *slog.Logger) error {
	n, err := store.CountUsers(ctx)
	if err != nil {
		return err
	}
	if cfg.AdminEmail != "" {
		if _, err := store.UserByEmail(ctx, cfg.AdminEmail); err == nil {
			fmt.Fprintf(stdout, "Sign in at %s/login as %s.\n", base, cfg.AdminEmail)
			return nil
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if err := createUser(ctx, store, cfg.AdminEmail, "Instructor", db.RoleInstructor, cfg.AdminPassword); err != nil {
			return fmt.Errorf("LABDASH_ADMIN_EMAIL/LABDASH_ADMIN_PASSWORD: %w", err)
		}
		log.Info("created the first instructor from the environment", slog.String("email", cfg.AdminEmail))
		fmt.Fprintf(stdout, "Sign in at %s/login as %s (created from LABDASH_ADMIN_EMAIL).\n", base, cfg.AdminEmail)
		return nil
	}
	if n > 0 {
		fmt.Fprintf(stdout, "Sign in at %s/login.\n", base)
		return nil
	}
	// No account yet: a fresh one-time link at every start, the previous one revoked.
	if err := store.DeleteOpenInvites(ctx, db.RoleInstructor, ""); err != nil {
		return err
	}
	token, err := store.CreateInvite(ctx, db.Invite{Role: db.RoleInstructor}, 7*24*time.Hour)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "No account exists yet. Create the first instructor with this one-time link:\n  %s/setup/%s\n", base, token)
	fmt.Fprintln(stdout, "(or set LABDASH_ADMIN_EMAIL and LABDASH_ADMIN_PASSWORD before starting)")
	return nil
}

// createUser validates and stores an account with a password.
func createUser(ctx context.Context, store *db.Store, email, name, role, password string) error {
	if msg := roster.EmailProblem(email); msg != "" {
		return errors.New(msg)
	}
	if msg := db.PasswordProblem(password); msg != "" {
		return errors.New(msg)
	}
	hash, err := db.HashPassword(password, db.DefaultPasswordCost)
	if err != nil {
		return err
	}
	return store.CreateUser(ctx, &db.User{Email: email, Name: name, Role: role, PasswordHash: hash})
}

func sweepSessions(ctx context.Context, store *db.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := store.DeleteExpiredSessions(ctx); err != nil {
				log.Warn("session sweep failed", slog.Any("error", err))
			} else if n > 0 {
				log.Info("expired sessions removed", slog.Int64("count", n))
			}
		}
	}
}

// displayAddr turns a wildcard listen address into one a browser on this machine can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
