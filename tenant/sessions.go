package tenant

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"nexo/internal/cache"
	"nexo/internal/errs"
)

// Session is a logged-in staff user's server-side session. The cookie holds
// only a random id; the store keys it by the id's hash, so a leaked store
// dump cannot be replayed as cookies.
type Session struct {
	TenantID  uuid.UUID `json:"tenant_id"`
	UserID    uuid.UUID `json:"user_id"`
	Kind      Kind      `json:"kind"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	hash      string
	// mustEnroll is computed per request, never stored: the user must set
	// up TOTP before anything else.
	mustEnroll bool
}

// Sessions stores sessions in the cache (Redis when configured, so every
// instance sees logouts at once; in-process in embedded mode) with an idle
// and an absolute timeout (U3).
type Sessions struct {
	c        cache.Cache
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
}

// NewSessions returns a session store with idle and absolute timeouts.
func NewSessions(c cache.Cache, idle, absolute time.Duration) *Sessions {
	if idle <= 0 {
		idle = 12 * time.Hour
	}
	if absolute <= 0 {
		absolute = 7 * 24 * time.Hour
	}
	return &Sessions{c: c, idle: idle, absolute: absolute, now: time.Now}
}

func sessionKey(hash string) string { return cache.GlobalKey("sess", hash) }

func userSessionsKey(tid, uid uuid.UUID) string {
	return cache.TenantKey(tid, "usess", uid.String())
}

// Create starts a new session (a fresh id every login: rotation, U3) and
// returns the raw id for the cookie.
func (s *Sessions) Create(ctx context.Context, tid, uid uuid.UUID, kind Kind) (string, Session, error) {
	raw, hash := NewToken()
	_, csrf := NewToken()
	t := s.now().UTC()
	sess := Session{TenantID: tid, UserID: uid, Kind: kind, CSRF: csrf, CreatedAt: t, LastSeen: t, hash: hash}
	if err := s.save(ctx, sess); err != nil {
		return "", Session{}, err
	}
	if err := s.c.SAdd(ctx, userSessionsKey(tid, uid), s.absolute, hash); err != nil {
		return "", Session{}, errs.Wrap(errs.Internal, err, "session store unavailable")
	}
	return raw, sess, nil
}

// Get returns the live session for a raw cookie id, sliding its idle expiry
// at most once a minute (so reads do not write on every request).
func (s *Sessions) Get(ctx context.Context, raw string) (Session, error) {
	if raw == "" || len(raw) > 128 {
		return Session{}, errs.E(errs.Unauthenticated, "not logged in")
	}
	hash := HashToken(raw)
	b, ok, err := s.c.Get(ctx, sessionKey(hash))
	if err != nil {
		return Session{}, errs.Wrap(errs.Internal, err, "session store unavailable")
	}
	if !ok {
		return Session{}, errs.E(errs.Unauthenticated, "session expired")
	}
	var sess Session
	if err := json.Unmarshal(b, &sess); err != nil {
		return Session{}, errs.E(errs.Unauthenticated, "session expired")
	}
	sess.hash = hash
	t := s.now().UTC()
	if t.Sub(sess.CreatedAt) > s.absolute || t.Sub(sess.LastSeen) > s.idle {
		_ = s.c.Del(ctx, sessionKey(hash))
		return Session{}, errs.E(errs.Unauthenticated, "session expired")
	}
	if t.Sub(sess.LastSeen) > time.Minute {
		sess.LastSeen = t
		_ = s.save(ctx, sess) // best effort: a failed touch only shortens the session
	}
	return sess, nil
}

// Delete ends one session.
func (s *Sessions) Delete(ctx context.Context, raw string) error {
	hash := HashToken(raw)
	b, ok, _ := s.c.Get(ctx, sessionKey(hash))
	if ok {
		var sess Session
		if json.Unmarshal(b, &sess) == nil {
			_ = s.c.SRem(ctx, userSessionsKey(sess.TenantID, sess.UserID), hash)
		}
	}
	return s.c.Del(ctx, sessionKey(hash))
}

// DeleteUser ends every session of a user (deactivation, password reset).
func (s *Sessions) DeleteUser(ctx context.Context, tid, uid uuid.UUID) error {
	hashes, err := s.c.SMembers(ctx, userSessionsKey(tid, uid))
	if err != nil {
		return errs.Wrap(errs.Internal, err, "session store unavailable")
	}
	keys := make([]string, 0, len(hashes)+1)
	for _, h := range hashes {
		keys = append(keys, sessionKey(h))
	}
	keys = append(keys, userSessionsKey(tid, uid))
	return s.c.Del(ctx, keys...)
}

func (s *Sessions) save(ctx context.Context, sess Session) error {
	b, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	ttl := s.idle
	if left := s.absolute - s.now().Sub(sess.CreatedAt); left < ttl {
		ttl = left
	}
	if ttl <= 0 {
		return errs.E(errs.Unauthenticated, "session expired")
	}
	if err := s.c.Set(ctx, sessionKey(sess.hash), b, ttl); err != nil {
		return errs.Wrap(errs.Internal, err, "session store unavailable")
	}
	return nil
}
