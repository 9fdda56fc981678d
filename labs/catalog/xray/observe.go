package xray

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"
	"github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
)

// Observation is one student's X-Ray lab state as read in one monitor cycle.
type Observation struct {
	Target labs.Target
	At     time.Time
	// Env is the student's Beanstalk environment (nil until created).
	Env *ebtypes.EnvironmentDescription
	// Health is DescribeEnvironmentHealth's answer, nil when the environment has no
	// enhanced health (or the read failed): the widget's extra, not the checkpoint's.
	Health *eb.DescribeEnvironmentHealthOutput
	// Group is the student's X-Ray group (nil until created).
	Group *xraytypes.GroupSummary
	// Graph is the group's service graph over GraphWindow.
	Graph       []xraytypes.Service
	GraphWindow time.Duration
	// Summaries are the traces of service("<prefix>signup") over SummaryWindow, oldest first.
	Summaries     []Trace
	SummaryWindow time.Duration
	// Causes are the exception messages of up to 5 recent fault traces (BatchGetTraces).
	Causes []string
	// RoleArn and TopicArn come from the prerequisite stack's outputs.
	RoleArn, TopicArn string
	// Publish is SimulatePrincipalPolicy's decision for sns:Publish on the topic ("" if not read).
	Publish  iamtypes.PolicyEvaluationDecisionType
	Problems []string
	// Stale names the parts ("environment", "graph", "summaries", "publish") whose
	// read failed this cycle for a reason other than "not found": they hold the
	// last state read.
	Stale []string
}

// StaleParts reports the parts carried over from an earlier cycle (labs.Staler).
func (o *Observation) StaleParts() []string { return o.Stale }

// stale marks part as not read this cycle; the caller carries its last state.
func (o *Observation) stale(part string, err error) {
	if !slices.Contains(o.Stale, part) {
		o.Stale = append(o.Stale, part)
	}
	o.Problems = append(o.Problems, part+": "+err.Error())
}

// Read windows and cadences (LABS.md Lab 7: one poller, ≥30 s, short windows).
const (
	graphWindow   = 10 * time.Minute
	summaryWindow = 15 * time.Minute
	graphEvery    = time.Minute
	summaryEvery  = 30 * time.Second
	// summaryOverlap is how far before the last read trace summaries are read
	// again: X-Ray indexes a trace some seconds after its segments arrive, and a
	// trace's summary changes while segments are still added (an in-progress
	// segment completing), so the newest part of the last read may be missing or
	// outdated.
	summaryOverlap = 2 * time.Minute
	batchTraceMax  = 5
	// basicHealthEvery is how long an environment DescribeEnvironmentHealth called
	// basic (InvalidRequestException) is not asked again; a student may turn
	// enhanced health on.
	basicHealthEvery = 10 * time.Minute
	// healthEvery is how long an enhanced-health answer is used: enhanced health
	// reports every 10 seconds, so a read sooner gets the same figures.
	healthEvery = 10 * time.Second
	envNamesMax = 100 // DescribeEnvironments EnvironmentNames per call (one request, no documented cap; keep it modest)
	// groupPagesMax and summaryPagesMax cap the pages read per cycle (groups for the
	// class, trace summaries per student).
	groupPagesMax   = 100
	summaryPagesMax = 20
)

// xrayCache keeps each student's last X-Ray reads, in the monitor's cache
// (labs.Cache), so the throttled APIs are called at most at their cadence;
// students fall into different seconds of the minute by when they were first
// read, which staggers them.
type xrayCache struct {
	env       *ebtypes.EnvironmentDescription // the last environment read (nil: none)
	publish   iamtypes.PolicyEvaluationDecisionType
	basicAt   time.Time // when DescribeEnvironmentHealth last said "not supported" (basic health)
	health    *eb.DescribeEnvironmentHealthOutput
	healthAt  time.Time // when health was read
	roleArn   string    // the prerequisite stack's outputs, read until found
	topicArn  string
	graphAt   time.Time
	graph     []xraytypes.Service
	sumAt     time.Time
	summaries []Trace
	causes    []string
}

