package sim

// ECS with Fargate: clusters, task definitions (families and revisions),
// services and the service scheduler. The scheduler places tasks toward the
// desired count, spreading them round-robin over the AZs of the service's
// subnets; a task moves PROVISIONING (10 s) → PENDING (20–30 s) → RUNNING, gets
// an ENI with a private IP in its subnet, and is registered with the service's
// target groups on its container port once RUNNING. Stopping goes DEACTIVATING →
// STOPPING → DEPROVISIONING → STOPPED over about 7 s while its targets drain.
// Tasks whose targets turn unhealthy are stopped once the health-check grace
// period has passed, with ECS's stop code and message, and replaced. Stopped
// tasks stay listable for an hour; inactive services for an hour.
//
// Simplified: a service's loadBalancers containerPort is not checked against the
// task definition (AWS rejects a port the definition does not map; the simulator
// accepts it so the "wrong container port" mistake can be rehearsed, and the
// targets then fail their health checks). Task-level cpu/memory default to
// 256/512 when omitted. Not modelled: RunTask, EC2 launch type, capacity
// providers, deployment circuit breaker, service discovery, container health
// checks (task healthStatus stays UNKNOWN).

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/labdash/labdash/labs/cloud"
)

// Task timings (simulated time).
const (
	provisionTime     = 10 * time.Second
	pendingTime       = 20 * time.Second // plus up to pendingJitter
	pendingJitter     = 10 * time.Second
	deactivateTime    = 2 * time.Second
	stoppingTime      = 3 * time.Second
	deprovisionTime   = 2 * time.Second
	stoppedRetention  = time.Hour
	ipQuarantine      = 10 * time.Minute // a stopped task's IP is not reused before its target drains
	inactiveRetention = time.Hour
	maxServiceEvents  = 100
)

type cluster struct {
	tagged
	r        *region
	name     string
	arn      string
	status   string // ACTIVE, INACTIVE
	services map[string]*service
	svcOrder []*service
	tasks    []*task
	taskByID map[string]*task
}

type family struct {
	name string
	revs []*taskDef
}

type taskDef struct {
	tagged
	fam     *family
	rev     int32
	arn     string
	status  ecstypes.TaskDefinitionStatus
	def     ecstypes.TaskDefinition // deep copy of what was registered
	regAt   time.Time
	deregAt time.Time
	// purged is a DELETE_IN_PROGRESS revision ECS has finished deleting, once no
	// task or service used it: described by nobody and listed by no status. It
	// keeps its place in fam.revs, since ECS never reuses a revision number.
	purged bool
}

type service struct {
	tagged
	c           *cluster
	name, arn   string
	status      string // ACTIVE, DRAINING, INACTIVE
	desired     int32
	td          *taskDef
	launch      ecstypes.LaunchType
	subnets     []*subnet
	sgs         []string
	publicIP    ecstypes.AssignPublicIp
	lbs         []ecstypes.LoadBalancer
	propagate   ecstypes.PropagateTags
	managedTags bool
	grace       int32
	createdAt   time.Time
	deps        []*deployment // deps[0] is PRIMARY
	events      []ecstypes.ServiceEvent
	tasks       []*task
	steady      bool
	// quiet is set after a scheduler pass that left s steady and ACTIVE: the
	// next pass would change nothing, so stepServices skips s until something
	// the scheduler reads changes (wake: its count, deployments, status, a task's
	// state or a target's health). The zero value schedules.
	quiet      bool
	inactiveAt time.Time
	rr         int
}

type deployment struct {
	id        string
	td        *taskDef
	createdAt time.Time
	updatedAt time.Time
	rollout   ecstypes.DeploymentRolloutState
	reason    string
	failed    int32
}

type task struct {
	tagged
	c         *cluster
	svc       *service
	dep       *deployment
	td        *taskDef
	id, arn   string
	last      string // lastStatus
	desired   string // desiredStatus
	subnet    *subnet
	ip        string
	eni       string
	attachID  string
	sgs       []string
	targets   []*target
	nextAt    time.Time
	createdAt time.Time
	pullStart time.Time
	pullStop  time.Time
	startedAt time.Time
	stoppingAt,
	stoppedAt time.Time
	stopCode    ecstypes.TaskStopCode
	stopReason  string
	ipFreed     bool
	containerID string
}

// listens returns the ports the task's containers accept connections on: the
// image nginxdemos/hello listens on 80 whatever its port mappings say; any
// other image on its first mapped container port.
func (td *taskDef) listens() []int32 {
	var out []int32
	for _, c := range td.def.ContainerDefinitions {
		if strings.Contains(str(c.Image), "nginxdemos/hello") {
			out = append(out, 80)
			continue
		}
		if len(c.PortMappings) > 0 && c.PortMappings[0].ContainerPort != nil {
			out = append(out, *c.PortMappings[0].ContainerPort)
		}
	}
	return out
}

// ecsClient implements cloud.ECS.
type ecsClient struct{ base }

var ecsNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,255}$`)

func ecsTags(t tagList) []ecstypes.Tag {
	var out []ecstypes.Tag
	for _, x := range t {
		out = append(out, ecstypes.Tag{Key: ptr(x.k), Value: ptr(x.v)})
	}
	return out
}

func fromECSTags(in []ecstypes.Tag) (tagList, error) {
	var t tagList
	for _, x := range in {
		t.set(str(x.Key), str(x.Value))
	}
	if err := validTags(t); err != nil {
		return nil, &ecstypes.InvalidParameterException{Message: msg("%v", err)}
	}
	return t, nil
}

func clusterNotFound() error {
	return &ecstypes.ClusterNotFoundException{Message: ptr("Cluster not found.")}
}

// cluster resolves a cluster name or ARN ("" is "default") to an ACTIVE cluster.
func (r *region) cluster(ref string) (*cluster, error) {
	if ref == "" {
		ref = "default"
	}
	c := r.clusters[arnTail(ref, "cluster/")]
	if c == nil || c.status != "ACTIVE" {
		return nil, clusterNotFound()
	}
	return c, nil
}

// service resolves a service name or ARN in c, including inactive ones.
func (c *cluster) service(ref string) *service {
	name := arnTail(ref, "service/")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	return c.services[name]
}

// task resolves a task id or ARN in c.
func (c *cluster) task(ref string) *task {
	id := arnTail(ref, "task/")
	if i := strings.LastIndex(id, "/"); i >= 0 {
		id = id[i+1:]
	}
	return c.taskByID[id]
}

// CreateCluster creates an ACTIVE cluster, or returns the existing one of that
// name as ECS does.
func (c *ecsClient) CreateCluster(ctx context.Context, in *ecs.CreateClusterInput, _ ...func(*ecs.Options)) (*ecs.CreateClusterOutput, error) {
	return do(ctx, c.base, "ecs", "CreateCluster", in, func(r *region) (*ecs.CreateClusterOutput, error) {
		var err error
		if in == nil {
			in = &ecs.CreateClusterInput{}
		}
		name := str(in.ClusterName)
		if name == "" {
			name = "default"
		}
		if !ecsNameRE.MatchString(name) {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Cluster name can only contain letters (uppercase and lowercase), numbers, underscores and hyphens, and be up to 255 characters.")}
		}
		tags, err := fromECSTags(in.Tags)
		if err != nil {
			return nil, err
		}
		cl := r.clusters[name]
		if cl == nil || cl.status != "ACTIVE" {
			cl, err = r.createCluster(name, tags)
			if err != nil {
				return nil, err
			}
		}
		return &ecs.CreateClusterOutput{Cluster: r.clusterOut(cl, true)}, nil
	})
}

// createCluster is CreateCluster's model, shared with CloudFormation.
func (r *region) createCluster(name string, tags tagList) (*cluster, error) {
	if old := r.clusters[name]; old != nil && old.status == "ACTIVE" {
		return nil, &ecstypes.InvalidParameterException{Message: msg("Cluster %s already exists.", name)}
	}
	cl := &cluster{r: r, name: name, arn: r.arn("ecs", "cluster/"+name), status: "ACTIVE", services: map[string]*service{}, taskByID: map[string]*task{}}
	cl.tags = tags.clone()
	if old := r.clusters[name]; old != nil {
		// An INACTIVE cluster of the same name is replaced; its stopped tasks go with it.
		r.clusterOrder = compact(r.clusterOrder, func(x *cluster) bool { return x != old })
	}
	r.clusters[name] = cl
	r.clusterOrder = append(r.clusterOrder, cl)
	r.addTaggable(&cl.tagged, cl.arn, "ecs:cluster")
	return cl, nil
}

func (r *region) clusterOut(cl *cluster, withTags bool) *ecstypes.Cluster {
	var running, pending, services int32
	for _, t := range cl.tasks {
		switch t.last {
		case "RUNNING":
			running++
		case "PROVISIONING", "PENDING", "ACTIVATING":
			pending++
		}
	}
	for _, s := range cl.svcOrder {
		if s.status == "ACTIVE" {
			services++
		}
	}
	out := &ecstypes.Cluster{
		ClusterArn: ptr(cl.arn), ClusterName: ptr(cl.name), Status: ptr(cl.status),
		RunningTasksCount: running, PendingTasksCount: pending, ActiveServicesCount: services,
		CapacityProviders: []string{"FARGATE", "FARGATE_SPOT"},
	}
	if withTags {
		out.Tags = ecsTags(cl.tags)
	}
	return out
}

// DescribeClusters describes up to 100 clusters; unknown ones are Failures
// with reason MISSING.
func (c *ecsClient) DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, _ ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error) {
	return do(ctx, c.base, "ecs", "DescribeClusters", in, func(r *region) (*ecs.DescribeClustersOutput, error) {
		if in == nil {
			in = &ecs.DescribeClustersInput{}
		}
		refs := in.Clusters
		if len(refs) == 0 {
			refs = []string{"default"}
		}
		if len(refs) > 100 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Clusters cannot have more than 100 elements")}
		}
		withTags := false
		for _, f := range in.Include {
			if f == ecstypes.ClusterFieldTags {
				withTags = true
			}
		}
		out := &ecs.DescribeClustersOutput{}
		for _, ref := range refs {
			name := arnTail(ref, "cluster/")
			cl := r.clusters[name]
			if cl == nil || name == "" {
				arn := ref
				if !strings.HasPrefix(ref, "arn:") {
					arn = r.arn("ecs", "cluster/"+ref)
				}
				out.Failures = append(out.Failures, ecstypes.Failure{Arn: ptr(arn), Reason: ptr("MISSING")})
				continue
			}
			out.Clusters = append(out.Clusters, *r.clusterOut(cl, withTags))
		}
		return out, nil
	})
}

// DeleteCluster makes a cluster INACTIVE; it refuses while services are active
// or tasks are not stopped.
func (c *ecsClient) DeleteCluster(ctx context.Context, in *ecs.DeleteClusterInput, _ ...func(*ecs.Options)) (*ecs.DeleteClusterOutput, error) {
	return do(ctx, c.base, "ecs", "DeleteCluster", in, func(r *region) (*ecs.DeleteClusterOutput, error) {
		if in == nil || str(in.Cluster) == "" {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Cluster is required.")}
		}
		cl, err := r.cluster(str(in.Cluster))
		if err != nil {
			return nil, err
		}
		if err := r.deleteCluster(cl); err != nil {
			return nil, err
		}
		return &ecs.DeleteClusterOutput{Cluster: r.clusterOut(cl, false)}, nil
	})
}

// deleteCluster is DeleteCluster's model, shared with CloudFormation.
func (r *region) deleteCluster(cl *cluster) error {
	for _, s := range cl.svcOrder {
		if s.status == "ACTIVE" || s.status == "DRAINING" {
			return &ecstypes.ClusterContainsServicesException{Message: ptr("The Cluster cannot be deleted while Services are active.")}
		}
	}
	for _, t := range cl.tasks {
		if t.last != "STOPPED" {
			return &ecstypes.ClusterContainsTasksException{Message: ptr("The Cluster cannot be deleted while Tasks are active.")}
		}
	}
	cl.status = "INACTIVE"
	cl.dead = true
	return nil
}

var familyRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,255}$`)

