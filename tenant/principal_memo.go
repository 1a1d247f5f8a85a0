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
	key  string // the session's store key (sessionKey), for forget
}

// principalMemo maps a session cookie's raw value to the principal last
// loaded for it. Safe for concurrent use.
//
// It is keyed by the raw cookie rather than by the session's store key (a
// SHA-256 of the cookie) because finding that key costs every request a
// hash, about a tenth of a warm portal read's CPU (P1). The memo is memory
// of this process only, which already holds the cookie while it serves the
// request; only values a full session load accepted are ever put, so a
// lookup of anything else is a miss. byKey indexes the entries by store
// key, so a revocation, which knows only the hash (DeleteUser reads hashes
// from the rows), still forgets at once.
type principalMemo struct {
	mu    sync.Mutex
	m     map[string]memoEntry // raw cookie -> entry
	byKey map[string]string    // store key -> raw cookie
}

func (m *principalMemo) get(raw string, now time.Time, ttl time.Duration) (Principal, Session, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[raw]
	if !ok || now.Sub(e.at) >= ttl || now.Before(e.at) {
		return Principal{}, Session{}, false
	}
	return e.p, e.sess, true
}

func (m *principalMemo) put(raw, key string, p Principal, sess Session, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= principalMemoMax {
		m.m = make(map[string]memoEntry)
		m.byKey = make(map[string]string)
	}
	m.m[raw] = memoEntry{p: p, sess: sess, at: now, key: key}
	m.byKey[key] = raw
}

// forget drops the entries of the sessions with these store keys.
func (m *principalMemo) forget(keys ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		if raw, ok := m.byKey[k]; ok {
			delete(m.m, raw)
			delete(m.byKey, k)
		}
	}
}

// remembered returns the principal a request of the session raw loaded on
// this instance less than PrincipalTTL ago.
func (s *Sessions) remembered(raw string) (Principal, Session, bool) {
	if s.opt.PrincipalTTL <= 0 {
		return Principal{}, Session{}, false
	}
	return s.memo.get(raw, s.opt.Now(), s.opt.PrincipalTTL)
}

// remember keeps the principal loaded for the session raw.
func (s *Sessions) remember(raw string, p Principal, sess Session) {
	if s.opt.PrincipalTTL <= 0 {
		return
	}
	if tid, hash, ok := parseSessionID(raw); ok {
		s.memo.put(raw, sessionKey(tid, hash), p, sess, s.opt.Now())
	}
}

// forgetWhere drops the entries whose session matches.
func (m *principalMemo) forgetWhere(match func(Session) bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for raw, e := range m.m {
		if match(e.sess) {
			delete(m.m, raw)
			delete(m.byKey, e.key)
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
