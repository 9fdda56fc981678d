package sim

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkClassOf2000 builds 2,000 students' Fargate labs in one account and
// region and advances ten simulated minutes (all tasks placed, registered and
// health-checked), then measures one simulated minute of dynamics.
//
//	go test -run '^$' -bench ClassOf2000 -benchtime 1x ./labs/cloud/sim/
func BenchmarkClassOf2000(b *testing.B) {
	e := newEnv(b)
	begin := time.Now()
	for i := 0; i < 2000; i++ {
		e.fargate(fmt.Sprintf("s%04d", i), 80)
	}
	b.Logf("created 2000 labs in %v", time.Since(begin))
	begin = time.Now()
	e.clock.Advance(10 * time.Minute)
	e.w.Now()
	b.Logf("10 simulated minutes in %v", time.Since(begin))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.clock.Advance(time.Minute)
		e.w.Now()
	}
	b.StopTimer()
	s := e.service(lab{cluster: "s1999-cluster", service: "s1999-svc"})
	if s.RunningCount != 2 {
		b.Errorf("running %d", s.RunningCount)
	}
}

// BenchmarkAdvance measures one simulated minute of a settled class's Fargate labs
// (one account and region) at 500 and 2,000 students: the labs are built, ten
// simulated minutes settle them (tasks placed, registered and healthy), then each
// iteration advances the clock a minute. The GA and X-Ray labs are not built here
// yet (their helpers take a *testing.T and a fixed name); labbench covers all three.
//
//	go test -run '^$' -bench Advance -benchtime 3x -count 3 ./labs/cloud/sim/
func BenchmarkAdvance(b *testing.B) {
	for _, n := range []int{500, 2000} {
		b.Run(fmt.Sprintf("students=%d", n), func(b *testing.B) {
			e := newEnv(b)
			for i := 0; i < n; i++ {
				e.fargate(fmt.Sprintf("s%04d", i), 80)
			}
			e.clock.Advance(10 * time.Minute)
			e.w.Now()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e.clock.Advance(time.Minute)
				e.w.Now()
			}
			b.StopTimer()
			last := fmt.Sprintf("s%04d", n-1)
			if s := e.service(lab{cluster: last + "-cluster", service: last + "-svc"}); s.RunningCount != 2 {
				b.Errorf("%s running %d, want 2", last, s.RunningCount)
			}
		})
	}
}