// RegisterTaskDefinition registers the next revision of a family.
func (c *ecsClient) RegisterTaskDefinition(ctx context.Context, in *ecs.RegisterTaskDefinitionInput, _ ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error) {
	return do(ctx, c.base, "ecs", "RegisterTaskDefinition", in, func(r *region) (*ecs.RegisterTaskDefinitionOutput, error) {
		if in == nil {
			in = &ecs.RegisterTaskDefinitionInput{}
		}
		name := str(in.Family)
		if !familyRE.MatchString(name) {
			return nil, &ecstypes.ClientException{Message: ptr("Family contains invalid characters or is empty: up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.")}
		}
		if len(in.ContainerDefinitions) == 0 {
			return nil, &ecstypes.ClientException{Message: ptr("Container list cannot be empty.")}
		}
		seen := map[string]bool{}
		for _, cd := range in.ContainerDefinitions {
			if str(cd.Name) == "" {
				return nil, &ecstypes.ClientException{Message: ptr("Container.name should not be null or empty.")}
			}
			if seen[str(cd.Name)] {
				return nil, &ecstypes.ClientException{Message: msg("Duplicate container name: %s", str(cd.Name))}
			}
			seen[str(cd.Name)] = true
			if str(cd.Image) == "" {
				return nil, &ecstypes.ClientException{Message: ptr("Container.image should not be null or empty.")}
			}
			for _, pm := range cd.PortMappings {
				if p := i32(pm.ContainerPort, 0); p < 0 || p > 65535 {
					return nil, &ecstypes.ClientException{Message: msg("Invalid container port %d.", p)}
				}
				if in.NetworkMode == ecstypes.NetworkModeAwsvpc && pm.HostPort != nil && pm.ContainerPort != nil && *pm.HostPort != *pm.ContainerPort {
					return nil, &ecstypes.ClientException{Message: ptr("When networkMode=awsvpc, the host ports and container ports in port mappings must match.")}
				}
			}
		}
		fargate := false
		for _, rc := range in.RequiresCompatibilities {
			if rc == ecstypes.CompatibilityFargate {
				fargate = true
			}
		}
		if fargate && in.NetworkMode != ecstypes.NetworkModeAwsvpc {
			return nil, &ecstypes.ClientException{Message: ptr("Fargate only supports network mode 'awsvpc'.")}
		}
		tags, err := fromECSTags(in.Tags)
		if err != nil {
			return nil, err
		}
		td := r.registerTaskDef(in, tags)
		return &ecs.RegisterTaskDefinitionOutput{TaskDefinition: td.out(), Tags: ecsTags(td.tags)}, nil
	})
}

// registerTaskDef stores a validated definition as the family's next revision.
func (r *region) registerTaskDef(in *ecs.RegisterTaskDefinitionInput, tags tagList) *taskDef {
	name := str(in.Family)
	fam := r.families[name]
	if fam == nil {
		fam = &family{name: name}
		r.families[name] = fam
		r.famOrder = append(r.famOrder, fam)
	}
	rev := int32(len(fam.revs) + 1)
	td := &taskDef{fam: fam, rev: rev, status: ecstypes.TaskDefinitionStatusActive, regAt: r.w.now}
	td.arn = r.arn("ecs", fmt.Sprintf("task-definition/%s:%d", name, rev))
	td.tags = tags.clone()
	cpu, mem := str(in.Cpu), str(in.Memory)
	if cpu == "" {
		cpu = "256"
	}
	if mem == "" {
		mem = "512"
	}
	mode := in.NetworkMode
	if mode == "" {
		mode = ecstypes.NetworkModeBridge
	}
	td.def = ecstypes.TaskDefinition{
		TaskDefinitionArn: ptr(td.arn), Family: ptr(name), Revision: rev,
		ContainerDefinitions:    cloneJSON(in.ContainerDefinitions),
		RequiresCompatibilities: append([]ecstypes.Compatibility(nil), in.RequiresCompatibilities...),
		Compatibilities:         []ecstypes.Compatibility{ecstypes.CompatibilityEc2, ecstypes.CompatibilityFargate},
		NetworkMode:             mode, Cpu: ptr(cpu), Memory: ptr(mem),
		ExecutionRoleArn: in.ExecutionRoleArn, TaskRoleArn: in.TaskRoleArn,
		Volumes: cloneJSON(in.Volumes), RuntimePlatform: cloneJSON(in.RuntimePlatform),
		RegisteredAt: ptr(r.w.now), RegisteredBy: ptr("arn:aws:iam::" + r.account + ":root"),
	}
	for i := range td.def.ContainerDefinitions {
		cd := &td.def.ContainerDefinitions[i]
		if cd.Essential == nil {
			cd.Essential = ptr(true)
		}
		for j := range cd.PortMappings {
			pm := &cd.PortMappings[j]
			if pm.Protocol == "" {
				pm.Protocol = ecstypes.TransportProtocolTcp
			}
			if mode == ecstypes.NetworkModeAwsvpc && pm.HostPort == nil {
				pm.HostPort = pm.ContainerPort
			}
		}
	}
	fam.revs = append(fam.revs, td)
	r.addTaggable(&td.tagged, td.arn, "ecs:task-definition")
	return td
}

