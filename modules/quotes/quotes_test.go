package quotes

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

func day(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }

func TestCurrent(t *testing.T) {
	for _, c := range []struct {
		status Status
		valid  time.Time
		today  time.Time
		want   Status
	}{
		{StatusSent, day(10), day(10), StatusSent}, // valid through its last day
		{StatusSent, day(10), day(11), StatusExpired},
		{StatusDraft, day(10), day(11), StatusDraft}, // a draft is not offered yet
		{StatusAccepted, day(10), day(20), StatusAccepted},
		{StatusDeclined, day(10), day(20), StatusDeclined},
	} {
		if got := (Quote{Status: c.status, ValidUntil: c.valid}).Current(c.today); got != c.want {
			t.Errorf("%s valid until %s on %s: %s, want %s", c.status, c.valid.Format(time.DateOnly),
				c.today.Format(time.DateOnly), got, c.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for bp, want := range map[int]string{0: "0%", 2100: "21%", 550: "5.5%", 1: "0.01%", 10_000: "100%", 1050: "10.5%"} {
		if got := percent(bp); got != want {
			t.Errorf("percent(%d) = %q, want %q", bp, got, want)
		}
	}
}

func TestCheckText(t *testing.T) {
	for s, bad := range map[string]bool{"a\nb\tc": false, "bell\a": true, "\xff": true,
		strings.Repeat("x", 11): true, strings.Repeat("é", 10): false} {
		f := errs.Fields{}
		checkText(f, "notes", s, 10)
		if (f.Err() != nil) != bad {
			t.Errorf("%q: %v", s, f.Err())
		}
	}
}

func sample() Quote {
	d := day(8)
	return Quote{ID: uuid.New(), Number: "Q2026-000001", Revision: 2, Status: StatusSent, AccountName: "Ferretería Norte",
		Currency: "EUR", ValidUntil: day(31), PromisedDate: &d, SubtotalMinor: 1_200_000, TaxMinor: 252_000,
		TotalMinor: 1_452_000, CreatedAt: day(1), UpdatedAt: day(2), Notes: "Delivery to the north dock.",
		Lines: []Line{{Description: "CHAIR — Silla de oficina", Quantity: 100, UnitPriceMinor: 12_000, DiscountBP: 0,
			TaxRateBP: 2100, NetMinor: 1_200_000, TaxMinor: 252_000, TotalMinor: 1_452_000}}}
}

// The PDF is a function of the quote: the same quote renders the same
// bytes (its dates are the quote's), and it names the company.
func TestRenderStable(t *testing.T) {
	a, err := render(sample(), "Nexo Demo S.L.", day(3))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := render(sample(), "Nexo Demo S.L.", day(3))
	if !bytes.Equal(a, b) || !bytes.HasPrefix(a, []byte("%PDF-")) {
		t.Fatalf("render: %d and %d bytes", len(a), len(b))
	}
}

func TestQuoteMail(t *testing.T) {
	m := quoteMail(sample(), "Nexo Demo S.L.", "buyer@example.com", "Hello")
	for _, want := range []string{"Hello\n", "quote Q2026-000001 (revision 2)", "CHAIR — Silla de oficina: 100 × 120.00 EUR",
		"Total: 14,520.00 EUR", "Delivery from: 2026-12-08", "Valid until: 2026-12-31"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("mail lacks %q:\n%s", want, m.Text)
		}
	}
	if m.To != "buyer@example.com" || m.Subject != "Quote Q2026-000001 from Nexo Demo S.L." || m.Kind != "quote" {
		t.Errorf("mail: %+v", m)
	}
}
