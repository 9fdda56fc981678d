// Package batch reads AWS in batches that survive a missing member. Several describe
// APIs (elbv2 DescribeLoadBalancers and DescribeTargetGroups by name or ARN) fail a
// whole batch when one member does not exist — and the tagging API names resources
// that were just deleted, while a student who has not created a resource yet is the
// normal case. Describe drops the missing members and reads the rest in batches; a
// member counts as gone only when the owning service says so about that member (the
// error names it, or a one-member call answers not found). Any other error
// (throttling, an outage) never means "gone": its members are returned as Failed so
// the caller keeps their last state.
package batch

import (
	"context"
	"errors"
	"strings"

	smithy "github.com/aws/smithy-go"
)

// Outcome is what Describe read.
type Outcome[T any] struct {
	Found   []T      // every item the calls returned
	Missing []string // members the service confirmed do not exist
	Failed  []string // members whose batch failed for another reason (not known either way)
	Err     error    // the last such error
	Calls   int      // calls made
}

// Describe calls call on items (already at most one API batch long), splitting around
// members that do not exist: a not-found error that names members drops them and
// retries the rest; one that names none splits the batch in two.
func Describe[T any](ctx context.Context, items []string, call func(ctx context.Context, batch []string) ([]T, error)) Outcome[T] {
	var out Outcome[T]
	describe(ctx, items, call, &out)
	return out
}

func describe[T any](ctx context.Context, items []string, call func(context.Context, []string) ([]T, error), out *Outcome[T]) {
	if len(items) == 0 {
		return
	}
	if ctx.Err() != nil {
		out.Failed, out.Err = append(out.Failed, items...), ctx.Err()
		return
	}
	got, err := call(ctx, items)
	out.Calls++
	switch {
	case err == nil:
		out.Found = append(out.Found, got...)
		return
	case !IsNotFound(err):
		out.Failed, out.Err = append(out.Failed, items...), err
		return
	case len(items) == 1:
		out.Missing = append(out.Missing, items[0])
		return
	}
	if named := Named(err, items); len(named) > 0 {
		out.Missing = append(out.Missing, named...)
		drop := map[string]bool{}
		for _, n := range named {
			drop[n] = true
		}
		var rest []string
		for _, it := range items {
			if !drop[it] {
				rest = append(rest, it)
			}
		}
		describe(ctx, rest, call, out)
		return
	}
	half := len(items) / 2
	describe(ctx, items[:half], call, out)
	describe(ctx, items[half:], call, out)
}

// IsNotFound reports whether err is an AWS "does not exist" answer
// (LoadBalancerNotFound, TargetGroupNotFound, ClusterNotFoundException, …).
func IsNotFound(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && strings.Contains(ae.ErrorCode(), "NotFound")
}

// IsThrottle reports whether err is AWS asking the caller to slow down.
func IsThrottle(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestThrottledException",
		"TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "PriorRequestNotComplete":
		return true
	}
	return false
}

// Named returns the members of items that err's message names, as whole words
// ("Load balancers '[c42s07-alb]' not found"): c42s1-alb is not named by c42s10-alb.
func Named(err error, items []string) []string {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return nil
	}
	msg := ae.ErrorMessage()
	var out []string
	for _, it := range items {
		if it != "" && wordIn(msg, it) {
			out = append(out, it)
		}
	}
	return out
}

func wordIn(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(w)
		if (j == 0 || !wordByte(s[j-1])) && (end == len(s) || !wordByte(s[end])) {
			return true
		}
		i = j + 1
	}
}

func wordByte(b byte) bool {
	return b == '-' || b == '_' || b == '/' || b == ':' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}