// out returns the definition as DescribeTaskDefinition shows it.
func (td *taskDef) out() *ecstypes.TaskDefinition {
	d := cloneJSON(td.def)
	d.Status = td.status
	d.RegisteredAt = ptr(td.regAt)
	d.DeregisteredAt = tptr(td.deregAt)
	return &d
}

func tdNotFound() error {
	return &ecstypes.ClientException{Message: ptr("Unable to describe task definition.")}
}

// taskDef resolves "family" (latest ACTIVE revision), "family:rev" or an ARN.
func (r *region) taskDef(ref string) (*taskDef, error) {
	s := arnTail(ref, "task-definition/")
	if s == "" {
		return nil, tdNotFound()
	}
	name, revStr, hasRev := strings.Cut(s, ":")
	fam := r.families[name]
	if fam == nil {
		return nil, tdNotFound()
	}
	if hasRev {
		rev, err := strconv.Atoi(revStr)
		if err != nil || rev < 1 || rev > len(fam.revs) || fam.revs[rev-1].purged {
			return nil, tdNotFound()
		}
		return fam.revs[rev-1], nil
	}
	for i := len(fam.revs) - 1; i >= 0; i-- {
		if fam.revs[i].status == ecstypes.TaskDefinitionStatusActive {
			return fam.revs[i], nil
		}
	}
	return nil, tdNotFound()
}

// DescribeTaskDefinition describes a family's latest ACTIVE revision, a
// family:revision, or an ARN.
func (c *ecsClient) DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, _ ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error) {
	return do(ctx, c.base, "ecs", "DescribeTaskDefinition", in, func(r *region) (*ecs.DescribeTaskDefinitionOutput, error) {
		if in == nil {
			in = &ecs.DescribeTaskDefinitionInput{}
		}
		td, err := r.taskDef(str(in.TaskDefinition))
		if err != nil {
			return nil, err
		}
		out := &ecs.DescribeTaskDefinitionOutput{TaskDefinition: td.out()}
		for _, f := range in.Include {
			if f == ecstypes.TaskDefinitionFieldTags {
				out.Tags = ecsTags(td.tags)
			}
		}
		return out, nil
	})
}

// DeregisterTaskDefinition marks a revision INACTIVE (it must name the revision).
func (c *ecsClient) DeregisterTaskDefinition(ctx context.Context, in *ecs.DeregisterTaskDefinitionInput, _ ...func(*ecs.Options)) (*ecs.DeregisterTaskDefinitionOutput, error) {
	return do(ctx, c.base, "ecs", "DeregisterTaskDefinition", in, func(r *region) (*ecs.DeregisterTaskDefinitionOutput, error) {
		if in == nil {
			in = &ecs.DeregisterTaskDefinitionInput{}
		}
		ref := str(in.TaskDefinition)
		if !strings.Contains(arnTail(ref, "task-definition/"), ":") {
			return nil, &ecstypes.ClientException{Message: ptr("Invalid revision number. Number: " + ref)}
		}
		td, err := r.taskDef(ref)
		if err != nil {
			return nil, &ecstypes.ClientException{Message: ptr("The specified task definition does not exist.")}
		}
		if td.status == ecstypes.TaskDefinitionStatusActive {
			td.status = ecstypes.TaskDefinitionStatusInactive
			td.deregAt = r.w.now
			td.dead = true
		}
		return &ecs.DeregisterTaskDefinitionOutput{TaskDefinition: td.out()}, nil
	})
}

