package invoicing

import (
	"bytes"
	"testing"
	"time"

	"nexo/internal/errs"
)

// TestAging puts one open invoice in each bucket by issuing it on an
// earlier day (due 30 days after), and a paid one nowhere.
func TestAging(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	other := newFixture(t, e)
	// Issued d days ago → due d − 30 days ago.
	for _, d := range []int{10, 45, 75, 110, 200} {
		e.setNow(clock.AddDate(0, 0, -d))
		o, _, _ := e.order(t, fx, 1, 0) // 12.10 each
		e.issue(t, fx, o)
	}
	e.setNow(clock.AddDate(0, 0, -100))
	o, _, _ := e.order(t, fx, 2, 0)
	paid := e.issue(t, fx, o)
	if _, err := e.svc.RecordPayment(fx.ctx, NewPayment{InvoiceID: paid.ID, AmountMinor: paid.TotalMinor, Method: MethodCard}); err != nil {
		t.Fatal(err)
	}
	e.setNow(clock)
	rows, more, err := e.svc.Aging(fx.ctx, nil, 50)
	if err != nil || len(rows) != 1 || more {
		t.Fatalf("aging: %+v %v %v", rows, more, err)
	}
	want := AgingRow{AccountID: fx.account, AccountName: "Acmé Hogar", Currency: "EUR", Current: 1210, Days1to30: 1210, Days31to60: 1210,
		Days61to90: 1210, Over90: 1210, Total: 6050}
	if rows[0] != want {
		t.Fatalf("aging %+v, want %+v", rows[0], want)
	}
	bal, err := e.svc.AccountBalance(fx.ctx, fx.account)
	if err != nil || len(bal) != 1 || bal[0] != (Amounts{Currency: "EUR", BalanceMinor: 6050, OverdueMinor: 4840}) {
		t.Fatalf("balance: %+v %v", bal, err)
	}
	if rows, more, _ := e.svc.Aging(other.ctx, nil, 50); len(rows) != 0 || more {
		t.Fatalf("another tenant's aging: %+v", rows)
	}
	wantErr(t, "another tenant's account", second(e.svc.AccountBalance(other.ctx, fx.account)), errs.NotFound, "")

	// A second customer owes too: a page of one account, then the next.
	fx2 := fx
	fx2.account = id()
	n := time.Now().UTC()
	e.exec(t, fx.ctx, `INSERT INTO accounts (tenant_id, id, name, currency, payment_terms_days, active, created_at, updated_at)
		VALUES (?, ?, 'Beta', 'EUR', 30, ?, ?, ?)`, fx.tenant, fx2.account, true, n, n)
	o2, _, _ := e.order(t, fx2, 1, 0)
	e.issue(t, fx2, o2)
	first, more, err := e.svc.Aging(fx.ctx, nil, 1)
	if err != nil || len(first) != 1 || !more {
		t.Fatalf("first page: %+v %v %v", first, more, err)
	}
	rest, more, err := e.svc.Aging(fx.ctx, &first[0].AccountID, 1)
	if err != nil || len(rest) != 1 || more || rest[0].AccountID.String() <= first[0].AccountID.String() {
		t.Fatalf("second page after %v: %+v %v %v", first[0].AccountID, rest, more, err)
	}
}

// TestPDF renders an invoice: a PDF, the same bytes twice; another
// tenant's invoice is not found.
func TestPDF(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	o, _, _ := e.order(t, fx, 4, 3)
	inv := e.issue(t, fx, o)
	out, got, err := e.svc.PDF(fx.ctx, inv.ID)
	if err != nil || !bytes.HasPrefix(out, []byte("%PDF-")) || got.Number != inv.Number {
		t.Fatalf("pdf: %d bytes %q %v", len(out), out[:min(len(out), 8)], err)
	}
	again, _, _ := e.svc.PDF(fx.ctx, inv.ID)
	if !bytes.Equal(out, again) {
		t.Error("the same invoice rendered to different bytes")
	}
	wantErr(t, "another tenant's invoice", second2(e.svc.PDF(newFixture(t, e).ctx, inv.ID)), errs.NotFound, "")
}

func second2[A, B any](_ A, _ B, err error) error { return err }

func TestFormatMinor(t *testing.T) {
	for _, c := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{0, "EUR", "0.00 EUR"}, {5, "EUR", "0.05 EUR"}, {123456, "EUR", "1,234.56 EUR"}, {-1210, "USD", "-12.10 USD"},
		{1500, "JPY", "1,500 JPY"}, {1234567, "KWD", "1,234.567 KWD"}, {999_999_999_999_999, "EUR", "9,999,999,999,999.99 EUR"},
		{-9223372036854775808, "EUR", "-92,233,720,368,547,758.08 EUR"},
	} {
		if got := FormatMinor(c.minor, c.currency); got != c.want {
			t.Errorf("FormatMinor(%d, %s) = %q, want %q", c.minor, c.currency, got, c.want)
		}
	}
	for bp, want := range map[int]string{2100: "21%", 550: "5.5%", 0: "0%", 1005: "10.05%"} {
		if got := percent(bp); got != want {
			t.Errorf("percent(%d) = %q, want %q", bp, got, want)
		}
	}
}
