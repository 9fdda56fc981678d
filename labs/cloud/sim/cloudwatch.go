package sim

// CloudWatch metrics and metric alarms. Every simulated minute each active
// application load balancer publishes AWS/ApplicationELB datapoints (one Sum per
// minute): RequestCount (LoadBalancer), and per target group it forwards to
// RequestCount, RequestCountPerTarget (requests ÷ healthy targets, 0 without
// load), HealthyHostCount and UnHealthyHostCount (TargetGroup, LoadBalancer).
// Three hours of history are kept per metric. GetMetricData answers MetricStat
// queries (Sum, Average, Minimum, Maximum, SampleCount; periods that are
// multiples of 60 s); unknown metrics give empty results, as AWS.
//
// Alarms are evaluated every minute right after the datapoints land, over their
// last EvaluationPeriods periods: ALARM once DatapointsToAlarm datapoints breach,
// OK once too few can breach, INSUFFICIENT_DATA with no data; state reasons and
// history read like AWS's. An alarm in ALARM invokes the scaling policies in its
// AlarmActions every minute (Application Auto Scaling's semantics).
//
// Alarms carry the Tags PutMetricAlarm gives when it creates them (at most 50);
// an update of an existing alarm keeps its tags and ignores the call's, as the
// API reference says ("If you are using this operation to update an existing
// alarm, any tags you specify in this parameter are ignored"). The alarms
// Application Auto Scaling creates for target tracking have none.
// ListTagsForResource reads them by alarm ARN. Alarms are not in the tagging API
// (GetResources) here.
//
// Not modelled: metric math, percentiles, composite alarms, PutMetricData,
// CloudWatch's publication delay (datapoints appear at the minute's end).

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/labdash/labdash/labs/cloud"
)

const (
	metricHistory   = 180 // one-minute datapoints kept per metric (3 hours)
	maxAlarmHistory = 100
)

type point struct {
	t int64 // Unix seconds of the minute's start
	v float64
}

type series struct {
	pts []point // oldest first
}

// metricKey identifies a metric by namespace, name and its exact dimension set.
func metricKey(ns, name string, dims []kv) string {
	// recordMetrics asks it for every series every minute: sort a copy on the
	// stack by insertion (what sort.Slice does below 12 elements) and build the
	// key in one allocation.
	var buf [8]kv
	d := append(buf[:0], dims...)
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j].k < d[j-1].k; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
	n := len(ns) + 1 + len(name)
	for _, x := range d {
		n += 2 + len(x.k) + len(x.v)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(ns)
	b.WriteByte(0)
	b.WriteString(name)
	for _, x := range d {
		b.WriteByte(0)
		b.WriteString(x.k)
		b.WriteByte('=')
		b.WriteString(x.v)
	}
	return b.String()
}

// put records the datapoint of the minute starting at t.
func (r *region) put(ns, name string, dims []kv, t time.Time, v float64) {
	k := metricKey(ns, name, dims)
	s := r.metrics[k]
	if s == nil {
		s = &series{}
		r.metrics[k] = s
	}
	s.pts = append(s.pts, point{t.Unix(), v})
	if len(s.pts) > 2*metricHistory {
		s.pts = append(s.pts[:0], s.pts[len(s.pts)-metricHistory:]...)
	}
}

// window returns the datapoints with start in [from, to).
func (s *series) window(from, to int64) []point {
	if s == nil {
		return nil
	}
	i := sort.Search(len(s.pts), func(i int) bool { return s.pts[i].t >= from })
	var out []point
	for ; i < len(s.pts) && s.pts[i].t < to; i++ {
		out = append(out, s.pts[i])
	}
	return out
}

func lbDim(lb *loadBalancer) string { return "app/" + lb.name + "/" + lb.id }
func tgDim(tg *targetGroup) string  { return "targetgroup/" + tg.name + "/" + tg.id }

