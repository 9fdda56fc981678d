package handlers

import (
	"math"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Sign-in rate limits, checked in this order:
//   - per client address: bursts of 10, then one try every 6 s, so one machine cannot
//     spray many accounts;
//   - per account from one address: bursts of 5, then one every 30 s, so one machine
//     cannot guess one password. It is keyed by (account, address) so a stranger's wrong
//     passwords never lock the real instructor out from their own address;
//   - per account from everywhere: bursts of 50, then one every 2 s, a loose ceiling
//     against guessing spread over many addresses (about 30 guesses a minute at most).
var (
	ipRate      = rate.Every(6 * time.Second)
	ipBurst     = 10
	acctRate    = rate.Every(30 * time.Second)
	acctBurst   = 5
	globalRate  = rate.Every(2 * time.Second)
	globalBurst = 50
)

// maxLimiterEntries bounds each limiter map. Entries that have refilled completely are
// dropped first (forgetting them changes nothing); past the bound, arbitrary entries go.
const maxLimiterEntries = 50_000

// limitReason says which sign-in limit refused an attempt.
type limitReason int

const (
	limitNone    limitReason = iota
	limitIP                  // too many attempts from this address
	limitAccount             // too many attempts for this account from this address
	limitGlobal              // too many attempts for this account from everywhere
)

// loginLimiter throttles sign-in attempts per client address, per (account, address)
// and per account. It is safe for concurrent use; one mutex guards all three maps, and
// idle entries are dropped so memory stays bounded.
type loginLimiter struct {
	mu     sync.Mutex
	now    func() time.Time
	ip     limiterMap
	acctIP limiterMap
	acct   limiterMap
	calls  int
}

// limiterMap holds one kind of limit, keyed by address, account or both.
type limiterMap struct {
	r     rate.Limit
	burst int
	m     map[string]*limEntry
}

type limEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	mk := func(r rate.Limit, b int) limiterMap { return limiterMap{r: r, burst: b, m: map[string]*limEntry{}} }
	return &loginLimiter{now: now, ip: mk(ipRate, ipBurst), acctIP: mk(acctRate, acctBurst), acct: mk(globalRate, globalBurst)}
}

// allow reports whether a sign-in attempt from ip for email may proceed; if not, how
// long to wait and which limit refused it. A refused attempt uses up nothing.
func (l *loginLimiter) allow(ip, email string) (bool, time.Duration, limitReason) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.calls++
	if l.calls%256 == 0 {
		for _, m := range []*limiterMap{&l.ip, &l.acctIP, &l.acct} {
			m.prune(now)
		}
	}
	addr := addrKey(ip)
	account := strings.ToLower(strings.TrimSpace(email))
	lims := []struct {
		lim    *rate.Limiter
		reason limitReason
	}{
		{l.ip.get(addr, now), limitIP},
		{l.acctIP.get(account+"\x00"+addr, now), limitAccount},
		{l.acct.get(account, now), limitGlobal},
	}
	var longest time.Duration
	reason := limitNone
	for _, x := range lims {
		if w := wait(x.lim, now); w > longest {
			longest, reason = w, x.reason
		}
	}
	if reason != limitNone {
		return false, longest, reason
	}
	for _, x := range lims {
		x.lim.AllowN(now, 1)
	}
	return true, 0, limitNone
}

// addrKey is the address a limit is keyed by: the IPv4 address, or the /64 of an IPv6
// one, since a single IPv6 client usually holds a whole /64.
func addrKey(ip string) string {
	p := net.ParseIP(ip)
	if p == nil || p.To4() != nil {
		return ip
	}
	return p.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

func (m *limiterMap) get(key string, now time.Time) *rate.Limiter {
	e, ok := m.m[key]
	if !ok {
		if len(m.m) >= maxLimiterEntries {
			m.prune(now)
		}
		e = &limEntry{lim: rate.NewLimiter(m.r, m.burst)}
		m.m[key] = e
	}
	e.seen = now
	return e.lim
}

// prune forgets entries that have refilled completely (a fresh entry is the same), then,
// if the map is still at its bound, arbitrary entries down to three quarters of it.
func (m *limiterMap) prune(now time.Time) {
	for k, e := range m.m {
		if e.lim.TokensAt(now) >= float64(m.burst) {
			delete(m.m, k)
		}
	}
	if len(m.m) < maxLimiterEntries {
		return
	}
	for k := range m.m {
		if len(m.m) <= maxLimiterEntries*3/4 {
			break
		}
		delete(m.m, k)
	}
}

func wait(l *rate.Limiter, now time.Time) time.Duration {
	t := l.TokensAt(now)
	if t >= 1 {
		return 0
	}
	return time.Duration(math.Ceil((1 - t) / float64(l.Limit()) * float64(time.Second)))
}
