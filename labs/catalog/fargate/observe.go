package fargate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/batch"
	"github.com/labdash/labdash/labs/cloud"
)

// Observation is one student's Fargate lab state as read in one monitor cycle.
type Observation struct {
	Target        labs.Target
	At            time.Time
	Cluster       *ecstypes.Cluster
	TaskDef       *ecstypes.TaskDefinition
	LoadBalancer  *elbtypes.LoadBalancer
	TargetGroups  []elbtypes.TargetGroup
	Listeners     []elbtypes.Listener
	Service       *ecstypes.Service
	Tasks         []ecstypes.Task // running and pending
	Stopped       []ecstypes.Task // stopped in the last hour
	TargetHealth  []elbtypes.TargetHealthDescription
	Scalable      *aastypes.ScalableTarget
	Policies      []aastypes.ScalingPolicy
	Activities    []aastypes.ScalingActivity
	Alarms        []cwtypes.MetricAlarm
	RequestCounts []float64 // RequestCountPerTarget per minute, oldest first
	Problems      []string  // reads that failed for this student
	// Stale names the parts (cluster, service, tasks, …) whose read failed this cycle
	// for a reason other than "not found" (throttling, an outage): they hold the last
	// good state, not a judgement that the resource is gone.
	Stale []string

	byPrefix map[string]bool // ARNs found by name prefix rather than by tag
	last     *Observation    // the previous cycle's observation of this student, if any
	mem      *studentMemory  // what the monitor's cache keeps about this student
}

// StaleParts reports the parts of the observation carried over from the last cycle
// (labs.Staler).
func (o *Observation) StaleParts() []string { return o.Stale }

// stale marks part as not read this cycle (err is neither success nor "not found")
// and carries the last cycle's state of it.
func (o *Observation) stale(part string, err error) {
	if !contains(o.Stale, part) {
		o.Stale = append(o.Stale, part)
		o.Problems = append(o.Problems, part+": "+errText(err))
	}
	l := o.last
	if l == nil {
		return
	}
	carried := func(arn *string) {
		if l.byPrefix[aws.ToString(arn)] {
			o.markPrefix(arn)
		}
	}
	switch part {
	case "cluster":
		if o.Cluster == nil && l.Cluster != nil {
			o.Cluster = l.Cluster
			carried(l.Cluster.ClusterArn)
		}
	case "service":
		if o.Service == nil {
			o.Service = l.Service
		}
	case "tasks":
		o.Tasks, o.Stopped = l.Tasks, l.Stopped
	case "taskdef":
		o.TaskDef = l.TaskDef
	case "lb":
		if o.LoadBalancer == nil && l.LoadBalancer != nil {
			o.LoadBalancer = l.LoadBalancer
			carried(l.LoadBalancer.LoadBalancerArn)
		}
	case "tg":
		if len(o.TargetGroups) == 0 {
			o.TargetGroups = l.TargetGroups
			for _, tg := range l.TargetGroups {
				carried(tg.TargetGroupArn)
			}
		}
	case "listeners":
		o.Listeners = l.Listeners
	case "health":
		o.TargetHealth = l.TargetHealth
	case "scaling":
		o.Scalable, o.Policies = l.Scalable, l.Policies
	case "activities":
		o.Activities = l.Activities
	case "alarms":
		o.Alarms = l.Alarms
	case "metrics":
		o.RequestCounts = l.RequestCounts
	}
}

func (o *Observation) clusterARN() *string {
	if o.Cluster == nil {
		return nil
	}
	return o.Cluster.ClusterArn
}

func (o *Observation) markPrefix(arn *string) {
	if o.byPrefix == nil {
		o.byPrefix = map[string]bool{}
	}
	o.byPrefix[aws.ToString(arn)] = true
}

