package invoicing

import (
	"testing"

	"nexo/internal/errs"
)

// TestRecordPayment: two partial payments settle an invoice (issued →
// partially_paid → paid); paying more than the balance is a 422 naming
// amount_minor and changes nothing; each payment has audit rows and an
// outbox event.
func TestRecordPayment(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	order, _, _ := e.order(t, fx, 4, 0)
	inv := e.issue(t, fx, order) // 48.40
	p, err := e.svc.RecordPayment(fx.ctx, NewPayment{InvoiceID: inv.ID, AmountMinor: 2000, Method: MethodTransfer,
		Reference: " SEPA 123 ", ReceivedOn: ptr(day(-1))})
	if err != nil || p.AccountID != fx.account || p.Currency != "EUR" || p.Reference != "SEPA 123" || !p.ReceivedOn.Equal(day(-1)) {
		t.Fatalf("first payment: %+v %v", p, err)
	}
	got, _ := e.svc.Get(fx.ctx, inv.ID)
	if got.Status != StatusPartiallyPaid || got.PaidMinor != 2000 || got.Balance() != 2840 || len(got.Payments) != 1 {
		t.Fatalf("after paying 20.00: %+v", got)
	}
	wantErr(t, "overpayment", second(e.svc.RecordPayment(fx.ctx, NewPayment{InvoiceID: inv.ID, AmountMinor: 2841, Method: MethodCard})),
		errs.FailedPrecondition, "amount_minor")
	if got, _ = e.svc.Get(fx.ctx, inv.ID); got.PaidMinor != 2000 || len(got.Payments) != 1 {
		t.Fatalf("the refused overpayment changed the invoice: %+v", got)
	}
	if p, err = e.svc.RecordPayment(fx.ctx, NewPayment{InvoiceID: inv.ID, AmountMinor: 2840, Method: MethodManual}); err != nil || !p.ReceivedOn.Equal(day(0)) {
		t.Fatalf("second payment: %+v %v", p, err)
	}
	if got, _ = e.svc.Get(fx.ctx, inv.ID); got.Status != StatusPaid || got.Balance() != 0 {
		t.Fatalf("after paying the rest: %+v", got)
	}
	wantErr(t, "paying a paid invoice", second(e.svc.RecordPayment(fx.ctx, NewPayment{InvoiceID: inv.ID, AmountMinor: 1, Method: MethodCard})),
		errs.FailedPrecondition, "amount_minor")
	// issue + two settlements; one audit row per payment.
	if e.auditCount(t, fx.ctx, "invoices", inv.ID) != 3 || e.auditCount(t, fx.ctx, "payments", p.ID) != 1 ||
		e.outboxCount(t, fx.ctx, TopicPaymentRecorded) != 2 {
		t.Fatal("audit or outbox rows missing")
	}
	list, err := e.svc.FindPayments(fx.ctx, DocFilter{AccountID: &fx.account})
	if err != nil || len(list) != 2 || list[0].ID != p.ID {
		t.Fatalf("payments of the account: %+v %v", list, err)
	}
}

// TestRecordPaymentRefuses: bad input is a 400 naming the field; another
// tenant's invoice is an unknown one; nothing is written.
func TestRecordPaymentRefuses(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	other := newFixture(t, e)
	order, _, _ := e.order(t, fx, 4, 0)
	inv := e.issue(t, fx, order)
	for _, c := range []struct {
		what  string
		in    NewPayment
		field string
	}{
		{"no invoice", NewPayment{AmountMinor: 1, Method: MethodCard}, "invoice_id"},
		{"zero", NewPayment{InvoiceID: inv.ID, Method: MethodCard}, "amount_minor"},
		{"negative", NewPayment{InvoiceID: inv.ID, AmountMinor: -5, Method: MethodCard}, "amount_minor"},
		{"cash", NewPayment{InvoiceID: inv.ID, AmountMinor: 1, Method: "cash"}, "method"},
		{"tomorrow", NewPayment{InvoiceID: inv.ID, AmountMinor: 1, Method: MethodCard, ReceivedOn: ptr(day(1))}, "received_on"},
		{"control characters", NewPayment{InvoiceID: inv.ID, AmountMinor: 1, Method: MethodCard, Reference: "a\x00b"}, "reference"},
		{"another tenant's invoice", NewPayment{InvoiceID: inv.ID, AmountMinor: 1, Method: MethodCard}, "invoice_id"},
	} {
		ctx := fx.ctx
		if c.what == "another tenant's invoice" {
			ctx = other.ctx
		}
		wantErr(t, c.what, second(e.svc.RecordPayment(ctx, c.in)), errs.Invalid, c.field)
	}
	if got, _ := e.svc.Get(fx.ctx, inv.ID); got.PaidMinor != 0 || len(got.Payments) != 0 {
		t.Fatalf("refused payments changed the invoice: %+v", got)
	}
}

func ptr[T any](v T) *T { return &v }
