package db

import (
	"fmt"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Password rules: long enough to resist guessing, short enough for bcrypt's 72-byte input.
const (
	MinPasswordLen   = 12
	MaxPasswordBytes = 72
)

// PasswordProblem returns why pw is not acceptable, or "".
func PasswordProblem(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return fmt.Sprintf("the password must have at least %d characters", MinPasswordLen)
	case len(pw) > MaxPasswordBytes:
		return fmt.Sprintf("the password must be at most %d bytes", MaxPasswordBytes)
	}
	return ""
}

// DefaultPasswordCost is the bcrypt cost of new passwords unless one is configured:
// about a quarter of a second per check on a current core.
const DefaultPasswordCost = 12

// passwordCost is the cost HashPassword and CheckPassword use for a configured cost.
func passwordCost(cost int) int {
	if cost == 0 {
		return DefaultPasswordCost
	}
	return cost
}

// HashPassword hashes pw with bcrypt at cost (DefaultPasswordCost when 0).
func HashPassword(pw string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), passwordCost(cost))
	if err != nil {
		return "", fmt.Errorf("db: hash password: %w", err)
	}
	return string(h), nil
}

// dummies holds, per cost, the hash CheckPassword compares against when an account
// does not exist or has no password yet, so that a failed sign-in costs one bcrypt
// comparison at the accounts' cost whether or not the e-mail is known. Each is made
// on first use, under the mutex, so concurrent first sign-ins make it once.
var dummies struct {
	sync.Mutex
	byCost map[int][]byte
}

// dummyHash returns the dummy hash for the configured cost, made the way HashPassword
// makes a real one (so bcrypt's own adjustments, such as a cost below bcrypt.MinCost
// becoming bcrypt.DefaultCost, apply to both).
func dummyHash(cost int) []byte {
	cost = passwordCost(cost)
	dummies.Lock()
	defer dummies.Unlock()
	if h, ok := dummies.byCost[cost]; ok {
		return h
	}
	h, err := bcrypt.GenerateFromPassword([]byte("labdash-dummy-password"), cost)
	if err != nil {
		// A cost above bcrypt.MaxCost: HashPassword refuses it too, so no account
		// has it; compare at the default instead of not at all.
		h, _ = bcrypt.GenerateFromPassword([]byte("labdash-dummy-password"), DefaultPasswordCost)
	}
	if dummies.byCost == nil {
		dummies.byCost = map[int][]byte{}
	}
	dummies.byCost[cost] = h
	return h
}

// CheckPassword reports whether pw matches hash. cost is the one new passwords are
// hashed with (as given to HashPassword): when hash is empty (no such account, or an
// invited account that has not chosen a password, which never matches) pw is
// compared against a dummy hash of that cost, so the answer takes as long as for a
// real account.
func CheckPassword(hash, pw string, cost int) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash(cost), []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}
