package web

import (
	"net/url"
	"strconv"
)

func itoa(n int) string     { return strconv.Itoa(n) }
func i64toa(n int64) string { return strconv.FormatInt(n, 10) }

func urlEscape(s string) string { return url.PathEscape(s) }

// orText is s, or def when s is empty.
func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