// ListTaskDefinitions lists revision ARNs by family and status. FamilyPrefix is,
// despite its name, the full family name: AWS lists only the revisions of that
// family ("The full family name to filter the ListTaskDefinitions results with"),
// so "web" does not list "webapp".
func (c *ecsClient) ListTaskDefinitions(ctx context.Context, in *ecs.ListTaskDefinitionsInput, _ ...func(*ecs.Options)) (*ecs.ListTaskDefinitionsOutput, error) {
	return do(ctx, c.base, "ecs", "ListTaskDefinitions", in, func(r *region) (*ecs.ListTaskDefinitionsOutput, error) {
		if in == nil {
			in = &ecs.ListTaskDefinitionsInput{}
		}
		status := in.Status
		if status == "" {
			status = ecstypes.TaskDefinitionStatusActive
		}
		var arns []string
		fams := append([]*family(nil), r.famOrder...)
		sort.Slice(fams, func(i, j int) bool { return fams[i].name < fams[j].name })
		for _, f := range fams {
			if fam := str(in.FamilyPrefix); fam != "" && f.name != fam {
				continue
			}
			for _, td := range f.revs {
				if td.status == status && !td.purged {
					arns = append(arns, td.arn)
				}
			}
		}
		if in.Sort == ecstypes.SortOrderDesc {
			for i, j := 0, len(arns)-1; i < j; i, j = i+1, j-1 {
				arns[i], arns[j] = arns[j], arns[i]
			}
		}
		page, next, err := ecsPage(arns, in.MaxResults, in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		return &ecs.ListTaskDefinitionsOutput{TaskDefinitionArns: page, NextToken: next}, nil
	})
}

// ListTaskDefinitionFamilies lists family names, sorted, that begin with
// FamilyPrefix (a true prefix here, unlike ListTaskDefinitions'). Status ACTIVE
// keeps the families with at least one ACTIVE revision, INACTIVE those with none
// ACTIVE; without Status (or with ALL) both are listed, as the API reference says
// ("By default, both ACTIVE and INACTIVE task definition families are listed").
// Revisions in DELETE_IN_PROGRESS count for neither: a family whose every revision
// has been deleted is not listed at all (the simulator's reading; AWS documents no
// status for it). MaxResults (1–100) and NextToken page the list.
func (c *ecsClient) ListTaskDefinitionFamilies(ctx context.Context, in *ecs.ListTaskDefinitionFamiliesInput, _ ...func(*ecs.Options)) (*ecs.ListTaskDefinitionFamiliesOutput, error) {
	return do(ctx, c.base, "ecs", "ListTaskDefinitionFamilies", in, func(r *region) (*ecs.ListTaskDefinitionFamiliesOutput, error) {
		if in == nil {
			in = &ecs.ListTaskDefinitionFamiliesInput{}
		}
		switch in.Status {
		case "", ecstypes.TaskDefinitionFamilyStatusActive, ecstypes.TaskDefinitionFamilyStatusInactive, ecstypes.TaskDefinitionFamilyStatusAll:
		default:
			// The simulator's wording; AWS rejects an unknown enum value with a ClientException.
			return nil, &ecstypes.ClientException{Message: msg("Invalid status: %s. Valid values are ACTIVE, INACTIVE and ALL.", in.Status)}
		}
		var names []string
		for _, f := range r.famOrder {
			if !strings.HasPrefix(f.name, str(in.FamilyPrefix)) {
				continue
			}
			active, inactive := false, false
			for _, td := range f.revs {
				switch td.status {
				case ecstypes.TaskDefinitionStatusActive:
					active = true
				case ecstypes.TaskDefinitionStatusInactive:
					inactive = true
				}
			}
			switch {
			case in.Status == ecstypes.TaskDefinitionFamilyStatusActive && !active,
				in.Status == ecstypes.TaskDefinitionFamilyStatusInactive && (active || !inactive),
				!active && !inactive:
				continue
			}
			names = append(names, f.name)
		}
		sort.Strings(names)
		page, next, err := ecsPage(names, in.MaxResults, in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		return &ecs.ListTaskDefinitionFamiliesOutput{Families: page, NextToken: next}, nil
	})
}

// ecsPage pages a list of ARNs with ECS's MaxResults (1–100) and NextToken.
func ecsPage(all []string, maxResults *int32, token *string, def int) ([]string, *string, error) {
	n := def
	if maxResults != nil {
		n = int(*maxResults)
		if n < 1 || n > 100 {
			return nil, nil, &ecstypes.InvalidParameterException{Message: ptr("maxResults must be between 1 and 100.")}
		}
	}
	start, ok := readIntToken(token)
	if !ok || start > len(all) {
		return nil, nil, &ecstypes.InvalidParameterException{Message: ptr("Invalid token.")}
	}
	end := start + n
	if end >= len(all) {
		return append([]string{}, all[start:]...), nil, nil
	}
	return append([]string{}, all[start:end]...), intToken(end), nil
}

// CreateService creates a REPLICA service; the scheduler starts its tasks.
func (c *ecsClient) CreateService(ctx context.Context, in *ecs.CreateServiceInput, _ ...func(*ecs.Options)) (*ecs.CreateServiceOutput, error) {
	return do(ctx, c.base, "ecs", "CreateService", in, func(r *region) (*ecs.CreateServiceOutput, error) {
		if in == nil {
			in = &ecs.CreateServiceInput{}
		}
		cl, err := r.cluster(str(in.Cluster))
		if err != nil {
			return nil, err
		}
		name := str(in.ServiceName)
		if !ecsNameRE.MatchString(name) {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Service name can only contain letters (uppercase and lowercase), numbers, underscores and hyphens, and be up to 255 characters.")}
		}
		if old := cl.services[name]; old != nil && old.status != "INACTIVE" {
			if old.status == "DRAINING" {
				return nil, &ecstypes.InvalidParameterException{Message: ptr("Unable to Start a service that is still Draining.")}
			}
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Creation of service was not idempotent.")}
		}
		if str(in.TaskDefinition) == "" {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("TaskDefinition is required.")}
		}
		td, err := r.taskDef(str(in.TaskDefinition))
		if err != nil || td.status != ecstypes.TaskDefinitionStatusActive {
			return nil, &ecstypes.ClientException{Message: ptr("TaskDefinition not found.")}
		}
		if in.SchedulingStrategy == ecstypes.SchedulingStrategyDaemon {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("The daemon scheduling strategy does not support the Fargate launch type.")}
		}
		desired := i32(in.DesiredCount, 0)
		if desired < 0 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Desired count must be greater than or equal to 0.")}
		}
		launch := in.LaunchType
		if launch == "" {
			launch = ecstypes.LaunchTypeFargate
		}
		if launch != ecstypes.LaunchTypeFargate {
			return nil, &ecstypes.InvalidParameterException{Message: msg("The simulator supports only the FARGATE launch type, not %s.", launch)}
		}
		if td.def.NetworkMode != ecstypes.NetworkModeAwsvpc {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Task definition does not support launch_type FARGATE: network mode must be awsvpc.")}
		}
		nc := in.NetworkConfiguration
		if nc == nil || nc.AwsvpcConfiguration == nil || len(nc.AwsvpcConfiguration.Subnets) == 0 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Network Configuration must be provided when networkMode 'awsvpc' is specified.")}
		}
		if len(nc.AwsvpcConfiguration.Subnets) > 16 || len(nc.AwsvpcConfiguration.SecurityGroups) > 5 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("At most 16 subnets and 5 security groups are allowed.")}
		}
		subs, err := r.validSubnets(nc.AwsvpcConfiguration.Subnets, func(id string) error {
			return &ecstypes.InvalidParameterException{Message: msg("Error retrieving subnet information for [%s]: The subnet ID '%s' does not exist (ErrorCode: InvalidSubnetID.NotFound)", id, id)}
		})
		if err != nil {
			return nil, err
		}
		sgs := nc.AwsvpcConfiguration.SecurityGroups
		for _, id := range sgs {
			if sg := r.sgs[id]; sg == nil || sg.dead {
				return nil, &ecstypes.InvalidParameterException{Message: msg("Error retrieving security group information for [%s]: The security group '%s' does not exist (ErrorCode: InvalidGroup.NotFound)", id, id)}
			}
		}
		if len(sgs) == 0 {
			sgs = []string{subs[0].vpc.defaultSG.id}
		}
		if len(in.LoadBalancers) > 5 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("loadBalancers can have at most 5 elements.")}
		}
		var lbs []ecstypes.LoadBalancer
		for _, l := range in.LoadBalancers {
			arn := str(l.TargetGroupArn)
			tg := r.tgs[arn]
			if tg == nil {
				return nil, &ecstypes.InvalidParameterException{Message: msg("Unable to assume the service linked role. Please verify that the ECS service linked role exists. Target group not found: %s", arn)}
			}
			if tg.lb() == nil {
				return nil, &ecstypes.InvalidParameterException{Message: msg("The target group with targetGroupArn %s does not have an associated load balancer.", arn)}
			}
			if tg.targetType != "ip" {
				return nil, &ecstypes.InvalidParameterException{Message: msg("The provided target group %s has target type %s, which is incompatible with the awsvpc network mode specified in the task definition.", arn, tg.targetType)}
			}
			if str(l.ContainerName) == "" || l.ContainerPort == nil {
				return nil, &ecstypes.InvalidParameterException{Message: ptr("containerName and containerPort must be specified for a target group.")}
			}
			found := false
			for _, cd := range td.def.ContainerDefinitions {
				if str(cd.Name) == str(l.ContainerName) {
					found = true
				}
			}
			if !found {
				return nil, &ecstypes.InvalidParameterException{Message: msg("The container %s does not exist in the task definition.", str(l.ContainerName))}
			}
			lbs = append(lbs, ecstypes.LoadBalancer{TargetGroupArn: ptr(arn), ContainerName: ptr(str(l.ContainerName)), ContainerPort: ptr(*l.ContainerPort)})
		}
		tags, err := fromECSTags(in.Tags)
		if err != nil {
			return nil, err
		}
		grace := i32(in.HealthCheckGracePeriodSeconds, 0)
		if grace < 0 || grace > 2147483647 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("healthCheckGracePeriodSeconds must be non-negative.")}
		}
		if grace > 0 && len(lbs) == 0 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Health check grace period is only valid for services configured to use load balancers")}
		}
		s := &service{
			c: cl, name: name, arn: r.arn("ecs", "service/"+cl.name+"/"+name), status: "ACTIVE", desired: desired, td: td,
			launch: launch, subnets: subs, sgs: append([]string(nil), sgs...), publicIP: nc.AwsvpcConfiguration.AssignPublicIp,
			lbs: lbs, propagate: in.PropagateTags, managedTags: in.EnableECSManagedTags, grace: grace, createdAt: r.w.now,
		}
		if s.publicIP == "" {
			s.publicIP = ecstypes.AssignPublicIpDisabled
		}
		s.tags = tags
		s.deps = []*deployment{r.newDeployment(td)}
		cl.services[name] = s
		cl.svcOrder = compact(cl.svcOrder, func(x *service) bool { return x.name != name })
		cl.svcOrder = append(cl.svcOrder, s)
		r.addTaggable(&s.tagged, s.arn, "ecs:service")
		return &ecs.CreateServiceOutput{Service: r.serviceOut(s, true)}, nil
	})
}

func (r *region) newDeployment(td *taskDef) *deployment {
	return &deployment{
		id: "ecs-svc/" + fmt.Sprintf("%019d", r.w.rng.Uint64()%1e19), td: td, createdAt: r.w.now, updatedAt: r.w.now,
		rollout: ecstypes.DeploymentRolloutStateInProgress, reason: "ECS deployment " + "in progress.",
	}
}

// event records a service event, newest last internally (shown newest first).
func (r *region) event(s *service, format string, a ...any) {
	e := ecstypes.ServiceEvent{Id: ptr(r.w.uuid()), CreatedAt: ptr(r.w.now), Message: ptr(fmt.Sprintf("(service %s) ", s.name) + fmt.Sprintf(format, a...))}
	s.events = append(s.events, e)
	if len(s.events) > maxServiceEvents {
		s.events = append(s.events[:0], s.events[len(s.events)-maxServiceEvents:]...)
	}
}

// counts returns a service's (or one deployment's) running and pending tasks.
func (s *service) counts(dep *deployment) (running, pending int32) {
	for _, t := range s.tasks {
		if dep != nil && t.dep != dep {
			continue
		}
		if t.desired != "RUNNING" {
			continue
		}
		switch t.last {
		case "RUNNING":
			running++
		case "PROVISIONING", "PENDING", "ACTIVATING":
			pending++
		}
	}
	return running, pending
}

