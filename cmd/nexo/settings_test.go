package main

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"nexo/tenant"
)

func TestTaxRatesAndSeries(t *testing.T) {
	ta := newTestApp(t)
	a := ta.signup("taxes-a")
	b := ta.signup("taxes-b")

	var vat, reduced struct {
		ID        string `json:"id"`
		IsDefault bool   `json:"is_default"`
	}
	if r := ta.do(a, "POST", "/api/v1/tax-rates", map[string]any{"name": "IVA 21%", "rate_bp": 2100, "is_default": true}); r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	} else {
		r.json(t, &vat)
	}
	ta.do(a, "POST", "/api/v1/tax-rates", map[string]any{"name": "IVA 10%", "rate_bp": 1000, "is_default": true}).json(t, &reduced)
	var list struct {
		Items []struct {
			ID        string `json:"id"`
			IsDefault bool   `json:"is_default"`
		} `json:"items"`
	}
	ta.do(a, "GET", "/api/v1/tax-rates", nil).json(t, &list)
	defaults := 0
	for _, it := range list.Items {
		if it.IsDefault {
			defaults++
			if it.ID != reduced.ID {
				t.Errorf("default is %s, want the newest", it.ID)
			}
		}
	}
	if len(list.Items) != 2 || defaults != 1 {
		t.Fatalf("rates: %+v", list)
	}
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "x", "rate_bp": 10001}, "rate_bp"},
		{map[string]any{"name": "x", "rate_bp": -1}, "rate_bp"},
		{map[string]any{"name": " ", "rate_bp": 100}, "name"},
		{map[string]any{"name": "x"}, "rate_bp"},
		{map[string]any{"name": "x", "rate_bp": 21.5}, "rate_bp"},
	} {
		if r := ta.do(a, "POST", "/api/v1/tax-rates", tc.body); r.Status != 400 || r.problemField(tc.field) == "" {
			t.Errorf("%v: %d %s", tc.body, r.Status, r.Body)
		}
	}
	if r := ta.do(a, "POST", "/api/v1/tax-rates", map[string]any{"name": "IVA 21%", "rate_bp": 2100}); r.Status != 409 || r.problemField("name") == "" {
		t.Errorf("duplicate: %d %s", r.Status, r.Body)
	}
	// Tenant B neither sees nor reaches A's rates; a name is per tenant.
	ta.do(b, "GET", "/api/v1/tax-rates", nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("B sees A's rates: %+v", list)
	}
	if r := ta.do(b, "PATCH", "/api/v1/tax-rates/"+vat.ID, map[string]any{"rate_bp": 0}); r.Status != 404 {
		t.Errorf("B patches A's rate: %d", r.Status)
	}
	if r := ta.do(b, "POST", "/api/v1/tax-rates", map[string]any{"name": "IVA 21%", "rate_bp": 2100}); r.Status != 201 {
		t.Errorf("B's own rate: %d %s", r.Status, r.Body)
	}

	// Series: defaults, changes, never backwards, per tenant.
	var s struct {
		Code, Prefix, Example string
		Padding               int
		NextNumber            int64 `json:"next_number"`
	}
	if r := ta.do(a, "PATCH", "/api/v1/number-series/invoice", map[string]any{"prefix": "FA{YYYY}/", "padding": 4, "next_number": 120}); r.Status != 200 {
		t.Fatalf("series: %d %s", r.Status, r.Body)
	} else {
		r.json(t, &s)
	}
	if s.Prefix != "FA{YYYY}/" || s.NextNumber != 120 || len(s.Example) != len("FA2026/0120") {
		t.Errorf("series: %+v", s)
	}
	for body, field := range map[string]string{`{"next_number":119}`: "next_number", `{"padding":13}`: "padding", `{"prefix":"F<script>"}`: "prefix"} {
		if r := ta.do(a, "PATCH", "/api/v1/number-series/invoice", body); r.Status != 400 || r.problemField(field) == "" {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
	if r := ta.do(a, "PATCH", "/api/v1/number-series/nope", map[string]any{"padding": 3}); r.Status != 404 {
		t.Errorf("unknown series: %d", r.Status)
	}
	var bs struct {
		Items []struct {
			Code       string `json:"code"`
			NextNumber int64  `json:"next_number"`
		} `json:"items"`
	}
	ta.do(b, "GET", "/api/v1/number-series", nil).json(t, &bs)
	for _, it := range bs.Items {
		if it.Code == "invoice" && it.NextNumber != 1 {
			t.Errorf("B's invoice series moved with A's: %+v", it)
		}
	}
}

// TestNextNumberGapFree allocates numbers concurrently: each is issued
// once, consecutively, and a rolled-back allocation gives its number back.
func TestNextNumberGapFree(t *testing.T) {
	ta := newTestApp(t)
	ta.signup("series-gapfree")
	tn, err := ta.identity.TenantBySlug(context.Background(), "series-gapfree")
	if err != nil {
		t.Fatal(err)
	}
	ctx := tenant.WithTenant(context.Background(), tn.ID)
	alloc := func(commit bool) (string, error) {
		var n string
		err := ta.db.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
			var err error
			n, err = ta.identity.NextNumber(ctx, tx, "order")
			if err == nil && !commit {
				return errRollback
			}
			return err
		})
		if errors.Is(err, errRollback) {
			err = nil
		}
		return n, err
	}
	if _, err := alloc(false); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var mu sync.Mutex
	got := map[string]bool{}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			num, err := alloc(true)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got[num] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(got) != n {
		t.Fatalf("%d distinct numbers for %d allocations", len(got), n)
	}
	next, _ := alloc(false)
	if next[len(next)-6:] != "000021" {
		t.Errorf("after %d numbers and a rollback the next is %s, want …000021", n, next)
	}
}

var errRollback = errors.New("rollback")
