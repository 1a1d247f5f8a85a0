package cache

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// NearOptions tune Near. Zero values take the defaults.
type NearOptions struct {
	// TTL bounds how long a local copy is used without asking Redis: the
	// staleness if an invalidation message is lost. Default 1 s.
	TTL time.Duration
	// MaxBytes bounds the copies' keys and values together (P5). Default
	// 32 MiB.
	MaxBytes int
	Logger   *slog.Logger
	Now      func() time.Time
	// Metrics, when set, gets nexo_cache_near_reads_total{source}: how
	// many versioned reads the local copies answered (local) and how many
	// went to Redis (redis).
	Metrics prometheus.Registerer
}

// Near keeps a process-local copy of the versioned entries read through
// it (GetVersioned), in front of a Redis shared by several instances. A
// warm hit then costs a map lookup instead of a Redis round trip, which on
// the portal's reads is most of their cost (P1). Every other call passes
// through to Redis.
//
// A copy is dropped on every instance when any instance replaces its
// version: SetVersion publishes the version key on VersionChannel in the
// same atomic step, and Near listens to it. Copies are used only while that
// subscription is confirmed; when it fails, or is restored (messages may
// have been lost meanwhile), every copy is dropped. A read from Redis that
// was in flight while its key was dropped is not kept, so a copy is never
// older than the last drop it could have missed. What remains is delivery
// delay: another instance may serve the old entry until the message
// arrives (well under a millisecond on one network), and a message lost
// without the connection failing leaves a copy stale for at most TTL.
type Near struct {
	*Redis
	ttl time.Duration
	max int
	log *slog.Logger
	now func() time.Time
	// Counters of reads answered locally and by Redis.
	fromLocal, fromRedis prometheus.Counter

	mu   sync.Mutex
	live bool // the subscription is confirmed
	// A Redis read is kept only if no drop of its key, and no reset,
	// happened while it was in flight: epoch counts both, resetAt and
	// droppedAt say when each last happened.
	epoch     uint64
	resetAt   uint64
	droppedAt map[string]uint64 // version key -> epoch of its last drop
	size      int
	m         map[string]*nearVersion // version key -> copies under its version

	cancel context.CancelFunc
	done   chan struct{}
}

// nearVersion is what an instance keeps of one version key: the version
// it saw and the entries read under it, all used until at+ttl.
type nearVersion struct {
	ver  string
	at   time.Time
	vals map[string][]byte // prefix + "\x00" + suffix -> value
}

