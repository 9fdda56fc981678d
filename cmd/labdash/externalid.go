package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/labdash/labdash/db"
)

// classExternalID is the aws provider's ExternalID callback: the id of the class
// that uses a student account now (the roster that named it last), which is the
// ExternalId the instructor deployed LabDashboardRole with for that class. The
// provider asks on every Clients call, so an account that moves to another class is
// assumed with the new class's id from the next call on.
//
// It logs only when an account's answer changes, not on every call. A database
// error keeps the account's last known id rather than assuming without one.
func classExternalID(ctx context.Context, log *slog.Logger, store *db.Store) func(account string) string {
	var mu sync.Mutex
	last := map[string]string{}
	ctx = context.WithoutCancel(ctx)
	return func(account string) string {
		id, err := store.ClassOfAccount(ctx, account)
		mu.Lock()
		defer mu.Unlock()
		prev, seen := last[account]
		switch {
		case err != nil && !errors.Is(err, db.ErrNotFound):
			if seen {
				log.Warn("could not read which class uses a student account; keeping its last external id", slog.String("account", account), slog.String("class", prev), slog.Any("error", err))
				return prev
			}
			log.Warn("could not read which class uses a student account; assuming its role without an external id", slog.String("account", account), slog.Any("error", err))
			return ""
		case err != nil:
			if !seen || prev != "" {
				log.Warn("no class names this student account; assuming its role without an external id", slog.String("account", account))
			}
			id = ""
		case seen && prev != id:
			log.Info("a student account is used by another class now; assuming its role with that class's external id", slog.String("account", account), slog.String("was", prev), slog.String("class", id))
		}
		last[account] = id
		return id
	}
}