// recordMetrics publishes the minute that ends at now.
func (r *region) recordMetrics(now time.Time) {
	start := now.Add(-time.Minute)
	const ns = "AWS/ApplicationELB"
	for _, lb := range r.lbOrder {
		if lb.state != "active" {
			lb.reqAcc = 0
			continue
		}
		lbd := kv{"LoadBalancer", lbDim(lb)}
		r.put(ns, "RequestCount", []kv{lbd}, start, math.Round(lb.reqAcc))
		lb.reqAcc = 0
		for _, tg := range lb.forwardTGs() {
			dims := []kv{{"TargetGroup", tgDim(tg)}, lbd}
			var healthy, unhealthy, registered float64
			for _, t := range tg.targetOrder {
				switch {
				case t.gone || t.state == "draining":
				case t.state == "healthy":
					healthy++
					registered++
				case t.state == "unhealthy":
					unhealthy++
					registered++
				default:
					registered++
				}
			}
			reqs := math.Round(tg.reqAcc)
			tg.reqAcc = 0
			r.put(ns, "HealthyHostCount", dims, start, healthy)
			r.put(ns, "UnHealthyHostCount", dims, start, unhealthy)
			r.put(ns, "RequestCount", dims, start, reqs)
			per := reqs
			switch {
			case healthy > 0:
				per = reqs / healthy
			case registered > 0: // all unhealthy: the ALB fails open over every target
				per = reqs / registered
			}
			r.put(ns, "RequestCountPerTarget", dims, start, per)
		}
	}
	for _, tg := range r.tgOrder {
		if tg.lb() == nil {
			tg.reqAcc = 0
		}
	}
}

type alarm struct {
	name, arn      string
	ns, metric     string
	dims           []kv
	stat           string
	period         int32
	evalPeriods    int32
	dpToAlarm      int32
	threshold      float64
	cmp            cwtypes.ComparisonOperator
	treatMissing   string
	desc           string
	unit           cwtypes.StandardUnit
	actionsEnabled bool
	actions        []string
	okActions      []string
	insufActions   []string
	state          cwtypes.StateValue
	reason         string
	reasonData     string
	stateUpdated   time.Time
	configUpdated  time.Time
	history        []cwtypes.AlarmHistoryItem // oldest first
	tags           tagList                    // set at creation only
}

// putAlarm creates or replaces an alarm (PutMetricAlarm and target tracking).
func (r *region) putAlarm(a *alarm) {
	now := r.w.now
	a.arn = r.arn("cloudwatch", "alarm:"+a.name)
	a.configUpdated = now
	if old := r.alarms[a.name]; old != nil {
		a.state, a.reason, a.reasonData, a.stateUpdated, a.history = old.state, old.reason, old.reasonData, old.stateUpdated, old.history
		a.tags = old.tags // an update never changes an alarm's tags
		a.addHistory(now, cwtypes.HistoryItemTypeConfigurationUpdate, fmt.Sprintf("Alarm %q updated", a.name), "{}")
		r.alarms[a.name] = a
		return
	}
	a.state, a.reason, a.stateUpdated = cwtypes.StateValueInsufficientData, "Unchecked: Initial alarm creation", now
	a.addHistory(now, cwtypes.HistoryItemTypeConfigurationUpdate, fmt.Sprintf("Alarm %q created", a.name), "{}")
	r.alarms[a.name] = a
	i := sort.SearchStrings(r.alarmNames, a.name)
	r.alarmNames = append(r.alarmNames, "")
	copy(r.alarmNames[i+1:], r.alarmNames[i:])
	r.alarmNames[i] = a.name
}

// deleteAlarm removes an alarm by name.
func (r *region) deleteAlarm(name string) {
	if r.alarms[name] == nil {
		return
	}
	delete(r.alarms, name)
	i := sort.SearchStrings(r.alarmNames, name)
	if i < len(r.alarmNames) && r.alarmNames[i] == name {
		r.alarmNames = append(r.alarmNames[:i], r.alarmNames[i+1:]...)
	}
}

