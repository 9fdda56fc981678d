package handlers

import (
	"math"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Sign-in rate limits. Per IP: bursts of 10, then one try every 6 s. Per account: bursts
// of 5, then one every 30 s, so a distributed guesser still gets ~2 guesses a minute.
var (
	ipRate    = rate.Every(6 * time.Second)
	ipBurst   = 10
	acctRate  = rate.Every(30 * time.Second)
	acctBurst = 5
)

// loginLimiter throttles sign-in attempts per client IP and per account e-mail.
// It is safe for concurrent use; idle entries are dropped so memory stays bounded.
type loginLimiter struct {
	mu    sync.Mutex
	now   func() time.Time
	ip    map[string]*limEntry
	acct  map[string]*limEntry
	calls int
}

type limEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, ip: map[string]*limEntry{}, acct: map[string]*limEntry{}}
}

// allow reports whether a sign-in attempt from ip for email may proceed, and if not, how long to wait.
func (l *loginLimiter) allow(ip, email string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.calls++
	if l.calls%256 == 0 {
		l.prune(now)
	}
	ipLim := entry(l.ip, ip, ipRate, ipBurst, now)
	acctLim := entry(l.acct, strings.ToLower(strings.TrimSpace(email)), acctRate, acctBurst, now)
	if ipLim.TokensAt(now) < 1 || acctLim.TokensAt(now) < 1 {
		return false, max(wait(ipLim, now), wait(acctLim, now))
	}
	ipLim.AllowN(now, 1)
	acctLim.AllowN(now, 1)
	return true, 0
}

func entry(m map[string]*limEntry, key string, r rate.Limit, burst int, now time.Time) *rate.Limiter {
	e, ok := m[key]
	if !ok {
		e = &limEntry{lim: rate.NewLimiter(r, burst)}
		m[key] = e
	}
	e.seen = now
	return e.lim
}

func wait(l *rate.Limiter, now time.Time) time.Duration {
	t := l.TokensAt(now)
	if t >= 1 {
		return 0
	}
	return time.Duration(math.Ceil((1 - t) / float64(l.Limit()) * float64(time.Second)))
}

// prune forgets entries idle long enough to have refilled completely.
func (l *loginLimiter) prune(now time.Time) {
	for _, m := range []map[string]*limEntry{l.ip, l.acct} {
		for k, e := range m {
			if now.Sub(e.seen) > 10*time.Minute {
				delete(m, k)
			}
		}
	}
}
