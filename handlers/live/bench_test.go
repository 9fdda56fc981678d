package live

import (
	"fmt"
	"testing"
)

// BenchmarkPublish measures the publisher's cost of one Publish to a topic
// with N live websocket clients (each reading and discarding) and M keys.
func BenchmarkPublish(b *testing.B) {
	for _, n := range []int{1, 50, 200} {
		for _, m := range []int{50, 1000} {
			b.Run(fmt.Sprintf("clients=%d/keys=%d", n, m), func(b *testing.B) {
				e := newEnv(b, Options{}, false)
				for range n {
					conn := e.dial(b, "class:bench")
					go func() {
						for {
							if _, _, err := conn.NextReader(); err != nil {
								return
							}
						}
					}()
				}
				keys := make([]string, m)
				for i := range keys {
					keys[i] = fmt.Sprintf("widget:s%03d:fargate:service", i)
				}
				payload := []byte(`<div id="w-s001" hx-swap-oob="true">RUNNING 2/2</div>`)
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					e.hub.Publish("class:bench", Message{Key: keys[i%m], Payload: payload})
				}
			})
		}
	}
}

// BenchmarkPublishMerge isolates the publisher's own cost: N subscribed
// clients with no connection or writer, so nothing competes for the CPU and
// pending maps stay full (the steady state of stalled clients).
func BenchmarkPublishMerge(b *testing.B) {
	for _, n := range []int{1, 50, 200} {
		for _, m := range []int{50, 1000} {
			b.Run(fmt.Sprintf("clients=%d/keys=%d", n, m), func(b *testing.B) {
				h := NewHub(nil, Options{})
				cs := make([]*client, n)
				for i := range cs {
					cs[i] = newClient(h, nil, "class:bench")
				}
				h.view.Store("class:bench", cs)
				keys := make([]string, m)
				for i := range keys {
					keys[i] = fmt.Sprintf("widget:s%03d:fargate:service", i)
				}
				payload := []byte(`<div id="w-s001" hx-swap-oob="true">RUNNING 2/2</div>`)
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					h.Publish("class:bench", Message{Key: keys[i%m], Payload: payload})
				}
			})
		}
	}
}
