// Command labbench measures the live pipeline: N virtual students doing the Fargate
// lab on the simulator at high speed, the monitor and hub streaming to M websocket
// viewers over loopback. It reports change → client latency (p50, p99), messages per
// second, CPU and RSS for each (students, viewers) pair.
//
//	go run ./cmd/labbench -students 100,500,2000 -viewers 10,50,200 -duration 60s
//
// "Change" is the moment the monitor hands a changed grid cell to the publisher; the
// latency is until a viewer's socket has read the frame carrying that cell.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/labdash/labdash/db"
	"github.com/labdash/labdash/handlers"
	"github.com/labdash/labdash/handlers/live"
	"github.com/labdash/labdash/labs/catalog"
	"github.com/labdash/labdash/labs/cloud"
	"github.com/labdash/labdash/labs/cloud/sim"
	"github.com/labdash/labdash/labs/monitor"
	"github.com/labdash/labdash/labs/virtual"
)

func main() {
	students := flag.String("students", "100,500,2000", "comma-separated student counts")
	viewers := flag.String("viewers", "10,50,200", "comma-separated viewer counts")
	duration := flag.Duration("duration", 60*time.Second, "measured time per run")
	speed := flag.Float64("speed", 120, "simulated seconds per real second")
	interval := flag.Duration("interval", time.Second, "monitor cycle")
	memprofile := flag.String("memprofile", "", "write a heap profile at the end of the last run")
	labList := flag.String("labs", "fargate", "comma-separated labs every student runs (fargate, ga, xray)")
	ops := flag.Bool("ops", false, "print the AWS calls of the measured cycle by operation")
	flag.Parse()
	benchLabs = strings.Split(*labList, ",")
	printOps = *ops
	fmt.Printf("| students | viewers | cells changed | frames to viewers | msgs/s | p50 | p99 | max | CPU (cores) | peak RSS | AWS calls/cycle |\n")
	fmt.Printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range ints(*students) {
		for _, m := range ints(*viewers) {
			r, err := runOnce(n, m, *duration, *speed, *interval, *memprofile)
			if err != nil {
				fmt.Fprintln(os.Stderr, "labbench:", err)
				os.Exit(1)
			}
			fmt.Printf("| %d | %d | %d | %d | %.0f | %s | %s | %s | %.2f | %d MB | %.0f |\n", n, m, r.changes, r.frames, r.msgsPerSec,
				ms(r.p50), ms(r.p99), ms(r.max), r.cpu, r.rssMB, r.callsPerCycle)
		}
	}

}

var (
	benchLabs []string
	printOps  bool
)

type result struct {
	changes, frames int
	msgsPerSec      float64
	p50, p99, max   time.Duration
	cpu             float64
	rssMB           int
	callsPerCycle   float64
}

