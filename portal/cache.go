package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"nexo/internal/cache"
	"nexo/internal/events"
	"nexo/tenant"
)

// ReadCache keeps portal customers' answers to the account-bound reads
// (orders, shipments, invoices, credit notes, returns) in the shared cache,
// per tenant and account. The cache is never the source of truth: any cache
// error is a miss and the read goes to the database (F1), and an entry only
// ever holds what the route itself answered to a customer of that account
// after its access check.
//
// Invalidation is by generation: every entry's key carries the account's
// current generation token, and invalidating replaces the token, so all of
// the account's entries become unreachable at once without listing them
// (they expire on their own). Tokens are random rather than counters so a
// generation key that expired and was created again can never land on an
// old generation's entries. A read that raced a change stores its answer
// under the generation it started with, which the change has already
// replaced.
//
// Staff changes invalidate through the outbox events of orders, shipments,
// invoices and returns (Invalidate is the hook their consumer calls); a
// customer's own successful write invalidates at once, so the customer reads
// what they just did.
type ReadCache struct {
	c   cache.Cache
	ttl time.Duration
}

// Entries live for cacheTTL; derived states (a quote or invoice that became
// overdue by the clock alone) are at most this stale. The generation key
// outlives every entry of its generation.
const (
	cacheTTL      = 5 * time.Minute
	generationTTL = 24 * time.Hour
)

// cachedRoutes are the customer reads that are cached: the account's
// documents whose every change publishes an event naming the account.
// Anything else a customer reads (their /me, tickets, what an order can
// still return, the tenant's payment options) is per user, not covered by
// those events or tenant-wide, so never cached.
var cachedRoutes = map[string]bool{
	"/api/v1/orders": true, "/api/v1/orders/:id": true, "/api/v1/orders/:id/history": true,
	"/api/v1/shipments": true, "/api/v1/shipments/:id": true, "/api/v1/shipments/:id/events": true,
	"/api/v1/invoices": true, "/api/v1/invoices/:id": true,
	"/api/v1/credit-notes": true, "/api/v1/credit-notes/:id": true,
	"/api/v1/returns": true, "/api/v1/returns/:id": true,
}

// NewReadCache returns a portal read cache over c.
func NewReadCache(c cache.Cache) *ReadCache { return &ReadCache{c: c, ttl: cacheTTL} }

// Route is the web.Router customer hook: GET routes of the cached resources
// answer from the cache; other customer routes invalidate the account's
// entries after a successful write.
func (rc *ReadCache) Route(method, pattern string) fiber.Handler {
	if method != fiber.MethodGet {
		return rc.afterWrite
	}
	if !cachedRoutes[pattern] {
		return nil
	}
	return rc.read
}

// read serves a customer's GET from the cache or stores the route's answer.
// Staff callers (who share these routes) pass straight through. A hit is one
// cache round trip: the account's generation and the entry under it are read
// together (GetVersioned). Any cache error is a bypass to the route.
func (rc *ReadCache) read(c *fiber.Ctx) error {
	ctx := c.UserContext()
	tid, account, ok := boundCustomer(ctx)
	if !ok {
		return c.Next()
	}
	acc := accountKey(tid, account)
	genKey, prefix, suffix := acc+genSuffix, acc+":", entrySuffix(c.Path(), string(c.Request().URI().QueryString()))
	gen, body, hit, err := rc.c.GetVersioned(ctx, genKey, prefix, suffix)
	if err == nil && gen == "" {
		gen, err = rc.startGeneration(ctx, genKey)
	}
	if err != nil {
		c.Set("X-Nexo-Cache", "bypass")
		return c.Next()
	}
	if hit {
		c.Set("X-Nexo-Cache", "hit")
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(body) // not modified afterwards, as GetVersioned requires
	}
	key := prefix + gen + suffix
	if err := c.Next(); err != nil {
		return err
	}
	c.Set("X-Nexo-Cache", "miss")
	if c.Response().StatusCode() == fiber.StatusOK &&
		strings.HasPrefix(string(c.Response().Header.ContentType()), fiber.MIMEApplicationJSON) {
		// Best effort: a failed store only costs the next read a query.
		_ = rc.c.Set(ctx, key, append([]byte(nil), c.Response().Body()...), rc.ttl)
	}
	return nil
}

// afterWrite invalidates the customer's account once a write succeeded
// (accepting a quote creates an order; requesting a return adds one).
func (rc *ReadCache) afterWrite(c *fiber.Ctx) error {
	err := c.Next()
	if tid, account, ok := boundCustomer(c.UserContext()); ok && err == nil && c.Response().StatusCode() < 400 {
		rc.Invalidate(c.UserContext(), tid, account)
	}
	return err
}

// Invalidate makes every cached read of account stale. It is best effort by
// design: when the cache is down nothing is served from it either.
func (rc *ReadCache) Invalidate(ctx context.Context, tenantID, account uuid.UUID) {
	_ = rc.c.SetVersion(ctx, generationKey(tenantID, account), newGeneration(), generationTTL)
}

// EventHandler consumes an outbox event whose payload names the account
// ("account_id") by invalidating that account's cached reads. Replaying it
// only invalidates again.
func (rc *ReadCache) EventHandler() events.Handler {
	return func(ctx context.Context, e events.Event) error {
		var p struct {
			AccountID uuid.UUID `json:"account_id"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return events.Permanent(err)
		}
		if p.AccountID != uuid.Nil {
			rc.Invalidate(ctx, e.TenantID, p.AccountID)
		}
		return nil
	}
}

// startGeneration starts a generation for an account that has none.
func (rc *ReadCache) startGeneration(ctx context.Context, genKey string) (string, error) {
	gen := newGeneration()
	if err := rc.c.SetVersion(ctx, genKey, gen, generationTTL); err != nil {
		return "", err
	}
	return string(gen), nil
}

func boundCustomer(ctx context.Context) (tid, account uuid.UUID, ok bool) {
	account, ok = tenant.BoundAccount(ctx)
	if !ok || account == uuid.Nil {
		return uuid.Nil, uuid.Nil, false
	}
	tid, ok = tenant.FromContext(ctx)
	return tid, account, ok
}

// Keys: t:{tenant}:portal:{account}:gen holds the account's generation;
// t:{tenant}:portal:{account}:{generation}{entrySuffix} its entries.
func accountKey(tid, account uuid.UUID) string {
	return cache.TenantKey(tid, "portal", account.String())
}

const genSuffix = ":gen"

func generationKey(tid, account uuid.UUID) string { return accountKey(tid, account) + genSuffix }

// entrySuffix hashes the path and query, which are caller-controlled, into
// the fixed-size part of an entry's key after the generation.
func entrySuffix(path, query string) string {
	sum := sha256.Sum256([]byte(path + "?" + query))
	return ":" + hex.EncodeToString(sum[:16])
}

func newGeneration() []byte {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return []byte(hex.EncodeToString(b))
}