// findClustersByName looks up, 100 names a call, the clusters of students whose
// cluster the tag sweep did not find (a student may create it without the tags).
func findClustersByName(ctx context.Context, c *cloud.Clients, targets []labs.Target, obs map[string]*Observation) {
	var names []string
	for _, t := range targets {
		if o := obs[t.StudentID]; o.Cluster == nil && !recentlyMissed(o, "cluster") {
			names = append(names, clusterName(t))
		}
	}
	for _, chunk := range chunks(names, describeClustersMax) {
		out, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: chunk})
		if err != nil {
			for _, t := range targets {
				if contains(chunk, clusterName(t)) {
					obs[t.StudentID].stale("cluster", err)
				}
			}
			continue
		}
		for _, f := range out.Failures {
			ref := aws.ToString(f.Arn)
			name := ref[strings.LastIndex(ref, "/")+1:]
			if aws.ToString(f.Reason) == "MISSING" {
				for _, t := range targets {
					if name == clusterName(t) {
						noteMiss(obs[t.StudentID], "cluster")
					}
				}
				continue
			}
			for _, t := range targets {
				if name == clusterName(t) {
					obs[t.StudentID].stale("cluster", errors.New(aws.ToString(f.Reason)))
				}
			}
		}
		for i := range out.Clusters {
			cl := out.Clusters[i]
			for _, t := range targets {
				if o := obs[t.StudentID]; aws.ToString(cl.ClusterName) == clusterName(t) && aws.ToString(cl.Status) == "ACTIVE" {
					o.Cluster = &cl
					o.markPrefix(cl.ClusterArn)
				}
			}
		}
	}
}

// findLBsByName looks up load balancers and target groups the tag sweep missed, by
// the lab's names, 20 a call. Both APIs fail a whole batch when one name is missing;
// batch.Describe drops the missing names (the error names them, else the batch is
// split in two) and reads the rest in batches.
func findLBsByName(ctx context.Context, c *cloud.Clients, targets []labs.Target, obs map[string]*Observation) {
	var lbNames, tgNames []string
	for _, t := range targets {
		o := obs[t.StudentID]
		if o.LoadBalancer == nil && !recentlyMissed(o, "lb") {
			lbNames = append(lbNames, lbName(t))
		}
		if len(o.TargetGroups) == 0 && !recentlyMissed(o, "tg") {
			tgNames = append(tgNames, tgName(t))
		}
	}
	owner := func(name string) *Observation {
		for _, t := range targets {
			if name == lbName(t) || name == tgName(t) {
				return obs[t.StudentID]
			}
		}
		return nil
	}
	for _, chunk := range chunks(lbNames, describeLBMax) {
		res := batch.Describe(ctx, chunk, func(ctx context.Context, names []string) ([]elbtypes.LoadBalancer, error) {
			out, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: names})
			if err != nil {
				return nil, err
			}
			return out.LoadBalancers, nil
		})
		for _, n := range res.Missing {
			noteMiss(owner(n), "lb")
		}
		for _, n := range res.Failed {
			if o := owner(n); o != nil {
				o.stale("lb", res.Err)
			}
		}
		for i := range res.Found {
			lb := res.Found[i]
			if o := owner(aws.ToString(lb.LoadBalancerName)); o != nil {
				o.LoadBalancer = &lb
				o.markPrefix(lb.LoadBalancerArn)
			}
		}
	}
	for _, chunk := range chunks(tgNames, describeTGMax) {
		res := batch.Describe(ctx, chunk, func(ctx context.Context, names []string) ([]elbtypes.TargetGroup, error) {
			out, err := c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: names})
			if err != nil {
				return nil, err
			}
			return out.TargetGroups, nil
		})
		for _, n := range res.Missing {
			noteMiss(owner(n), "tg")
		}
		for _, n := range res.Failed {
			if o := owner(n); o != nil {
				o.stale("tg", res.Err)
			}
		}
		for _, tg := range res.Found {
			if o := owner(aws.ToString(tg.TargetGroupName)); o != nil {
				o.TargetGroups = append(o.TargetGroups, tg)
				o.markPrefix(tg.TargetGroupArn)
			}
		}
	}
}

// missTTL is how long a name a prefix lookup did not find is not asked for again:
// a student who has not created a resource yet costs one lookup a minute rather
// than one a cycle.
const missTTL = time.Minute

// recentlyMissed reports whether o's resource of kind ("cluster", "lb", "tg") was
// looked up by name and not found within missTTL.
func recentlyMissed(o *Observation, kind string) bool {
	at, ok := o.mem.misses[kind]
	return ok && o.At.Sub(at) < missTTL && !o.At.Before(at)
}

// noteMiss remembers that o's resource of kind was not found this cycle.
func noteMiss(o *Observation, kind string) {
	if o != nil {
		o.mem.misses[kind] = o.At
	}
}

