package cache

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type instrumented struct {
	Cache
	req *prometheus.CounterVec
}

// WithMetrics counts c's lookups as nexo_cache_requests_total{op,result}
// (hit, miss, error) on reg.
func WithMetrics(c Cache, reg prometheus.Registerer) Cache {
	req := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "nexo_cache_requests_total", Help: "Cache operations by result (hit, miss, ok, error).",
	}, []string{"op", "result"})
	if err := reg.Register(req); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			req = are.ExistingCollector.(*prometheus.CounterVec)
		}
	}
	return &instrumented{Cache: c, req: req}
}

func (i *instrumented) count(op string, err error) {
	r := "ok"
	if err != nil {
		r = "error"
	}
	i.req.WithLabelValues(op, r).Inc()
}

func (i *instrumented) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, ok, err := i.Cache.Get(ctx, key)
	switch {
	case err != nil:
		i.req.WithLabelValues("get", "error").Inc()
	case ok:
		i.req.WithLabelValues("get", "hit").Inc()
	default:
		i.req.WithLabelValues("get", "miss").Inc()
	}
	return b, ok, err
}

func (i *instrumented) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	err := i.Cache.Set(ctx, key, v, ttl)
	i.count("set", err)
	return err
}

func (i *instrumented) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	n, err := i.Cache.Incr(ctx, key, ttl)
	i.count("incr", err)
	return n, err
}
