package inventory

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

// Cached availability per product. t:{tenant}:inv:avail:{product} holds the
// product's generation, replaced by a random token after every committed
// move; the value lives under ...:{product}:{generation}. Moving the
// generation instead of deleting the value closes the race where a reader
// that read the database before a move commits stores the old figure after
// the invalidation: it lands under the old generation, which nobody reads
// again (the catalog's product cache does the same). A missing generation is
// created as "1" with Incr, which fails on a writer's token rather than
// overwriting it. The cache is never the source of truth: any cache error is
// a miss, and reservations never read it.
const (
	availTTL     = 5 * time.Minute
	availGenTTL  = 24 * time.Hour
	cacheTimeout = 100 * time.Millisecond // a slow Redis must not slow reads (F1)
)

type availCache struct {
	c   cache.Cache // nil: no caching
	log *slog.Logger
}

func genKey(tid, product uuid.UUID) string {
	return cache.TenantKey(tid, "inv", "avail", product.String())
}

// key returns the value key of product's current generation, or "" when the
// cache cannot be used.
func (ac availCache) key(ctx context.Context, product uuid.UUID) string {
	tid, ok := tenant.FromContext(ctx)
	if ac.c == nil || !ok {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, cacheTimeout)
	defer cancel()
	gk := genKey(tid, product)
	v, ok, err := ac.c.Get(ctx, gk)
	if err == nil && !ok {
		var n int64
		n, err = ac.c.Incr(ctx, gk, availGenTTL)
		v = []byte(strconv.FormatInt(n, 10))
	}
	if err != nil {
		ac.log.WarnContext(ctx, "inventory cache unavailable", "err", err)
		return ""
	}
	return gk + ":" + string(v)
}

func (ac availCache) get(ctx context.Context, key string) (Availability, bool) {
	if key == "" {
		return Availability{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, cacheTimeout)
	defer cancel()
	b, ok, err := ac.c.Get(ctx, key)
	if err != nil || !ok {
		return Availability{}, false
	}
	var a Availability
	if json.Unmarshal(b, &a) != nil {
		return Availability{}, false
	}
	return a, true
}

func (ac availCache) put(ctx context.Context, key string, a Availability) {
	if key == "" {
		return
	}
	b, _ := json.Marshal(a)
	ctx, cancel := context.WithTimeout(ctx, cacheTimeout)
	defer cancel()
	_ = ac.c.Set(ctx, key, b, availTTL)
}

// invalidate moves product's generation once ctx's transaction commits.
func (ac availCache) invalidate(ctx context.Context, product uuid.UUID) {
	tid, ok := tenant.FromContext(ctx)
	if ac.c == nil || !ok {
		return
	}
	tenant.AfterCommit(ctx, func() {
		// The request may be gone by now; the bump must still happen.
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		if err := ac.c.Set(bctx, genKey(tid, product), []byte("w"+hex.EncodeToString(b)), availGenTTL); err != nil {
			// Values of the old generation expire within availTTL.
			ac.log.WarnContext(bctx, "inventory cache: invalidation failed", "err", err)
		}
	})
}
