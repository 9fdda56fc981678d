package sim

// AWS Elastic Beanstalk: applications and environments, as Lab 7's X-Ray signup
// app runs on them. Modelled as AWS does it:
//   - an application's ARN is arn:aws:elasticbeanstalk:REGION:ACCOUNT:application/APP,
//     an environment's …:environment/APP/ENV; the tagging API lists both
//     (elasticbeanstalk:application, elasticbeanstalk:environment). An environment
//     carries its own tags plus AWS's elasticbeanstalk:environment-name and
//     elasticbeanstalk:environment-id;
//   - CreateEnvironment needs an existing application and a platform
//     (SolutionStackName, PlatformArn or TemplateName); environment names (4–40
//     letters, digits and hyphens) and CNAME prefixes are unique per region among
//     environments that are not terminated. The environment is Launching (Health
//     Grey) for 4–6 minutes, then Ready (Green). Option
//     aws:elasticbeanstalk:environment/EnvironmentType SingleInstance gives it no
//     load balancer (EndpointURL is the instance's address), LoadBalanced (the
//     default) an ELB endpoint;
//   - TerminateEnvironment (by EnvironmentId or EnvironmentName) is accepted only
//     when the environment is Ready ("…is in an invalid state for this operation.
//     Must be Ready."); it moves Terminating (Grey) for 2–4 minutes, then
//     Terminated. Terminated environments are still described — DescribeEnvironments
//     includes them unless IncludeDeleted is false, for an hour (less if
//     IncludedDeletedBackTo is later) — but are gone from ListTagsForResource and
//     the tagging API;
//   - DeleteApplication is InvalidParameterValue while the application has an
//     environment that is not Terminated ("…because it has running environments"),
//     unless TerminateEnvByForce, which starts terminating them and deletes the
//     application. An unknown application is InvalidParameterValue "No Application
//     named 'X' found."; DescribeApplications leaves unknown names out.
//
//   - option settings read: EnvironmentType, environment properties
//     (aws:elasticbeanstalk:application:environment, e.g. AWS_XRAY_TRACING_NAME),
//     aws:elasticbeanstalk:xray XRayEnabled and the instance profile; a Ready
//     environment runs Lab 7's signup app (signup.go), whose recent requests give
//     Health and DescribeEnvironmentHealth (enhanced health's 5xx rules).
//
// Not modelled: application versions and source bundles, configuration templates,
// saved configurations, other option settings, the EC2, Auto
// Scaling, ELB and CloudFormation (awseb-e-*) resources behind an environment,
// enhanced health details, events, managed updates, UpdateEnvironment and
// UpdateTagsForResource, and environment links.

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/labdash/labdash/labs/cloud"
)

func init() {
	// Steps at order 40: environments launch on their instances.
	registerService("elasticbeanstalk", func(b base, c *cloud.Clients) { c.ElasticBeanstalk = &ebClient{b} }, everySecond(40, stepBeanstalk))
}

// ebClient implements cloud.ElasticBeanstalk.
type ebClient struct{ base }

var _ cloud.ElasticBeanstalk = (*ebClient)(nil)

// ebDeletedVisible is how long DescribeEnvironments still shows a terminated environment.
const ebDeletedVisible = time.Hour

// ebState is one region's applications and environments (terminated ones too,
// for an hour), in creation order.
type ebState struct {
	apps        map[string]*ebApp
	appOrder    []*ebApp
	envs        []*ebEnv
	terminating []*ebEnv // the ones stepBeanstalk must finish
	// byName indexes envs[:indexed] by name, for the monitor's per-student
	// DescribeEnvironmentHealth (a scan of every environment per call was
	// quadratic in the class). Environments are only appended to envs (here and
	// by CloudFormation) or compacted by stepBeanstalk, which drops the index;
	// named indexes what was appended since.
	byName  map[string][]*ebEnv
	indexed int
}

