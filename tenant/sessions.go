package tenant

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/cache"
	"nexo/internal/errs"
)

// Session is a logged-in user's (staff or portal customer) server-side
// session. The cookie holds "<tenant id>.<random>"; the store keys the
// session by the hash of that value, so a leaked table or cache dump cannot
// be replayed as cookies.
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

// DefaultSessionCacheTTL bounds how long a cached session is trusted without
// asking the database: a revocation whose cache delete failed (Redis
// unreachable at that moment, then back with the old entry) is honoured at
// most this long after the entry was last confirmed by the database.
const DefaultSessionCacheTTL = time.Minute

// touchEvery is how stale last_seen may get before a request writes it: the
// idle timeout slides without a write per request.
const touchEvery = time.Minute

// sessionCacheTimeout bounds each cache call on the request path: a slow or
// dead Redis costs a request at most this much per call before the database
// answers instead (F1).
const sessionCacheTimeout = 100 * time.Millisecond

// SessionOptions configures the session store.
type SessionOptions struct {
	Idle     time.Duration // default 12 h
	Absolute time.Duration // default 7 days
	CacheTTL time.Duration // default DefaultSessionCacheTTL
	// PrincipalTTL is how long this instance reuses a session's loaded
	// principal (default DefaultPrincipalTTL; negative: never).
	PrincipalTTL time.Duration
	Now          func() time.Time
	Logger       *slog.Logger
}

// Sessions keeps sessions in the database (the source of truth: a login, a
// logout or a revocation is a row write) with a short-lived read-through
// copy in the cache, so most requests do not read the table and a dead
// Redis costs a database read instead of a logout. Idle and absolute
// timeouts (U3) are enforced from the row.
type Sessions struct {
	db   *DB
	c    cache.Cache
	opt  SessionOptions
	memo principalMemo
}

