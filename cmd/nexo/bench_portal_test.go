package main

import (
	"context"
	"fmt"
	"io"
	"net"
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

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/valyala/fasthttp"
)

// portalBenchCustomer is one tenant's portal customer of the P1 bench.
type portalBenchCustomer struct{ c *client }

// BenchmarkPortalOrderList is P1: a portal customer's order list (50 orders,
// first page of 20), by 64 concurrent clients spread over
// NEXO_BENCH_TENANTS tenants (default 1,000), beside a bare Fiber JSON
// handler at the same concurrency in the same run. Sub-benchmarks:
//   - bare-fiber: the baseline;
//   - warm: the portal cache is warm (every customer's page read once);
//   - cache-stopped: only when NEXO_BENCH_REDIS_SHUTDOWN=1 (bench/portal.sh
//     runs a private Redis for it): Redis is shut down first, so every read
//     bypasses the cache to the database (F1).
//
// Each reports requests/s, p99 latency and the share of cache hits.
func BenchmarkPortalOrderList(b *testing.B) {
	tenants := 1000
	if v, err := strconv.Atoi(os.Getenv("NEXO_BENCH_TENANTS")); err == nil && v > 0 {
		tenants = v
	}
	ta := newTestApp(b)
	customers := portalBenchCustomers(b, ta, tenants, 50)
	path := "/api/v1/orders?limit=20"
	for _, cu := range customers { // warm the cache
		if st, _ := benchGet(ta.app, path, cu.c, ta.cookie().Name()); st != 200 {
			b.Fatalf("warm-up read: %d", st)
		}
	}
	bare := fiber.New(fiber.Config{DisableStartupMessage: true})
	bare.Get("/hello", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"hello": "world"}) })
	bareURL, appURL := serveLoopback(b, bare), serveLoopback(b, ta.app)
	cookie := ta.cookie().Name()

	b.Run("bare-fiber", func(b *testing.B) {
		runConcurrent(b, 64, func(int) (int, string) { return loopbackGet(bareURL, "/hello", nil, "") })
	})
	b.Run("warm", func(b *testing.B) {
		defer profileCPU(b)()
		runConcurrent(b, 64, func(i int) (int, string) {
			return loopbackGet(appURL, path, customers[i%len(customers)].c, cookie)
		})
	})
	if os.Getenv("NEXO_BENCH_REDIS_SHUTDOWN") == "1" {
		opt, err := redis.ParseURL(os.Getenv("NEXO_TEST_REDIS_URL"))
		if err != nil {
			b.Fatal(err)
		}
		// SHUTDOWN closes the connection as the server stops: no reply.
		_ = redis.NewClient(opt).Shutdown(context.Background()).Err()
		b.Run("cache-stopped", func(b *testing.B) {
			runConcurrent(b, 64, func(i int) (int, string) {
				return loopbackGet(appURL, path, customers[i%len(customers)].c, cookie)
			})
		})
	}
}

// portalBenchCustomers signs up n tenants, each with an account of orders
// confirmed orders (customers never see drafts) and a portal customer of it.
func portalBenchCustomers(b *testing.B, ta *testApp, n, orders int) []portalBenchCustomer {
	run := uuid.NewString()[:6]
	out := make([]portalBenchCustomer, n)
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				out[i] = portalBenchTenant(b, ta, fmt.Sprintf("pb-%s-%d", run, i), orders)
			}
		}()
	}
	wg.Wait()
	return out
}

func portalBenchTenant(b *testing.B, ta *testApp, slug string, orders int) portalBenchCustomer {
	owner := ta.signup(slug)
	var wh, p, acc struct {
		ID string `json:"id"`
	}
	ta.do(owner, "POST", "/api/v1/warehouses", map[string]any{"code": "W1", "name": "Main"}).json(b, &wh)
	ta.do(owner, "POST", "/api/v1/products", map[string]any{"sku": "CHAIR", "name": "Chair", "list_price_minor": 4500, "currency": "EUR"}).json(b, &p)
	ta.do(owner, "POST", "/api/v1/stock-moves", map[string]any{"kind": "receipt", "product_id": p.ID, "warehouse_id": wh.ID, "quantity": 1_000_000})
	ta.do(owner, "POST", "/api/v1/accounts", map[string]any{"name": "Buyer " + slug}).json(b, &acc)
	for k := range orders {
		var o struct {
			ID string `json:"id"`
		}
		ta.do(owner, "POST", "/api/v1/orders", map[string]any{"account_id": acc.ID,
			"lines": []map[string]any{{"product_id": p.ID, "quantity": 1 + k%7}}}).json(b, &o)
		ta.do(owner, "POST", "/api/v1/orders/"+o.ID+"/confirm", nil)
	}
	return portalBenchCustomer{c: ta.portalCustomer(b, owner, slug, acc.ID, "buyer@"+slug+".example.com")}
}

// profileCPU writes a CPU profile of the warm reads alone to
// NEXO_BENCH_CPUPROFILE, when set (the setup's signups hash passwords with
// argon2, which would swamp a whole-binary -cpuprofile). The benchmark
// framework calls a sub-benchmark more than once as it sizes b.N; each call
// overwrites the file, so it ends with the longest run.
func profileCPU(b *testing.B) (stop func()) {
	path := os.Getenv("NEXO_BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		b.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

func benchGet(app *fiber.App, path string, c *client, cookieName string) (int, string) {
	req := httptest.NewRequest("GET", path, nil)
	if c != nil {
		req.Header.Set("Cookie", cookieName+"="+c.cookie)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		return 0, ""
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Nexo-Cache")
}

// serveLoopback serves app on a loopback port until the benchmark ends, as
// a deployed instance does: P1 is measured over real connections, so the
// server's own buffer reuse counts, not the test transport's allocations.
func serveLoopback(b *testing.B, app *fiber.App) *fasthttp.HostClient {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	b.Cleanup(func() { _ = ln.Close() })
	// One keep-alive connection per concurrent client.
	return &fasthttp.HostClient{Addr: ln.Addr().String(), MaxConns: 64, ReadTimeout: 10 * time.Second}
}

// loopbackGet sends one GET over hc's pooled connections, reusing request
// and response objects so the client adds as little as it can to the
// machine's load.
func loopbackGet(hc *fasthttp.HostClient, path string, c *client, cookieName string) (int, string) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://" + hc.Addr + path)
	if c != nil {
		req.Header.SetCookie(cookieName, c.cookie)
	}
	if err := hc.Do(req, resp); err != nil {
		return 0, ""
	}
	return resp.StatusCode(), string(resp.Header.Peek("X-Nexo-Cache"))
}

// runConcurrent runs do with conns concurrent callers for b.N calls and
// reports requests/s, p99 latency in ms and the share of cache hits.
func runConcurrent(b *testing.B, conns int, do func(i int) (status int, cache string)) {
	var next, hits, failed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(max(1, conns/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			status, cache := do(int(next.Add(1)))
			mine = append(mine, time.Since(t0))
			if status != 200 {
				failed.Add(1)
			}
			if cache == "hit" {
				hits.Add(1)
			}
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
	if failed.Load() > 0 {
		b.Errorf("%d of %d requests failed", failed.Load(), len(lat))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(100*float64(hits.Load())/float64(len(lat)), "hit-%")
}
