package fargate

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestStoppedTasksDescribedOnce: a task that has stopped is described in the cycle
// that first lists it as stopped and not again (a stopped task never changes), while
// running tasks are described every cycle; the student still sees the stopped task
// in every cycle, and once ECS stops listing it, it is gone from the observation.
func TestStoppedTasksDescribedOnce(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	counter := cloud.NewCallCounter(nil, "sim")
	w := sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 1})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	tg := labs.NewTarget("c9", "s01", "111122223333", "us-east-1")
	subs, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil || len(subs.Subnets) == 0 {
		t.Fatalf("subnets: %v", err)
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(clusterName(tg)), Tags: tags(tg)}))
	must(c.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(family(tg)), Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, NetworkMode: ecstypes.NetworkModeAwsvpc,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("hello"), Image: aws.String("nginxdemos/hello")}}, Tags: tags(tg)}))
	must(c.ECS.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(clusterName(tg)), ServiceName: aws.String(serviceName(tg)),
		TaskDefinition: aws.String(family(tg)), DesiredCount: aws.Int32(2), LaunchType: ecstypes.LaunchTypeFargate, Tags: tags(tg),
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{aws.ToString(subs.Subnets[0].SubnetId)}}}}))
	clock.Advance(2 * time.Minute)
	running, err := c.ECS.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(clusterName(tg)), DesiredStatus: ecstypes.DesiredStatusRunning})
	if err != nil || len(running.TaskArns) != 2 {
		t.Fatalf("running tasks: %v %v", running, err)
	}
	victim := running.TaskArns[0]
	must(c.ECS.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String(clusterName(tg)), Task: aws.String(victim)}))
	clock.Advance(time.Minute) // stopped; the service has started a replacement

	cache := labs.NewCache()
	n := 0 // task ARNs described in the cycle
	counted := cloud.Intercept(c, func(_ context.Context, call cloud.Call) error {
		if in, ok := call.Input.(*ecs.DescribeTasksInput); ok {
			n += len(in.Tasks)
		}
		return nil
	})
	var per []int
	for cycle := range 3 {
		n = 0
		obs, err := Observe(ctx, counted, cache, []labs.Target{tg})
		if err != nil {
			t.Fatal(err)
		}
		o := obs[tg.StudentID].(*Observation)
		per = append(per, n)
		if i := slices.IndexFunc(o.Stopped, func(x ecstypes.Task) bool { return aws.ToString(x.TaskArn) == victim }); i < 0 || aws.ToString(o.Stopped[i].LastStatus) != "STOPPED" {
			t.Fatalf("cycle %d: the stopped task is not in the observation (%d stopped, %d running)", cycle, len(o.Stopped), len(o.Tasks))
		}
		if len(o.Tasks) != 2 {
			t.Fatalf("cycle %d: %d running tasks, want 2 (the replacement included)", cycle, len(o.Tasks))
		}
		clock.Advance(2 * time.Second)
	}
	t.Logf("task ARNs described per cycle: %v", per)
	if per[0] != 3 || per[1] != 2 || per[2] != 2 {
		t.Errorf("described per cycle %v, want [3 2 2]: the stopped task once, the running two every cycle", per)
	}
	clock.Advance(2 * time.Hour) // ECS no longer lists the stopped task
	obs, err := Observe(ctx, counted, cache, []labs.Target{tg})
	if err != nil {
		t.Fatal(err)
	}
	if o := obs[tg.StudentID].(*Observation); slices.ContainsFunc(o.Stopped, func(x ecstypes.Task) bool { return aws.ToString(x.TaskArn) == victim }) {
		t.Error("a stopped task ECS no longer lists is still in the observation")
	}
}
