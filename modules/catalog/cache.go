package catalog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"

	"nexo/internal/cache"
	"nexo/tenant"
)

// Cached product reads. Keys are t:{tenant}:catalog:g{gen}:product:{id} and
// ...:sku:{sku}, where gen is a per-tenant generation replaced by a random
// token after every committed catalog write. Moving the generation instead
// of deleting keys closes the classic race where a reader that read the
// database before a write commits stores the old value after the write's
// invalidation: that stale entry lands under the old generation, which
// nobody reads again. Tokens never repeat, and a reader that finds no
// generation creates "1" with Incr (atomic, and it fails on a writer's token
// instead of overwriting it); "1" can only come back after 24 hours without
// writes, when every entry of the earlier "1" has long expired.
// The cache is never the source of truth: any cache error is a miss.
const (
	entryTTL = 5 * time.Minute
	// genTTL must outlive entryTTL by far: a write refreshes it, and once it
	// lapses the generation restarts at "1".
	genTTL = 24 * time.Hour
	// cacheTimeout bounds a cache call so a slow Redis cannot slow reads (F1).
	cacheTimeout = 100 * time.Millisecond
)

type productCache struct {
	c   cache.Cache // nil: no caching
	log *slog.Logger
}

func (pc productCache) genKey(tid uuid.UUID) string { return cache.TenantKey(tid, "catalog", "gen") }

// prefix returns the key prefix of the tenant's current generation, or ""
// when the cache cannot be used for this read.
func (pc productCache) prefix(ctx context.Context) (uuid.UUID, string) {
	tid, ok := tenant.FromContext(ctx)
	if pc.c == nil || !ok {
		return tid, ""
	}
	ctx, cancel := context.WithTimeout(ctx, cacheTimeout)
	defer cancel()
	v, ok, err := pc.c.Get(ctx, pc.genKey(tid))
	if err == nil && !ok {
		// No generation yet (or it expired): create one atomically. Incr
		// rather than Set, so a writer's concurrent bump is never undone.
		var n int64
		n, err = pc.c.Incr(ctx, pc.genKey(tid), genTTL)
		v = []byte(strconv.FormatInt(n, 10))
	}
	if err != nil {
		pc.log.WarnContext(ctx, "catalog cache unavailable", "err", err)
		return tid, ""
	}
	return tid, "g" + string(v)
}

// get returns the cached product under kind ("product" or "sku") and key.
func (pc productCache) get(ctx context.Context, kind, key string) (Product, string, bool) {
	tid, gen := pc.prefix(ctx)
	if gen == "" {
		return Product{}, "", false
	}
	full := cache.TenantKey(tid, "catalog", gen, kind, key)
	cctx, cancel := context.WithTimeout(ctx, cacheTimeout)
	defer cancel()
	b, ok, err := pc.c.Get(cctx, full)
	if err != nil || !ok {
		return Product{}, full, false
	}
	var p Product
	if json.Unmarshal(b, &p) != nil {
		return Product{}, full, false
	}
	return p, full, true
}

// put stores p under full (a key from get); failures are ignored.
func (pc productCache) put(ctx context.Context, full string, p Product) {
	if full == "" {
		return
	}
	b, err := json.Marshal(p)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, cacheTimeout)
	defer cancel()
	_ = pc.c.Set(ctx, full, b, entryTTL)
}

// invalidate moves the tenant's generation once ctx's transaction commits
// (at once outside one), so no reader sees a product from before the write.
func (pc productCache) invalidate(ctx context.Context) {
	tid, ok := tenant.FromContext(ctx)
	if pc.c == nil || !ok {
		return
	}
	tenant.AfterCommit(ctx, func() {
		// The request may be gone by now; the bump must still happen.
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		if err := pc.c.Set(bctx, pc.genKey(tid), []byte(newGeneration()), genTTL); err != nil {
			// Entries of the old generation expire within entryTTL.
			pc.log.WarnContext(bctx, "catalog cache: invalidation failed", "err", err)
		}
	})
}

// newGeneration is a random token: a generation never comes back.
func newGeneration() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "w" + hex.EncodeToString(b)
}
