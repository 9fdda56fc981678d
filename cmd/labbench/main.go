// Command labbench measures the live pipeline: N virtual students doing the Fargate
// lab on the simulator at high speed, the monitor and hub streaming to M websocket
// viewers over loopback. It reports change → client latency (p50, p99), messages per
// second, CPU and RSS for each (students, viewers) pair.
//
//	go run ./cmd/labbench -students 100,500,2000 -viewers 10,50,200 -duration 60s
//
// "Change" is the moment the monitor hands a changed grid cell to the publisher; the
// latency is until a viewer's socket has read the frame carrying that cell.
//
// "cycle p50/p99/max" is the achieved period between successive monitor cycle starts
// in the measured window; "held" says whether its p99 stayed within 10 % of -interval.
// With -warmup D the class runs for D of real time before the measured window
// starts, so that a run at the product's default -speed 10 measures a class in
// its steady state rather than one still provisioning.
//
// With -cpuprofile FILE each run's CPU profile is written (FILE, or FILE.N.M when more
// than one run) and "sim CPU" is the share of its samples whose stack holds a
// github.com/labdash/labdash/labs/cloud/sim. frame.
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

	"github.com/google/pprof/profile"
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
	flag.BoolVar(&printSlow, "slow", false, "print each measured cycle that took longer than the interval: its duration and its calls by operation (the virtual students' own calls included)")
	cpuprofile := flag.String("cpuprofile", "", "write each run's CPU profile of the measured window to this file")
	flag.DurationVar(&settled, "settled", 0, "how often a finished or not-started student's lab is read (simulated time; 0: the monitor's default, 30 s; -1ns: every cycle, as before issue 17's point 5)")
	flag.DurationVar(&warmup, "warmup", 0, "real time the class runs, viewers connected, before the measured window (at -speed 10, 5m is 50 simulated minutes: every lab under way, signups flowing)")
	flag.Parse()
	benchLabs = strings.Split(*labList, ",")
	printOps = *ops
	fmt.Printf("| students | viewers | cells changed | frames to viewers | msgs/s | p50 | p99 | max | CPU (cores) | sim CPU | peak RSS | AWS calls/cycle | cycle p50 | cycle p99 | cycle max | held |\n")
	fmt.Printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	ns, ms_ := ints(*students), ints(*viewers)
	for _, n := range ns {
		for _, m := range ms_ {
			prof := *cpuprofile
			if prof != "" && len(ns)*len(ms_) > 1 {
				prof = fmt.Sprintf("%s.%d.%d", prof, n, m)
			}
			r, err := runOnce(n, m, *duration, *speed, *interval, *memprofile, prof)
			if err != nil {
				fmt.Fprintln(os.Stderr, "labbench:", err)
				os.Exit(1)
			}
			share := "–"
			if r.simShare >= 0 {
				share = fmt.Sprintf("%.0f %%", 100*r.simShare)
			}
			held := "yes"
			if r.cycleP99 > *interval+*interval/10 {
				held = "no"
			}
			fmt.Printf("| %d | %d | %d | %d | %.0f | %s | %s | %s | %.2f | %s | %d MB | %.0f | %s | %s | %s | %s |\n", n, m, r.changes, r.frames, r.msgsPerSec,
				ms(r.p50), ms(r.p99), ms(r.max), r.cpu, share, r.rssMB, r.callsPerCycle, ms(r.cycleP50), ms(r.cycleP99), ms(r.cycleMax), held)
		}
	}

}

var (
	benchLabs []string
	printOps  bool
	printSlow bool
	warmup    time.Duration
	settled   time.Duration
)

type result struct {
	changes, frames int
	msgsPerSec      float64
	p50, p99, max   time.Duration
	cpu             float64
	rssMB           int
	callsPerCycle   float64
	simShare        float64 // -1 without a profile
	cycleP50        time.Duration
	cycleP99        time.Duration
	cycleMax        time.Duration
}

