package labs

import (
	"fmt"
	"strconv"
	"time"
)

// Passf is a passing result whose evidence is formatted like fmt.Sprintf.
func Passf(format string, a ...any) Result {
	return Result{Status: Pass, Evidence: fmt.Sprintf(format, a...)}
}

// Failf is a failing result: the student's resource exists but is wrong.
func Failf(format string, a ...any) Result {
	return Result{Status: Fail, Evidence: fmt.Sprintf(format, a...)}
}

// Pendingf is a pending result: the student has not got there yet.
func Pendingf(format string, a ...any) Result {
	return Result{Status: Pending, Evidence: fmt.Sprintf(format, a...)}
}

// Typed adapts a check written against a lab's concrete observation type O to a
// Checkpoint.Check: an observation of another type, or a nil one, is an Error.
func Typed[O any](f func(o *O) Result) func(Observation) Result {
	return func(obs Observation) Result {
		o, ok := obs.(*O)
		if !ok || o == nil {
			return Result{Status: Error, Evidence: "no observation"}
		}
		return f(o)
	}
}

// Plural is "1 task", "2 tasks", "0 tasks": counts in evidence and pages read as
// English, not "1 tasks".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Duration says d the way a person would: "45 s", "10 min", "1 h 30 min" (not
// Go's "10m0s").
func Duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + " s"
	case d < time.Hour:
		m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
		if s == 0 {
			return strconv.Itoa(m) + " min"
		}
		return strconv.Itoa(m) + " min " + strconv.Itoa(s) + " s"
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return strconv.Itoa(h) + " h"
	}
	return strconv.Itoa(h) + " h " + strconv.Itoa(m) + " min"
}
