package cache

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestMetricsCountResults(t *testing.T) {
	ctx, reg := context.Background(), prometheus.NewRegistry()
	c := WithMetrics(NewMemory(), reg)
	_, _, _ = c.Get(ctx, "g:k") // miss
	_ = c.Set(ctx, "g:k", []byte("v"), time.Minute)
	_, _, _ = c.Get(ctx, "g:k") // hit
	_, _, _ = c.Get(ctx, "bad") // error
	_, _ = c.Incr(ctx, "g:n", time.Minute)
	_ = c.SAdd(ctx, "g:s", time.Minute, "a")
	_, _ = c.SMembers(ctx, "g:s")
	_ = c.Del(ctx, "nope")
	_, _, _, _ = c.GetVersioned(ctx, "g:k", "g:e:", "") // generation "v", no entry: miss
	want := map[[2]string]float64{
		{"get_versioned", "miss"}: 1,
		{"get", "miss"}:           1, {"get", "hit"}: 1, {"get", "error"}: 1, {"set", "ok"}: 1,
		{"incr", "ok"}: 1, {"sadd", "ok"}: 1, {"smembers", "hit"}: 1, {"del", "error"}: 1,
	}
	got := gather(t, reg)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%v = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
}

// Wrapping twice, on the same or different registries, must not panic, and
// the same registry keeps one shared counter.
func TestMetricsRegisterTwice(t *testing.T) {
	ctx, reg := context.Background(), prometheus.NewRegistry()
	a, b := WithMetrics(NewMemory(), reg), WithMetrics(NewMemory(), reg)
	_ = WithMetrics(NewMemory(), prometheus.NewRegistry())
	_ = WithMetrics(NewMemory(), nil)
	_ = a.Set(ctx, "g:k", []byte("v"), time.Minute)
	_ = b.Set(ctx, "g:k", []byte("v"), time.Minute)
	if got := gather(t, reg)[[2]string{"set", "ok"}]; got != 2 {
		t.Fatalf("set ok = %v, want 2 from one shared counter", got)
	}
}

// gather reads nexo_cache_requests_total from reg as {op, result} -> value.
func gather(t *testing.T, reg *prometheus.Registry) map[[2]string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[[2]string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "nexo_cache_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var op, result string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "op":
					op = l.GetValue()
				case "result":
					result = l.GetValue()
				}
			}
			out[[2]string{op, result}] = m.GetCounter().GetValue()
		}
	}
	return out
}