func runOnce(n, m int, duration time.Duration, speed float64, interval time.Duration, memprofile, cpuprofile string) (*result, error) {
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
	mon := monitor.New(log, store, registry, world, monitor.Options{Interval: interval, Settled: settled,
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
	cycles := &cycleTimes{}
	cycles.counter = counter
	go func() { runMonitor(ctx, mon, interval, cycles, log); close(monDone) }()

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

	time.Sleep(warmup)
	var profBuf *os.File
	if cpuprofile != "" {
		if profBuf, err = os.Create(cpuprofile); err != nil {
			return nil, fmt.Errorf("cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(profBuf); err != nil {
			return nil, fmt.Errorf("cpuprofile: %w", err)
		}
	}
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	frames0 := frames.Load()
	lat.reset()
	cycles.reset()
	start := time.Now()
	time.Sleep(duration)
	elapsed := time.Since(start)
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	frames1 := frames.Load()
	cycleP50, cycleP99, cycleMax := cycles.periods()
	if printSlow {
		cycles.mu.Lock()
		fmt.Fprintf(os.Stderr, "measured cycles longer than %s, %d students: %d\n", interval, n, len(cycles.slows))
		for _, l := range cycles.slows {
			fmt.Fprintln(os.Stderr, "  "+l)
		}
		cycles.mu.Unlock()
	}
	simShare := -1.0
	if profBuf != nil {
		pprof.StopCPUProfile()
		profBuf.Close()
		if simShare, err = simCPUShare(cpuprofile); err != nil {
			return nil, err
		}
	}
	if memprofile != "" { // the live heap while everything still runs
		if f, err := os.Create(memprofile); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
	cancel()
	clock.Stop() // the last cycle below reads the world where the students left it
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
	r := &result{changes: changes, frames: int(frames1 - frames0), msgsPerSec: float64(frames1-frames0) / elapsed.Seconds(), cpu: cpu, rssMB: peakRSSMB(), callsPerCycle: float64(calls),
		simShare: simShare, cycleP50: cycleP50, cycleP99: cycleP99, cycleMax: cycleMax}
	r.p50, r.p99, r.max = lat.percentiles()
	return r, nil
}

// runMonitor is monitor.Run with each cycle's start time recorded: cycles on a ticker
// of interval, so a cycle longer than interval delays the next one (the ticker drops
// the ticks it missed) and shows as an achieved period above interval.
func runMonitor(ctx context.Context, mon *monitor.Monitor, interval time.Duration, cycles *cycleTimes, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		at := time.Now()
		cycles.start(at)
		var snap map[string]int64
		if printSlow {
			snap = cycles.counter.Snapshot()
		}
		if err := mon.Cycle(ctx); err != nil && ctx.Err() == nil {
			log.Warn("monitor cycle failed", slog.Any("error", err))
		}
		if took := time.Since(at); printSlow && took > interval {
			cycles.slow(took, snap)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// cycleTimes holds the start times of the monitor cycles in the measured window,
// and with -slow a line for each cycle longer than the interval.
type cycleTimes struct {
	mu      sync.Mutex
	starts  []time.Time
	counter *cloud.CallCounter
	slows   []string
}

// slow notes a cycle that took longer than the interval: how long, and its calls
// by operation since snap, most first (the ten largest).
func (c *cycleTimes) slow(took time.Duration, snap map[string]int64) {
	type op struct {
		name string
		n    int64
	}
	var ops []op
	var all int64
	for name, v := range c.counter.Snapshot() {
		if d := v - snap[name]; d > 0 {
			ops, all = append(ops, op{name, d}), all+d
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].n > ops[j].n || ops[i].n == ops[j].n && ops[i].name < ops[j].name })
	line := fmt.Sprintf("%s: %d calls;", ms(took), all)
	for _, o := range ops[:min(len(ops), 10)] {
		line += fmt.Sprintf(" %d %s", o.n, o.name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slows = append(c.slows, line)
}

func (c *cycleTimes) start(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.starts = append(c.starts, at)
}

// reset starts the measured window; the cycle under way, if any, is its first start.
func (c *cycleTimes) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.starts) > 0 {
		c.starts = c.starts[len(c.starts)-1:]
	}
	c.slows = nil
}

// periods returns the p50, p99 and max of the time between successive cycle starts.
func (c *cycleTimes) periods() (p50, p99, max time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var d []time.Duration
	for i := 1; i < len(c.starts); i++ {
		d = append(d, c.starts[i].Sub(c.starts[i-1]))
	}
	return quantiles(d)
}

// simCPUShare reads a CPU profile and returns the fraction of its sampled CPU time
// whose stack holds a frame of the simulator package (labs/cloud/sim, not its
// subpackages).
func simCPUShare(path string) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("sim share: %w", err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return 0, fmt.Errorf("sim share: %w", err)
	}
	const prefix = "github.com/labdash/labdash/labs/cloud/sim."
	vi := len(p.SampleType) - 1 // cpu nanoseconds
	var all, sim int64
	for _, s := range p.Sample {
		v := s.Value[vi]
		all += v
	stack:
		for _, loc := range s.Location {
			for _, ln := range loc.Line {
				if ln.Function != nil && strings.HasPrefix(ln.Function.Name, prefix) {
					sim += v
					break stack
				}
			}
		}
	}
	if all == 0 {
		return 0, nil
	}
	return float64(sim) / float64(all), nil
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
	return quantiles(l.samples)
}

// quantiles sorts d and returns its p50, p99 and max (zeros when d is empty).
func quantiles(d []time.Duration) (p50, p99, max time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(q*float64(len(d))))] }
	return at(0.50), at(0.99), d[len(d)-1]
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