// named returns the environments called name (terminated ones too), in
// creation order.
func (st *ebState) named(name string) []*ebEnv {
	if st.byName == nil || st.indexed > len(st.envs) {
		st.byName, st.indexed = map[string][]*ebEnv{}, 0
	}
	for _, e := range st.envs[st.indexed:] {
		st.byName[e.name] = append(st.byName[e.name], e)
	}
	st.indexed = len(st.envs)
	return st.byName[name]
}

type ebApp struct {
	tagged
	name, desc string
	created    time.Time
	updated    time.Time
}

type ebEnv struct {
	tagged
	id, name, app string
	desc          string
	cname         string
	endpoint      string
	single        bool
	tier          ebtypes.EnvironmentTier
	stack         string // solution stack name
	platform      string // platform ARN
	template      string
	version       string
	created       time.Time
	readyAt       time.Time
	termAt        time.Time // when TerminateEnvironment was accepted; zero while running
	terminatedAt  time.Time
	signup        *signupApp        // the signup app running on it (signup.go), once Ready
	props         map[string]string // environment properties (aws:elasticbeanstalk:application:environment)
	xray          bool              // aws:elasticbeanstalk:xray XRayEnabled
	profile       string            // aws:autoscaling:launchconfiguration IamInstanceProfile
}

func ebOf(r *region) *ebState {
	return state(r, "elasticbeanstalk", func() *ebState { return &ebState{apps: map[string]*ebApp{}} })
}

func ebInvalid(format string, a ...any) error {
	return apiError("InvalidParameterValue", format, a...)
}

// stepBeanstalk finishes terminations: a Terminated environment leaves the tagging
// API, and one terminated over an hour ago is no longer described.
func stepBeanstalk(r *region, now time.Time) {
	st, ok := r.ext["elasticbeanstalk"].(*ebState)
	if !ok || (len(st.terminating) == 0 && now.Unix()%60 != 0) {
		return
	}
	st.terminating = compact(st.terminating, func(e *ebEnv) bool {
		if now.Before(e.terminatedAt) {
			return true
		}
		e.dead = true
		return false
	})
	if now.Unix()%60 == 0 {
		n := len(st.envs)
		st.envs = compact(st.envs, func(e *ebEnv) bool {
			return e.termAt.IsZero() || now.Sub(e.terminatedAt) < ebDeletedVisible
		})
		if len(st.envs) != n {
			st.byName = nil
		}
	}
}

func (e *ebEnv) status(now time.Time) ebtypes.EnvironmentStatus {
	switch {
	case !e.termAt.IsZero() && now.Before(e.terminatedAt):
		return ebtypes.EnvironmentStatusTerminating
	case !e.termAt.IsZero():
		return ebtypes.EnvironmentStatusTerminated
	case now.Before(e.readyAt):
		return ebtypes.EnvironmentStatusLaunching
	}
	return ebtypes.EnvironmentStatusReady
}

func (e *ebEnv) describe(now time.Time) ebtypes.EnvironmentDescription {
	s := e.status(now)
	d := ebtypes.EnvironmentDescription{EnvironmentId: ptr(e.id), EnvironmentName: ptr(e.name), ApplicationName: ptr(e.app),
		EnvironmentArn: ptr(e.arn), Description: optStr(e.desc), SolutionStackName: optStr(e.stack), PlatformArn: optStr(e.platform),
		TemplateName: optStr(e.template), VersionLabel: optStr(e.version), DateCreated: tptr(e.created), Status: s,
		Health: ebtypes.EnvironmentHealthGrey, AbortableOperationInProgress: ptr(false), Tier: cloneJSON(&e.tier)}
	upd := e.created
	switch s {
	case ebtypes.EnvironmentStatusReady:
		d.Health, d.HealthStatus, upd = ebtypes.EnvironmentHealthGreen, ebtypes.EnvironmentHealthStatusOk, e.readyAt
		if e.signup != nil {
			d.Health, d.HealthStatus = e.signup.health(now)
		}
	case ebtypes.EnvironmentStatusLaunching:
		d.HealthStatus = ebtypes.EnvironmentHealthStatusPending
	case ebtypes.EnvironmentStatusTerminating:
		upd = e.termAt
	case ebtypes.EnvironmentStatusTerminated:
		upd = e.terminatedAt
	}
	d.DateUpdated = tptr(upd)
	if s != ebtypes.EnvironmentStatusTerminated {
		d.CNAME, d.EndpointURL = optStr(e.cname), optStr(e.endpoint)
	}
	return d
}

