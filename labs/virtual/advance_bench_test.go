package virtual

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/labdash/labdash/labs"
	"github.com/labdash/labdash/labs/catalog/fargate"
	"github.com/labdash/labdash/labs/catalog/ga"
	xraylab "github.com/labdash/labdash/labs/catalog/xray"
	"github.com/labdash/labdash/labs/cloud/sim"
)

// BenchmarkAdvance is the simulator's cost of time passing in a whole class: n
// virtual students each doing the three built labs (Fargate behind an ALB with
// auto scaling, Global Accelerator failover, the X-Ray sample app with its
// signup traffic), played on a manual clock for 45 simulated minutes (every
// student's stacks up, services steady, accelerators deployed, signups flowing),
// then each iteration advances the world one simulated minute with nobody
// calling it: the per-second steps of every service, and the minute's metrics,
// alarms and housekeeping. The students' own calls are not measured here
// (labbench measures the whole pipeline, calls included).
//
//	go test -run '^$' -bench Advance -benchtime 5x -count 3 ./labs/virtual/
func BenchmarkAdvance(b *testing.B) {
	for _, n := range []int{500, 2000} {
		b.Run(fmt.Sprintf("students=%d", n), func(b *testing.B) {
			world, clock := classOf(b, n, 45*time.Minute)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				clock.Advance(time.Minute)
				world.Now()
			}
		})
	}
}

// classOf plays n students through the three labs for d of simulated time and
// checks that the class got where the benchmark claims: most students past
// provisioning in every lab, and signups arriving.
func classOf(b *testing.B, n int, d time.Duration) (*sim.World, *sim.ManualClock) {
	b.Helper()
	ctx := context.Background()
	clock := sim.NewManualClock(time.Unix(1_800_000_000, 0))
	world := sim.New(sim.Options{Clock: clock, DefaultAccount: "111122223333", Seed: 1})
	r := New(slog.New(slog.NewTextHandler(io.Discard, nil)), world, world, clock.Now)
	for _, lab := range []labs.Lab{fargate.Lab(), ga.Lab(), xraylab.Lab()} {
		personas := DemoPersonas(lab, n, 1)
		for i := range n {
			r.Start(Student{ClassID: "c42", Slug: fmt.Sprintf("s%04d", i), Region: "us-east-1", Lab: lab, Persona: personas[i]})
		}
	}
	for elapsed := time.Duration(0); elapsed < d; elapsed += 5 * time.Second {
		clock.Advance(5 * time.Second)
		r.RunDue(ctx)
	}
	started := 0
	for _, p := range r.Progress("c42") {
		if p != "provisioning" && p != "stuck" {
			started++
		}
	}
	if started < n/2 {
		b.Fatalf("after %v only %d of %d students are past provisioning", d, started, n)
	}
	c, err := world.Clients(ctx, "", "us-east-1")
	if err != nil {
		b.Fatal(err)
	}
	now := clock.Now()
	sum, err := c.XRay.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now)})
	if err != nil {
		b.Fatal(err)
	}
	if len(sum.TraceSummaries) == 0 {
		b.Fatalf("after %v no signup traces in the last ten minutes", d)
	}
	return world, clock
}
