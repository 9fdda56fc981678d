package fargate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
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

	byPrefix map[string]bool // ARNs found by name prefix rather than by tag
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
func findClustersByName(ctx context.Context, c *cloud.Clients, targets []labs.Target, obs map[string]*Observation) error {
	var names []string
	for _, t := range targets {
		if obs[t.StudentID].Cluster == nil && !recentlyMissed(c, "cluster", clusterName(t)) {
			names = append(names, clusterName(t))
		}
	}
	for _, chunk := range chunks(names, describeClustersMax) {
		out, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: chunk})
		if err != nil {
			return fmt.Errorf("fargate: describe clusters by name: %w", err)
		}
		for _, f := range out.Failures {
			ref := aws.ToString(f.Arn)
			noteMiss(c, "cluster", ref[strings.LastIndex(ref, "/")+1:])
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
	return nil
}

// findLBsByName looks up load balancers and target groups the tag sweep missed, by
// the lab's names. Both APIs fail a whole batch when one name is missing, so a failed
// batch is retried name by name.
func findLBsByName(ctx context.Context, c *cloud.Clients, targets []labs.Target, obs map[string]*Observation) error {
	var lbNames, tgNames []string
	for _, t := range targets {
		o := obs[t.StudentID]
		if o.LoadBalancer == nil && !recentlyMissed(c, "lb", lbName(t)) {
			lbNames = append(lbNames, lbName(t))
		}
		if len(o.TargetGroups) == 0 && !recentlyMissed(c, "tg", tgName(t)) {
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
		for _, batch := range splitOnMiss(chunk) {
			out, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: batch})
			if err != nil {
				if isNotFound(err) {
					noteMiss(c, "lb", batch[0])
					continue
				}
				return fmt.Errorf("fargate: describe load balancers by name: %w", err)
			}
			for i := range out.LoadBalancers {
				lb := out.LoadBalancers[i]
				if o := owner(aws.ToString(lb.LoadBalancerName)); o != nil {
					o.LoadBalancer = &lb
					o.markPrefix(lb.LoadBalancerArn)
				}
			}
		}
	}
	for _, chunk := range chunks(tgNames, describeTGMax) {
		for _, batch := range splitOnMiss(chunk) {
			out, err := c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: batch})
			if err != nil {
				if isNotFound(err) {
					noteMiss(c, "tg", batch[0])
					continue
				}
				return fmt.Errorf("fargate: describe target groups by name: %w", err)
			}
			for _, tg := range out.TargetGroups {
				if o := owner(aws.ToString(tg.TargetGroupName)); o != nil {
					o.TargetGroups = append(o.TargetGroups, tg)
					o.markPrefix(tg.TargetGroupArn)
				}
			}
		}
	}
	return nil
}

// misses remembers names a prefix lookup did not find, so a student who has not
// created a resource yet costs one lookup a minute rather than one a cycle.
var misses sync.Map // "account/region/kind/name" → time.Time of the miss (provider clock)

const missTTL = time.Minute

func recentlyMissed(c *cloud.Clients, kind, name string) bool {
	v, ok := misses.Load(c.Account + "/" + c.Region + "/" + kind + "/" + name)
	return ok && c.Clock().Sub(v.(time.Time)) < missTTL
}

func noteMiss(c *cloud.Clients, kind, name string) {
	misses.Store(c.Account+"/"+c.Region+"/"+kind+"/"+name, c.Clock())
}

// splitOnMiss gives each name its own call: a batch fails whole when any name is
// missing, and a student who has not created the resource yet is the normal case.
func splitOnMiss(names []string) [][]string {
	out := make([][]string, len(names))
	for i, n := range names {
		out[i] = []string{n}
	}
	return out
}

