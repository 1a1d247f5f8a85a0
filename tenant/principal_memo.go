package tenant

import (
	"sync"
	"time"

	"github.com/google/uuid"
)

// DefaultPrincipalTTL is how long one instance reuses the principal a
// request of a session loaded (user or portal customer, tenant status) for
// the next requests of that session, without asking the session store or
// the database again. Within one instance, logout and revocation
// (Delete, DeleteUser) forget it at once; elsewhere a disabled user, a
// suspended tenant or an ended session stops working after at most this
// long, inside A3's 5 s. The portal order list read from the cache needs no
// query at all thanks to it (P1).
const DefaultPrincipalTTL = 2 * time.Second

// principalMemoMax bounds the memo; reaching it starts it afresh, which
// only costs the next requests their lookup.
const principalMemoMax = 100_000

type memoEntry struct {
	p    Principal
	sess Session
	at   time.Time
}

// principalMemo maps a session's cache key to the principal last loaded
// for it. Safe for concurrent use.
type principalMemo struct {
	mu sync.Mutex
	m  map[string]memoEntry
}

func (m *principalMemo) get(key string, now time.Time, ttl time.Duration) (Principal, Session, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[key]
	if !ok || now.Sub(e.at) >= ttl || now.Before(e.at) {
		return Principal{}, Session{}, false
	}
	return e.p, e.sess, true
}

func (m *principalMemo) put(key string, p Principal, sess Session, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= principalMemoMax {
		m.m = make(map[string]memoEntry)
	}
	m.m[key] = memoEntry{p: p, sess: sess, at: now}
}

func (m *principalMemo) forget(keys ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.m, k)
	}
}

// remembered returns the principal a request of the session raw loaded on
// this instance less than PrincipalTTL ago.
func (s *Sessions) remembered(raw string) (Principal, Session, bool) {
	if s.opt.PrincipalTTL <= 0 {
		return Principal{}, Session{}, false
	}
	tid, hash, ok := parseSessionID(raw)
	if !ok {
		return Principal{}, Session{}, false
	}
	return s.memo.get(sessionKey(tid, hash), s.opt.Now(), s.opt.PrincipalTTL)
}

// remember keeps the principal loaded for the session raw.
func (s *Sessions) remember(raw string, p Principal, sess Session) {
	if s.opt.PrincipalTTL <= 0 {
		return
	}
	if tid, hash, ok := parseSessionID(raw); ok {
		s.memo.put(sessionKey(tid, hash), p, sess, s.opt.Now())
	}
}

// forgetWhere drops the entries whose session matches.
func (m *principalMemo) forgetWhere(match func(Session) bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, e := range m.m {
		if match(e.sess) {
			delete(m.m, k)
		}
	}
}

// forgetTenant makes this instance reload the principals of tid's sessions
// (a tenant setting they depend on, such as required TOTP, changed).
func (s *Sessions) forgetTenant(tid uuid.UUID) {
	s.memo.forgetWhere(func(x Session) bool { return x.TenantID == tid })
}

// forgetUser makes this instance reload a user's principal (their TOTP
// enrolment changed).
func (s *Sessions) forgetUser(tid, uid uuid.UUID) {
	s.memo.forgetWhere(func(x Session) bool { return x.TenantID == tid && x.UserID == uid })
}