func (r *region) serviceOut(s *service, withTags bool) *ecstypes.Service {
	running, pending := s.counts(nil)
	out := &ecstypes.Service{
		ServiceArn: ptr(s.arn), ServiceName: ptr(s.name), ClusterArn: ptr(s.c.arn), Status: ptr(s.status),
		DesiredCount: s.desired, RunningCount: running, PendingCount: pending, LaunchType: s.launch,
		TaskDefinition: ptr(s.td.arn), PlatformVersion: ptr("LATEST"), PlatformFamily: ptr("Linux"),
		SchedulingStrategy: ecstypes.SchedulingStrategyReplica, CreatedAt: ptr(s.createdAt),
		CreatedBy: ptr("arn:aws:iam::" + r.account + ":root"), PropagateTags: s.propagate, EnableECSManagedTags: s.managedTags,
		DeploymentController: &ecstypes.DeploymentController{Type: ecstypes.DeploymentControllerTypeEcs},
		DeploymentConfiguration: &ecstypes.DeploymentConfiguration{MaximumPercent: ptr(int32(200)), MinimumHealthyPercent: ptr(int32(100)),
			DeploymentCircuitBreaker: &ecstypes.DeploymentCircuitBreaker{Enable: false, Rollback: false}},
		NetworkConfiguration: s.netConf(),
		RoleArn:              ptr("arn:aws:iam::" + r.account + ":role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"),
	}
	if len(s.lbs) > 0 {
		out.HealthCheckGracePeriodSeconds = ptr(s.grace)
	}
	for _, l := range s.lbs {
		out.LoadBalancers = append(out.LoadBalancers, ecstypes.LoadBalancer{TargetGroupArn: ptr(str(l.TargetGroupArn)), ContainerName: ptr(str(l.ContainerName)), ContainerPort: ptr(*l.ContainerPort)})
	}
	for i, d := range s.deps {
		dr, dp := s.counts(d)
		status := "PRIMARY"
		desired := s.desired
		if i > 0 {
			status, desired = "ACTIVE", 0
		}
		if s.status == "INACTIVE" {
			status = "INACTIVE"
		}
		out.Deployments = append(out.Deployments, ecstypes.Deployment{
			Id: ptr(d.id), Status: ptr(status), TaskDefinition: ptr(d.td.arn), DesiredCount: desired, RunningCount: dr, PendingCount: dp,
			FailedTasks: d.failed, CreatedAt: ptr(d.createdAt), UpdatedAt: ptr(d.updatedAt), LaunchType: s.launch,
			PlatformVersion: ptr("1.4.0"), PlatformFamily: ptr("Linux"), RolloutState: d.rollout, RolloutStateReason: ptr(d.reason),
			NetworkConfiguration: s.netConf(),
		})
	}
	for i := len(s.events) - 1; i >= 0; i-- {
		e := s.events[i]
		out.Events = append(out.Events, ecstypes.ServiceEvent{Id: ptr(str(e.Id)), CreatedAt: ptr(*e.CreatedAt), Message: ptr(str(e.Message))})
	}
	if withTags {
		out.Tags = ecsTags(s.tags)
	}
	return out
}

func (s *service) netConf() *ecstypes.NetworkConfiguration {
	var ids []string
	for _, sn := range s.subnets {
		ids = append(ids, sn.id)
	}
	return &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
		Subnets: ids, SecurityGroups: append([]string(nil), s.sgs...), AssignPublicIp: s.publicIP}}
}

// UpdateService changes the desired count, task definition (a new PRIMARY
// deployment, rolled out by replacing the old tasks) or grace period.
func (c *ecsClient) UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, _ ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error) {
	return do(ctx, c.base, "ecs", "UpdateService", in, func(r *region) (*ecs.UpdateServiceOutput, error) {
		var err error
		if in == nil {
			in = &ecs.UpdateServiceInput{}
		}
		cl, err := r.cluster(str(in.Cluster))
		if err != nil {
			return nil, err
		}
		s := cl.service(str(in.Service))
		if s == nil {
			return nil, &ecstypes.ServiceNotFoundException{Message: ptr("Service not found.")}
		}
		if s.status != "ACTIVE" {
			return nil, &ecstypes.ServiceNotActiveException{Message: ptr("Service was not ACTIVE.")}
		}
		s.quiet = false
		if in.DesiredCount != nil && *in.DesiredCount < 0 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Desired count must be greater than or equal to 0.")}
		}
		var td *taskDef
		if ref := str(in.TaskDefinition); ref != "" {
			if td, err = r.taskDef(ref); err != nil || td.status != ecstypes.TaskDefinitionStatusActive {
				return nil, &ecstypes.ClientException{Message: ptr("TaskDefinition not found.")}
			}
		}
		if in.HealthCheckGracePeriodSeconds != nil {
			if *in.HealthCheckGracePeriodSeconds < 0 {
				return nil, &ecstypes.InvalidParameterException{Message: ptr("healthCheckGracePeriodSeconds must be non-negative.")}
			}
			s.grace = *in.HealthCheckGracePeriodSeconds
		}
		if in.DesiredCount != nil {
			r.setDesired(s, *in.DesiredCount)
		}
		if (td != nil && td != s.td) || in.ForceNewDeployment {
			if td == nil {
				td = s.td
			}
			s.td = td
			s.deps = append([]*deployment{r.newDeployment(td)}, s.deps...)
			s.steady = false
		}
		return &ecs.UpdateServiceOutput{Service: r.serviceOut(s, false)}, nil
	})
}

// setDesired changes a service's desired count (UpdateService and auto scaling).
func (r *region) setDesired(s *service, n int32) {
	s.quiet = false
	if s.desired != n {
		s.desired = n
		s.deps[0].updatedAt = r.w.now
	}
}

// DeleteService stops a service: DRAINING until its tasks stop, then INACTIVE.
// A service scaled above 0 needs force.
func (c *ecsClient) DeleteService(ctx context.Context, in *ecs.DeleteServiceInput, _ ...func(*ecs.Options)) (*ecs.DeleteServiceOutput, error) {
	return do(ctx, c.base, "ecs", "DeleteService", in, func(r *region) (*ecs.DeleteServiceOutput, error) {
		if in == nil {
			in = &ecs.DeleteServiceInput{}
		}
		cl, err := r.cluster(str(in.Cluster))
		if err != nil {
			return nil, err
		}
		s := cl.service(str(in.Service))
		if s == nil {
			return nil, &ecstypes.ServiceNotFoundException{Message: ptr("Service not found.")}
		}
		if s.status != "ACTIVE" {
			return nil, &ecstypes.ServiceNotActiveException{Message: ptr("Service was not ACTIVE.")}
		}
		if s.desired > 0 && !isTrue(in.Force) {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("The service cannot be stopped while it is scaled above 0.")}
		}
		s.status = "DRAINING"
		s.desired = 0
		s.quiet = false
		s.dead = true
		return &ecs.DeleteServiceOutput{Service: r.serviceOut(s, false)}, nil
	})
}

func isTrue(b *bool) bool { return b != nil && *b }

// DescribeServices describes up to 10 services of one cluster; unknown ones
// are Failures with reason MISSING.
func (c *ecsClient) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	return do(ctx, c.base, "ecs", "DescribeServices", in, func(r *region) (*ecs.DescribeServicesOutput, error) {
		if in == nil {
			in = &ecs.DescribeServicesInput{}
		}
		if len(in.Services) == 0 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Services cannot be empty.")}
		}
		if len(in.Services) > 10 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Services cannot have more than 10 elements.")}
		}
		cl, err := r.cluster(str(in.Cluster))
		if err != nil {
			return nil, err
		}
		withTags := false
		for _, f := range in.Include {
			if f == ecstypes.ServiceFieldTags {
				withTags = true
			}
		}
		out := &ecs.DescribeServicesOutput{}
		for _, ref := range in.Services {
			s := cl.service(ref)
			if s == nil || ref == "" {
				arn := ref
				if !strings.HasPrefix(ref, "arn:") {
					arn = r.arn("ecs", "service/"+cl.name+"/"+ref)
				}
				out.Failures = append(out.Failures, ecstypes.Failure{Arn: ptr(arn), Reason: ptr("MISSING")})
				continue
			}
			out.Services = append(out.Services, *r.serviceOut(s, withTags))
		}
		return out, nil
	})
}

// ListServices lists a cluster's ACTIVE and DRAINING services (10 per page by
// default, as ECS).
func (c *ecsClient) ListServices(ctx context.Context, in *ecs.ListServicesInput, _ ...func(*ecs.Options)) (*ecs.ListServicesOutput, error) {
	return do(ctx, c.base, "ecs", "ListServices", in, func(r *region) (*ecs.ListServicesOutput, error) {
		if in == nil {
			in = &ecs.ListServicesInput{}
		}
		cl, err := r.cluster(str(in.Cluster))
		if err != nil {
			return nil, err
		}
		var arns []string
		for _, s := range cl.svcOrder {
			if s.status == "INACTIVE" || (in.LaunchType != "" && in.LaunchType != s.launch) {
				continue
			}
			if in.SchedulingStrategy != "" && in.SchedulingStrategy != ecstypes.SchedulingStrategyReplica {
				continue
			}
			arns = append(arns, s.arn)
		}
		page, next, err := ecsPage(arns, in.MaxResults, in.NextToken, 10)
		if err != nil {
			return nil, err
		}
		return &ecs.ListServicesOutput{ServiceArns: page, NextToken: next}, nil
	})
}