var (
	ebEnvNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{2,38}[A-Za-z0-9]$`)
	ebCNAMERE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$`)
)

func ebTagList(in []ebtypes.Tag) (tagList, error) {
	var t tagList
	for _, x := range in {
		if x.Key == nil {
			return nil, ebInvalid("Tag key must not be null.")
		}
		if strings.HasPrefix(*x.Key, "aws:") || strings.HasPrefix(*x.Key, "elasticbeanstalk:") {
			return nil, ebInvalid("Tag keys starting with 'aws:' or 'elasticbeanstalk:' are reserved.")
		}
		t.set(*x.Key, str(x.Value))
	}
	if err := validTags(t); err != nil {
		return nil, ebInvalid("%v", err)
	}
	return t, nil
}

func (a *ebApp) describe() *ebtypes.ApplicationDescription {
	return &ebtypes.ApplicationDescription{ApplicationName: ptr(a.name), ApplicationArn: ptr(a.arn), Description: optStr(a.desc),
		DateCreated: tptr(a.created), DateUpdated: tptr(a.updated)}
}

// CreateApplication creates an application.
func (c *ebClient) CreateApplication(ctx context.Context, in *elasticbeanstalk.CreateApplicationInput, _ ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.CreateApplicationOutput, error) {
	return do(ctx, c.base, "elasticbeanstalk", "CreateApplication", in, func(r *region) (*elasticbeanstalk.CreateApplicationOutput, error) {
		if in == nil {
			in = &elasticbeanstalk.CreateApplicationInput{}
		}
		name := str(in.ApplicationName)
		if name == "" || len(name) > 100 || strings.Contains(name, "/") {
			return nil, ebInvalid("Value '%s' at 'applicationName' failed to satisfy constraint: Member must have length between 1 and 100", name)
		}
		tags, err := ebTagList(in.Tags)
		if err != nil {
			return nil, err
		}
		st := ebOf(r)
		if st.apps[name] != nil {
			return nil, ebInvalid("Application %s already exists.", name)
		}
		a := &ebApp{name: name, desc: str(in.Description), created: r.w.now, updated: r.w.now}
		a.tags = tags
		st.apps[name] = a
		st.appOrder = append(st.appOrder, a)
		r.addTaggable(&a.tagged, r.arn("elasticbeanstalk", "application/"+name), "elasticbeanstalk:application")
		return &elasticbeanstalk.CreateApplicationOutput{Application: a.describe()}, nil
	})
}

// DescribeApplications describes the named applications (every one without names).
func (c *ebClient) DescribeApplications(ctx context.Context, in *elasticbeanstalk.DescribeApplicationsInput, _ ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeApplicationsOutput, error) {
	return do(ctx, c.base, "elasticbeanstalk", "DescribeApplications", in, func(r *region) (*elasticbeanstalk.DescribeApplicationsOutput, error) {
		if in == nil {
			in = &elasticbeanstalk.DescribeApplicationsInput{}
		}
		out := &elasticbeanstalk.DescribeApplicationsOutput{Applications: []ebtypes.ApplicationDescription{}}
		for _, a := range ebOf(r).appOrder {
			if len(in.ApplicationNames) == 0 || contains(in.ApplicationNames, a.name) {
				out.Applications = append(out.Applications, *a.describe())
			}
		}
		return out, nil
	})
}

