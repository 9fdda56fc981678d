package slots

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/internal/testenv"
)

// TestCallsPerCycleAtScale: n finished students (every step of the script, no
// mistakes) in one account and region, plus three of another class, observed
// every 2 s (the monitor's default interval) for 30 cycles. Lab 4's reads are
// per resource (S3's bucket settings, an identity pool's roles, a table's COUNT, a
// function, two policy simulations, a log group): no API reads them for many
// students at once. The bound is each of them at the lab's cadence (LABS.md Lab
// 4's widgets: metrics and the probe every 60 s, the log feed every 15 s; the
// checkpoints' details every 30 s), with the listings at their page sizes
// (ListBuckets 1,000 a page each cycle; ListIdentityPools 60 a page every 30 s;
// GetMetricData 500 queries, three a student, every 60 s). The test fails above
// 1.2 × the bound.
func TestCallsPerCycleAtScale(t *testing.T) {
	sizes := []int{500, 2000}
	if testing.Short() || testenv.Race { // the counts do not change under the race detector; its time does
		sizes = sizes[:1]
	}
	for _, n := range sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) { callsAtScale(t, n) })
	}
}

func callsAtScale(t *testing.T, n int) {
	ctx := context.Background()
	clock := sim.NewManualClock(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	counter := cloud.NewCallCounter(nil, "sim")
	w := sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 4})
	c, err := w.Clients(ctx, "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	lab := Lab()
	const decoys = 3
	var targets, everyone []labs.Target
	for i := range n + decoys {
		tg := labs.NewTarget("c42", fmt.Sprintf("s%04d", i), "111122223333", "us-east-1")
		if i >= n { // another class in the same account: listed, owned by no target
			tg = labs.NewTarget("c9zz", fmt.Sprintf("s%04d", i), "111122223333", "us-east-1")
		} else {
			targets = append(targets, tg)
		}
		everyone = append(everyone, tg)
	}
	envs := prepare(t, w, c, clock, lab, everyone, nil)
	if err := walk(ctx, clock, lab, envs); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Minute)
	cache := labs.NewCache()
	all, err := lab.Observe(ctx, c, cache, targets) // the first reading, and a check that everyone finished
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		for _, cp := range lab.Checkpoints {
			if r := cp.Check(all[tg.StudentID]); r.Status != labs.Pass {
				t.Fatalf("%s %s: %s %q before counting", tg.StudentID, cp.ID, r.Status, r.Evidence)
			}
		}
	}
	const cycles, step = 30, 2 * time.Second
	before := counter.Snapshot()
	for range cycles {
		clock.Advance(step)
		if _, err := lab.Observe(ctx, c, cache, targets); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]float64{}
	for op, v := range counter.Snapshot() {
		if d := v - before[op]; d > 0 && !strings.HasPrefix(op, "lambda:Invoke") {
			got[op] = float64(d) / cycles
		}
	}
	per := func(every time.Duration) float64 { return float64(step) / float64(every) }
	all3 := float64(n + decoys)
	bound := map[string]float64{
		"s3:ListBuckets": math.Ceil(all3 / 1000), "cognito-identity:ListIdentityPools": math.Ceil(all3/60) * per(30*time.Second),
		"cloudwatch:GetMetricData": math.Ceil(3*float64(n)/500) * per(time.Minute), "logs:FilterLogEvents": float64(n) * per(15*time.Second),
		"http:GET": float64(n) * per(time.Minute),
	}
	for _, op := range []string{"s3:GetBucketWebsite", "s3:GetPublicAccessBlock", "s3:GetBucketPolicyStatus", "s3:ListObjectsV2",
		"cognito-identity:DescribeIdentityPool", "cognito-identity:GetIdentityPoolRoles", "iam:GetRole", "dynamodb:DescribeTable", "dynamodb:Scan", "lambda:GetFunction"} {
		bound[op] = float64(n) * per(30*time.Second)
	}
	bound["iam:SimulatePrincipalPolicy"] = 2 * float64(n) * per(30*time.Second) // the guest's invoke, the function's GetItem
	var total, totalBound float64
	var lines []string
	for op := range merged(got, bound) {
		total, totalBound = total+got[op], totalBound+bound[op]
		lines = append(lines, fmt.Sprintf("| %s | %.2f | %.2f |", op, got[op], bound[op]))
		if got[op] > 1.2*bound[op]+0.5 {
			t.Errorf("%s: %.2f calls a cycle, bound %.2f", op, got[op], bound[op])
		}
	}
	sort.Strings(lines)
	t.Logf("%d students, per cycle (steady state, %d cycles %v apart):\n| operation | calls | bound |\n%s\n| total | %.2f | %.2f (%.3f ×) |",
		n, cycles, step, strings.Join(lines, "\n"), total, totalBound, total/totalBound)
	if total > 1.2*totalBound {
		t.Errorf("%.1f calls a cycle in all, bound %.1f", total, totalBound)
	}
}

// merged is the set of keys of a and b.
func merged(a, b map[string]float64) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