// isTaskDefMissing reports whether DescribeTaskDefinition said the family or
// revision does not exist (ECS answers ClientException "Unable to describe task
// definition.").
func isTaskDefMissing(err error) bool {
	var ae smithy.APIError
	return batch.IsNotFound(err) || errors.As(err, &ae) && ae.ErrorCode() == "ClientException"
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Limits of the batched APIs (LABS.md §3).
const (
	describeServicesMax = 10
	describeTasksMax    = 100
	describeClustersMax = 100
	describeLBMax       = 20
	describeTGMax       = 20
	scalableTargetsMax  = 50
	metricQueriesMax    = 500
	taggingPageMax      = 100
	alarmsPageMax       = 100
)

// groupMemory is what the lab keeps for a whole group between cycles, in the
// monitor's cache (labs.Cache): the task definitions it has described, an LRU of
// taskDefCacheMax revisions (a student who left keeps a few entries until they age
// out).
type groupMemory struct {
	taskDefs *lru[*ecstypes.TaskDefinition]
	latest   *lru[latestRead] // a family's latest revision, for students without a service yet
	// stopped holds the tasks last described as STOPPED, by task ARN. A stopped
	// task never changes again (ECS lists it for about an hour, then forgets
	// it), so a listed ARN found here is not described again; entries not listed
	// in the last cycle are dropped.
	stopped map[string]*ecstypes.Task
}

// studentMemory is what the lab keeps about one student between cycles: the last
// observation (so a read that fails for a reason other than "not found" keeps the
// last state, marked stale, rather than reading as "deleted") and when a name
// lookup last missed. The monitor forgets it when the student leaves the class.
type studentMemory struct {
	last   *Observation
	misses map[string]time.Time // kind → when the lookup by name found nothing
}

func groupMemoryOf(cache *labs.Cache) *groupMemory {
	g := labs.Keep[groupMemory](cache, "", "fargate")
	if g.taskDefs == nil {
		g.taskDefs, g.latest = newLRU[*ecstypes.TaskDefinition](taskDefCacheMax), newLRU[latestRead](taskDefCacheMax)
	}
	return g
}

func studentMemoryOf(cache *labs.Cache, t labs.Target) *studentMemory {
	m := labs.Keep[studentMemory](cache, t.StudentID, "fargate")
	if m.misses == nil {
		m.misses = map[string]time.Time{}
	}
	return m
}

// latestRead is one read of a family's latest revision.
type latestRead struct {
	at time.Time
	td *ecstypes.TaskDefinition // nil: the family had no revision
}

// latestEvery is how often a family's latest revision is read again for a student
// with no service yet (checkpoint 2 before checkpoint 4): a new revision shows within
// it. A service names its revision, which is described once.
const latestEvery = 30 * time.Second

// taskDefCacheMax bounds the task definitions remembered: a few revisions per student
// of the largest class.
const taskDefCacheMax = 8192

// prefixOwner finds the student whose name prefix name starts with, or nil. Every
// prefix ends in "-" (labs.NewTarget), so the only candidates are name up to each of
// its dashes: a map look-up per dash instead of a walk of the class per name, which
// made a cycle quadratic in the class (at 2,000 students, 18 % of labbench's CPU).
func prefixOwner(byPrefix map[string]*Observation, name string) *Observation {
	for i := 0; i < len(name); i++ {
		if name[i] == '-' {
			if o := byPrefix[name[:i+1]]; o != nil {
				return o
			}
		}
	}
	return nil
}

// Observe reads every target's Fargate lab state with the fewest calls the APIs
// allow: one tagging sweep finds the class's clusters, services, load balancers and
// target groups; DescribeServices goes 10 at a time per cluster, DescribeTasks 100 at
// a time, one DescribeAlarms pages the class's target-tracking alarms, one
// GetMetricData carries every sparkline. Target health and listeners have no batch
// form, so they cost one call per student. A task definition revision is described
// once (it never changes).
//
// A stale ARN from the tagging sweep (a resource just deleted) costs its batch a
// split, never the class; a read that fails otherwise marks the students it concerns
// stale with their last state. Only the tagging sweep failing fails the batch.
//
// What it remembers between cycles lives in cache, the monitor's memory of the group.
func Observe(ctx context.Context, c *cloud.Clients, cache *labs.Cache, targets []labs.Target) (map[string]labs.Observation, error) {
	if len(targets) == 0 {
		return map[string]labs.Observation{}, nil
	}
	classID := targets[0].ClassID
	now := c.Clock()
	obs := make(map[string]*Observation, len(targets))
	byPrefix := map[string]*Observation{}
	ob := groupMemoryOf(cache)
	for _, t := range targets {
		mem := studentMemoryOf(cache, t)
		o := &Observation{Target: t, At: now, last: mem.last, mem: mem}
		obs[t.StudentID] = o
		byPrefix[t.Prefix] = o
	}
	owner := func(name string) *Observation { return prefixOwner(byPrefix, name) }
	all := func(part string, err error) {
		for _, o := range obs {
			o.stale(part, err)
		}
	}

	// 1. Discovery by tag: what the class owns in this region.
	res, err := discover(ctx, c, classID)
	if err != nil {
		return nil, fmt.Errorf("fargate: discover: %w", err)
	}
	clusterARNs, serviceARNs, lbARNs, tgARNs := res["ecs:cluster"], res["ecs:service"], res["elasticloadbalancing:loadbalancer"], res["elasticloadbalancing:targetgroup"]

	// 2. Clusters, 100 per call; a missing one is a Failure (MISSING), not an error.
	for _, chunk := range chunks(clusterARNs, describeClustersMax) {
		out, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: chunk, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags}})
		if err != nil {
			for _, arn := range chunk {
				if o := owner(arnName(arn, ":cluster/")); o != nil {
					o.stale("cluster", err)
				}
			}
			continue
		}
		for _, f := range out.Failures {
			if o := owner(arnName(aws.ToString(f.Arn), ":cluster/")); o != nil && aws.ToString(f.Reason) != "MISSING" {
				o.stale("cluster", errors.New(aws.ToString(f.Reason)))
			}
		}
		for i := range out.Clusters {
			cl := out.Clusters[i]
			if o := owner(aws.ToString(cl.ClusterName)); o != nil && aws.ToString(cl.ClusterName) == clusterName(o.Target) {
				o.Cluster = &cl
			}
		}
	}

	// 2b. Name prefix: clusters a student created without the class tags.
	findClustersByName(ctx, c, targets, obs)

	// 3. Services, 10 per call per cluster. A missing service is a Failure (MISSING);
	// a missing cluster fails its batch (ClusterNotFoundException): both mean gone.
	byCluster := map[string][]string{}
	for _, arn := range serviceARNs {
		if cl, _, ok := serviceParts(arn); ok {
			byCluster[cl] = append(byCluster[cl], arn)
		}
	}
	for _, t := range targets { // an untagged cluster's service is looked up by its name
		if o := obs[t.StudentID]; o.byPrefix[aws.ToString(o.clusterARN())] {
			name := clusterName(t)
			if !contains(byCluster[name], serviceName(t)) {
				byCluster[name] = append(byCluster[name], serviceName(t))
			}
		}
	}
	serviceOwner := func(ref string) *Observation {
		if _, name, ok := serviceParts(ref); ok {
			ref = name
		}
		if o := owner(ref); o != nil && ref == serviceName(o.Target) {
			return o
		}
		return nil
	}
	clusters := sortedKeys(byCluster)
	for _, cl := range clusters {
		for _, chunk := range chunks(byCluster[cl], describeServicesMax) {
			out, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cl), Services: chunk})
			if err != nil {
				if batch.IsNotFound(err) {
					continue
				}
				for _, ref := range chunk {
					if o := serviceOwner(ref); o != nil {
						o.stale("service", err)
					}
				}
				continue
			}
			for _, f := range out.Failures {
				if o := serviceOwner(aws.ToString(f.Arn)); o != nil && aws.ToString(f.Reason) != "MISSING" {
					o.stale("service", errors.New(aws.ToString(f.Reason)))
				}
			}
			for i := range out.Services {
				svc := out.Services[i]
				if o := owner(aws.ToString(svc.ServiceName)); o != nil && aws.ToString(svc.ServiceName) == serviceName(o.Target) && aws.ToString(svc.Status) != "INACTIVE" {
					o.Service = &svc
				}
			}
		}
	}

	// 4. Tasks: per cluster, running and stopped, then described 100 at a time.
	inCluster := func(cl string) []*Observation { // the students whose service lives in cl
		var out []*Observation
		for _, ref := range byCluster[cl] {
			if o := serviceOwner(ref); o != nil {
				out = append(out, o)
			}
		}
		return out
	}
	g := groupMemoryOf(cache)
	listed := map[string]*ecstypes.Task{}
	for _, cl := range clusters {
		if err := readTasks(ctx, c, cl, owner, g.stopped, listed); err != nil {
			for _, o := range inCluster(cl) {
				o.Tasks, o.Stopped = nil, nil
				o.stale("tasks", err)
			}
		}
	}
	g.stopped = listed

	// 5. Task definitions: the service's revision (described once: a revision never
	// changes), else the family's latest (read again every latestEvery).
	for _, t := range targets {
		o := obs[t.StudentID]
		ref := family(t)
		if o.Service != nil && o.Service.TaskDefinition != nil {
			ref = aws.ToString(o.Service.TaskDefinition)
		}
		key := c.Account + "/" + c.Region + "/" + ref
		if revision(ref) {
			if td, ok := ob.taskDefs.get(key); ok {
				o.TaskDef = td
				continue
			}
		} else if r, ok := ob.latest.get(key); ok && now.Sub(r.at) < latestEvery && !now.Before(r.at) {
			o.TaskDef = r.td
			continue
		}
		out, err := c.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
		if err != nil {
			if !isTaskDefMissing(err) {
				o.stale("taskdef", err)
			} else if !revision(ref) { // not registered yet: checkpoint 2 says so
				ob.latest.put(key, latestRead{at: now})
			}
			continue
		}
		o.TaskDef = out.TaskDefinition
		if arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn); arn != "" {
			ob.taskDefs.put(c.Account+"/"+c.Region+"/"+arn, out.TaskDefinition)
		}
		if revision(ref) {
			ob.taskDefs.put(key, out.TaskDefinition)
		} else {
			ob.latest.put(key, latestRead{at: now, td: out.TaskDefinition})
		}
	}

	// 6. Load balancers and target groups, 20 per call; listeners and health per student.
	// An ARN the tagging sweep still names after its deletion fails its whole batch
	// (LoadBalancerNotFound / TargetGroupNotFound): batch.Describe reads around it.
	for _, chunk := range chunks(lbARNs, describeLBMax) {
		res := batch.Describe(ctx, chunk, func(ctx context.Context, arns []string) ([]elbtypes.LoadBalancer, error) {
			out, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: arns})
			if err != nil {
				return nil, err
			}
			return out.LoadBalancers, nil
		})
		for _, arn := range res.Failed {
			if o := owner(arnName(arn, ":loadbalancer/app/")); o != nil {
				o.stale("lb", res.Err)
			}
		}
		for i := range res.Found {
			lb := res.Found[i]
			if o := owner(aws.ToString(lb.LoadBalancerName)); o != nil && aws.ToString(lb.LoadBalancerName) == lbName(o.Target) {
				o.LoadBalancer = &lb
			}
		}
	}
	for _, chunk := range chunks(tgARNs, describeTGMax) {
		res := batch.Describe(ctx, chunk, func(ctx context.Context, arns []string) ([]elbtypes.TargetGroup, error) {
			out, err := c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: arns})
			if err != nil {
				return nil, err
			}
			return out.TargetGroups, nil
		})
		for _, arn := range res.Failed {
			if o := owner(arnName(arn, ":targetgroup/")); o != nil {
				o.stale("tg", res.Err)
			}
		}
		for _, tg := range res.Found {
			if o := owner(aws.ToString(tg.TargetGroupName)); o != nil {
				o.TargetGroups = append(o.TargetGroups, tg)
			}
		}
	}
	findLBsByName(ctx, c, targets, obs)
	for _, t := range targets {
		o := obs[t.StudentID]
		if o.LoadBalancer != nil {
			out, err := c.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: o.LoadBalancer.LoadBalancerArn})
			switch {
			case err == nil:
				o.Listeners = out.Listeners
			case batch.IsNotFound(err):
				o.Problems = append(o.Problems, "listeners: "+errText(err))
			default:
				o.stale("listeners", err)
			}
		}
		if tg := o.serviceTargetGroup(); tg != "" {
			out, err := c.ELBv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(tg)})
			switch {
			case err == nil:
				o.TargetHealth = out.TargetHealthDescriptions
			case batch.IsNotFound(err):
				o.Problems = append(o.Problems, "target health: "+errText(err))
			default:
				o.stale("health", err)
			}
		}
	}

	// 7. Scaling: targets 50 per call, the namespace's policies paged, activities only
	// where a scale-out may have happened.
	var resourceIDs []string
	byResource := map[string]*Observation{}
	for _, t := range targets {
		id := "service/" + clusterName(t) + "/" + serviceName(t)
		if o := obs[t.StudentID]; o.Service != nil {
			if cl, _, ok := serviceParts(aws.ToString(o.Service.ServiceArn)); ok {
				id = "service/" + cl + "/" + serviceName(t)
			}
		}
		resourceIDs = append(resourceIDs, id)
		byResource[id] = obs[t.StudentID]
	}
	scalingErr := error(nil)
	for _, chunk := range chunks(resourceIDs, scalableTargetsMax) {
		out, err := c.AutoScaling.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceIds: chunk})
		if err != nil {
			scalingErr = err
			for _, id := range chunk {
				byResource[id].stale("scaling", err)
			}
			continue
		}
		for i := range out.ScalableTargets {
			st := out.ScalableTargets[i]
			if o := byResource[aws.ToString(st.ResourceId)]; o != nil {
				o.Scalable = &st
			}
		}
	}
	if scalingErr == nil && anyScalable(obs) {
		var policies []aastypes.ScalingPolicy
		pages := aas.NewDescribeScalingPoliciesPaginator(c.AutoScaling, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, MaxResults: aws.Int32(50)})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				all("scaling", err)
				policies = nil
				break
			}
			policies = append(policies, out.ScalingPolicies...)
		}
		for _, p := range policies {
			if o := byResource[aws.ToString(p.ResourceId)]; o != nil {
				o.Policies = append(o.Policies, p)
			}
		}
	}
	for id, o := range byResource {
		if o.Service == nil || o.Service.DesiredCount <= 2 || o.Scalable == nil {
			continue
		}
		out, err := c.AutoScaling.DescribeScalingActivities(ctx, &aas.DescribeScalingActivitiesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id), MaxResults: aws.Int32(5)})
		if err != nil {
			o.stale("activities", err)
			continue
		}
		o.Activities = out.ScalingActivities
	}

	// 8. Alarms: one prefix covers the class.
	var alarms []cwtypes.MetricAlarm
	pages := cloudwatch.NewDescribeAlarmsPaginator(c.CloudWatch, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("TargetTracking-service/" + classID), MaxRecords: aws.Int32(alarmsPageMax)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			all("alarms", err)
			alarms = nil
			break
		}
		alarms = append(alarms, out.MetricAlarms...)
	}
	for _, a := range alarms {
		rest := strings.TrimPrefix(aws.ToString(a.AlarmName), "TargetTracking-")
		if i := strings.Index(rest, "-Alarm"); i > 0 {
			if o := byResource[rest[:i]]; o != nil {
				o.Alarms = append(o.Alarms, a)
			}
		}
	}

	// 9. Request counts: one GetMetricData for every student with a load balancer and target group.
	if err := readRequestCounts(ctx, c, obs); err != nil {
		all("metrics", err)
	}

	out := make(map[string]labs.Observation, len(obs))
	for id, o := range obs {
		o.last = nil // one cycle back is all a stale part needs
		o.mem.last = o
		out[id] = o
	}
	return out, nil
}

