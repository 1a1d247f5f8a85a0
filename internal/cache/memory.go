package cache

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// Memory is the in-process Cache of embedded mode. It is bounded: past
// MaxEntries it drops expired entries first, then the ones expiring soonest.
type Memory struct {
	mu      sync.Mutex
	entries map[string]*entry
	max     int
	now     func() time.Time
}

type entry struct {
	value   []byte
	set     map[string]struct{}
	counter int64
	expires time.Time
}

// MemoryOption tunes NewMemory.
type MemoryOption func(*Memory)

// WithClock injects the clock (tests).
func WithClock(now func() time.Time) MemoryOption { return func(m *Memory) { m.now = now } }

// WithMaxEntries bounds the number of keys (default 100,000).
func WithMaxEntries(n int) MemoryOption { return func(m *Memory) { m.max = n } }

// NewMemory returns an empty in-process cache.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{entries: map[string]*entry{}, max: 100_000, now: time.Now}
	for _, o := range opts {
		o(m)
	}
	return m
}

// live returns the unexpired entry at key; callers hold mu.
func (m *Memory) live(key string) *entry {
	e, ok := m.entries[key]
	if !ok {
		return nil
	}
	if !m.now().Before(e.expires) {
		delete(m.entries, key)
		return nil
	}
	return e
}

// put stores e, evicting when full; callers hold mu.
func (m *Memory) put(key string, e *entry) {
	if _, exists := m.entries[key]; !exists && len(m.entries) >= m.max {
		m.evict()
	}
	m.entries[key] = e
}

func (m *Memory) evict() {
	t := m.now()
	for k, e := range m.entries {
		if !t.Before(e.expires) {
			delete(m.entries, k)
		}
	}
	for len(m.entries) >= m.max {
		var victim string
		var soonest time.Time
		for k, e := range m.entries {
			if victim == "" || e.expires.Before(soonest) {
				victim, soonest = k, e.expires
			}
		}
		delete(m.entries, victim)
	}
}

// Get implements Cache.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	if err := CheckKey(key); err != nil {
		return nil, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.live(key)
	if e == nil || e.value == nil {
		return nil, false, nil
	}
	return append([]byte(nil), e.value...), true, nil
}

// Set implements Cache.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if ttl <= 0 {
		return errTTL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.put(key, &entry{value: append([]byte{}, value...), expires: m.now().Add(ttl)})
	return nil
}

// Del implements Cache.
func (m *Memory) Del(_ context.Context, keys ...string) error {
	for _, k := range keys {
		if err := CheckKey(k); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.entries, k)
	}
	return nil
}

// Incr implements Cache.
func (m *Memory) Incr(_ context.Context, key string, ttl time.Duration) (int64, error) {
	if err := CheckKey(key); err != nil {
		return 0, err
	}
	if ttl <= 0 {
		return 0, errTTL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.live(key)
	if e == nil {
		e = &entry{expires: m.now().Add(ttl)}
		m.put(key, e)
	}
	e.counter++
	e.value = strconv.AppendInt(e.value[:0], e.counter, 10) // readable by Get, as in Redis
	return e.counter, nil
}

// SAdd implements Cache.
func (m *Memory) SAdd(_ context.Context, key string, ttl time.Duration, members ...string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if ttl <= 0 {
		return errTTL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.live(key)
	if e == nil || e.set == nil {
		e = &entry{set: map[string]struct{}{}}
		m.put(key, e)
	}
	for _, v := range members {
		e.set[v] = struct{}{}
	}
	e.expires = m.now().Add(ttl)
	return nil
}

// SMembers implements Cache.
func (m *Memory) SMembers(_ context.Context, key string) ([]string, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.live(key)
	if e == nil {
		return nil, nil
	}
	out := make([]string, 0, len(e.set))
	for v := range e.set {
		out = append(out, v)
	}
	return out, nil
}

// SRem implements Cache.
func (m *Memory) SRem(_ context.Context, key string, members ...string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.live(key); e != nil {
		for _, v := range members {
			delete(e.set, v)
		}
	}
	return nil
}

// Ping implements Cache.
func (m *Memory) Ping(context.Context) error { return nil }

// Close implements Cache.
func (m *Memory) Close() error { return nil }

// Len reports the number of stored keys (tests, metrics).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}
