package sim

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// kv is one tag. Tags keep the order they were given in, like AWS's describe calls.
type kv struct{ k, v string }

// tagList is a resource's tags.
type tagList []kv

// set adds or replaces key.
func (t *tagList) set(k, v string) {
	for i := range *t {
		if (*t)[i].k == k {
			(*t)[i].v = v
			return
		}
	}
	*t = append(*t, kv{k, v})
}

// get returns the value of key and whether it is present.
func (t tagList) get(k string) (string, bool) {
	for _, x := range t {
		if x.k == k {
			return x.v, true
		}
	}
	return "", false
}

// clone returns a copy that shares nothing with t.
func (t tagList) clone() tagList {
	if len(t) == 0 {
		return nil
	}
	return append(tagList(nil), t...)
}

// validTags checks keys as AWS does: 1–128 characters, at most 50 tags.
func validTags(t tagList) error {
	if len(t) > 50 {
		return fmt.Errorf("too many tags: %d (the limit is 50)", len(t))
	}
	for _, x := range t {
		if x.k == "" || len(x.k) > 128 {
			return fmt.Errorf("tag key %q must be 1 to 128 characters", x.k)
		}
		if len(x.v) > 256 {
			return fmt.Errorf("tag value for %q must be at most 256 characters", x.k)
		}
	}
	return nil
}

// str returns *p or "" for nil.
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// i32 returns *p or def for nil.
func i32(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// tptr returns a pointer to t, or nil for the zero time.
func tptr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// cloneJSON deep-copies an SDK value through JSON: output structs must share
// nothing with the world, which keeps mutating under its lock.
func cloneJSON[T any](v T) T {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		return out
	}
	_ = json.Unmarshal(b, &out)
	return out
}

// hashID derives a stable hex id of n characters from parts, so that a
// region's default VPC has the same id whatever order regions are touched in.
func hashID(n int, parts ...string) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		h := fnv.New64a()
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
		h.Write([]byte(strconv.Itoa(i)))
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], h.Sum64())
		b.WriteString(hex.EncodeToString(buf[:]))
	}
	return b.String()[:n]
}

// hexID returns n random hex characters from the world's seeded source.
func (w *World) hexID(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := 0; i < n; i += 16 {
		v := w.rng.Uint64()
		for j := i + 15; j >= i; j-- { // %016x of v, cut at n
			if j < n {
				b[j] = digits[v&15]
			}
			v >>= 4
		}
	}
	return string(b)
}

// uuid returns a random (version 4 shaped) UUID from the seeded source.
func (w *World) uuid() string {
	h := w.hexID(32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// jitter returns a duration in [base, base+spread).
func (w *World) jitter(base, spread time.Duration) time.Duration {
	if spread <= 0 {
		return base
	}
	return base + time.Duration(w.rng.Int64N(int64(spread)))
}

// pageToken encodes an opaque pagination position.
func pageToken(pos string) *string {
	if pos == "" {
		return nil
	}
	s := base64.RawURLEncoding.EncodeToString([]byte("sim:" + pos))
	return &s
}

// readToken decodes a token from pageToken; ok is false when it is malformed.
func readToken(tok *string) (pos string, ok bool) {
	if tok == nil || *tok == "" {
		return "", true
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil || !strings.HasPrefix(string(b), "sim:") {
		return "", false
	}
	return string(b[4:]), true
}

// readIntToken decodes a numeric position; ok is false when it is malformed.
func readIntToken(tok *string) (int, bool) {
	pos, ok := readToken(tok)
	if !ok {
		return 0, false
	}
	if pos == "" {
		return 0, true
	}
	n, err := strconv.Atoi(pos)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// intToken encodes a numeric position for readIntToken.
func intToken(n int) *string { return pageToken(strconv.Itoa(n)) }

// arnTail returns what follows the resource-type prefix in an ARN or the
// string itself when it is a bare name: arnTail("arn:…:cluster/x", "cluster/") is "x".
func arnTail(s, prefix string) string {
	if strings.HasPrefix(s, "arn:") {
		if i := strings.Index(s, ":"+prefix); i >= 0 {
			return s[i+1+len(prefix):]
		}
		return ""
	}
	return s
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// finite reports whether f is a usable number.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// compact drops dead entries from an ordered slice in place.
func compact[T any](s []T, alive func(T) bool) []T {
	out := s[:0]
	for _, x := range s {
		if alive(x) {
			out = append(out, x)
		}
	}
	var zero T
	for i := len(out); i < len(s); i++ {
		s[i] = zero
	}
	return out
}

func parseIPv4(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return a, err
	}
	if !a.Is4() {
		return a, fmt.Errorf("not an IPv4 address: %s", s)
	}
	return a, nil
}

func parsePrefix(s string) (netip.Prefix, error) { return netip.ParsePrefix(s) }

// optStr is s as an optional string: nil when empty.
func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// globMatch matches s against a pattern with * and ? (EC2 filter values).
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && globMatch(pattern[1:], s[1:])
}