// NewSessions returns a session store over d, cached in c.
func NewSessions(d *DB, c cache.Cache, opt SessionOptions) *Sessions {
	if opt.Idle <= 0 {
		opt.Idle = 12 * time.Hour
	}
	if opt.Absolute <= 0 {
		opt.Absolute = 7 * 24 * time.Hour
	}
	if opt.CacheTTL <= 0 {
		opt.CacheTTL = DefaultSessionCacheTTL
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.PrincipalTTL == 0 {
		opt.PrincipalTTL = DefaultPrincipalTTL
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &Sessions{db: d, c: c, opt: opt}
}

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions,alias:sess"`
	Scoped
	Hash      string    `bun:"id_hash,pk"`
	UserID    uuid.UUID `bun:"user_id,type:uuid"`
	Kind      string    `bun:"kind"`
	CSRF      string    `bun:"csrf"`
	CreatedAt time.Time `bun:"created_at"`
	LastSeen  time.Time `bun:"last_seen"`
	ExpiresAt time.Time `bun:"expires_at"`
}

// cachedSession is the cache's copy: CachedAt is when the database last
// vouched for it, checked against the store's clock (not only the cache's
// own expiry) so the revocation bound holds whatever the backend does.
type cachedSession struct {
	Session
	CachedAt time.Time `json:"cached_at"`
}

func sessionKey(tid uuid.UUID, hash string) string { return cache.TenantKey(tid, "sess", hash) }

// sessionRandomLen is the base64url length of the cookie's 256 random bits.
const sessionRandomLen = 43

// newSessionID returns a cookie value "<tenant id>.<256 random bits>" and
// its hash. The tenant lets a request bind it before reading the session
// under row-level security (as API keys do); the hash covers the whole
// value, so the tenant part cannot be swapped.
func newSessionID(tid uuid.UUID) (raw, hash string) {
	random, _ := NewToken()
	raw = tid.String() + "." + random
	return raw, HashToken(raw)
}

// parseSessionID splits a cookie value into its tenant and hash. Anything
// else, including the older bare-random cookies, is not a session.
func parseSessionID(raw string) (uuid.UUID, string, bool) {
	t, random, ok := strings.Cut(raw, ".")
	if !ok || len(t) != 36 || len(random) != sessionRandomLen {
		return uuid.Nil, "", false
	}
	tid, err := uuid.Parse(t)
	if err != nil || tid == uuid.Nil {
		return uuid.Nil, "", false
	}
	if b, err := base64.RawURLEncoding.DecodeString(random); err != nil || len(b) != 32 {
		return uuid.Nil, "", false
	}
	return tid, HashToken(raw), true
}

func (s *Sessions) now() time.Time { return s.opt.Now().UTC().Truncate(time.Microsecond) }

// expiresAt is when a session with these times lapses under the current
// timeouts.
func (s *Sessions) expiresAt(created, lastSeen time.Time) time.Time {
	idle, abs := lastSeen.Add(s.opt.Idle), created.Add(s.opt.Absolute)
	if abs.Before(idle) {
		return abs
	}
	return idle
}

func (s *Sessions) expired(sess Session, t time.Time) bool {
	return t.Sub(sess.CreatedAt) > s.opt.Absolute || t.Sub(sess.LastSeen) > s.opt.Idle
}

// Create starts a new session (a fresh id every login: rotation, U3) and
// returns the raw id for the cookie. The row is the session; the cache copy
// is best effort. The tenant's lapsed sessions are swept in the same
// transaction, so the table holds live sessions plus those that lapsed
// since the tenant's last login.
func (s *Sessions) Create(ctx context.Context, tid, uid uuid.UUID, kind Kind) (string, Session, error) {
	raw, hash := newSessionID(tid)
	_, csrf := NewToken()
	t := s.now()
	sess := Session{TenantID: tid, UserID: uid, Kind: kind, CSRF: csrf, CreatedAt: t, LastSeen: t, hash: hash}
	row := &sessionRow{Hash: hash, UserID: uid, Kind: string(kind), CSRF: csrf, CreatedAt: t, LastSeen: t,
		ExpiresAt: s.expiresAt(t, t)}
	err := s.db.Run(WithTenant(ctx, tid), func(ctx context.Context, tx bun.IDB) error {
		if _, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("sess.expires_at < ?", t).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(row).Exec(ctx)
		return err
	})
	if err != nil {
		return "", Session{}, err
	}
	// Filled after the commit: a rolled-back outer transaction (Run joins
	// one) must not leave a cached session behind.
	AfterCommit(ctx, func() { s.cachePut(context.WithoutCancel(ctx), sess, t) })
	return raw, sess, nil
}

// Get returns the live session for a raw cookie id: from the cache when it
// holds a copy the database confirmed less than CacheTTL ago, otherwise (a
// miss, or any cache error) from the database, refilling the cache. The idle
// expiry slides at most once a minute, so reads do not write per request.
func (s *Sessions) Get(ctx context.Context, raw string) (Session, error) {
	tid, hash, ok := parseSessionID(raw)
	if !ok {
		return Session{}, errs.E(errs.Unauthenticated, "not logged in")
	}
	t := s.now()
	if sess, ok := s.cacheGet(ctx, tid, hash, t); ok {
		if !s.expired(sess, t) && t.Sub(sess.LastSeen) <= touchEvery {
			return sess, nil
		}
		// Due for a touch, or lapsed by the copy's clock: the row decides.
	}
	return s.load(ctx, tid, hash, t)
}

// load reads the session from the database, enforces its timeouts, slides
// its last_seen when due, and refreshes the cache copy.
func (s *Sessions) load(ctx context.Context, tid uuid.UUID, hash string, t time.Time) (Session, error) {
	expired := errs.E(errs.Unauthenticated, "session expired")
	var row sessionRow
	var gone bool
	err := s.db.Run(WithTenant(ctx, tid), func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model(&row).Where("sess.id_hash = ?", hash).Scan(ctx); err != nil {
			return err
		}
		sess := rowSession(tid, &row)
		if s.expired(sess, t) {
			gone = true
			_, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("sess.id_hash = ?", hash).Exec(ctx)
			return err
		}
		if t.Sub(row.LastSeen) > touchEvery {
			row.LastSeen, row.ExpiresAt = t, s.expiresAt(row.CreatedAt, t)
			_, err := tx.NewUpdate().Model((*sessionRow)(nil)).Set("last_seen = ?", row.LastSeen).
				Set("expires_at = ?", row.ExpiresAt).Where("sess.id_hash = ?", hash).Exec(ctx)
			return err
		}
		return nil
	})
	switch {
	case errs.Is(err, errs.NotFound):
		s.cacheDel(ctx, sessionKey(tid, hash)) // a revoked session's stale copy, if any
		return Session{}, expired
	case err != nil:
		return Session{}, err
	case gone:
		s.cacheDel(ctx, sessionKey(tid, hash))
		return Session{}, expired
	}
	sess := rowSession(tid, &row)
	s.cachePut(ctx, sess, t)
	return sess, nil
}