// ListTasks lists task ARNs of a cluster by service, family and desired status
// (RUNNING by default; STOPPED tasks stay listable for an hour).
func (c *ecsClient) ListTasks(ctx context.Context, in *ecs.ListTasksInput, _ ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	return do(ctx, c.base, "ecs", "ListTasks", in, func(r *region) (*ecs.ListTasksOutput, error) {
		if in == nil {
			in = &ecs.ListTasksInput{}
		}
		cl, err := r.cluster(str(in.Cluster))
		if err != nil {
			return nil, err
		}
		want := "RUNNING"
		switch in.DesiredStatus {
		case "", ecstypes.DesiredStatusRunning:
		case ecstypes.DesiredStatusStopped:
			want = "STOPPED"
		case ecstypes.DesiredStatusPending:
			want = "PENDING"
		default:
			return nil, &ecstypes.InvalidParameterException{Message: msg("Invalid desiredStatus: %s", in.DesiredStatus)}
		}
		var list []*task
		if name := str(in.ServiceName); name != "" {
			s := cl.service(name)
			if s == nil {
				return nil, &ecstypes.ServiceNotFoundException{Message: ptr("Service not found.")}
			}
			list = s.tasks
		} else {
			list = cl.tasks
		}
		var arns []string
		for _, t := range list {
			if want == "PENDING" {
				if t.desired != "RUNNING" || t.last == "RUNNING" {
					continue
				}
			} else if t.desired != want {
				continue
			}
			if f := str(in.Family); f != "" && t.td.fam.name != f {
				continue
			}
			if sb := str(in.StartedBy); sb != "" && (t.dep == nil || t.dep.id != sb) {
				continue
			}
			if in.LaunchType != "" && in.LaunchType != ecstypes.LaunchTypeFargate {
				continue
			}
			arns = append(arns, t.arn)
		}
		page, next, err := ecsPage(arns, in.MaxResults, in.NextToken, 100)
		if err != nil {
			return nil, err
		}
		return &ecs.ListTasksOutput{TaskArns: page, NextToken: next}, nil
	})
}

// DescribeTasks describes up to 100 tasks; unknown ones are Failures MISSING.
func (c *ecsClient) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, _ ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	return do(ctx, c.base, "ecs", "DescribeTasks", in, func(r *region) (*ecs.DescribeTasksOutput, error) {
		if in == nil {
			in = &ecs.DescribeTasksInput{}
		}
		if len(in.Tasks) == 0 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Tasks cannot be empty.")}
		}
		if len(in.Tasks) > 100 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Tasks cannot have more than 100 elements.")}
		}
		cl, err := r.cluster(str(in.Cluster))
		if err != nil {
			return nil, err
		}
		withTags := false
		for _, f := range in.Include {
			if f == ecstypes.TaskFieldTags {
				withTags = true
			}
		}
		out := &ecs.DescribeTasksOutput{}
		for _, ref := range in.Tasks {
			t := cl.task(ref)
			if t == nil || ref == "" {
				arn := ref
				if !strings.HasPrefix(ref, "arn:") {
					arn = r.arn("ecs", "task/"+cl.name+"/"+ref)
				}
				out.Failures = append(out.Failures, ecstypes.Failure{Arn: ptr(arn), Reason: ptr("MISSING")})
				continue
			}
			out.Tasks = append(out.Tasks, r.taskOut(t, withTags))
		}
		return out, nil
	})
}

func (r *region) taskOut(t *task, withTags bool) ecstypes.Task {
	eniStatus := "ATTACHED"
	switch t.last {
	case "PROVISIONING":
		eniStatus = "PRECREATED"
	case "STOPPED":
		eniStatus = "DELETED"
	case "DEPROVISIONING":
		eniStatus = "DETACHING"
	}
	mac := fmt.Sprintf("0e:%s:%s:%s:%s:%s", t.eni[4:6], t.eni[6:8], t.eni[8:10], t.eni[10:12], t.eni[12:14])
	out := ecstypes.Task{
		TaskArn: ptr(t.arn), ClusterArn: ptr(t.c.arn), TaskDefinitionArn: ptr(t.td.arn), LastStatus: ptr(t.last), DesiredStatus: ptr(t.desired),
		LaunchType: ecstypes.LaunchTypeFargate, AvailabilityZone: ptr(t.subnet.az), Cpu: t.td.def.Cpu, Memory: t.td.def.Memory,
		CreatedAt: ptr(t.createdAt), PullStartedAt: tptr(t.pullStart), PullStoppedAt: tptr(t.pullStop), StartedAt: tptr(t.startedAt),
		StoppingAt: tptr(t.stoppingAt), StoppedAt: tptr(t.stoppedAt), ExecutionStoppedAt: tptr(t.stoppedAt),
		StopCode: t.stopCode, StoppedReason: nilIfEmpty(t.stopReason), HealthStatus: ecstypes.HealthStatusUnknown,
		PlatformVersion: ptr("1.4.0"), PlatformFamily: ptr("Linux"), Version: 1, Connectivity: ecstypes.ConnectivityConnected,
		Attributes: []ecstypes.Attribute{{Name: ptr("ecs.cpu-architecture"), Value: ptr("x86_64")}},
		Attachments: []ecstypes.Attachment{{Id: ptr(t.attachID), Type: ptr("ElasticNetworkInterface"), Status: ptr(eniStatus), Details: []ecstypes.KeyValuePair{
			{Name: ptr("subnetId"), Value: ptr(t.subnet.id)},
			{Name: ptr("networkInterfaceId"), Value: ptr(t.eni)},
			{Name: ptr("macAddress"), Value: ptr(mac)},
			{Name: ptr("privateDnsName"), Value: ptr("ip-" + strings.ReplaceAll(t.ip, ".", "-") + ".ec2.internal")},
			{Name: ptr("privateIPv4Address"), Value: ptr(t.ip)},
		}}},
	}
	if t.svc != nil {
		out.Group = ptr("service:" + t.svc.name)
	}
	if t.dep != nil {
		out.StartedBy = ptr(t.dep.id)
	}
	if t.last != "PROVISIONING" && t.last != "PENDING" {
		out.ConnectivityAt = tptr(t.pullStart)
	}
	for i, cd := range t.td.def.ContainerDefinitions {
		ct := ecstypes.Container{
			ContainerArn: ptr(r.arn("ecs", fmt.Sprintf("container/%s/%s/%s-%d", t.c.name, t.id, t.containerID, i))), TaskArn: ptr(t.arn),
			Name: ptr(str(cd.Name)), Image: ptr(str(cd.Image)), LastStatus: ptr(containerStatus(t.last)), HealthStatus: ecstypes.HealthStatusUnknown,
			NetworkInterfaces: []ecstypes.NetworkInterface{{AttachmentId: ptr(t.attachID), PrivateIpv4Address: ptr(t.ip)}},
			Cpu:               ptr("0"),
		}
		if t.last == "STOPPED" && !t.startedAt.IsZero() {
			ct.ExitCode = ptr(int32(0))
		}
		out.Containers = append(out.Containers, ct)
	}
	if withTags {
		out.Tags = ecsTags(t.tags)
	}
	return out
}

func containerStatus(last string) string {
	switch last {
	case "PROVISIONING", "PENDING":
		return "PENDING"
	case "RUNNING", "DEACTIVATING":
		return "RUNNING"
	}
	return "STOPPED"
}

// StopTask asks a task to stop (stopCode UserInitiated); the scheduler then
// starts a replacement if the task belongs to a service.
func (c *ecsClient) StopTask(ctx context.Context, in *ecs.StopTaskInput, _ ...func(*ecs.Options)) (*ecs.StopTaskOutput, error) {
	return do(ctx, c.base, "ecs", "StopTask", in, func(r *region) (*ecs.StopTaskOutput, error) {
		if in == nil {
			in = &ecs.StopTaskInput{}
		}
		cl, err := r.cluster(str(in.Cluster))
		if err != nil {
			return nil, err
		}
		if str(in.Task) == "" {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Task is required.")}
		}
		t := cl.task(str(in.Task))
		if t == nil {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("The referenced task was not found.")}
		}
		if len(str(in.Reason)) > 255 {
			return nil, &ecstypes.InvalidParameterException{Message: ptr("Reason must be at most 255 characters.")}
		}
		reason := str(in.Reason)
		if reason == "" {
			reason = "Task stopped by user"
		}
		r.stopTask(t, ecstypes.TaskStopCodeUserInitiated, reason)
		return &ecs.StopTaskOutput{Task: ptr(r.taskOut(t, false))}, nil
	})
}