// readTasks lists a cluster's running and stopped tasks and describes them 100 at a
// time, handing each to its student's observation. A stopped task found in known
// (the last cycle's stopped tasks) is not described again; every task read as
// STOPPED is put in listed, the next cycle's known.
func readTasks(ctx context.Context, c *cloud.Clients, cl string, owner func(string) *Observation, known, listed map[string]*ecstypes.Task) error {
	type found struct {
		o       *Observation
		task    *ecstypes.Task
		stopped bool
	}
	var got []found
	keep := func(task *ecstypes.Task, stopped bool) {
		svc := strings.TrimPrefix(aws.ToString(task.Group), "service:")
		if o := owner(svc); o != nil && svc == serviceName(o.Target) {
			got = append(got, found{o, task, stopped})
		}
	}
	for _, status := range []ecstypes.DesiredStatus{ecstypes.DesiredStatusRunning, ecstypes.DesiredStatusStopped} {
		var arns []string
		pages := ecs.NewListTasksPaginator(c.ECS, &ecs.ListTasksInput{Cluster: aws.String(cl), DesiredStatus: status, MaxResults: aws.Int32(100)})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("list tasks in %s: %w", cl, err)
			}
			arns = append(arns, out.TaskArns...)
		}
		if status == ecstypes.DesiredStatusStopped {
			unknown := arns[:0:0]
			for _, arn := range arns {
				if t := known[arn]; t != nil {
					listed[arn] = t
					keep(t, true)
				} else {
					unknown = append(unknown, arn)
				}
			}
			arns = unknown
		}
		for _, chunk := range chunks(arns, describeTasksMax) {
			out, err := c.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cl), Tasks: chunk})
			if err != nil {
				return fmt.Errorf("describe tasks in %s: %w", cl, err)
			}
			for i := range out.Tasks {
				task := &out.Tasks[i]
				done := aws.ToString(task.LastStatus) == "STOPPED"
				if done {
					listed[aws.ToString(task.TaskArn)] = task
				}
				keep(task, done || status == ecstypes.DesiredStatusStopped)
			}
		}
	}
	// Only a cluster read whole is handed out; each student's slices are made to
	// size (a task is some 600 bytes: growing slices of them was a third of the
	// lab's allocation at 2,000 students).
	n := map[*Observation][2]int{}
	for _, f := range got {
		k := n[f.o]
		if f.stopped {
			k[1]++
		} else {
			k[0]++
		}
		n[f.o] = k
	}
	for o, k := range n {
		o.Tasks = slices.Grow(o.Tasks, k[0])
		o.Stopped = slices.Grow(o.Stopped, k[1])
	}
	for _, f := range got {
		if f.stopped {
			f.o.Stopped = append(f.o.Stopped, *f.task)
		} else {
			f.o.Tasks = append(f.o.Tasks, *f.task)
		}
	}
	return nil
}

