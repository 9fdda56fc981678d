package cloud

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// CallCounter counts AWS API calls per (service, operation). The simulator and the real
// provider share it, so /metrics and the monitor's batching tests read one number.
// It is safe for concurrent use.
type CallCounter struct {
	vec    *prometheus.CounterVec
	mu     sync.Mutex
	counts map[[2]string]int64
}

// NewCallCounter registers labdash_aws_calls_total with reg (nil: not exported).
func NewCallCounter(reg prometheus.Registerer, provider string) *CallCounter {
	c := &CallCounter{counts: map[[2]string]int64{}}
	c.vec = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name:        "labdash_aws_calls_total",
		Help:        "AWS API calls by service and operation.",
		ConstLabels: prometheus.Labels{"provider": provider},
	}, []string{"service", "operation"})
	if reg != nil {
		reg.MustRegister(c.vec)
	}
	return c
}

// Inc records one call of service's operation.
func (c *CallCounter) Inc(service, operation string) {
	if c == nil {
		return
	}
	c.vec.WithLabelValues(service, operation).Inc()
	c.mu.Lock()
	c.counts[[2]string{service, operation}]++
	c.mu.Unlock()
}

// Count reports the calls of service's operation so far.
func (c *CallCounter) Count(service, operation string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[[2]string{service, operation}]
}

// Snapshot returns every count, keyed "service:Operation".
func (c *CallCounter) Snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.counts))
	for k, v := range c.counts {
		out[k[0]+":"+k[1]] = v
	}
	return out
}
