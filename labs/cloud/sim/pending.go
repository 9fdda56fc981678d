package sim

// Operations declared in labs/cloud but not simulated yet: each answers
// UnsupportedOperation, so nothing pretends to work. Files that model them replace these.

import (
	"context"
)

// unsupported counts the call and answers UnsupportedOperation.
func (b base) unsupported(ctx context.Context, service, op string) error {
	if _, err := b.enter(ctx, service, op); err != nil {
		return err
	}
	b.w.mu.Unlock()
	return apiError("UnsupportedOperation", "The simulator does not model %s:%s yet.", service, op)
}
