package invoicing

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"nexo/internal/errs"
)

// issue fails the test unless the order invoices.
func (e *env) issue(t testing.TB, fx fixture, order uuid.UUID) Invoice {
	t.Helper()
	inv, err := e.svc.IssueForOrder(fx.ctx, order)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestIssueForOrder: the first invoice takes the 4 chairs shipped, numbered
// first in the series and due after the customer's 30 days; with nothing
// new shipped a second is refused (422) without using a number; after the
// rest ships the next invoice takes the 6 chairs and 3 bolts, number 2.
func TestIssueForOrder(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	order, chairs, bolts := e.order(t, fx, 4, 0)
	first := e.issue(t, fx, order)
	if !strings.HasPrefix(first.Number, "F") || !strings.HasSuffix(first.Number, "-000001") || first.Status != StatusIssued {
		t.Fatalf("first invoice %s %s", first.Number, first.Status)
	}
	if !first.IssueDate.Equal(day(0)) || !first.DueDate.Equal(day(30)) || first.AccountID != fx.account || first.Currency != "EUR" {
		t.Fatalf("dates and parties: %+v", first)
	}
	// 4 × 10.00 = 40.00 net, 21 % = 8.40 tax.
	if len(first.Lines) != 1 || first.Lines[0].OrderLineID != chairs || first.Lines[0].Quantity != 4 ||
		first.NetMinor != 4000 || first.TaxMinor != 840 || first.TotalMinor != 4840 || first.Balance() != 4840 {
		t.Fatalf("first invoice amounts: %+v", first)
	}
	if first.Lines[0].Description != "SKU-0 — Chair" {
		t.Fatalf("description %q", first.Lines[0].Description)
	}
	if e.invoicedQty(t, fx, chairs) != 4 || e.auditCount(t, fx.ctx, "invoices", first.ID) != 1 || e.outboxCount(t, fx.ctx, TopicInvoiceIssued) != 1 {
		t.Fatal("order line, audit or outbox not written")
	}
	wantErr(t, "nothing new shipped", second(e.svc.IssueForOrder(fx.ctx, order)), errs.FailedPrecondition, "order_id")

	e.ship(t, fx, chairs, 6)
	e.ship(t, fx, bolts, 3)
	next := e.issue(t, fx, order)
	// 6 × 10.00 = 60.00 + 12.60; 3 × 0.05 − 10 % = 0.135 → 0.14 + 0.0294 → 0.03.
	if !strings.HasSuffix(next.Number, "-000002") || len(next.Lines) != 2 || next.NetMinor != 6014 || next.TaxMinor != 1263 ||
		next.TotalMinor != 7277 || next.Lines[1].NetMinor != 14 || next.Lines[1].TaxMinor != 3 {
		t.Fatalf("second invoice: %+v", next)
	}
	got, err := e.svc.Get(fx.ctx, next.ID)
	if err != nil || got.Number != next.Number || len(got.Lines) != 2 || got.Payments == nil || got.CreditNotes == nil {
		t.Fatalf("get: %+v %v", got, err)
	}
	list, err := e.svc.Find(fx.ctx, Filter{OrderID: &order})
	if err != nil || len(list) != 2 || list[0].ID != next.ID {
		t.Fatalf("find by order: %+v %v", list, err)
	}
}

// TestIssueRefuses: unknown, foreign and unshipped orders are refused by
// field and use no number; a failure late in the transaction (after the
// number and the order update) leaves nothing and gives the number back.
func TestIssueRefuses(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	other := newFixture(t, e)
	foreign, _, _ := e.order(t, other, 2, 0)
	unshipped, _, _ := e.order(t, fx, 0, 0)
	wantErr(t, "no order", second(e.svc.IssueForOrder(fx.ctx, uuid.Nil)), errs.Invalid, "order_id")
	wantErr(t, "unknown order", second(e.svc.IssueForOrder(fx.ctx, id())), errs.Invalid, "order_id")
	wantErr(t, "another tenant's order", second(e.svc.IssueForOrder(fx.ctx, foreign)), errs.Invalid, "order_id")
	wantErr(t, "nothing shipped", second(e.svc.IssueForOrder(fx.ctx, unshipped)), errs.FailedPrecondition, "order_id")

	order, chairs, _ := e.order(t, fx, 2, 0)
	e.orders.fail.Store(order, true)
	if _, err := e.svc.IssueForOrder(fx.ctx, order); !errors.Is(err, errBoom) {
		t.Fatalf("failing issue: %v", err)
	}
	e.orders.fail.Delete(order)
	if e.invoicedQty(t, fx, chairs) != 0 || e.outboxCount(t, fx.ctx, TopicInvoiceIssued) != 0 {
		t.Fatal("the rolled-back issue left traces")
	}
	if inv := e.issue(t, fx, order); !strings.HasSuffix(inv.Number, "-000001") {
		t.Fatalf("after a rollback the number is %s", inv.Number)
	}
	if list, _ := e.svc.Find(other.ctx, Filter{}); len(list) != 0 {
		t.Fatalf("the other tenant sees %d invoices", len(list))
	}
	wantErr(t, "another tenant's invoice", second(e.svc.Get(fx.ctx, e.issue(t, other, foreign).ID)), errs.NotFound, "")
}

// TestOverdueFilter: an invoice past its due date with a balance is
// overdue; paid in full it no longer is.
func TestOverdueFilter(t *testing.T) {
	e := newEnv(t)
	fx := newFixture(t, e)
	e.setNow(clock.AddDate(0, 0, -40))
	o1, _, _ := e.order(t, fx, 1, 0)
	late := e.issue(t, fx, o1)
	e.setNow(clock)
	o2, _, _ := e.order(t, fx, 1, 0)
	e.issue(t, fx, o2)
	list, err := e.svc.Find(fx.ctx, Filter{Overdue: true})
	if err != nil || len(list) != 1 || list[0].ID != late.ID || !list[0].Overdue(day(0)) {
		t.Fatalf("overdue: %+v %v", list, err)
	}
	if _, err := e.svc.RecordPayment(fx.ctx, NewPayment{InvoiceID: late.ID, AmountMinor: late.TotalMinor, Method: MethodTransfer}); err != nil {
		t.Fatal(err)
	}
	if list, _ = e.svc.Find(fx.ctx, Filter{Overdue: true}); len(list) != 0 {
		t.Fatalf("paid and still overdue: %+v", list)
	}
	wantErr(t, "bad status", second(e.svc.Find(fx.ctx, Filter{Status: "void"})), errs.Invalid, "status")
}