// revision reports whether a task definition reference names one revision (an ARN or
// family:revision), which never changes, rather than a family's latest.
func revision(ref string) bool {
	return strings.HasPrefix(ref, "arn:") || strings.Contains(ref, ":")
}

// arnName returns the resource name in arn after marker ("…:loadbalancer/app/NAME/ID",
// "…:cluster/NAME").
func arnName(arn, marker string) string {
	_, rest, ok := strings.Cut(arn, marker)
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

func discover(ctx context.Context, c *cloud.Clients, classID string) (map[string][]string, error) {
	res := map[string][]string{}
	pages := tagging.NewGetResourcesPaginator(c.Tagging, &tagging.GetResourcesInput{
		TagFilters:          []tagtypes.TagFilter{{Key: aws.String("labdash:class"), Values: []string{classID}}},
		ResourceTypeFilters: []string{"ecs:cluster", "ecs:service", "elasticloadbalancing:loadbalancer", "elasticloadbalancing:targetgroup"},
		ResourcesPerPage:    aws.Int32(taggingPageMax),
	})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range out.ResourceTagMappingList {
			arn := aws.ToString(m.ResourceARN)
			if kind := resourceKind(arn); kind != "" {
				res[kind] = append(res[kind], arn)
			}
		}
	}
	for k := range res {
		sort.Strings(res[k])
	}
	return res, nil
}