// stopTask sets a task's desired status to STOPPED; stepTasks walks it down.
func (r *region) stopTask(t *task, code ecstypes.TaskStopCode, reason string) {
	if t.desired == "STOPPED" {
		return
	}
	t.desired = "STOPPED"
	t.wake()
	t.stopCode = code
	t.stopReason = reason
	t.stoppingAt = r.w.now
	t.nextAt = r.w.now
}

// startTask places one task of s's primary deployment in the AZ with the
// fewest of its tasks.
func (r *region) startTask(s *service) *task {
	dep := s.deps[0]
	perSubnet := map[*subnet]int{}
	for _, t := range s.tasks {
		if t.desired == "RUNNING" {
			perSubnet[t.subnet]++
		}
	}
	var sn *subnet
	best := -1
	for i := range s.subnets {
		cand := s.subnets[(s.rr+i)%len(s.subnets)]
		if best < 0 || perSubnet[cand] < best {
			sn, best = cand, perSubnet[cand]
		}
	}
	s.rr = (s.rr + 1) % len(s.subnets)
	ip := r.allocIP(sn)
	if ip == "" {
		return nil
	}
	id := r.w.hexID(32)
	t := &task{
		c: s.c, svc: s, dep: dep, td: dep.td, id: id, arn: r.arn("ecs", "task/"+s.c.name+"/"+id),
		last: "PROVISIONING", desired: "RUNNING", subnet: sn, ip: ip, eni: "eni-" + r.w.hexID(17), attachID: r.w.uuid(),
		sgs: append([]string(nil), s.sgs...), createdAt: r.w.now, nextAt: r.w.now.Add(provisionTime), containerID: r.w.uuid(),
	}
	switch s.propagate {
	case ecstypes.PropagateTagsService:
		t.tags = s.tags.clone()
	case ecstypes.PropagateTagsTaskDefinition:
		t.tags = dep.td.tags.clone()
	}
	if s.managedTags {
		t.tags.set("aws:ecs:clusterName", s.c.name)
		t.tags.set("aws:ecs:serviceName", s.name)
	}
	r.useSGs(t.sgs, +1)
	r.ipTasks[ip] = t
	r.tasks[t.arn] = t
	r.taskOrder = append(r.taskOrder, t)
	s.c.tasks = append(s.c.tasks, t)
	s.c.taskByID[id] = t
	s.tasks = append(s.tasks, t)
	return t
}

// stepTasks moves every task through its lifecycle.
func (r *region) stepTasks(now time.Time) {
	for _, t := range r.taskOrder {
		if t.last == "STOPPED" || now.Before(t.nextAt) {
			continue
		}
		if t.desired == "STOPPED" || t.last == "PROVISIONING" || t.last == "PENDING" {
			t.wake() // a state change follows
		}
		if t.desired == "STOPPED" {
			switch t.last {
			case "PROVISIONING", "PENDING":
				t.last, t.nextAt = "DEPROVISIONING", now.Add(deprovisionTime)
			case "RUNNING":
				t.last, t.nextAt = "DEACTIVATING", now.Add(deactivateTime)
				r.deregisterTaskTargets(t)
			case "DEACTIVATING":
				t.last, t.nextAt = "STOPPING", now.Add(stoppingTime)
			case "STOPPING":
				t.last, t.nextAt = "DEPROVISIONING", now.Add(deprovisionTime)
			case "DEPROVISIONING":
				t.last = "STOPPED"
				t.stoppedAt = now
				r.useSGs(t.sgs, -1)
			}
			continue
		}
		switch t.last {
		case "PROVISIONING":
			t.last, t.pullStart = "PENDING", now
			t.nextAt = now.Add(r.w.jitter(pendingTime, pendingJitter))
		case "PENDING":
			t.last, t.startedAt, t.pullStop = "RUNNING", now, now.Add(-2*time.Second)
			t.nextAt = time.Time{}
			r.registerTaskTargets(t)
		}
	}
}

// wake makes the scheduler look at t's service again.
func (t *task) wake() {
	if t != nil && t.svc != nil {
		t.svc.quiet = false
	}
}

// registerTaskTargets registers a RUNNING task's IP with its service's target
// groups on the service's container port.
func (r *region) registerTaskTargets(t *task) {
	if t.svc == nil {
		return
	}
	for _, l := range t.svc.lbs {
		tg := r.tgs[str(l.TargetGroupArn)]
		if tg == nil {
			continue
		}
		tgt := r.registerTarget(tg, t.ip, *l.ContainerPort, t.subnet.az)
		tgt.task = t
		t.targets = append(t.targets, tgt)
		r.event(t.svc, "registered 1 targets in (target-group %s)", tg.arn)
	}
}

// deregisterTaskTargets starts draining a stopping task's targets.
func (r *region) deregisterTaskTargets(t *task) {
	for _, tgt := range t.targets {
		if tgt.state == "draining" || tgt.gone {
			continue
		}
		r.deregisterTarget(tgt)
		if t.svc != nil {
			r.event(t.svc, "deregistered 1 targets in (target-group %s)", tgt.tg.arn)
		}
	}
}

// stepServices runs the scheduler for every service.
func (r *region) stepServices(now time.Time) {
	for _, cl := range r.clusterOrder {
		for _, s := range cl.svcOrder {
			if s.status == "INACTIVE" || s.quiet {
				continue
			}
			r.schedule(s, now)
			// A pass that leaves s steady and ACTIVE, with nothing woken during it,
			// is followed by passes that do nothing: skip them until woken.
			s.quiet = s.steady && s.status == "ACTIVE"
		}
	}
}

// schedule is one pass of the ECS service scheduler over s.
func (r *region) schedule(s *service, now time.Time) {
	// Replace tasks that fail their ELB health checks after the grace period.
	if len(s.lbs) > 0 {
		var failed []string
		for _, t := range s.tasks {
			if t.desired != "RUNNING" || t.last != "RUNNING" || now.Before(t.startedAt.Add(time.Duration(s.grace)*time.Second)) {
				continue
			}
			for _, tgt := range t.targets {
				if tgt.state == "unhealthy" && !tgt.gone {
					r.event(s, "(task %s) failed ELB health checks in (target-group %s)", t.id, tgt.tg.arn)
					r.stopTask(t, ecstypes.TaskStopCodeServiceSchedulerInitiated, "Task failed ELB health checks in (target-group "+tgt.tg.arn+")")
					if t.dep != nil {
						t.dep.failed++
					}
					failed = append(failed, t.id)
					break
				}
			}
		}
		if len(failed) > 0 {
			r.event(s, "has stopped %d running tasks: %s.", len(failed), taskList(failed))
		}
	}

	primary := s.deps[0]
	var newActive, oldActive []*task
	for _, t := range s.tasks {
		if t.desired != "RUNNING" {
			continue
		}
		if t.dep == primary {
			newActive = append(newActive, t)
		} else {
			oldActive = append(oldActive, t)
		}
	}
	desired := int(s.desired)
	if s.status == "DRAINING" {
		desired = 0
	}
	// Start what the primary deployment lacks (up to maximumPercent 200).
	if n := desired - len(newActive); n > 0 {
		if room := 2*desired - len(newActive) - len(oldActive); room < n {
			n = room
		}
		var started []string
		for i := 0; i < n; i++ {
			if t := r.startTask(s); t != nil {
				started = append(started, t.id)
			}
		}
		if len(started) > 0 {
			r.event(s, "has started %d tasks: %s.", len(started), taskList(started))
			s.steady = false
		} else if n > 0 {
			r.event(s, "was unable to place a task because no subnet has a free IP address.")
		}
	}
	// Stop what exceeds it: pending tasks first, then the AZ with most tasks.
	if n := len(newActive) - desired; n > 0 {
		victims := pickVictims(newActive, n)
		var ids []string
		for _, t := range victims {
			r.stopTask(t, ecstypes.TaskStopCodeServiceSchedulerInitiated, "Scaling activity initiated by (deployment "+primary.id+")")
			ids = append(ids, t.id)
		}
		r.event(s, "has stopped %d running tasks: %s.", len(ids), taskList(ids))
	}
	// Once the new deployment is healthy, retire the old tasks.
	running, pending := s.counts(primary)
	healthy := r.allHealthy(s, primary)
	if len(oldActive) > 0 && int(running) >= desired && healthy {
		var ids []string
		for _, t := range oldActive {
			r.stopTask(t, ecstypes.TaskStopCodeServiceSchedulerInitiated, "Scaling activity initiated by (deployment "+primary.id+")")
			ids = append(ids, t.id)
		}
		r.event(s, "has stopped %d running tasks: %s.", len(ids), taskList(ids))
	}
	if len(s.deps) > 1 {
		keep := s.deps[:1]
		for _, d := range s.deps[1:] {
			for _, t := range s.tasks {
				if t.dep == d && t.last != "STOPPED" {
					keep = append(keep, d)
					break
				}
			}
		}
		s.deps = keep
	}
	steady := int(running) == desired && pending == 0 && healthy && len(s.deps) == 1
	if steady && primary.rollout == ecstypes.DeploymentRolloutStateInProgress {
		primary.rollout = ecstypes.DeploymentRolloutStateCompleted
		primary.reason = "ECS deployment " + primary.id + " completed."
		primary.updatedAt = now
	}
	if steady && !s.steady && s.status == "ACTIVE" {
		r.event(s, "has reached a steady state.")
	}
	s.steady = steady
	if s.status == "DRAINING" {
		done := true
		for _, t := range s.tasks {
			if t.last != "STOPPED" {
				done = false
				break
			}
		}
		if done {
			s.status = "INACTIVE"
			s.inactiveAt = now
		}
	}
}

