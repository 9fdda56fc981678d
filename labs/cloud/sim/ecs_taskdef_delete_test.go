package sim

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// tdStatus describes ref: its status, or "" and the error when ECS no longer
// describes it.
func (e *env) tdStatus(ref string) (ecstypes.TaskDefinitionStatus, error) {
	out, err := e.c.ECS.DescribeTaskDefinition(e.ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
	if err != nil {
		return "", err
	}
	return out.TaskDefinition.Status, nil
}

func (e *env) listTDs(family string, status ecstypes.TaskDefinitionStatus) []string {
	e.t.Helper()
	out, err := e.c.ECS.ListTaskDefinitions(e.ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: status})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.TaskDefinitionArns
}

func (e *env) deleteTD(ref string) *ecs.DeleteTaskDefinitionsOutput {
	e.t.Helper()
	out, err := e.c.ECS.DeleteTaskDefinitions(e.ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: []string{ref}})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// TestDeletedTaskDefinitionIsPurgedWhenUnused: a deleted revision nothing uses is
// DELETE_IN_PROGRESS at first (described, listed by that status only), then gone
// for good within the minute's housekeeping: DescribeTaskDefinition answers the
// ClientException ECS gives, no status lists it, deleting it again is a
// not-found failure, and its revision number is never reused. The simulator kept
// it DELETE_IN_PROGRESS forever.
func TestDeletedTaskDefinitionIsPurgedWhenUnused(t *testing.T) {
	e := newEnv(t)
	e.registerRevs("cx1s01-free", 2)
	e.deregister("cx1s01-free:1")
	if out := e.deleteTD("cx1s01-free:1"); len(out.Failures) != 0 || len(out.TaskDefinitions) != 1 || out.TaskDefinitions[0].Status != ecstypes.TaskDefinitionStatusDeleteInProgress {
		t.Fatalf("DeleteTaskDefinitions: %+v", out)
	}
	if st, err := e.tdStatus("cx1s01-free:1"); st != ecstypes.TaskDefinitionStatusDeleteInProgress {
		t.Fatalf("right after the delete: %s %v; want DELETE_IN_PROGRESS", st, err)
	}
	if got := e.listTDs("cx1s01-free", ecstypes.TaskDefinitionStatusDeleteInProgress); len(got) != 1 {
		t.Fatalf("DELETE_IN_PROGRESS lists %v; want the revision", got)
	}

	e.clock.Advance(2 * time.Minute)
	st, err := e.tdStatus("cx1s01-free:1")
	if st != "" || apiCode(err) != "ClientException" || !strings.Contains(err.Error(), "Unable to describe task definition") {
		t.Fatalf("2 min after the delete: %s %v; want ClientException 'Unable to describe task definition.'", st, err)
	}
	arn := e.c.ARN("ecs", "task-definition/cx1s01-free:1")
	if _, err := e.tdStatus(arn); apiCode(err) != "ClientException" {
		t.Errorf("described by ARN after the purge: %v", err)
	}
	for _, s := range []ecstypes.TaskDefinitionStatus{ecstypes.TaskDefinitionStatusActive, ecstypes.TaskDefinitionStatusInactive, ecstypes.TaskDefinitionStatusDeleteInProgress} {
		if got := e.listTDs("cx1s01-free", s); slices.Contains(got, arn) {
			t.Errorf("%s still lists the purged revision", s)
		}
	}
	if out := e.deleteTD("cx1s01-free:1"); len(out.Failures) != 1 || len(out.TaskDefinitions) != 0 {
		t.Errorf("deleting the purged revision again: %+v; want one not-found failure", out)
	}
	if _, err := e.c.ECS.DeregisterTaskDefinition(e.ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("cx1s01-free:1")}); apiCode(err) != "ClientException" {
		t.Errorf("deregistering the purged revision: %v", err)
	}
	// Revision 2 is untouched, and the next registration is 3, not 1.
	if st, err := e.tdStatus("cx1s01-free:2"); st != ecstypes.TaskDefinitionStatusActive {
		t.Errorf("revision 2: %s %v", st, err)
	}
	e.registerRevs("cx1s01-free", 1)
	if st, err := e.tdStatus("cx1s01-free:3"); st != ecstypes.TaskDefinitionStatusActive {
		t.Errorf("the next registration is not revision 3: %s %v", st, err)
	}
	if st, _ := e.tdStatus("cx1s01-free"); st != ecstypes.TaskDefinitionStatusActive {
		t.Errorf("the family's latest: %s", st)
	}
}

// TestDeletedTaskDefinitionWaitsForItsTasks: a revision a running service uses
// stays DELETE_IN_PROGRESS (its tasks keep running) however long, and is purged
// only once the service is deleted and its tasks have stopped.
func TestDeletedTaskDefinitionWaitsForItsTasks(t *testing.T) {
	e := newEnv(t)
	l := e.fargate("cx1s02", 80)
	e.clock.Advance(3 * time.Minute)
	ref := "cx1s02-hello:1"
	e.deregister(ref)
	if out := e.deleteTD(ref); len(out.Failures) != 0 {
		t.Fatalf("DeleteTaskDefinitions: %+v", out.Failures)
	}
	e.clock.Advance(30 * time.Minute)
	if st, err := e.tdStatus(ref); st != ecstypes.TaskDefinitionStatusDeleteInProgress {
		t.Fatalf("used by a running service after 30 min: %s %v; want DELETE_IN_PROGRESS", st, err)
	}
	svc, err := e.c.ECS.DescribeServices(e.ctx, &ecs.DescribeServicesInput{Cluster: aws.String(l.cluster), Services: []string{l.service}})
	if err != nil || len(svc.Services) != 1 || svc.Services[0].RunningCount == 0 {
		t.Fatalf("the service stopped running on its deleted revision: %v %+v", err, svc)
	}
	if _, err := e.c.ECS.UpdateService(e.ctx, &ecs.UpdateServiceInput{Cluster: aws.String(l.cluster), Service: aws.String(l.service), DesiredCount: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.ECS.DeleteService(e.ctx, &ecs.DeleteServiceInput{Cluster: aws.String(l.cluster), Service: aws.String(l.service)}); err != nil {
		t.Fatal(err)
	}
	for waited := time.Duration(0); ; waited += time.Minute {
		st, err := e.tdStatus(ref)
		if st == "" && apiCode(err) == "ClientException" {
			break
		}
		if waited > 30*time.Minute {
			t.Fatalf("30 min after its service was deleted the revision is %s %v; want it purged", st, err)
		}
		e.clock.Advance(time.Minute)
	}
}