// resourceKind maps an ARN to the tagging API's resource type.
func resourceKind(arn string) string {
	switch {
	case strings.Contains(arn, ":ecs:") && strings.Contains(arn, ":cluster/"):
		return "ecs:cluster"
	case strings.Contains(arn, ":ecs:") && strings.Contains(arn, ":service/"):
		return "ecs:service"
	case strings.Contains(arn, ":loadbalancer/app/"):
		return "elasticloadbalancing:loadbalancer"
	case strings.Contains(arn, ":targetgroup/"):
		return "elasticloadbalancing:targetgroup"
	}
	return ""
}

// serviceParts splits arn:aws:ecs:R:A:service/CLUSTER/NAME.
func serviceParts(arn string) (cluster, name string, ok bool) {
	_, rest, found := strings.Cut(arn, ":service/")
	if !found {
		return "", "", false
	}
	cluster, name, ok = strings.Cut(rest, "/")
	return cluster, name, ok && cluster != "" && name != ""
}

// serviceTargetGroup is the target group the student's service (else their ALB's listener) uses.
func (o *Observation) serviceTargetGroup() string {
	if o.Service != nil {
		for _, lb := range o.Service.LoadBalancers {
			if lb.TargetGroupArn != nil {
				return *lb.TargetGroupArn
			}
		}
	}
	if len(o.TargetGroups) > 0 {
		return aws.ToString(o.TargetGroups[0].TargetGroupArn)
	}
	return ""
}