// DeleteApplication deletes an application without running environments (or, with
// TerminateEnvByForce, starts terminating them).
func (c *ebClient) DeleteApplication(ctx context.Context, in *elasticbeanstalk.DeleteApplicationInput, _ ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DeleteApplicationOutput, error) {
	return do(ctx, c.base, "elasticbeanstalk", "DeleteApplication", in, func(r *region) (*elasticbeanstalk.DeleteApplicationOutput, error) {
		if in == nil {
			in = &elasticbeanstalk.DeleteApplicationInput{}
		}
		st := ebOf(r)
		name := str(in.ApplicationName)
		a := st.apps[name]
		if a == nil {
			return nil, ebInvalid("No Application named '%s' found.", name)
		}
		force := in.TerminateEnvByForce != nil && *in.TerminateEnvByForce
		var running []*ebEnv
		for _, e := range st.envs {
			if e.app == name && e.status(r.w.now) != ebtypes.EnvironmentStatusTerminated {
				running = append(running, e)
			}
		}
		if len(running) > 0 && !force {
			return nil, ebInvalid("Unable to delete application %s because it has running environments. Terminate the environments before deleting the application, or use the TerminateEnvByForce option.", name)
		}
		for _, e := range running {
			c.terminate(r, st, e)
		}
		a.dead = true
		delete(st.apps, name)
		st.appOrder = compact(st.appOrder, func(x *ebApp) bool { return x != a })
		return &elasticbeanstalk.DeleteApplicationOutput{}, nil
	})
}

// CreateEnvironment launches an environment of an existing application.
func (c *ebClient) CreateEnvironment(ctx context.Context, in *elasticbeanstalk.CreateEnvironmentInput, _ ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.CreateEnvironmentOutput, error) {
	return do(ctx, c.base, "elasticbeanstalk", "CreateEnvironment", in, func(r *region) (*elasticbeanstalk.CreateEnvironmentOutput, error) {
		if in == nil {
			in = &elasticbeanstalk.CreateEnvironmentInput{}
		}
		st := ebOf(r)
		appName := str(in.ApplicationName)
		if st.apps[appName] == nil {
			return nil, ebInvalid("No Application named '%s' found.", appName)
		}
		name := str(in.EnvironmentName)
		if !ebEnvNameRE.MatchString(name) {
			return nil, ebInvalid("Value %s at 'EnvironmentName' failed to satisfy constraint: Member must have length between 4 and 40 and contain only letters, digits, and the dash character and may not start or end with a dash", name)
		}
		if str(in.SolutionStackName) == "" && str(in.PlatformArn) == "" && str(in.TemplateName) == "" {
			return nil, ebInvalid("No platform specified: specify a SolutionStackName, a PlatformArn or a TemplateName.")
		}
		tags, err := ebTagList(in.Tags)
		if err != nil {
			return nil, err
		}
		tier := ebtypes.EnvironmentTier{Name: ptr("WebServer"), Type: ptr("Standard"), Version: ptr("1.0")}
		if in.Tier != nil && str(in.Tier.Name) == "Worker" {
			tier = ebtypes.EnvironmentTier{Name: ptr("Worker"), Type: ptr("SQS/HTTP"), Version: ptr("1.0")}
		}
		opts := make([]ebOption, len(in.OptionSettings))
		for i, o := range in.OptionSettings {
			opts[i] = ebOption{str(o.Namespace), str(o.OptionName), str(o.Value)}
		}
		single, props, xrayOn, profile, err := parseEBOptions(opts)
		if err != nil {
			return nil, err
		}
		cname := ""
		if str(tier.Name) == "WebServer" {
			prefix := str(in.CNAMEPrefix)
			if prefix == "" {
				prefix = name
			}
			if !ebCNAMERE.MatchString(prefix) {
				return nil, ebInvalid("Value '%s' at 'CNAMEPrefix' failed to satisfy constraint: Member must have length between 4 and 63", prefix)
			}
			cname = strings.ToLower(prefix) + "." + r.name + ".elasticbeanstalk.com"
		}
		for _, e := range st.envs {
			if !e.termAt.IsZero() {
				continue
			}
			if e.name == name {
				return nil, ebInvalid("Environment %s already exists.", name)
			}
			if cname != "" && e.cname == cname {
				return nil, ebInvalid("DNS name (%s) is not available.", cname)
			}
		}
		e := &ebEnv{id: "e-" + strings.ToLower(c.w.alnum(10)), name: name, app: appName, desc: str(in.Description), cname: cname, single: single,
			tier: tier, stack: str(in.SolutionStackName), platform: str(in.PlatformArn), template: str(in.TemplateName), version: str(in.VersionLabel),
			created: r.w.now, props: props, xray: xrayOn, profile: profile}
		e.readyAt = r.w.now.Add(c.w.jitter(4*time.Minute, 2*time.Minute)).Truncate(time.Second)
		if cname != "" {
			if single {
				e.endpoint = "54." + c.w.octets(3)
			} else {
				e.endpoint = "awseb-" + e.id + "-" + c.w.alnum(12) + "." + r.name + ".elb.amazonaws.com"
			}
		}
		e.tags = tags
		e.tags.set("elasticbeanstalk:environment-name", name)
		e.tags.set("elasticbeanstalk:environment-id", e.id)
		st.envs = append(st.envs, e)
		r.addTaggable(&e.tagged, r.arn("elasticbeanstalk", "environment/"+appName+"/"+name), "elasticbeanstalk:environment")
		d := e.describe(r.w.now)
		out := &elasticbeanstalk.CreateEnvironmentOutput{}
		out.EnvironmentId, out.EnvironmentName, out.ApplicationName, out.EnvironmentArn = d.EnvironmentId, d.EnvironmentName, d.ApplicationName, d.EnvironmentArn
		out.Status, out.Health, out.HealthStatus, out.CNAME, out.EndpointURL = d.Status, d.Health, d.HealthStatus, d.CNAME, d.EndpointURL
		out.DateCreated, out.DateUpdated, out.Tier, out.SolutionStackName, out.PlatformArn = d.DateCreated, d.DateUpdated, d.Tier, d.SolutionStackName, d.PlatformArn
		out.TemplateName, out.VersionLabel, out.Description, out.AbortableOperationInProgress = d.TemplateName, d.VersionLabel, d.Description, d.AbortableOperationInProgress
		return out, nil
	})
}

