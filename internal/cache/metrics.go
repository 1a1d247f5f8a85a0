package cache

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// instrumented counts every operation of the Cache it wraps. Ping and Close
// pass through uncounted: readiness probes would drown the real traffic.
type instrumented struct {
	Cache
	req *prometheus.CounterVec
}

// WithMetrics counts c's operations as nexo_cache_requests_total{op,result} on
// reg; result is hit or miss for reads (get, smembers), ok for writes, and
// error for either. Registering on a registry that already has the counter
// reuses it, so wrapping twice (tests, several caches) never panics; a nil reg
// counts without exporting.
func WithMetrics(c Cache, reg prometheus.Registerer) Cache {
	req := counterVec(reg, prometheus.CounterOpts{
		Name: "nexo_cache_requests_total",
		Help: "Cache operations by op and result (hit, miss, ok, error).",
	}, "op", "result")
	return &instrumented{Cache: c, req: req}
}

// counterVec registers a counter on reg, or reuses the one already there,
// so registering twice (tests, several caches) never panics; a nil reg
// counts without exporting.
func counterVec(reg prometheus.Registerer, opts prometheus.CounterOpts, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(opts, labels)
	if reg == nil {
		return v
	}
	if err := reg.Register(v); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing
			}
		}
		// Any other conflict: keep counting unexported rather than fail
		// start-up over a metric.
	}
	return v
}

// Get implements Cache, counting hit, miss or error.
func (i *instrumented) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, ok, err := i.Cache.Get(ctx, key)
	i.read("get", ok, err)
	return b, ok, err
}

// GetVersioned implements Cache, counting as get_versioned hit (the
// entry), miss or error.
func (i *instrumented) GetVersioned(ctx context.Context, verKey, prefix, suffix string) (string, []byte, bool, error) {
	ver, v, hit, err := i.Cache.GetVersioned(ctx, verKey, prefix, suffix)
	i.read("get_versioned", hit, err)
	return ver, v, hit, err
}

// SetVersion implements Cache, counting ok or error.
func (i *instrumented) SetVersion(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	err := i.Cache.SetVersion(ctx, key, v, ttl)
	i.write("set_version", err)
	return err
}

// Set implements Cache, counting ok or error.
func (i *instrumented) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	err := i.Cache.Set(ctx, key, v, ttl)
	i.write("set", err)
	return err
}

// Del implements Cache, counting ok or error.
func (i *instrumented) Del(ctx context.Context, keys ...string) error {
	err := i.Cache.Del(ctx, keys...)
	i.write("del", err)
	return err
}

// Incr implements Cache, counting ok or error.
func (i *instrumented) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	n, err := i.Cache.Incr(ctx, key, ttl)
	i.write("incr", err)
	return n, err
}

// SAdd implements Cache, counting ok or error.
func (i *instrumented) SAdd(ctx context.Context, key string, ttl time.Duration, members ...string) error {
	err := i.Cache.SAdd(ctx, key, ttl, members...)
	i.write("sadd", err)
	return err
}

// SMembers implements Cache, counting hit (non-empty), miss or error.
func (i *instrumented) SMembers(ctx context.Context, key string) ([]string, error) {
	m, err := i.Cache.SMembers(ctx, key)
	i.read("smembers", len(m) > 0, err)
	return m, err
}

// SRem implements Cache, counting ok or error.
func (i *instrumented) SRem(ctx context.Context, key string, members ...string) error {
	err := i.Cache.SRem(ctx, key, members...)
	i.write("srem", err)
	return err
}

func (i *instrumented) read(op string, hit bool, err error) {
	switch {
	case err != nil:
		i.req.WithLabelValues(op, "error").Inc()
	case hit:
		i.req.WithLabelValues(op, "hit").Inc()
	default:
		i.req.WithLabelValues(op, "miss").Inc()
	}
}

func (i *instrumented) write(op string, err error) {
	r := "ok"
	if err != nil {
		r = "error"
	}
	i.req.WithLabelValues(op, r).Inc()
}