func readRequestCounts(ctx context.Context, c *cloud.Clients, obs map[string]*Observation) error {
	var queries []cwtypes.MetricDataQuery
	ids := map[string]*Observation{}
	for _, id := range sortedKeys(obs) {
		o := obs[id]
		tg := o.serviceTargetGroup()
		if o.LoadBalancer == nil || tg == "" {
			continue
		}
		qid := fmt.Sprintf("q%d", len(queries))
		ids[qid] = o
		queries = append(queries, cwtypes.MetricDataQuery{
			Id: aws.String(qid),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{
					Namespace:  aws.String("AWS/ApplicationELB"),
					MetricName: aws.String("RequestCountPerTarget"),
					Dimensions: []cwtypes.Dimension{
						{Name: aws.String("TargetGroup"), Value: aws.String(arnSuffix(tg, "targetgroup/"))},
						{Name: aws.String("LoadBalancer"), Value: aws.String(arnSuffix(aws.ToString(o.LoadBalancer.LoadBalancerArn), "app/"))},
					},
				},
				Period: aws.Int32(60),
				Stat:   aws.String("Sum"),
			},
		})
	}
	end := c.Clock()
	for _, chunk := range chunks(queries, metricQueriesMax) {
		out, err := c.CloudWatch.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
			MetricDataQueries: chunk, StartTime: aws.Time(end.Add(-30 * time.Minute)), EndTime: aws.Time(end),
		})
		if err != nil {
			return fmt.Errorf("fargate: get metric data: %w", err)
		}
		for _, r := range out.MetricDataResults {
			o := ids[aws.ToString(r.Id)]
			if o == nil {
				continue
			}
			// Results come newest first; the sparkline wants oldest first.
			vals := make([]float64, len(r.Values))
			for i, v := range r.Values {
				vals[len(vals)-1-i] = v
			}
			o.RequestCounts = vals
		}
	}
	return nil
}

