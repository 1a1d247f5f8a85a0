package cache

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"
)

// errWrongType mirrors Redis's WRONGTYPE, so both backends refuse the same
// misuse (a set read as a string, a counter that is not a number).
var errWrongType = errors.New("cache: key holds a value of another type")

// sweepEvery is how often a write also drops every expired entry. Expiry is
// otherwise lazy (on access), so without this an idle key would hold its
// memory until the size bound forces it out; a timed sweep needs no goroutine
// and so nothing for Close to stop.
const sweepEvery = time.Minute

// Memory is the in-process Cache of embedded mode. It is bounded: when full
// it drops expired entries first, then the ones expiring soonest (they are the
// ones that would have gone first anyway), a tenth of the bound at a time so
// the cost of a full cache is amortised rather than paid on every write.
type Memory struct {
	mu      sync.Mutex
	entries map[string]*entry
	max     int
	now     func() time.Time
	swept   time.Time
}

// entry is a string (value) or a set (set != nil), never both, as in Redis.
type entry struct {
	value   []byte
	set     map[string]struct{}
	expires time.Time
}

// MemoryOption tunes NewMemory.
type MemoryOption func(*Memory)

// WithClock injects the clock, so tests can expire keys without sleeping.
func WithClock(now func() time.Time) MemoryOption { return func(m *Memory) { m.now = now } }

// WithMaxEntries bounds the number of keys (default 100,000; minimum 1).
func WithMaxEntries(n int) MemoryOption { return func(m *Memory) { m.max = max(n, 1) } }

// NewMemory returns an empty in-process cache.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{entries: map[string]*entry{}, max: 100_000, now: time.Now}
	for _, o := range opts {
		o(m)
	}
	m.swept = m.now()
	return m
}

// Get implements Cache. A counter reads as its decimal value, as in Redis.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	if err := CheckKey(key); err != nil {
		return nil, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.live(key)
	if e == nil {
		return nil, false, nil
	}
	if e.set != nil {
		return nil, false, errWrongType
	}
	// A copy: callers may keep or modify what they get.
	return append([]byte(nil), e.value...), true, nil
}

// GetVersioned implements Cache under one lock. The value is the stored
// slice itself, not a copy: stored values are never modified in place (Set
// copies in, Incr replaces), and callers must not modify it.
func (m *Memory) GetVersioned(_ context.Context, verKey, prefix, suffix string) (string, []byte, bool, error) {
	if err := CheckKey(verKey); err != nil {
		return "", nil, false, err
	}
	if err := CheckKey(prefix); err != nil {
		return "", nil, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.live(verKey)
	if v != nil && v.set != nil {
		return "", nil, false, errWrongType
	}
	if v == nil || len(v.value) == 0 {
		return "", nil, false, nil
	}
	ver := string(v.value)
	e := m.live(prefix + ver + suffix)
	if e == nil {
		return ver, nil, false, nil
	}
	if e.set != nil {
		return "", nil, false, errWrongType
	}
	return ver, e.value, true, nil
}

// SetVersion implements Cache: the memory is this process's only copy, so
// replacing the token is all there is to do.
func (m *Memory) SetVersion(ctx context.Context, verKey string, token []byte, ttl time.Duration) error {
	return m.Set(ctx, verKey, token, ttl)
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

// Incr implements Cache. The expiry is set when the counter is created and
// never moved, so the window is fixed rather than sliding.
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
		e = &entry{value: []byte("0"), expires: m.now().Add(ttl)}
		m.put(key, e)
	}
	if e.set != nil {
		return 0, errWrongType
	}
	n, err := strconv.ParseInt(string(e.value), 10, 64)
	if err != nil {
		return 0, errWrongType
	}
	n++
	// A new slice, not e.value[:0]: GetVersioned hands out stored values
	// without copying them.
	e.value = strconv.AppendInt(nil, n, 10)
	return n, nil
}

// SAdd implements Cache. With no members it only refreshes the expiry of an
// existing set, as SADD cannot create an empty set in Redis either.
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
	switch {
	case e != nil && e.set == nil:
		return errWrongType
	case e == nil && len(members) == 0:
		return nil
	case e == nil:
		e = &entry{set: make(map[string]struct{}, len(members))}
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
		return []string{}, nil
	}
	if e.set == nil {
		return nil, errWrongType
	}
	out := make([]string, 0, len(e.set))
	for v := range e.set {
		out = append(out, v)
	}
	return out, nil
}

// SRem implements Cache. A set left empty is deleted, as in Redis.
func (m *Memory) SRem(_ context.Context, key string, members ...string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.live(key)
	if e == nil {
		return nil
	}
	if e.set == nil {
		return errWrongType
	}
	for _, v := range members {
		delete(e.set, v)
	}
	if len(e.set) == 0 {
		delete(m.entries, key)
	}
	return nil
}

// Ping implements Cache; memory is always reachable.
func (m *Memory) Ping(context.Context) error { return nil }

// Close implements Cache; there is no goroutine or connection to release.
func (m *Memory) Close() error { return nil }

// Len reports the number of stored keys, expired ones not yet dropped
// included (tests, metrics).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// live returns the unexpired entry at key, dropping it if expired; callers
// hold mu.
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

// put stores e under key, making room first when the cache is full; callers
// hold mu.
func (m *Memory) put(key string, e *entry) {
	now := m.now()
	if now.Sub(m.swept) >= sweepEvery {
		m.sweep(now)
	}
	if _, exists := m.entries[key]; !exists && len(m.entries) >= m.max {
		m.sweep(now)
		if len(m.entries) >= m.max {
			m.evictSoonest(len(m.entries) - m.max + max(m.max/10, 1))
		}
	}
	m.entries[key] = e
}

// sweep drops every expired entry; callers hold mu.
func (m *Memory) sweep(now time.Time) {
	for k, e := range m.entries {
		if !now.Before(e.expires) {
			delete(m.entries, k)
		}
	}
	m.swept = now
}

// evictSoonest drops the n live entries closest to expiry; callers hold mu.
func (m *Memory) evictSoonest(n int) {
	type victim struct {
		key     string
		expires time.Time
	}
	all := make([]victim, 0, len(m.entries))
	for k, e := range m.entries {
		all = append(all, victim{k, e.expires})
	}
	slices.SortFunc(all, func(a, b victim) int { return a.expires.Compare(b.expires) })
	for _, v := range all[:min(n, len(all))] {
		delete(m.entries, v.key)
	}
}
