package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/tenant/tenanttest"
)

// stmtCounter is a bun query hook counting the statements (BEGIN and COMMIT
// included: each is a round trip on PostgreSQL) the app sends while on; with
// NEXO_BENCH_LOG_SQL set it logs those of the first placement.
type stmtCounter struct {
	on, n atomic.Int64
	log   atomic.Bool
}

func (h *stmtCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (h *stmtCounter) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if h.on.Load() == 0 {
		return
	}
	h.n.Add(1)
	if h.log.Load() {
		fmt.Fprintf(os.Stderr, "sql: %.200s\n", e.Query)
	}
}

// benchTenant is one tenant of the order-placement benchmark: an owner
// session, an account and three stocked products.
type benchTenant struct {
	c        *client
	account  string
	products [3]string
}

// benchTenants signs up n tenants, each with a warehouse, three products
// with plenty of stock and a customer account.
func benchTenants(b *testing.B, ta *testApp, n int) []benchTenant {
	out := make([]benchTenant, n)
	run := uuid.NewString()[:6]
	for i := range out {
		c := ta.signup(fmt.Sprintf("ob-%s-%d", run, i))
		var wh, acc struct {
			ID string `json:"id"`
		}
		ta.do(c, "POST", "/api/v1/warehouses", map[string]any{"code": "W1", "name": "Main"}).json(b, &wh)
		for k := range out[i].products {
			var p struct {
				ID string `json:"id"`
			}
			ta.do(c, "POST", "/api/v1/products", map[string]any{"sku": "SKU-" + strconv.Itoa(k), "name": "P", "list_price_minor": 1000 + k, "currency": "EUR"}).json(b, &p)
			ta.do(c, "POST", "/api/v1/stock-moves", map[string]any{"kind": "receipt", "product_id": p.ID, "warehouse_id": wh.ID, "quantity": 1_000_000_000})
			out[i].products[k] = p.ID
		}
		ta.do(c, "POST", "/api/v1/accounts", map[string]any{"name": "Customer"}).json(b, &acc)
		out[i].c, out[i].account = c, acc.ID
	}
	return out
}

// BenchmarkOrderPlacement is P2 (PostgreSQL) and P4 (SQLite): a sales order
// of three lines created and confirmed (number allocation, stock
// reservation under row locks, history, audit and outbox rows) through the
// HTTP app, by 32 concurrent clients spread over 100 tenants. It reports
// placements per second, the p99 latency of a placement (both calls) and the
// statements one placement sends (BEGIN and COMMIT included);
// bench/orders.sh sets it beside pgbench's TPC-B on the same server.
func BenchmarkOrderPlacement(b *testing.B) {
	tenants := 100
	if v, err := strconv.Atoi(os.Getenv("NEXO_BENCH_TENANTS")); err == nil && v > 0 {
		tenants = v
	}
	if !tenanttest.Postgres() {
		// P4 is embedded mode, which runs on a database file in WAL mode:
		// the tests' shared-cache memory database writes no WAL and pays a
		// page-cache sweep per commit that grows with the whole database.
		b.Setenv("NEXO_TEST_SQLITE_FILE", "1")
	}
	ta := newTestApp(b)
	ts := benchTenants(b, ta, tenants)
	// Count (and optionally log) the statements of one placement, alone,
	// once a first one has warmed the caches.
	if err := placeOrder(ta, ts[0]); err != nil {
		b.Fatal(err)
	}
	sc := &stmtCounter{}
	ta.bun.AddQueryHook(sc)
	sc.log.Store(os.Getenv("NEXO_BENCH_LOG_SQL") != "")
	sc.on.Store(1)
	if err := placeOrder(ta, ts[0]); err != nil {
		b.Fatal(err)
	}
	sc.on.Store(0)
	sc.log.Store(false)
	perOrder := sc.n.Load()
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	clients := 32 // P2's figure; NEXO_BENCH_CLIENTS changes it for diagnosis only
	if v, err := strconv.Atoi(os.Getenv("NEXO_BENCH_CLIENTS")); err == nil && v > 0 {
		clients = v
	}
	b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
	// NEXO_BENCH_CPUPROFILE profiles the placements only, not the setup
	// (signups hash passwords with argon2, which would swamp the profile).
	if path := os.Getenv("NEXO_BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t := ts[int(next.Add(1))%len(ts)]
			t0 := time.Now()
			if err := placeOrder(ta, t); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(perOrder), "stmts/order")
}

// placeOrder creates and confirms one order; safe for concurrent use (it
// reports errors instead of failing the benchmark from a goroutine).
func placeOrder(ta *testApp, t benchTenant) error {
	lines := make([]map[string]any, 3)
	for k, p := range t.products {
		lines[k] = map[string]any{"product_id": p, "quantity": 1 + k}
	}
	status, body := benchPost(ta, t.c, "/api/v1/orders", map[string]any{"account_id": t.account, "lines": lines})
	if status != 201 {
		return fmt.Errorf("create order: %d %s", status, body)
	}
	var o struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &o); err != nil {
		return err
	}
	if status, body = benchPost(ta, t.c, "/api/v1/orders/"+o.ID+"/confirm", nil); status != 200 {
		return fmt.Errorf("confirm order: %d %s", status, body)
	}
	return nil
}

func benchPost(ta *testApp, c *client, path string, body any) (int, []byte) {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req := httptest.NewRequest("POST", path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", ta.cookie().Name()+"="+c.cookie)
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := ta.app.Test(req, -1)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}