// octets returns n random dotted decimal octets ("12.200.7").
func (w *World) octets(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strconv.Itoa(1 + w.rng.IntN(254))
	}
	return strings.Join(parts, ".")
}

// DescribeEnvironments lists environments, terminated ones included unless IncludeDeleted is false.
func (c *ebClient) DescribeEnvironments(ctx context.Context, in *elasticbeanstalk.DescribeEnvironmentsInput, _ ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeEnvironmentsOutput, error) {
	return do(ctx, c.base, "elasticbeanstalk", "DescribeEnvironments", in, func(r *region) (*elasticbeanstalk.DescribeEnvironmentsOutput, error) {
		if in == nil {
			in = &elasticbeanstalk.DescribeEnvironmentsInput{}
		}
		limit := int(i32(in.MaxRecords, 1000))
		if limit < 1 || limit > 1000 {
			return nil, ebInvalid("Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 1000", limit)
		}
		from, ok := readIntToken(in.NextToken)
		if !ok {
			return nil, ebInvalid("Invalid NextToken.")
		}
		backTo := r.w.now.Add(-ebDeletedVisible)
		if in.IncludedDeletedBackTo != nil && in.IncludedDeletedBackTo.After(backTo) {
			backTo = *in.IncludedDeletedBackTo
		}
		includeDeleted := in.IncludeDeleted == nil || *in.IncludeDeleted
		var names map[string]bool // the monitor asks for 100 names a call
		if len(in.EnvironmentNames) > 0 {
			names = make(map[string]bool, len(in.EnvironmentNames))
			for _, n := range in.EnvironmentNames {
				names[n] = true
			}
		}
		var hits []*ebEnv
		for _, e := range ebOf(r).envs {
			switch {
			case str(in.ApplicationName) != "" && e.app != str(in.ApplicationName):
			case len(in.EnvironmentIds) > 0 && !contains(in.EnvironmentIds, e.id):
			case names != nil && !names[e.name]:
			case str(in.VersionLabel) != "" && e.version != str(in.VersionLabel):
			case e.status(r.w.now) == ebtypes.EnvironmentStatusTerminated && (!includeDeleted || e.terminatedAt.Before(backTo)):
			default:
				hits = append(hits, e)
			}
		}
		out := &elasticbeanstalk.DescribeEnvironmentsOutput{Environments: []ebtypes.EnvironmentDescription{}}
		for i := from; i < len(hits); i++ {
			if i == from+limit {
				out.NextToken = intToken(i)
				break
			}
			out.Environments = append(out.Environments, hits[i].describe(r.w.now))
		}
		return out, nil
	})
}

