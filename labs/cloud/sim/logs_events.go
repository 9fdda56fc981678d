package sim

// CloudWatch Logs events: what simulated services write (a Lambda function's
// START/END/REPORT lines and its handler's output, in /aws/lambda/NAME) and
// FilterLogEvents, which reads them as AWS does: one group by LogGroupName or
// LogGroupIdentifier (name or ARN, exactly one), events in [StartTime, EndTime]
// (milliseconds, both inclusive), from the named streams or a stream prefix,
// matching FilterPattern, oldest first, Limit (1–10000, default 10000) a page
// with nextToken. A filter pattern is modelled as AWS's term patterns: every
// whitespace-separated term must appear in the message (case-sensitive), a
// "quoted phrase" as written; JSON ({...}) and space-delimited ([...]) patterns
// answer InvalidParameterException from the simulator. A group keeps its last
// maxLogEvents events.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

const maxLogEvents = 5000

type logEvent struct {
	seq          uint64
	stream       string
	at, ingested int64 // Unix milliseconds
	message      string
}

// writeLogLocked appends events to a group, creating the group as a Lambda
// function's first invocation does. The world's lock must be held.
func (r *region) writeLogLocked(group, stream string, at time.Time, lines ...string) {
	lg := r.logGroups[group]
	if lg == nil {
		lg = &logGroup{name: group, arn: r.arn("logs", "log-group:"+group), created: r.w.now}
		r.logGroups[group] = lg
		r.addTaggable(&lg.tagged, lg.arn, "logs:log-group")
	}
	ms := at.UnixMilli()
	for i, l := range lines {
		lg.seq++
		lg.events = append(lg.events, logEvent{seq: lg.seq, stream: stream, at: ms + int64(i), ingested: ms + int64(i) + 120, message: l})
	}
	if len(lg.events) > 2*maxLogEvents {
		lg.events = append(lg.events[:0], lg.events[len(lg.events)-maxLogEvents:]...)
	}
}

// logPattern is a parsed term filter pattern.
type logPattern []string

func parseLogPattern(p string) (logPattern, error) {
	p = strings.TrimSpace(p)
	if strings.HasPrefix(p, "{") || strings.HasPrefix(p, "[") {
		return nil, &cwltypes.InvalidParameterException{Message: ptr("The simulator models term filter patterns only (JSON and space-delimited patterns are not modelled).")}
	}
	var terms logPattern
	for p != "" {
		if strings.HasPrefix(p, `"`) {
			end := strings.Index(p[1:], `"`)
			if end < 0 {
				return nil, &cwltypes.InvalidParameterException{Message: ptr("Invalid character(s) in term '" + p + "'")}
			}
			terms = append(terms, p[1:1+end])
			p = strings.TrimSpace(p[2+end:])
			continue
		}
		t, rest, _ := strings.Cut(p, " ")
		terms = append(terms, t)
		p = strings.TrimSpace(rest)
	}
	return terms, nil
}

func (lp logPattern) match(m string) bool {
	for _, t := range lp {
		if !strings.Contains(m, t) {
			return false
		}
	}
	return true
}

// FilterLogEvents reads one group's events.
func (c *logsClient) FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	return do(ctx, c.base, "logs", "FilterLogEvents", in, func(r *region) (*cloudwatchlogs.FilterLogEventsOutput, error) {
		if in == nil {
			in = &cloudwatchlogs.FilterLogEventsInput{}
		}
		name, ident := str(in.LogGroupName), str(in.LogGroupIdentifier)
		switch {
		case name != "" && ident != "":
			return nil, &cwltypes.InvalidParameterException{Message: ptr("LogGroupName and LogGroupIdentifier are mutually exclusive parameters.")}
		case name == "" && ident == "":
			return nil, &cwltypes.InvalidParameterException{Message: ptr("Either LogGroupName or LogGroupIdentifier must be specified.")}
		case ident != "":
			name = strings.TrimSuffix(ident, ":*")
			if g, ok := strings.CutPrefix(name, "arn:aws:logs:"+r.name+":"+r.account+":log-group:"); ok {
				name = g
			} else if strings.HasPrefix(name, "arn:") {
				return nil, &cwltypes.ResourceNotFoundException{Message: ptr("The specified log group does not exist.")}
			}
		}
		if len(in.LogStreamNames) > 0 && str(in.LogStreamNamePrefix) != "" {
			return nil, &cwltypes.InvalidParameterException{Message: ptr("Cannot specify both LogStreamNames and LogStreamNamePrefix.")}
		}
		lg := r.logGroups[name]
		if lg == nil {
			return nil, &cwltypes.ResourceNotFoundException{Message: ptr("The specified log group does not exist.")}
		}
		limit := int(i32(in.Limit, 10000))
		if limit < 1 || limit > 10000 {
			return nil, &cwltypes.InvalidParameterException{Message: msg("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000", limit)}
		}
		pat, err := parseLogPattern(str(in.FilterPattern))
		if err != nil {
			return nil, err
		}
		var after uint64
		if in.NextToken != nil {
			pos, ok := readToken(in.NextToken)
			n, err := strconv.ParseUint(strings.TrimPrefix(pos, lg.arn+"#"), 10, 64)
			if !ok || err != nil || !strings.HasPrefix(pos, lg.arn+"#") {
				return nil, &cwltypes.InvalidParameterException{Message: ptr("The specified nextToken is invalid.")}
			}
			after = n
		}
		streams := map[string]bool{}
		for _, s := range in.LogStreamNames {
			streams[s] = true
		}
		out := &cloudwatchlogs.FilterLogEventsOutput{Events: []cwltypes.FilteredLogEvent{}}
		var last uint64
		for _, e := range lg.events {
			if e.seq <= after || (in.StartTime != nil && e.at < *in.StartTime) || (in.EndTime != nil && e.at > *in.EndTime) ||
				(len(streams) > 0 && !streams[e.stream]) || !strings.HasPrefix(e.stream, str(in.LogStreamNamePrefix)) || !pat.match(e.message) {
				continue
			}
			if len(out.Events) == limit {
				out.NextToken = pageToken(fmt.Sprintf("%s#%d", lg.arn, last))
				break
			}
			out.Events = append(out.Events, cwltypes.FilteredLogEvent{EventId: ptr(fmt.Sprintf("%056d", e.seq)), LogStreamName: ptr(e.stream),
				Message: ptr(e.message), Timestamp: ptr(e.at), IngestionTime: ptr(e.ingested)})
			last = e.seq
		}
		return out, nil
	})
}
