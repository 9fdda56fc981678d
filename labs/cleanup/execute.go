package cleanup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	smithy "github.com/aws/smithy-go"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cloud"
)

// JobKind is the jobs.kind of cleanup jobs.
const JobKind = "cleanup"

// ErrPlanChanged means the class's plan is not the one the instructor confirmed.
var ErrPlanChanged = errors.New("cleanup: the plan changed since it was shown; review it again")

// ErrWrongName means the typed confirmation is not the class's name.
var ErrWrongName = errors.New("cleanup: the typed name does not match the class")

// Executor confirms and runs cleanup plans as resumable jobs.
type Executor struct {
	Log      *slog.Logger
	Store    *db.Store
	Provider cloud.Provider
	Planner  *Planner
	// Workers bounds deletions running at once within one rank (default 4).
	Workers int
	// Sleep waits between retries and polls; tests move a manual clock with it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Deadline bounds each resource's wait (default 20 min, LABS.md §4's DependencyViolation window).
	Deadline time.Duration
}

// Confirm binds a cleanup to the plan the instructor saw: the hash (which covers the
// account, the regions and every ARN) and the class's name typed out. It creates the
// job holding exactly the plan's items.
func (x *Executor) Confirm(ctx context.Context, classID, hash, typedName string) (*db.Job, error) {
	class, err := x.Store.Class(ctx, classID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(typedName) != class.Name {
		return nil, ErrWrongName
	}
	plan, err := x.Planner.Plan(ctx, classID)
	if err != nil {
		return nil, err
	}
	if plan.Hash != hash {
		return nil, ErrPlanChanged
	}
	items := make([]db.JobItem, len(plan.Items))
	for i, it := range plan.Items {
		b, _ := json.Marshal(it)
		items[i] = db.JobItem{Key: it.ARN, Payload: string(b)}
	}
	job, err := x.Store.CreateJobWithItems(ctx, classID, JobKind, items)
	if err != nil {
		return nil, err
	}
	err = x.Store.Audit(ctx, db.AuditEntry{ClassID: classID, Actor: "cleanup", Action: "cleanup.confirm",
		Detail: fmt.Sprintf("job %d: plan %s, account %s, regions %s, %d resources", job.ID, plan.Hash, plan.Account, strings.Join(plan.Regions, ","), len(plan.Items))})
	return job, err
}

// Run executes (or resumes) cleanup job id: rank by rank, children first; items of a
// rank in parallel. Then it verifies with a fresh plan and records what is left.
func (x *Executor) Run(ctx context.Context, id int64) error {
	job, err := x.Store.Job(ctx, id)
	if err != nil {
		return err
	}
	if err := x.Store.SetJobState(ctx, id, db.JobRunning, ""); err != nil {
		return err
	}
	class, err := x.Store.Class(ctx, job.ClassID)
	if err != nil {
		return err
	}
	// The guard: only ARNs of the confirmed plan may be touched.
	allowed := map[string]Item{}
	byRank := map[int][]Item{}
	for _, ji := range job.Items {
		var it Item
		if err := json.Unmarshal([]byte(ji.Payload), &it); err != nil || it.ARN != ji.Key {
			return fmt.Errorf("cleanup: job %d item %s is corrupt", id, ji.Key)
		}
		allowed[it.ARN] = it
		if ji.State != db.ItemDone {
			byRank[it.Rank] = append(byRank[it.Rank], it)
		}
	}
	ranks := make([]int, 0, len(byRank))
	for r := range byRank {
		ranks = append(ranks, r)
	}
	sort.Ints(ranks)
	workers := x.Workers
	if workers <= 0 {
		workers = 4
	}
	for _, r := range ranks {
		work := make(chan Item)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for it := range work {
					x.deleteOne(ctx, id, class, it, allowed)
				}
			}()
		}
		for _, it := range byRank[r] {
			select {
			case work <- it:
			case <-ctx.Done():
			}
		}
		close(work)
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return err // the job stays running and resumes where it stopped
		}
	}
	return x.verify(ctx, id, class)
}

