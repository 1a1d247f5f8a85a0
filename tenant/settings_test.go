package tenant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"nexo/internal/db"
	"nexo/internal/errs"
	"nexo/tenant/tenanttest"
)

// settingsFixture is a service on a fresh database with two tenants, each
// bound to an owner-like principal so that audit rows name an actor.
func settingsFixture(t *testing.T) (*Service, *DB, context.Context, context.Context) {
	t.Helper()
	d := NewDB(tenanttest.DB(t))
	svc := NewService(d, nil, nil, nil, Options{})
	_, a := newTenant(t, d)
	_, b := newTenant(t, d)
	as := func(tid uuid.UUID) context.Context {
		return WithPrincipal(context.Background(), Principal{TenantID: tid, Kind: KindUser, ID: newID(), Name: "Owner"})
	}
	return svc, d, as(a), as(b)
}

// wantField fails unless err is a coded error of code naming field.
func wantField(t *testing.T, what string, err error, code errs.Code, field string) {
	t.Helper()
	if !errs.Is(db.Translate(err), code) || errs.FieldReason(err, field) == "" {
		t.Errorf("%s: got %v, want %s naming %q", what, err, code, field)
	}
}

func ptr[T any](v T) *T { return &v }

func countAudit(t *testing.T, d *DB, ctx context.Context, action string) int {
	t.Helper()
	var n int64
	err := d.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		n, err = tx.NewSelect().Model((*auditRow)(nil)).Apply(scopeSelect(ctx)).Where("action = ?", action).Count(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestTaxRateRules(t *testing.T) {
	svc, d, a, b := settingsFixture(t)

	for _, tc := range []struct {
		in    TaxRateInput
		field string
	}{
		{TaxRateInput{Name: ptr(" "), RateBP: ptr(2100)}, "name"},
		{TaxRateInput{RateBP: ptr(2100)}, "name"},
		{TaxRateInput{Name: ptr(strings.Repeat("x", 61)), RateBP: ptr(2100)}, "name"},
		{TaxRateInput{Name: ptr("VAT")}, "rate_bp"},
		{TaxRateInput{Name: ptr("VAT"), RateBP: ptr(-1)}, "rate_bp"},
		{TaxRateInput{Name: ptr("VAT"), RateBP: ptr(10001)}, "rate_bp"},
	} {
		_, err := svc.CreateTaxRate(a, tc.in)
		wantField(t, fmt.Sprintf("create %+v", tc.in), err, errs.Invalid, tc.field)
	}

	// The edges of the range are valid; names are trimmed.
	zero, err := svc.CreateTaxRate(a, TaxRateInput{Name: ptr(" Exempt "), RateBP: ptr(0), IsDefault: ptr(true)})
	if err != nil || zero.Name != "Exempt" || !zero.IsDefault {
		t.Fatalf("create exempt: %+v %v", zero, err)
	}
	full, err := svc.CreateTaxRate(a, TaxRateInput{Name: ptr("Full"), RateBP: ptr(10000), IsDefault: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	vat, err := svc.CreateTaxRate(a, TaxRateInput{Name: ptr("VAT 21%"), RateBP: ptr(2100)})
	if err != nil {
		t.Fatal(err)
	}
	wantDefault := func(id uuid.UUID) {
		t.Helper()
		rates, err := svc.ListTaxRates(a)
		if err != nil {
			t.Fatal(err)
		}
		var defaults []uuid.UUID
		for _, r := range rates {
			if r.IsDefault {
				defaults = append(defaults, r.ID)
			}
		}
		if len(defaults) != 1 || defaults[0] != id {
			t.Fatalf("defaults %v, want only %s", defaults, id)
		}
	}
	wantDefault(full.ID)

	// Making another rate the default moves it; unsetting leaves none.
	if _, err := svc.UpdateTaxRate(a, vat.ID, TaxRateInput{IsDefault: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	wantDefault(vat.ID)

	// Names are unique per tenant, on create and on rename.
	_, err = svc.CreateTaxRate(a, TaxRateInput{Name: ptr("VAT 21%"), RateBP: ptr(2100)})
	wantField(t, "duplicate create", err, errs.Conflict, "name")
	_, err = svc.UpdateTaxRate(a, zero.ID, TaxRateInput{Name: ptr("Full")})
	wantField(t, "duplicate rename", err, errs.Conflict, "name")
	_, err = svc.UpdateTaxRate(a, zero.ID, TaxRateInput{RateBP: ptr(10001)})
	wantField(t, "update rate", err, errs.Invalid, "rate_bp")
	wantDefault(vat.ID) // the refused changes changed nothing

	// Tenant B: its own namespace, and A's ids do not exist for it.
	if _, err := svc.CreateTaxRate(b, TaxRateInput{Name: ptr("VAT 21%"), RateBP: ptr(2100), IsDefault: ptr(true)}); err != nil {
		t.Fatalf("B's own rate: %v", err)
	}
	wantDefault(vat.ID)
	if _, err := svc.UpdateTaxRate(b, vat.ID, TaxRateInput{RateBP: ptr(0)}); !errs.Is(db.Translate(err), errs.NotFound) {
		t.Errorf("B updates A's rate: %v", err)
	}
	if err := svc.DeleteTaxRate(b, vat.ID); !errs.Is(db.Translate(err), errs.NotFound) {
		t.Errorf("B deletes A's rate: %v", err)
	}

	if err := svc.DeleteTaxRate(a, full.ID); err != nil {
		t.Fatal(err)
	}
	if rates, _ := svc.ListTaxRates(a); len(rates) != 2 {
		t.Errorf("after delete: %+v", rates)
	}
	for action, want := range map[string]int{"tax_rate.created": 3, "tax_rate.updated": 1, "tax_rate.deleted": 1} {
		if got := countAudit(t, d, a, action); got != want {
			t.Errorf("%s audit rows: %d, want %d", action, got, want)
		}
	}
}

func TestNumberSeriesRules(t *testing.T) {
	svc, d, a, b := settingsFixture(t)

	list, err := svc.ListNumberSeries(a)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, ns := range list {
		codes = append(codes, ns.Code)
		if ns.Code == "invoice" && (ns.Prefix != "F{YYYY}-" || ns.Padding != 6 || ns.NextNumber != 1) {
			t.Errorf("invoice default: %+v", ns)
		}
	}
	if got := strings.Join(codes, ","); got != "quote,order,production_order,shipment,invoice,credit_note,return,ticket" {
		t.Errorf("codes: %s", got)
	}

	for _, tc := range []struct {
		in    SeriesUpdate
		field string
	}{
		{SeriesUpdate{Padding: ptr(0)}, "padding"},
		{SeriesUpdate{Padding: ptr(13)}, "padding"},
		{SeriesUpdate{Prefix: ptr("F<script>")}, "prefix"},
		{SeriesUpdate{Prefix: ptr("F {YYYY}")}, "prefix"},
		{SeriesUpdate{Prefix: ptr("{YY}-")}, "prefix"},
		{SeriesUpdate{Prefix: ptr(strings.Repeat("F", 21))}, "prefix"},
		{SeriesUpdate{NextNumber: ptr(int64(0))}, "next_number"},
		{SeriesUpdate{NextNumber: ptr(int64(MaxSeriesNumber + 1))}, "next_number"},
	} {
		_, err := svc.UpdateNumberSeries(a, "invoice", tc.in)
		wantField(t, fmt.Sprintf("update %+v", tc.in), err, errs.Invalid, tc.field)
	}
	if _, err := svc.UpdateNumberSeries(a, "nope", SeriesUpdate{Padding: ptr(3)}); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown code: %v", err)
	}

	ns, err := svc.UpdateNumberSeries(a, "invoice", SeriesUpdate{Prefix: ptr("FA/{YYYY}_"), Padding: ptr(4), NextNumber: ptr(int64(50))})
	if err != nil || ns.Prefix != "FA/{YYYY}_" || ns.Padding != 4 || ns.NextNumber != 50 {
		t.Fatalf("update: %+v %v", ns, err)
	}
	// Numbers are never reused: the counter only goes up (or stays).
	_, err = svc.UpdateNumberSeries(a, "invoice", SeriesUpdate{NextNumber: ptr(int64(49))})
	wantField(t, "next_number backwards", err, errs.Invalid, "next_number")
	if _, err := svc.UpdateNumberSeries(a, "invoice", SeriesUpdate{NextNumber: ptr(int64(50))}); err != nil {
		t.Errorf("same next_number: %v", err)
	}
	if got := ns.Format(7, time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)); got != "FA/2031_0007" {
		t.Errorf("format: %s", got)
	}

	// B's series are its own.
	bl, _ := svc.ListNumberSeries(b)
	for _, ns := range bl {
		if ns.Code == "invoice" && (ns.NextNumber != 1 || ns.Prefix != "F{YYYY}-") {
			t.Errorf("B's invoice series moved with A's: %+v", ns)
		}
	}
	if n := countAudit(t, d, a, "number_series.updated"); n != 2 {
		t.Errorf("audit rows: %d, want 2", n)
	}
}

// allocate runs NextNumber in its own transaction, rolled back unless commit.
func allocate(d *DB, svc *Service, ctx context.Context, code string, commit bool) (string, error) {
	var n string
	err := d.Run(ctx, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if n, err = svc.NextNumber(ctx, tx, code); err == nil && !commit {
			return errTestRollback
		}
		return err
	})
	if errors.Is(err, errTestRollback) {
		err = nil
	}
	return n, err
}

var errTestRollback = errors.New("rolled back")

func TestNextNumberIssuesInOrder(t *testing.T) {
	svc, d, a, b := settingsFixture(t)
	year := fmt.Sprint(time.Now().In(time.UTC).Year())

	for i, want := range []string{"F" + year + "-000001", "F" + year + "-000002"} {
		if got, err := allocate(d, svc, a, "invoice", true); err != nil || got != want {
			t.Fatalf("allocation %d: %q %v, want %q", i, got, err, want)
		}
	}
	// A rolled-back document gives its number back.
	if got, _ := allocate(d, svc, a, "invoice", false); got != "F"+year+"-000003" {
		t.Fatalf("rolled back: %s", got)
	}
	if got, _ := allocate(d, svc, a, "invoice", true); got != "F"+year+"-000003" {
		t.Fatalf("after rollback: %s", got)
	}
	// Issued numbers move the counter that PATCH may not go below.
	_, err := svc.UpdateNumberSeries(a, "invoice", SeriesUpdate{NextNumber: ptr(int64(3))})
	wantField(t, "below issued", err, errs.Invalid, "next_number")
	if _, err := svc.UpdateNumberSeries(a, "invoice", SeriesUpdate{Prefix: ptr("INV-"), Padding: ptr(3), NextNumber: ptr(int64(100))}); err != nil {
		t.Fatal(err)
	}
	if got, _ := allocate(d, svc, a, "invoice", true); got != "INV-100" {
		t.Errorf("after PATCH: %s", got)
	}
	// Series and tenants are independent; unknown codes are refused.
	if got, _ := allocate(d, svc, a, "credit_note", true); got != "R"+year+"-000001" {
		t.Errorf("credit note: %s", got)
	}
	if got, _ := allocate(d, svc, b, "invoice", true); got != "F"+year+"-000001" {
		t.Errorf("B's first invoice: %s", got)
	}
	if _, err := allocate(d, svc, a, "nope", true); !errs.Is(err, errs.NotFound) {
		t.Errorf("unknown code: %v", err)
	}
	// No tenant bound: fail closed.
	if _, err := allocate(d, svc, context.Background(), "invoice", true); err == nil {
		t.Error("allocation without a tenant succeeded")
	}
}

// TestNextNumberConcurrent allocates from many transactions at once: on
// PostgreSQL they race for the row lock; each number is issued once and
// together they are consecutive (no gaps, no repeats).
func TestNextNumberConcurrent(t *testing.T) {
	svc, d, a, _ := settingsFixture(t)
	if _, err := svc.UpdateNumberSeries(a, "order", SeriesUpdate{Prefix: ptr("SO-"), Padding: ptr(1)}); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var (
		mu  sync.Mutex
		got = map[string]bool{}
		wg  sync.WaitGroup
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			num, err := allocate(d, svc, a, "order", true)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if got[num] {
				t.Errorf("%s issued twice", num)
			}
			got[num] = true
		}()
	}
	wg.Wait()
	for i := 1; i <= n; i++ {
		if !got[fmt.Sprintf("SO-%d", i)] {
			t.Errorf("SO-%d was not issued; got %v", i, got)
		}
	}
	list, _ := svc.ListNumberSeries(a)
	for _, ns := range list {
		if ns.Code == "order" && ns.NextNumber != n+1 {
			t.Errorf("next number %d, want %d", ns.NextNumber, n+1)
		}
	}
}

func TestSettingsBranding(t *testing.T) {
	svc, _, a, _ := settingsFixture(t)
	for field, in := range map[string]SettingsUpdate{
		"portal_display_name": {PortalName: ptr(strings.Repeat("é", 101))},
		"accent_color":        {AccentColor: ptr("#12345")},
	} {
		_, err := svc.UpdateSettings(a, in)
		wantField(t, field, err, errs.Invalid, field)
	}
	s, err := svc.UpdateSettings(a, SettingsUpdate{PortalName: ptr(" Portal "), AccentColor: ptr("#ABCDEF")})
	if err != nil || s.PortalName != "Portal" || s.AccentColor != "#abcdef" || s.HasLogo {
		t.Fatalf("update: %+v %v", s, err)
	}
	if got, _ := svc.GetSettings(a); got.AccentColor != "#abcdef" || got.PortalName != "Portal" {
		t.Errorf("stored: %+v", got)
	}
}

// TestConcurrentDefaultTaxRates: requests that each make a new rate the
// default at once leave exactly one default; on PostgreSQL a loser gets a
// conflict naming is_default (never a misleading "name already exists").
func TestConcurrentDefaultTaxRates(t *testing.T) {
	svc, _, a, _ := settingsFixture(t)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.CreateTaxRate(a, TaxRateInput{Name: ptr(fmt.Sprintf("Rate %d", i)), RateBP: ptr(i), IsDefault: ptr(true)})
			if err != nil && (!errs.Is(err, errs.Conflict) || errs.FieldReason(err, "is_default") == "") {
				t.Errorf("rate %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	rates, err := svc.ListTaxRates(a)
	if err != nil {
		t.Fatal(err)
	}
	defaults := 0
	for _, r := range rates {
		if r.IsDefault {
			defaults++
		}
	}
	if len(rates) == 0 || defaults != 1 {
		t.Errorf("%d rates, %d defaults", len(rates), defaults)
	}
}