func rowSession(tid uuid.UUID, r *sessionRow) Session {
	return Session{TenantID: tid, UserID: r.UserID, Kind: Kind(r.Kind), CSRF: r.CSRF,
		CreatedAt: r.CreatedAt.UTC(), LastSeen: r.LastSeen.UTC(), hash: r.Hash}
}

// Delete ends one session (logout, cookie rotation). The row delete is the
// revocation; the cache copy's delete is best effort (see CacheTTL).
func (s *Sessions) Delete(ctx context.Context, raw string) error {
	tid, hash, ok := parseSessionID(raw)
	if !ok {
		return nil // not a session id: nothing to end
	}
	err := s.db.Run(WithTenant(ctx, tid), func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("sess.id_hash = ?", hash).Exec(ctx)
		return err
	})
	if err != nil {
		return err
	}
	AfterCommit(ctx, func() { s.evict(context.WithoutCancel(ctx), sessionKey(tid, hash)) })
	return nil
}

// DeleteUser ends every session of a user, staff or portal (deactivation,
// password reset, privilege change, portal disable). The rows say which
// sessions those are; no cache index is needed to find them.
func (s *Sessions) DeleteUser(ctx context.Context, tid, uid uuid.UUID) error {
	var hashes []string
	err := s.db.Run(WithTenant(ctx, tid), func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model((*sessionRow)(nil)).Column("sess.id_hash").
			Where("sess.user_id = ?", uid).Scan(ctx, &hashes); err != nil {
			return err
		}
		_, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("sess.user_id = ?", uid).Exec(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if len(hashes) == 0 {
		return nil
	}
	keys := make([]string, len(hashes))
	for i, h := range hashes {
		keys[i] = sessionKey(tid, h)
	}
	AfterCommit(ctx, func() { s.evict(context.WithoutCancel(ctx), keys...) })
	return nil
}

// cacheGet returns the cached copy when it is there, readable and confirmed
// by the database less than CacheTTL ago; any cache error is a miss.
func (s *Sessions) cacheGet(ctx context.Context, tid uuid.UUID, hash string, t time.Time) (Session, bool) {
	ctx, cancel := context.WithTimeout(ctx, sessionCacheTimeout)
	defer cancel()
	b, ok, err := s.c.Get(ctx, sessionKey(tid, hash))
	if err != nil || !ok {
		return Session{}, false
	}
	var cs cachedSession
	if json.Unmarshal(b, &cs) != nil || cs.TenantID != tid {
		return Session{}, false
	}
	if age := t.Sub(cs.CachedAt); age < 0 || age > s.opt.CacheTTL {
		return Session{}, false
	}
	cs.hash = hash
	return cs.Session, true
}

// cachePut stores the database's view of sess as read at confirmed (before
// the read, so a revocation racing with it is not credited a later time),
// best effort.
func (s *Sessions) cachePut(ctx context.Context, sess Session, confirmed time.Time) {
	b, err := json.Marshal(cachedSession{Session: sess, CachedAt: confirmed})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, sessionCacheTimeout)
	defer cancel()
	_ = s.c.Set(ctx, sessionKey(sess.TenantID, sess.hash), b, s.opt.CacheTTL)
}

// cacheDel drops copies on the read path, best effort and silent.
func (s *Sessions) cacheDel(ctx context.Context, keys ...string) {
	ctx, cancel := context.WithTimeout(ctx, sessionCacheTimeout)
	defer cancel()
	_ = s.c.Del(ctx, keys...)
}

// evict drops the copies of revoked sessions. The revocation already
// happened in the database; a failure here is logged because such a copy
// may still be honoured for up to CacheTTL if the cache comes back with it.
func (s *Sessions) evict(ctx context.Context, keys ...string) {
	s.memo.forget(keys...)
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := s.c.Del(ctx, keys...); err != nil {
		s.opt.Logger.WarnContext(ctx, "session revoked; its cached copy could not be removed and may be honoured until it expires",
			"sessions", len(keys), "cache_ttl", s.opt.CacheTTL.String(), "err", err)
	}
}