// Trace is what the checks and widgets use of one TraceSummary. The monitor keeps
// 15 minutes of them per student (about 150 at the sample app's 10 signups a
// minute, 2,000 students in a class): the SDK's TraceSummary is some 40 fields of
// pointers, this is a few words with one pointer-free time.
type Trace struct {
	ID     string
	Start  time.Time
	Status int32 // HTTP status, 0 if the summary had none
	// Method and URL are the request's, "" if the summary had none.
	Method, URL  string
	ResponseTime float64 // seconds
	// Error and Fault are HasError (4xx) and HasFault (5xx).
	Error, Fault bool
}

// traceOf keeps what the lab uses of s.
func traceOf(s xraytypes.TraceSummary) Trace {
	t := Trace{ID: aws.ToString(s.Id), Start: aws.ToTime(s.StartTime), ResponseTime: aws.ToFloat64(s.ResponseTime),
		Error: aws.ToBool(s.HasError), Fault: aws.ToBool(s.HasFault)}
	if h := s.Http; h != nil {
		t.Status, t.URL = aws.ToInt32(h.HttpStatus), aws.ToString(h.HttpURL)
		switch m := aws.ToString(h.HttpMethod); m { // the common ones without holding the answer's string
		case "POST":
			t.Method = "POST"
		case "GET":
			t.Method = "GET"
		default:
			t.Method = m
		}
	}
	return t
}

// Observe reads every target's lab state: one DescribeEnvironments per 100
// students, one paginated GetGroups for the class, then per student
// DescribeEnvironmentHealth (at most every 10 s), DescribeStacks (outputs) and SimulatePrincipalPolicy,
// GetServiceGraph at most once a minute, GetTraceSummaries at most every 30 s
// (after the first, only for the time since the last read, summaryOverlap
// included) and one BatchGetTraces (≤5 ids) when new faults appeared.
func Observe(ctx context.Context, c *cloud.Clients, cache *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
	if c == nil || c.ElasticBeanstalk == nil || c.XRay == nil {
		return nil, errors.New("xray: observe: missing clients")
	}
	now := c.Clock()
	obs := map[string]*Observation{}
	mem := map[string]*xrayCache{}
	for _, t := range targets {
		obs[t.StudentID] = &Observation{Target: t, At: now, GraphWindow: graphWindow, SummaryWindow: summaryWindow}
		mem[t.StudentID] = labs.Keep[xrayCache](cache, t.StudentID, "xray")
	}
	// Environments, 100 names a call; each chunk's answer is matched to its own
	// targets by name (the targets of a chunk are the chunk's names, in order).
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = envName(t)
	}
	for i := 0; i < len(names); i += envNamesMax {
		end := min(i+envNamesMax, len(names))
		chunk := names[i:end]
		out, err := c.ElasticBeanstalk.DescribeEnvironments(ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: chunk, IncludeDeleted: aws.Bool(false)})
		var byName map[string]*ebtypes.EnvironmentDescription
		if err == nil {
			byName = make(map[string]*ebtypes.EnvironmentDescription, len(out.Environments))
			for j := range out.Environments {
				d := out.Environments[j]
				byName[aws.ToString(d.EnvironmentName)] = &d // the last of a name, as before
			}
		}
		for k, t := range targets[i:end] {
			o, kc := obs[t.StudentID], mem[t.StudentID]
			if err != nil { // the chunk's students keep their last environment
				o.Env = kc.env
				o.stale("environment", fmt.Errorf("describe environments: %w", err))
				continue
			}
			kc.env = byName[chunk[k]]
			o.Env = kc.env
		}
	}
	// Groups: one paginated call for everybody.
	groups := map[string]xraytypes.GroupSummary{}
	pages := xray.NewGetGroupsPaginator(c.XRay, &xray.GetGroupsInput{})
	for page := 0; page < groupPagesMax && pages.HasMorePages(); page++ {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("xray: get groups: %w", err)
		}
		for _, g := range out.Groups {
			groups[aws.ToString(g.GroupName)] = g
		}
	}
	for _, t := range targets {
		o := obs[t.StudentID]
		if g, ok := groups[groupName(t)]; ok {
			o.Group = &g
		}
		observeOne(ctx, c, mem[t.StudentID], o, now)
	}
	res := make(map[string]labs.Observation, len(obs))
	for k, v := range obs {
		res[k] = v
	}
	return res, nil
}

