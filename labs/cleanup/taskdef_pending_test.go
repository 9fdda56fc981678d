package cleanup

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/labs/cleanup/resources"
	"github.com/labdash/labdash/labs/cloud"
)

// TestTaskDefinitionDeletePendingIsNotDeletedAgain: a student deleted the task
// definition revision their service still runs on, so ECS keeps it
// DELETE_IN_PROGRESS until the service's tasks have gone. For cleanup it is gone,
// pending: not listed, not deleted or deregistered again, its tags read as gone,
// and the cleanup that deletes the service is verified. Once ECS has finished the
// deletion (the simulator purges it), every answer about it still reads as gone.
func TestTaskDefinitionDeletePendingIsNotDeletedAgain(t *testing.T) {
	f := newFixture(t)
	a := f.class("A", 1)
	ctx, c := f.ctx, f.c
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	cluster, family := a.ID+"s01-cluster", a.ID+"s01-web"
	tags := []ecstypes.Tag{{Key: aws.String("labdash:class"), Value: aws.String(a.ID)}, {Key: aws.String("labdash:student"), Value: aws.String("s01")}}
	_, err := c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(cluster), Tags: tags})
	must(err)
	td, err := c.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(family),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, NetworkMode: ecstypes.NetworkModeAwsvpc,
		Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("nginxdemos/hello")}}, Tags: tags})
	must(err)
	arn := aws.ToString(td.TaskDefinition.TaskDefinitionArn)
	_, subnets := f.world.ClassVPC("", "us-east-1")
	_, err = c.ECS.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(cluster), ServiceName: aws.String(a.ID + "s01-svc"),
		TaskDefinition: aws.String(arn), DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: subnets}}, Tags: tags})
	must(err)
	f.clock.Advance(3 * time.Minute)
	_, err = c.ECS.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)})
	must(err)
	_, err = c.ECS.DeleteTaskDefinitions(ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{arn}})
	must(err)
	f.clock.Advance(10 * time.Minute)
	desc, err := c.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)})
	if err != nil || desc.TaskDefinition.Status != ecstypes.TaskDefinitionStatusDeleteInProgress {
		t.Fatalf("the revision its service runs on: %v %+v; want DELETE_IN_PROGRESS", err, desc)
	}

	typ, ok := resources.Lookup("AWS::ECS::TaskDefinition")
	if !ok {
		t.Fatal("no AWS::ECS::TaskDefinition type")
	}
	ref := resources.Ref{ARN: arn, Type: typ.Name, Region: "us-east-1", Account: c.Account, Student: "s01"}
	var mu sync.Mutex
	var touched []string
	watch := func(_ context.Context, call cloud.Call) error {
		switch in := call.Input.(type) {
		case *ecs.DeregisterTaskDefinitionInput:
			if aws.ToString(in.TaskDefinition) == arn {
				mu.Lock()
				touched = append(touched, call.Op)
				mu.Unlock()
			}
		case *ecs.DeleteTaskDefinitionsInput:
			if slices.Contains(in.TaskDefinitions, arn) {
				mu.Lock()
				touched = append(touched, call.Op)
				mu.Unlock()
			}
		}
		return nil
	}
	wc := cloud.Intercept(c, watch)
	if err := typ.Delete(ctx, wc, ref); !errors.Is(err, resources.ErrGone) {
		t.Errorf("Delete of a DELETE_IN_PROGRESS revision: %v; want ErrGone", err)
	}
	if _, err := typ.Tags(ctx, wc, ref); !errors.Is(err, resources.ErrGone) {
		t.Errorf("Tags of a DELETE_IN_PROGRESS revision: %v; want ErrGone", err)
	}
	listed, err := typ.List(ctx, wc, resources.Scope{ClassID: a.ID, Students: []string{"s01"}})
	must(err)
	for _, cand := range listed {
		if cand.ARN == arn {
			t.Errorf("the lister puts forward the DELETE_IN_PROGRESS revision")
		}
	}

	x := f.executor()
	x.Intercept = watch
	plan, job := f.confirmAndRun(x, a)
	var types []string
	for _, it := range plan.Items {
		if it.ARN == arn {
			t.Errorf("the plan holds the DELETE_IN_PROGRESS revision: %+v", it)
		}
		types = append(types, it.Type)
	}
	if !slices.Contains(types, "AWS::ECS::Service") || !slices.Contains(types, "AWS::ECS::Cluster") {
		t.Fatalf("the plan lacks the student's service or cluster: %v", types)
	}
	if job.State != db.JobDone || job.Outcome != db.OutcomeVerified {
		t.Fatalf("cleanup: %s %s %q; want done and verified", job.State, job.Outcome, job.Error)
	}
	if len(touched) > 0 {
		t.Errorf("the revision was deleted again: %v", touched)
	}

	// Its service gone, ECS finishes the deletion; cleanup still reads it as gone.
	f.settle()
	if _, err := c.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err == nil {
		t.Fatal("the revision is still described an hour after its service was deleted")
	}
	if err := typ.Delete(ctx, c, ref); err != nil && !errors.Is(err, resources.ErrGone) && !typ.IsGone(err) {
		t.Errorf("Delete of the purged revision: %v; want gone", err)
	}
	if _, err := typ.Tags(ctx, c, ref); !errors.Is(err, resources.ErrGone) && !typ.IsGone(err) {
		t.Errorf("Tags of the purged revision: %v; want gone", err)
	}
	after, err := f.planner().Plan(ctx, a.ID)
	must(err)
	for _, it := range append(after.Items, after.Skipped...) {
		if it.ARN == arn {
			t.Errorf("the purged revision is in the next plan: %+v", it)
		}
	}
	if len(after.Unchecked) > 0 {
		t.Errorf("the next plan has gaps: %+v", after.Unchecked)
	}
}