// deleteOne runs one resource's state machine: deleting → waiting → gone, or failed.
func (x *Executor) deleteOne(ctx context.Context, jobID int64, class *db.Class, it Item, allowed map[string]Item) {
	set := func(state, step, detail string) {
		if err := x.Store.SetJobItem(context.WithoutCancel(ctx), jobID, it.ARN, state, step, detail); err != nil {
			x.Log.Warn("cleanup: record progress", slog.Any("error", err))
		}
	}
	if _, ok := allowed[it.ARN]; !ok { // cannot happen: items come from the plan; kept as the last line of defence
		x.Log.Error("cleanup guard refused a resource outside the confirmed plan", slog.String("arn", it.ARN))
		set(db.ItemFailed, "refused", "not in the confirmed plan")
		return
	}
	acct := it.Account // a student's own account; the provider's default one in a shared class
	if class.Isolation == db.IsolationShared {
		acct = ""
	}
	region := it.Region
	if region == "" {
		region = class.Regions[0]
	}
	c, err := x.Provider.Clients(ctx, acct, region)
	if err != nil {
		set(db.ItemFailed, "clients", err.Error())
		return
	}
	deadline := x.Deadline
	if deadline <= 0 {
		deadline = 20 * time.Minute
	}
	start := c.Clock()
	set(db.ItemRunning, "deleting", "")
	for attempt := 1; ; attempt++ {
		err = deleteResource(ctx, c, it)
		switch classify(err) {
		case done:
			if err := x.Store.MarkDeleted(ctx, class.ID, it.ARN); err != nil {
				set(db.ItemFailed, "ledger", err.Error())
				return
			}
			_ = x.Store.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: "cleanup", Action: "cleanup.delete", Detail: it.Type + " " + it.ARN})
			set(db.ItemDone, "gone", "")
			return
		case terminal:
			set(db.ItemFailed, "failed", errText(err))
			return
		}
		if ctx.Err() != nil {
			return
		}
		if c.Clock().Sub(start) > deadline {
			set(db.ItemFailed, "failed", fmt.Sprintf("still not deleted after %s: %s", deadline, errText(err)))
			return
		}
		set(db.ItemRunning, "waiting", errText(err))
		wait := 5 * time.Second
		if classify(err) == backoff {
			wait = time.Duration(min(attempt, 6)) * 5 * time.Second
		}
		if x.sleep(ctx, wait) != nil {
			return
		}
	}
}