// NewNear puts a local copy in front of r and starts listening for
// versions replaced anywhere. Close stops it (and closes r).
func NewNear(r *Redis, opt NearOptions) *Near {
	if opt.TTL <= 0 {
		opt.TTL = time.Second
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 32 << 20
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	reads := counterVec(opt.Metrics, prometheus.CounterOpts{
		Name: "nexo_cache_near_reads_total",
		Help: "Versioned cache reads by where they were answered: local (this instance's copy) or redis.",
	}, "source")
	ctx, cancel := context.WithCancel(context.Background())
	n := &Near{fromLocal: reads.WithLabelValues("local"), fromRedis: reads.WithLabelValues("redis"), Redis: r, ttl: opt.TTL, max: opt.MaxBytes, log: opt.Logger, now: opt.Now,
		m: make(map[string]*nearVersion), droppedAt: make(map[string]uint64), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(n.done)
		Listen(ctx, r.Client(), VersionChannel, (*nearListener)(n))
	}()
	return n
}

// GetVersioned implements Cache, from the local copy when it has the entry
// under a version seen less than TTL ago.
func (n *Near) GetVersioned(ctx context.Context, verKey, prefix, suffix string) (string, []byte, bool, error) {
	k := prefix + "\x00" + suffix
	now := n.now()
	if ver, v, ok := n.local(verKey, k, now); ok {
		n.fromLocal.Inc()
		return ver, v, true, nil
	}
	n.fromRedis.Inc()
	live, epoch := n.begin()
	ver, v, hit, err := n.Redis.GetVersioned(ctx, verKey, prefix, suffix)
	if err == nil && hit && live {
		n.keep(verKey, k, ver, v, epoch, now)
	}
	return ver, v, hit, err
}

// local returns the copy of entry k under verKey, if one may be used.
func (n *Near) local(verKey, k string, now time.Time) (string, []byte, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.live {
		return "", nil, false
	}
	e := n.m[verKey]
	if e == nil || !e.fresh(now, n.ttl) {
		return "", nil, false
	}
	v, ok := e.vals[k]
	return e.ver, v, ok
}

// begin marks the start of a Redis read: whether copies are on, and the
// epoch to compare drops with.
func (n *Near) begin() (live bool, epoch uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.live, n.epoch
}

// keep stores what a Redis read begun at epoch returned, unless its key
// was dropped (or everything reset) since: what was read may then be what
// the drop was about.
func (n *Near) keep(verKey, k, ver string, v []byte, epoch uint64, now time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.live || n.resetAt > epoch || n.droppedAt[verKey] > epoch {
		return
	}
	e := n.m[verKey]
	if e == nil || e.ver != ver || !e.fresh(now, n.ttl) {
		if e != nil {
			n.size -= e.bytes(verKey)
		}
		e = &nearVersion{ver: ver, at: now, vals: make(map[string][]byte, 1)}
		n.m[verKey] = e
		n.size += len(verKey) + len(ver)
	}
	if _, ok := e.vals[k]; !ok {
		e.vals[k] = v // Redis returned a fresh slice; callers must not modify it
		n.size += len(k) + len(v)
	}
	if n.size > n.max {
		n.shrink(now)
	}
}

// SetVersion implements Cache. This instance drops its copies as soon as
// Redis holds the new version (a read that began before then is either
// dropped or, still in flight, not kept), so the caller reads its own
// write; the other instances drop theirs when the message arrives.
func (n *Near) SetVersion(ctx context.Context, verKey string, token []byte, ttl time.Duration) error {
	err := n.Redis.SetVersion(ctx, verKey, token, ttl)
	n.drop(verKey)
	return err
}

// Close implements Cache: it stops listening and closes Redis.
func (n *Near) Close() error {
	n.cancel()
	<-n.done
	return n.Redis.Close()
}

// droppedMax bounds droppedAt; past it, the drops are forgotten as one
// reset (every read in flight is then not kept, which is only a miss).
const droppedMax = 10_000

// drop forgets verKey's copies, and the reads of it in flight.
func (n *Near) drop(verKey string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.epoch++
	n.droppedAt[verKey] = n.epoch
	if len(n.droppedAt) > droppedMax {
		n.droppedAt, n.resetAt = make(map[string]uint64), n.epoch
	}
	if e := n.m[verKey]; e != nil {
		n.size -= e.bytes(verKey)
		delete(n.m, verKey)
	}
}

// reset forgets every copy; live says whether copies may be used again.
func (n *Near) reset(live bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.epoch++
	n.live, n.resetAt, n.droppedAt = live, n.epoch, make(map[string]uint64)
	n.m = make(map[string]*nearVersion)
	n.size = 0
}

// shrink makes room: expired versions go first, and if that is not enough
// everything goes (the next reads refill what is still wanted).
func (n *Near) shrink(now time.Time) {
	for k, e := range n.m {
		if !e.fresh(now, n.ttl) {
			n.size -= e.bytes(k)
			delete(n.m, k)
		}
	}
	if n.size > n.max*3/4 {
		n.m = make(map[string]*nearVersion)
		n.size = 0
	}
}

func (e *nearVersion) fresh(now time.Time, ttl time.Duration) bool {
	return now.Sub(e.at) < ttl && !now.Before(e.at)
}

func (e *nearVersion) bytes(verKey string) int {
	b := len(verKey) + len(e.ver)
	for k, v := range e.vals {
		b += len(k) + len(v)
	}
	return b
}

// nearListener is Near seen from Listen.
type nearListener Near

func (l *nearListener) Subscribed(first bool) {
	n := (*Near)(l)
	if !first {
		n.log.Info("cache: version announcements restored, local copies dropped")
	}
	n.reset(true)
}

func (l *nearListener) Lost(err error) {
	n := (*Near)(l)
	n.log.Warn("cache: version announcements lost, local copies off until restored", "error", err)
	n.reset(false)
}

func (l *nearListener) Message(verKey string) { (*Near)(l).drop(verKey) }