func (a *alarm) addHistory(now time.Time, typ cwtypes.HistoryItemType, summary, data string) {
	a.history = append(a.history, cwtypes.AlarmHistoryItem{
		AlarmName: ptr(a.name), AlarmType: cwtypes.AlarmTypeMetricAlarm, HistoryItemType: typ,
		HistorySummary: ptr(summary), HistoryData: ptr(data), Timestamp: ptr(now),
	})
	if len(a.history) > maxAlarmHistory {
		a.history = append(a.history[:0], a.history[len(a.history)-maxAlarmHistory:]...)
	}
}

// aggregate combines the one-minute points of a period with stat.
func aggregate(pts []point, stat string) (float64, bool) {
	if len(pts) == 0 {
		return 0, false
	}
	var sum, min, max float64
	min, max = math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		sum += p.v
		min = math.Min(min, p.v)
		max = math.Max(max, p.v)
	}
	switch stat {
	case "Sum":
		return sum, true
	case "Average":
		return sum / float64(len(pts)), true
	case "Minimum":
		return min, true
	case "Maximum":
		return max, true
	case "SampleCount":
		return float64(len(pts)), true
	}
	return 0, false
}

func (a *alarm) breaches(v float64) bool {
	switch a.cmp {
	case cwtypes.ComparisonOperatorGreaterThanThreshold:
		return v > a.threshold
	case cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold:
		return v >= a.threshold
	case cwtypes.ComparisonOperatorLessThanThreshold:
		return v < a.threshold
	case cwtypes.ComparisonOperatorLessThanOrEqualToThreshold:
		return v <= a.threshold
	}
	return false
}

func (a *alarm) cmpWords() string {
	switch a.cmp {
	case cwtypes.ComparisonOperatorGreaterThanThreshold:
		return "greater than"
	case cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold:
		return "greater than or equal to"
	case cwtypes.ComparisonOperatorLessThanThreshold:
		return "less than"
	}
	return "less than or equal to"
}

// cwNum formats a number as CloudWatch's reasons do: 1.0, 2.5.
func cwNum(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eEN") {
		s += ".0"
	}
	return s
}

type datum struct {
	t time.Time
	v float64
}

// latest returns the alarm's most recent datapoint (for scaling decisions).
func (r *region) latest(a *alarm, now time.Time) (float64, bool) {
	s := r.metrics[metricKey(a.ns, a.metric, a.dims)]
	p := int64(a.period)
	end := now.Unix() / p * p
	return aggregate(s.window(end-p, end), a.stat)
}