func (x *Executor) sleep(ctx context.Context, d time.Duration) error {
	if x.Sleep != nil {
		return x.Sleep(ctx, d)
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// verify re-plans the class: anything still owned is a leftover, named in the job.
func (x *Executor) verify(ctx context.Context, id int64, class *db.Class) error {
	plan, err := x.Planner.Plan(ctx, class.ID)
	if err != nil {
		return err
	}
	job, err := x.Store.Job(ctx, id)
	if err != nil {
		return err
	}
	var left []string
	for _, it := range plan.Items {
		left = append(left, it.Type+" "+it.ARN)
	}
	failed := job.Counts()[db.ItemFailed]
	detail := fmt.Sprintf("verified: %d resource(s) left", len(left))
	if len(left) > 0 {
		detail += ": " + strings.Join(left, "; ")
	}
	_ = x.Store.Audit(ctx, db.AuditEntry{ClassID: class.ID, Actor: "cleanup", Action: "cleanup.verify", Detail: clip(detail, 2000)})
	if len(left) > 0 || failed > 0 {
		return x.Store.SetJobState(ctx, id, db.JobDone, clip(fmt.Sprintf("%d failed; %s", failed, detail), 2000))
	}
	return x.Store.SetJobState(ctx, id, db.JobDone, "")
}

// outcome classifies a delete attempt (DESIGN.md §5).
type outcome int

const (
	done       outcome = iota // deleted, or already gone
	retryLater                // DependencyViolation, in use, not yet disabled, still deleting
	backoff                   // throttled
	terminal                  // AccessDenied and the like: reported, others continue
)

func classify(err error) outcome {
	if err == nil || errors.Is(err, errGone) {
		return done
	}
	if errors.Is(err, errWaiting) {
		return retryLater
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return terminal
	}
	code := ae.ErrorCode()
	switch {
	case strings.Contains(code, "NotFound"), code == "NoSuchEntity", code == "ClusterNotFoundException", code == "ServiceNotFoundException",
		code == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist"):
		return done
	case strings.Contains(code, "Throttl"), code == "RequestLimitExceeded", code == "TooManyRequestsException":
		return backoff
	case code == "DependencyViolation", code == "ResourceInUse", strings.Contains(code, "InUse"), strings.Contains(code, "Contains"),
		code == "DeleteConflict", code == "PriorRequestNotComplete", code == "ServiceNotActiveException", strings.Contains(code, "NotDisabled"):
		return retryLater
	}
	return terminal
}

var (
	errGone    = errors.New("gone")
	errWaiting = errors.New("still being deleted")
)

// deleteResource makes one attempt to delete it, returning errGone when it no longer
// exists and errWaiting while its deletion is in progress.
func deleteResource(ctx context.Context, c *cloud.Clients, it Item) error {
	switch it.Type {
	case "AWS::CloudWatch::Alarm":
		_, name, _ := strings.Cut(it.ARN, ":alarm:")
		_, err := c.CloudWatch.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{name}})
		return err
	case "AWS::ApplicationAutoScaling::ScalingPolicy":
		rest := it.ARN[strings.Index(it.ARN, ":resource/ecs/")+len(":resource/ecs/"):]
		resource, name, _ := strings.Cut(rest, ":policyName/")
		_, err := c.AutoScaling.DeleteScalingPolicy(ctx, &aas.DeleteScalingPolicyInput{PolicyName: aws.String(name), ServiceNamespace: aastypes.ServiceNamespaceEcs,
			ResourceId: aws.String(resource), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount})
		return err
	case "AWS::ApplicationAutoScaling::ScalableTarget":
		_, svc, ok := strings.Cut(it.Parent, ":service/")
		if !ok {
			return fmt.Errorf("cleanup: scalable target %s has no service parent", it.ARN)
		}
		_, err := c.AutoScaling.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: aastypes.ServiceNamespaceEcs,
			ResourceId: aws.String("service/" + svc), ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount})
		return err
	case "AWS::ECS::Service":
		_, rest, _ := strings.Cut(it.ARN, ":service/")
		cluster, name, _ := strings.Cut(rest, "/")
		out, err := c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{name}})
		if err != nil {
			return err
		}
		if len(out.Services) == 0 || aws.ToString(out.Services[0].Status) == "INACTIVE" {
			return errGone
		}
		if aws.ToString(out.Services[0].Status) == "DRAINING" {
			return errWaiting
		}
		if _, err := c.ECS.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(cluster), Service: aws.String(name), DesiredCount: aws.Int32(0)}); err != nil {
			return err
		}
		if _, err := c.ECS.DeleteService(ctx, &ecs.DeleteServiceInput{Cluster: aws.String(cluster), Service: aws.String(name), Force: aws.Bool(true)}); err != nil {
			return err
		}
		return errWaiting
	case "AWS::ElasticLoadBalancingV2::Listener":
		_, err := c.ELBv2.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: aws.String(it.ARN)})
		return err
	case "AWS::ElasticLoadBalancingV2::LoadBalancer":
		_, err := c.ELBv2.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(it.ARN)})
		return err
	case "AWS::ElasticLoadBalancingV2::TargetGroup":
		_, err := c.ELBv2.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(it.ARN)})
		return err
	case "AWS::ECS::TaskDefinition":
		_, err := c.ECS.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(it.ARN)})
		return err
	case "AWS::ECS::Cluster":
		_, err := c.ECS.DeleteCluster(ctx, &ecs.DeleteClusterInput{Cluster: aws.String(it.ARN)})
		return err
	case "AWS::CloudFormation::Stack":
		out, err := c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(it.ARN)})
		if err != nil {
			return err
		}
		if len(out.Stacks) == 0 || out.Stacks[0].StackStatus == cfntypes.StackStatusDeleteComplete {
			return errGone
		}
		if strings.HasSuffix(string(out.Stacks[0].StackStatus), "_IN_PROGRESS") {
			return errWaiting
		}
		if _, err := c.CloudFormation.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(it.ARN)}); err != nil {
			return err
		}
		return errWaiting
	case "AWS::IAM::Role":
		name := it.ARN[strings.LastIndex(it.ARN, "/")+1:]
		attached, err := c.IAM.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
		if err != nil {
			return err
		}
		for _, p := range attached.AttachedPolicies {
			if _, err := c.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn}); err != nil {
				return err
			}
		}
		_, err = c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
		return err
	case "AWS::IAM::ManagedPolicy":
		_, err := c.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(it.ARN)})
		return err
	}
	return fmt.Errorf("cleanup: no deleter for %s", it.Type) // terminal: the planner should have skipped it
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return clip(err.Error(), 300)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