func runOnce(n, m int, duration time.Duration, speed float64, interval time.Duration, memprofile string) (*result, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "labbench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := db.Open(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		return nil, err
	}
	defer store.Close()
	u := &db.User{Email: "bench@example.edu", Name: "Bench", Role: db.RoleInstructor, PasswordHash: "x"}
	if err := store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	class := &db.Class{Name: "bench", OwnerID: u.ID, Regions: []string{"us-east-1", "eu-west-1"}, Isolation: db.IsolationShared, Labs: benchLabs}
	if err := store.CreateClass(ctx, class); err != nil {
		return nil, err
	}
	rows := make([]db.NewStudent, n)
	for i := range rows {
		rows[i] = db.NewStudent{Name: fmt.Sprintf("Student %d", i+1), Email: fmt.Sprintf("s%d@bench.example.edu", i+1)}
	}
	students, _, err := store.AddStudents(ctx, class.ID, rows)
	if err != nil {
		return nil, err
	}
	session := db.NewToken(32)
	if err := store.CreateSession(ctx, session, u.ID, time.Hour); err != nil {
		return nil, err
	}

	reg := prometheus.NewRegistry()
	registry := catalog.New()
	srv, err := handlers.New(ctx, log, store, registry, handlers.Config{Cloud: "sim"}, reg, reg)
	if err != nil {
		return nil, err
	}
	clock := sim.NewScaledClock(speed)
	counter := cloud.NewCallCounter(nil, "sim")
	world := sim.New(sim.Options{Clock: clock, Counter: counter, DefaultAccount: "111122223333", Seed: 1})
	hub := live.NewHub(log, live.Options{})
	lat := &latencies{sent: map[string]time.Time{}}
	mon := monitor.New(log, store, registry, world, monitor.Options{Interval: interval,
		Publish: func(ups []monitor.Update) {
			now := time.Now()
			lat.mu.Lock()
			for _, up := range ups {
				if up.Cell != nil {
					lat.sent[fmt.Sprintf("cell-%s-%s|%d/%d", up.Student, up.Lab, up.Cell.Passed, up.Cell.Total)] = now
					lat.changes++
				}
			}
			lat.mu.Unlock()
			srv.PublishUpdates(ups)
		}})
	srv.WithLive(hub, mon, nil)
	go hub.Run(ctx)
	runner := virtual.New(log, world, world, clock.Now)
	for _, id := range benchLabs {
		lab, ok := registry.Lab(id)
		if !ok || !lab.Built() {
			return nil, fmt.Errorf("no built lab %q", id)
		}
		personas := virtual.DemoPersonas(lab, n, 1)
		for i, st := range students {
			runner.Start(virtual.Student{ClassID: class.ID, Slug: st.Slug, Region: "us-east-1", Lab: lab, Persona: personas[i]})
		}
	}
	runnerDone, monDone := make(chan struct{}), make(chan struct{})
	go func() { runner.Run(ctx, 100*time.Millisecond); close(runnerDone) }()
	go func() { mon.Run(ctx); close(monDone) }()

	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	wsURL := "ws" + strings.TrimPrefix(ts.URL, "http") + "/classes/" + class.ID + "/ws"
	hdr := http.Header{"Cookie": {"labdash_session=" + session}, "Origin": {ts.URL}}
	var frames atomic.Int64
	var wg sync.WaitGroup
	cellRE := regexp.MustCompile(`id="(cell-[^"]+)"[^>]*>.*?data-testid="cell-label">([^<]*)<`)
	for i := 0; i < m; i++ {
		conn, _, err := websocket.DefaultDialer.DialContext(ctx, wsURL, hdr)
		if err != nil {
			return nil, fmt.Errorf("viewer %d: %w", i, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			for {
				_, data, err := conn.ReadMessage()
				if err != nil {
					return
				}
				at := time.Now()
				frames.Add(1)
				for _, mm := range cellRE.FindAllStringSubmatch(string(data), -1) {
					lat.observe(mm[1]+"|"+mm[2], at)
				}
			}
		}()
	}

	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	frames0 := frames.Load()
	lat.reset()
	start := time.Now()
	time.Sleep(duration)
	elapsed := time.Since(start)
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	frames1 := frames.Load()
	if memprofile != "" { // the live heap while everything still runs
		if f, err := os.Create(memprofile); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
	cancel()
	ts.CloseClientConnections()
	wg.Wait()
	<-runnerDone // a cycle or a step still under way would add its calls to the measured cycle
	<-monDone

	// One more monitor cycle with the virtual students stopped counts what a cycle costs
	// (the simulator's counter also sees the students' own calls while they run).
	before, snap := total(counter), counter.Snapshot()
	if err := mon.Cycle(context.Background()); err != nil {
		return nil, err
	}
	calls := total(counter) - before
	if printOps {
		var lines []string
		for op, v := range counter.Snapshot() {
			if d := v - snap[op]; d > 0 {
				lines = append(lines, fmt.Sprintf("%6d %s", d, op))
			}
		}
		sort.Sort(sort.Reverse(sort.StringSlice(lines)))
		fmt.Fprintf(os.Stderr, "calls of one cycle, %d students, labs %v:\n%s\n", n, benchLabs, strings.Join(lines, "\n"))
	}

	cpu := (tv(ru1.Utime) + tv(ru1.Stime) - tv(ru0.Utime) - tv(ru0.Stime)).Seconds() / elapsed.Seconds()
	lat.mu.Lock()
	changes := lat.changes
	lat.mu.Unlock()
	r := &result{changes: changes, frames: int(frames1 - frames0), msgsPerSec: float64(frames1-frames0) / elapsed.Seconds(), cpu: cpu, rssMB: peakRSSMB(), callsPerCycle: float64(calls)}
	r.p50, r.p99, r.max = lat.percentiles()
	return r, nil
}

type latencies struct {
	mu      sync.Mutex
	sent    map[string]time.Time
	samples []time.Duration
	changes int
}

func (l *latencies) observe(key string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t0, ok := l.sent[key]; ok && !at.Before(t0) {
		l.samples = append(l.samples, at.Sub(t0))
	}
}

// reset starts the measured window: earlier changes and samples are dropped.
func (l *latencies) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.samples, l.changes = nil, 0
}

func (l *latencies) percentiles() (p50, p99, max time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.samples) == 0 {
		return 0, 0, 0
	}
	sort.Slice(l.samples, func(i, j int) bool { return l.samples[i] < l.samples[j] })
	at := func(q float64) time.Duration { return l.samples[min(len(l.samples)-1, int(q*float64(len(l.samples))))] }
	return at(0.50), at(0.99), l.samples[len(l.samples)-1]
}

func total(c *cloud.CallCounter) int64 {
	var n int64
	for _, v := range c.Snapshot() {
		n += v
	}
	return n
}

func tv(t syscall.Timeval) time.Duration {
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
}

// peakRSSMB reads the process's peak resident set (VmHWM) from /proc.
func peakRSSMB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.Atoi(f[1])
			return kb / 1024
		}
	}
	return -1
}

func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}