// arnSuffix returns the part of arn from marker on ("app/NAME/ID", "targetgroup/NAME/ID").
func arnSuffix(arn, marker string) string {
	if i := strings.Index(arn, marker); i >= 0 {
		return arn[i:]
	}
	return arn
}

func anyScalable(obs map[string]*Observation) bool {
	for _, o := range obs {
		if o.Scalable != nil {
			return true
		}
	}
	return false
}

func chunks[T any](xs []T, n int) [][]T {
	var out [][]T
	for len(xs) > 0 {
		k := min(n, len(xs))
		out = append(out, xs[:k])
		xs = xs[k:]
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func errText(err error) string {
	s := err.Error()
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// Resources lists what the student created that the observation found, for the ledger.
func (o *Observation) Resources() []labs.Resource {
	var out []labs.Resource
	add := func(arn, typ, parent string) {
		if arn != "" {
			found := "tag"
			if o.byPrefix[arn] {
				found = "prefix"
			}
			out = append(out, labs.Resource{ARN: arn, Type: typ, Region: o.Target.Region, Parent: parent, FoundBy: found})
		}
	}
	if o.Cluster != nil {
		add(aws.ToString(o.Cluster.ClusterArn), "AWS::ECS::Cluster", "")
	}
	if o.Service != nil {
		add(aws.ToString(o.Service.ServiceArn), "AWS::ECS::Service", aws.ToString(o.Service.ClusterArn))
	}
	if o.TaskDef != nil {
		add(aws.ToString(o.TaskDef.TaskDefinitionArn), "AWS::ECS::TaskDefinition", "")
	}
	if o.LoadBalancer != nil {
		lb := aws.ToString(o.LoadBalancer.LoadBalancerArn)
		add(lb, "AWS::ElasticLoadBalancingV2::LoadBalancer", "")
		for _, l := range o.Listeners {
			add(aws.ToString(l.ListenerArn), "AWS::ElasticLoadBalancingV2::Listener", lb)
		}
	}
	for _, tg := range o.TargetGroups {
		add(aws.ToString(tg.TargetGroupArn), "AWS::ElasticLoadBalancingV2::TargetGroup", "")
	}
	// Scaling targets, policies and their alarms carry no class tags: they belong to
	// the student through the service they scale.
	svc := ""
	if o.Service != nil {
		svc = aws.ToString(o.Service.ServiceArn)
	}
	if o.Scalable != nil && svc != "" {
		arn := aws.ToString(o.Scalable.ScalableTargetARN)
		if arn == "" { // older APIs name a scalable target only by namespace and resource id
			arn = "ecs:" + aws.ToString(o.Scalable.ResourceId)
		}
		add(arn, "AWS::ApplicationAutoScaling::ScalableTarget", svc)
	}
	if svc != "" {
		for _, p := range o.Policies {
			add(aws.ToString(p.PolicyARN), "AWS::ApplicationAutoScaling::ScalingPolicy", svc)
		}
		for _, a := range o.Alarms {
			add(aws.ToString(a.AlarmArn), "AWS::CloudWatch::Alarm", svc)
		}
	}
	return out
}