// observeOne does a student's per-student reads; failures go to o.Problems.
func observeOne(ctx context.Context, c *cloud.Clients, kc *xrayCache, o *Observation, now time.Time) {
	t := o.Target
	ready := o.Env != nil && o.Env.Status == ebtypes.EnvironmentStatusReady
	if ready && kc.health != nil && now.Sub(kc.healthAt) < healthEvery && !now.Before(kc.healthAt) {
		o.Health = kc.health
	} else if ready && (kc.basicAt.IsZero() || now.Sub(kc.basicAt) >= basicHealthEvery) {
		kc.health = nil
		h, err := c.ElasticBeanstalk.DescribeEnvironmentHealth(ctx, &eb.DescribeEnvironmentHealthInput{EnvironmentName: aws.String(envName(t)),
			AttributeNames: []ebtypes.EnvironmentHealthAttribute{ebtypes.EnvironmentHealthAttributeAll}})
		// DescribeEnvironmentHealth answers only for environments with enhanced health
		// (basic health gets InvalidRequestException "not supported"): it is an extra
		// for the widget, never the judge. The checkpoint reads Health and HealthStatus
		// from DescribeEnvironments, which every environment has.
		var ae smithy.APIError
		switch {
		case err == nil:
			o.Health, kc.basicAt = h, time.Time{}
			kc.health, kc.healthAt = h, now
		case errors.As(err, &ae) && ae.ErrorCode() == "InvalidRequestException":
			kc.basicAt = now // basic health: ask again only after basicHealthEvery
		}
	}
	// A stack's outputs do not change once it is complete: read them until found.
	if kc.roleArn == "" && c.CloudFormation != nil {
		if out, err := labs.StackOutputs(ctx, c, stackName(t)); err == nil {
			kc.roleArn, kc.topicArn = out["InstanceRoleArn"], out["TopicArn"]
		}
	}
	o.RoleArn, o.TopicArn = kc.roleArn, kc.topicArn
	if o.RoleArn != "" && o.TopicArn != "" && c.IAM != nil {
		out, err := c.IAM.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(o.RoleArn),
			ActionNames: []string{"sns:Publish"}, ResourceArns: []string{o.TopicArn}})
		if err != nil {
			o.Publish = kc.publish
			o.stale("publish", fmt.Errorf("simulate sns:Publish: %w", err))
		} else if len(out.EvaluationResults) > 0 {
			o.Publish = out.EvaluationResults[0].EvalDecision
			kc.publish = o.Publish
		}
	}
	if o.Group != nil && now.Sub(kc.graphAt) >= graphEvery {
		g, err := c.XRay.GetServiceGraph(ctx, &xray.GetServiceGraphInput{StartTime: aws.Time(now.Add(-graphWindow)), EndTime: aws.Time(now), GroupName: aws.String(groupName(t))})
		if err != nil {
			o.stale("graph", fmt.Errorf("service graph: %w", err))
		} else {
			kc.graphAt, kc.graph = now, g.Services
		}
	}
	if o.Group != nil {
		o.Graph = kc.graph
	}
	if o.Env != nil && now.Sub(kc.sumAt) >= summaryEvery {
		// Only what can have changed is read again: the traces since the last read,
		// and summaryOverlap before it. Older ones in the window are kept.
		// kc.summaries is sorted by start: the kept ones are a range of it.
		from, keep := now.Add(-summaryWindow), []Trace(nil)
		if since := kc.sumAt.Add(-summaryOverlap); !kc.sumAt.IsZero() && since.After(from) {
			lo := sort.Search(len(kc.summaries), func(i int) bool { return !kc.summaries[i].Start.Before(from) })
			hi := sort.Search(len(kc.summaries), func(i int) bool { return !kc.summaries[i].Start.Before(since) })
			keep = kc.summaries[lo:max(lo, hi)]
			from = since
		}
		fresh, err := summaries(ctx, c, fmt.Sprintf("service(%q)", tracingName(t)), from, now)
		if err != nil {
			o.stale("summaries", fmt.Errorf("trace summaries: %w", err))
		} else {
			// A new slice: the last cycle's Observation still holds kc.summaries.
			sums := make([]Trace, 0, len(keep)+len(fresh))
			sums = append(append(sums, keep...), fresh...)
			// Only re-read traces can be new; faults are rare, so the known ids
			// are collected only when one is seen.
			newFault := false
			var known map[string]bool
			for _, s := range fresh {
				if !s.Fault {
					continue
				}
				if known == nil {
					known = make(map[string]bool, len(kc.summaries))
					for _, k := range kc.summaries {
						known[k.ID] = true
					}
				}
				if !known[s.ID] {
					newFault = true
					break
				}
			}
			kc.sumAt, kc.summaries = now, sums
			if newFault {
				kc.causes = causes(ctx, c, sums, o)
			}
		}
	}
	if o.Env != nil {
		o.Summaries, o.Causes = kc.summaries, kc.causes
	}
}

