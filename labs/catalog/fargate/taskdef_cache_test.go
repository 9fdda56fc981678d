package fargate

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// TestTaskDefinitionsDescribedOnce: students who registered their task definition
// but have no service yet cost one DescribeTaskDefinition each in the first cycle and
// none in a second cycle 2 s later; the cache is the observer's, bounded.
func TestTaskDefinitionsDescribedOnce(t *testing.T) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	counter := cloud.NewCallCounter(nil, "sim")
	w := sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 1})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	var targets []labs.Target
	for i := 1; i <= n; i++ {
		tg := labs.NewTarget("c9", fmt.Sprintf("s%02d", i), "111122223333", "us-east-1")
		targets = append(targets, tg)
		if _, err := c.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(family(tg)),
			RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, NetworkMode: ecstypes.NetworkModeAwsvpc,
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("hello"), Image: aws.String("nginxdemos/hello")}}}); err != nil {
			t.Fatal(err)
		}
	}
	cache := labs.NewCache() // the monitor's, for this group
	count := func() int64 { return counter.Count("ecs", "DescribeTaskDefinition") }
	var per []int64
	for cycle := 0; cycle < 2; cycle++ {
		before := count()
		obs, err := Observe(ctx, c, cache, targets)
		if err != nil {
			t.Fatal(err)
		}
		per = append(per, count()-before)
		for _, tg := range targets {
			if obs[tg.StudentID].(*Observation).TaskDef == nil {
				t.Fatalf("cycle %d: %s has no task definition", cycle, tg.StudentID)
			}
		}
		clock.Advance(2 * time.Second)
	}
	t.Logf("DescribeTaskDefinition per cycle: %v", per)
	if per[0] != n || per[1] != 0 {
		t.Errorf("DescribeTaskDefinition per cycle %v, want [%d 0]", per, n)
	}
	small := newLRU[int](2)
	small.put("a", 1)
	small.put("b", 2)
	small.get("a")
	small.put("c", 3)
	if _, ok := small.get("b"); ok || small.len() != 2 {
		t.Errorf("LRU kept the least recently used entry or grew past its bound (%d)", small.len())
	}
}