// allHealthy reports whether every running task of dep has all its targets healthy.
func (r *region) allHealthy(s *service, dep *deployment) bool {
	for _, t := range s.tasks {
		if t.dep != dep || t.desired != "RUNNING" {
			continue
		}
		if t.last != "RUNNING" {
			return false
		}
		if len(t.targets) < len(s.lbs) {
			return false
		}
		for _, tgt := range t.targets {
			if tgt.state != "healthy" {
				return false
			}
		}
	}
	return true
}

// pickVictims chooses n tasks to stop when scaling in: not-yet-running tasks
// first, then from the most crowded AZ, newest first.
func pickVictims(active []*task, n int) []*task {
	cand := append([]*task(nil), active...)
	var out []*task
	for len(out) < n && len(cand) > 0 {
		perAZ := map[string]int{}
		for _, t := range cand {
			perAZ[t.subnet.az]++
		}
		best := -1
		for i, t := range cand {
			if best < 0 {
				best = i
				continue
			}
			b := cand[best]
			tr, br := t.last == "RUNNING", b.last == "RUNNING"
			switch {
			case tr != br:
				if !tr {
					best = i
				}
			case perAZ[t.subnet.az] != perAZ[b.subnet.az]:
				if perAZ[t.subnet.az] > perAZ[b.subnet.az] {
					best = i
				}
			case !t.createdAt.Before(b.createdAt):
				best = i
			}
		}
		out = append(out, cand[best])
		cand = append(cand[:best], cand[best+1:]...)
	}
	return out
}

func taskList(ids []string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = "(task " + id + ")"
	}
	return strings.Join(parts, " ")
}

// expireECS forgets tasks stopped over an hour ago (freeing their IPs after a
// quarantine) and services inactive over an hour, and finishes deleting the task
// definition revisions in DELETE_IN_PROGRESS that nothing uses any more.
func (r *region) expireECS(now time.Time) {
	r.purgeTaskDefs()
	changed := false
	for _, t := range r.taskOrder {
		if t.last != "STOPPED" {
			continue
		}
		if !t.ipFreed && now.Sub(t.stoppedAt) >= ipQuarantine {
			t.ipFreed = true
			if r.ipTasks[t.ip] == t {
				delete(r.ipTasks, t.ip)
			}
			r.freeIP(t.subnet, t.ip)
		}
		if now.Sub(t.stoppedAt) >= stoppedRetention {
			changed = true
			delete(r.tasks, t.arn)
			delete(t.c.taskByID, t.id)
			t.dead = true
		}
	}
	if changed {
		live := func(t *task) bool { return !t.dead }
		r.taskOrder = compact(r.taskOrder, live)
		for _, cl := range r.clusterOrder {
			cl.tasks = compact(cl.tasks, live)
			for _, s := range cl.svcOrder {
				s.tasks = compact(s.tasks, live)
			}
		}
	}
	for _, cl := range r.clusterOrder {
		for _, s := range cl.svcOrder {
			if s.status == "INACTIVE" && now.Sub(s.inactiveAt) >= inactiveRetention && cl.services[s.name] == s {
				delete(cl.services, s.name)
			}
		}
		cl.svcOrder = compact(cl.svcOrder, func(s *service) bool { return cl.services[s.name] == s })
	}
}

// DeleteTaskDefinitions deletes INACTIVE revisions: they move to
// DELETE_IN_PROGRESS (listed by that status only, and still described), and once
// no task or service uses them the minute's housekeeping deletes them for good
// (expireECS), as ECS "periodically verifies that the target task definition is
// not being referenced by any active tasks or deployments, and then deletes the
// task definition permanently": DescribeTaskDefinition then answers
// ClientException "Unable to describe task definition.". An ACTIVE or unknown
// revision is a failure entry, as ECS reports it, not an error.
func (c *ecsClient) DeleteTaskDefinitions(ctx context.Context, in *ecs.DeleteTaskDefinitionsInput, _ ...func(*ecs.Options)) (*ecs.DeleteTaskDefinitionsOutput, error) {
	return do(ctx, c.base, "ecs", "DeleteTaskDefinitions", in, func(r *region) (*ecs.DeleteTaskDefinitionsOutput, error) {
		if in == nil || len(in.TaskDefinitions) == 0 || len(in.TaskDefinitions) > 10 {
			return nil, &ecstypes.ClientException{Message: ptr("taskDefinitions must name between 1 and 10 task definition revisions.")}
		}
		out := &ecs.DeleteTaskDefinitionsOutput{}
		for _, ref := range in.TaskDefinitions {
			td, err := r.taskDef(ref)
			switch {
			case err != nil || !strings.Contains(arnTail(ref, "task-definition/"), ":"):
				out.Failures = append(out.Failures, ecstypes.Failure{Arn: ptr(ref), Reason: ptr("TASK_DEFINITION_NOT_FOUND")})
			case td.status == ecstypes.TaskDefinitionStatusActive:
				out.Failures = append(out.Failures, ecstypes.Failure{Arn: ptr(ref), Reason: ptr("The specified task definition is not in INACTIVE status."), Detail: ptr("ACTIVE")})
			default:
				if td.status != ecstypes.TaskDefinitionStatusDeleteInProgress {
					td.status = ecstypes.TaskDefinitionStatusDeleteInProgress
					r.tdDeleting = append(r.tdDeleting, td)
				}
				td.dead = true
				out.TaskDefinitions = append(out.TaskDefinitions, *td.out())
			}
		}
		return out, nil
	})
}

// purgeTaskDefs deletes for good each DELETE_IN_PROGRESS revision that no task
// still running (not STOPPED) and no service that is not INACTIVE uses, in its
// current task definition or any of its deployments. The others wait for the next
// minute.
func (r *region) purgeTaskDefs() {
	if len(r.tdDeleting) == 0 {
		return
	}
	used := map[*taskDef]bool{}
	for _, t := range r.taskOrder {
		if t.last != "STOPPED" {
			used[t.td] = true
		}
	}
	for _, cl := range r.clusterOrder {
		for _, s := range cl.svcOrder {
			if s.status == "INACTIVE" {
				continue
			}
			used[s.td] = true
			for _, d := range s.deps {
				used[d.td] = true
			}
		}
	}
	r.tdDeleting = compact(r.tdDeleting, func(td *taskDef) bool {
		if used[td] {
			return true
		}
		td.purged = true
		return false
	})
}

// The CloudFormation types this service creates for stacks.
func init() {
	registerCFN("AWS::ECS::Cluster", cfnCluster)
}

// cfnCluster creates an AWS::ECS::Cluster for a stack.
func cfnCluster(r *region, st *stack, logical string, p map[string]any, rs *stackResource) error {
	name := propStr(p, "ClusterName")
	if name == "" {
		name = r.genName(st, logical, 255)
	}
	if old := r.clusters[name]; old != nil && old.status == "ACTIVE" {
		return fmt.Errorf("Resource of type 'AWS::ECS::Cluster' with identifier '%s' already exists.", name)
	}
	if !ecsNameRE.MatchString(name) {
		return fmt.Errorf("Invalid ClusterName %q", name)
	}
	cl, err := r.createCluster(name, st.resourceTags(logical, propTags(p)))
	if err != nil {
		return err
	}
	rs.physical = name
	rs.attrs["Arn"] = cl.arn
	rs.del = func() error {
		if cl.status != "ACTIVE" {
			return nil
		}
		return r.deleteCluster(cl)
	}
	return nil
}

func init() {
	// Tasks move through their lifecycle (2); services then replace, place and
	// drain tasks against the second's target health (4).
	registerService("ecs", func(b base, c *cloud.Clients) { c.ECS = &ecsClient{b} },
		everySecond(2, (*region).stepTasks), everySecond(4, (*region).stepServices))
}
