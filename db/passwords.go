package db

import (
	"fmt"
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

// HashPassword hashes pw with bcrypt at cost (bcrypt.DefaultCost when 0).
func HashPassword(pw string, cost int) (string, error) {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return "", fmt.Errorf("db: hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when an account does not exist, so a failed
// sign-in takes as long whether or not the e-mail is known.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("labdash-dummy-password"), bcrypt.MinCost)

// CheckPassword reports whether pw matches hash. An empty hash (an invited account
// that has not chosen a password) never matches.
func CheckPassword(hash, pw string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}