// TerminateEnvironment starts terminating a Ready environment.
func (c *ebClient) TerminateEnvironment(ctx context.Context, in *elasticbeanstalk.TerminateEnvironmentInput, _ ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.TerminateEnvironmentOutput, error) {
	return do(ctx, c.base, "elasticbeanstalk", "TerminateEnvironment", in, func(r *region) (*elasticbeanstalk.TerminateEnvironmentOutput, error) {
		if in == nil {
			in = &elasticbeanstalk.TerminateEnvironmentInput{}
		}
		id, name := str(in.EnvironmentId), str(in.EnvironmentName)
		if id == "" && name == "" {
			return nil, apiError("MissingParameter", "Either EnvironmentId or EnvironmentName must be specified.")
		}
		st := ebOf(r)
		var e *ebEnv
		for _, x := range st.envs {
			if x.status(r.w.now) != ebtypes.EnvironmentStatusTerminated && (id == "" || x.id == id) && (name == "" || x.name == name) {
				e = x
			}
		}
		if e == nil {
			if id != "" {
				return nil, ebInvalid("No Environment found for EnvironmentId = '%s'.", id)
			}
			return nil, ebInvalid("No Environment found for EnvironmentName = '%s'.", name)
		}
		if s := e.status(r.w.now); s != ebtypes.EnvironmentStatusReady {
			return nil, ebInvalid("Environment named %s is in an invalid state for this operation. Must be Ready.", e.name)
		}
		c.terminate(r, st, e)
		d := e.describe(r.w.now)
		out := &elasticbeanstalk.TerminateEnvironmentOutput{}
		out.EnvironmentId, out.EnvironmentName, out.ApplicationName, out.EnvironmentArn = d.EnvironmentId, d.EnvironmentName, d.ApplicationName, d.EnvironmentArn
		out.Status, out.Health, out.HealthStatus, out.CNAME, out.EndpointURL = d.Status, d.Health, d.HealthStatus, d.CNAME, d.EndpointURL
		out.DateCreated, out.DateUpdated, out.Tier, out.SolutionStackName, out.PlatformArn = d.DateCreated, d.DateUpdated, d.Tier, d.SolutionStackName, d.PlatformArn
		out.TemplateName, out.VersionLabel, out.Description, out.AbortableOperationInProgress = d.TemplateName, d.VersionLabel, d.Description, d.AbortableOperationInProgress
		return out, nil
	})
}

// terminate starts e's termination. The world's lock must be held.
func (c *ebClient) terminate(r *region, st *ebState, e *ebEnv) {
	if !e.termAt.IsZero() {
		return
	}
	e.termAt = r.w.now
	e.terminatedAt = r.w.now.Add(c.w.jitter(2*time.Minute, 2*time.Minute)).Truncate(time.Second)
	st.terminating = append(st.terminating, e)
}