// evaluateAlarms evaluates every alarm at the minute boundary now and runs the
// scaling policies of alarms in ALARM.
func (r *region) evaluateAlarms(now time.Time) {
	for _, name := range append([]string(nil), r.alarmNames...) {
		a := r.alarms[name]
		if a == nil {
			continue
		}
		p := int64(a.period)
		if now.Unix()%p != 0 {
			continue
		}
		s := r.metrics[metricKey(a.ns, a.metric, a.dims)]
		var data []datum // newest first
		end := now.Unix()
		for i := int32(0); i < a.evalPeriods; i++ {
			from := end - p*int64(i+1)
			if v, ok := aggregate(s.window(from, from+p), a.stat); ok {
				data = append(data, datum{time.Unix(from, 0).UTC(), v})
			}
		}
		missing := int(a.evalPeriods) - len(data)
		breach := 0
		for _, d := range data {
			if a.breaches(d.v) {
				breach++
			}
		}
		switch a.treatMissing {
		case "breaching":
			breach += missing
		}
		ok := len(data) - breach
		if a.treatMissing == "notBreaching" {
			ok += missing
		}
		newState := a.state
		var reason string
		switch {
		case breach >= int(a.dpToAlarm):
			newState = cwtypes.StateValueAlarm
			reason = a.crossedReason(data, true)
		case ok > int(a.evalPeriods-a.dpToAlarm):
			newState = cwtypes.StateValueOk
			reason = a.crossedReason(data, false)
		case len(data) == 0 && a.treatMissing != "ignore" && a.treatMissing != "breaching" && a.treatMissing != "notBreaching":
			newState = cwtypes.StateValueInsufficientData
			reason = fmt.Sprintf("Insufficient Data: %d datapoint%s unknown.", missing, plural(missing, " was", "s were"))
		}
		if newState != a.state {
			old := a.state
			a.state, a.reason, a.stateUpdated = newState, reason, now
			a.reasonData = reasonData(a, now, data)
			hist, _ := json.Marshal(map[string]any{
				"version":  "1.0",
				"oldState": map[string]any{"stateValue": old},
				"newState": map[string]any{"stateValue": newState, "stateReason": reason},
			})
			a.addHistory(now, cwtypes.HistoryItemTypeStateUpdate, fmt.Sprintf("Alarm updated from %s to %s", old, newState), string(hist))
		}
		if a.state == cwtypes.StateValueAlarm && a.actionsEnabled {
			for _, act := range a.actions {
				if pol := r.policies[act]; pol != nil {
					r.invokePolicy(pol, a, now)
				}
			}
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// crossedReason words a transition like CloudWatch: "Threshold Crossed: 3
// datapoints [5.0 (24/05/25 10:03:00), …] were greater than the threshold (1.0)."
func (a *alarm) crossedReason(data []datum, breached bool) string {
	var pts []string
	n := 0
	for _, d := range data {
		if a.breaches(d.v) == breached {
			pts = append(pts, fmt.Sprintf("%s (%s)", cwNum(d.v), d.t.Format("02/01/06 15:04:05")))
			n++
		}
	}
	verb := plural(n, "was", "were")
	if !breached {
		verb += " not"
	}
	head := fmt.Sprintf("%d datapoint%s", n, plural(n, "", "s"))
	if a.dpToAlarm < a.evalPeriods && breached {
		head = fmt.Sprintf("%d out of the last %d datapoints", n, a.evalPeriods)
	}
	s := fmt.Sprintf("Threshold Crossed: %s [%s] %s %s the threshold (%s).", head, strings.Join(pts, ", "), verb, a.cmpWords(), cwNum(a.threshold))
	if a.dpToAlarm < a.evalPeriods && breached {
		s = strings.TrimSuffix(s, ".") + fmt.Sprintf(" (minimum %d datapoints for OK -> ALARM transition).", a.dpToAlarm)
	}
	return s
}

func reasonData(a *alarm, now time.Time, data []datum) string {
	var recent []float64
	for _, d := range data {
		recent = append(recent, d.v)
	}
	b, _ := json.Marshal(map[string]any{
		"version": "1.0", "queryDate": now.UTC().Format("2006-01-02T15:04:05.000+0000"),
		"statistic": a.stat, "period": a.period, "recentDatapoints": recent, "threshold": a.threshold,
	})
	return string(b)
}

func cwDims(d []kv) []cwtypes.Dimension {
	var out []cwtypes.Dimension
	for _, x := range d {
		out = append(out, cwtypes.Dimension{Name: ptr(x.k), Value: ptr(x.v)})
	}
	return out
}

func (a *alarm) out() cwtypes.MetricAlarm {
	return cwtypes.MetricAlarm{
		AlarmName: ptr(a.name), AlarmArn: ptr(a.arn), AlarmDescription: nilIfEmpty(a.desc), ActionsEnabled: ptr(a.actionsEnabled),
		AlarmActions: append([]string{}, a.actions...), OKActions: append([]string{}, a.okActions...), InsufficientDataActions: append([]string{}, a.insufActions...),
		StateValue: a.state, StateReason: ptr(a.reason), StateReasonData: nilIfEmpty(a.reasonData),
		StateUpdatedTimestamp: ptr(a.stateUpdated), StateTransitionedTimestamp: ptr(a.stateUpdated), AlarmConfigurationUpdatedTimestamp: ptr(a.configUpdated),
		MetricName: ptr(a.metric), Namespace: ptr(a.ns), Statistic: cwtypes.Statistic(a.stat), Dimensions: cwDims(a.dims),
		Period: ptr(a.period), EvaluationPeriods: ptr(a.evalPeriods), DatapointsToAlarm: ptr(a.dpToAlarm), Threshold: ptr(a.threshold),
		ComparisonOperator: a.cmp, TreatMissingData: nilIfEmpty(a.treatMissing), Unit: a.unit,
	}
}

// cwClient implements cloud.CloudWatch.
type cwClient struct{ base }

// DescribeAlarms lists metric alarms by names or name prefix, state and action
// prefix, sorted by name, MaxRecords (≤ 100) at a time.
func (c *cwClient) DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	return do(ctx, c.base, "cloudwatch", "DescribeAlarms", in, func(r *region) (*cloudwatch.DescribeAlarmsOutput, error) {
		if in == nil {
			in = &cloudwatch.DescribeAlarmsInput{}
		}
		if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != nil {
			return nil, apiError("InvalidParameterCombination", "AlarmNames and AlarmNamePrefix cannot be specified together")
		}
		if len(in.AlarmNames) > 100 {
			return nil, validationError("The collection AlarmNames must not have a size greater than 100.")
		}
		max := int(i32(in.MaxRecords, 50))
		if max < 1 || max > 100 {
			return nil, validationError("1 validation error detected: Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100", max)
		}
		after, ok := readToken(in.NextToken)
		if !ok {
			return nil, apiError("InvalidNextToken", "The service couldn't process the pagination token.")
		}
		out := &cloudwatch.DescribeAlarmsOutput{}
		if len(in.AlarmTypes) > 0 {
			metric := false
			for _, t := range in.AlarmTypes {
				if t == cwtypes.AlarmTypeMetricAlarm {
					metric = true
				}
			}
			if !metric {
				return out, nil
			}
		}
		match := func(a *alarm) bool {
			if in.StateValue != "" && a.state != in.StateValue {
				return false
			}
			if p := str(in.ActionPrefix); p != "" {
				hit := false
				for _, act := range a.actions {
					if strings.HasPrefix(act, p) {
						hit = true
					}
				}
				if !hit {
					return false
				}
			}
			return true
		}
		if len(in.AlarmNames) > 0 {
			names := append([]string(nil), in.AlarmNames...)
			sort.Strings(names)
			for _, n := range names {
				if a := r.alarms[n]; a != nil && match(a) && n > after {
					if len(out.MetricAlarms) == max {
						out.NextToken = pageToken(*out.MetricAlarms[max-1].AlarmName)
						break
					}
					out.MetricAlarms = append(out.MetricAlarms, a.out())
				}
			}
			return out, nil
		}
		prefix := str(in.AlarmNamePrefix)
		start := sort.SearchStrings(r.alarmNames, prefix)
		if after != "" {
			if i := sort.SearchStrings(r.alarmNames, after); i > start {
				start = i
				if start < len(r.alarmNames) && r.alarmNames[start] == after {
					start++
				}
			}
		}
		for i := start; i < len(r.alarmNames); i++ {
			n := r.alarmNames[i]
			if !strings.HasPrefix(n, prefix) {
				break
			}
			a := r.alarms[n]
			if !match(a) {
				continue
			}
			if len(out.MetricAlarms) == max {
				out.NextToken = pageToken(*out.MetricAlarms[max-1].AlarmName)
				break
			}
			out.MetricAlarms = append(out.MetricAlarms, a.out())
		}
		return out, nil
	})
}

// DescribeAlarmHistory returns state and configuration history, newest first.
func (c *cwClient) DescribeAlarmHistory(ctx context.Context, in *cloudwatch.DescribeAlarmHistoryInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error) {
	return do(ctx, c.base, "cloudwatch", "DescribeAlarmHistory", in, func(r *region) (*cloudwatch.DescribeAlarmHistoryOutput, error) {
		if in == nil {
			in = &cloudwatch.DescribeAlarmHistoryInput{}
		}
		max := int(i32(in.MaxRecords, 100))
		if max < 1 || max > 100 {
			return nil, validationError("1 validation error detected: Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100", max)
		}
		start, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, apiError("InvalidNextToken", "The service couldn't process the pagination token.")
		}
		var items []cwtypes.AlarmHistoryItem
		names := r.alarmNames
		if n := str(in.AlarmName); n != "" {
			names = []string{n}
		}
		for _, n := range names {
			a := r.alarms[n]
			if a == nil {
				continue
			}
			for _, h := range a.history {
				if in.HistoryItemType != "" && h.HistoryItemType != in.HistoryItemType {
					continue
				}
				if in.StartDate != nil && h.Timestamp.Before(*in.StartDate) {
					continue
				}
				if in.EndDate != nil && h.Timestamp.After(*in.EndDate) {
					continue
				}
				items = append(items, cwtypes.AlarmHistoryItem{AlarmName: ptr(str(h.AlarmName)), AlarmType: h.AlarmType, HistoryItemType: h.HistoryItemType,
					HistorySummary: ptr(str(h.HistorySummary)), HistoryData: ptr(str(h.HistoryData)), Timestamp: ptr(*h.Timestamp)})
			}
		}
		sort.SliceStable(items, func(i, j int) bool {
			if in.ScanBy == cwtypes.ScanByTimestampAscending {
				return items[i].Timestamp.Before(*items[j].Timestamp)
			}
			return items[i].Timestamp.After(*items[j].Timestamp)
		})
		out := &cloudwatch.DescribeAlarmHistoryOutput{}
		if start > len(items) {
			start = len(items)
		}
		end := start + max
		if end < len(items) {
			out.NextToken = intToken(end)
		} else {
			end = len(items)
		}
		out.AlarmHistoryItems = items[start:end]
		return out, nil
	})
}

var metricIDRE = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]{0,254}$`)

// GetMetricData answers up to 500 MetricStat queries over [StartTime, EndTime).
func (c *cwClient) GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	return do(ctx, c.base, "cloudwatch", "GetMetricData", in, func(r *region) (*cloudwatch.GetMetricDataOutput, error) {
		if in == nil {
			in = &cloudwatch.GetMetricDataInput{}
		}
		if len(in.MetricDataQueries) == 0 {
			return nil, validationError("The parameter MetricDataQueries is required.")
		}
		if len(in.MetricDataQueries) > 500 {
			return nil, validationError("The collection MetricDataQueries must not have a size greater than 500.")
		}
		if in.StartTime == nil || in.EndTime == nil {
			return nil, validationError("The parameters StartTime and EndTime are required.")
		}
		if !in.StartTime.Before(*in.EndTime) {
			return nil, validationError("The parameter StartTime must be less than the parameter EndTime.")
		}
		seen := map[string]bool{}
		for i, q := range in.MetricDataQueries {
			id := str(q.Id)
			if !metricIDRE.MatchString(id) {
				return nil, validationError("The value %s for parameter MetricDataQueries.member.%d.Id is invalid.", id, i+1)
			}
			if seen[id] {
				return nil, validationError("The value %s for parameter MetricDataQueries.member.%d.Id is duplicated.", id, i+1)
			}
			seen[id] = true
			if q.Expression != nil {
				return nil, validationError("The simulator does not support metric math: MetricDataQueries.member.%d.Expression.", i+1)
			}
			ms := q.MetricStat
			if ms == nil || ms.Metric == nil || str(ms.Metric.MetricName) == "" || str(ms.Metric.Namespace) == "" || str(ms.Stat) == "" || ms.Period == nil {
				return nil, validationError("MetricDataQueries.member.%d must have a MetricStat with a Metric (Namespace, MetricName), a Period and a Stat.", i+1)
			}
			if *ms.Period < 60 || *ms.Period%60 != 0 {
				return nil, validationError("The parameter MetricDataQueries.member.%d.MetricStat.Period must be a multiple of 60.", i+1)
			}
		}
		out := &cloudwatch.GetMetricDataOutput{}
		from, to := in.StartTime.Unix(), in.EndTime.Unix()
		for _, q := range in.MetricDataQueries {
			if q.ReturnData != nil && !*q.ReturnData {
				continue
			}
			ms := q.MetricStat
			var dims []kv
			for _, d := range ms.Metric.Dimensions {
				dims = append(dims, kv{str(d.Name), str(d.Value)})
			}
			label := str(q.Label)
			if label == "" {
				label = str(ms.Metric.MetricName)
			}
			res := cwtypes.MetricDataResult{Id: ptr(str(q.Id)), Label: ptr(label), StatusCode: cwtypes.StatusCodeComplete, Timestamps: []time.Time{}, Values: []float64{}}
			s := r.metrics[metricKey(str(ms.Metric.Namespace), str(ms.Metric.MetricName), dims)]
			p := int64(*ms.Period)
			for b := from / p * p; b < to; b += p {
				if v, ok := aggregate(s.window(max64(b, from), min64(b+p, to)), str(ms.Stat)); ok {
					res.Timestamps = append(res.Timestamps, time.Unix(b, 0).UTC())
					res.Values = append(res.Values, v)
				}
			}
			if in.ScanBy != cwtypes.ScanByTimestampAscending {
				for i, j := 0, len(res.Values)-1; i < j; i, j = i+1, j-1 {
					res.Timestamps[i], res.Timestamps[j] = res.Timestamps[j], res.Timestamps[i]
					res.Values[i], res.Values[j] = res.Values[j], res.Values[i]
				}
			}
			out.MetricDataResults = append(out.MetricDataResults, res)
		}
		return out, nil
	})
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

var comparisons = map[cwtypes.ComparisonOperator]bool{
	cwtypes.ComparisonOperatorGreaterThanThreshold: true, cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold: true,
	cwtypes.ComparisonOperatorLessThanThreshold: true, cwtypes.ComparisonOperatorLessThanOrEqualToThreshold: true,
}

// PutMetricAlarm creates or updates a single-metric alarm.
func (c *cwClient) PutMetricAlarm(ctx context.Context, in *cloudwatch.PutMetricAlarmInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error) {
	return do(ctx, c.base, "cloudwatch", "PutMetricAlarm", in, func(r *region) (*cloudwatch.PutMetricAlarmOutput, error) {
		if in == nil {
			in = &cloudwatch.PutMetricAlarmInput{}
		}
		name := str(in.AlarmName)
		switch {
		case name == "" || len(name) > 255:
			return nil, validationError("1 validation error detected: Value at 'alarmName' failed to satisfy constraint: Member must have length between 1 and 255")
		case len(in.Metrics) > 0:
			return nil, validationError("The simulator does not support metric math alarms (Metrics).")
		case str(in.MetricName) == "" || str(in.Namespace) == "":
			return nil, validationError("MetricName and Namespace must be specified.")
		case in.Statistic == "" || !validStat(string(in.Statistic)):
			return nil, validationError("A valid Statistic must be specified.")
		case in.Period == nil || *in.Period < 10 || (*in.Period >= 60 && *in.Period%60 != 0) || (*in.Period < 60 && *in.Period != 10 && *in.Period != 30):
			return nil, validationError("Period must be 10, 30 or a multiple of 60.")
		case in.EvaluationPeriods == nil || *in.EvaluationPeriods < 1:
			return nil, validationError("EvaluationPeriods must be at least 1.")
		case in.Threshold == nil || !finite(*in.Threshold):
			return nil, validationError("Threshold must be specified.")
		case !comparisons[in.ComparisonOperator]:
			return nil, validationError("A valid ComparisonOperator must be specified.")
		case len(in.Dimensions) > 30:
			return nil, validationError("At most 30 dimensions are allowed.")
		}
		dp := i32(in.DatapointsToAlarm, *in.EvaluationPeriods)
		if dp < 1 || dp > *in.EvaluationPeriods {
			return nil, validationError("DatapointsToAlarm must be between 1 and EvaluationPeriods.")
		}
		tm := str(in.TreatMissingData)
		if tm != "" && tm != "missing" && tm != "ignore" && tm != "breaching" && tm != "notBreaching" {
			return nil, validationError("TreatMissingData must be one of breaching, notBreaching, ignore, missing.")
		}
		period := *in.Period
		if period < 60 {
			period = 60 // the simulator's resolution
		}
		a := &alarm{name: name, ns: str(in.Namespace), metric: str(in.MetricName), stat: string(in.Statistic), period: period,
			evalPeriods: *in.EvaluationPeriods, dpToAlarm: dp, threshold: *in.Threshold, cmp: in.ComparisonOperator, treatMissing: tm,
			desc: str(in.AlarmDescription), unit: in.Unit, actionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled,
			actions: append([]string(nil), in.AlarmActions...), okActions: append([]string(nil), in.OKActions...), insufActions: append([]string(nil), in.InsufficientDataActions...)}
		for _, d := range in.Dimensions {
			a.dims = append(a.dims, kv{str(d.Name), str(d.Value)})
		}
		for _, t := range in.Tags {
			a.tags.set(str(t.Key), str(t.Value))
		}
		if err := validTags(a.tags); err != nil {
			return nil, validationError("%v", err)
		}
		r.putAlarm(a) // keeps an existing alarm's tags
		return &cloudwatch.PutMetricAlarmOutput{}, nil
	})
}

// ListTagsForResource returns an alarm's tags by its ARN
// (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME); an alarm that does not exist in
// this account and region is ResourceNotFoundException. Dashboards, metric streams
// and Contributor Insights rules are not modelled, so their ARNs are not found
// either. The messages are the simulator's.
func (c *cwClient) ListTagsForResource(ctx context.Context, in *cloudwatch.ListTagsForResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error) {
	return do(ctx, c.base, "cloudwatch", "ListTagsForResource", in, func(r *region) (*cloudwatch.ListTagsForResourceOutput, error) {
		if in == nil || str(in.ResourceARN) == "" {
			return nil, validationError("1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must not be null")
		}
		arn := str(in.ResourceARN)
		if !strings.HasPrefix(arn, "arn:") || strings.Count(arn, ":") < 5 {
			// AWS's query error code for this shape is InvalidParameterValue.
			return nil, &cwtypes.InvalidParameterValueException{Message: msg("Invalid ARN: %s", arn), ErrorCodeOverride: ptr("InvalidParameterValue")}
		}
		name, isAlarm := strings.CutPrefix(arn, r.arn("cloudwatch", "alarm:"))
		a := r.alarms[name]
		if !isAlarm || a == nil {
			return nil, &cwtypes.ResourceNotFoundException{Message: msg("Resource %s does not exist.", arn), ResourceType: ptr("Alarm"), ResourceId: ptr(arn)}
		}
		out := &cloudwatch.ListTagsForResourceOutput{Tags: []cwtypes.Tag{}}
		for _, t := range a.tags {
			out.Tags = append(out.Tags, cwtypes.Tag{Key: ptr(t.k), Value: ptr(t.v)})
		}
		return out, nil
	})
}

func validStat(s string) bool {
	switch s {
	case "Sum", "Average", "Minimum", "Maximum", "SampleCount":
		return true
	}
	return false
}

// DeleteAlarms deletes up to 100 alarms; an unknown name is ResourceNotFound
// and deletes nothing.
func (c *cwClient) DeleteAlarms(ctx context.Context, in *cloudwatch.DeleteAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error) {
	return do(ctx, c.base, "cloudwatch", "DeleteAlarms", in, func(r *region) (*cloudwatch.DeleteAlarmsOutput, error) {
		if in == nil || len(in.AlarmNames) == 0 {
			return nil, validationError("The parameter AlarmNames is required.")
		}
		if len(in.AlarmNames) > 100 {
			return nil, validationError("The collection AlarmNames must not have a size greater than 100.")
		}
		for _, n := range in.AlarmNames {
			if r.alarms[n] == nil {
				return nil, apiError("ResourceNotFound", "1 or more alarms were not found: %s", n)
			}
		}
		for _, n := range in.AlarmNames {
			r.deleteAlarm(n)
		}
		return &cloudwatch.DeleteAlarmsOutput{}, nil
	})
}

func init() {
	// Each minute: datapoints are recorded, then alarms evaluated on them.
	registerService("cloudwatch", func(b base, c *cloud.Clients) { c.CloudWatch = &cwClient{b} },
		everyMinute(1, (*region).recordMetrics), everyMinute(2, (*region).evaluateAlarms))
}