// summaries pages through GetTraceSummaries, sorted oldest first.
func summaries(ctx context.Context, c *cloud.Clients, filter string, from, to time.Time) ([]Trace, error) {
	in := &xray.GetTraceSummariesInput{StartTime: aws.Time(from), EndTime: aws.Time(to)}
	if filter != "" {
		in.FilterExpression = aws.String(filter)
	}
	var all []Trace
	pages := xray.NewGetTraceSummariesPaginator(c.XRay, in)
	for page := 0; page < summaryPagesMax && pages.HasMorePages(); page++ {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range out.TraceSummaries {
			all = append(all, traceOf(s))
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Start.Before(all[j].Start) })
	return all, nil
}

// causes reads the latest fault traces (≤5 ids, one call) and returns their exception messages.
func causes(ctx context.Context, c *cloud.Clients, sums []Trace, o *Observation) []string {
	var ids []string
	for i := len(sums) - 1; i >= 0 && len(ids) < batchTraceMax; i-- {
		if sums[i].Fault {
			ids = append(ids, sums[i].ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	out, err := c.XRay.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: ids})
	if err != nil {
		o.Problems = append(o.Problems, "batch get traces: "+err.Error())
		return nil
	}
	var msgs []string
	seen := map[string]bool{}
	for _, tr := range out.Traces {
		for _, s := range tr.Segments {
			for _, m := range exceptionMessages(aws.ToString(s.Document)) {
				if !seen[m] {
					seen[m] = true
					msgs = append(msgs, m)
				}
			}
		}
	}
	return msgs
}

// exceptionMessages returns every cause.exceptions[].message in a segment document
// and its subsegments.
func exceptionMessages(doc string) []string {
	var v any
	if json.Unmarshal([]byte(doc), &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if cause, ok := m["cause"].(map[string]any); ok {
			list, _ := cause["exceptions"].([]any)
			for _, e := range list {
				if em, ok := e.(map[string]any); ok {
					if s, ok := em["message"].(string); ok && s != "" {
						out = append(out, s)
					}
				}
			}
		}
		subs, _ := m["subsegments"].([]any)
		for _, s := range subs {
			walk(s)
		}
	}
	walk(v)
	return out
}

// Resources lists what the observation found for the ledger: the environment and
// its application (tagged), and the X-Ray group (found by name).
func (o *Observation) Resources() []labs.Resource {
	var out []labs.Resource
	if o.Env != nil && o.Env.EnvironmentArn != nil {
		arn := aws.ToString(o.Env.EnvironmentArn)
		appArn := "arn:aws:elasticbeanstalk:" + o.Target.Region + ":" + o.Target.Account + ":application/" + aws.ToString(o.Env.ApplicationName)
		out = append(out, labs.Resource{ARN: appArn, Type: "AWS::ElasticBeanstalk::Application", Region: o.Target.Region, FoundBy: "tag"},
			labs.Resource{ARN: arn, Type: "AWS::ElasticBeanstalk::Environment", Region: o.Target.Region, Parent: appArn, FoundBy: "tag"})
	}
	if o.Group != nil && o.Group.GroupARN != nil {
		out = append(out, labs.Resource{ARN: aws.ToString(o.Group.GroupARN), Type: "AWS::XRay::Group", Region: o.Target.Region, FoundBy: "prefix"})
	}
	return out
}