// ListTagsForResource lists an application's or a (not terminated) environment's tags.
func (c *ebClient) ListTagsForResource(ctx context.Context, in *elasticbeanstalk.ListTagsForResourceInput, _ ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.ListTagsForResourceOutput, error) {
	return do(ctx, c.base, "elasticbeanstalk", "ListTagsForResource", in, func(r *region) (*elasticbeanstalk.ListTagsForResourceOutput, error) {
		if in == nil {
			in = &elasticbeanstalk.ListTagsForResourceInput{}
		}
		arn := str(in.ResourceArn)
		st := ebOf(r)
		var tags tagList
		found := false
		if name, ok := strings.CutPrefix(arn, r.arn("elasticbeanstalk", "application/")); ok {
			if a := st.apps[name]; a != nil {
				tags, found = a.tags, true
			}
		}
		for _, e := range st.envs {
			if e.arn == arn && e.status(r.w.now) != ebtypes.EnvironmentStatusTerminated {
				tags, found = e.tags, true
			}
		}
		if !found {
			return nil, &ebtypes.ResourceNotFoundException{Message: msg("Resource not found for ARN '%s'.", arn)}
		}
		out := &elasticbeanstalk.ListTagsForResourceOutput{ResourceArn: ptr(arn), ResourceTags: []ebtypes.Tag{}}
		for _, t := range tags {
			out.ResourceTags = append(out.ResourceTags, ebtypes.Tag{Key: ptr(t.k), Value: ptr(t.v)})
		}
		return out, nil
	})
}

// DescribeEnvironmentHealth answers enhanced health from the signup app's requests
// of the last minute (Duration 60): HealthStatus, Color, Status and
// ApplicationMetrics.StatusCodes and RequestCount.
func (c *ebClient) DescribeEnvironmentHealth(ctx context.Context, in *elasticbeanstalk.DescribeEnvironmentHealthInput, _ ...func(*elasticbeanstalk.Options)) (*elasticbeanstalk.DescribeEnvironmentHealthOutput, error) {
	return do(ctx, c.base, "elasticbeanstalk", "DescribeEnvironmentHealth", in, func(r *region) (*elasticbeanstalk.DescribeEnvironmentHealthOutput, error) {
		if in == nil {
			in = &elasticbeanstalk.DescribeEnvironmentHealthInput{}
		}
		id, name := str(in.EnvironmentId), str(in.EnvironmentName)
		if id == "" && name == "" {
			return nil, apiError("MissingParameter", "Either EnvironmentId or EnvironmentName must be specified.")
		}
		var e *ebEnv
		list := ebOf(r).envs
		if name != "" {
			list = ebOf(r).named(name)
		}
		for _, x := range list {
			if (id == "" || x.id == id) && (name == "" || x.name == name) && x.status(r.w.now) != ebtypes.EnvironmentStatusTerminated {
				e = x
			}
		}
		if e == nil {
			return nil, &ebtypes.InvalidRequestException{Message: msg("Environment %s%s does not exist.", id, name)}
		}
		d := e.describe(r.w.now)
		out := &elasticbeanstalk.DescribeEnvironmentHealthOutput{EnvironmentName: ptr(e.name), HealthStatus: ptr(string(d.HealthStatus)),
			Color: ptr(string(d.Health)), Status: ebtypes.EnvironmentHealth(d.Health), RefreshedAt: tptr(r.w.now), Causes: []string{}}
		switch d.Status {
		case ebtypes.EnvironmentStatusReady:
			out.Status = ebtypes.EnvironmentHealth("Ready")
		case ebtypes.EnvironmentStatusLaunching:
			out.Status = ebtypes.EnvironmentHealth("Launching")
			out.HealthStatus = ptr("Pending")
		default:
			out.Status = ebtypes.EnvironmentHealth(d.Status)
		}
		if e.signup != nil && d.Status == ebtypes.EnvironmentStatusReady {
			codes := e.signup.codes(r.w.now)
			total := codes[2] + codes[3] + codes[4] + codes[5]
			out.ApplicationMetrics = &ebtypes.ApplicationMetrics{Duration: ptr(int32(signupHealthWin / time.Second)), RequestCount: int32(total),
				StatusCodes: &ebtypes.StatusCodes{Status2xx: ptr(int32(codes[2])), Status3xx: ptr(int32(codes[3])), Status4xx: ptr(int32(codes[4])), Status5xx: ptr(int32(codes[5]))}}
			if total > 0 && codes[5]*100 > total {
				out.Causes = append(out.Causes, fmt.Sprintf("%.1f %% of the requests are failing with HTTP 5xx.", float64(codes[5])*100/float64(total)))
			}
		}
		return out, nil
	})
}

