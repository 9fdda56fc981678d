package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/labdash/labdash/labs"
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

// reportLines are a cleanup report's findings, one a line, or a single line saying
// there is none.
func reportLines(report string) []string {
	var out []string
	for _, l := range strings.Split(report, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return []string{"the job ended without a verification"}
	}
	return out
}

// Plural is "1 task", "2 tasks", "0 tasks" (labs.Plural, for the templates).
func Plural(n int, one, many string) string { return labs.Plural(n, one, many) }