func isNotFound(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && strings.Contains(ae.ErrorCode(), "NotFound")
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

// taskDefCache remembers task definitions by ARN (which names account, region and
// revision): a registered revision never changes, so it is read once per process.
var taskDefCache sync.Map // string → *ecstypes.TaskDefinition

// Observe reads every target's Fargate lab state with the fewest calls the APIs
// allow: one tagging sweep finds the class's clusters, services, load balancers and
// target groups; DescribeServices goes 10 at a time per cluster, DescribeTasks 100 at
// a time, one DescribeAlarms pages the class's target-tracking alarms, one
// GetMetricData carries every sparkline. Target health and listeners have no batch
// form, so they cost one call per student.
func Observe(ctx context.Context, c *cloud.Clients, targets []labs.Target) (map[string]labs.Observation, error) {
	if len(targets) == 0 {
		return map[string]labs.Observation{}, nil
	}
	classID := targets[0].ClassID
	now := c.Clock()
	obs := make(map[string]*Observation, len(targets))
	byPrefix := map[string]*Observation{}
	for _, t := range targets {
		o := &Observation{Target: t, At: now}
		obs[t.StudentID] = o
		byPrefix[t.Prefix] = o
	}
	owner := func(name string) *Observation {
		for p, o := range byPrefix {
			if strings.HasPrefix(name, p) {
				return o
			}
		}
		return nil
	}

	// 1. Discovery by tag: what the class owns in this region.
	res, err := discover(ctx, c, classID)
	if err != nil {
		return nil, fmt.Errorf("fargate: discover: %w", err)
	}
	clusterARNs, serviceARNs, lbARNs, tgARNs := res["ecs:cluster"], res["ecs:service"], res["elasticloadbalancing:loadbalancer"], res["elasticloadbalancing:targetgroup"]

	// 2. Clusters, 100 per call.
	for _, chunk := range chunks(clusterARNs, describeClustersMax) {
		out, err := c.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: chunk, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags}})
		if err != nil {
			return nil, fmt.Errorf("fargate: describe clusters: %w", err)
		}
		for i := range out.Clusters {
			cl := out.Clusters[i]
			if o := owner(aws.ToString(cl.ClusterName)); o != nil && aws.ToString(cl.ClusterName) == clusterName(o.Target) {
				o.Cluster = &cl
			}
		}
	}

	// 2b. Name prefix: clusters a student created without the class tags.
	if err := findClustersByName(ctx, c, targets, obs); err != nil {
		return nil, err
	}

	// 3. Services, 10 per call per cluster.
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
	clusters := sortedKeys(byCluster)
	for _, cl := range clusters {
		for _, chunk := range chunks(byCluster[cl], describeServicesMax) {
			out, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cl), Services: chunk})
			if err != nil {
				return nil, fmt.Errorf("fargate: describe services in %s: %w", cl, err)
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
	for _, cl := range clusters {
		for _, status := range []ecstypes.DesiredStatus{ecstypes.DesiredStatusRunning, ecstypes.DesiredStatusStopped} {
			var arns []string
			var next *string
			for {
				out, err := c.ECS.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(cl), DesiredStatus: status, NextToken: next, MaxResults: aws.Int32(100)})
				if err != nil {
					return nil, fmt.Errorf("fargate: list tasks in %s: %w", cl, err)
				}
				arns = append(arns, out.TaskArns...)
				if next = out.NextToken; next == nil {
					break
				}
			}
			for _, chunk := range chunks(arns, describeTasksMax) {
				out, err := c.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cl), Tasks: chunk})
				if err != nil {
					return nil, fmt.Errorf("fargate: describe tasks in %s: %w", cl, err)
				}
				for _, task := range out.Tasks {
					svc := strings.TrimPrefix(aws.ToString(task.Group), "service:")
					o := owner(svc)
					if o == nil || svc != serviceName(o.Target) {
						continue
					}
					if aws.ToString(task.LastStatus) == "STOPPED" || status == ecstypes.DesiredStatusStopped {
						o.Stopped = append(o.Stopped, task)
					} else {
						o.Tasks = append(o.Tasks, task)
					}
				}
			}
		}
	}

	// 5. Task definitions: the service's revision (cached), else the family's latest.
	for _, t := range targets {
		o := obs[t.StudentID]
		ref := family(t)
		if o.Service != nil && o.Service.TaskDefinition != nil {
			ref = aws.ToString(o.Service.TaskDefinition)
			if td, ok := taskDefCache.Load(ref); ok {
				o.TaskDef = td.(*ecstypes.TaskDefinition)
				continue
			}
		}
		out, err := c.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
		if err != nil {
			continue // not registered yet: checkpoint 2 says so
		}
		o.TaskDef = out.TaskDefinition
		if strings.HasPrefix(ref, "arn:") {
			taskDefCache.Store(ref, out.TaskDefinition)
		}
	}

	// 6. Load balancers and target groups, 20 per call; listeners and health per student.
	for _, chunk := range chunks(lbARNs, describeLBMax) {
		out, err := c.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: chunk})
		if err != nil {
			return nil, fmt.Errorf("fargate: describe load balancers: %w", err)
		}
		for i := range out.LoadBalancers {
			lb := out.LoadBalancers[i]
			if o := owner(aws.ToString(lb.LoadBalancerName)); o != nil && aws.ToString(lb.LoadBalancerName) == lbName(o.Target) {
				o.LoadBalancer = &lb
			}
		}
	}
	for _, chunk := range chunks(tgARNs, describeTGMax) {
		out, err := c.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: chunk})
		if err != nil {
			return nil, fmt.Errorf("fargate: describe target groups: %w", err)
		}
		for _, tg := range out.TargetGroups {
			if o := owner(aws.ToString(tg.TargetGroupName)); o != nil {
				o.TargetGroups = append(o.TargetGroups, tg)
			}
		}
	}
	if err := findLBsByName(ctx, c, targets, obs); err != nil {
		return nil, err
	}
	for _, t := range targets {
		o := obs[t.StudentID]
		if o.LoadBalancer != nil {
			out, err := c.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: o.LoadBalancer.LoadBalancerArn})
			if err != nil {
				o.Problems = append(o.Problems, "listeners: "+errText(err))
			} else {
				o.Listeners = out.Listeners
			}
		}
		if tg := o.serviceTargetGroup(); tg != "" {
			out, err := c.ELBv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(tg)})
			if err != nil {
				o.Problems = append(o.Problems, "target health: "+errText(err))
			} else {
				o.TargetHealth = out.TargetHealthDescriptions
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
	for _, chunk := range chunks(resourceIDs, scalableTargetsMax) {
		out, err := c.AutoScaling.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceIds: chunk})
		if err != nil {
			return nil, fmt.Errorf("fargate: describe scalable targets: %w", err)
		}
		for i := range out.ScalableTargets {
			st := out.ScalableTargets[i]
			if o := byResource[aws.ToString(st.ResourceId)]; o != nil {
				o.Scalable = &st
			}
		}
	}
	if anyScalable(obs) {
		var next *string
		for {
			out, err := c.AutoScaling.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, NextToken: next, MaxResults: aws.Int32(50)})
			if err != nil {
				return nil, fmt.Errorf("fargate: describe scaling policies: %w", err)
			}
			for _, p := range out.ScalingPolicies {
				if o := byResource[aws.ToString(p.ResourceId)]; o != nil {
					o.Policies = append(o.Policies, p)
				}
			}
			if next = out.NextToken; next == nil {
				break
			}
		}
	}
	for id, o := range byResource {
		if o.Service == nil || o.Service.DesiredCount <= 2 || o.Scalable == nil {
			continue
		}
		out, err := c.AutoScaling.DescribeScalingActivities(ctx, &aas.DescribeScalingActivitiesInput{ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String(id), MaxResults: aws.Int32(5)})
		if err != nil {
			o.Problems = append(o.Problems, "scaling activities: "+errText(err))
			continue
		}
		o.Activities = out.ScalingActivities
	}

	// 8. Alarms: one prefix covers the class.
	var next *string
	for {
		out, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("TargetTracking-service/" + classID), MaxRecords: aws.Int32(alarmsPageMax), NextToken: next})
		if err != nil {
			return nil, fmt.Errorf("fargate: describe alarms: %w", err)
		}
		for _, a := range out.MetricAlarms {
			rest := strings.TrimPrefix(aws.ToString(a.AlarmName), "TargetTracking-")
			if i := strings.Index(rest, "-Alarm"); i > 0 {
				if o := byResource[rest[:i]]; o != nil {
					o.Alarms = append(o.Alarms, a)
				}
			}
		}
		if next = out.NextToken; next == nil {
			break
		}
	}

	// 9. Request counts: one GetMetricData for every student with a load balancer and target group.
	if err := readRequestCounts(ctx, c, obs); err != nil {
		return nil, err
	}

	out := make(map[string]labs.Observation, len(obs))
	for id, o := range obs {
		out[id] = o
	}
	return out, nil
}

func discover(ctx context.Context, c *cloud.Clients, classID string) (map[string][]string, error) {
	res := map[string][]string{}
	var token *string
	for {
		out, err := c.Tagging.GetResources(ctx, &tagging.GetResourcesInput{
			TagFilters:          []tagtypes.TagFilter{{Key: aws.String("labdash:class"), Values: []string{classID}}},
			ResourceTypeFilters: []string{"ecs:cluster", "ecs:service", "elasticloadbalancing:loadbalancer", "elasticloadbalancing:targetgroup"},
			ResourcesPerPage:    aws.Int32(taggingPageMax),
			PaginationToken:     token,
		})
		if err != nil {
			return nil, err
		}
		for _, m := range out.ResourceTagMappingList {
			arn := aws.ToString(m.ResourceARN)
			if kind := resourceKind(arn); kind != "" {
				res[kind] = append(res[kind], arn)
			}
		}
		if token = out.PaginationToken; token == nil || *token == "" {
			break
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