// ebOption is one option setting, from the API or from a CloudFormation template.
type ebOption struct{ ns, name, value string }

// parseEBOptions reads the option settings labdash's labs use: environment
// properties, X-Ray, the instance profile and the environment type, rejecting
// values Elastic Beanstalk rejects.
func parseEBOptions(opts []ebOption) (single bool, props map[string]string, xrayOn bool, profile string, err error) {
	props = map[string]string{}
	for _, o := range opts {
		switch {
		case o.ns == "aws:elasticbeanstalk:application:environment" && o.name != "":
			props[o.name] = o.value
		case o.ns == "aws:elasticbeanstalk:xray" && o.name == "XRayEnabled":
			switch strings.ToLower(o.value) {
			case "true":
				xrayOn = true
			case "false":
			default:
				return false, nil, false, "", ebInvalid("Invalid option value: '%s' (Namespace: 'aws:elasticbeanstalk:xray', OptionName: 'XRayEnabled'): Value is not one of the allowed values: [true, false]", o.value)
			}
		case o.ns == "aws:autoscaling:launchconfiguration" && o.name == "IamInstanceProfile":
			profile = o.value
		case o.ns == "aws:elasticbeanstalk:environment" && o.name == "EnvironmentType":
			switch o.value {
			case "SingleInstance":
				single = true
			case "LoadBalanced":
			default:
				return false, nil, false, "", ebInvalid("Invalid option value: '%s' (Namespace: 'aws:elasticbeanstalk:environment', OptionName: 'EnvironmentType'): Value is not one of the allowed values: [LoadBalanced, SingleInstance]", o.value)
			}
		}
	}
	return single, props, xrayOn, profile, nil
}

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::ElasticBeanstalk::Application", cfnApplication)
	registerCFN("AWS::ElasticBeanstalk::ApplicationVersion", cfnApplicationVersion)
	registerCFN("AWS::ElasticBeanstalk::Environment", cfnEnvironmentResource)
}

// cfnApplication creates an AWS::ElasticBeanstalk::Application for a stack.
func cfnApplication(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	return r.cfnEBApp(st, logical, p, rs)
}

// cfnApplicationVersion creates an AWS::ElasticBeanstalk::ApplicationVersion for a stack.
func cfnApplicationVersion(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	// Versions and source bundles are not modelled: the label is recorded as the
	// resource's physical id (its Ref), which environments carry as VersionLabel.
	app := propStr(p, "ApplicationName")
	if ebOf(r).apps[app] == nil {
		return ebInvalid("No Application named '%s' found.", app)
	}
	sb, _ := p["SourceBundle"].(map[string]any)
	if propStr(sb, "S3Bucket") == "" || propStr(sb, "S3Key") == "" {
		return fmt.Errorf("Property SourceBundle requires S3Bucket and S3Key.")
	}
	rs.physical = strings.ToLower(r.genName(st, logical, 100))
	return nil
}

// cfnEnvironmentResource creates an AWS::ElasticBeanstalk::Environment for a stack.
func cfnEnvironmentResource(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	return r.cfnEBEnv(st, logical, p, rs)
}
